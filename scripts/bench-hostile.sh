#!/usr/bin/env bash
# Hostile inputs against the loader (issue 27): peak RSS and time of `tracetriage inspect`
# on whitespace floods (plain and gzip), an event padded with whitespace, a giant string
# value, and a real trace with one damaged quote. The inputs are generated into a scratch
# folder (default /tmp, several GB free needed for the plain ones) and deleted afterwards.
# SPACES (bytes of whitespace, default 2 GiB) scales the floods.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${CARGO_TARGET_DIR:=target}"
CLI=${TRACETRIAGE_CLI:-$CARGO_TARGET_DIR/release/tracetriage}
SPACES=${SPACES:-$((2 << 30))}
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/hostile.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
[ -x "$CLI" ] || cargo build --release -p cli --locked

gen() { # name, python statements writing to the binary file object `f`
  python3 - "$SCRATCH/$1" "$SPACES" <<PY
import gzip, sys
path, n = sys.argv[1], int(sys.argv[2])
mb = b" " * (1 << 20)
def spaces(f, n):
    for _ in range(n >> 20): f.write(mb)
    f.write(b" " * (n & ((1 << 20) - 1)))
k = b'{"ph": "X", "cat": "kernel", "name": "k", "pid": 0, "tid": 7, "ts": 1, "dur": 2, "args": {"stream": 7}}'
opener = gzip.open if path.endswith(".gz") else open
with opener(path, "wb") as f:
$2
PY
}

run() { # label, file
  local out
  out=$( { /usr/bin/time -v "$CLI" inspect "$SCRATCH/$2" > "$SCRATCH/out.txt"; } 2>&1 ) || true
  local rss secs
  rss=$(grep "Maximum resident" <<<"$out" | awk '{print $NF}')
  secs=$(grep "Elapsed (wall" <<<"$out" | awk '{print $NF}')
  local events
  events=$(grep -m1 -i "events" "$SCRATCH/out.txt" || true)
  printf '%-44s %10s bytes  RSS %6d MiB  %8s  %s\n' "$1" "$(stat -c %s "$SCRATCH/$2")" $((rss / 1024)) "$secs" "$events"
  grep -E "event_too_large|malformed_json|truncated" "$SCRATCH/out.txt" | head -3 | sed 's/^/    /' || true
  rm -f "$SCRATCH/$2"
}

gen flood.json.gz '    f.write(b"{\"traceEvents\": ["); spaces(f, n); f.write(k + b"]}")'
run "gzip: traceEvents + SPACES + 1 event" flood.json.gz
gen flood.json '    f.write(b"{\"traceEvents\": ["); spaces(f, n); f.write(k + b"]}")'
run "plain: traceEvents + SPACES + 1 event" flood.json
gen padded.json.gz '    f.write(b"[" + k + b", {\"ph\": "); spaces(f, n); f.write(b"\"X\", \"cat\": \"kernel\", \"name\": \"p\", \"pid\": 0, \"tid\": 7, \"ts\": 3, \"dur\": 1, \"args\": {\"stream\": 7}}, " + k + b"]")'
run "gzip: an event padded with SPACES" padded.json.gz
gen giant.json.gz '    f.write(b"[" + k + b", {\"ph\": \"X\", \"name\": \""); [f.write(b"x" * (1 << 20)) for _ in range(min(n >> 20, 512))]; f.write(b"\"}, " + k + b"]")'
run "gzip: a 512 MiB string in one event" giant.json.gz

# A real trace with one `"` of a cpu_op's Concrete Inputs damaged, 5% into the file.
REAL=../shared/traces/sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz
if [ -f "$REAL" ]; then
  python3 - "$REAL" "$SCRATCH/damaged.json" <<'PY'
import gzip, sys
t = bytearray(gzip.open(sys.argv[1]).read())
at = t.index(b'"Concrete Inputs": ["', len(t) // 20) + len(b'"Concrete Inputs": [')
t[at] = ord("x")
open(sys.argv[2], "wb").write(t)
PY
  "$CLI" inspect "$REAL" | grep -m1 -i "events" | sed 's/^/    undamaged: /'
  run "plain: real trace, one damaged quote" damaged.json
fi
