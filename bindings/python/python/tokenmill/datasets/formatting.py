"""Output formats of ``Dataset.__getitem__`` / iteration (HF's formatters): python (None), numpy,
torch, pandas, polars, arrow. Input is always a pyarrow Table read zero-copy from the shards."""

from __future__ import annotations

_TYPES = {None, "python", "numpy", "np", "torch", "pt", "pandas", "pd", "polars", "pl", "arrow", "pa", "custom"}
_ALIASES = {"python": None, "np": "numpy", "pt": "torch", "pd": "pandas", "pl": "polars", "pa": "arrow"}


def normalize(type_):
    if type_ == "custom":
        return "custom"
    if type_ not in _TYPES:
        raise ValueError(
            f"Format type should be one of [None, 'numpy', 'torch', 'pandas', 'polars', 'arrow'], but got '{type_}'"
        )
    type_ = _ALIASES.get(type_, type_)
    if type_ == "torch":
        try:
            import torch  # noqa: F401
        except ImportError as e:
            raise ValueError("format 'torch' needs PyTorch installed") from e
    return type_


# ------------------------------------------------------------------------------------------------
# python: pyarrow's ``to_pylist`` makes a Scalar object per value; string columns (most of what
# text datasets hand to Python) are made into ``str``s natively in one pass instead.


def column_pylist(col):
    """A pyarrow Array/ChunkedArray as a list of Python values (``to_pylist``'s result)."""
    import pyarrow as pa

    t = col.type
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        from .. import _tokenmill as _tm

        chunks = col.chunks if isinstance(col, pa.ChunkedArray) else [col]
        if len(chunks) == 1:
            out = _tm._strings_to_list(chunks[0])
            if out is not None:
                return out
        out = []
        for c in chunks:
            got = _tm._strings_to_list(c)
            out.extend(got if got is not None else c.to_pylist())
        return out
    return col.to_pylist()


def table_pydict(table, columns=None):
    """A pyarrow Table as ``{name: list}`` (``to_pydict``'s result), of ``columns`` if given."""
    names = table.column_names if columns is None else columns
    return {name: column_pylist(table.column(name)) for name in names}


# ------------------------------------------------------------------------------------------------
# numpy / torch, with HF's rules: (1) Arrow → numpy per column as pyarrow's ``to_numpy`` gives it
# (nulls in numeric columns make them float, struct rows are dicts, list rows are arrays), the
# rows then packed into one array unless they are arrays of differing shapes, object arrays or mixed
# with nulls; (2) the result made "tensors" recursively: integer arrays int64, float arrays float32
# (torch: int64 / float32 tensors), object arrays and lists rebuilt from their items and stacked
# when those are same-shape, same-dtype arrays.

_XD_PREFIX = "datasets.features.features.Array"


def _xd_shape(field):
    """The ``Array{N}D`` shape of a field (HF's extension type, or its metadata when pyarrow has no
    such type registered), or None."""
    import json

    t = field.type
    name = getattr(t, "extension_name", None)
    if name is not None:
        if name.startswith(_XD_PREFIX) and hasattr(t, "shape"):
            return tuple(t.shape)
        meta = t.__arrow_ext_serialize__() if hasattr(t, "__arrow_ext_serialize__") else None
    else:
        m = field.metadata or {}
        name = m.get(b"ARROW:extension:name", b"").decode()
        meta = m.get(b"ARROW:extension:metadata")
    if name.startswith(_XD_PREFIX) and meta:
        try:
            return tuple(json.loads(meta)[0])
        except (ValueError, TypeError, IndexError):
            return None
    return None


def _xd_rows(chunk, shape):
    """An ``Array{N}D`` chunk as numpy rows: one ``shape`` array per row (a null row all NaN, the
    chunk then float64); with a variable first dimension, one array per row (NaN for a null)."""
    import numpy as np
    import pyarrow as pa

    storage = chunk.storage if isinstance(chunk, pa.ExtensionArray) else chunk
    nulls = storage.is_null().to_numpy(zero_copy_only=False)
    ndims = len(shape)

    def flat(arr):
        for _ in range(ndims):
            arr = arr.flatten()
        return arr.to_numpy(zero_copy_only=False)

    if shape[0] is not None:
        values = flat(storage).reshape(len(storage) - int(nulls.sum()), *shape)
        if nulls.any():
            at = np.flatnonzero(nulls) - np.arange(int(nulls.sum()))
            values = np.insert(values.astype(np.float64), at, np.nan, axis=0)
        return list(values)
    offsets = storage.offsets.to_numpy()
    rows = []
    for i in range(len(storage)):
        if nulls[i]:
            rows.append(np.nan)
        else:
            first = int(offsets[i + 1] - offsets[i])
            rows.append(flat(storage.slice(i, 1)).reshape(first, *shape[1:]))
    return rows


