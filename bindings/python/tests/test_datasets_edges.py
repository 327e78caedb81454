"""Edge cases against HF datasets 5.2: type inference in the constructors (mixed ints/floats, nulls,
missing keys, empty lists, bytes, timestamps, nested lists, ClassLabel strings, Array2D), indexing
(steps, negatives), empty datasets, and invalid arguments raising HF's exception types."""

from __future__ import annotations

import datetime
import decimal

import numpy as np
import pytest

from datasets_compare import known_gaps  # noqa: F401 (autouse fixture)
from datasets_compare import assert_same_dataset, assert_same_dict, hf, pair_from_dict, sample, small_dict, tm

INFERENCE = {
    "ints_and_floats": {"x": [1, 2.5, None, 4]},
    "bool_and_null": {"x": [True, None, False]},
    "all_null": {"x": [None, None]},
    "empty_lists": {"x": [[], []]},
    "lists_with_nulls": {"x": [[1, None], None, [3]]},
    "nested_lists": {"x": [[[1, 2], [3]], [[]], []]},
    "bytes": {"x": [b"\x00\x01", b"", None]},
    "timestamps": {"x": [datetime.datetime(2020, 1, 2, 3, 4, 5), None]},
    "dates": {"x": [datetime.date(2020, 1, 2), datetime.date(1999, 12, 31)]},
    "decimals": {"x": [decimal.Decimal("1.25"), decimal.Decimal("-3.50")]},
    "large_int": {"x": [2**62, -(2**62)]},
    "struct_missing_fields": {"x": [{"a": 1}, {"b": "y"}, None]},
    "unicode": {"x": ["日本語", "🎉", "", "é" * 100]},
    "numpy_arrays": {"x": [np.arange(3), np.arange(2)]},
    "numpy_2d": {"x": [np.ones((2, 2), dtype=np.float32), np.zeros((2, 2), dtype=np.float32)]},
    "numpy_3d_ragged_and_none": {"x": [None, np.arange(12, dtype=np.int16).reshape(2, 3, 2), np.zeros((1, 1, 2), dtype=np.int16)]},
    "numpy_2d_empty_first_axis": {"x": [np.ones((0, 2)), np.ones((1, 2))]},
    "numpy_0d": {"x": [np.array(3), np.array(4)]},
    "numpy_3d_column": {"x": np.arange(8).reshape(2, 2, 2)},
    "numpy_2d_in_struct_and_list": {"s": [{"a": np.ones((2, 2))}, {"a": None}], "l": [[np.eye(2)], []]},
}


@pytest.mark.parametrize("name", list(INFERENCE))
def test_from_dict_type_inference(name):
    d = INFERENCE[name]
    assert_same_dataset(tm.Dataset.from_dict(d), hf.Dataset.from_dict(d), what=name)


def test_from_list_numpy_2d():
    rows = [{"m": np.ones((2, 3), dtype=np.float32), "i": 1}, {"m": np.zeros((1, 3), dtype=np.float32), "i": 2}]
    assert_same_dataset(tm.Dataset.from_list(rows), hf.Dataset.from_list(rows))


def test_from_list_missing_keys():
    rows = [{"a": 1, "b": "x"}, {"a": 2}, {"b": "z", "c": 3.0}]
    assert_same_dataset(tm.Dataset.from_list(rows), hf.Dataset.from_list(rows))


def test_classlabel_from_strings_and_array2d():
    feats = hf.Features({"label": hf.ClassLabel(names=["neg", "pos"]), "m": hf.Array2D(shape=(2, 2), dtype="int32")})
    d = {"label": ["pos", "neg", "pos"], "m": [[[1, 2], [3, 4]]] * 3}
    ours, theirs = tm.Dataset.from_dict(d, features=feats), hf.Dataset.from_dict(d, features=feats)
    assert_same_dataset(ours, theirs)
    a, b = ours.with_format("numpy")["m"], theirs.with_format("numpy")["m"]
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_load_json_with_array2d_features(tmp_path):
    # the loader reads the nested lists; features=Array2D gives HF's extension-typed column
    import json

    path = tmp_path / "m.jsonl"
    path.write_text("".join(json.dumps({"m": [[i, 1], [2, 3]], "t": f"r{i}"}) + "\n" for i in range(5)))
    out = []
    for L in (tm, hf):
        feats = L.Features({"m": L.Array2D(shape=(2, 2), dtype="int32"), "t": L.Value("string")})
        out.append(L.load_dataset("json", data_files=str(path), split="train", features=feats))
    ours, theirs = out
    assert_same_dataset(ours, theirs, what="json + Array2D features")
    assert str(ours.features["m"]) == str(theirs.features["m"])
    a, b = ours.with_format("numpy")[:3]["m"], theirs.with_format("numpy")[:3]["m"]
    assert a.shape == b.shape == (3, 2, 2) and a.dtype == b.dtype and (a == b).all()


