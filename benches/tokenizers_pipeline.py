"""Issue 3 benchmark: single-thread encode_batch throughput of tokenmill.Tokenizer on whole
tokenizer.json pipelines, against its peers measured in the same run.

    python benches/tokenizers_pipeline.py [--mb 4] [--runs 3] [--corpora imdb,enwiki] [--only wordpiece,...]

Groups (each on each corpus, every figure the median of --runs timed passes after one warm-up;
the passes of a group's libraries are interleaved):
  wordpiece  minilm-l6-uncased tokenizer.json: tokenmill (full Encoding, ids-only fast path) vs HF
             tokenizers (encode_batch, encode_batch_fast) vs flash-tokenizer (C++ BERT tokenizer)
  unigram    botchan_en_unigram_1000 tokenizer.json: tokenmill vs HF vs the sentencepiece package
             on the original .model
  bytelevel  gpt2 tokenizer.json: tokenmill vs HF (tiktoken is in benches/compare.py)
Every group also times tokenmill's encode_batch followed by reading each Encoding's ids,
attention mask and offsets (HF's Encoding builds those lists when read too).
All libraries run on one thread (TOKENIZERS_PARALLELISM=false, RAYON_NUM_THREADS=1, num_threads=1,
flash do_multiprocess=False, sentencepiece num_threads=1). Truncation and padding are switched
off everywhere so every library tokenizes every byte. Throughput is UTF-8 input MB/s; tokens/s
counts each library's own output; "vs" is tokenmill's full-Encoding time over the peer's (>1 =
tokenmill faster). Corpora come from ../shared/data (or $TOKENMILL_SHARED): IMDB reviews read
from aclImdb_v1.tar.gz with tarfile at bench time, enwiki paragraphs from corpora/enwiki.txt.
"""

from __future__ import annotations

import os

# single thread for every library: set before any of them is imported (their pools read these)
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ["RAYON_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tarfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TOKENMILL_SHARED", ROOT.parent / "shared" / "data"))
VOCAB = SHARED / "vocab"


