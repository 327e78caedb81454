"""``IterableDataset`` (HF's streaming datasets): rows read lazily from the files by the native
engine (``_Iterable``); ``map`` / ``filter`` / ``shuffle`` / ``skip`` / ``take`` / ``batch`` are a
lazy pipeline applied per example in Python, as HF does. ``skip``/``take`` placed before any other
step run natively. ``shuffle`` is HF's buffer shuffle with numpy's generator. ``state_dict()`` /
``load_state_dict()`` resume a pass after the examples already yielded."""

from __future__ import annotations

import copy
import itertools
import json

from .. import _tokenmill as _tm
from . import formatting as _fmt
from .features import Features


def _pa():
    import pyarrow as pa

    return pa


def _rows_of_native(src):
    pa = _pa()
    for batch in src.iter():
        yield from pa.table(batch).to_pylist()


def _merge(row, out, remove):
    if out is None:
        return {k: v for k, v in row.items() if k not in remove}
    if not isinstance(out, dict):
        raise TypeError(
            f"Provided `function` which is applied to all elements of table returns a variable of type {type(out)}. "
            "Make sure provided `function` returns a variable of type `dict` to update the dataset or `None` if you "
            "are only interested in side effects."
        )
    merged = {k: (out[k] if k in out else v) for k, v in row.items() if k in out or k not in remove}
    for k, v in out.items():
        if k not in merged:
            merged[k] = v
    return merged


def _call(fn, arg, input_columns, idx, with_indices, fn_kwargs):
    args = [arg] if input_columns is None else [arg[c] for c in input_columns]
    if with_indices:
        args.append(idx)
    return fn(*args, **fn_kwargs)


def _batches(rows, size, drop_last):
    it = iter(rows)
    while True:
        chunk = list(itertools.islice(it, size))
        if not chunk or (drop_last and len(chunk) < size):
            return
        yield chunk


def _to_dict(chunk):
    keys = list(chunk[0].keys())
    return {k: [r.get(k) for r in chunk] for k in keys}


def _step_map(rows, function, with_indices, input_columns, batched, batch_size, drop_last_batch, remove_columns, fn_kwargs):
    remove = set(remove_columns or [])
    if function is None:
        function = lambda *a, **k: None  # noqa: E731
    if not batched:
        for i, row in enumerate(rows):
            yield _merge(row, _call(function, row, input_columns, i, with_indices, fn_kwargs), remove)
        return
    start = 0
    size = batch_size if batch_size and batch_size > 0 else 10**12
    for chunk in _batches(rows, size, drop_last_batch):
        batch = _to_dict(chunk)
        out = _call(function, batch, input_columns, list(range(start, start + len(chunk))), with_indices, fn_kwargs)
        start += len(chunk)
        merged = _merge(batch, out, remove)
        if not merged:
            continue
        n = {len(v) for v in merged.values()}
        if len(n) != 1:
            raise ValueError(f"Column lengths mismatch: {[(k, len(v)) for k, v in merged.items()]}")
        n = n.pop()
        for i in range(n):
            yield {k: v[i] for k, v in merged.items()}


def _step_filter(rows, function, with_indices, input_columns, batched, batch_size, fn_kwargs):
    if not batched:
        for i, row in enumerate(rows):
            if _call(function, row, input_columns, i, with_indices, fn_kwargs):
                yield row
        return
    start = 0
    for chunk in _batches(rows, batch_size or 1000, False):
        mask = _call(function, _to_dict(chunk), input_columns, list(range(start, start + len(chunk))), with_indices, fn_kwargs)
        start += len(chunk)
        for row, m in zip(chunk, list(mask)):
            if m:
                yield row


def _step_shuffle(rows, seed, buffer_size):
    import numpy as np

    rng = np.random.default_rng(seed)

    def indices():
        while True:
            yield from (int(i) for i in rng.integers(0, buffer_size, size=1000))

    idx = indices()
    buf = []
    for x in rows:
        if len(buf) == buffer_size:
            i = next(idx)
            yield buf[i]
            buf[i] = x
        else:
            buf.append(x)
    rng.shuffle(buf)
    yield from buf


def _step_select(rows, cols):
    for r in rows:
        yield {c: r[c] for c in cols}


def _step_rename(rows, mapping):
    for r in rows:
        yield {mapping.get(k, k): v for k, v in r.items()}


def _step_batch(rows, batch_size, drop_last_batch):
    for chunk in _batches(rows, batch_size, drop_last_batch):
        yield _to_dict(chunk)