@pytest.mark.parametrize("values", [[0, 5], [-2], [[1, 7]]], ids=["too_big", "below_minus_one", "nested"])
def test_classlabel_out_of_range_ints_raise_as_hf(values):
    # HF's ClassLabel.encode_example: -1 (no label) .. num_classes-1, else ValueError naming the label
    for L in (tm, hf):
        feat = L.ClassLabel(names=["neg", "pos"])
        f = L.Features({"l": L.Sequence(feat) if isinstance(values[0], list) else feat})
        with pytest.raises(ValueError, match="greater than configured num_classes 2"):
            L.Dataset.from_dict({"l": values}, features=f)
    ok_t, ok_h = pair_from_dict({"l": [-1, 0, 1]}, features=hf.Features({"l": hf.ClassLabel(names=["neg", "pos"])}))
    assert_same_dataset(ok_t, ok_h, what="ClassLabel -1/0/1")


def test_classlabel_strings_nested_and_from_list():
    feats = hf.Features({"label": hf.ClassLabel(names=["neg", "pos"]), "tags": hf.List(hf.ClassLabel(names=["a", "b", "c"])), "s": {"l": hf.ClassLabel(names=["x", "y"])}})
    d = {"label": ["pos", " neg ", 1, None], "tags": [["c", "a"], [], None, ["b", 0]], "s": [{"l": "y"}, {"l": 0}, None, {"l": None}]}
    assert_same_dataset(tm.Dataset.from_dict(d, features=feats), hf.Dataset.from_dict(d, features=feats))
    rows = [{k: v[i] for k, v in d.items()} for i in range(4)]
    assert_same_dataset(tm.Dataset.from_list(rows, features=feats), hf.Dataset.from_list(rows, features=feats))
    bad = {"label": ["pos", "maybe"]}
    f1 = hf.Features({"label": hf.ClassLabel(names=["neg", "pos"])})
    with pytest.raises(ValueError) as theirs:
        hf.Dataset.from_dict(bad, features=f1)
    with pytest.raises(type(theirs.value)):
        tm.Dataset.from_dict(bad, features=f1)


def array_xd_pair(hf_features=True):
    """Array2D (fixed shape, a null row), Array3D with a variable first dimension, an Array2D in a
    struct; ``hf_features`` False builds ours from tokenmill's own feature classes."""
    lib = hf if hf_features else tm
    feats = {
        "m": lib.Array2D(shape=(2, 3), dtype="float32"),
        "v": lib.Array3D(shape=(None, 1, 2), dtype="int64"),
        "s": {"a": lib.Array2D(shape=(1, 2), dtype="int16")},
    }
    d = {
        "m": [np.arange(6, dtype=np.float32).reshape(2, 3), None, np.ones((2, 3), dtype=np.float32)],
        "v": [[[[1, 2]]], [[[3, 4]], [[5, 6]]], []],
        "s": [{"a": [[1, 2]]}, {"a": [[3, 4]]}, {"a": [[5, 6]]}],
    }
    return tm.Dataset.from_dict(d, features=lib.Features(feats)), hf.Dataset.from_dict(d, features=hf.Features(feats if hf_features else {
        "m": hf.Array2D(shape=(2, 3), dtype="float32"),
        "v": hf.Array3D(shape=(None, 1, 2), dtype="int64"),
        "s": {"a": hf.Array2D(shape=(1, 2), dtype="int16")},
    }))


