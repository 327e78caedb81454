"""load_dataset for the packaged formats (csv/tsv/json/jsonl(.gz)/parquet/text/arrow) and the imdb /
squad loaders, whole DatasetDicts and single (sliced) splits, against HF datasets 5.2."""

from __future__ import annotations

import pytest

from datasets_compare import known_gaps  # noqa: F401 (autouse fixture)
from datasets_compare import (
    assert_rows_equal,
    assert_same_dataset,
    assert_same_dict,
    hf,
    hf_imdb,
    hf_slice,
    hf_squad,
    imdb_features,
    imdb_rows,
    sample,
    shared,
    tm,
)

# (format, sample file, loader kwargs)
PACKAGED = [
    ("csv", "people.csv", {}),
    ("csv", "people.tsv", {"sep": "\t"}),
    ("json", "records.jsonl", {}),
    ("json", "records.jsonl.gz", {}),
    ("json", "document.json", {"field": "data"}),
    ("text", "lines.txt", {}),
    ("text", "lines.txt", {"keep_linebreaks": True}),
    ("text", "lines.txt", {"sample_by": "paragraph"}),
    ("text", "lines.txt", {"sample_by": "document"}),
    ("parquet", "table.parquet", {}),
]
IDS = [f"{f}-{n}-{'-'.join(map(str, kw.values())) or 'default'}" for f, n, kw in PACKAGED]


@pytest.mark.parametrize("fmt,name,kw", PACKAGED, ids=IDS)
def test_packaged_split(fmt, name, kw):
    f = sample(name)
    ours = tm.load_dataset(fmt, data_files=f, split="train", **kw)
    theirs = hf.load_dataset(fmt, data_files=f, split="train", **kw)
    assert_same_dataset(ours, theirs, what=f"load_dataset({fmt!r}, {name})")


@pytest.mark.parametrize("fmt,name,kw", PACKAGED[:6], ids=IDS[:6])
def test_packaged_dataset_dict(fmt, name, kw):
    f = sample(name)
    ours = tm.load_dataset(fmt, data_files=f, **kw)
    theirs = hf.load_dataset(fmt, data_files=f, **kw)
    assert_same_dict(ours, theirs, what=f"load_dataset({fmt!r}, {name})")


def test_data_files_dict_one_split():
    f = sample("people.csv")
    assert_same_dataset(
        tm.load_dataset("csv", data_files={"train": f}, split="train"),
        hf.load_dataset("csv", data_files={"train": f}, split="train"),
    )


def test_named_splits_from_data_files_dict():
    files = {"train": sample("records.jsonl"), "test": sample("records.jsonl.gz")}
    ours = tm.load_dataset("json", data_files=files)
    theirs = hf.load_dataset("json", data_files=files)
    assert_same_dict(ours, theirs)


@pytest.mark.parametrize("spec", ["train[:2]", "train[1:]", "train[:50%]", "train[-2:]", "train[20%:80%]", "train[:1]+train[-1:]"])
def test_split_slicing(spec):
    f = sample("people.csv")
    ours = tm.load_dataset("csv", data_files=f, split=spec)
    theirs = hf.load_dataset("csv", data_files=f, split=spec)
    assert_same_dataset(ours, theirs, what=spec)


def test_arrow_files(tmp_path):
    hf.Dataset.from_dict({"a": [1, 2, 3, 4], "b": ["w", "x", None, "z"]}).save_to_disk(str(tmp_path / "src"))
    arrow = sorted((tmp_path / "src").glob("*.arrow"))
    assert arrow
    files = [str(p) for p in arrow]
    ours = tm.load_dataset("arrow", data_files=files, split="train")
    theirs = hf.load_dataset("arrow", data_files=files, split="train")
    assert_same_dataset(ours, theirs)


def test_load_dataset_with_features_cast():
    f = sample("people.tsv")
    feats = hf.Features({"id": hf.Value("int32"), "text": hf.Value("string")})
    ours = tm.load_dataset("csv", data_files=f, sep="\t", split="train", features=feats)
    theirs = hf.load_dataset("csv", data_files=f, sep="\t", split="train", features=feats)
    assert_same_dataset(ours, theirs)


# ---------------------------------------------------------------- imdb / squad (tiny samples)


def test_imdb_tiny_dataset_dict():
    f = sample("tiny_aclImdb_v1.tar.gz")
    ours = tm.load_dataset("imdb", data_files=f)
    assert_same_dict(ours, hf_imdb(f), what="imdb")


@pytest.mark.parametrize("split", ["train", "test", "unsupervised", "train[:34%]", "train[1:]"])
def test_imdb_tiny_split(split):
    f = sample("tiny_aclImdb_v1.tar.gz")
    ours = tm.load_dataset("imdb", data_files=f, split=split)
    theirs = hf_slice(hf_imdb(f, split.split("[")[0]), split)
    assert_same_dataset(ours, theirs, what=f"imdb {split}")


def test_imdb_label_names():
    ours = tm.load_dataset("imdb", data_files=sample("tiny_aclImdb_v1.tar.gz"), split="train")
    assert ours.features["label"].names == ["neg", "pos"]
    assert ours.features["label"].int2str(1) == "pos"


def test_squad_tiny():
    f = sample("tiny_squad.json")
    ours = tm.load_dataset("squad", data_files=f, split="train")
    assert_same_dataset(ours, hf_squad(f), what="squad")


# ---------------------------------------------------------------- real data (shared/, optional)


def test_squad_v1_dev_sliced():
    f = shared("squad/dev-v1.1.json")
    ours = tm.load_dataset("squad", data_files={"validation": f}, split="validation[:10%]")
    full = hf_squad(f)
    assert full.num_rows == 10570
    assert_same_dataset(ours, hf_slice(full, "validation[:10%]"), what="squad v1.1 validation[:10%]")


