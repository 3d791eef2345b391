#!/usr/bin/env python3
"""First vs later call of `tracetriage mcp` on the same trace (the cache at work).

Starts the server, initialises, then calls `triage` on TRACE once (load + analysis) and
REPS more times (answered from the cached trace and report), `kernels` once (another
view of the same report), and `triage` with another `min_share` (the cached trace
analysed again, no reload). Prints the times and the ratio of the first call to the best
later one. Usage:

    cargo build --release -p cli
    python3 scripts/bench-mcp.py [TRACE] [REPS]

Defaults: the 32.9 MB SGLang trace of the corpus, 5 repetitions. TRACETRIAGE_CLI names the
binary (default target/release/tracetriage, or $CARGO_TARGET_DIR/release/tracetriage).
"""

import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, "..", "..", "shared", "traces",
                       "sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz")


def binary():
    if os.environ.get("TRACETRIAGE_CLI"):
        return os.environ["TRACETRIAGE_CLI"]
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(HERE, "..", "target"))
    return os.path.join(target, "release", "tracetriage")


def main():
    trace = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else DEFAULT)
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    proc = subprocess.Popen([binary(), "mcp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    next_id = [0]

    def request(method, params):
        next_id[0] += 1
        proc.stdin.write(json.dumps({"jsonrpc": "2.0", "id": next_id[0], "method": method,
                                     "params": params}) + "\n")
        proc.stdin.flush()
        while True:
            line = proc.stdout.readline()
            if not line:
                sys.exit("the server ended")
            msg = json.loads(line)
            if msg.get("id") == next_id[0]:
                return msg

    def timed(tool, args):
        start = time.perf_counter()
        answer = request("tools/call", {"name": tool, "arguments": args})
        took = (time.perf_counter() - start) * 1e3
        if answer.get("result", {}).get("isError"):
            sys.exit(f"{tool}: {answer['result']['content'][0]['text']}")
        return took

    request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                           "clientInfo": {"name": "bench", "version": "0"}})
    proc.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")
    first = timed("triage", {"path": trace})
    later = [timed("triage", {"path": trace}) for _ in range(reps)]
    kernels = timed("kernels", {"path": trace, "limit": 20})
    # Other options: the cached trace is analysed again (no reload).
    reanalysed = timed("triage", {"path": trace, "min_share": 0.5})
    proc.stdin.close()
    proc.wait()
    best = min(later)
    print(f"trace: {os.path.basename(trace)}")
    print(f"first triage call (load + analysis): {first:.1f} ms")
    print(f"later triage calls (cached): best {best:.2f} ms, all {', '.join(f'{t:.2f}' for t in later)}")
    print(f"kernels call on the cached report: {kernels:.2f} ms")
    print(f"triage with other options on the cached trace (analysis, no load): {reanalysed:.1f} ms")
    print(f"first / best later: {first / best:.0f}x; first / other options: {first / reanalysed:.1f}x")


if __name__ == "__main__":
    main()
