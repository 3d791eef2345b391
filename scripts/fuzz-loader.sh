#!/usr/bin/env bash
# Coverage-guided fuzzing of the trace loader (issue 27): libFuzzer through `cargo fuzz`
# on the stable toolchain (RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z flags; no
# sanitizer, so no nightly runtime is needed). Target: fuzz/fuzz_targets/loader.rs
# (`Loader::push` in chunks of 1..61 bytes, then `finish`: no panic, bounded buffer,
# the same trace in any chunking, the codec round trip). The seed corpus is made here from
# the test excerpts: the head of each, cut after a few events and closed, plain and gzip.
# SECS (default 300) bounds the run; crashes are written to fuzz/artifacts/loader/.
# Needs cargo-fuzz: `cargo install cargo-fuzz --locked`.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${SECS:-300}
SEEDS=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-seeds.XXXXXX")
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-${TMPDIR:-/tmp}/tracetriage-fuzz-target}
trap 'rm -rf "$SEEDS"' EXIT
python3 - "$SEEDS" tests/fixtures/*.trace.json.gz tests/fixtures/timeline-small.trace.json <<'PY'
import gzip, os, sys
out = sys.argv[1]
n = 0
def seed(data):
    global n
    for chunk in (1, 7, 60):
        n += 1
        open(os.path.join(out, f"seed{n:03}"), "wb").write(bytes([chunk]) + data)
for path in sys.argv[2:]:
    text = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    start = text.index(b"[", text.index(b'"traceEvents"')) + 1 if b'"traceEvents"' in text else 1
    for events in (3, 12):
        at = start
        for _ in range(events):
            nxt = text.find(b"},{", at)
            nxt = nxt if nxt >= 0 else text.find(b"}, {", at)
            if nxt < 0:
                break
            at = nxt + 1
        head = text[:at] + b"]}"
        seed(head)
        seed(gzip.compress(head))
seed(b'{"traceEvents": [' + b" " * 3000 + b"]}")
seed(b'[1, 2, 3]')
PY
echo "seeds: $(ls "$SEEDS" | wc -l) files, $(du -sh "$SEEDS" | cut -f1)"
mkdir -p fuzz/corpus/loader
RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz --sanitizer none loader fuzz/corpus/loader "$SEEDS" -- \
  -max_total_time="$SECS" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
