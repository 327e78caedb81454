"""Side-by-side tokenizer throughput: tokenmill vs tiktoken, gigatoken and HF tokenizers.

Every figure comes from this one run, on the same machine, same documents, same thread count.
Each (library, tokenizer, corpus, threads) cell runs in a fresh subprocess (so thread pools and
environment variables cannot leak between libraries), warms up, then times `--runs` passes and
reports the median. Throughput is UTF-8 input bytes per second; ratios are tokenmill / peer.

    python benches/compare.py [--mb 20] [--runs 3] [--corpora enwiki,imdb] [--out FILE.md]

Corpora (from ../shared/data): enwiki = first MB of corpora/enwiki.txt, a paragraph per document;
imdb = the first MB of reviews of aclImdb_v1.tar.gz (train + test), a review per document.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TOKENMILL_SHARED", ROOT.parent / "shared" / "data"))
CACHE = ROOT / "benches" / "results"


def corpus(name: str, mb: int) -> Path:
    """Writes the corpus as JSON Lines once (documents may contain newlines) and returns it."""
    CACHE.mkdir(parents=True, exist_ok=True)
    out = CACHE / f"{name}-{mb}mb.jsonl"
    if out.exists():
        return out
    docs, size = [], 0
    if name == "enwiki":
        with open(SHARED / "corpora" / "enwiki.txt", encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if line:
                    docs.append(line)
                    size += len(line.encode())
                if size >= mb << 20:
                    break
    elif name == "imdb":
        with tarfile.open(SHARED / "imdb" / "aclImdb_v1.tar.gz") as tar:
            for m in tar:
                parts = m.name.split("/")
                if m.isfile() and len(parts) == 4 and parts[1] in ("train", "test") and parts[2] in ("pos", "neg"):
                    text = tar.extractfile(m).read().decode("utf-8")
                    docs.append(text)
                    size += len(text.encode())
                    if size >= mb << 20:
                        break
    else:
        raise SystemExit(f"unknown corpus {name}")
    tmp = out.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    tmp.rename(out)
    return out


# ------------------------------------------------------------------ one measurement (subprocess)

def offline_tiktoken(name):
    import tiktoken
    import tiktoken.load
    import tiktoken_ext.openai_public as op

    op.load_tiktoken_bpe = lambda *_a, **_k: tiktoken.load.load_tiktoken_bpe(str(ROOT / "data" / "vocab" / f"{name}.tiktoken"))
    return tiktoken.Encoding(**getattr(op, name)())


def make_encoder(lib, tok, threads):
    """Returns f(docs) -> list of token lists for one library."""
    if lib == "tokenmill":
        if tok.endswith(".json"):
            import tokenmill

            t = tokenmill.Tokenizer.from_file(tok)
            return lambda docs: [e.ids for e in t.encode_batch(docs, num_threads=threads)]
        import tokenmill.tiktoken as tm

        enc = tm.get_encoding(tok)
        return lambda docs: enc.encode_ordinary_batch(docs, num_threads=threads)
    if lib == "tiktoken":
        enc = offline_tiktoken(tok)
        if threads == 1:
            return lambda docs: [enc.encode_ordinary(d) for d in docs]
        return lambda docs: enc.encode_ordinary_batch(docs, num_threads=threads)
    if lib == "gigatoken":
        import gigatoken

        t = gigatoken.Tokenizer.from_tiktoken(str(ROOT / "data" / "vocab" / f"{tok}.tiktoken"))
        return lambda docs: t.encode_batch_list(docs, parallel=threads > 1)
    if lib == "hf":
        from tokenizers import Tokenizer

        t = Tokenizer.from_file(tok)
        if threads == 1:
            return lambda docs: [t.encode(d).ids for d in docs]
        return lambda docs: [e.ids for e in t.encode_batch(docs)]
    raise SystemExit(f"unknown library {lib}")


def measure(lib, tok, path, threads, runs):
    docs = [json.loads(l) for l in open(path, encoding="utf-8")]
    nbytes = sum(len(d.encode()) for d in docs)
    f = make_encoder(lib, tok, threads)
    out = f(docs[: max(1, len(docs) // 20)])  # warm up (caches, pools)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = f(docs)
        times.append(time.perf_counter() - t0)
    ntok = sum(len(x) for x in out)
    secs = statistics.median(times)
    print(json.dumps({"mbps": nbytes / secs / 1e6, "tokps": ntok / secs, "tokens": ntok, "secs": secs}))


# ------------------------------------------------------------------ driver

def run_cell(lib, tok, path, threads, runs):
    env = dict(os.environ)
    env["RAYON_NUM_THREADS"] = str(threads)  # tokenmill default pool, gigatoken's rayon pool
    env["RAYON_RS_NUM_CPUS"] = str(threads)  # HF tokenizers
    env["TOKENIZERS_PARALLELISM"] = "true" if threads > 1 else "false"
    cmd = [sys.executable, __file__, "--cell", lib, tok, str(path), str(threads), str(runs)]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        return {"error": (p.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--cell":
        lib, tok, path, threads, runs = sys.argv[2:7]
        return measure(lib, tok, path, int(threads), int(runs))
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--corpora", default="enwiki,imdb")
    ap.add_argument("--threads", default=f"1,{os.cpu_count()}")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    if not SHARED.is_dir():
        raise SystemExit(f"benchmarks need {SHARED} (the shared reference data); it is absent")
    gpt2_json = str(SHARED / "vocab" / "gpt2" / "tokenizer.json")
    # (label, tokenmill tokenizer, [(peer lib, peer tokenizer)])
    rows = [
        ("cl100k_base", "cl100k_base", [("tiktoken", "cl100k_base"), ("gigatoken", "cl100k_base")]),
        ("o200k_base", "o200k_base", [("tiktoken", "o200k_base"), ("gigatoken", "o200k_base")]),
        ("r50k_base", "r50k_base", [("tiktoken", "r50k_base"), ("gigatoken", "r50k_base")]),
        ("gpt2 tokenizer.json", gpt2_json, [("hf", gpt2_json)]),
    ]
    lines = [
        f"Median of {args.runs} runs, {args.mb} MB per corpus, {os.cpu_count()} cores; MB/s of UTF-8 input; ratio = tokenmill / peer.",
        "",
        "| corpus | tokenizer | threads | tokenmill MB/s | Mtok/s | peer | peer MB/s | ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)
    ours_by = {}
    for cname in args.corpora.split(","):
        path = corpus(cname, args.mb)
        for label, tok, peers in rows:
            for threads in [int(t) for t in args.threads.split(",")]:
                ours = run_cell("tokenmill", tok, path, threads, args.runs)
                ours_by[(cname, label, threads)] = ours
                for lib, ptok in peers:
                    peer = run_cell(lib, ptok, path, threads, args.runs)
                    if "error" in ours or "error" in peer:
                        row = f"| {cname} | {label} | {threads} | {ours.get('mbps', ours.get('error'))} | | {lib} | {peer.get('mbps', peer.get('error'))} | |"
                    else:
                        same = "" if ours["tokens"] == peer["tokens"] else " (token counts differ!)"
                        row = (
                            f"| {cname} | {label} | {threads} | {ours['mbps']:.1f} | {ours['tokps'] / 1e6:.2f} | {lib} | "
                            f"{peer['mbps']:.1f} | **{ours['mbps'] / peer['mbps']:.2f}×**{same} |"
                        )
                    lines.append(row)
                    print(row, flush=True)
    scaling = []
    for (cname, label, threads), r in ours_by.items():
        one = ours_by.get((cname, label, 1))
        if threads > 1 and one and "mbps" in r and "mbps" in one:
            scaling.append(f"{cname}/{label}: {threads} threads = {r['mbps'] / one['mbps']:.2f}× one thread")
    if scaling:
        lines += ["", "Scaling: " + "; ".join(scaling)]
        print("\n" + lines[-1])
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
