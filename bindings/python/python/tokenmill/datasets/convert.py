"""Python values → Arrow arrays where pyarrow alone falls short: numpy arrays of any rank.

pyarrow converts only 1-D numpy arrays inside lists. HF's ``TypedSequence`` handles the rest, and
``Dataset.from_dict`` / ``from_list`` follow the same rules here:

* a column given as an n-D numpy array is n-1 levels of lists around its values (rows = axis 0);
* a column whose first non-null, non-empty value is a numpy array: every row array becomes nested
  lists (one level per axis beyond the first, a 0-d array is a one-item list), null rows stay null,
  and the item type is the arrays' dtype (float32 stays float32);
* any other column that holds n-D arrays deeper (in lists or structs, judged on the first non-null,
  non-empty value at each level) gets them split into lists of 1-D arrays, and 0-d arrays become
  scalars, before pyarrow converts it.
"""

from __future__ import annotations


def _first_value(seq):
    """The first item that is neither None nor an empty list/dict (HF's rule), or None."""
    for v in seq:
        if v is not None and not (isinstance(v, (list, dict)) and len(v) == 0):
            return v
    return None


def ndarray_to_arrow(arr, type=None):
    """An n-D numpy array (or nested sequence) as ``ndim - 1`` list levels around its flat values,
    row-major: a (2, 3) array is a 2-row list array of 3 items each; a 0-d or 1-D array is the flat
    values themselves."""
    import numpy as np
    import pyarrow as pa

    arr = np.asarray(arr)
    out = pa.array(arr.reshape(-1), type=type)
    # wrap from the innermost axis outwards; level `axis` groups arr.shape[axis] items
    for axis in range(arr.ndim - 1, 0, -1):
        n_lists = int(np.prod(arr.shape[:axis], dtype=np.int64))
        offsets = np.arange(n_lists + 1, dtype=np.int64) * arr.shape[axis]
        out = pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32), type=pa.int32()), out)
    return out


def rows_of_ndarrays_to_arrow(rows, type=None):
    """A list of numpy arrays (or None) as one list array: row i is ``ndarray_to_arrow(rows[i])``."""
    import numpy as np
    import pyarrow as pa

    parts, lengths, nulls = [], np.zeros(len(rows), dtype=np.int64), np.zeros(len(rows), dtype=bool)
    for i, r in enumerate(rows):
        if r is None:
            nulls[i] = True
            continue
        part = ndarray_to_arrow(r, type=type)
        parts.append(part)
        lengths[i] = len(part)
    if not parts:
        return pa.array([None] * len(rows), type=pa.list_(type) if type is not None else pa.null())
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    values = pa.concat_arrays(parts)
    mask = pa.array(nulls) if nulls.any() else None
    return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32), type=pa.int32()), values, mask=mask)


def _needs_split(v) -> bool:
    """Whether ``v`` (judged on first non-null, non-empty values) holds numpy arrays that are not 1-D."""
    import numpy as np

    if isinstance(v, np.ndarray):
        return v.ndim != 1
    if isinstance(v, dict):
        return any(_needs_split(x) for x in v.values())
    if isinstance(v, (list, tuple)):
        first = _first_value(v)
        return first is not None and _needs_split(first)
    return False


