"""tokenmill-datasets vs HF datasets 5.2: native tokenize map, and iteration after shuffle.

Every figure comes from this one run on the same machine and the same saved dataset (IMDB reviews
written by HF's own `save_to_disk`, which tokenmill opens as is). Each measurement runs in a fresh
subprocess, repeats `--runs` times and reports the median wall time.

    python benches/datasets_ops.py [--docs 25000] [--runs 3] [--threads 2] [--out FILE.md]

- tokenize: `tokenmill_datasets::tokenize` (cl100k_base, `--threads` threads, 1000-row batches)
  vs `Dataset.map(batched=True)` calling HF `tokenizers` (vocab/cl100k-hf/tokenizer.json) with
  `RAYON_RS_NUM_CPUS=--threads`; both write text + input_ids to a new Arrow dataset. The first 500
  rows' ids are compared (the bench fails on any difference).
- iterate: all rows in 1000-row Arrow batches, contiguous vs after `shuffle(seed=0)`, reading every
  byte of `text` (counting UTF-8 chars; HF: pyarrow `utf8_length` on
  `with_format("arrow").iter(batch_size=1000)`). Ratio shuffled / contiguous, lower is better.

The Rust driver is benches/src/datasets_ops.rs, built here with
`cargo build --release --bin datasets_ops` (LTO off to keep the build short; set BENCH_LTO=1 for
the workspace's fat LTO profile).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TOKENMILL_SHARED", ROOT.parent / "shared" / "data"))
RESULTS = ROOT / "benches" / "results"
TARGET = Path(os.environ.get("BENCH_TARGET_DIR", ROOT / "benches" / "target"))


def build_driver() -> Path:
    env = dict(os.environ, CARGO_TARGET_DIR=str(TARGET))
    if not os.environ.get("BENCH_LTO"):
        env.update(CARGO_PROFILE_RELEASE_LTO="off", CARGO_PROFILE_RELEASE_CODEGEN_UNITS="16")
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "datasets_ops"], cwd=ROOT / "benches", env=env, check=True)
    return TARGET / "release" / "datasets_ops"


def imdb_dataset(docs: int) -> Path:
    """IMDB reviews (train then test, archive order) saved by HF datasets, made once."""
    out = RESULTS / f"imdb-hf-{docs}"
    if (out / "state.json").exists():
        return out
    import datasets

    texts, labels = [], []
    with tarfile.open(SHARED / "imdb" / "aclImdb_v1.tar.gz") as tar:
        for m in tar:
            parts = m.name.split("/")
            if m.isfile() and len(parts) == 4 and parts[1] in ("train", "test") and parts[2] in ("pos", "neg"):
                texts.append(tar.extractfile(m).read().decode("utf-8"))
                labels.append(int(parts[2] == "pos"))
                if len(texts) >= docs:
                    break
    RESULTS.mkdir(parents=True, exist_ok=True)
    datasets.Dataset.from_dict({"text": texts, "label": labels}).save_to_disk(str(out))
    return out


HF_TOKENIZE = r"""
import json, sys, time, datasets, tokenizers
datasets.disable_progress_bars()
src, vocab, out, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
tok = tokenizers.Tokenizer.from_file(vocab)
enc = getattr(tok, "encode_batch_fast", tok.encode_batch)  # the fastest HF path available
ds = datasets.load_from_disk(src)
def f(b):
    return {"input_ids": [e.ids for e in enc(b["text"], add_special_tokens=False)]}
secs = []
for r in range(runs):
    t = time.perf_counter()
    res = ds.map(f, batched=True, load_from_cache_file=False, cache_file_name=f"{out}/cache-{r}.arrow")
    secs.append(time.perf_counter() - t)
print(json.dumps({"seconds": secs, "ids": res[:500]["input_ids"]}))
"""

HF_ITERATE = r"""
import json, sys, time, datasets
import pyarrow.compute as pc
datasets.disable_progress_bars()
src, runs, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ds = datasets.load_from_disk(src).with_format("arrow")
sh = ds.shuffle(seed=0)
def walk(d):
    t = time.perf_counter(); n = 0
    chars = 0
    for b in d.iter(batch_size=batch):
        n += b.num_rows
        chars += pc.sum(pc.utf8_length(b["text"])).as_py() or 0
    assert n == len(d)
    return time.perf_counter() - t
c, s = [], []
for _ in range(runs):
    c.append(walk(ds)); s.append(walk(sh))
print(json.dumps({"contiguous": c, "shuffled": s}))
"""


def run_json(cmd, env=None) -> dict:
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=25000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out")
    a = ap.parse_args()
    if not (SHARED / "imdb" / "aclImdb_v1.tar.gz").exists():
        sys.exit(f"{SHARED}/imdb/aclImdb_v1.tar.gz not found (set TOKENMILL_SHARED)")
    driver = build_driver()
    src = imdb_dataset(a.docs)
    text_mb = sum(f.stat().st_size for f in src.glob("*.arrow")) / 1e6
    env = dict(os.environ, RAYON_NUM_THREADS=str(a.threads), RAYON_RS_NUM_CPUS=str(a.threads), TOKENIZERS_PARALLELISM="true")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        ours = run_json([str(driver), "tokenize", str(src), "cl100k_base", str(a.threads), str(a.runs), f"{tmp}/ours"], env)
        hf = run_json([sys.executable, "-c", HF_TOKENIZE, str(src), str(SHARED / "vocab" / "cl100k-hf" / "tokenizer.json"), tmp, str(a.runs)], env)
        import datasets

        mine = datasets.load_from_disk(f"{tmp}/ours")[:500]["input_ids"]
        if mine != hf["ids"]:
            bad = next(i for i, (x, y) in enumerate(zip(mine, hf["ids"])) if x != y)
            sys.exit(f"ids differ from HF tokenizers at row {bad}")
        o, h = statistics.median(ours["seconds"]), statistics.median(hf["seconds"])
        rows.append((f"tokenize map, cl100k, {a.threads} threads ({ours['rows']:,} reviews, {ours['tokens']:,} tokens)", h, o, h / o, "≥ 20×"))
    it = run_json([str(driver), "iterate", str(src), "0", str(a.runs), "1000"], env)
    hit = run_json([sys.executable, "-c", HF_ITERATE, str(src), str(a.runs), "1000"], env)
    oc, osh = statistics.median(it["contiguous"]), statistics.median(it["shuffled"])
    hc, hsh = statistics.median(hit["contiguous"]), statistics.median(hit["shuffled"])
    rows.append(("iterate contiguous (1000-row batches, every text byte read)", hc, oc, hc / oc, ""))
    rows.append(("iterate after shuffle(seed=0) (same)", hsh, osh, hsh / osh, ""))
    lines = [
        f"Dataset: {a.docs:,} IMDB reviews saved by HF datasets ({text_mb:.0f} MB of Arrow); median of {a.runs} runs.",
        "",
        "| operation | HF datasets (s) | tokenmill (s) | speed-up |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {name} | {h:.3f} | {o:.3f} | {r:.1f}× |" for name, h, o, r, _ in rows]
    lines += [
        "",
        f"Shuffled / contiguous iteration time: tokenmill {osh / oc:.2f}× (target ≤ 2×), HF {hsh / hc:.2f}×.",
    ]
    text = "\n".join(lines)
    print(text)
    if a.out:
        Path(a.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
