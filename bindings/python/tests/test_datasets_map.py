"""Dataset.map / filter against HF datasets 5.2 (batched and unbatched, with_indices, input_columns,
remove_columns, fn_kwargs, new columns, row-count changes), and the map cache (a second identical map
calls the function 0 times; a different function or argument recomputes), and cleanup_cache_files
(only the cache files of datasets derived from the same source go, as in HF)."""

from __future__ import annotations

import os

import pytest

from datasets_compare import known_gaps  # noqa: F401 (autouse fixture)
from datasets_compare import assert_same_dataset, hf, needs_tokenmill, pair_from_dict, saved_pair, small_dict, tm


def both(fn, d=None):
    ours, theirs = pair_from_dict(d)
    return fn(ours), fn(theirs)


def upper(r):
    return {"text": r["text"].upper()}


def length(r):
    return {"n": len(r["text"]), "first": r["text"][:1]}


def upper_batch(b):
    return {"text": [t.upper() for t in b["text"]]}


def explode_batch(b):
    # changes the row count: one row per word (batched map may return any number of rows)
    out = {"word": [], "src": []}
    for i, t in zip(b["id"], b["text"]):
        for w in t.split():
            out["word"].append(w)
            out["src"].append(i)
    return out


def drop_half_batch(b):
    keep = [j for j, i in enumerate(b["id"]) if i % 2 == 0]
    return {k: [v[j] for j in keep] for k, v in b.items()}


MAPS = {
    "unbatched_replace_column": lambda ds: ds.map(upper),
    "unbatched_new_columns": lambda ds: ds.map(length),
    "unbatched_with_indices": lambda ds: ds.map(lambda r, i: {"idx2": i * 2}, with_indices=True),
    "unbatched_input_columns": lambda ds: ds.map(lambda t, y: {"ty": f"{y}:{t}"}, input_columns=["text", "label"]),
    "unbatched_remove_columns": lambda ds: ds.map(length, remove_columns=["text", "score"]),
    "unbatched_fn_kwargs": lambda ds: ds.map(lambda r, k: {"t": r["text"][:k]}, fn_kwargs={"k": 3}),
    "unbatched_none_return": lambda ds: ds.map(lambda r: None),
    "batched": lambda ds: ds.map(upper_batch, batched=True),
    "batched_size_7": lambda ds: ds.map(lambda b: {"bs": [len(b["id"])] * len(b["id"])}, batched=True, batch_size=7),
    "batched_with_indices": lambda ds: ds.map(lambda b, idx: {"i": idx}, batched=True, with_indices=True, batch_size=9),
    "batched_input_columns": lambda ds: ds.map(lambda ts: {"len": [len(t) for t in ts]}, batched=True, input_columns="text"),
    "batched_grows_rows": lambda ds: ds.map(explode_batch, batched=True, batch_size=8, remove_columns=["id", "text", "label", "score"]),
    "batched_shrinks_rows": lambda ds: ds.map(drop_half_batch, batched=True, batch_size=6),
    "batched_fn_kwargs": lambda ds: ds.map(lambda b, suffix: {"t": [t + suffix for t in b["text"]]}, batched=True, fn_kwargs={"suffix": "!"}),
    "batched_drop_last": lambda ds: ds.map(upper_batch, batched=True, batch_size=16, drop_last_batch=True),
    "map_list_output": lambda ds: ds.map(lambda r: {"chars": list(r["text"][:4]), "codes": [ord(c) for c in r["text"][:3]]}),
    "map_nested_output": lambda ds: ds.map(lambda r: {"meta": {"len": len(r["text"]), "lab": str(r["label"])}}),
    "map_after_shuffle": lambda ds: ds.shuffle(seed=2).map(length, with_indices=False),
    "map_after_select": lambda ds: ds.select([9, 3, 0]).map(lambda r, i: {"i": i}, with_indices=True),
    "map_with_features": lambda ds: ds.map(length, features=hf.Features({
        "id": hf.Value("int64"), "text": hf.Value("string"), "label": hf.Value("int64"),
        "score": hf.Value("float64"), "n": hf.Value("int32"), "first": hf.Value("string")})),
}


