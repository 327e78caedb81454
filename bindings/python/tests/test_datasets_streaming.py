"""IterableDataset (load_dataset(..., streaming=True), Dataset.to_iterable_dataset) against HF
datasets 5.2 and against the non-streaming rows: iteration, map, filter, take, skip, shuffle (a
permutation, deterministic per seed), batch, state_dict / load_state_dict resume."""

from __future__ import annotations

import pytest

from datasets_compare import known_gaps  # noqa: F401 (autouse fixture)
from datasets_compare import assert_rows_equal, hf, hf_imdb, sample, small_dict, tm

SOURCES = [
    ("json", "records.jsonl", {}),
    ("json", "records.jsonl.gz", {}),
    ("csv", "people.csv", {}),
    ("text", "lines.txt", {}),
    ("parquet", "table.parquet", {}),
]


@pytest.mark.parametrize("fmt,name,kw", SOURCES, ids=[n for _, n, _ in SOURCES])
def test_streaming_rows_equal_non_streaming(fmt, name, kw):
    f = sample(name)
    it = tm.load_dataset(fmt, data_files=f, split="train", streaming=True, **kw)
    assert type(it).__name__ == "IterableDataset"
    full = tm.load_dataset(fmt, data_files=f, split="train", **kw)
    theirs = hf.load_dataset(fmt, data_files=f, split="train", streaming=True, **kw)
    assert_rows_equal(list(it), full.to_list(), f"streaming {name} vs non-streaming")
    assert_rows_equal(list(it), list(theirs), f"streaming {name} vs HF streaming")


def test_streaming_dataset_dict():
    f = sample("records.jsonl")
    ours = tm.load_dataset("json", data_files={"train": f, "test": f}, streaming=True)
    theirs = hf.load_dataset("json", data_files={"train": f, "test": f}, streaming=True)
    assert type(ours).__name__ == "IterableDatasetDict"
    assert list(ours) == list(theirs)
    for k in theirs:
        assert_rows_equal(list(ours[k]), list(theirs[k]), k)


def test_streaming_imdb_tiny():
    f = sample("tiny_aclImdb_v1.tar.gz")
    it = tm.load_dataset("imdb", data_files=f, split="train", streaming=True)
    assert_rows_equal(list(it), hf_imdb(f, "train").to_list(), "imdb streaming")


def pair(n=30):
    d = small_dict(n)
    return (tm.Dataset.from_dict(d).to_iterable_dataset(num_shards=3),
            hf.Dataset.from_dict(d).to_iterable_dataset(num_shards=3))


OPS = {
    "iter": lambda it: it,
    "map": lambda it: it.map(lambda r: {"n": len(r["text"])}),
    "map_batched": lambda it: it.map(lambda b: {"text": [t.upper() for t in b["text"]]}, batched=True, batch_size=4),
    "map_with_indices": lambda it: it.map(lambda r, i: {"i": i}, with_indices=True),
    "map_remove_columns": lambda it: it.map(lambda r: {"n": r["id"] * 2}, remove_columns=["text", "score"]),
    "filter": lambda it: it.filter(lambda r: r["label"] == 1),
    "filter_batched": lambda it: it.filter(lambda b: [i % 4 == 0 for i in b["id"]], batched=True, batch_size=5),
    "take": lambda it: it.take(7),
    "skip": lambda it: it.skip(25),
    "skip_take": lambda it: it.skip(3).take(4),
    "batch": lambda it: it.batch(batch_size=8),
    "batch_drop_last": lambda it: it.batch(batch_size=8, drop_last_batch=True),
    "rename_column": lambda it: it.rename_column("text", "t"),
    "remove_columns": lambda it: it.remove_columns(["score"]),
    "select_columns": lambda it: it.select_columns(["id", "label"]),
    "cast_column": lambda it: it.cast_column("label", hf.Value("int32")),
}


@pytest.mark.parametrize("name", list(OPS))
def test_iterable_op(name):
    ours, theirs = pair()
    assert_rows_equal(list(OPS[name](ours)), list(OPS[name](theirs)), name)


def test_iterable_features_and_column_names():
    ours, theirs = pair()
    assert ours.column_names == theirs.column_names
    assert ours.features.to_dict() == theirs.features.to_dict()
    assert ours.num_shards == theirs.num_shards