def _pack(rows):
    """HF's column packing: rows that are arrays of differing shapes, object arrays, or arrays mixed
    with nulls make an object array; otherwise one array (same-shape arrays stacked)."""
    import numpy as np

    if rows and any(isinstance(x, np.ndarray) for x in rows):
        shape = None
        ragged = False
        for x in rows:
            if isinstance(x, np.ndarray):
                if x.dtype == object or (shape is not None and x.shape != shape):
                    ragged = True
                    break
                shape = x.shape
            else:  # a null row (None, or NaN for an ArrayXD) among arrays
                ragged = True
                break
        if ragged:
            try:
                return np.asarray(rows, dtype=object)
            except ValueError:  # same leading dimension, different rest
                out = np.empty(len(rows), dtype=object)
                out[:] = rows
                return out
    return np.asarray(rows)


def _extract(col, field):
    """One column (Array or ChunkedArray) as numpy, as HF's ``NumpyArrowExtractor`` gives it."""
    import numpy as np
    import pyarrow as pa

    chunks = col.chunks if isinstance(col, pa.ChunkedArray) else [col]
    if len(chunks) > 1:
        whole = pa.concat_arrays(chunks)
        if _null_free(whole):  # chunks convert alike: convert them at once
            chunks = [whole]
    shape = _xd_shape(field)
    if shape is not None:
        return _pack([r for ch in chunks for r in _xd_rows(ch, shape)])
    t = col.type
    if (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)) and not isinstance(t, pa.ExtensionType):
        # flat primitives: the rows are scalars, packing them back gives to_numpy's own array
        if len(chunks) == 1:
            return chunks[0].to_numpy(zero_copy_only=False)
        if not chunks:
            return np.asarray([])
        return np.asarray([r for ch in chunks for r in ch.to_numpy(zero_copy_only=False)])
    return _pack([r for ch in chunks for r in ch.to_numpy(zero_copy_only=False)])


def _consolidate_np(items):
    import numpy as np

    if items and all(isinstance(x, (np.ndarray, np.number, np.bool_)) for x in items):
        first = items[0]
        if all(x.shape == first.shape and x.dtype == first.dtype for x in items):
            return np.stack(items)
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _tensorize_np(x):
    """HF's numpy formatter on one value (dicts are walked by the caller)."""
    import numpy as np

    if isinstance(x, dict):
        return {k: _tensorize_np(v) for k, v in x.items()}
    if hasattr(x, "__array__") and not isinstance(x, (np.ndarray, np.character, np.number)):
        x = x.__array__()  # numpy bools and datetimes become 0-d arrays
    if isinstance(x, np.ndarray) and x.dtype == object:
        return _consolidate_np([_tensorize_np(v) for v in x])
    if isinstance(x, (list, tuple)):
        return _consolidate_np([_tensorize_np(v) for v in x])
    if x is None or isinstance(x, (str, bytes, np.character, np.number)):
        return x
    if isinstance(x, np.ndarray):
        if x.dtype.kind in "iu":
            return x.astype(np.int64, copy=False)
        if x.dtype.kind == "f":
            return x.astype(np.float32, copy=False)
        return x
    return np.asarray(x)


def _consolidate_torch(items):
    import torch

    if items and all(isinstance(x, torch.Tensor) for x in items):
        first = items[0]
        if all(x.shape == first.shape and x.dtype == first.dtype for x in items):
            return torch.stack(items)
    return items


def _tensorize_torch(x):
    """HF's torch formatter on one value: int → int64, float → float32 tensors, strings as str."""
    import numpy as np
    import torch

    if isinstance(x, dict):
        return {k: _tensorize_torch(v) for k, v in x.items()}
    if hasattr(x, "__array__") and not isinstance(x, torch.Tensor):
        x = x.__array__()  # numpy scalars become 0-d arrays
    if isinstance(x, np.ndarray) and x.dtype == object:
        return _consolidate_torch([_tensorize_torch(v) for v in x])
    if isinstance(x, (list, tuple)):
        return _consolidate_torch([_tensorize_torch(v) for v in x])
    if x is None or isinstance(x, (str, bytes)):
        return x
    if isinstance(x, (np.ndarray, np.character)) and x.dtype.kind in "US":
        return x.tolist()
    if isinstance(x, np.ndarray):
        if x.dtype.kind in "iu":
            if x.dtype in (np.uint16, np.uint32):
                x = x.astype(np.int64)
            return torch.tensor(x, dtype=torch.int64)
        if x.dtype.kind == "f":
            return torch.tensor(x, dtype=torch.float32)
    return torch.tensor(x)


