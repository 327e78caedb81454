"""Dataset / DatasetDict table operations and constructors against HF datasets 5.2: select, sort,
unique, shuffle / train_test_split / shard (same seeds, same order), column operations, cast,
flatten, add_column, concatenate / interleave, take / skip, from_* constructors."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from datasets_compare import known_gaps  # noqa: F401 (autouse fixture)
from datasets_compare import (
    assert_same_dataset,
    assert_same_dict,
    hf,
    hf_squad,
    pair_from_dict,
    sample,
    small_dict,
    tm,
)


def both(fn, d=None):
    ours, theirs = pair_from_dict(d)
    return fn(ours), fn(theirs)


OPS = {
    "select_range": lambda ds: ds.select(range(5, 15)),
    "select_list": lambda ds: ds.select([3, 1, 4, 1, 5, 9, 2, 6]),
    "select_then_select": lambda ds: ds.select(range(10, 30)).select([5, 0, 19]),
    "sort": lambda ds: ds.sort("label"),
    "sort_desc": lambda ds: ds.sort("label", reverse=True),
    "sort_two_keys": lambda ds: ds.sort(["label", "text"], reverse=[False, True]),
    "sort_nulls_first": lambda ds: ds.sort("score", null_placement="at_start"),
    "shuffle_seed": lambda ds: ds.shuffle(seed=42),
    "shuffle_generator": lambda ds: ds.shuffle(generator=__import__("numpy").random.default_rng(7)),
    "shuffle_then_sort": lambda ds: ds.shuffle(seed=1).sort("label"),
    "shard_contiguous": lambda ds: ds.shard(num_shards=3, index=1),
    "shard_strided": lambda ds: ds.shard(num_shards=3, index=2, contiguous=False),
    "rename_column": lambda ds: ds.rename_column("text", "sentence"),
    "rename_columns": lambda ds: ds.rename_columns({"text": "t", "label": "y"}),
    "remove_columns": lambda ds: ds.remove_columns(["score", "id"]),
    "remove_column_str": lambda ds: ds.remove_columns("score"),
    "select_columns": lambda ds: ds.select_columns(["label", "text"]),
    "cast_column_int32": lambda ds: ds.cast_column("label", hf.Value("int32")),
    "cast_column_classlabel": lambda ds: ds.cast_column("label", hf.ClassLabel(names=["a", "b", "c"])),
    "cast_features": lambda ds: ds.cast(hf.Features({"id": hf.Value("int64"), "text": hf.Value("large_string"),
                                                     "label": hf.Value("int8"), "score": hf.Value("float32")})),
    "add_column": lambda ds: ds.add_column("extra", [f"x{i}" for i in range(len(ds))]),
    "take": lambda ds: ds.take(7),
    "skip": lambda ds: ds.skip(33),
    "filter_then_take": lambda ds: ds.filter(lambda r: r["label"] == 1).take(3),
    "flatten_indices": lambda ds: ds.shuffle(seed=3).flatten_indices(),
    "class_encode": lambda ds: ds.class_encode_column("label"),
}


@pytest.mark.parametrize("name", list(OPS))
def test_op(name):
    ours, theirs = both(OPS[name])
    assert_same_dataset(ours, theirs, what=name)


@pytest.mark.parametrize("seed", [0, 1, 42, 1234])
def test_shuffle_order_matches_numpy_default_rng(seed):
    ours, theirs = both(lambda ds: ds.shuffle(seed=seed)["id"])
    assert list(ours) == list(theirs)


def test_unique():
    ours, theirs = pair_from_dict()
    assert ours.unique("label") == theirs.unique("label")
    assert ours.unique("text") == theirs.unique("text")


@pytest.mark.parametrize("kw", [
    {"test_size": 0.25, "seed": 0},
    {"test_size": 5, "seed": 3},
    {"train_size": 0.5, "test_size": 0.3, "seed": 11},
    {"test_size": 0.2, "shuffle": False},
])
def test_train_test_split(kw):
    ours, theirs = both(lambda ds: ds.train_test_split(**kw))
    assert_same_dict(ours, theirs, what=f"train_test_split({kw})")


def test_train_test_split_stratified():
    d = small_dict()
    ours, theirs = pair_from_dict(d)
    feats = hf.ClassLabel(names=["a", "b", "c"])
    ours = ours.cast_column("label", feats).train_test_split(test_size=0.3, seed=5, stratify_by_column="label")
    theirs = theirs.cast_column("label", feats).train_test_split(test_size=0.3, seed=5, stratify_by_column="label")
    assert_same_dict(ours, theirs)


def test_flatten_squad_answers():
    f = sample("tiny_squad.json")
    ours = tm.load_dataset("squad", data_files=f, split="train").flatten()
    theirs = hf_squad(f).flatten()
    assert ours.column_names == ["id", "title", "context", "question", "answers.text", "answers.answer_start"]
    assert_same_dataset(ours, theirs, what="flatten")


def test_concatenate_datasets_rows_and_columns():
    a, ha = pair_from_dict(small_dict(10))
    b, hb = pair_from_dict(small_dict(7))
    assert_same_dataset(tm.concatenate_datasets([a, b]), hf.concatenate_datasets([ha, hb]), what="axis=0")
    assert_same_dataset(
        tm.concatenate_datasets([a.shuffle(seed=1), b.select([6, 0])]),
        hf.concatenate_datasets([ha.shuffle(seed=1), hb.select([6, 0])]),
        what="axis=0 with indices",
    )
    c, hc = pair_from_dict({"extra": list(range(10))})
    assert_same_dataset(tm.concatenate_datasets([a, c], axis=1), hf.concatenate_datasets([ha, hc], axis=1), what="axis=1")


@pytest.mark.parametrize("kw", [
    {},
    {"probabilities": [0.2, 0.3, 0.5], "seed": 42},
    {"stopping_strategy": "all_exhausted"},
    {"probabilities": [0.5, 0.25, 0.25], "seed": 1, "stopping_strategy": "all_exhausted"},
])
def test_interleave_datasets(kw):
    parts = [small_dict(n) for n in (5, 9, 3)]
    ours = [tm.Dataset.from_dict(p) for p in parts]
    theirs = [hf.Dataset.from_dict(p) for p in parts]
    assert_same_dataset(tm.interleave_datasets(ours, **kw), hf.interleave_datasets(theirs, **kw), what=str(kw))


def test_dataset_dict_per_split():
    d = small_dict(30)
    ours = tm.DatasetDict(train=tm.Dataset.from_dict(d), test=tm.Dataset.from_dict(small_dict(8)))
    theirs = hf.DatasetDict(train=hf.Dataset.from_dict(d), test=hf.Dataset.from_dict(small_dict(8)))
    assert_same_dict(ours, theirs)
    for name, fn in {
        "filter": lambda dd: dd.filter(lambda r: r["label"] != 2),
        "map": lambda dd: dd.map(lambda r: {"n": len(r["text"])}),
        "remove_columns": lambda dd: dd.remove_columns("score"),
        "rename_column": lambda dd: dd.rename_column("text", "s"),
        "select_columns": lambda dd: dd.select_columns(["id"]),
        "shuffle": lambda dd: dd.shuffle(seed=9),
        "sort": lambda dd: dd.sort("label"),
        "cast_column": lambda dd: dd.cast_column("label", hf.Value("int16")),
        "flatten": lambda dd: dd.flatten(),
    }.items():
        assert_same_dict(fn(ours), fn(theirs), what=f"DatasetDict.{name}")
    assert ours.shape == theirs.shape
    assert ours.unique("label") == theirs.unique("label")


# ---------------------------------------------------------------- constructors


def test_from_dict_with_features():
    d = small_dict(6)
    feats = hf.Features({"id": hf.Value("int32"), "text": hf.Value("string"),
                        "label": hf.ClassLabel(names=["x", "y", "z"]), "score": hf.Value("float64")})
    ours, theirs = pair_from_dict(d, features=feats)
    assert_same_dataset(ours, theirs)
    assert ours.features["label"].names == ["x", "y", "z"]


def test_from_list():
    rows = [{"a": i, "b": [i] * (i % 3), "c": {"x": str(i), "y": None}} for i in range(8)]
    assert_same_dataset(tm.Dataset.from_list(rows), hf.Dataset.from_list(rows))


def test_from_pandas():
    df = pd.DataFrame({"a": [1, 2, 3], "b": ["x", None, "z"], "c": [0.5, float("nan"), 1.5]})
    assert_same_dataset(tm.Dataset.from_pandas(df), hf.Dataset.from_pandas(df))
    assert_same_dataset(tm.Dataset.from_pandas(df, preserve_index=False), hf.Dataset.from_pandas(df, preserve_index=False))


def test_from_polars():
    df = pl.DataFrame({"a": [1, 2, 3], "b": ["x", None, "z"], "c": [[1], [], [2, 3]]})
    assert_same_dataset(tm.Dataset.from_polars(df), hf.Dataset.from_polars(df))


def test_from_arrow_table():
    t = pa.table({"a": pa.array([1, 2, 3], pa.int16()), "b": pa.array(["x", None, "z"], pa.large_string())})
    ours = tm.Dataset(t) if not hasattr(tm.Dataset, "from_arrow") else tm.Dataset.from_arrow(t)
    assert_same_dataset(ours, hf.Dataset(t))


def _gen(n, prefix="r"):
    for i in range(n):
        yield {"i": i, "s": f"{prefix}{i}"}


def test_from_generator():
    ours = tm.Dataset.from_generator(_gen, gen_kwargs={"n": 12, "prefix": "g"})
    theirs = hf.Dataset.from_generator(_gen, gen_kwargs={"n": 12, "prefix": "g"})
    assert_same_dataset(ours, theirs)


def test_indexing_and_columns():
    ours, theirs = pair_from_dict()
    assert ours[0] == theirs[0]
    assert ours[-1] == theirs[-1]
    assert ours[3:9] == theirs[3:9]
    assert ours[[1, 5, 2]] == theirs[[1, 5, 2]]
    assert list(ours["text"]) == list(theirs["text"])
    assert ours.shape == theirs.shape
    assert list(iter(ours)) == list(iter(theirs))
    assert [b for b in ours.iter(batch_size=7)] == [b for b in theirs.iter(batch_size=7)]


def test_flatten_squad_real_and_filter_unanswerable():
    from datasets_compare import shared

    f = shared("squad/dev-v2.0.json")
    ours = tm.load_dataset("squad", data_files=f, split="train").flatten()
    theirs = hf_squad(f).flatten()
    assert_same_dataset(ours.select(range(0, 11873, 97)), theirs.select(range(0, 11873, 97)), what="flatten squad v2")
    a = ours.filter(lambda n: len(n) == 0, input_columns="answers.text")
    b = theirs.filter(lambda n: len(n) == 0, input_columns="answers.text")
    assert a.num_rows == b.num_rows and a["id"][:] == b["id"][:]


# ---------------------------------------------------------------- tokenmill's own feature classes


def _features(lib):
    return lib.Features({
        "id": lib.Value("int32"),
        "text": lib.Value("string"),
        "label": lib.ClassLabel(names=["x", "y", "z"]),
        "score": lib.Value("float64"),
    })


def test_own_feature_classes_from_dict_and_cast():
    d = small_dict(9)
    ours = tm.Dataset.from_dict(d, features=_features(tm))
    theirs = hf.Dataset.from_dict(d, features=_features(hf))
    assert_same_dataset(ours, theirs, what="from_dict(features=tm.Features)")
    assert repr(ours.features) == repr(theirs.features)
    assert ours.features.to_dict() == theirs.features.to_dict()
    assert_same_dataset(
        ours.cast_column("id", tm.Value("int64")).cast_column("label", tm.Value("int8")),
        theirs.cast_column("id", hf.Value("int64")).cast_column("label", hf.Value("int8")),
        what="cast_column(tm.Value)",
    )
    lst = tm.List(tm.Value("int16"))
    a = tm.Dataset.from_dict({"l": [[1, 2], []]}, features=tm.Features({"l": lst}))
    b = hf.Dataset.from_dict({"l": [[1, 2], []]}, features=hf.Features({"l": hf.List(hf.Value("int16"))}))
    assert_same_dataset(a, b, what="tm.List")


def test_own_feature_classes_in_load_dataset():
    f = sample("people.tsv")
    ours = tm.load_dataset("csv", data_files=f, sep="\t", split="train",
                           features=tm.Features({"id": tm.Value("int32"), "text": tm.Value("string")}))
    theirs = hf.load_dataset("csv", data_files=f, sep="\t", split="train",
                             features=hf.Features({"id": hf.Value("int32"), "text": hf.Value("string")}))
    assert_same_dataset(ours, theirs)


def test_classlabel_methods():
    ours = tm.Dataset.from_dict(small_dict(6), features=_features(tm))
    lab = ours.features["label"]
    assert lab.num_classes == 3 and lab.names == ["x", "y", "z"]
    assert lab.int2str(2) == "z" and lab.str2int("y") == 1
    assert lab.int2str([0, 1]) == ["x", "y"]


# ---------------------------------------------------------------- larger: numpy default_rng parity at scale


def test_shuffle_split_shard_at_scale():
    d = {"i": list(range(10_000)), "s": [str(i % 97) for i in range(10_000)]}
    ours, theirs = pair_from_dict(d)
    for seed in (0, 123):
        assert ours.shuffle(seed=seed)["i"][:] == theirs.shuffle(seed=seed)["i"][:]
        a, b = ours.train_test_split(test_size=0.1, seed=seed), theirs.train_test_split(test_size=0.1, seed=seed)
        assert a["train"]["i"][:] == b["train"]["i"][:] and a["test"]["i"][:] == b["test"]["i"][:]
    assert ours.shuffle(seed=5).shard(7, 3)["i"][:] == theirs.shuffle(seed=5).shard(7, 3)["i"][:]
    assert ours.sort(["s", "i"], reverse=[True, False])["i"][:] == theirs.sort(["s", "i"], reverse=[True, False])["i"][:]


def test_select_with_numpy_and_stepped_range():
    import numpy as np

    ours, theirs = pair_from_dict()
    for idx in (np.array([5, 1, 3]), range(0, 40, 3), range(39, -1, -2), []):
        assert_same_dataset(ours.select(idx), theirs.select(idx), what=f"select({idx!r})")


def test_from_dict_nested_and_all_null_columns():
    d = {"n": [None, None], "nested": [{"a": [1], "b": {"c": "x"}}, {"a": [], "b": {"c": None}}], "f": [1.5, None]}
    assert_same_dataset(tm.Dataset.from_dict(d), hf.Dataset.from_dict(d))


def test_dataset_dict_shard_and_train_test_split_chain():
    d = small_dict(30)
    ours = tm.DatasetDict(train=tm.Dataset.from_dict(d))
    theirs = hf.DatasetDict(train=hf.Dataset.from_dict(d))
    a = ours["train"].train_test_split(test_size=0.2, seed=1)["train"].train_test_split(test_size=0.25, seed=2)
    b = theirs["train"].train_test_split(test_size=0.2, seed=1)["train"].train_test_split(test_size=0.25, seed=2)
    assert_same_dict(a, b)
    assert_same_dict(ours.shuffle(seeds={"train": 4}), theirs.shuffle(seeds={"train": 4}))


def test_dataset_dict_more_methods():
    d = small_dict(12)
    ours = tm.DatasetDict(train=tm.Dataset.from_dict(d), test=tm.Dataset.from_dict(small_dict(5)))
    theirs = hf.DatasetDict(train=hf.Dataset.from_dict(d), test=hf.Dataset.from_dict(small_dict(5)))
    for name, fn in {
        "rename_columns": lambda dd: dd.rename_columns({"text": "t", "id": "i"}),
        "cast": lambda dd: dd.cast(hf.Features({"id": hf.Value("int32"), "text": hf.Value("string"),
                                                "label": hf.Value("int8"), "score": hf.Value("float32")})),
        "class_encode_column": lambda dd: dd.class_encode_column("label"),
        "map_batched_indices": lambda dd: dd.map(lambda b, i: {"i2": i}, batched=True, with_indices=True, batch_size=4),
        "filter_batched": lambda dd: dd.filter(lambda b: [x > 2 for x in b["id"]], batched=True),
        "sort_reverse": lambda dd: dd.sort("id", reverse=True),
    }.items():
        assert_same_dict(fn(ours), fn(theirs), what=f"DatasetDict.{name}")
    a, b = ours.with_format("numpy"), theirs.with_format("numpy")
    assert a["train"].format == b["train"].format
    assert ours.num_columns == theirs.num_columns
    assert {k: v.num_rows for k, v in ours.items()} == {k: v.num_rows for k, v in theirs.items()}


@pytest.mark.parametrize("strategy", ["first_exhausted", "all_exhausted"])
def test_interleave_probabilities_at_scale(strategy):
    parts = [{"src": [k] * n, "i": list(range(n))} for k, n in enumerate((500, 300, 700))]
    ours = tm.interleave_datasets([tm.Dataset.from_dict(p) for p in parts], probabilities=[0.5, 0.2, 0.3], seed=3,
                                  stopping_strategy=strategy)
    theirs = hf.interleave_datasets([hf.Dataset.from_dict(p) for p in parts], probabilities=[0.5, 0.2, 0.3], seed=3,
                                    stopping_strategy=strategy)
    assert ours.num_rows == theirs.num_rows
    assert ours["src"][:] == theirs["src"][:] and ours["i"][:] == theirs["i"][:]
