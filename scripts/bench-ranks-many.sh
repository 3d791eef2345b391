#!/usr/bin/env bash
# Benchmark of issue 23 (many ranks without holding them): 64 ranks of ~100 MB of JSON
# each, made with `scale-trace` from the four GB300 TP-4 traces (rank R from
# `…bs16-TP-{R mod 4}`), then the wall time and peak RSS (`/usr/bin/time -f '%e %M'`) of
#   1. `triage --all-ranks DIR` over the traces (each reduced and dropped as it loads),
#   2. `reduce DIR --out-dir RED` (the per-rank step, here all on this machine),
#   3. `triage --all-ranks RED` over the 64 `.ttr` files,
#   4. with OLD=path/to/an/older/tracetriage: its `triage --all-ranks DIR` (before).
# The traces are made once and cached under target/bench/ranks64/ (6.4 GB; never commit
# them). Usage: scripts/bench-ranks-many.sh   (TRACES overrides the corpus directory,
# TRACETRIAGE a prebuilt binary, RANKS and MB the shape.)
set -euo pipefail
cd "$(dirname "$0")/.."
traces=${TRACES:-../shared/traces}
ranks=${RANKS:-64}
mb=${MB:-100}
if [[ -z "${TRACETRIAGE:-}" ]]; then
  cargo build --release -q -p cli
  bin="${CARGO_TARGET_DIR:-target}/release/tracetriage"
else
  bin=$TRACETRIAGE
fi
cache="target/bench/ranks${ranks}"
dir="$cache/traces-${mb}mb"
red="$cache/reduced"
mkdir -p "$dir"
for r in $(seq 0 $((ranks - 1))); do
  out="$dir/scaled-TP-$r.trace.json"
  if [[ ! -s "$out" ]]; then
    src="$traces/sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-$((r % 4)).trace.json.gz"
    python3 "$traces/../tools/scale-trace" "$src" "$out.part" --mb "$mb" --rank "$r" --world-size "$ranks" >/dev/null
    mv "$out.part" "$out"
  fi
done
echo "traces: $ranks × $(du -sh "$dir/scaled-TP-0.trace.json" | cut -f1), $(du -sh "$dir" | cut -f1) in all"
echo "cores: $(nproc); load average before: $(cut -d" " -f1-3 /proc/loadavg)"

# Prints "label: S s, RSS MB" for one run of the command.
measure() {
  local label=$1
  shift
  local out
  out=$(mktemp)
  /usr/bin/time -o "$out" -f '%e %M' "$@" >/dev/null 2>&1
  tail -1 "$out" | awk -v l="$label" '{printf "%s: %.1f s, peak RSS %.0f MB\n", l, $1, $2 / 1024}'
  rm -f "$out"
}

rm -rf "$red"
measure "triage --all-ranks (traces)" "$bin" triage --all-ranks "$dir" -o /dev/null
measure "reduce (all ranks, one machine)" "$bin" reduce "$dir" --out-dir "$red"
echo "reductions: $(du -sh "$red" | cut -f1) ($(ls "$red" | wc -l) files)"
measure "triage --all-ranks (.ttr files)" "$bin" triage --all-ranks "$red" -o /dev/null
if [[ -n "${OLD:-}" ]]; then
  measure "before: triage --all-ranks (traces, all held)" "$OLD" triage --all-ranks "$dir" -o /dev/null
fi
# The same report either way.
cmp <("$bin" triage --all-ranks "$dir" --format json) <("$bin" triage --all-ranks "$red" --format json) \
  && echo "reports from traces and from reductions: identical"
echo "load average after: $(cut -d" " -f1-3 /proc/loadavg)"
