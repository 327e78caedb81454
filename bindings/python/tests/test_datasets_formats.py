"""with_format / set_format outputs (numpy, pandas, polars, arrow, torch) equal HF's formatted outputs
(same types, dtypes, shapes, values), zero-copy export via __arrow_c_stream__, a torch DataLoader with
workers, pickling."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from datasets_compare import known_gaps  # noqa: F401 (autouse fixture)
from datasets_compare import assert_same_dataset, hf, needs_tokenmill, pair_from_dict, saved_pair


def fmt_dict(n=12):
    return {
        "id": list(range(n)),
        "text": [f"row {i}" for i in range(n)],
        "ids": [[i, i + 1, i + 2] for i in range(n)],  # fixed length: numpy/torch stack these
        "ragged": [list(range(i % 4)) for i in range(n)],
        "f": [i / 3 for i in range(n)],
        "flag": [i % 2 == 0 for i in range(n)],
    }


def assert_same_value(a, b, where="value"):
    """Deep equality that also checks types, dtypes and shapes."""
    assert type(a).__name__ == type(b).__name__, f"{where}: type {type(a)} vs HF {type(b)}"
    if isinstance(b, np.ndarray):
        assert a.dtype == b.dtype, f"{where}: dtype {a.dtype} vs HF {b.dtype}"
        assert a.shape == b.shape, f"{where}: shape {a.shape} vs HF {b.shape}"
        if b.dtype == object:
            assert len(a) == len(b)
            for i, (x, y) in enumerate(zip(a, b)):
                assert_same_value(x, y, f"{where}[{i}]")
        else:
            np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(b, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, obj=where)
    elif isinstance(b, pd.Series):
        pd.testing.assert_series_equal(a, b, obj=where)
    elif isinstance(b, (pl.DataFrame, pl.Series)):
        assert a.dtypes == b.dtypes if isinstance(b, pl.DataFrame) else a.dtype == b.dtype, where
        assert a.equals(b), f"{where}:\n{a}\nvs HF\n{b}"
    elif isinstance(b, (pa.Table, pa.Array, pa.ChunkedArray)):
        a_ = a.replace_schema_metadata(None) if isinstance(a, pa.Table) else a
        b_ = b.replace_schema_metadata(None) if isinstance(b, pa.Table) else b
        if isinstance(b, pa.Table):
            a_, b_ = a_.combine_chunks(), b_.combine_chunks()
        assert a_.equals(b_), f"{where}:\n{a_}\nvs HF\n{b_}"
    elif type(b).__module__.startswith("torch"):
        import torch

        assert a.dtype == b.dtype and tuple(a.shape) == tuple(b.shape), f"{where}: {a.dtype}{tuple(a.shape)} vs {b.dtype}{tuple(b.shape)}"
        if a.is_floating_point():
            assert torch.equal(a.isnan(), b.isnan()) and torch.equal(a.nan_to_num(), b.nan_to_num()), where
        else:
            assert torch.equal(a, b), where
    elif isinstance(b, dict):
        assert list(a) == list(b), f"{where}: keys {list(a)} vs HF {list(b)}"
        for k in b:
            assert_same_value(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(b, (list, tuple)):
        assert len(a) == len(b), f"{where}: length {len(a)} vs HF {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same_value(x, y, f"{where}[{i}]")
    elif type(b).__name__ == "Column":
        assert_same_value(list(a), list(b), where)
    elif isinstance(b, (float, np.floating)) and b != b:
        assert a != a, f"{where}: {a!r} vs HF nan"
    else:
        assert a == b, f"{where}: {a!r} vs HF {b!r}"


FORMATS = ["numpy", "pandas", "polars", "arrow", "python", None]


def accesses(ds):
    return {
        "row0": ds[0],
        "row-1": ds[-1],
        "slice": ds[2:7],
        "indices": ds[[4, 0, 9]],
        "column_text": ds["text"],
        "column_ids": ds["ids"],
        "column_f": ds["f"],
        "iter_batches": list(ds.iter(batch_size=5)),
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_with_format_outputs(fmt):
    ours, theirs = pair_from_dict(fmt_dict())
    a, b = accesses(ours.with_format(fmt)), accesses(theirs.with_format(fmt))
    for k in b:
        assert_same_value(a[k], b[k], f"with_format({fmt!r}) {k}")


@pytest.mark.parametrize("fmt,all_columns", [("numpy", True), ("numpy", False), ("pandas", False), ("arrow", False)])
def test_with_format_columns_and_shuffled(fmt, all_columns):
    ours, theirs = pair_from_dict(fmt_dict())
    ours = ours.shuffle(seed=0).with_format(fmt, columns=["id", "ids"], output_all_columns=all_columns)
    theirs = theirs.shuffle(seed=0).with_format(fmt, columns=["id", "ids"], output_all_columns=all_columns)
    assert ours.format == theirs.format
    a, b = accesses(ours), accesses(theirs)
    for k in ("row0", "slice", "indices", "iter_batches"):
        assert_same_value(a[k], b[k], f"{fmt} columns+shuffle {k}")


def test_set_format_reset_format_and_format_dict():
    ours, theirs = pair_from_dict(fmt_dict())
    for ds in (ours, theirs):
        ds.set_format("numpy", columns=["ids"])
    assert ours.format == theirs.format
    assert_same_value(ours[0:3], theirs[0:3], "set_format numpy")
    for ds in (ours, theirs):
        ds.reset_format()
    assert ours.format == theirs.format
    assert ours[0] == theirs[0]


def test_iterable_rows_numpy():
    ours, theirs = pair_from_dict(fmt_dict())
    a = list(ours.with_format("numpy"))
    b = list(theirs.with_format("numpy"))
    assert_same_value(a, b, "iter numpy rows")


def test_to_pandas_to_polars_to_dict():
    ours, theirs = pair_from_dict(fmt_dict())
    assert_same_value(ours.to_pandas(), theirs.to_pandas(), "to_pandas")
    assert_same_value(ours.to_polars(), theirs.to_polars(), "to_polars")
    assert_same_value(ours.shuffle(seed=1).to_pandas(), theirs.shuffle(seed=1).to_pandas(), "to_pandas shuffled")
    assert_same_value(list(ours.to_pandas(batched=True, batch_size=5)), list(theirs.to_pandas(batched=True, batch_size=5)), "to_pandas batched")


# ---------------------------------------------------------------- zero copy


@needs_tokenmill("HF datasets has no __arrow_c_stream__")
def test_arrow_c_stream_export():
    ours, theirs = pair_from_dict(fmt_dict())
    assert hasattr(ours, "__arrow_c_stream__"), "tokenmill.Dataset should export the Arrow C stream interface"
    t = pa.table(ours)
    expected = theirs.with_format("arrow")[:]
    assert t.replace_schema_metadata(None).equals(expected.replace_schema_metadata(None))
    # after an indices mapping the exported rows follow it
    t2 = pa.table(ours.shuffle(seed=5))
    assert t2.column("id").to_pylist() == theirs.shuffle(seed=5)["id"][:]
    # polars reads it without a copy through the same interface
    df = pl.from_arrow(t)
    assert df["id"].to_list() == list(range(12))


@needs_tokenmill("HF datasets has no __arrow_c_stream__")
def test_arrow_export_is_zero_copy(tmp_path):
    d = {"x": list(range(100_000))}
    ours, _ = saved_pair(tmp_path, d)
    t = pa.table(ours)
    # a memory-mapped, disk-backed dataset exports buffers without copying into the process heap
    before = pa.total_allocated_bytes()
    t2 = pa.table(ours)
    assert pa.total_allocated_bytes() - before < 100_000 * 8 // 2
    assert t.equals(t2)
    # zero-copy from the memory map: two exports point at the same memory (as HF's mmapped table does)
    addrs = lambda tab: [c.buffers()[1].address for c in tab.column("x").chunks]  # noqa: E731
    assert addrs(t) == addrs(t2), "each export copied the column (different buffer addresses)"


# ---------------------------------------------------------------- torch


def test_torch_format_equals_hf():
    torch = pytest.importorskip("torch")
    ours, theirs = pair_from_dict(fmt_dict())
    a = accesses(ours.with_format("torch"))
    b = accesses(theirs.with_format("torch"))
    for k in b:
        assert_same_value(a[k], b[k], f"torch {k}")


def test_torch_dataloader_with_workers(tmp_path):
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader

    d = {"ids": [[i, i + 1, i + 2, i + 3] for i in range(64)], "label": [i % 2 for i in range(64)]}
    ours, theirs = saved_pair(tmp_path, d)
    ds = ours.with_format("torch")
    direct = [ds[i : i + 8] for i in range(0, 64, 8)]
    loaded = list(DataLoader(ds, batch_size=8, num_workers=2))
    hf_loaded = list(DataLoader(theirs.with_format("torch"), batch_size=8, num_workers=2))
    assert len(loaded) == len(direct) == len(hf_loaded) == 8
    for x, y, z in zip(loaded, direct, hf_loaded):
        assert torch.equal(x["ids"], y["ids"]) and torch.equal(x["label"], y["label"])
        assert torch.equal(x["ids"], z["ids"]) and torch.equal(x["label"], z["label"])


# ---------------------------------------------------------------- pickle


def test_pickle_in_memory_dataset():
    ours, theirs = pair_from_dict(fmt_dict())
    ours = ours.shuffle(seed=3).with_format("numpy")
    back = pickle.loads(pickle.dumps(ours))
    assert type(back) is type(ours)
    assert back.format == ours.format
    assert_same_value(back[:4], theirs.shuffle(seed=3).with_format("numpy")[:4], "pickled")


def test_pickle_disk_backed_dataset_is_small(tmp_path):
    ours, theirs = saved_pair(tmp_path, {"x": list(range(50_000))})
    blob = pickle.dumps(ours)
    assert len(blob) < 50_000, "a memory-mapped dataset pickles by path, not by value (as HF's does)"
    assert_same_dataset(pickle.loads(blob), theirs)


def test_with_transform_and_set_transform():
    ours, theirs = pair_from_dict(fmt_dict())

    def tr(batch):
        return {"up": [t.upper() for t in batch["text"]], "n": [len(x) for x in batch["ids"]]}

    a, b = ours.with_transform(tr), theirs.with_transform(tr)
    assert_same_value(a[0], b[0], "with_transform row")
    assert_same_value(a[2:5], b[2:5], "with_transform slice")
    for ds in (ours, theirs):
        ds.set_transform(tr, columns=["text", "ids"])
    assert_same_value(ours[1], theirs[1], "set_transform row")


def test_formatted_as_context_manager():
    ours, theirs = pair_from_dict(fmt_dict())
    with ours.formatted_as("numpy"), theirs.formatted_as("numpy"):
        assert_same_value(ours[:3], theirs[:3], "formatted_as numpy")
    assert ours.format == theirs.format
    assert ours[0] == theirs[0]


def test_data_attribute_like_hf(tmp_path):
    ours, theirs = pair_from_dict(fmt_dict())
    for a, b in ((ours, theirs), saved_pair(tmp_path, fmt_dict())):
        assert a.data.num_rows == b.data.num_rows
        assert a.data.column_names == b.data.column_names
        assert a.data.schema.remove_metadata() == b.data.schema.remove_metadata()
        assert a.data.to_pydict() == b.data.to_pydict()
        assert a.data.column("text").to_pylist() == b.data.column("text").to_pylist()
        tb = getattr(b.data, "table", b.data)
        ta = getattr(a.data, "table", a.data)
        assert pa.table(ta).replace_schema_metadata(None).equals(pa.table(tb).replace_schema_metadata(None))


def tricky_dict():
    return {
        "i_null": [1, None, 3, 4],
        "f_null": [0.5, None, 1.5, None],
        "s_null": ["a", None, "c", ""],
        "struct": [{"a": 1, "b": "x"}, {"a": None, "b": None}, None, {"a": 4, "b": "w"}],
        "nested": [[[1, 2], [3]], [], None, [[4]]],
        "lst_null": [[1, None], None, [], [2]],
        "b": [True, False, None, True],
        "bytes": [b"x", None, b"", b"\xff"],
    }


@pytest.mark.parametrize("fmt", ["numpy", "pandas", "polars", "arrow", "python"])
def test_formats_with_nulls_and_nesting(fmt):
    ours, theirs = pair_from_dict(tricky_dict())
    a, b = ours.with_format(fmt), theirs.with_format(fmt)
    for key in (0, 1, 2, slice(0, 4)):  # (a slice starting at a null row crashes HF's numpy formatter)
        assert_same_value(a[key], b[key], f"{fmt} [{key}]")
    for col in tricky_dict():
        assert_same_value(a[col], b[col], f"{fmt} column {col}")


def more_tricky_dict():
    return {
        "u16_struct": [{"a": 1, "l": [1, 2]}, {"a": 2, "l": []}, {"a": 3, "l": [3]}, {"a": 4, "l": [4, 5, 6]}],
        "nested_eq": [[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[1, 1], [1, 1]], [[0, 0], [0, 0]]],
        "lst_f": [[1.5], [2.5, 3.5], [], [0.0]],
        "lst_eq": [[1, 2], [3, 4], [5, 6], [7, 8]],
        "lst_s": [["a"], ["b", "c"], [], ["d"]],
        "lst_struct": [[{"a": 1}], [{"a": None}], [], [{"a": 2}, {"a": 3}]],
        "lst_null": [[1, None], [5], [], [2]],
        "i_null": [1, None, 3, 4],
        "struct": [{"a": 1, "b": "x"}, {"a": None, "b": None}, None, {"a": 4, "b": "w"}],
    }


@pytest.mark.parametrize("fmt", ["numpy", "torch"])
@pytest.mark.parametrize("col", list(more_tricky_dict()))
def test_tensor_formats_rows_slices_gathers_and_columns(fmt, col):
    """Per column (so a null elsewhere cannot hide a difference): rows, slices, gathered rows (HF
    converts those row by row), whole columns and iteration, against HF's numpy/torch formatters."""
    if fmt == "torch":
        pytest.importorskip("torch")
    d = {col: more_tricky_dict()[col]}
    ours, theirs = pair_from_dict(d)
    a, b = ours.with_format(fmt), theirs.with_format(fmt)
    for key in (0, 1, 3, slice(0, 4), slice(2, 4), [3, 0], [1, 2, 3]):
        assert_same_value(a[key], b[key], f"{fmt} [{key}]")
    assert_same_value(a[col][:], b[col][:], f"{fmt} column {col}")
    assert_same_value(a[col][[3, 1]], b[col][[3, 1]], f"{fmt} column {col} gathered")
    assert_same_value(list(a[col]), list(b[col]), f"{fmt} column {col} iterated")
    assert_same_value(list(a), list(b), f"{fmt} rows iterated")


def test_torch_format_with_nulls_and_nesting():
    pytest.importorskip("torch")
    d = {k: v for k, v in tricky_dict().items() if k in ("i_null", "f_null", "s_null", "struct", "b")}
    ours, theirs = pair_from_dict(d)
    a, b = ours.with_format("torch"), theirs.with_format("torch")
    for key in (0, 1, slice(0, 4)):
        assert_same_value(a[key], b[key], f"torch [{key}]")
