"""`tokenmill dataset tokenize` against tiktoken and HF datasets.

A dataset saved by HF datasets is tokenized by the tokenmill CLI; the output must load in
`datasets.load_from_disk` and hold, per row, exactly tiktoken's `encode_ordinary` ids (plus EOT
with --eot), and packing must cut tiktoken's token stream into equal blocks.

    /work/main/.venv/bin/python -m pytest datasets/tests/python/test_tokenize_tiktoken.py

The binary is $TOKENMILL_BIN, else target/debug/tokenmill or $CARGO_TARGET_DIR/debug/tokenmill
(build it with `cargo build -p tokenmill-cli`); the test is skipped when none exists.
"""
import json
import os
import subprocess
from pathlib import Path

import pytest

datasets = pytest.importorskip("datasets")
tiktoken = pytest.importorskip("tiktoken")

ROOT = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("TOKENMILL_SHARED", ROOT.parent / "shared" / "data"))


def encoding(name):
    """tiktoken's own Encoding, offline: its rank file from the project's data/vocab."""
    import tiktoken.load
    import tiktoken_ext.openai_public as op

    file = {"gpt2": "r50k_base"}.get(name, name)
    op.load_tiktoken_bpe = lambda *_a, **_k: tiktoken.load.load_tiktoken_bpe(str(ROOT / "data" / "vocab" / f"{file}.tiktoken"))
    return tiktoken.Encoding(**getattr(op, file)())  # gpt2 has r50k_base's ranks


def binary():
    """$TOKENMILL_BIN (must exist when set: `make test` sets it), else a release or debug build."""
    if os.environ.get("TOKENMILL_BIN"):
        path = Path(os.environ["TOKENMILL_BIN"])
        assert path.exists(), f"TOKENMILL_BIN={path} does not exist"
        return str(path)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    for c in (target / "release" / "tokenmill", target / "debug" / "tokenmill"):
        if c.exists():
            return str(c)
    pytest.skip("no tokenmill binary: build with `cargo build -p tokenmill-cli` or set TOKENMILL_BIN")


def texts():
    out = []
    conf = SHARED / "conformance"
    if conf.exists():
        for f in sorted(conf.glob("*.jsonl")):
            out += [json.loads(line)["text"] for line in f.open(encoding="utf-8")][:400]
    else:
        print(f"{conf} absent: using built-in sample texts")
        out = ["Hello world", "", "naïve café 東京 🤖", "<|endoftext|> stays text", "x\n\n y"] * 50
    return out


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    d = tmp_path_factory.mktemp("src")
    t = texts()
    datasets.Dataset.from_dict({"text": t, "n": list(range(len(t)))}).save_to_disk(str(d / "ds"))
    return d / "ds", t


@pytest.mark.parametrize("encoding_name", ["cl100k_base", "gpt2"])
def test_ids_equal_tiktoken(saved, tmp_path, encoding_name):
    src, t = saved
    out = tmp_path / "out"
    r = subprocess.run([binary(), "dataset", "tokenize", str(src), "--encoding", encoding_name, "--out", str(out), "--threads", "2", "-q"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "tokens" in r.stdout
    ds = datasets.load_from_disk(str(out))
    assert ds.column_names == ["text", "n", "input_ids"]
    enc = encoding(encoding_name)
    got = ds["input_ids"][:]
    assert len(got) == len(t)
    for i, text in enumerate(t):
        assert got[i] == enc.encode_ordinary(text), (i, text)


def test_packing_equals_tiktoken_stream(saved, tmp_path):
    src, t = saved
    out = tmp_path / "packed"
    r = subprocess.run([binary(), "dataset", "tokenize", str(src), "--encoding", "cl100k_base", "--out", str(out),
                        "--eot", "--block-size", "64", "-q"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    enc = encoding("cl100k_base")
    stream = []
    for text in t:
        stream += enc.encode_ordinary(text) + [enc.eot_token]
    rows = datasets.load_from_disk(str(out))["input_ids"][:]
    assert all(len(r) == 64 for r in rows)
    assert [x for r in rows for x in r] == stream[: len(stream) // 64 * 64]


def test_missing_column_is_one_line_error(saved, tmp_path):
    src, _ = saved
    r = subprocess.run([binary(), "dataset", "tokenize", str(src), "--encoding", "gpt2", "--column", "body", "--out", str(tmp_path / "x")],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and "body" in r.stderr


def test_pipeline_equals_hf_tokenizers_encode_batch(saved, tmp_path):
    """--pipeline on a tokenizer.json: what `tokenizer(batch)` gives in a batched map — the
    post-processor's [CLS]/[SEP], the file's truncation (128) and padding (Fixed 128), per batch."""
    tokenizers = pytest.importorskip("tokenizers")
    minilm = SHARED / "vocab" / "minilm-l6-uncased" / "tokenizer.json"
    if not minilm.exists():
        pytest.skip(f"{minilm} absent (the shared reference data)")
    src, t = saved
    out = tmp_path / "bert"
    r = subprocess.run([binary(), "dataset", "tokenize", str(src), "--tokenizer", str(minilm), "--pipeline",
                        "--attention-mask", "--batch-size", "300", "--out", str(out), "-q"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    ds = datasets.load_from_disk(str(out))
    hf = tokenizers.Tokenizer.from_file(str(minilm))
    want = []
    for i in range(0, len(t), 300):
        want += hf.encode_batch(t[i:i + 300])
    assert ds["input_ids"][:] == [e.ids for e in want]
    assert ds["attention_mask"][:] == [e.attention_mask for e in want]
    assert {len(e.ids) for e in want} == {128}, "the file pads to 128: the test must see padding"


def test_dict_output_is_replaced_whole(tmp_path):
    """A DatasetDict is tokenized into one folder renamed into place: a failing run (a split without
    the column) leaves the previous output as it was."""
    d = tmp_path / "dict"
    datasets.DatasetDict({
        "train": datasets.Dataset.from_dict({"text": ["a b", "c"]}),
        "test": datasets.Dataset.from_dict({"text": ["d"]}),
    }).save_to_disk(str(d))
    out = tmp_path / "tok"
    r = subprocess.run([binary(), "dataset", "tokenize", str(d), "--encoding", "gpt2", "--out", str(out), "-q"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert datasets.load_from_disk(str(out))["test"]["input_ids"][:] == [encoding("gpt2").encode_ordinary("d")]
    bad = tmp_path / "bad"
    datasets.DatasetDict({
        "train": datasets.Dataset.from_dict({"text": ["x"]}),
        "test": datasets.Dataset.from_dict({"body": ["y"]}),
    }).save_to_disk(str(bad))
    r = subprocess.run([binary(), "dataset", "tokenize", str(bad), "--encoding", "gpt2", "--out", str(out), "-q"],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "text" in r.stderr
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == before
    assert datasets.load_from_disk(str(out))["train"]["input_ids"][:] == [encoding("gpt2").encode_ordinary(t) for t in ["a b", "c"]]