def _split(v):
    """``v`` with n-D numpy arrays turned into lists of 1-D ones and 0-d arrays into scalars."""
    import numpy as np

    if isinstance(v, np.ndarray):
        if v.ndim == 0:
            return v[()]
        if v.ndim == 1:
            return v
        return [_split(x) for x in v]
    if isinstance(v, dict):
        return {k: _split(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_split(x) for x in v]
    return v


def column_to_arrow(values):
    """A ``from_dict`` column for pyarrow: an Arrow array where numpy arrays need HF's handling,
    ``values`` unchanged otherwise (pyarrow then infers or casts as usual)."""
    import sys

    np = sys.modules.get("numpy")
    if np is None:  # no numpy arrays can be in there
        return values
    if isinstance(values, np.ndarray):
        return ndarray_to_arrow(values) if values.ndim > 1 else values
    if isinstance(values, (list, tuple)) and values:
        first = _first_value(values)
        if isinstance(first, np.ndarray):
            return rows_of_ndarrays_to_arrow(list(values))
        if first is not None and _needs_split(first):
            return [_split(v) for v in values]
    return values


def needs_numpy_handling(value) -> bool:
    """Whether a row value holds numpy arrays pyarrow cannot convert itself (not 1-D)."""
    import sys

    np = sys.modules.get("numpy")
    return np is not None and _needs_split(value)


# ------------------------------------------------------------------------------------------------
# features given to from_dict / from_list


def _has_classlabel(feat) -> bool:
    if isinstance(feat, dict):
        t = feat.get("_type")
        if t is None:
            return any(_has_classlabel(v) for v in feat.values())
        if t == "ClassLabel":
            return True
        return _has_classlabel(feat.get("feature"))
    return False


def _label_index(names, value):
    """A ClassLabel string as its index: the name itself, the name stripped, or a number written as
    a string; anything else is an error (as HF's ``ClassLabel.str2int``)."""
    index = {n: i for i, n in enumerate(names)}
    if value in index:
        return index[value]
    if value.strip() in index:
        return index[value.strip()]
    try:
        i = int(value)
    except ValueError:
        i = None
    if i is not None and 0 <= i < len(names):
        return i
    raise ValueError(f"Invalid string class label {value}")


def _encode(value, feat):
    if value is None or not isinstance(feat, dict):
        return value
    t = feat.get("_type")
    if t is None:  # struct
        if isinstance(value, dict):
            return {k: (_encode(v, feat[k]) if k in feat else v) for k, v in value.items()}
        return value
    if t == "ClassLabel":
        names = feat.get("names") or [str(i) for i in range(feat.get("num_classes", 0))]
        if isinstance(value, str):
            return _label_index(names, value)
        # HF's ClassLabel.encode_example: -1 means "no label"; anything else must be a class
        if isinstance(value, int) and not -1 <= value < len(names):
            raise ValueError(f"Class label {value:d} greater than configured num_classes {len(names)}")
        return value
    if t in ("List", "LargeList", "Sequence") and isinstance(value, (list, tuple)):
        sub = feat.get("feature")
        return [_encode(v, sub) for v in value]
    return value


def encode_columns(mapping: dict, features: dict) -> dict:
    """``mapping`` (column → values) with ClassLabel strings turned into their indices, as HF's
    ``Features.encode_batch`` does; columns without a ClassLabel are left as they are."""
    out = dict(mapping)
    for col, feat in features.items():
        if col in out and _has_classlabel(feat) and isinstance(out[col], (list, tuple)):
            out[col] = [_encode(v, feat) for v in out[col]]
    return out


def storage_schema(schema):
    """``schema`` with extension types (HF's Array2D..5D when pyarrow knows them) replaced by their
    storage types at any depth: pyarrow converts Python values to those, then casts."""
    import pyarrow as pa

    def storage(t):
        if isinstance(t, pa.ExtensionType):
            return storage(t.storage_type)
        if pa.types.is_struct(t):
            return pa.struct([t.field(i).with_type(storage(t.field(i).type)) for i in range(t.num_fields)])
        if pa.types.is_fixed_size_list(t):
            return pa.list_(t.value_field.with_type(storage(t.value_type)), t.list_size)
        if pa.types.is_large_list(t):
            return pa.large_list(t.value_field.with_type(storage(t.value_type)))
        if pa.types.is_list(t):
            return pa.list_(t.value_field.with_type(storage(t.value_type)))
        return t

    fields = [f.with_type(storage(f.type)) for f in schema]
    if all(a.type == f.type for a, f in zip(fields, schema)):
        return None
    return pa.schema(fields, metadata=schema.metadata)