@pytest.mark.parametrize("seed,buffer", [(0, 5), (42, 100), (7, 1)])
def test_iterable_shuffle_is_a_permutation(seed, buffer):
    ours, _ = pair()
    rows = list(ours)
    a = list(ours.shuffle(seed=seed, buffer_size=buffer))
    b = list(ours.shuffle(seed=seed, buffer_size=buffer))
    assert sorted(r["id"] for r in a) == [r["id"] for r in rows]
    assert a == b, "the same seed gives the same order"
    if buffer > 1:
        assert [r["id"] for r in a] != [r["id"] for r in rows]
    # set_epoch changes the order, deterministically
    s = ours.shuffle(seed=seed, buffer_size=buffer)
    s.set_epoch(1)
    c = list(s)
    assert sorted(r["id"] for r in c) == [r["id"] for r in rows]


def test_concatenate_and_interleave_iterable():
    d1, d2 = small_dict(6), small_dict(4)
    ours = [tm.Dataset.from_dict(d).to_iterable_dataset() for d in (d1, d2)]
    theirs = [hf.Dataset.from_dict(d).to_iterable_dataset() for d in (d1, d2)]
    assert_rows_equal(list(tm.concatenate_datasets(ours)), list(hf.concatenate_datasets(theirs)), "concatenate")
    assert_rows_equal(list(tm.interleave_datasets(ours)), list(hf.interleave_datasets(theirs)), "interleave")


@pytest.mark.parametrize("stop_at", [1, 11, 29])
def test_state_dict_resumes_at_the_same_row(stop_at):
    ours, theirs = pair()
    rows = list(ours)
    for it, who in ((ours, "tokenmill"), (theirs, "HF")):
        seen = []
        state = it.state_dict()
        for r in it:
            if len(seen) == stop_at:
                break
            seen.append(r)
            state = it.state_dict()
        it.load_state_dict(state)
        rest = list(it)
        assert seen + rest == rows, f"{who}: resuming after {stop_at} rows"


def test_state_dict_streaming_json_file():
    f = sample("records.jsonl")
    it = tm.load_dataset("json", data_files=f, split="train", streaming=True)
    rows = list(it)
    g = iter(it)
    first = next(g)
    state = it.state_dict()
    it.load_state_dict(state)
    assert [first] + list(it) == rows


def test_streaming_map_filter_then_resume():
    f = sample("tiny_aclImdb_v1.tar.gz")
    it = tm.load_dataset("imdb", data_files=f, split="train", streaming=True)
    it = it.map(lambda r: {"n": len(r["text"])}).filter(lambda r: r["n"] > 0)
    rows = list(it)
    expect = [dict(r, n=len(r["text"])) for r in hf_imdb(f, "train").to_list()]
    assert rows == expect
    g = iter(it)
    first = next(g)
    state = it.state_dict()
    it.load_state_dict(state)
    assert [first] + list(it) == rows


def _gen(n):
    for i in range(n):
        yield {"i": i, "s": f"s{i}"}


def test_iterable_from_generator():
    ours = tm.IterableDataset.from_generator(_gen, gen_kwargs={"n": 9})
    theirs = hf.IterableDataset.from_generator(_gen, gen_kwargs={"n": 9})
    assert_rows_equal(list(ours), list(theirs))
    assert_rows_equal(list(ours.map(lambda r: {"j": r["i"] * 3}).take(4)), list(theirs.map(lambda r: {"j": r["i"] * 3}).take(4)))


def test_interleave_iterable_with_probabilities():
    parts = [small_dict(n) for n in (6, 10)]
    ours = [tm.Dataset.from_dict(p).to_iterable_dataset() for p in parts]
    theirs = [hf.Dataset.from_dict(p).to_iterable_dataset() for p in parts]
    kw = {"probabilities": [0.3, 0.7], "seed": 42}
    assert_rows_equal(list(tm.interleave_datasets(ours, **kw)), list(hf.interleave_datasets(theirs, **kw)), "interleave p")


