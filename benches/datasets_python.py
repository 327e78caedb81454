"""tokenmill's Python datasets API vs HF datasets 5.2, measured in the same run on the same data.

    python benches/datasets_python.py [--runs 3] [--docs 5000] [--threads 2] [--only abc] [--out FILE.md]

Build tokenmill optimised first: `cd bindings/python && maturin develop --release` (the header line
of the output says whether the installed extension looks like a debug build).

Data: IMDB (`$TOKENMILL_SHARED` or `<repo>/../shared/data`, `imdb/aclImdb_v1.tar.gz`), the first
`--docs` reviews of the train split (archive order; `--docs 0` = the whole split, 25,000). Every cell
runs in a fresh subprocess with fresh, empty caches (`TOKENMILL_CACHE`, `HF_DATASETS_CACHE`), so
nothing is reused between runs; the time is measured inside the subprocess around the work only
(imports excluded: tokenmill imports pyarrow/pandas lazily on first use, ~0.5 s, which `import
datasets` pays up front, so both sides import numpy, pandas and pyarrow before the timer). Each cell
repeats `--runs` times, HF's and tokenmill's runs alternating; the table shows medians and the
ratio HF / tokenmill (> 1 means tokenmill is faster). `--only b` times only cell (b). Before each
run the files earlier runs wrote are flushed to disk (`os.sync()`, untimed; `--no-sync` skips it):
tokenmill fsyncs what it writes (atomic writes), and on ext4 an fsync waits for the journal to
commit every file with freshly allocated blocks, so without the flush a run pays for the
gigabytes HF's earlier runs left in the page cache (HF never fsyncs).

(a) end to end: tokenmill `load_dataset("imdb", data_files=TGZ, split="train[:N]")` +
    `ds.tokenize(tokenmill.tiktoken.get_encoding("cl100k_base"))` + `save_to_disk`
    vs HF: the imdb script's work (`Dataset.from_generator` over the tarball, stopping after N
    train reviews) + `map(batched=True)` calling HF `tokenizers` with vocab/cl100k-hf/tokenizer.json
    (`encode_batch_fast` when available, no special tokens) + `save_to_disk`.
    Note: tokenmill's loader reads the whole train split and slices it; HF's generator stops at N.
    The first 200 rows' ids of both outputs are compared (the bench fails on any difference).
(b) a Python `map(batched=True)` lowercasing `text` (the same function, `load_from_cache_file=False`)
    over the N reviews saved by HF's `save_to_disk` and opened with each side's `load_from_disk`.
(c) iterating rows of `with_format("numpy")` over the tokenized reviews (HF's output of (a), opened by
    each side's `load_from_disk`), touching every `input_ids` array.

Measured 2026-12-06 12:02-12:04 UTC, module built --release with LTO off, HF datasets 5.2.0,
tokenizers 0.23.3, 2 cores, all 25,000 train reviews:

    --docs 0 --runs 7                             HF (s)   tokenmill (s)  HF/tokenmill
    (a) load + tokenize cl100k + save              7.950    0.721         11.03x
    (b) map(batched=True) lowercasing              0.100    0.052          1.93x
    (c) iterate rows, with_format("numpy")         2.036    0.565          3.60x

(b) alone, `--only b --runs 11`: 1.52x and 1.65x (11:59-12:02), with --no-sync 1.50x and 1.70x
(12:04-12:05); 1.11x in a --no-sync run of all three cells (12:01), where (a)'s runs had left
gigabytes of HF's unwritten files for tokenmill's closing fsync to wait on (see above).
History: (b) was 0.97x at 02:55 UTC (HF 0.083, tokenmill 0.085 s), before string columns crossed
to and from Python natively (pylists.rs), the next batch was read ahead (prefetch.rs) and the
saved folder's files shared one journal commit; (a) 12.5x, (c) 3.7x then.

(b) in one fresh process (~50 ms): the function's own `str.lower` 22-24 ms (the same work on both
sides), reviews to Python strs 6-7 ms, the returned lists to Arrow 6-7 ms, closing the folder
(fsyncs, reopening it) 3-4 ms, the rest slicing and merging the 25 batches.
(a) in one process: load 0.615 s (inflating the 60 MB tarball up to the end of the train folders
is most of it: CPython's zlib inflates the whole 216 MB archive in 0.62 s), tokenize 0.222 s, save
0.052 s.

When tokenmill's datasets API is not importable, its cells show the error and the HF figures are
still printed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TOKENMILL_SHARED", ROOT.parent / "shared" / "data"))

COMMON = r"""
import json, os, sys, time, tarfile
def imdb_gen(path, limit):
    n = 0
    with tarfile.open(path, "r:gz") as tar:
        for m in tar:
            parts = m.name.split("/")
            if m.isfile() and len(parts) == 4 and parts[1] == "train" and parts[2] in ("neg", "pos"):
                yield {"text": tar.extractfile(m).read().decode("utf-8"), "label": int(parts[2] == "pos")}
                n += 1
                if limit and n >= limit:
                    return