@pytest.mark.parametrize("hf_features", [True, False], ids=["hf_features", "own_features"])
def test_array_xd_features_and_formats(hf_features):
    if not hf_features and not hasattr(tm, "Array3D"):
        pytest.skip("needs Array3D")
    ours, theirs = array_xd_pair(hf_features)
    assert_same_dataset(ours, theirs)
    assert repr(ours.features["m"]) == repr(theirs.features["m"])
    from test_datasets_formats import assert_same_value

    for fmt in ("numpy", "torch"):
        if fmt == "torch":
            pytest.importorskip("torch")
        a, b = ours.with_format(fmt), theirs.with_format(fmt)
        for key in (0, 1, 2, slice(0, 3), [2, 0]):
            assert_same_value(a[key], b[key], f"{fmt} [{key}]")
        for col in ("m", "v"):
            assert_same_value(a[col][:], b[col][:], f"{fmt} column {col}")
            assert_same_value(list(a[col]), list(b[col]), f"{fmt} column {col} iterated")


def test_array_xd_save_load_both_ways(tmp_path):
    ours, theirs = array_xd_pair()
    theirs.save_to_disk(str(tmp_path / "hf"))
    ours.save_to_disk(str(tmp_path / "tm"))
    assert_same_dataset(tm.load_from_disk(str(tmp_path / "hf")), theirs, what="HF-saved, tokenmill-loaded")
    assert_same_dataset(ours, hf.load_from_disk(str(tmp_path / "tm")), what="tokenmill-saved, HF-loaded")
    np.testing.assert_array_equal(
        tm.load_from_disk(str(tmp_path / "hf")).with_format("numpy")["m"][:], theirs.with_format("numpy")["m"][:]
    )


def test_array_xd_cast_and_ops():
    d = {"m": [[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[0, 0], [0, 1]]], "i": [0, 1, 2]}
    f = hf.Array2D(shape=(2, 2), dtype="int32")
    ours, theirs = pair_from_dict(d)
    ours, theirs = ours.cast_column("m", f), theirs.cast_column("m", f)
    assert_same_dataset(ours, theirs, what="cast_column to Array2D")
    for name, fn in {
        "select": lambda ds: ds.select([2, 0]),
        "filter": lambda ds: ds.filter(lambda r: r["i"] != 1),
        "map": lambda ds: ds.map(lambda r: {"n": r["i"] * 2}),
        "shuffle": lambda ds: ds.shuffle(seed=3).flatten_indices(),
        "back to lists": lambda ds: ds.cast(hf.Features({"m": hf.List(hf.List(hf.Value("int64"))), "i": hf.Value("int64")})),
    }.items():
        assert_same_dataset(fn(ours), fn(theirs), what=name)
    np.testing.assert_array_equal(ours.with_format("numpy")["m"][:], theirs.with_format("numpy")["m"][:])


@pytest.mark.parametrize("key", [slice(None, None, 2), slice(-3, None), slice(5, 2), slice(-100, 3), slice(30, 100)])
def test_slices(key):
    ours, theirs = pair_from_dict()
    assert ours[key] == theirs[key]


def test_empty_dataset_ops():
    d = {"a": [], "b": []}
    ours, theirs = pair_from_dict(small_dict(10))
    ours, theirs = ours.select([]), theirs.select([])
    for name, fn in {
        "map": lambda ds: ds.map(lambda r: {"n": 1}),
        "map_batched": lambda ds: ds.map(lambda b: {"n": [1] * len(b["id"])}, batched=True),
        "filter": lambda ds: ds.filter(lambda r: True),
        "shuffle": lambda ds: ds.shuffle(seed=0),
        "sort": lambda ds: ds.sort("id"),
    }.items():
        assert_same_dataset(fn(ours), fn(theirs), what=f"empty {name}")
    assert ours.to_dict() == theirs.to_dict()
    assert_same_dataset(tm.Dataset.from_dict(d), hf.Dataset.from_dict(d), what="from_dict empty")


def test_sort_strings_unicode_and_nulls():
    d = {"s": ["b", "B", None, "a", "é", "", "Z", None, "ä"], "i": list(range(9))}
    ours, theirs = pair_from_dict(d)
    for kw in ({}, {"reverse": True}, {"null_placement": "at_start"}):
        assert_same_dataset(ours.sort("s", **kw), theirs.sort("s", **kw), what=f"sort {kw}")
    assert ours.unique("s") == theirs.unique("s")


