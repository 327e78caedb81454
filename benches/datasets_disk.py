"""load_from_disk of a ~2 GB saved dataset: tokenmill vs HF datasets 5.2, same directory, same run.

    cargo build --release -p tokenmill-datasets --example storage_tool   # (or debug: --debug)
    /work/main/.venv/bin/python benches/datasets_disk.py [--gb 2] [--dir /tmp/tm-disk-bench] [--debug]

The dataset is generated once with pyarrow in HF's exact save_to_disk layout (4 stream shards of
~500 MB, 1000-row record batches as HF writes them, state.json, dataset_info.json, features in the
schema metadata); HF's load_from_disk validates it. Both sides open the directory repeatedly with
the page cache warm and read the last row. Targets (issue 4): tokenmill < 50 ms and < 50 MB RSS.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import pyarrow as pa

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def generate(path, gb):
    if os.path.exists(os.path.join(path, "state.json")):
        return
    import datasets

    os.makedirs(path, exist_ok=True)
    feats = datasets.Features({"id": datasets.Value("int64"), "text": datasets.Value("string"),
                               "label": datasets.ClassLabel(names=["neg", "pos"])})
    schema = feats.arrow_schema
    row_bytes = 2000
    rows_total = int(gb * 1e9 / row_bytes)
    shards = max(1, round(gb * 1e9 / 500e6))
    per_shard = -(-rows_total // shards)
    words = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor " * 30)[:row_bytes]
    files = []
    start = 0
    for s in range(shards):
        name = f"data-{s:05d}-of-{shards:05d}.arrow"
        files.append({"filename": name})
        with pa.OSFile(os.path.join(path, name), "wb") as sink, pa.ipc.new_stream(sink, schema) as w:
            end = min(rows_total, start + per_shard)
            for b in range(start, end, 1000):
                n = min(1000, end - b)
                ids = pa.array(range(b, b + n), pa.int64())
                text = pa.array([words] * n, pa.string())
                label = pa.array([i % 2 for i in range(b, b + n)], pa.int64())
                w.write_batch(pa.record_batch([ids, text, label], schema=schema))
            start = end
    info = {"citation": "", "description": "", "features": feats.to_dict(), "homepage": "", "license": ""}
    with open(os.path.join(path, "dataset_info.json"), "w") as f:
        json.dump(info, f, indent=2)
    state = {"_data_files": files, "_fingerprint": "bench000000000000", "_format_columns": None,
             "_format_kwargs": {}, "_format_type": None, "_output_all_columns": False, "_split": None}
    with open(os.path.join(path, "state.json"), "w") as f:
        json.dump(state, f, indent=2, sort_keys=True)


def dir_bytes(path):
    return sum(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path))


def hf_open(path, n):
    import datasets

    datasets.disable_progress_bars()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    times = []
    for _ in range(n):
        t = time.perf_counter()
        ds = datasets.load_from_disk(path)
        ds[len(ds) - 1]
        times.append((time.perf_counter() - t) * 1e3)
        del ds
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return statistics.median(times), min(times), rss1, rss1 - rss0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gb", type=float, default=2.0)
    ap.add_argument("--dir", default="/tmp/tm-disk-bench")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--debug", action="store_true", help="use the debug build of the driver")
    args = ap.parse_args()
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    tool = os.path.join(target, "debug" if args.debug else "release", "examples", "storage_tool")
    if not os.path.exists(tool):
        sys.exit(f"missing {tool}: cargo build {'' if args.debug else '--release '}-p tokenmill-datasets --example storage_tool")
    path = os.path.join(args.dir, f"{args.gb:g}gb")
    generate(path, args.gb)
    size_gb = dir_bytes(path) / 1e9
    ours = json.loads(subprocess.run([tool, "bench-open", path, str(args.repeat)], check=True,
                                     capture_output=True, text=True).stdout)
    hf_med, hf_min, hf_rss, hf_rss_delta = hf_open(path, args.repeat)
    print(f"load_from_disk of {size_gb:.2f} GB ({ours['rows']:,} rows), {args.repeat} runs, warm page cache")
    print("| | median ms | min ms | peak RSS MB |")
    print("|---|---:|---:|---:|")
    print(f"| tokenmill ({'debug' if args.debug else 'release'}) | {ours['median_ms']:.2f} | {ours['min_ms']:.2f} | {ours['peak_rss_mb']:.1f} (whole process) |")
    print(f"| HF datasets 5.2 | {hf_med:.2f} | {hf_min:.2f} | {hf_rss:.1f} (python process; +{hf_rss_delta:.1f} while loading) |")
    print(f"| ratio HF / tokenmill (median) | {hf_med / ours['median_ms']:.1f}x | | |")
    ok = ours["median_ms"] < 50 and ours["peak_rss_mb"] < 50
    print(f"target (< 50 ms, < 50 MB): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