class _IterableBase:
    """Base of ``IterableDataset``; gains ``torch.utils.data.IterableDataset`` as a parent when
    torch is imported (as HF does), so a DataLoader accepts it."""


def _maybe_torch_parent():
    import sys

    if "torch" not in sys.modules:
        return
    try:
        import torch.utils.data
    except Exception:
        return
    base = torch.utils.data.IterableDataset
    if base not in IterableDataset.__mro__:  # (issubclass would cache a negative answer in the ABC)
        IterableDataset.__bases__ = IterableDataset.__bases__ + (base,)


class IterableDataset(_IterableBase):
    """A lazily read dataset (HF's ``datasets.IterableDataset``)."""

    def __init__(self, source, steps=(), split=None, format_type=None, features=None, num_shards=None, features_unknown=False):
        _maybe_torch_parent()
        self._source = source
        self._features_unknown = features_unknown
        self._num_shards = num_shards
        self._epoch = 0
        self._steps = list(steps)
        self._split = split
        self._format_type = format_type
        self._features = features
        self._state = {"examples_yielded": 0, "epoch": 0}
        self._resume_from = 0

    def _clone(self, step=None, **kw):
        out = IterableDataset(self._source, self._steps + ([step] if step else []), self._split, self._format_type, self._features, self._num_shards, self._features_unknown)
        out._epoch = self._epoch
        for k, v in kw.items():
            setattr(out, k, v)
        return out

    # ------------------------------------------------------------------ properties

    @property
    def features(self):
        if self._features is not None:
            return self._features
        if self._features_unknown:
            return None
        if any(s[0] == "map" for s in self._steps) or any(s[0] == "batch" for s in self._steps):
            return None
        if isinstance(self._source, _DatasetRows):
            feats = self._source.ds.features
            return _apply_feature_steps(feats, self._steps)
        if isinstance(self._source, _tm._Iterable):
            schema = self._source.schema()
            if schema is None:
                return None
            feats = Features.from_dict(json.loads(_tm._schema_features(schema)))
            return _apply_feature_steps(feats, self._steps)
        return None

    @property
    def column_names(self):
        f = self.features
        return None if f is None else list(f)

    @property
    def split(self):
        return self._split

    @property
    def num_shards(self):
        if self._num_shards is not None:
            return self._num_shards
        return self._source.num_shards if isinstance(self._source, _tm._Iterable) else 1

    @property
    def epoch(self):
        return self._epoch

    def set_epoch(self, epoch: int) -> None:
        """A shuffle then uses ``seed + epoch`` (HF's per-epoch reshuffling)."""
        self._epoch = int(epoch)

    n_shards = num_shards

    def __repr__(self):
        return f"IterableDataset({{\n    features: {self.column_names or 'Unknown'},\n    num_shards: {self.num_shards}\n}})"

    # ------------------------------------------------------------------ iteration

    @classmethod
    def from_generator(cls, generator, features=None, gen_kwargs=None, split=None):
        """Rows from a generator function, read lazily on every pass."""
        gen_kwargs = dict(gen_kwargs or {})
        return cls(lambda: iter(generator(**gen_kwargs)), split=split, features=features)

    def _worker(self):
        """(worker id, number of workers) inside a torch DataLoader worker, else None."""
        import sys

        if "torch" not in sys.modules:
            return None
        try:
            from torch.utils.data import get_worker_info
        except Exception:
            return None
        info = get_worker_info()
        if info is None or info.num_workers <= 1:
            return None
        return info.id, info.num_workers

    def _rows(self):
        src = self._source
        steps = list(self._steps)
        worker = self._worker()
        if worker is not None and isinstance(src, _DatasetRows):
            # HF: worker w reads the shards w, w + num_workers, ... (contiguous row ranges)
            wid, nw = worker
            src = _DatasetRows(src.ds, self.num_shards, [i for i in range(self.num_shards) if i % nw == wid])
            worker = None
        if worker is not None and isinstance(src, _tm._Iterable) and src.num_shards >= worker[1]:
            # HF: worker w reads the files w, w + num_workers, ...
            wid, nw = worker
            src = src.select_units([u for u in range(src.num_shards) if u % nw == wid])
            worker = None
        if isinstance(src, _tm._Iterable):
            # leading skip/take run natively (no Python per skipped row)
            while steps and steps[0][0] in ("skip", "take"):
                kind, n = steps.pop(0)
                src = src.skip(n) if kind == "skip" else src.take(n)
            rows = _rows_of_native(src)
        else:
            rows = src()
        if worker is not None:
            wid, nw = worker
            rows = (r for i, r in enumerate(rows) if i % nw == wid)
        for step in steps:
            kind = step[0]
            if kind == "map":
                rows = _step_map(rows, *step[1:])
            elif kind == "filter":
                rows = _step_filter(rows, *step[1:])
            elif kind == "skip":
                rows = itertools.islice(rows, step[1], None)
            elif kind == "take":
                rows = itertools.islice(rows, step[1])
            elif kind == "shuffle":
                seed, buf = step[1], step[2]
                rows = _step_shuffle(rows, seed if not self._epoch else (seed + self._epoch) % 2**64, buf)
            elif kind == "cast":
                rows = _step_cast(rows, step[1])
            elif kind == "batch":
                rows = _step_batch(rows, *step[1:])
            elif kind == "select":
                rows = _step_select(rows, step[1])
            elif kind == "rename":
                rows = _step_rename(rows, step[1])
        return rows

    def __iter__(self):
        skip = self._resume_from
        self._resume_from = 0
        rows = self._rows()
        if skip:
            rows = itertools.islice(rows, skip, None)
        self._state = {"examples_yielded": skip, "epoch": self._state.get("epoch", 0)}
        fmt = self._format_type
        for row in rows:
            self._state["examples_yielded"] += 1
            if fmt is None:
                yield row
            else:
                yield _fmt.format_row(_pa().Table.from_pylist([row]), fmt)

    def iter(self, batch_size: int, drop_last_batch: bool = False):
        for chunk in _batches(iter(self), batch_size, drop_last_batch):
            yield _to_dict(chunk)

    def state_dict(self) -> dict:
        """Where the current pass stands (examples yielded so far)."""
        return copy.deepcopy(self._state)

    def load_state_dict(self, state_dict: dict) -> None:
        """The next pass resumes after ``state_dict["examples_yielded"]`` examples."""
        self._resume_from = int(state_dict.get("examples_yielded", 0))
        self._state = copy.deepcopy(state_dict)

    # ------------------------------------------------------------------ ops

    def map(self, function=None, with_indices=False, input_columns=None, batched=False, batch_size=1000, drop_last_batch=False, remove_columns=None, features=None, fn_kwargs=None):
        if isinstance(input_columns, str):
            input_columns = [input_columns]
        if isinstance(remove_columns, str):
            remove_columns = [remove_columns]
        return self._clone(("map", function, with_indices, input_columns, batched, batch_size, drop_last_batch, remove_columns, dict(fn_kwargs or {})), _features=features)

    def filter(self, function=None, with_indices=False, input_columns=None, batched=False, batch_size=1000, fn_kwargs=None):
        if function is None:
            return self._clone()
        if isinstance(input_columns, str):
            input_columns = [input_columns]
        return self._clone(("filter", function, with_indices, input_columns, batched, batch_size, dict(fn_kwargs or {})))

    def skip(self, n: int):
        return self._clone(("skip", int(n)))

    def take(self, n: int):
        return self._clone(("take", int(n)))

    def shuffle(self, seed=None, generator=None, buffer_size: int = 1000):
        if seed is None:
            import random

            seed = random.SystemRandom().randrange(2**32)
        return self._clone(("shuffle", seed, int(buffer_size)))

    def batch(self, batch_size: int, drop_last_batch: bool = False):
        return self._clone(("batch", int(batch_size), drop_last_batch))

    def with_format(self, type=None):
        return self._clone(_format_type=_fmt.normalize(type))

    def remove_columns(self, column_names):
        if isinstance(column_names, str):
            column_names = [column_names]
        return self.map(remove_columns=column_names)

    def select_columns(self, column_names):
        if isinstance(column_names, str):
            column_names = [column_names]
        return self._clone(("select", list(column_names)))

    def rename_column(self, original_column_name, new_column_name):
        return self._clone(("rename", {original_column_name: new_column_name}))

    def rename_columns(self, column_mapping):
        return self._clone(("rename", dict(column_mapping)))

    def cast_column(self, column, feature):
        return self._clone(("cast", {column: feature}))

    def cast(self, features):
        return self._clone(("cast", dict(features)))

    @staticmethod
    def concatenate(dsets):
        return IterableDataset(lambda: itertools.chain.from_iterable(d._rows() for d in dsets))

    @staticmethod
    def interleave(dsets, probabilities=None, seed=None, stopping_strategy="first_exhausted"):
        """HF's cycling/random interleave: the next example of every source is fetched ahead;
        ``first_exhausted`` stops when a source runs out, ``all_exhausted`` restarts exhausted
        sources until each ran out once (``..._without_replacement``: drops them instead)."""
        if stopping_strategy not in ("first_exhausted", "all_exhausted", "all_exhausted_without_replacement"):
            raise ValueError(f"{stopping_strategy} is not supported. Please enter a valid stopping_strategy.")

        def gen():
            import numpy as np

            n = len(dsets)
            its = [iter(d._rows()) for d in dsets]
            nexts = []
            for it in its:
                nexts.append(next(it, _END))
            exhausted = [x is _END for x in nexts]
            if stopping_strategy == "first_exhausted" and any(exhausted):
                return

            def indices():
                if probabilities is None:
                    while True:
                        yield from range(n)
                rng = np.random.default_rng(seed)
                while True:
                    yield from (int(i) for i in rng.choice(n, size=1000, p=probabilities))

            for i in indices():
                if nexts[i] is _END:
                    if stopping_strategy == "all_exhausted_without_replacement":
                        if all(x is _END for x in nexts):
                            return
                        continue
                    if all(exhausted):
                        return
                    continue
                yield nexts[i]
                nexts[i] = next(its[i], _END)
                if nexts[i] is _END:
                    exhausted[i] = True
                    if stopping_strategy == "first_exhausted":
                        return
                    if stopping_strategy == "all_exhausted":
                        if all(exhausted):
                            return
                        its[i] = iter(dsets[i]._rows())
                        nexts[i] = next(its[i], _END)

        return IterableDataset(gen)


