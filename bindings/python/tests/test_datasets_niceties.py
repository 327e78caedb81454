"""Notebook niceties: repr(ds) equals HF's repr (Dataset, DatasetDict, IterableDataset, Features);
_repr_html_ shows the schema, row count and first rows, HTML-escaped; disable_progress_bars()
silences progress output on stderr."""

from __future__ import annotations

import html

import pytest

from datasets_compare import known_gaps  # noqa: F401 (autouse fixture)
from datasets_compare import hf, needs_tokenmill, pair_from_dict, sample, small_dict, tm


def test_repr_dataset():
    ours, theirs = pair_from_dict()
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)
    assert repr(ours.select_columns(["text"])) == repr(theirs.select_columns(["text"]))
    assert repr(ours.select([])) == repr(theirs.select([]))


def test_repr_dataset_dict():
    ours = tm.load_dataset("csv", data_files={"train": sample("people.csv"), "test": sample("people.csv")})
    theirs = hf.load_dataset("csv", data_files={"train": sample("people.csv"), "test": sample("people.csv")})
    assert repr(ours) == repr(theirs)


def test_repr_iterable_dataset():
    d = small_dict(5)
    assert repr(tm.Dataset.from_dict(d).to_iterable_dataset()) == repr(hf.Dataset.from_dict(d).to_iterable_dataset())


def test_repr_features():
    ours, theirs = pair_from_dict()
    assert repr(ours.features) == repr(theirs.features)
    ours = ours.cast_column("label", hf.ClassLabel(names=["a", "b", "c"]))
    theirs = theirs.cast_column("label", hf.ClassLabel(names=["a", "b", "c"]))
    assert repr(ours.features) == repr(theirs.features)


@needs_tokenmill("HF datasets has no _repr_html_")
def test_repr_html():
    d = {"id": [1, 2, 3, 4, 5, 6], "text": ["<b>bold</b> & co", "plain", "x", "y", "z", "last"], "label": [0, 1, 0, 1, 0, 1]}
    ds = tm.Dataset.from_dict(d)
    out = ds._repr_html_()
    assert isinstance(out, str) and out.strip()
    # schema: column names and their types
    for col in ("id", "text", "label"):
        assert col in out
    assert "int64" in out and "string" in out
    # row count
    assert "6" in out
    # first rows, escaped
    assert html.escape("<b>bold</b> & co") in out
    assert "<b>bold</b>" not in out, "cell values must be HTML-escaped"
    assert "plain" in out


@needs_tokenmill("HF datasets has no _repr_html_")
def test_repr_html_dataset_dict():
    dd = tm.DatasetDict(train=tm.Dataset.from_dict({"t": ["<i>a</i>"]}), test=tm.Dataset.from_dict({"t": ["b"]}))
    out = dd._repr_html_() if hasattr(dd, "_repr_html_") else pytest.fail("DatasetDict has no _repr_html_")
    assert "train" in out and "test" in out
    assert html.escape("<i>a</i>") in out and "<i>a</i>" not in out


def _run_map(lib):
    ds = lib.Dataset.from_dict({"x": list(range(2000))})
    ds.map(lambda b: {"y": [v * 2 for v in b["x"]]}, batched=True)
    ds.filter(lambda r: r["x"] % 2 == 0)


@pytest.mark.parametrize("side", ["tokenmill", "hf"])
def test_disable_progress_bars(capfd, side):
    lib = tm if side == "tokenmill" else hf
    try:
        lib.enable_progress_bars()
        assert lib.is_progress_bar_enabled() if hasattr(lib, "is_progress_bar_enabled") else True
        capfd.readouterr()
        _run_map(lib)
        err = capfd.readouterr().err
        assert "Map" in err, f"{side}: with progress bars enabled, map should show one on stderr: {err!r}"
        lib.disable_progress_bars()
        _run_map(lib)
        out = capfd.readouterr()
        assert out.err == "", f"{side}: progress output after disable_progress_bars(): {out.err!r}"
        assert out.out == ""
    finally:
        lib.disable_progress_bars()


def test_disable_progress_bars_load(capfd, tmp_path):
    tm.disable_progress_bars()
    capfd.readouterr()
    tm.load_dataset("json", data_files=sample("records.jsonl"), split="train")
    ds = tm.Dataset.from_dict(small_dict(50))
    ds.save_to_disk(str(tmp_path / "x"))
    tm.load_from_disk(str(tmp_path / "x")).map(lambda r: {"n": 1})
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize("fmt,name", [("json", "records.jsonl"), ("csv", "people.csv"), ("parquet", "table.parquet")])
def test_repr_streaming_load(fmt, name):
    f = sample(name)
    ours = tm.load_dataset(fmt, data_files=f, split="train", streaming=True)
    theirs = hf.load_dataset(fmt, data_files=f, split="train", streaming=True)
    assert repr(ours) == repr(theirs)
    assert repr(tm.load_dataset(fmt, data_files=f, streaming=True)) == repr(hf.load_dataset(fmt, data_files=f, streaming=True))


@needs_tokenmill("tokenize/pack are tokenmill-only")
def test_progress_bars_tokenize_and_pack(capfd):
    import tokenmill.tiktoken as tt

    enc = tt.get_encoding("cl100k_base")
    ds = tm.Dataset.from_dict({"text": ["some text"] * 3000})
    try:
        tm.enable_progress_bars()
        capfd.readouterr()
        ds.tokenize(enc).pack(16, eot=enc.eot_token)
        err = capfd.readouterr().err
        assert "Tokenizing" in err and "Packing" in err, err
        tm.disable_progress_bars()
        ds.tokenize(enc, max_length=3).pack(8)
        assert capfd.readouterr().err == ""
    finally:
        tm.disable_progress_bars()


@needs_tokenmill("HF datasets has no __arrow_c_stream__")
def test_polars_and_pyarrow_read_the_dataset_directly():
    import polars as pl
    import pyarrow as pa

    ours, theirs = pair_from_dict()
    df = pl.DataFrame(ours)
    assert df.to_dicts() == theirs.to_list()
    rbr = pa.RecordBatchReader.from_stream(ours)
    assert rbr.read_all().to_pylist() == theirs.to_list()
