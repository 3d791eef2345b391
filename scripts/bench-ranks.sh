#!/usr/bin/env bash
# Benchmark of issue 11: loading the four ranks of the GB300 TP-4 capture together
# (`triage --all-ranks`, one loader thread per core) against loading them one after the
# other (`--load-threads 1`) and against four separate `triage FILE` runs.
# Usage: scripts/bench-ranks.sh [RUNS]   (builds the release CLI first; TRACES overrides
# the corpus directory, TRACETRIAGE a prebuilt binary).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
traces=${TRACES:-../shared/traces}
if [[ -z "${TRACETRIAGE:-}" ]]; then
  cargo build --release -q -p cli
  bin="${CARGO_TARGET_DIR:-target}/release/tracetriage"
else
  bin=$TRACETRIAGE
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for r in 0 1 2 3; do
  ln -s "$(realpath "$traces/sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-$r.trace.json.gz")" "$dir/"
done

# Median wall time in ms of `runs` runs of the command.
median_ms() {
  local times=()
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
four_times() {
  for r in 0 1 2 3; do "$bin" triage "$dir/sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-$r.trace.json.gz"; done
}

cores=$(nproc)
echo "load average before: $(cut -d" " -f1-3 /proc/loadavg)"
parallel=$(median_ms "$bin" triage --all-ranks "$dir")
sequential=$(median_ms "$bin" triage --all-ranks --load-threads 1 "$dir")
separate=$(median_ms four_times)
echo "machine: $cores cores; median of $runs runs, wall time"
echo "triage --all-ranks DIR (4 files, parallel load):      ${parallel} ms"
echo "triage --all-ranks --load-threads 1 DIR (sequential): ${sequential} ms"
echo "4 x triage FILE (one file at a time):                  ${separate} ms"
"$bin" triage --all-ranks --timings "$dir" 2>&1 >/dev/null | sed 's/^/parallel   /'
"$bin" triage --all-ranks --load-threads 1 --timings "$dir" 2>&1 >/dev/null | sed 's/^/sequential /'