"""

OURS_E2E = COMMON + r"""
import tokenmill, tokenmill.tiktoken
tokenmill.disable_progress_bars()
import numpy, pandas, pyarrow  # noqa: E401,F401 -- HF's side imports them with `import datasets`
tgz, docs, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
enc = tokenmill.tiktoken.get_encoding("cl100k_base")
t = time.perf_counter()
split = f"train[:{docs}]" if docs else "train"
ds = tokenmill.load_dataset("imdb", data_files=tgz, split=split)
tok = ds.tokenize(enc, column="text")
tok.save_to_disk(out)
secs = time.perf_counter() - t
print(json.dumps({"seconds": secs, "rows": tok.num_rows}))
"""

HF_E2E = COMMON + r"""
import datasets, tokenizers
datasets.disable_progress_bars()
tgz, docs, out, vocab = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
tk = tokenizers.Tokenizer.from_file(vocab)
enc = getattr(tk, "encode_batch_fast", tk.encode_batch)
features = datasets.Features({"text": datasets.Value("string"), "label": datasets.ClassLabel(names=["neg", "pos"])})
def f(b):
    return {"input_ids": [e.ids for e in enc(b["text"], add_special_tokens=False)]}
t = time.perf_counter()
ds = datasets.Dataset.from_generator(imdb_gen, gen_kwargs={"path": tgz, "limit": docs}, features=features)
tok = ds.map(f, batched=True)
tok.save_to_disk(out)
secs = time.perf_counter() - t
print(json.dumps({"seconds": secs, "rows": tok.num_rows}))
"""

MAP_LOWER = r"""
import json, sys, time
lib = sys.argv[1]
if lib == "tokenmill":
    import tokenmill as L
else:
    import datasets as L
L.disable_progress_bars()
import numpy, pandas, pyarrow  # noqa: E401,F401 -- imported outside the timed region on both sides
src = sys.argv[2]
def lower(b):
    return {"text": [t.lower() for t in b["text"]]}
ds = L.load_from_disk(src)
t = time.perf_counter()
res = ds.map(lower, batched=True, load_from_cache_file=False)
n = res.num_rows
secs = time.perf_counter() - t
print(json.dumps({"seconds": secs, "rows": n, "first": res[0]["text"][:80]}))
"""

ITER_NUMPY = r"""
import json, sys, time
lib = sys.argv[1]
if lib == "tokenmill":
    import tokenmill as L
else:
    import datasets as L
L.disable_progress_bars()
import numpy, pandas, pyarrow  # noqa: E401,F401 -- imported outside the timed region on both sides
ds = L.load_from_disk(sys.argv[2]).with_format("numpy")
t = time.perf_counter()
tokens = rows = 0
for r in ds:
    tokens += r["input_ids"].shape[0]
    rows += 1