def load_corpus(name: str, mb: float) -> list[str]:
    limit, docs, size = int(mb * (1 << 20)), [], 0
    if name == "imdb":
        with tarfile.open(SHARED / "imdb" / "aclImdb_v1.tar.gz") as tar:
            for m in tar:
                parts = m.name.split("/")
                if m.isfile() and len(parts) == 4 and parts[1] in ("train", "test") and parts[2] in ("pos", "neg"):
                    text = tar.extractfile(m).read().decode("utf-8")
                    docs.append(text)
                    size += len(text.encode())
                    if size >= limit:
                        break
    elif name == "enwiki":
        with open(SHARED / "corpora" / "enwiki.txt", encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if line:
                    docs.append(line)
                    size += len(line.encode())
                    if size >= limit:
                        break
    else:
        raise SystemExit(f"unknown corpus {name!r} (imdb, enwiki)")
    return docs


def _hf(path):
    import tokenizers

    t = tokenizers.Tokenizer.from_file(str(path))
    t.no_padding()
    t.no_truncation()
    return t


def _tm(path):
    import tokenmill

    t = tokenmill.Tokenizer.from_file(str(path))
    t.no_padding()
    t.no_truncation()
    return t


def _tm_ids_only(t):
    """tokenmill's ids-only path: `encode_batch_ids` without post-processor specials (so the
    library skips Encoding, strings and offsets entirely; 2 fewer ids per document for BERT)."""
    return lambda docs: t.encode_batch_ids(docs, add_special_tokens=False, num_threads=1)


def _tm_full_read(t):
    """tokenmill's encode_batch, then every Encoding's ids, attention mask and offsets read into
    Python lists (encode_batch returns compact Encodings whose token strings and masks are built
    when read; this row shows what reading the usual fields adds)."""

    def run(docs):
        encs = t.encode_batch(docs, num_threads=1)
        for e in encs:
            e.ids, e.attention_mask, e.offsets
        return encs

    return run


def candidates(group: str):
    """[(library label, encode(docs) -> list of id lists or Encodings)]; tokenmill full first."""
    if group == "wordpiece":
        path = VOCAB / "minilm-l6-uncased" / "tokenizer.json"
        tm, hf = _tm(path), _hf(path)
        from flash_tokenizer import BertTokenizerFlash

        flash = BertTokenizerFlash(str(VOCAB / "minilm-l6-uncased" / "vocab.txt"), do_lower_case=True,
                                   model_max_length=1 << 20)
        return [
            ("tokenmill encode_batch", lambda d: tm.encode_batch(d, num_threads=1)),
            ("tokenmill ids only", _tm_ids_only(tm)),
            ("tokenmill encode_batch + read ids/mask/offsets", _tm_full_read(tm)),
            ("HF tokenizers encode_batch", hf.encode_batch),
            ("HF tokenizers encode_batch_fast", hf.encode_batch_fast),
            ("flash-tokenizer", lambda d: flash.tokenizer.batch_encode(d, "longest", 1 << 20, False)),
        ]
    if group == "unigram":
        import sentencepiece as spm

        path = VOCAB / "sentencepiece" / "botchan_en_unigram_1000.tokenizer.json"
        tm, hf = _tm(path), _hf(path)
        sp = spm.SentencePieceProcessor(model_file=str(VOCAB / "sentencepiece" / "botchan_en_unigram_1000.model"))
        return [
            ("tokenmill encode_batch", lambda d: tm.encode_batch(d, num_threads=1)),
            ("tokenmill ids only", _tm_ids_only(tm)),
            ("tokenmill encode_batch + read ids/mask/offsets", _tm_full_read(tm)),
            ("HF tokenizers encode_batch", hf.encode_batch),
            ("HF tokenizers encode_batch_fast", hf.encode_batch_fast),
            ("sentencepiece", lambda d: sp.encode(d, num_threads=1)),
        ]
    if group == "bytelevel":
        path = VOCAB / "gpt2" / "tokenizer.json"
        tm, hf = _tm(path), _hf(path)
        return [
            ("tokenmill encode_batch", lambda d: tm.encode_batch(d, num_threads=1)),
            ("tokenmill ids only", _tm_ids_only(tm)),
            ("tokenmill encode_batch + read ids/mask/offsets", _tm_full_read(tm)),
            ("HF tokenizers encode_batch", hf.encode_batch),
            ("HF tokenizers encode_batch_fast", hf.encode_batch_fast),
        ]
    raise SystemExit(f"unknown group {group!r}")


def n_tokens(out) -> int:
    return sum(len(x.ids) if hasattr(x, "ids") else len(x) for x in out)


def measure(cands, docs, runs: int):
    """{label: (median seconds, tokens)} for every candidate. The timed passes go round the
    candidates in turn (pass 1 of each, then pass 2 of each, ...), so a slow spell of the machine
    falls on all of them alike instead of on whichever ran then. Each round starts one candidate
    later, so none always runs right after the same one (whose memory traffic leaves the CPU
    caches cold for whatever runs next)."""
    for _, fn in cands:
        fn(docs[: max(1, len(docs) // 20)])  # warm-up: caches, lazy tables, allocator
    times = {label: [] for label, _ in cands}
    tokens = {}
    for r in range(runs):
        k = r % len(cands)
        for label, fn in cands[k:] + cands[:k]:
            t0 = time.perf_counter()
            out = fn(docs)
            times[label].append(time.perf_counter() - t0)
            tokens[label] = n_tokens(out)  # counted outside the timed region
            del out
    return {label: (statistics.median(times[label]), tokens[label]) for label, _ in cands}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=4.0, help="MB of each corpus (default 4)")
    ap.add_argument("--runs", type=int, default=3, help="timed passes per cell; the median is reported")
    ap.add_argument("--corpora", default="imdb,enwiki")
    ap.add_argument("--only", default="wordpiece,unigram,bytelevel", help="groups to run")
    ap.add_argument("--out", help="also write the markdown table here")
    args = ap.parse_args(argv)
    if not SHARED.exists():
        print(f"shared data {SHARED} absent: set TOKENMILL_SHARED", file=sys.stderr)
        return 2

    lines = [
        f"Single-thread encode_batch, median of {args.runs} runs, {args.mb:g} MB per corpus "
        f"(python {sys.version.split()[0]}).",
        "",
        "| group | corpus | library | MB/s | Mtokens/s | tokenmill encode_batch vs this |",
        "|---|---|---|---:|---:|---:|",
    ]
    for corpus_name in args.corpora.split(","):
        docs = load_corpus(corpus_name, args.mb)
        nbytes = sum(len(d.encode()) for d in docs)
        for group in args.only.split(","):
            cands = candidates(group)
            results = measure(cands, docs, args.runs)
            ours_time = results["tokenmill encode_batch"][0]
            for label, _ in cands:
                secs, tokens = results[label]
                ratio = "" if label == "tokenmill encode_batch" else f"{secs / ours_time:.2f}x"
                row = (f"| {group} | {corpus_name} | {label} | {nbytes / secs / 1e6:.1f} | "
                       f"{tokens / secs / 1e6:.2f} | {ratio} |")
                print(row, file=sys.stderr, flush=True)
                lines.append(row)
    table = "\n".join(lines)
    print(table)
    if args.out:
        Path(args.out).write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
