"""``Dataset.map`` / ``Dataset.filter`` with Python callables (HF semantics). Batches are read
zero-copy from the shards into pyarrow and handed to the function as dicts of lists
(``to_pydict``'s values, the same copies HF makes; string columns are made natively, see
``formatting.column_pylist``); outputs become Arrow batches (pyarrow type inference, the
original type tried first for replaced columns; lists of str are built natively), are merged
with the kept input columns, and stream through the native shard writer into the cache entry of
the output's fingerprint. The fingerprint hashes the function (see ``fingerprint``), its
arguments and the input's fingerprint: running the same pipeline again opens the cached shards
without calling the function."""

from __future__ import annotations

import os
from array import array
from collections.abc import Mapping

from .. import _tokenmill as _tm
from . import fingerprint as _fp
from . import formatting as _formatting
from .progress import bar as _bar


def _pa():
    import pyarrow as pa

    return pa


def _cached(fp, load_from_cache_file):
    if load_from_cache_file is False:
        return None
    path = os.path.join(_tm._cache_dir(), fp)
    try:
        ds = _tm._Dataset.open(path)
    except Exception:
        return None
    return ds if ds.fingerprint == fp else None


def _to_arrays(out, n_expected, original, try_original_type):
    """A function's output (dict of columns, pyarrow Table/RecordBatch, pandas/polars DataFrame)
    as an ordered dict name → pyarrow Array."""
    pa = _pa()
    if isinstance(out, (pa.Table, pa.RecordBatch)):
        return {n: c for n, c in zip(out.column_names, out.columns)}
    if hasattr(out, "__arrow_c_stream__") and not isinstance(out, Mapping):
        t = pa.table(out)
        return {n: c for n, c in zip(t.column_names, t.columns)}
    if type(out).__module__.startswith("pandas"):
        t = pa.Table.from_pandas(out, preserve_index=False)
        return {n: c for n, c in zip(t.column_names, t.columns)}
    arrays = {}
    for name, values in out.items():
        if isinstance(values, (pa.Array, pa.ChunkedArray)):
            arrays[name] = values
            continue
        if hasattr(values, "numpy") and type(values).__module__.startswith("torch"):
            values = values.numpy()
        if hasattr(values, "ndim") and getattr(values, "ndim", 1) > 1:
            values = list(values)
        if type(values).__module__.startswith(("pandas", "polars")):
            values = values.to_list() if hasattr(values, "to_list") else list(values)
        arr = None
        if isinstance(values, list):
            # a list of str: built natively (pylists.rs), as pa.array would type it
            target = original.get(name) if try_original_type else None
            if target is None or pa.types.is_string(target) or pa.types.is_large_string(target):
                fast = _tm._strings_from_list(values, target is not None and pa.types.is_large_string(target))
                if fast is not None:
                    arrays[name] = pa.array(fast)
                    continue
        if try_original_type and name in original:
            try:
                arr = pa.array(values, type=original[name])
            except Exception:
                arr = None
        if arr is None:
            try:
                arr = pa.array(values)
            except Exception as e:
                raise TypeError(
                    f"column {name!r}: the values returned by the function cannot be converted to Arrow: {e} "
                    "(values of mixed types in one column: HF datasets 5 stores such a column with its Json "
                    "feature, which tokenmill does not support; return one type per column)"
                ) from e
        arrays[name] = arr
    return arrays


def _check_output(out, batched):
    if out is None or isinstance(out, Mapping):
        return
    pa = _pa()
    if isinstance(out, (pa.Table, pa.RecordBatch)) or type(out).__module__.startswith(("pandas", "polars")):
        return
    kind = "a batch" if batched else "an example"
    raise TypeError(
        f"Provided `function` which is applied to all elements of table returns a variable of type {type(out)}. "
        f"Make sure provided `function` returns a variable of type `dict` (or a pyarrow table) to update the dataset "
        f"or `None` if you are only interested in side effects. (applied to {kind})"
    )