@pytest.mark.parametrize("name", list(MAPS))
def test_map(name):
    ours, theirs = both(MAPS[name])
    assert_same_dataset(ours, theirs, what=name)


FILTERS = {
    "unbatched": lambda ds: ds.filter(lambda r: r["label"] == 1),
    "with_indices": lambda ds: ds.filter(lambda r, i: i % 3 == 0, with_indices=True),
    "input_columns": lambda ds: ds.filter(lambda s: s is not None and s > 3, input_columns="score"),
    "batched": lambda ds: ds.filter(lambda b: [len(t) > 20 for t in b["text"]], batched=True, batch_size=5),
    "fn_kwargs": lambda ds: ds.filter(lambda r, lab: r["label"] == lab, fn_kwargs={"lab": 2}),
    "none_kept": lambda ds: ds.filter(lambda r: False),
    "after_shuffle": lambda ds: ds.shuffle(seed=4).filter(lambda r: r["id"] % 2 == 0),
    "then_map": lambda ds: ds.filter(lambda r: r["label"] == 0).map(lambda r, i: {"i": i}, with_indices=True),
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_filter(name):
    ours, theirs = both(FILTERS[name])
    assert_same_dataset(ours, theirs, what=name)


def test_map_wrong_return_type_raises_like_hf():
    ours, theirs = pair_from_dict()
    with pytest.raises(TypeError):
        theirs.map(lambda r: 3)
    with pytest.raises(TypeError):
        ours.map(lambda r: 3)


# ---------------------------------------------------------------- cache

CALLS = {"n": 0}


def counted_upper(b):
    CALLS["n"] += 1
    return {"text": [t.upper() for t in b["text"]]}


def counted_suffix(b, suffix):
    CALLS["n"] += 1
    return {"text": [t + suffix for t in b["text"]]}


@pytest.mark.parametrize("side", ["tokenmill", "hf"])
def test_map_cache_reused_and_invalidated(tmp_path, side):
    ours, theirs = saved_pair(tmp_path, small_dict(50))
    ds = ours if side == "tokenmill" else theirs
    CALLS["n"] = 0
    first = ds.map(counted_upper, batched=True, batch_size=10)
    assert CALLS["n"] == 5
    CALLS["n"] = 0
    second = ds.map(counted_upper, batched=True, batch_size=10)
    assert CALLS["n"] == 0, f"{side}: the identical map ran again instead of reusing the cache"
    assert second.to_list() == first.to_list()
    assert second._fingerprint == first._fingerprint
    # a different argument recomputes
    CALLS["n"] = 0
    a = ds.map(counted_suffix, batched=True, batch_size=10, fn_kwargs={"suffix": "!"})
    assert CALLS["n"] == 5
    CALLS["n"] = 0
    b = ds.map(counted_suffix, batched=True, batch_size=10, fn_kwargs={"suffix": "?"})
    assert CALLS["n"] == 5, f"{side}: a different fn_kwargs reused a stale cache"
    assert b[0]["text"].endswith("?") and a[0]["text"].endswith("!")
    # a different function recomputes
    CALLS["n"] = 0
    ds.map(counted_suffix, batched=True, batch_size=10, fn_kwargs={"suffix": "!"})
    assert CALLS["n"] == 0
    CALLS["n"] = 0
    ds.map(lambda b: counted_upper(b) | {"x": [1] * len(b["text"])}, batched=True, batch_size=10)
    assert CALLS["n"] == 5
    # load_from_cache_file=False recomputes
    CALLS["n"] = 0
    ds.map(counted_upper, batched=True, batch_size=10, load_from_cache_file=False)
    assert CALLS["n"] == 5


def test_map_cache_results_equal_hf(tmp_path):
    ours, theirs = saved_pair(tmp_path, small_dict(50))
    a = ours.map(counted_upper, batched=True, batch_size=10)
    b = theirs.map(counted_upper, batched=True, batch_size=10)
    assert_same_dataset(a, b)
    assert len(ours.cache_files) == len(theirs.cache_files) == 1
    assert len(a.cache_files) >= 1, "a map over a disk-backed dataset should write a cache file"


def test_map_in_memory_not_cached():
    # HF: a dataset built in memory (from_dict) has no cache files, so map always runs
    ours, theirs = pair_from_dict(small_dict(20))
    for ds in (ours, theirs):
        ds.map(counted_upper, batched=True, batch_size=10)
        CALLS["n"] = 0
        ds.map(counted_upper, batched=True, batch_size=10)
        assert CALLS["n"] == 2
        assert ds.cache_files == []


def counted_keep(r):
    CALLS["n"] += 1
    return r["label"] == 1


@pytest.mark.parametrize("side", ["tokenmill", "hf"])
def test_filter_cache_reused(tmp_path, side):
    ours, theirs = saved_pair(tmp_path, small_dict(30))
    ds = ours if side == "tokenmill" else theirs
    CALLS["n"] = 0
    a = ds.filter(counted_keep)
    assert CALLS["n"] == 30
    CALLS["n"] = 0
    b = ds.filter(counted_keep)
    assert CALLS["n"] == 0, f"{side}: the identical filter ran again"
    assert a.to_list() == b.to_list()


TABLE = {"v": 1}


def from_table(r):
    return {"m": TABLE["v"]}


@needs_tokenmill("HF differs here")
def test_map_cache_sees_an_edited_global_table(tmp_path):
    # a global lookup table edited between two maps: the second map must not reuse the first's
    # cached output. tokenmill hashes the globals a function reads by value, always. HF does so for
    # functions defined in __main__ (a notebook, a script: dill pickles them with their globals)
    # but pickles a module's function by reference, so for this test module's function HF returns
    # the stale {1}; a wrong cached answer is worse than a recomputation, so we do not copy that.
    ds, _ = saved_pair(tmp_path, small_dict(12))
    side = "tokenmill"
    TABLE["v"] = 1
    assert set(ds.map(from_table)["m"]) == {1}
    TABLE["v"] = 2
    assert set(ds.map(from_table)["m"]) == {2}, f"{side}: a stale cached result came back"
    TABLE["v"] = 1
    assert set(ds.map(from_table)["m"]) == {1}


def test_map_num_proc():
    ours, theirs = both(lambda ds: ds.map(length, num_proc=2))
    assert_same_dataset(ours, theirs, what="map(num_proc=2)")
    ours, theirs = both(lambda ds: ds.map(upper_batch, batched=True, batch_size=4, num_proc=2))
    assert_same_dataset(ours, theirs, what="map(batched, num_proc=2)")


def rank_batch(b, idx, rank):
    return {"t": [t.upper() for t in b["text"]], "i": idx, "rank": [rank] * len(idx), "bs": [len(idx)] * len(idx)}


def test_map_num_proc_rank_indices_and_batches():
    # contiguous shards per worker as HF's shard(contiguous=True): 31 rows over 3 workers are
    # 11/10/10 rows, batches restart at each shard, indices stay global, rank is the worker's
    d = small_dict(31)
    ours, theirs = both(lambda ds: ds.map(rank_batch, batched=True, batch_size=4, with_indices=True, with_rank=True, num_proc=3), d)
    assert_same_dataset(ours, theirs, what="map(num_proc=3, with_rank)")
    assert sorted(set(ours["rank"])) == [0, 1, 2]
    # without num_proc the rank is None, as in HF
    ours, theirs = both(lambda ds: ds.map(lambda r, i, k: {"k": k}, with_indices=True, with_rank=True), d)
    assert_same_dataset(ours, theirs, what="map(with_rank) in one process")


def test_filter_num_proc():
    d = small_dict(31)
    ours, theirs = both(lambda ds: ds.filter(lambda r, i, k: i % 3 == k, with_indices=True, with_rank=True, num_proc=3), d)
    assert_same_dataset(ours, theirs, what="filter(num_proc=3, with_rank)")
    ours, theirs = both(lambda ds: ds.filter(lambda b: [s is not None for s in b["score"]], batched=True, batch_size=5, num_proc=2), d)
    assert_same_dataset(ours, theirs, what="filter(batched, num_proc=2)")


def logged_upper(b, log):
    import os

    with open(log, "a") as f:
        f.write(f"{os.getpid()}\n")
    return {"text": [t.upper() for t in b["text"]]}


@pytest.mark.parametrize("side", ["tokenmill", "hf"])
def test_map_num_proc_runs_in_workers_and_caches(tmp_path, side):
    import os

    ours, theirs = saved_pair(tmp_path, small_dict(40))
    ds = ours if side == "tokenmill" else theirs
    log = tmp_path / "calls.log"
    first = ds.map(logged_upper, batched=True, batch_size=5, num_proc=2, fn_kwargs={"log": str(log)})
    pids = log.read_text().split()
    assert len(pids) == 8
    assert len(set(pids)) == 2 and str(os.getpid()) not in pids, f"{side}: not run in two worker processes: {pids}"
    second = ds.map(logged_upper, batched=True, batch_size=5, num_proc=2, fn_kwargs={"log": str(log)})
    assert len(log.read_text().split()) == 8, f"{side}: the identical num_proc map ran again"
    assert second.to_list() == first.to_list() == ds.map(logged_upper, batched=True, fn_kwargs={"log": str(log)}).to_list()


def fail_on_row_33(r, i):
    if i == 33:
        raise KeyError(f"bad row {i}")
    return {"i": i}


def test_map_num_proc_worker_error_and_too_many_procs():
    ours, theirs = pair_from_dict(small_dict(40))
    for ds in (ours, theirs):
        with pytest.raises(KeyError, match="bad row 33"):
            ds.map(fail_on_row_33, with_indices=True, num_proc=2)
    ours, theirs = pair_from_dict(small_dict(3))
    with pytest.warns(UserWarning, match="num_proc must be <= 3"):
        a = ours.map(upper, num_proc=8)
    assert_same_dataset(a, theirs.map(upper, num_proc=3), what="num_proc > rows")


def test_map_on_disk_backed_equals_hf(tmp_path):
    ours, theirs = saved_pair(tmp_path, small_dict(64))
    for name in ("batched", "unbatched_with_indices", "batched_grows_rows", "map_nested_output"):
        assert_same_dataset(MAPS[name](ours), MAPS[name](theirs), what=f"disk-backed {name}")


def test_map_returning_numpy_and_arrow():
    import numpy as np
    import pandas as pd

    for name, fn in {
        "numpy_batched": lambda b: {"a": np.array([len(t) for t in b["text"]], dtype=np.int32),
                                    "m": np.ones((len(b["text"]), 3), dtype=np.float32)},
        "pandas_batched": lambda b: {"a": pd.Series([len(t) for t in b["text"]], dtype="int16")},
    }.items():
        ours, theirs = both(lambda ds: ds.map(fn, batched=True, batch_size=6))
        assert_same_dataset(ours, theirs, what=name)
    ours, theirs = both(lambda ds: ds.map(lambda r: {"v": np.int16(len(r["text"])), "arr": np.arange(3)}))
    assert_same_dataset(ours, theirs, what="numpy in unbatched map")


def test_map_all_null_first_batch_raises_like_hf():
    # None in the whole first written batch, ints later: HF 5.2 raises a TypeError naming the column
    f = lambda b, idx: {"x": [None if i < 10 else i for i in idx]}  # noqa: E731
    ours, theirs = pair_from_dict()
    with pytest.raises(Exception) as h:
        theirs.map(f, batched=True, batch_size=10, with_indices=True)
    try:
        res = ours.map(f, batched=True, batch_size=10, with_indices=True)
    except Exception as e:  # noqa: BLE001
        assert isinstance(e, type(h.value)), (type(e), type(h.value))
        assert "x" in str(e)
    else:
        # accepting it is fine only if the values survive
        assert res["x"][:] == [None] * 10 + list(range(10, 40))


def test_filter_numpy_bools():
    import numpy as np

    ours, theirs = both(lambda ds: ds.filter(lambda b: np.array(b["label"]) == 2, batched=True))
    assert_same_dataset(ours, theirs)


CROSS_PROCESS = r"""
import os, sys
if sys.argv[1] == "hf" or os.environ.get("TOKENMILL_DS_IMPL", "").lower() == "hf":
    import datasets as lib
else:
    import tokenmill as lib
lib.disable_progress_bars()
calls = [0]
def shout(b):
    calls[0] += 1
    return {{"text": [t.upper() + "!" for t in b["text"]]}}
ds = lib.load_from_disk(sys.argv[2])
out = ds.map(shout, batched=True, batch_size=10)
print(calls[0], out[0]["text"])
"""


@pytest.mark.parametrize("side", ["tokenmill", "hf"])
def test_map_cache_reused_across_processes(tmp_path, side):
    import os
    import subprocess
    import sys

    hf.Dataset.from_dict(small_dict(30)).save_to_disk(str(tmp_path / "src"))
    code = CROSS_PROCESS.replace("{{", "{").replace("}}", "}")
    env = dict(os.environ)  # the same TOKENMILL_CACHE / HF_DATASETS_CACHE (set by datasets_compare) in both runs
    outs = [subprocess.run([sys.executable, "-c", code, side, str(tmp_path / "src")], capture_output=True, text=True, env=env)
            for _ in range(2)]
    for o in outs:
        assert o.returncode == 0, o.stderr[-2000:]
    first, second = (o.stdout.strip().splitlines()[-1] for o in outs)
    assert first.split(" ", 1)[0] == "3", first
    assert second.split(" ", 1)[0] == "0", f"{side}: a new process recomputed the same map: {second}"
    assert first.split(" ", 1)[1] == second.split(" ", 1)[1]


@pytest.mark.parametrize("side", ["tokenmill", "hf"])
def test_map_cache_file_name_and_keep_in_memory(tmp_path, side):
    ours, theirs = saved_pair(tmp_path, small_dict(20))
    ds = ours if side == "tokenmill" else theirs
    target = tmp_path / f"{side}-mapped.arrow"
    CALLS["n"] = 0
    a = ds.map(counted_upper, batched=True, batch_size=10, cache_file_name=str(target))
    assert CALLS["n"] == 2 and target.exists()
    assert [f["filename"] for f in a.cache_files] == [str(target)]
    CALLS["n"] = 0
    b = ds.map(counted_upper, batched=True, batch_size=10, cache_file_name=str(target))
    assert CALLS["n"] == 0, f"{side}: cache_file_name was not reused"
    assert a.to_list() == b.to_list()
    c = ds.map(counted_upper, batched=True, batch_size=10, keep_in_memory=True)
    assert c.cache_files == []
    assert c.to_list() == a.to_list()


def _inplace(ex):
    ex["text"] = ex["text"].lower()
    ex["new"] = ex["id"] * 10
    return ex


def _inplace_batch(b):
    b["text"] = [t[::-1] for t in b["text"]]
    return b


MORE_MAPS = {
    "inplace_row": lambda ds: ds.map(_inplace),
    "inplace_batch": lambda ds: ds.map(_inplace_batch, batched=True, batch_size=7),
    "remove_and_reoutput": lambda ds: ds.map(lambda r: {"text": r["text"] + "?"}, remove_columns=["text"]),
    "batched_input_cols_indices": lambda ds: ds.map(lambda t, y, idx: {"k": [f"{a}{b}{i}" for a, b, i in zip(t, y, idx)]},
                                                    batched=True, input_columns=["text", "label"], with_indices=True, batch_size=6),
    "batch_size_none": lambda ds: ds.map(lambda b: {"bs": [len(b["id"])] * len(b["id"])}, batched=True, batch_size=None),
    "batch_size_zero": lambda ds: ds.map(lambda b: {"bs": [len(b["id"])] * len(b["id"])}, batched=True, batch_size=0),
    "empty_dict_return": lambda ds: ds.map(lambda r: {}),
    "filter_batch_size_none": lambda ds: ds.filter(lambda b: [i % 2 == 1 for i in b["id"]], batched=True, batch_size=None),
    "map_remove_all_then_new": lambda ds: ds.map(lambda r: {"only": 1}, remove_columns=ds.column_names),
}


@pytest.mark.parametrize("name", list(MORE_MAPS))
def test_map_more(name):
    ours, theirs = both(MORE_MAPS[name])
    assert_same_dataset(ours, theirs, what=name)


SUFFIX = "!"


def add_suffix(b):
    return {"text": [t + SUFFIX for t in b["text"]]}


@needs_tokenmill("HF 5.2 hashes a module-level function by reference and reuses a stale cache here")
def test_map_cache_not_stale_after_a_global_changes(tmp_path):
    # HF 5.2 returns ['a!', 'b!'] twice (stale cache) for a function of an importable module;
    # tokenmill must not: a global's new value is a different computation
    global SUFFIX
    ds, _ = saved_pair(tmp_path, {"text": ["a", "b"]})
    side = "tokenmill"
    try:
        SUFFIX = "!"
        assert ds.map(add_suffix, batched=True)["text"][:] == ["a!", "b!"]
        SUFFIX = "?"
        assert ds.map(add_suffix, batched=True)["text"][:] == ["a?", "b?"], f"{side}: stale cache after a global changed"
    finally:
        SUFFIX = "!"


def test_map_cache_recomputes_for_another_dataset(tmp_path):
    a_tm, a_hf = saved_pair(tmp_path, {"text": ["x", "y"]}, name="a")
    b_tm, b_hf = saved_pair(tmp_path, {"text": ["p", "q", "r"]}, name="b")
    for a, b in ((a_tm, b_tm), (a_hf, b_hf)):
        assert a.map(upper_batch, batched=True)["text"][:] == ["X", "Y"]
        assert b.map(upper_batch, batched=True)["text"][:] == ["P", "Q", "R"]


# ---------------------------------------------------------------- cleanup_cache_files
# HF removes the cache files in the dataset's cache directory (those of datasets derived from the
# same loaded source) except the ones the dataset uses; the cache files of other sources stay.


def plus_one(r):
    return {"y": r["x"] + 1}


def twice(r):
    return {"z": r["x"] * 2}


def minus_one(r):
    return {"w": r["x"] - 1}


def two_sources(tmp_path):
    a = tmp_path / "a.csv"
    a.write_text("x,t\n1,a\n2,b\n3,c\n4,d\n")
    b = tmp_path / "b.csv"
    b.write_text("x,t\n10,p\n20,q\n")
    return str(a), str(b)


def loader(side, tmp_path, monkeypatch):
    """`load_dataset` of `side` with its cache in a folder of this test only."""
    lib = tm if side == "tokenmill" else hf
    cache = str(tmp_path / f"cache-{side}")
    # tokenmill's load_dataset(cache_dir=) sets TOKENMILL_CACHE; monkeypatch restores it afterwards
    monkeypatch.setenv("TOKENMILL_CACHE", cache)
    return lib, lambda path: lib.load_dataset("csv", data_files=path, split="train", cache_dir=cache)


def files_of(*datasets):
    return [f["filename"] for d in datasets for f in d.cache_files]


@pytest.mark.parametrize("side", ["tokenmill", "hf"])
def test_cleanup_cache_files_removes_only_the_same_sources_entries(tmp_path, monkeypatch, side):
    _, load = loader(side, tmp_path, monkeypatch)
    path_a, path_b = two_sources(tmp_path)
    a, b = load(path_a), load(path_b)
    a1 = a.map(plus_one)
    a2 = a1.map(twice)
    b1 = b.map(plus_one)
    b2 = b1.map(twice)
    assert a2.cleanup_cache_files() == 1, f"{side}: only a1's cache file is a removable relative of a2"
    assert files_of(a1) and not any(os.path.exists(f) for f in files_of(a1)), f"{side}: a1's cache file survived"
    kept = files_of(a, a2, b, b1, b2)
    assert all(os.path.exists(f) for f in kept), f"{side}: removed {[f for f in kept if not os.path.exists(f)]}"
    # B's datasets (live objects of another source) still read, also when reopened by path
    assert b2["z"][:] == [20, 40] and b1["y"][:] == [11, 21] and a2["z"][:] == [2, 4, 6, 8]
    assert b2.map(minus_one)["w"][:] == [9, 19]
    assert a2.cleanup_cache_files() == 0
    assert b1.cleanup_cache_files() == 2  # b2 and b2.map(minus_one), never the loaded source b
    assert all(os.path.exists(f) for f in files_of(a, a2, b, b1))


def test_cleanup_cache_files_count_equals_hf(tmp_path, monkeypatch):
    # one cache entry of ours is one HF cache file: a map output, each rank of a num_proc map, a
    # filter's indices
    counts = {}
    for side in ("tokenmill", "hf"):
        _, load = loader(side, tmp_path, monkeypatch)
        path_a, path_b = two_sources(tmp_path)
        a, b = load(path_a), load(path_b)
        a1 = a.map(plus_one)
        a.map(minus_one, num_proc=2)
        a.filter(lambda r: r["x"] > 1)
        a2 = a1.map(twice)
        b2 = b.map(plus_one).map(twice)
        counts[side] = (a2.cleanup_cache_files(), b2.cleanup_cache_files(), a.cleanup_cache_files())
    assert counts["tokenmill"] == counts["hf"] == (4, 1, 1)


@pytest.mark.parametrize("side", ["tokenmill", "hf"])
def test_cleanup_cache_files_in_memory_is_zero(tmp_path, monkeypatch, side):
    lib, load = loader(side, tmp_path, monkeypatch)
    path_a, _ = two_sources(tmp_path)
    a1 = load(path_a).map(plus_one)
    mem = lib.Dataset.from_dict({"x": [1, 2, 3]})
    assert mem.cleanup_cache_files() == 0
    assert mem.map(plus_one).cleanup_cache_files() == 0
    assert all(os.path.exists(f) for f in files_of(a1)), f"{side}: an in-memory dataset removed cache files"


# ---------------------------------------------------------------- string columns crossing natively

ODD_TEXTS = ["", "plain ascii", "héllo wörld", "日本語のテキスト", "مرحبا", "emoji 🎉👍🏽", "tab\there\nnewline", "x" * 5000,
             "ß→SS", "İstanbul", "\u00e9" * 300, "mixed é 日 🎉 end"]


def _odd_dict(n=60):
    return {
        "id": list(range(n)),
        "text": [None if i % 11 == 5 else ODD_TEXTS[i % len(ODD_TEXTS)] for i in range(n)],
    }


class _Str(str):
    pass


STRING_MAPS = {
    "lower": lambda ds: ds.map(lambda b: {"text": [None if t is None else t.lower() for t in b["text"]]}, batched=True, batch_size=7),
    "identity": lambda ds: ds.map(lambda b: b, batched=True, batch_size=13),
    "new_column_with_nones": lambda ds: ds.map(lambda b: {"t2": [None if t is None else t[::-1] for t in b["text"]]}, batched=True, batch_size=5),
    "str_subclass_values": lambda ds: ds.map(lambda b: {"s": [_Str(t or "") for t in b["text"]]}, batched=True, batch_size=9),
    "all_none_batch_then_strings": lambda ds: ds.map(lambda b: {"s": [None if i < 10 else str(i) for i in b["id"]]}, batched=True, batch_size=10),
    "large_string_kept": lambda ds: ds.cast_column("text", hf.Value("large_string")).map(
        lambda b: {"text": [None if t is None else t.upper() for t in b["text"]]}, batched=True, batch_size=8),
    "filter_on_text": lambda ds: ds.filter(lambda b: [t is not None and len(t) > 8 for t in b["text"]], batched=True, batch_size=6),
}


@pytest.mark.parametrize("name", list(STRING_MAPS))
def test_string_columns_as_hf(tmp_path, name):
    # file-backed on both sides (the map path that reads shards and writes cache files)
    ours, theirs = saved_pair(tmp_path, _odd_dict())
    try:
        expected = STRING_MAPS[name](theirs)
    except Exception as e:  # HF rejects it: so must we, with the same exception type
        with pytest.raises(type(e)):
            STRING_MAPS[name](ours)
        return
    assert_same_dataset(STRING_MAPS[name](ours), expected, what=name)


def test_native_string_conversions_match_pyarrow():
    pa = pytest.importorskip("pyarrow")
    import random

    from tokenmill import _tokenmill as native

    rng = random.Random(7)
    alphabet = ["a", "Z", " ", "\n", "é", "ß", "日", "م", "🎉", "\u0301", "\x00"]
    for trial in range(200):
        vals = [None if rng.random() < 0.1 else "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
                for _ in range(rng.randrange(0, 30))]
        for typ in (pa.string(), pa.large_string(), pa.string_view()):
            arr = pa.array(vals, type=typ)
            assert native._strings_to_list(arr) == arr.to_pylist() == vals
            if len(arr) > 2:
                assert native._strings_to_list(arr.slice(1, len(arr) - 2)) == vals[1:-1]
        for large in (False, True):
            got = native._strings_from_list(vals, large)
            if all(v is None for v in vals):
                assert got is None  # pyarrow infers the null type: left to it
                continue
            want = pa.array(vals, type=pa.large_string() if large else pa.string())
            assert pa.array(got).equals(want), (trial, vals)
    # what it leaves to pyarrow
    assert native._strings_to_list(pa.array([1, 2])) is None
    assert native._strings_from_list(["a", 1], False) is None
    assert native._strings_from_list(("a", "b"), False) is None
    assert native._strings_from_list(["a", "\ud800"], False) is None  # lone surrogate: pyarrow's error


def test_num_proc_map_after_the_pools_started(tmp_path):
    # A map in this process starts tokenmill's worker pool (it reads the next batch ahead on it);
    # forked num_proc workers must not wait on the parent's pool threads, which they lack. Run in
    # a subprocess with a timeout, so a hang fails the test instead of stopping the suite.
    import subprocess
    import sys

    hf.Dataset.from_dict(small_dict(400)).save_to_disk(str(tmp_path / "src"))
    code = f"""
import tokenmill as L
L.disable_progress_bars()
ds = L.load_from_disk({str(tmp_path / "src")!r})
a = ds.map(lambda b: {{"n": [len(t) for t in b["text"]]}}, batched=True, batch_size=16)
b = ds.map(lambda b: {{"n": [len(t) for t in b["text"]]}}, batched=True, batch_size=16, num_proc=2,
           load_from_cache_file=False)
assert a["n"] == b["n"] and len(b) == 400
print("ok")
"""
    env = dict(os.environ, TOKENMILL_CACHE=str(tmp_path / "cache"))
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert p.returncode == 0 and p.stdout.strip() == "ok", p.stderr[-2000:]


def test_mixed_type_outputs_name_the_unsupported_json_feature():
    # HF datasets 5 stores a column of mixed types with its Json feature; tokenmill has no Json
    # feature and says so instead of storing something else
    ours, _ = pair_from_dict()
    with pytest.raises(TypeError, match="Json"):
        ours.map(lambda b: {"m": [str(i) if i % 2 else i for i in b["id"]]}, batched=True)
    with pytest.raises(NotImplementedError, match="Json"):
        ours.map(lambda b: b, batched=True, on_mixed_types="use_json")
