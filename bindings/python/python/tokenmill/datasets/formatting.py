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


def _np_column(col):
    """HF's numpy column: equal-shape nested lists stack into an n-D array, ragged ones give an
    object array of arrays; strings give a unicode array."""
    import numpy as np
    import pyarrow as pa

    t = col.type
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        vt = t.value_type
        if col.null_count == 0 and not pa.types.is_fixed_size_list(t) and (pa.types.is_integer(vt) or pa.types.is_floating(vt) or (pa.types.is_boolean(vt) and col.values.null_count == 0)):
            # one level of primitives: slices of the flat values keep the Arrow dtype (uint16 ids)
            offsets = col.offsets.to_numpy()
            values = col.values
            # nulls inside become NaN (HF's numpy formatter gives float arrays there)
            flat = values.to_numpy(zero_copy_only=False)
            items = [flat[offsets[i]:offsets[i + 1]] for i in range(len(col))]
            return _stack(items)
        items = [_np_value(v) for v in col.to_pylist()]
        return _stack(items)
    if pa.types.is_struct(t):
        return np.array(col.to_pylist(), dtype=object)
    if (pa.types.is_integer(t) or pa.types.is_floating(t)) or (col.null_count == 0 and pa.types.is_boolean(t)):
        # as HF: nulls in a numeric column become NaN (float)
        return col.to_numpy(zero_copy_only=False)
    return np.array(col.to_pylist())


def _np_value(v):
    import numpy as np

    if isinstance(v, list):
        return _stack([_np_value(x) for x in v])
    if isinstance(v, dict):
        return {k: _np_value(x) for k, x in v.items()}
    return v


def _stack(items):
    import numpy as np

    if not items:
        return np.array([])
    if all(isinstance(x, np.ndarray) for x in items):
        if len({x.shape for x in items}) == 1 and items[0].dtype != object:
            return np.stack(items)
    elif not any(isinstance(x, (np.ndarray, dict, list)) or x is None for x in items):
        return np.array(items)
    out = np.empty(len(items), dtype=object)
    for i, x in enumerate(items):
        out[i] = x
    return out


def _hf_dtypes(x):
    """HF's numpy formatter casts integer arrays to int64 and float arrays to float32."""
    import numpy as np

    if isinstance(x, np.ndarray):
        if x.dtype == object:
            out = np.empty(len(x), dtype=object)
            for i, v in enumerate(x):
                out[i] = _hf_dtypes(v)
            return out
        if x.dtype.kind in "iu":
            return x.astype(np.int64, copy=False)
        if x.dtype.kind == "f":
            return x.astype(np.float32, copy=False)
        return x
    if isinstance(x, dict):
        return {k: _hf_dtypes(v) for k, v in x.items()}
    return x


def _row_value(x):
    """A row's value as HF's numpy formatter gives it: arrays cast as above, bools as 0-d arrays,
    other scalars as numpy scalars."""
    import numpy as np

    if isinstance(x, dict):
        # struct fields are arrays (0-d for scalars), as HF's numpy formatter gives them
        return {
            k: (_row_value(v) if isinstance(v, (dict, np.ndarray)) else np.asarray(v) if isinstance(v, (int, float, bool)) else v)
            for k, v in x.items()
        }
    if isinstance(x, np.ndarray):
        return _hf_dtypes(x)
    if isinstance(x, (bool, np.bool_)):
        return np.array(x)
    return x


def _torch(x):
    import numpy as np
    import torch

    if isinstance(x, dict):
        return {k: _torch(v) for k, v in x.items()}
    if isinstance(x, np.str_):
        return str(x)
    if isinstance(x, np.ndarray):
        if x.dtype == object:
            return [_torch(v) for v in x]
        if x.dtype.kind in "US":
            return x.tolist()
        if x.dtype.kind == "i" or x.dtype.kind == "u":
            return torch.tensor(x.astype(np.int64))
        if x.dtype.kind == "f":
            return torch.tensor(x.astype(np.float32))
        if x.dtype.kind == "b":
            return torch.tensor(x)
        return x
    if isinstance(x, (np.integer, int)) and not isinstance(x, bool):
        return torch.tensor(int(x), dtype=torch.int64)
    if isinstance(x, (np.floating, float)):
        return torch.tensor(float(x), dtype=torch.float32)
    if isinstance(x, (np.bool_, bool)):
        return torch.tensor(bool(x))
    if isinstance(x, list):
        return [_torch(v) for v in x]
    return x


def format_row(table, type_):
    """One row (a 1-row table) in format ``type_``."""
    if type_ is None:
        return table.to_pylist()[0]
    if type_ in ("numpy", "torch"):
        out = {}
        for name, col in zip(table.column_names, table.columns):
            arr = _np_column(col.combine_chunks() if hasattr(col, "combine_chunks") else col)
            out[name] = _row_value(arr[0])
        return _torch(out) if type_ == "torch" else out
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
        return table.to_pydict()
    if type_ in ("numpy", "torch"):
        out = {name: _hf_dtypes(_np_column(col.combine_chunks())) for name, col in zip(table.column_names, table.columns)}
        return _torch(out) if type_ == "torch" else out
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
        return col.to_pylist()
    if type_ in ("numpy", "torch"):
        arr = _hf_dtypes(_np_column(col.combine_chunks()))
        return _torch(arr) if type_ == "torch" else arr
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
        return col.to_pylist()
    if type_ in ("numpy", "torch"):
        arr = _np_column(col.combine_chunks())
        out = [_row_value(x) for x in arr]
        return [_torch(x) for x in out] if type_ == "torch" else out
    raise ValueError(type_)