secs = time.perf_counter() - t
print(json.dumps({"seconds": secs, "rows": rows, "tokens": tokens}))
"""


SYNC_BETWEEN = True


def run_once(code, args, work):
    """Seconds of one fresh subprocess (fresh caches), as (result dict, None) or (None, error)."""
    if SYNC_BETWEEN:
        # the earlier runs' unwritten files go to disk first, outside any timer: a run that fsyncs
        # (tokenmill's atomic writes) would otherwise wait for the journal to take them as well
        os.sync()
    d = tempfile.mkdtemp(dir=work)
    env = dict(os.environ, TOKENMILL_CACHE=f"{d}/tm-cache", HF_DATASETS_CACHE=f"{d}/hf-cache",
               HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TOKENIZERS_PARALLELISM="true")
    argv = [a.replace("{RUN}", d) for a in args]
    p = subprocess.run([sys.executable, "-c", code, *argv], env=env, capture_output=True, text=True)
    if p.returncode != 0:
        err = (p.stderr.strip().splitlines() or ["?"])[-1]
        return None, err[:160]
    return json.loads(p.stdout.strip().splitlines()[-1]), None


def run_pair(hf_cell, ours_cell, work, runs):
    """Each side's median over `runs` fresh subprocesses, the two sides' runs alternating (so a
    slow spell of the machine hits both), as ((hf result, error), (ours result, error))."""
    out = []
    secs = ([], [])
    last = [None, None]
    errs = [None, None]
    for _ in range(runs):
        for side, (code, args) in enumerate((hf_cell, ours_cell)):
            if errs[side]:
                continue
            res, err = run_once(code, args, work)
            if err:
                errs[side] = err
                continue
            secs[side].append(res["seconds"])
            last[side] = res
    for side in (0, 1):
        if errs[side] or last[side] is None:
            out.append((None, errs[side] or "no run"))
        else:
            last[side]["median"] = statistics.median(secs[side])
            last[side]["all"] = secs[side]
            out.append((last[side], None))
    return out


def tokenmill_build() -> str:
    """Where the extension module is, and whether it looks like a debug build (maturin develop
    without --release leaves a ~300 MB unoptimised .so; the release profile's line tables make
    the optimised one ~106 MB)."""
    p = subprocess.run([sys.executable, "-c", "import tokenmill._tokenmill as m; print(m.__file__)"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return "not importable"
    so = p.stdout.strip()
    mb = os.path.getsize(so) / 1e6
    kind = "looks like a DEBUG build: rebuild with `maturin develop --release`" if mb > 200 else "release build"
    return f"{so} ({mb:.0f} MB, {kind})"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--docs", type=int, default=5000, help="train reviews (0 = all 25,000)")
    ap.add_argument("--threads", type=int, default=2, help="RAYON_NUM_THREADS for both sides")
    ap.add_argument("--only", default="abc", help="cells to time, e.g. 'b' (the data (b) and (c) read is made either way)")
    ap.add_argument("--no-sync", action="store_true",
                    help="do not flush the earlier runs' written files to disk before each run")
    ap.add_argument("--out", help="also write the table to this file")
    a = ap.parse_args()
    global SYNC_BETWEEN
    SYNC_BETWEEN = not a.no_sync
    tgz = SHARED / "imdb" / "aclImdb_v1.tar.gz"
    vocab = SHARED / "vocab" / "cl100k-hf" / "tokenizer.json"
    if not tgz.exists() or not vocab.exists():
        sys.exit(f"{tgz} or {vocab} not found (set TOKENMILL_SHARED)")
    os.environ["RAYON_NUM_THREADS"] = os.environ["RAYON_RS_NUM_CPUS"] = str(a.threads)
    work = tempfile.mkdtemp(prefix="tm-bench-pyds-")
    rows = []
    try:
        # (a) end to end
        keep_hf = os.path.join(work, "hf-tokenized")
        ours = hf = None
        herr = oerr = None
        if "a" in a.only:
            (hf, herr), (ours, oerr) = run_pair((HF_E2E, [str(tgz), str(a.docs), "{RUN}/out", str(vocab)]),
                                                (OURS_E2E, [str(tgz), str(a.docs), "{RUN}/out"]), work, a.runs)
        # keep one HF output for (c) and the ids check: rerun once into a fixed folder
        subprocess.run([sys.executable, "-c", HF_E2E, str(tgz), str(a.docs), keep_hf, str(vocab)], check=True,
                       capture_output=True, env=dict(os.environ, HF_DATASETS_CACHE=os.path.join(work, "hf-keep-cache")))
        check = ""
        if ours:
            import datasets

            ours_dir = os.path.join(work, "ours-tokenized")
            p = subprocess.run([sys.executable, "-c", OURS_E2E, str(tgz), str(a.docs), ours_dir], capture_output=True,
                               text=True, env=dict(os.environ, TOKENMILL_CACHE=os.path.join(work, "tm-keep-cache")))
            if p.returncode == 0:
                mine = [list(x) for x in datasets.load_from_disk(ours_dir)[:200]["input_ids"]]
                theirs = [list(x) for x in datasets.load_from_disk(keep_hf)[:200]["input_ids"]]
                if mine != theirs:
                    bad = next(i for i, (x, y) in enumerate(zip(mine, theirs)) if x != y)
                    sys.exit(f"(a): tokenmill's ids differ from HF tokenizers' at row {bad}")
                check = " (ids equal)"
        n = a.docs or 25000
        if "a" in a.only:
            rows.append((f"(a) load IMDB train[:{n}] + tokenize cl100k + save_to_disk{check}", hf, herr, ours, oerr))

        # (b) Python map(batched=True) lowercasing text, on the reviews saved by HF
        src = os.path.join(work, "imdb-text")
        import datasets

        datasets.disable_progress_bars()
        datasets.load_from_disk(keep_hf).remove_columns("input_ids").save_to_disk(src)
        if "b" in a.only:
            (hf_b, herr_b), (ours_b, oerr_b) = run_pair((MAP_LOWER, ["hf", src]), (MAP_LOWER, ["tokenmill", src]),
                                                        work, a.runs)
            if hf_b and ours_b and hf_b["first"] != ours_b["first"]:
                sys.exit(f"(b): outputs differ: {ours_b['first']!r} vs HF {hf_b['first']!r}")
            rows.append((f"(b) map(batched=True) lowercasing text ({n} rows)", hf_b, herr_b, ours_b, oerr_b))

        # (c) iterate with_format("numpy") over the tokenized reviews
        if "c" in a.only:
            (hf_c, herr_c), (ours_c, oerr_c) = run_pair((ITER_NUMPY, ["hf", keep_hf]),
                                                        (ITER_NUMPY, ["tokenmill", keep_hf]), work, a.runs)
            if hf_c and ours_c and hf_c["tokens"] != ours_c["tokens"]:
                sys.exit(f"(c): token counts differ: {ours_c['tokens']} vs HF {hf_c['tokens']}")
            tokens = f", {hf_c['tokens']:,} tokens" if hf_c else ""
            rows.append((f"(c) iterate rows, with_format('numpy') ({n} rows{tokens})", hf_c, herr_c, ours_c, oerr_c))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    lines = [
        f"IMDB train, first {a.docs or 25000} reviews; {a.threads} threads, {os.cpu_count()} cores; "
        f"median of {a.runs} runs, each in a fresh subprocess with empty caches"
        + ("." if a.no_sync else ", after flushing earlier runs' files to disk (os.sync)."),
        f"tokenmill: {tokenmill_build()}",
        "",
        "| task | HF datasets (s) | tokenmill (s) | HF / tokenmill |",
        "|---|---:|---:|---:|",
    ]
    for task, h, herr, o, oerr in rows:
        hs = f"{h['median']:.3f}" if h else f"error: {herr}"
        os_ = f"{o['median']:.3f}" if o else f"error: {oerr}"
        ratio = f"{h['median'] / o['median']:.2f}x" if h and o else "-"
        lines.append(f"| {task} | {hs} | {os_} | {ratio} |")
    lines.append("")
    for task, h, _, o, _ in rows:
        for side, r in (("HF", h), ("tokenmill", o)):
            if r:
                lines.append(f"{task.split(')')[0]}) {side} runs (s): " + " ".join(f"{x:.3f}" for x in sorted(r["all"])))
    text = "\n".join(lines)
    print(text)
    if a.out:
        Path(a.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