_END = object()


class _DatasetRows:
    """Rows of a map-style Dataset in order (``Dataset.to_iterable_dataset``), optionally only the
    contiguous shards ``only`` of ``num_shards``."""

    def __init__(self, ds, num_shards=1, only=None):
        self.ds = ds
        self.num_shards = num_shards
        self.only = only

    def _ranges(self):
        n = len(self.ds)
        if self.only is None:
            return [(0, n)]
        div, rem = divmod(n, self.num_shards)
        starts = [i * div + min(i, rem) for i in range(self.num_shards + 1)]
        return [(starts[i], starts[i + 1]) for i in self.only]

    def __call__(self):
        for a, b in self._ranges():
            for start in range(a, b, 1000):
                yield from _pa().table(self.ds._ds.slice(start, min(1000, b - start))).to_pylist()


def _apply_feature_steps(feats, steps):
    from .features import _to_json, from_json

    for s in steps:
        if s[0] == "select":
            feats = Features({c: feats[c] for c in s[1]})
        elif s[0] == "rename":
            feats = Features({s[1].get(k, k): v for k, v in feats.items()})
        elif s[0] == "cast":
            feats = Features({k: (from_json(_to_json(s[1][k])) if k in s[1] else v) for k, v in feats.items()})
    return feats


def _step_cast(rows, features):
    """Casts values to the Arrow types of ``features``, 1000 rows at a time."""
    import pyarrow as pa

    from .arrow_dataset import _schema_of

    schema = _schema_of(features)
    for chunk in _batches(rows, 1000, False):
        cols = _to_dict(chunk)
        for f in schema:
            if f.name in cols:
                cols[f.name] = pa.array(cols[f.name]).cast(f.type).to_pylist()
        for i in range(len(chunk)):
            yield {k: v[i] for k, v in cols.items()}


class IterableDatasetDict(dict):
    """Split name → ``IterableDataset``."""

    def _apply(self, name, *a, **k):
        return IterableDatasetDict({s: getattr(d, name)(*a, **k) for s, d in self.items()})

    def map(self, *a, **k):
        return self._apply("map", *a, **k)

    def filter(self, *a, **k):
        return self._apply("filter", *a, **k)

    def shuffle(self, *a, **k):
        return self._apply("shuffle", *a, **k)

    def with_format(self, *a, **k):
        return self._apply("with_format", *a, **k)

    def remove_columns(self, *a, **k):
        return self._apply("remove_columns", *a, **k)

    def __repr__(self):
        body = "\n".join(f"{k}: {v!r}" for k, v in self.items()).replace("\n", "\n    ")
        return f"IterableDatasetDict({{\n    {body}\n}})"
