"""HF feature types as plain objects with HF's reprs (``Value('string')``, ``ClassLabel(names=[...])``,
``List(Value('int64'))``) built from and back to HF's JSON form; ``Features`` is a dict of them.
Equality also holds against HF ``datasets`` objects of the same JSON form."""

from __future__ import annotations

import json


class _Feature:
    def to_dict(self) -> dict:
        raise NotImplementedError

    def __eq__(self, other):
        od = _as_json(other)
        return od is not None and od == self.to_dict()

    def __hash__(self):
        return hash(json.dumps(self.to_dict(), sort_keys=True))


class Value(_Feature):
    def __init__(self, dtype: str):
        self.dtype = dtype

    def to_dict(self):
        return {"dtype": self.dtype, "_type": "Value"}

    def __repr__(self):
        return f"Value('{self.dtype}')"


class ClassLabel(_Feature):
    def __init__(self, num_classes=None, names=None):
        if names is None:
            if num_classes is None:
                raise ValueError("ClassLabel needs names or num_classes")
            names = [str(i) for i in range(num_classes)]
        self.names = list(names)
        self.num_classes = len(self.names)
        self.dtype = "int64"

    def to_dict(self):
        return {"names": self.names, "_type": "ClassLabel"}

    def int2str(self, values):
        if isinstance(values, int):
            return self.names[values]
        return [self.names[v] for v in values]

    def str2int(self, values):
        if isinstance(values, str):
            return self.names.index(values)
        return [self.names.index(v) for v in values]

    def __repr__(self):
        return f"ClassLabel(names={self.names!r})"


class List(_Feature):
    def __init__(self, feature, length: int = -1):
        self.feature = feature
        self.length = length

    def to_dict(self):
        d = {"feature": _to_json(self.feature)}
        if self.length is not None and self.length >= 0:
            d["length"] = self.length
        d["_type"] = "List"
        return d

    def __repr__(self):
        if self.length is not None and self.length >= 0:
            return f"List({self.feature!r}, length={self.length})"
        return f"List({self.feature!r})"


Sequence = List


class LargeList(_Feature):
    def __init__(self, feature):
        self.feature = feature

    def to_dict(self):
        return {"feature": _to_json(self.feature), "_type": "LargeList"}

    def __repr__(self):
        return f"LargeList({self.feature!r})"


class _ArrayXD(_Feature):
    """HF's fixed-rank arrays: ``shape`` (the first dimension may be None: variable) and an item
    ``dtype``. Stored as HF's Arrow extension type ``datasets.features.features.Array{N}DExtensionType``
    over nested lists; the numpy and torch formats give one n-D array per row."""

    _ndims = 0

    def __init__(self, shape, dtype: str, id=None):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.id = id
        if len(self.shape) != self._ndims:
            raise ValueError(f"shape={self.shape} and ndims={self._ndims} don't match")
        if any(d is None for d in self.shape[1:]):
            raise ValueError(f"Support only dynamic size on first dimension. Got: {self.shape}")

    def to_dict(self):
        # as HF's asdict: the shape stays a tuple (a JSON list once dumped)
        return {"shape": self.shape, "dtype": self.dtype, "_type": type(self).__name__}

    def __repr__(self):
        return f"{type(self).__name__}(shape={self.shape!r}, dtype={self.dtype!r})"


class Array2D(_ArrayXD):
    _ndims = 2


class Array3D(_ArrayXD):
    _ndims = 3


class Array4D(_ArrayXD):
    _ndims = 4


class Array5D(_ArrayXD):
    _ndims = 5


_ARRAY_XD = {c.__name__: c for c in (Array2D, Array3D, Array4D, Array5D)}


class _Other(_Feature):
    """Any other HF feature (Image, Audio, Array2D, ...), kept as its JSON form."""

    def __init__(self, d: dict):
        self._d = d

    def to_dict(self):
        return self._d

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._d.items() if k != "_type")
        return f"{self._d.get('_type')}({args})"


def _to_json(f):
    if isinstance(f, _Feature):
        return f.to_dict()
    if isinstance(f, dict):
        return {k: _to_json(v) for k, v in f.items()}
    od = _as_json(f)
    if od is not None:
        return od
    raise TypeError(f"not a feature: {f!r}")


def _as_json(obj):
    """The JSON form of a feature (ours, a dict of them, or an HF ``datasets`` feature)."""
    if isinstance(obj, _Feature):
        return obj.to_dict()
    if isinstance(obj, dict):
        try:
            return {k: _to_json(v) for k, v in obj.items()}
        except TypeError:
            return None
    to_dict = getattr(obj, "to_dict", None)
    if type(obj).__module__.startswith("datasets") and callable(to_dict):
        try:
            return to_dict()
        except Exception:
            return None
    if type(obj).__module__.startswith("datasets"):
        try:
            from datasets.features.features import _asdict_inner  # noqa: F401
        except Exception:
            pass
        try:
            import datasets

            return datasets.Features({"x": obj}).to_dict()["x"]
        except Exception:
            return None
    return None


def from_json(d):
    if isinstance(d, dict) and "_type" not in d:
        return {k: from_json(v) for k, v in d.items()}
    t = d.get("_type")
    if t == "Value":
        return Value(d["dtype"])
    if t == "ClassLabel":
        return ClassLabel(names=d.get("names"), num_classes=d.get("num_classes"))
    if t in ("List", "Sequence"):
        return List(from_json(d["feature"]), d.get("length", -1))
    if t == "LargeList":
        return LargeList(from_json(d["feature"]))
    if t in _ARRAY_XD and isinstance(d.get("shape"), (list, tuple)) and len(d["shape"]) == _ARRAY_XD[t]._ndims:
        return _ARRAY_XD[t](tuple(d["shape"]), d["dtype"])
    return _Other(d)


class Features(dict):
    """Column name → feature, in column order (HF's ``Features``)."""

    @classmethod
    def from_dict(cls, d: dict) -> "Features":
        return cls({k: from_json(v) for k, v in d.items()})

    def to_dict(self) -> dict:
        return {k: _to_json(v) for k, v in self.items()}

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def __eq__(self, other):
        od = _as_json(other) if not isinstance(other, Features) else other.to_dict()
        return od is not None and od == self.to_dict()

    def __ne__(self, other):
        return not self == other

    __hash__ = None

    def copy(self):
        return Features(self)

    def __repr__(self):
        return "{" + ", ".join(f"{k!r}: {v!r}" for k, v in self.items()) + "}"


def features_json(features) -> str:
    """JSON of HF features (ours, HF's, or a plain dict of either)."""
    if isinstance(features, Features):
        return features.to_json()
    d = _as_json(features)
    if d is None:
        raise TypeError(f"expected Features, got {type(features).__name__}")
    return json.dumps(d)