def test_add_column_numpy_and_feature():
    ours, theirs = pair_from_dict(small_dict(5))
    col = np.arange(5, dtype=np.int16)
    assert_same_dataset(ours.add_column("n", col), theirs.add_column("n", col))
    f = hf.Value("float32")
    assert_same_dataset(ours.add_column("f", [1, 2, 3, 4, 5], feature=f), theirs.add_column("f", [1, 2, 3, 4, 5], feature=f))


def test_load_dataset_list_of_splits():
    f = sample("people.csv")
    ours = tm.load_dataset("csv", data_files=f, split=["train[:40%]", "train[40%:]"])
    theirs = hf.load_dataset("csv", data_files=f, split=["train[:40%]", "train[40%:]"])
    assert isinstance(ours, list) and len(ours) == 2
    for a, b in zip(ours, theirs):
        assert_same_dataset(a, b)


def test_load_parquet_columns():
    f = sample("table.parquet")
    assert_same_dataset(
        tm.load_dataset("parquet", data_files=f, split="train", columns=["c", "a"]),
        hf.load_dataset("parquet", data_files=f, split="train", columns=["c", "a"]),
    )


def test_load_json_mixed_int_float_lines(tmp_path):
    f = tmp_path / "mixed.jsonl"
    f.write_text('{"x": 1, "y": [1]}\n{"x": 2.5, "y": [2.5, 3]}\n{"x": null, "y": null}\n')
    assert_same_dataset(
        tm.load_dataset("json", data_files=str(f), split="train"),
        hf.load_dataset("json", data_files=str(f), split="train"),
    )


def test_load_csv_common_kwargs(tmp_path):
    f = tmp_path / "plain.csv"
    f.write_text("# comment\n1;x;2.5\n2;y;\n3;z;4\n")
    kw = {"sep": ";", "column_names": ["a", "b", "c"], "skiprows": 1}
    assert_same_dataset(
        tm.load_dataset("csv", data_files=str(f), split="train", **kw),
        hf.load_dataset("csv", data_files=str(f), split="train", **kw),
    )


INVALID = {
    "train_test_split_too_big": lambda ds: ds.train_test_split(test_size=100),
    "train_test_split_zero": lambda ds: ds.train_test_split(test_size=0),
    "shard_index": lambda ds: ds.shard(num_shards=3, index=3),
    "concatenate_empty_list": lambda ds: (tm if ds.__class__.__module__.startswith("tokenmill") else hf).concatenate_datasets([]),
    "select_negative": lambda ds: ds.select([-1]),
    "cast_bad_string_to_int": lambda ds: ds.cast_column("text", hf.Value("int32")),
    "take_negative": lambda ds: ds.take(-1),
}


@pytest.mark.parametrize("name", list(INVALID))
def test_invalid_arguments_raise_like_hf(name):
    ours, theirs = pair_from_dict(small_dict(10))
    try:
        INVALID[name](theirs)
    except Exception as e:  # noqa: BLE001
        expected = type(e)
    else:
        expected = None
    if expected is None:
        INVALID[name](ours)  # HF accepts it: so must tokenmill
        return
    with pytest.raises(Exception) as ei:
        INVALID[name](ours)
    # HF lets some pyarrow exceptions through (ArrowInvalid): the builtin base they subclass
    # (ValueError) is what portable code catches, so that is what tokenmill must raise
    base = next(c for c in expected.__mro__ if c.__module__ == "builtins")
    assert isinstance(ei.value, base), (
        f"{name}: tokenmill raised {type(ei.value).__name__}: {ei.value}; HF raises {expected.__name__} ({base.__name__})"
    )


def test_dataset_dict_from_tiny_imdb_train_test_split():
    f = sample("tiny_aclImdb_v1.tar.gz")
    from datasets_compare import hf_imdb

    ours = tm.load_dataset("imdb", data_files=f)["train"].train_test_split(test_size=1, seed=0)
    theirs = hf_imdb(f, "train").train_test_split(test_size=1, seed=0)
    assert_same_dict(ours, theirs)