def test_squad_v2_dev_whole():
    f = shared("squad/dev-v2.0.json")
    ours = tm.load_dataset("squad", data_files=f, split="train")
    assert ours.num_rows == 11873
    theirs = hf_squad(f)
    assert_same_dataset(ours, theirs, what="squad v2.0 dev")


def test_imdb_real_test_slice():
    f = shared("imdb/aclImdb_v1.tar.gz")
    ours = tm.load_dataset("imdb", data_files=f, split="test[:10%]")
    # the test split comes first in the archive: its first 2,500 rows are quick to read
    rows = list(imdb_rows(f, "test", limit=2500))
    theirs = hf.Dataset.from_list(rows, features=imdb_features())
    assert_same_dataset(ours, theirs, what="imdb test[:10%]")


def test_imdb_real_row_counts():
    f = shared("imdb/aclImdb_v1.tar.gz")
    dd = tm.load_dataset("imdb", data_files=f)
    assert dict(dd.num_rows) == {"train": 25000, "test": 25000, "unsupervised": 50000}
    assert set(dd["unsupervised"].unique("label")) == {-1}
    assert sorted(dd["train"].unique("label")) == [0, 1]


def test_load_is_cached_second_call_same_rows():
    f = sample("records.jsonl")
    a = tm.load_dataset("json", data_files=f, split="train")
    b = tm.load_dataset("json", data_files=f, split="train")
    assert_rows_equal(a.to_list(), b.to_list())
    assert a._fingerprint == b._fingerprint
    assert_rows_equal(a.to_list(), list(hf.load_dataset("json", data_files=f, split="train")))


def test_data_files_list_and_glob(tmp_path):
    import shutil

    for i in range(3):
        shutil.copy(sample("records.jsonl"), tmp_path / f"part-{i}.jsonl")
    files = [str(tmp_path / f"part-{i}.jsonl") for i in range(3)]
    assert_same_dataset(
        tm.load_dataset("json", data_files=files, split="train"),
        hf.load_dataset("json", data_files=files, split="train"),
        what="list of files",
    )
    pattern = str(tmp_path / "part-*.jsonl")
    assert_same_dataset(
        tm.load_dataset("json", data_files=pattern, split="train"),
        hf.load_dataset("json", data_files=pattern, split="train"),
        what="glob",
    )
    assert_same_dict(
        tm.load_dataset("json", data_files={"train": files[:2], "test": files[2]}),
        hf.load_dataset("json", data_files={"train": files[:2], "test": files[2]}),
    )


def test_data_dir(tmp_path):
    import shutil

    shutil.copy(sample("people.csv"), tmp_path / "a.csv")
    shutil.copy(sample("people.csv"), tmp_path / "b.csv")
    assert_same_dict(tm.load_dataset("csv", data_dir=str(tmp_path)), hf.load_dataset("csv", data_dir=str(tmp_path)))


@pytest.mark.parametrize("method,name,kw", [
    ("from_csv", "people.csv", {}),
    ("from_json", "records.jsonl", {}),
    ("from_parquet", "table.parquet", {}),
    ("from_text", "lines.txt", {}),
    ("from_text", "lines.txt", {"keep_linebreaks": True}),
])
def test_dataset_from_file_classmethods(method, name, kw):
    f = sample(name)
    assert_same_dataset(getattr(tm.Dataset, method)(f, **kw), getattr(hf.Dataset, method)(f, **kw), what=method)


def test_json_array_document(tmp_path):
    import json

    f = tmp_path / "array.json"
    f.write_text(json.dumps([{"a": 1, "b": "x"}, {"a": 2, "b": None}, {"a": 3}]))
    assert_same_dataset(
        tm.load_dataset("json", data_files=str(f), split="train"),
        hf.load_dataset("json", data_files=str(f), split="train"),
    )


@pytest.mark.parametrize("codec", ["gz", "bz2", "xz"])
@pytest.mark.parametrize("fmt,name", [("json", "records.jsonl"), ("csv", "people.csv"), ("text", "lines.txt")])
def test_compressed_inputs(tmp_path, codec, fmt, name):
    import bz2
    import gzip
    import lzma

    raw = open(sample(name), "rb").read()
    comp = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[codec](raw)
    f = tmp_path / f"{name}.{codec}"
    f.write_bytes(comp)
    assert_same_dataset(
        tm.load_dataset(fmt, data_files=str(f), split="train"),
        hf.load_dataset(fmt, data_files=str(f), split="train"),
        what=f"{name}.{codec}",
    )


def test_load_cache_invalidated_when_the_file_changes(tmp_path):
    import os
    import time

    f = tmp_path / "data.jsonl"
    f.write_text('{"a": 1}\n{"a": 2}\n')
    first = tm.load_dataset("json", data_files=str(f), split="train")
    assert first["a"][:] == [1, 2]
    time.sleep(0.01)
    f.write_text('{"a": 7}\n{"a": 8}\n{"a": 9}\n')
    os.utime(f, (time.time() + 5, time.time() + 5))
    second = tm.load_dataset("json", data_files=str(f), split="train")
    assert second["a"][:] == [7, 8, 9]
    assert hf.load_dataset("json", data_files=str(f), split="train")["a"][:] == [7, 8, 9]
    # same size, new content and mtime: still reloaded
    f.write_text('{"a": 5}\n{"a": 6}\n{"a": 4}\n')
    os.utime(f, (time.time() + 10, time.time() + 10))
    assert tm.load_dataset("json", data_files=str(f), split="train")["a"][:] == [5, 6, 4]
