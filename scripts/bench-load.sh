#!/usr/bin/env bash
# The load benchmark of the README: makes a 1 GiB trace from a real one (once, into
# target/bench/) and streams it through the engine, release build, one thread.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=../shared/traces/sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz
BIG=$PWD/target/bench/sglang-1gib.trace.json.gz
if [ ! -f "$BIG" ]; then
  mkdir -p target/bench
  python3 ../shared/tools/scale-trace "$SRC" "$BIG" --mb 1074
fi
cargo bench -p native --bench load -- "$BIG" --reps "${REPS:-3}"