def _fn_args(function, batch_dict, input_columns, indices, with_indices, fn_kwargs, with_rank=False, rank=None):
    if input_columns is None:
        args = [batch_dict]
    else:
        args = [batch_dict[c] for c in input_columns]
    if with_indices:
        args.append(indices)
    if with_rank:
        args.append(rank)  # HF: the worker's rank, None in a single process
    return function(*args, **fn_kwargs)


def _apply(function, table, start, *, batched, input_columns, with_indices, fn_kwargs, with_rank=False, rank=None):
    """Runs the function on `table` (rows start..start+n); returns (output dict-like or None,
    row count of the output), for batched and per-example functions alike."""
    n = table.num_rows
    cols = input_columns if input_columns is not None else table.column_names
    if batched:
        batch = _formatting.table_pydict(table, cols)
        indices = list(range(start, start + n))
        out = _fn_args(function, batch, input_columns, indices, with_indices, fn_kwargs, with_rank, rank)
        _check_output(out, True)
        return out
    rows = table.select(cols).to_pylist()
    outs = []
    for i, row in enumerate(rows):
        out = _fn_args(function, row, input_columns, start + i, with_indices, fn_kwargs, with_rank, rank)
        _check_output(out, False)
        outs.append(out)
    if all(o is None for o in outs):
        return None
    if any(o is None for o in outs):
        raise TypeError("the function returned None for some examples and a dict for others")
    pa = _pa()
    if isinstance(outs[0], (pa.Table, pa.RecordBatch)):
        return pa.concat_tables([o if isinstance(o, pa.Table) else pa.Table.from_batches([o]) for o in outs])
    keys = list(outs[0].keys())
    merged = {k: [] for k in keys}
    for o in outs:
        if list(o.keys()) != keys and set(o.keys()) != set(keys):
            raise ValueError(f"the function returned keys {list(o.keys())} for one example and {keys} for another")
        for k in keys:
            merged[k].append(o[k])
    return merged


