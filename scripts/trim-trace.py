#!/usr/bin/env python3
"""Cut a small excerpt out of a real Kineto trace, for committed test fixtures.

Keeps every GPU activity that starts inside a time window (given as offsets in µs from
the first GPU activity, or the first N activities), the runtime calls that launched them
(by correlation) and any other runtime call in the window, the cpu_ops, annotations and
Python frames that overlap the window, the flows of kept correlations, and all metadata
events. Top-level keys are kept, with distributedInfo.pg_config dropped (it can be large).

usage: trim-trace.py INPUT OUTPUT.json.gz [--start-us S] [--dur-us D] [--max-gpu N]
Only commit excerpts of MIT/BSD-licensed traces (see ../shared/traces/README.md).
"""
import argparse, gzip, json


def load(path):
    with open(path, "rb") as f:
        magic = f.read(2)
    opener = gzip.open if magic == b"\x1f\x8b" else open
    with opener(path, "rt") as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--start-us", type=float, default=0.0)
    ap.add_argument("--dur-us", type=float, default=None)
    ap.add_argument("--max-gpu", type=int, default=None)
    a = ap.parse_args()
    doc = load(a.input)
    events = doc["traceEvents"]
    gpu_cats = {"kernel", "gpu_memcpy", "gpu_memset", "Kernel", "Memcpy", "Memset"}
    gpu = sorted((e for e in events if e.get("ph") == "X" and e.get("cat") in gpu_cats), key=lambda e: e["ts"])
    t0 = gpu[0]["ts"] + a.start_us
    chosen = [e for e in gpu if e["ts"] >= t0 and (a.dur_us is None or e["ts"] <= t0 + a.dur_us)]
    if a.max_gpu is not None:
        chosen = chosen[: a.max_gpu]
    lo = min(e["ts"] for e in chosen)
    hi = max(e["ts"] + e.get("dur", 0) for e in chosen)
    corr = {e.get("args", {}).get("correlation") for e in chosen}
    runtime_cats = {"cuda_runtime", "cuda_driver", "Runtime"}
    launches = [e for e in events if e.get("cat") in runtime_cats and e.get("args", {}).get("correlation") in corr]
    if launches:
        lo = min(lo, min(e["ts"] for e in launches))
    def overlaps(e):
        return e["ts"] <= hi and e["ts"] + e.get("dur", 0) >= lo
    keep = []
    chosen_ids = {id(e) for e in chosen}
    for e in events:
        ph, cat = e.get("ph"), e.get("cat")
        if ph == "M":
            keep.append(e)
        elif id(e) in chosen_ids:
            keep.append(e)
        elif ph == "X" and cat in runtime_cats and (e.get("args", {}).get("correlation") in corr or overlaps(e)):
            keep.append(e)
        elif ph == "X" and cat in {"cpu_op", "Operator", "user_annotation", "gpu_user_annotation", "python_function"} and overlaps(e):
            keep.append(e)
        elif ph in ("s", "f") and e.get("id") in corr:
            keep.append(e)
    out = {k: v for k, v in doc.items() if k != "traceEvents"}
    if isinstance(out.get("distributedInfo"), dict):
        out["distributedInfo"] = {k: v for k, v in out["distributedInfo"].items() if k != "pg_config"}
    out["traceEvents"] = keep
    data = json.dumps(out, separators=(",", ":")).encode()
    with open(a.output, "wb") as f:
        f.write(gzip.compress(data, compresslevel=9, mtime=0))
    print(f"trim-trace: kept {len(keep)} of {len(events)} events ({len(chosen)} GPU activities), {len(data)} bytes of JSON")


if __name__ == "__main__":
    main()
