#!/usr/bin/env bash
# Benchmark of issue 27 item 2: a trace with one kernel whose name is N bytes of
# space-separated words (64 KiB … 2 MiB) against the same trace with a short name. Rules,
# splitters and keys look at a name's first 8 KiB (`engine::names::LOOKED_AT`), so the extra
# time should stay flat (it grew quadratically before: 1 MiB took 46 s).
# Usage: scripts/bench-long-names.sh [RUNS]   (builds the release CLI first; TRACETRIAGE
# names a prebuilt binary). The generated traces go to a temporary folder, deleted after.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
if [[ -z "${TRACETRIAGE:-}" ]]; then
  cargo build --release -q -p cli
  bin="${CARGO_TARGET_DIR:-target}/release/tracetriage"
else
  bin=$TRACETRIAGE
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$dir" <<'PY'
import gzip, json, sys
out = sys.argv[1]
doc = json.loads(gzip.open('tests/fixtures/vllm-b200-excerpt.pt.trace.json.gz').read())
kernels = [e for e in doc['traceEvents'] if e.get('cat') == 'kernel']
target = max(kernels, key=lambda e: e['dur'])['name']
for n in [0, 64 << 10, 256 << 10, 1 << 20, 2 << 20]:
    name = 'zz_renamed_kernel' + ' a' * (n // 2)
    for e in doc['traceEvents']:
        if e.get('name') == target or e.get('name', '').startswith('zz_renamed_kernel'):
            e['name'] = name
    with open(f'{out}/name-{n}.json', 'w') as f:
        json.dump(doc, f)
PY

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

echo "load average before: $(cut -d" " -f1-3 /proc/loadavg)"
printf '%-12s %10s\n' "name bytes" "triage ms"
for n in 0 65536 262144 1048576 2097152; do
  printf '%-12s %10s\n' "$n" "$(median_ms "$bin" triage "$dir/name-$n.json")"
done
