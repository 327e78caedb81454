"""``Dataset.map`` / ``Dataset.filter`` with Python callables (HF semantics). Batches are read
zero-copy from the shards into pyarrow and handed to the function as dicts of lists
(``to_pydict``, the same copies HF makes); outputs become Arrow batches (pyarrow type inference,
the original type tried first for replaced columns), are merged with the kept input columns, and
stream through the native shard writer into the cache entry of the output's fingerprint. The
fingerprint hashes the function (see ``fingerprint``), its arguments and the input's fingerprint:
running the same pipeline again opens the cached shards without calling the function."""

from __future__ import annotations

import os
from array import array
from collections.abc import Mapping

from .. import _tokenmill as _tm
from . import fingerprint as _fp
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
        if try_original_type and name in original:
            try:
                arr = pa.array(values, type=original[name])
            except Exception:
                arr = None
        if arr is None:
            try:
                arr = pa.array(values)
            except Exception as e:
                raise TypeError(f"column {name!r}: the values returned by the function cannot be converted to Arrow: {e}") from e
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


def _fn_args(function, batch_dict, input_columns, indices, with_indices, fn_kwargs):
    if input_columns is None:
        args = [batch_dict]
    else:
        args = [batch_dict[c] for c in input_columns]
    if with_indices:
        args.append(indices)
    return function(*args, **fn_kwargs)


def _apply(function, table, start, *, batched, input_columns, with_indices, fn_kwargs):
    """Runs the function on `table` (rows start..start+n); returns (output dict-like or None,
    row count of the output), for batched and per-example functions alike."""
    n = table.num_rows
    cols = input_columns if input_columns is not None else table.column_names
    if batched:
        batch = table.select(cols).to_pydict()
        indices = list(range(start, start + n))
        out = _fn_args(function, batch, input_columns, indices, with_indices, fn_kwargs)
        _check_output(out, True)
        return out
    rows = table.select(cols).to_pylist()
    outs = []
    for i, row in enumerate(rows):
        out = _fn_args(function, row, input_columns, start + i, with_indices, fn_kwargs)
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


def map_dataset(ds, function, *, with_indices, with_rank, input_columns, batched, batch_size, drop_last_batch, remove_columns, load_from_cache_file, features, fn_kwargs, new_fingerprint, desc, try_original_type, keep_in_memory=False, cache_file_name=None):
    from .arrow_dataset import Dataset, _schema_of
    from .features import features_json

    pa = _pa()
    if with_rank:
        raise ValueError("with_rank=True needs num_proc > 1, which runs in one process here")
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
    original = {f.name: f.type for f in pa.schema(ds._ds.schema())}
    out_path = os.path.join(_tm._cache_dir(), fp) if cache_file_name is None else cache_file_name + ".tmpdir"
    if in_memory:
        writer = _MemoryWriter(fp, ds.split)
    elif cache_file_name is not None:
        writer = _tm._Writer(out_path, fp, ds.split, 2**62)  # one shard: the file asked for
    else:
        writer = _tm._Writer(out_path, fp, ds.split)
    n = len(ds)
    step = batch_size if batched else 1000
    progress = _bar(desc or "Map")
    if progress is not None:
        progress.start(desc or "Map", n)
    first_schema = None
    written = 0
    try:
        for start in range(0, n, step):
            if batched and drop_last_batch and start + step > n:
                break
            table = pa.table(ds._ds.slice(start, step))
            out = _apply(function, table, start, batched=batched, input_columns=input_columns, with_indices=with_indices, fn_kwargs=fn_kwargs)
            kept = {name: col for name, col in zip(table.column_names, table.columns) if name not in remove_columns}
            if out is None:
                merged = kept
            else:
                arrays = _to_arrays(out, table.num_rows, original, try_original_type)
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
            if target_schema is not None:
                batch = batch.select(target_schema.names).cast(target_schema)
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
            empty_schema = target_schema or pa.schema([f for f in pa.schema(ds._ds.schema()) if f.name not in remove_columns])
            native = writer.finish(empty_schema.empty_table())
        else:
            native = writer.finish()
    except BaseException:
        writer.abort()
        raise
    finally:
        if progress is not None:
            progress.close()
    if cache_file_name is not None and not in_memory:
        native = _move_to_file(native, out_path, cache_file_name, fp, ds.split)
    return ds._new(_with_features(native, features))


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


def filter_dataset(ds, function, *, with_indices, input_columns, batched, batch_size, fn_kwargs, load_from_cache_file, new_fingerprint, desc):
    """HF's filter: the kept rows become an indices mapping over the same shards (no copy); the
    kept positions are cached by fingerprint."""
    pa = _pa()
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
    keep = array("Q")
    step = batch_size if batched else 1000
    progress = _bar(desc or "Filter")
    if progress is not None:
        progress.start(desc or "Filter", n)
    try:
        for start in range(0, n, step):
            table = pa.table(ds._ds.slice(start, step))
            cols = input_columns if input_columns is not None else table.column_names
            if batched:
                batch = table.select(cols).to_pydict()
                indices = list(range(start, start + table.num_rows))
                mask = _fn_args(function, batch, input_columns, indices, with_indices, fn_kwargs)
                if hasattr(mask, "tolist"):
                    mask = mask.tolist()
                mask = list(mask)
                if len(mask) != table.num_rows:
                    raise ValueError(f"the filter function returned {len(mask)} values for a batch of {table.num_rows} rows")
                keep.extend(start + i for i, m in enumerate(mask) if m)
            else:
                for i, row in enumerate(table.select(cols).to_pylist()):
                    if _fn_args(function, row, input_columns, start + i, with_indices, fn_kwargs):
                        keep.append(start + i)
            if progress is not None:
                progress.update(table.num_rows)
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
    except OSError:
        pass
    return ds._new(ds._ds.select(keep.tolist(), fp))