def test_iterable_dataset_dict_map():
    f = sample("records.jsonl")
    ours = tm.load_dataset("json", data_files={"a": f, "b": f}, streaming=True).map(lambda r: {"k": r["id"] + 1})
    theirs = hf.load_dataset("json", data_files={"a": f, "b": f}, streaming=True).map(lambda r: {"k": r["id"] + 1})
    for k in ("a", "b"):
        assert_rows_equal(list(ours[k]), list(theirs[k]), k)


def _plus_one(r):
    return {"n": r["id"] + 1}


def _labelled(r):
    return r["label"] != 0


def test_iterable_pickles():
    import pickle

    ours, _ = pair()
    it = ours.map(_plus_one).filter(_labelled)
    assert list(pickle.loads(pickle.dumps(it))) == list(it)


def test_iterable_torch_dataloader_workers():
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader

    d = {"ids": [[i, i + 1] for i in range(40)], "label": [i % 2 for i in range(40)]}
    ours = tm.Dataset.from_dict(d).to_iterable_dataset(num_shards=4).with_format("torch")
    theirs = hf.Dataset.from_dict(d).to_iterable_dataset(num_shards=4).with_format("torch")
    assert isinstance(ours, torch.utils.data.IterableDataset)
    a = list(DataLoader(ours, batch_size=5, num_workers=2))
    b = list(DataLoader(theirs, batch_size=5, num_workers=2))
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert torch.equal(x["ids"], y["ids"]) and torch.equal(x["label"], y["label"])


def test_streaming_imdb_real_first_rows():
    from datasets_compare import imdb_rows, shared

    f = shared("imdb/aclImdb_v1.tar.gz")
    it = tm.load_dataset("imdb", data_files=f, split="test", streaming=True)
    got = list(it.take(1000))
    assert got == list(imdb_rows(f, "test", limit=1000))


MORE_OPS = {
    "take_beyond": lambda it: it.take(1000),
    "skip_beyond": lambda it: it.skip(1000),
    "take_zero": lambda it: it.take(0),
    "map_then_batch": lambda it: it.map(lambda r: {"n": r["id"] % 4}).batch(7),
    "filter_then_skip_take": lambda it: it.filter(lambda r: r["id"] % 3 == 0).skip(2).take(3),
    "map_batched_grow": lambda it: it.map(lambda b: {"w": [w for t in b["text"] for w in t.split()]},
                                          batched=True, batch_size=3, remove_columns=["id", "text", "label", "score"]),
    "rename_then_map": lambda it: it.rename_columns({"text": "t"}).map(lambda r: {"l": len(r["t"])}),
}


@pytest.mark.parametrize("name", list(MORE_OPS))
def test_iterable_more_ops(name):
    ours, theirs = pair()
    assert_rows_equal(list(MORE_OPS[name](ours)), list(MORE_OPS[name](theirs)), name)


def test_iterable_iter_batches_and_numpy_format():
    ours, theirs = pair()
    a = list(ours.iter(batch_size=8))
    b = list(theirs.iter(batch_size=8))
    assert a == b
    a = list(ours.select_columns(["id", "label"]).with_format("numpy"))
    b = list(theirs.select_columns(["id", "label"]).with_format("numpy"))
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert list(x) == list(y)
        for k in y:
            assert type(x[k]) is type(y[k]) and x[k] == y[k], (k, x[k], y[k])


def test_streaming_array_xd_features(tmp_path):
    """load_dataset(features=) with Array2D in streaming mode: the same extension-typed features,
    rows and numpy rows as HF (the loader reads the column as nested lists; a cast step types it)."""
    import json

    p = tmp_path / "grid.jsonl"
    p.write_text("".join(json.dumps({"x": [[i, i + 1], [i + 2, i + 3]], "y": i}) + "\n" for i in range(3)))
    got = {}
    for lib in (tm, hf):
        feats = lib.Features({"x": lib.Array2D((2, 2), "int32"), "y": lib.Value("int64")})
        it = lib.load_dataset("json", data_files=str(p), split="train", features=feats, streaming=True)
        numpy_rows = list(it.with_format("numpy"))
        got[lib] = (repr(it.features), list(it), [(r["x"].shape, str(r["x"].dtype), r["x"].tolist()) for r in numpy_rows])
    assert "Array2D(shape=(2, 2), dtype='int32')" in got[tm][0]
    assert got[tm] == got[hf]
