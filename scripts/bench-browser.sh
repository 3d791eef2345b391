#!/usr/bin/env bash
# The paired browser benchmark (issue 23, item 2): in one run, alternating, the 1 GiB
# `scale-trace` file triaged natively on one load thread (`tracetriage triage FILE -o
# /dev/null --load-threads 1`, wall time) and in headless Chromium (`BENCH=1 node --test
# e2e/bench.test.mjs`, the 1 GiB test: from the file chosen to the tables shown, the page's
# own figure `big_total_ms`, with wasm memory and progress updates), twice: on a page whose
# warm-up (src/client/warmup.rs) has finished, as when a user takes a moment to pick the file, and
# on a `?cold` page (no warm-up). Prints each run and the median ratios tab / native.
# Needs `trunk build --release` (dist/) and the 1 GiB file (scripts/bench-pipeline.sh
# makes it). Usage: scripts/bench-browser.sh [FILE] (REPS=3).
set -euo pipefail
cd "$(dirname "$0")/.."
BIG=${1:-$PWD/target/bench/sglang-1gib.trace.json.gz}
[ -f "$BIG" ] || { echo "no $BIG: run scripts/bench-pipeline.sh first" >&2; exit 1; }
[ -f dist/index.html ] || { echo "no dist/: run trunk build --release first" >&2; exit 1; }
cargo build --release -p cli --locked >&2
CLI=$(mktemp -d)/tracetriage
cp target/release/tracetriage "$CLI"
export PATH=$PWD/node_modules/.bin:$PATH
REPS=${REPS:-3}
declare -a N B
tab() { # $1: BENCH_COLD (empty: warm page)
  BENCH_COLD=$1 BENCH=1 BENCH_BIG="$BIG" node --test --test-name-pattern '1 GiB trace' e2e/bench.test.mjs 2>&1 \
    | grep -o 'BENCH big_total_ms=.*' | head -1
}
ms() { echo "$1" | sed -E 's/.*big_total_ms=([0-9]+).*/\1/'; }
declare -a C
for i in $(seq "$REPS"); do
  /usr/bin/time -f '%e' -o /tmp/bench-browser.time "$CLI" triage "$BIG" -o /dev/null --load-threads 1 >/dev/null 2>&1
  n=$(cat /tmp/bench-browser.time)
  warm=$(tab '')
  cold=$(tab 1)
  N+=("$n"); B+=("$(ms "$warm")"); C+=("$(ms "$cold")")
  echo "run $i: native one thread ${n}s"
  echo "  tab, file chosen after the warm-up: ${warm#BENCH }"
  echo "  tab, ?cold (no warm-up):           ${cold#BENCH }"
done
python3 - "${N[*]}" "${B[*]}" "${C[*]}" <<'PY'
import statistics as st, sys
n = [float(x) for x in sys.argv[1].split()]
for label, arg in (("tab after the warm-up", sys.argv[2]), ("tab, cold (?cold)", sys.argv[3])):
    b = [float(x) / 1000 for x in arg.split()]
    print(f"median: native one thread {st.median(n):.2f} s; {label} {st.median(b):.2f} s = {st.median(b)/st.median(n):.2f}x "
          f"(pairs: {', '.join(f'{y/x:.2f}x' for x, y in zip(n, b))})")
PY