def _tensorize(x, type_):
    return _tensorize_torch(x) if type_ == "torch" else _tensorize_np(x)


def _consolidate(x, type_):
    if isinstance(x, list):
        return _consolidate_torch(x) if type_ == "torch" else _consolidate_np(x)
    return x


def _row0(arr):
    """Row 0 of a 1-row extracted column."""
    return arr[0]


def format_row(table, type_):
    """One row (a 1-row table) in format ``type_``."""
    if type_ is None:
        return table.to_pylist()[0]
    if type_ in ("numpy", "torch"):
        schema = table.schema
        return {
            name: _tensorize(_row0(_extract(col, schema.field(i))), type_)
            for i, (name, col) in enumerate(zip(table.column_names, table.columns))
        }
    if type_ == "pandas":
        return table.to_pandas()
    if type_ == "polars":
        import polars as pl

        return pl.from_arrow(table)
    if type_ == "arrow":
        return table
    raise ValueError(type_)


def format_batch(table, type_):
    """Several rows in format ``type_`` (a dict of columns, or a table/DataFrame)."""
    if type_ is None:
        return table_pydict(table)
    if type_ in ("numpy", "torch"):
        schema = table.schema
        return {
            name: _consolidate(_tensorize(_extract(col, schema.field(i)), type_), type_)
            for i, (name, col) in enumerate(zip(table.column_names, table.columns))
        }
    if type_ == "pandas":
        return table.to_pandas()
    if type_ == "polars":
        import polars as pl

        return pl.from_arrow(table)
    if type_ == "arrow":
        return table
    raise ValueError(type_)


def format_column(table, type_):
    """One column (a 1-column table) in format ``type_``."""
    col = table.column(0)
    if type_ is None:
        return column_pylist(col)
    if type_ in ("numpy", "torch"):
        return _consolidate(_tensorize(_extract(col, table.schema.field(0)), type_), type_)
    if type_ == "pandas":
        return table.to_pandas()[table.column_names[0]]
    if type_ == "polars":
        import polars as pl

        return pl.from_arrow(table).to_series(0)
    if type_ == "arrow":
        return col
    raise ValueError(type_)


def column_values(table, type_):
    """The values of a 1-column table one by one, each as a row would give it (HF's ``Column``
    iteration: numpy scalars stay float64, bools are 0-d arrays, lists become arrays)."""
    col = table.column(0)
    if type_ is None:
        return column_pylist(col)
    if type_ in ("numpy", "torch"):
        field = table.schema.field(0)
        col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
        if _null_free(col):
            # no nulls anywhere: a row extracts alone exactly as within the whole column
            rows = _extract_rows(col, field)
            return [_tensorize(_row0(_pack([r])), type_) for r in rows]
        return [_tensorize(_row0(_extract(col.slice(i, 1), field)), type_) for i in range(len(col))]
    raise ValueError(type_)


def _null_free(arr) -> bool:
    """Whether an Arrow array holds no null at any nesting level."""
    import pyarrow as pa

    if arr.null_count:
        return False
    t = arr.type
    if isinstance(t, pa.ExtensionType):
        return _null_free(arr.storage)
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return _null_free(arr.flatten())
    if pa.types.is_struct(t):
        return all(_null_free(arr.field(i)) for i in range(t.num_fields))
    if pa.types.is_map(t):
        return _null_free(arr.keys) and _null_free(arr.items)
    return True


def _extract_rows(col, field):
    """The per-row values ``_extract`` packs (before packing)."""
    shape = _xd_shape(field)
    if shape is not None:
        return _xd_rows(col, shape)
    return list(col.to_numpy(zero_copy_only=False))


def rows_as_chunks(table):
    """``table`` with one chunk per row (HF's gathered rows), unless no column holds a null at any
    level, where chunking cannot change a format's output."""
    import pyarrow as pa

    if table.num_rows < 2:
        return table
    table = table.combine_chunks()
    if all(_null_free(c.chunk(0)) for c in table.columns if c.num_chunks == 1):
        return table
    batches = [b for b in table.to_batches() if b.num_rows]
    return pa.Table.from_batches([b.slice(i, 1) for b in batches for i in range(b.num_rows)], schema=table.schema)