def map_dataset(ds, function, *, with_indices, with_rank, input_columns, batched, batch_size, drop_last_batch, remove_columns, load_from_cache_file, features, fn_kwargs, new_fingerprint, desc, try_original_type, keep_in_memory=False, cache_file_name=None, num_proc=None):
    from .arrow_dataset import _schema_of
    from .features import features_json

    pa = _pa()
    if isinstance(input_columns, str):
        input_columns = [input_columns]
    if isinstance(remove_columns, str):
        remove_columns = [remove_columns]
    remove_columns = list(remove_columns or [])
    for group, what in ((input_columns or [], "Input column"), (remove_columns, "Column to remove")):
        missing = [c for c in group if c not in ds.column_names]
        if missing:
            raise ValueError(f"{what} {missing} not in the dataset. Current columns in the dataset: {ds.column_names}")
    fn_kwargs = dict(fn_kwargs or {})
    if batch_size is None or batch_size <= 0:
        batch_size = max(len(ds), 1)

    # A tokenmill tokenizer as the function: the native parallel tokenize map.
    if function is not None and _tm._is_native_tokenizer(function):
        column = (input_columns or ["text"])[0]
        out = ds.tokenize(function, column=column, desc=desc)
        return out.remove_columns(remove_columns) if remove_columns else out

    if function is None:
        return ds.remove_columns(remove_columns) if remove_columns else ds

    fp = new_fingerprint or _fp.fingerprint_of(
        ds._fingerprint,
        "map",
        function,
        {
            "with_indices": with_indices,
            "input_columns": input_columns,
            "batched": batched,
            "batch_size": batch_size if batched else None,
            "drop_last_batch": drop_last_batch,
            "remove_columns": remove_columns,
            "features": features_json(features) if features is not None else None,
            "fn_kwargs": fn_kwargs,
            "try_original_type": try_original_type,
        },
    )
    in_memory = ds._ds.is_in_memory() or keep_in_memory
    # HF caches map results of datasets backed by files only; in-memory datasets recompute and
    # their results stay in memory
    if cache_file_name is not None and not keep_in_memory:
        cache_file_name = os.path.abspath(os.fspath(cache_file_name))
        if load_from_cache_file is not False and os.path.isfile(cache_file_name):
            try:
                hit = _tm._Dataset.from_files([cache_file_name], None, fp, ds.split)
                return ds._new(_with_features(hit, features))
            except Exception:
                pass
        in_memory = False
    hit = None if in_memory or cache_file_name is not None else _cached(fp, load_from_cache_file)
    if hit is not None:
        return ds._new(_with_features(hit.with_split(ds.split), features))

    target_schema = _schema_of(features) if features is not None else None
    job = _MapJob(
        function=function, batched=batched, step=batch_size if batched else 1000, drop_last_batch=drop_last_batch,
        input_columns=input_columns, with_indices=with_indices, with_rank=with_rank, fn_kwargs=fn_kwargs,
        remove_columns=remove_columns, try_original_type=try_original_type, target_schema=target_schema,
        original={f.name: f.type for f in pa.schema(ds._ds.schema())},
    )
    n = len(ds)
    procs = _processes(num_proc, n)
    if procs > 1 and cache_file_name is None:
        native = _map_parallel(ds, job, fp, procs, in_memory, load_from_cache_file, desc or "Map")
        return ds._new(_with_features(native, features))

    out_path = os.path.join(_tm._cache_dir(), fp) if cache_file_name is None else cache_file_name + ".tmpdir"
    if in_memory:
        writer = _MemoryWriter(fp, ds.split)
    elif cache_file_name is not None:
        writer = _tm._Writer(out_path, fp, ds.split, 2**62)  # one shard: the file asked for
    else:
        writer = _tm._Writer(out_path, fp, ds.split)
    progress = _bar(desc or "Map")
    if progress is not None:
        progress.start(desc or "Map", n)
    try:
        native = _map_range(ds, job, 0, n, writer, progress, rank=None)
    finally:
        if progress is not None:
            progress.close()
    if cache_file_name is None and not in_memory:
        # the entry derives from `ds`: only cleanup_cache_files of its relatives may remove it
        _tm._record_lineage(out_path, ds._ds)
    if cache_file_name is not None and not in_memory:
        native = _move_to_file(native, out_path, cache_file_name, fp, ds.split)
    return ds._new(_with_features(native, features))


