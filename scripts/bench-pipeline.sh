#!/usr/bin/env bash
# The paired native load benchmark (issue 23): in one run, alternating, GNU `gzip -dc` of the
# 1 GiB trace vs `tracetriage triage FILE -o /dev/null` with one load thread (inflate, then
# parse, on one thread), with two (inflate on one thread while the other parses) and with
# four (inflate on one, three parse pieces of the events; on a 2-core machine they only
# share the two cores). Prints wall times, peak RSS and the ratios to gzip. Usage: scripts/bench-pipeline.sh [FILE] (REPS=3).
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=../shared/traces/sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz
BIG=${1:-$PWD/target/bench/sglang-1gib.trace.json.gz}
if [ ! -f "$BIG" ]; then
  mkdir -p "$(dirname "$BIG")"
  python3 ../shared/tools/scale-trace "$SRC" "$BIG" --mb 1074
fi
cargo build --release -p cli --locked >&2
# A private copy: another build sharing the target folder cannot swap it mid-run.
CLI=$(mktemp -d)/tracetriage
cp target/release/tracetriage "$CLI"
REPS=${REPS:-3}
# wall seconds and peak RSS (KB) of one command, as "secs kb"
measure() {
  /usr/bin/time -f '%e %M' -o /tmp/bench-pipeline.time "$@" >/dev/null 2>&1
  cat /tmp/bench-pipeline.time
}
declare -a G T1 T2 T4 R1 R2 R4
for i in $(seq "$REPS"); do
  read -r g _ < <(measure sh -c "gzip -dc '$BIG' > /dev/null")
  read -r t1 r1 < <(measure "$CLI" triage "$BIG" -o /dev/null --load-threads 1)
  read -r t2 r2 < <(measure "$CLI" triage "$BIG" -o /dev/null --load-threads 2)
  read -r t4 r4 < <(measure "$CLI" triage "$BIG" -o /dev/null --load-threads 4)
  G+=("$g"); T1+=("$t1"); T2+=("$t2"); T4+=("$t4"); R1+=("$r1"); R2+=("$r2"); R4+=("$r4")
  echo "run $i: gzip -dc ${g}s | triage, 1 thread ${t1}s (${r1} KB) | 2 threads ${t2}s (${r2} KB) | 4 threads ${t4}s (${r4} KB)"
done
python3 - "${G[*]}" "${T1[*]}" "${T2[*]}" "${T4[*]}" "${R1[*]}" "${R2[*]}" "${R4[*]}" <<'PY'
import statistics as st, sys
g, t1, t2, t4, r1, r2, r4 = ([float(x) for x in a.split()] for a in sys.argv[1:])
m = st.median
print(f"median: gzip -dc {m(g):.2f} s; triage 1 thread {m(t1):.2f} s = {m(t1)/m(g):.2f}x gzip; "
      f"2 threads {m(t2):.2f} s = {m(t2)/m(g):.2f}x gzip; 4 threads {m(t4):.2f} s = {m(t4)/m(g):.2f}x gzip; "
      f"peak RSS {max(r1)*1024/1e6:.0f} / {max(r2)*1024/1e6:.0f} / {max(r4)*1024/1e6:.0f} MB (1 / 2 / 4 threads)")
PY