class _MapJob:
    """What one map runs over each batch (shared by the single-process loop and the workers)."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def _batches(ds, lo, hi, step):
    """(first row, pyarrow Table) of each batch of `step` rows in lo..hi, read zero-copy; the next
    batch is read on a worker thread while the caller works on this one."""
    pa = _pa()
    ahead = ds._ds.prefetch(lo, min(step, hi - lo)) if lo < hi else None
    for start in range(lo, hi, step):
        cur = ahead
        nxt = start + step
        ahead = ds._ds.prefetch(nxt, min(step, hi - nxt)) if nxt < hi else None
        yield start, pa.table(cur.result())


def _map_range(ds, job, lo, hi, writer, progress, rank):
    """Runs `job` over rows lo..hi of `ds` in batches starting at `lo` (HF: a worker's batches
    start at its shard's first row), streaming the output into `writer`; returns the finished
    native dataset."""
    pa = _pa()
    remove_columns = job.remove_columns
    first_schema = None
    written = 0
    try:
        for start, table in _batches(ds, lo, hi, job.step):
            if job.batched and job.drop_last_batch and start + job.step > hi:
                break
            out = _apply(job.function, table, start, batched=job.batched, input_columns=job.input_columns, with_indices=job.with_indices, fn_kwargs=job.fn_kwargs, with_rank=job.with_rank, rank=rank)
            kept = {name: col for name, col in zip(table.column_names, table.columns) if name not in remove_columns}
            if out is None:
                merged = kept
            else:
                arrays = _to_arrays(out, table.num_rows, job.original, job.try_original_type)
                lengths = {len(a) for a in arrays.values()}
                if len(lengths) > 1:
                    raise ValueError(f"Column lengths mismatch: columns {list(arrays)} have lengths {sorted(lengths)}")
                # input columns the output does not replace cannot follow a new row count
                if any(k not in arrays for k in kept) and lengths and lengths != {table.num_rows}:
                    raise ValueError(
                        f"Column lengths mismatch: the function returned {lengths.pop()} rows for a batch of "
                        f"{table.num_rows}; remove the input columns (remove_columns=...) to change the number of rows"
                    )
                # HF: outputs replace input columns in place (even removed ones they re-output),
                # new ones follow
                merged = {}
                for name, col in zip(table.column_names, table.columns):
                    if name in arrays:
                        merged[name] = arrays[name]
                    elif name not in remove_columns:
                        merged[name] = col
                for name, arr in arrays.items():
                    if name not in merged:
                        merged[name] = arr
            if not merged:
                raise ValueError("map: the output has no columns (every input column removed and nothing returned)")
            batch = pa.table(merged)
            if job.target_schema is not None:
                batch = batch.select(job.target_schema.names).cast(job.target_schema)
            if first_schema is None:
                first_schema = batch.schema
            else:
                _check_null_columns(first_schema, batch, written)
            written += batch.num_rows
            if batch.num_rows or writer.rows == 0:
                writer.write(batch)
            if progress is not None:
                progress.update(table.num_rows)
        if writer.rows == 0:
            empty_schema = job.target_schema or pa.schema([f for f in pa.schema(ds._ds.schema()) if f.name not in remove_columns])
            return writer.finish(empty_schema.empty_table())
        return writer.finish()
    except BaseException:
        writer.abort()
        raise


# ---------------------------------------------------------------------------- num_proc

def _processes(num_proc, n):
    """How many worker processes a map/filter with `num_proc` runs (HF: never more than rows)."""
    if num_proc is None or num_proc <= 1 or n <= 1:
        return 1
    if num_proc > n:
        import warnings

        warnings.warn(f"num_proc must be <= {n}. Reducing num_proc to {n} for dataset of size {n}.", stacklevel=4)
        num_proc = n
    if not _can_fork():
        return 1
    return num_proc


def _can_fork():
    """Workers are forked (they inherit the function, so it need not pickle); where fork is not
    offered (Windows) the map runs in this process, saying so once."""
    import multiprocessing

    if "fork" in multiprocessing.get_all_start_methods():
        return True
    global _SAID_NO_FORK
    if not _SAID_NO_FORK:
        import warnings

        warnings.warn("num_proc > 1 needs the 'fork' start method, which this platform lacks: running in one process", stacklevel=5)
        _SAID_NO_FORK = True
    return False


_SAID_NO_FORK = False

# The job of the pool being forked: workers inherit it (set just before the fork, cleared after).
_FORKED_JOB = None


def _shard_range(n, num_shards, index):
    """Rows of HF's `shard(num_shards, index, contiguous=True)`: the first n % num_shards shards
    have one row more."""
    div, mod = divmod(n, num_shards)
    start = div * index + min(index, mod)
    return start, start + div + (1 if index < mod else 0)


def _rank_dir(fp, rank, procs):
    return os.path.join(_tm._cache_dir(), f"{fp}_{rank:05d}_of_{procs:05d}")


def _run_forked(rank):
    """In a worker: run the inherited job over this rank's rows; returns (rank, rows in, rows out)."""
    kind, ds, job, fp, procs = _FORKED_JOB
    lo, hi = _shard_range(len(ds), procs, rank)
    if kind == "filter":
        return rank, hi - lo, _filter_range(ds, job, lo, hi, None, rank)
    writer = _tm._Writer(_rank_dir(fp, rank, procs), f"{fp}_{rank:05d}", ds.split)
    native = _map_range(ds, job, lo, hi, writer, None, rank=rank)
    return rank, hi - lo, native.num_rows


def _fork_pool(kind, ds, job, fp, procs, ranks, progress):
    """Runs `ranks` in `procs` forked workers; returns {rank: result}. Progress advances as
    ranks finish. A worker's exception is raised here."""
    import multiprocessing

    global _FORKED_JOB
    ctx = multiprocessing.get_context("fork")
    _FORKED_JOB = (kind, ds, job, fp, procs)
    results = {}
    try:
        with ctx.Pool(min(procs, len(ranks))) as pool:
            for rank, rows_in, res in pool.imap_unordered(_run_forked, ranks):
                results[rank] = res
                if progress is not None:
                    progress.update(rows_in)
    finally:
        _FORKED_JOB = None
    return results


def _map_parallel(ds, job, fp, procs, in_memory, load_from_cache_file, desc):
    """HF's map with num_proc: contiguous shards, one per worker, each written to its own cache
    entry (`<fingerprint>_<rank>_of_<num_proc>`); the result reads all of them in rank order. A
    rank whose entry exists is reused (unless load_from_cache_file=False)."""
    import shutil

    opened = {}
    if not in_memory and load_from_cache_file is not False:
        for rank in range(procs):
            try:
                d = _tm._Dataset.open(_rank_dir(fp, rank, procs))
            except Exception:
                continue
            if d.fingerprint == f"{fp}_{rank:05d}":
                opened[rank] = d
    todo = [r for r in range(procs) if r not in opened]
    if todo:
        for r in todo:
            shutil.rmtree(_rank_dir(fp, r, procs), ignore_errors=True)
        progress = _bar(desc)
        if progress is not None:
            progress.start(desc, sum(hi - lo for lo, hi in (_shard_range(len(ds), procs, r) for r in todo)))
        try:
            _fork_pool("map", ds, job, fp, procs, todo, progress)
        finally:
            if progress is not None:
                progress.close()
        for r in todo:
            opened[r] = _tm._Dataset.open(_rank_dir(fp, r, procs))
            _tm._record_lineage(_rank_dir(fp, r, procs), ds._ds)
    parts = [opened[r] for r in range(procs)]
    # a rank that output no rows holds only a schema (maybe not the others'): leave it out
    nonempty = [p for p in parts if p.num_rows] or parts[:1]
    files = [f for p in nonempty for f in p.data_files()]
    try:
        native = _tm._Dataset.from_files(files, None, fp, ds.split)
    except Exception as e:
        raise TypeError(f"map(num_proc={procs}): the workers' outputs have different columns or types ({e}); "
                        f"set the output types with features=") from e
    if in_memory:
        native = native.to_memory()
        for r in range(procs):
            shutil.rmtree(_rank_dir(fp, r, procs), ignore_errors=True)
    return native


def _move_to_file(native, out_dir, target, fp, split):
    """The single shard written in `out_dir` moved to `target` (HF's cache_file_name)."""
    import shutil

    files = native.data_files()
    if len(files) != 1:
        raise RuntimeError(f"map(cache_file_name=...): expected one shard, got {len(files)}")
    os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
    os.replace(files[0], target)
    shutil.rmtree(out_dir, ignore_errors=True)
    return _tm._Dataset.from_files([target], None, fp, split)


def _check_null_columns(first, batch, written):
    """HF's error for a column whose type was fixed to null by an all-None first batch."""
    pa = _pa()
    for f in first:
        if pa.types.is_null(f.type) and f.name in batch.column_names:
            col = batch.column(f.name)
            if not pa.types.is_null(col.type) and col.null_count < len(col):
                raise TypeError(
                    f"Couldn't write column '{f.name}': its type in this file is null, because the first {written} "
                    f"values written for it were all None. Set the type of '{f.name}' with features=, or make sure "
                    f"the first batch written contains a value that is not None."
                )


def _with_features(native, features):
    if features is None:
        return native
    from .features import features_json

    return native.with_features(features_json(features))


class _MemoryWriter:
    """The `_Writer` interface collecting batches in memory (map on an in-memory dataset)."""

    def __init__(self, fingerprint, split):
        self.fp = fingerprint
        self.split = split
        self.tables = []
        self.rows = 0

    def write(self, table):
        pa = _pa()
        if self.tables and table.schema != self.tables[0].schema:
            table = table.cast(self.tables[0].schema)
        self.tables.append(pa.table(table))
        self.rows += table.num_rows

    def finish(self, empty=None):
        pa = _pa()
        t = pa.concat_tables(self.tables) if self.tables else empty
        return _tm._Dataset.from_arrow_memory(t, self.fp).with_split(self.split)

    def abort(self):
        self.tables = []


def filter_dataset(ds, function, *, with_indices, input_columns, batched, batch_size, fn_kwargs, load_from_cache_file, new_fingerprint, desc, with_rank=False, num_proc=None):
    """HF's filter: the kept rows become an indices mapping over the same shards (no copy); the
    kept positions are cached by fingerprint."""
    if function is None:
        return ds
    if isinstance(input_columns, str):
        input_columns = [input_columns]
    missing = [c for c in (input_columns or []) if c not in ds.column_names]
    if missing:
        raise ValueError(f"Input column {missing} not in the dataset. Current columns in the dataset: {ds.column_names}")
    fn_kwargs = dict(fn_kwargs or {})
    if batch_size is None or batch_size <= 0:
        batch_size = max(len(ds), 1)
    fp = new_fingerprint or _fp.fingerprint_of(
        ds._fingerprint,
        "filter",
        function,
        {"with_indices": with_indices, "input_columns": input_columns, "batched": batched, "batch_size": batch_size if batched else None, "fn_kwargs": fn_kwargs},
    )
    cache_file = os.path.join(_tm._cache_dir(), fp, "indices.u64")
    in_memory = ds._ds.is_in_memory()
    if not in_memory and load_from_cache_file is not False and os.path.exists(cache_file):
        keep = array("Q")
        with open(cache_file, "rb") as f:
            keep.frombytes(f.read())
        return ds._new(ds._ds.select(keep.tolist(), fp))
    n = len(ds)
    job = _MapJob(function=function, batched=batched, step=batch_size if batched else 1000, input_columns=input_columns, with_indices=with_indices, with_rank=with_rank, fn_kwargs=fn_kwargs)
    procs = _processes(num_proc, n)
    progress = _bar(desc or "Filter")
    if progress is not None:
        progress.start(desc or "Filter", n)
    try:
        if procs > 1:
            parts = _fork_pool("filter", ds, job, fp, procs, list(range(procs)), progress)
            keep = array("Q")
            for r in range(procs):
                keep.extend(parts[r])
        else:
            keep = _filter_range(ds, job, 0, n, progress, None)
    finally:
        if progress is not None:
            progress.close()
    try:
        if in_memory:
            raise OSError("in-memory datasets are not cached")
        os.makedirs(os.path.dirname(cache_file), exist_ok=True)
        tmp = cache_file + ".tmp"
        with open(tmp, "wb") as f:
            f.write(keep.tobytes())
        os.replace(tmp, cache_file)
        _tm._record_lineage(os.path.dirname(cache_file), ds._ds)
    except OSError:
        pass
    return ds._new(ds._ds.select(keep.tolist(), fp))


def _filter_range(ds, job, lo, hi, progress, rank):
    """Positions (in `ds`) of the rows lo..hi the filter keeps, as an array of u64."""
    keep = array("Q")
    for start, table in _batches(ds, lo, hi, job.step):
        cols = job.input_columns if job.input_columns is not None else table.column_names
        if job.batched:
            batch = _formatting.table_pydict(table, cols)
            indices = list(range(start, start + table.num_rows))
            mask = _fn_args(job.function, batch, job.input_columns, indices, job.with_indices, job.fn_kwargs, job.with_rank, rank)
            if hasattr(mask, "tolist"):
                mask = mask.tolist()
            mask = list(mask)
            if len(mask) != table.num_rows:
                raise ValueError(f"the filter function returned {len(mask)} values for a batch of {table.num_rows} rows")
            keep.extend(start + i for i, m in enumerate(mask) if m)
        else:
            for i, row in enumerate(table.select(cols).to_pylist()):
                if _fn_args(job.function, row, job.input_columns, start + i, job.with_indices, job.fn_kwargs, job.with_rank, rank):
                    keep.append(start + i)
        if progress is not None:
            progress.update(table.num_rows)
    return keep
