"""``Dataset``: HF ``datasets.Dataset`` over the native engine. Rows live in memory-mapped Arrow
shards (read zero-copy through the Arrow PyCapsule interface); index ops (select, shuffle, sort,
split, filter) only build an indices mapping; data ops write new shards in the cache, keyed by
fingerprint, so a repeated pipeline reuses its outputs."""

from __future__ import annotations

import contextlib
import html
import json
import os
from collections.abc import Mapping

from .. import _tokenmill as _tm
from . import fingerprint as _fp
from . import formatting as _fmt
from . import convert as _convert
from .features import Features, features_json
from .progress import bar as _bar

_Native = _tm._Dataset


def _pa():
    try:
        import pyarrow as pa
    except ImportError as e:  # pragma: no cover
        raise ImportError("the datasets API needs pyarrow: pip install 'tokenmill[datasets]'") from e
    return pa


def _cache_root() -> str:
    return _tm._cache_dir()


def _table(stream):
    return _pa().table(stream)


class DatasetInfo:
    """The dataset's description and features (HF's ``DatasetInfo``, the fields tokenmill keeps)."""

    def __init__(self, description="", features=None, citation="", homepage="", license=""):
        self.description = description
        self.features = features
        self.citation = citation
        self.homepage = homepage
        self.license = license

    def __repr__(self):
        return f"DatasetInfo(features={self.features!r})"


class Column:
    """A lazy column (HF 5's ``Column``): indexing, slicing, iteration and ``list()`` read from the
    shards on demand, in the dataset's format."""

    def __init__(self, source: "Dataset", column_name: str):
        self.source = source
        self.column_name = column_name

    def __len__(self):
        return len(self.source)

    def _tables(self):
        for start in range(0, len(self.source), 1000):
            yield _table(self.source._ds.slice(start, 1000)).select([self.column_name])

    def __iter__(self):
        fmt = self.source._format["type"]
        for t in self._tables():
            yield from _fmt.column_values(t, fmt)

    def __getitem__(self, key):
        src = self.source
        fmt = src._format["type"]
        if isinstance(key, str):
            raise TypeError("a Column is indexed by row (int, slice or list of ints)")
        if isinstance(key, int) or (hasattr(key, "__index__") and not hasattr(key, "__len__")):
            i = int(key)
            n = len(src)
            if i < 0:
                i += n
            if not 0 <= i < n:
                raise IndexError(f"Index {key} out of range for dataset of size {n}.")
            t = _table(src._ds.slice(i, 1)).select([self.column_name])
            return _fmt.format_row(t, fmt)[self.column_name]
        t = src._read(src._rows_of(key)).select([self.column_name])
        return _fmt.format_column(t, fmt)

    def __eq__(self, other):
        if isinstance(other, Column):
            other = list(other)
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    __hash__ = None

    def __repr__(self):
        n = len(self)
        if n > 5:
            head = ", ".join(repr(x) for x in self[:5])
            return f"Column([{head}, ...])"
        return f"Column({list(self)!r})"


class Dataset:
    """A map-style dataset (HF's ``datasets.Dataset``)."""

    def __init__(self, native, format=None):
        self._ds = native
        self._format = dict(format or {"type": None, "columns": None, "output_all_columns": False, "format_kwargs": {}})

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_arrow(cls, data, split=None):
        """From a pyarrow Table/RecordBatch/RecordBatchReader, a polars DataFrame, or any object
        with ``__arrow_c_stream__`` / ``__arrow_c_array__``; written to the cache, keyed by content."""
        pa = _pa()
        if isinstance(data, pa.RecordBatchReader):
            data = data.read_all()
        if isinstance(data, pa.RecordBatch):
            data = pa.Table.from_batches([data])
        if not isinstance(data, pa.Table):
            data = pa.table(data)
        data = data.combine_chunks() if data.num_rows else data
        fp = _fp.table_fingerprint(data)
        # in memory, as HF's from_* tables (no cache files; map results are not cached)
        native = _Native.from_arrow_memory(data, fp)
        return cls(native.with_split(split))

    @classmethod
    def from_dict(cls, mapping, features=None, info=None, split=None):
        pa = _pa()
        if not isinstance(mapping, Mapping):
            raise TypeError(f"from_dict expects a dict of columns, got {type(mapping).__name__}")
        # numpy arrays of any rank, as HF's TypedSequence converts them
        mapping = {k: _convert.column_to_arrow(v) for k, v in mapping.items()}
        lengths = {k: len(v) for k, v in mapping.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"All columns must have the same length, got {lengths}")
        schema = _schema_of(features) if features is not None else None
        if features is not None:
            mapping = _convert.encode_columns(mapping, json.loads(features_json(features)))
        table = _table_from(pa.Table.from_pydict, dict(mapping), schema)
        return cls.from_arrow(table, split=split)

    @classmethod
    def from_list(cls, mapping, features=None, info=None, split=None):
        pa = _pa()
        schema = _schema_of(features) if features is not None else None
        if not mapping:
            table = pa.table({}) if schema is None else schema.empty_table()
        elif isinstance(mapping[0], Mapping) and any(_convert.needs_numpy_handling(v) for v in mapping[0].values()):
            # rows holding n-D numpy arrays: as HF, columns from the first row's keys, then from_dict
            keys = list(mapping[0])
            return cls.from_dict({k: [r.get(k) for r in mapping] for k in keys}, features=features, info=info, split=split)
        else:
            rows = list(mapping)
            if features is not None:
                feats = json.loads(features_json(features))
                if any(_convert._has_classlabel(f) for f in feats.values()):
                    rows = [_convert.encode_columns({k: [v] for k, v in r.items()}, feats) for r in rows]
                    rows = [{k: v[0] for k, v in r.items()} for r in rows]
            table = _table_from(pa.Table.from_pylist, rows, schema)
        return cls.from_arrow(table, split=split)

    @classmethod
    def from_pandas(cls, df, features=None, info=None, split=None, preserve_index=None):
        pa = _pa()
        schema = _schema_of(features) if features is not None else None
        table = pa.Table.from_pandas(df, schema=schema, preserve_index=preserve_index)
        return cls.from_arrow(table.replace_schema_metadata(None), split=split)

    @classmethod
    def from_polars(cls, df, features=None, info=None, split=None):
        table = df.to_arrow()
        ds = cls.from_arrow(table, split=split)
        return ds.cast(features) if features is not None else ds

    @classmethod
    def from_csv(cls, path_or_paths, split=None, features=None, cache_dir=None, keep_in_memory=False, num_proc=None, **kwargs):
        return cls._from_files("csv", path_or_paths, split, features, cache_dir, keep_in_memory, kwargs)

    @classmethod
    def from_json(cls, path_or_paths, split=None, features=None, cache_dir=None, keep_in_memory=False, field=None, num_proc=None, **kwargs):
        if field is not None:
            kwargs["field"] = field
        return cls._from_files("json", path_or_paths, split, features, cache_dir, keep_in_memory, kwargs)

    @classmethod
    def from_parquet(cls, path_or_paths, split=None, features=None, cache_dir=None, keep_in_memory=False, columns=None, num_proc=None, **kwargs):
        if columns is not None:
            kwargs["columns"] = columns
        return cls._from_files("parquet", path_or_paths, split, features, cache_dir, keep_in_memory, kwargs)

    @classmethod
    def from_text(cls, path_or_paths, split=None, features=None, cache_dir=None, keep_in_memory=False, num_proc=None, **kwargs):
        return cls._from_files("text", path_or_paths, split, features, cache_dir, keep_in_memory, kwargs)

    @classmethod
    def _from_files(cls, fmt, paths, split, features, cache_dir, keep_in_memory, kwargs):
        from .load import load_dataset

        if isinstance(paths, dict):
            raise ValueError("a dict of paths gives several splits: use load_dataset")
        ds = load_dataset(fmt, data_files=paths, split=split or "train", features=features, cache_dir=cache_dir, **kwargs)
        if keep_in_memory:
            ds = cls(ds._ds.to_memory(), ds._format)
        return ds

    @classmethod
    def from_generator(cls, generator, features=None, cache_dir=None, keep_in_memory=False, gen_kwargs=None, num_proc=None, split=None, **kwargs):
        """Rows from a generator function, written in batches of 1000 rows by the native writer
        (bounded memory). Cached by the hash of the generator and ``gen_kwargs``."""
        pa = _pa()
        gen_kwargs = gen_kwargs or {}
        fp = _fp.fingerprint_of("from_generator", "generator", generator, gen_kwargs, features_json(features) if features is not None else None)
        out = os.path.join(_cache_root(), fp)
        try:
            cached = _Native.open(out)
            if cached.fingerprint == fp:
                return cls(cached.with_split(split))
        except Exception:
            pass
        schema = _schema_of(features) if features is not None else None
        writer = _tm._Writer(out, fp, split)
        rows = []
        b = _bar("Generating " + (split or "train") + " split")
        if b is not None:
            b.start("Generating", None)
        try:
            for row in generator(**gen_kwargs):
                rows.append(row)
                if len(rows) >= 1000:
                    writer.write(pa.Table.from_pylist(rows, schema=schema))
                    if b is not None:
                        b.update(len(rows))
                    rows = []
            if rows or writer.rows == 0:
                if rows:
                    writer.write(pa.Table.from_pylist(rows, schema=schema))
                    if b is not None:
                        b.update(len(rows))
            native = writer.finish(schema.empty_table() if schema is not None else pa.table({}))
        except BaseException:
            writer.abort()
            raise
        finally:
            if b is not None:
                b.close()
        _tm._record_lineage(out)  # generated rows come from no dataset: the entry is its own root
        return cls(native)

    # ------------------------------------------------------------------ properties

    @property
    def num_rows(self) -> int:
        return self._ds.num_rows

    def __len__(self):
        return self._ds.num_rows

    @property
    def column_names(self) -> list:
        return self._ds.column_names

    @property
    def num_columns(self) -> int:
        return len(self._ds.column_names)

    @property
    def shape(self):
        return (self.num_rows, self.num_columns)

    @property
    def features(self) -> Features:
        return Features.from_dict(json.loads(self._ds.features_json()))

    @property
    def _fingerprint(self) -> str:
        return self._ds.fingerprint

    @property
    def split(self):
        return self._ds.split

    @property
    def format(self):
        return {
            "type": self._format["type"],
            "format_kwargs": dict(self._format["format_kwargs"]),
            "columns": self.column_names if self._format["columns"] is None else list(self._format["columns"]),
            "output_all_columns": self._format["output_all_columns"],
        }

    @property
    def cache_files(self) -> list:
        return [{"filename": f} for f in self._ds.data_files() if f]

    @property
    def data(self):
        """The rows in order as a pyarrow Table (zero-copy where no indices mapping)."""
        return _table(self._ds.stream(64 * 1024))

    @property
    def info(self):
        return DatasetInfo(description=self._ds.description(), features=self.features)

    @property
    def schema(self):
        return _pa().schema(self._ds.schema())

    def __arrow_c_stream__(self, requested_schema=None):
        return self._ds.stream(64 * 1024).__arrow_c_stream__(requested_schema)

    def __arrow_c_schema__(self):
        return self._ds.schema().__arrow_c_schema__()

    def __arrow_c_array__(self, requested_schema=None):
        return self._ds.slice(0, len(self)).__arrow_c_array__(requested_schema)

    def _new(self, native, keep_format=True):
        return Dataset(native, self._format if keep_format else None)

    # ------------------------------------------------------------------ reading

    def _out_columns(self):
        cols = self._format["columns"]
        return None if cols is None else [c for c in cols if c in self.column_names]

    def _formatted(self, table, kind):
        fmt = self._format["type"]
        if fmt == "custom":
            cols = self._out_columns()
            batch = (table.select(cols) if cols is not None else table).to_pydict()
            out = self._format["format_kwargs"]["transform"](batch)
            if self._format["output_all_columns"] and cols is not None:
                rest = table.select([c for c in table.column_names if c not in cols]).to_pydict()
                out = {**out, **rest}
            if kind == "row":
                return {k: v[0] for k, v in out.items()}
            if kind == "column":
                return next(iter(out.values()))
            return out
        cols = self._out_columns()
        if cols is not None and kind != "column":
            formatted = table.select(cols)
            out = {"row": _fmt.format_row, "batch": _fmt.format_batch}[kind](formatted, fmt)
            if self._format["output_all_columns"] and isinstance(out, dict):
                rest = table.select([c for c in table.column_names if c not in cols])
                extra = rest.to_pylist()[0] if kind == "row" else rest.to_pydict()
                out.update(extra)
            return out
        return {"row": _fmt.format_row, "batch": _fmt.format_batch, "column": _fmt.format_column}[kind](table, fmt)

    def _rows_of(self, key):
        n = len(self)
        if isinstance(key, slice):
            start, stop, step = key.indices(n)
            if step == 1:
                return ("range", start, max(0, stop - start))
            return ("list", list(range(start, stop, step)))
        if isinstance(key, range):
            key = list(key)
        try:
            import numpy as np

            if isinstance(key, np.ndarray):
                key = key.tolist()
        except ImportError:
            pass
        if hasattr(key, "to_pylist"):
            key = key.to_pylist()
        if isinstance(key, (list, tuple)):
            out = []
            for i in key:
                if isinstance(i, bool) or not isinstance(i, int):
                    i = int(i)
                if i < 0:
                    i += n
                if not 0 <= i < n:
                    raise IndexError(f"Index {i} out of range for dataset of size {n}.")
                out.append(i)
            return ("list", out)
        raise TypeError(f"Wrong key type: '{key}' of type '{type(key)}'. Expected one of int, slice, range, str or Iterable.")

    def _read(self, rows):
        if rows[0] == "range":
            return _table(self._ds.slice(rows[1], rows[2]))
        t = _table(self._ds.take(rows[1]))
        if self._format["type"] in ("numpy", "torch"):
            # HF gathers rows as one record batch each, and its numpy/torch formats convert batch by
            # batch (a null makes that batch's ints float): keep that where a null can be met
            t = _fmt.rows_as_chunks(t)
        return t

    def __getitem__(self, key):
        if isinstance(key, str):
            if key not in self.column_names:
                raise ValueError(f"Column '{key}' doesn't exist.")
            if self._format["type"] in (None, "numpy", "torch"):
                return Column(self, key)
            if self._format["type"] == "custom":
                return self._formatted(self.data, "batch")[key]
            return _fmt.format_column(self.data.select([key]), self._format["type"])
        if isinstance(key, int) or (hasattr(key, "__index__") and not isinstance(key, (list, tuple, slice, range)) and not hasattr(key, "__len__")):
            i = int(key)
            n = len(self)
            if i < 0:
                i += n
            if not 0 <= i < n:
                raise IndexError(f"Index {key} out of range for dataset of size {n}.")
            return self._formatted(_table(self._ds.slice(i, 1)), "row")
        return self._formatted(self._read(self._rows_of(key)), "batch")

    def __getitems__(self, keys):
        """Rows as a list of dicts (torch DataLoader's batched fetch)."""
        batch = self[list(keys)]
        if isinstance(batch, dict):
            n = len(keys)
            return [{k: v[i] for k, v in batch.items()} for i in range(n)]
        return [self[k] for k in keys]

    def __iter__(self):
        fmt_rows = self._format["type"] is None and self._format["columns"] is None
        for start in range(0, len(self), 1000):
            t = _table(self._ds.slice(start, 1000))
            if fmt_rows:
                yield from t.to_pylist()
            else:
                for i in range(t.num_rows):
                    yield self._formatted(t.slice(i, 1), "row")

    def iter(self, batch_size: int, drop_last_batch: bool = False):
        n = len(self)
        for start in range(0, n, batch_size):
            if drop_last_batch and start + batch_size > n:
                break
            yield self._formatted(_table(self._ds.slice(start, batch_size)), "batch")

    def to_dict(self, batch_size=None, batched=False):
        if batched:
            return (t.to_pydict() for t in (_table(self._ds.slice(s, batch_size or 1000)) for s in range(0, len(self), batch_size or 1000)))
        return self.data.to_pydict()

    def to_list(self):
        return self.data.to_pylist()

    def to_pandas(self, batch_size=None, batched=False):
        if batched:
            bs = batch_size or 1000
            return (_table(self._ds.slice(s, bs)).to_pandas() for s in range(0, len(self), bs))
        return self.data.to_pandas()

    def to_polars(self, batch_size=None, batched=False, schema_overrides=None, rechunk=True):
        import polars as pl

        if batched:
            bs = batch_size or 1000
            return (pl.from_arrow(_table(self._ds.slice(s, bs))) for s in range(0, len(self), bs))
        return pl.from_arrow(self.data, schema_overrides=schema_overrides, rechunk=rechunk)

    def to_arrow(self):
        return self.data

    def to_iterable_dataset(self, num_shards=1):
        from .iterable import IterableDataset, _DatasetRows

        if num_shards < 1 or (num_shards > len(self) and len(self) > 0):
            raise ValueError(f"num_shards must be between 1 and {len(self)}")
        return IterableDataset(_DatasetRows(self, num_shards), num_shards=num_shards, format_type=None)

    # ------------------------------------------------------------------ formats

    def set_format(self, type=None, columns=None, output_all_columns=False, **format_kwargs):
        type = _fmt.normalize(type)
        if isinstance(columns, str):
            columns = [columns]
        if columns is not None:
            missing = [c for c in columns if c not in self.column_names]
            if missing:
                raise ValueError(f"Columns {missing} not in the dataset. Current columns in the dataset: {self.column_names}")
            columns = list(columns)
        self._format = {"type": type, "columns": columns, "output_all_columns": output_all_columns, "format_kwargs": format_kwargs}

    def reset_format(self):
        self.set_format()

    def with_format(self, type=None, columns=None, output_all_columns=False, **format_kwargs):
        ds = Dataset(self._ds, self._format)
        ds.set_format(type, columns, output_all_columns, **format_kwargs)
        return ds

    def set_transform(self, transform, columns=None, output_all_columns=False):
        """HF's on-the-fly transform: ``transform(batch_dict)`` runs on every access (a row is a
        batch of one); ``None`` removes it."""
        if transform is None:
            return self.reset_format()
        if not callable(transform):
            raise TypeError(f"transform must be callable, got {type(transform).__name__}")
        self.set_format("custom", columns=columns, output_all_columns=output_all_columns, transform=transform)

    def with_transform(self, transform, columns=None, output_all_columns=False):
        ds = Dataset(self._ds, self._format)
        ds.set_transform(transform, columns=columns, output_all_columns=output_all_columns)
        return ds

    @contextlib.contextmanager
    def formatted_as(self, type=None, columns=None, output_all_columns=False, **format_kwargs):
        old = dict(self._format)
        self.set_format(type, columns, output_all_columns, **format_kwargs)
        try:
            yield
        finally:
            self._format = old

    # ------------------------------------------------------------------ pickling

    def __getstate__(self):
        files = self._ds.data_files()
        if self._ds.is_in_memory():
            return {"table": self.data, "fingerprint": self._ds.fingerprint, "split": self._ds.split, "format": self._format}
        return {
            "files": files,
            "indices": self._ds.indices(),
            "fingerprint": self._ds.fingerprint,
            "split": self._ds.split,
            "format": self._format,
        }

    def __setstate__(self, state):
        if "table" in state:
            self._ds = _Native.from_arrow_memory(state["table"], state["fingerprint"]).with_split(state["split"])
            self._format = state["format"]
            return
        self._ds = _Native.from_files(state["files"], state["indices"], state["fingerprint"], state["split"])
        self._format = state["format"]

    # ------------------------------------------------------------------ repr

    def __repr__(self):
        return f"Dataset({{\n    features: {self.column_names},\n    num_rows: {self.num_rows}\n}})"

    def _repr_html_(self):
        return _html(self)

    # ------------------------------------------------------------------ index ops

    def _check_columns(self, columns, what="Column"):
        missing = [c for c in columns if c not in self.column_names]
        if missing:
            raise ValueError(f"{what} name {missing} not in the dataset. Current columns in the dataset: {self.column_names}")

    def select(self, indices, keep_in_memory=False, indices_cache_file_name=None, writer_batch_size=1000, new_fingerprint=None):
        if isinstance(indices, (list, tuple)) and any(isinstance(i, int) and i < 0 for i in indices):
            # HF passes the indices to an unsigned Arrow array: the same error type
            raise OverflowError("can't convert negative int to unsigned (select takes row positions >= 0)")
        rows = self._rows_of(indices if not isinstance(indices, range) else indices)
        rows = list(range(rows[1], rows[1] + rows[2])) if rows[0] == "range" else rows[1]
        return self._new(self._ds.select(rows, new_fingerprint))

    def take(self, n: int):
        if n < 0:  # HF: select(range(n)), empty for n < 0
            return self.select([])
        return self._new(self._ds.take_n(n))

    def skip(self, n: int):
        return self._new(self._ds.skip(n))

    def shuffle(self, seed=None, generator=None, keep_in_memory=False, load_from_cache_file=None, indices_cache_file_name=None, writer_batch_size=1000, new_fingerprint=None):
        if generator is not None:
            if seed is not None:
                raise ValueError("Both `seed` and `generator` were provided. Please specify just one of them.")
            # HF: the permutation of the given numpy Generator
            perm = generator.permutation(len(self)).tolist()
            out = self._new(self._ds.select(perm, new_fingerprint or _fp.random_fingerprint()))
            return out
        if seed is None:
            import random

            seed = random.SystemRandom().randrange(2**32)
        out = self._new(self._ds.shuffle(int(seed)))
        if new_fingerprint:
            out._ds = out._ds.with_fingerprint(new_fingerprint)
        return out

    def sort(self, column_names, reverse=False, null_placement="at_end", keep_in_memory=False, load_from_cache_file=None, indices_cache_file_name=None, writer_batch_size=1000, new_fingerprint=None):
        if isinstance(column_names, str):
            column_names = [column_names]
        if isinstance(reverse, bool):
            reverse = [reverse] * len(column_names)
        elif len(reverse) != len(column_names):
            raise ValueError("Parameter 'reverse' should be either a boolean or a list of booleans with the same length as 'column_names'.")
        self._check_columns(column_names, "Column")
        if null_placement in ("at_start", "first"):
            # pyarrow's sort over the key columns only, as HF sorts
            import pyarrow.compute as pc

            keys = self.data.select(list(column_names))
            order = pc.sort_indices(keys, sort_keys=[(c, "descending" if r else "ascending") for c, r in zip(column_names, reverse)], null_placement="at_start")
            fp = _fp.fingerprint_of(self._fingerprint, "sort", list(column_names), list(reverse), "at_start")
            return self._new(self._ds.select(order.to_pylist(), fp))
        if null_placement not in ("at_end", "last"):
            raise ValueError(f"null_placement must be 'at_start' or 'at_end', not {null_placement!r}")
        return self._new(self._ds.sort(list(zip(column_names, reverse))))

    def train_test_split(self, test_size=None, train_size=None, shuffle=True, stratify_by_column=None, seed=None, generator=None, keep_in_memory=False, load_from_cache_file=None, train_indices_cache_file_name=None, test_indices_cache_file_name=None, writer_batch_size=1000, train_new_fingerprint=None, test_new_fingerprint=None):
        from .dataset_dict import DatasetDict

        if seed is None:
            import random

            seed = random.SystemRandom().randrange(2**32) if shuffle else 0
        if stratify_by_column is not None:
            self._check_columns([stratify_by_column])
        train, test = self._ds.train_test_split(test_size, train_size, shuffle, int(seed), stratify_by_column)
        return DatasetDict({"train": self._new(train), "test": self._new(test)})

    def shard(self, num_shards: int, index: int, contiguous: bool = True, keep_in_memory=False, indices_cache_file_name=None, writer_batch_size=1000):
        if not 0 <= index < num_shards:
            raise ValueError("index should be in [0, num_shards-1]")
        return self._new(self._ds.shard(num_shards, index, contiguous))

    # ------------------------------------------------------------------ column ops

    def rename_column(self, original_column_name, new_column_name, new_fingerprint=None):
        if original_column_name not in self.column_names:
            raise ValueError(f"Original column name {original_column_name} not in the dataset. Current columns in the dataset: {self.column_names}")
        if new_column_name in self.column_names:
            raise ValueError(f"New column name {new_column_name} already in the dataset. Please choose a column name which is not already in the dataset. Current columns in the dataset: {self.column_names}")
        if not new_column_name:
            raise ValueError("New column name is empty.")
        return self._new(self._ds.rename_columns([(original_column_name, new_column_name)]))

    def rename_columns(self, column_mapping: dict, new_fingerprint=None):
        self._check_columns(list(column_mapping), "Original column")
        return self._new(self._ds.rename_columns(list(column_mapping.items())))

    def remove_columns(self, column_names, new_fingerprint=None):
        if isinstance(column_names, str):
            column_names = [column_names]
        missing = [c for c in column_names if c not in self.column_names]
        if missing:
            raise ValueError(f"Column name {missing} not in the dataset. Current columns in the dataset: {self.column_names}")
        return self._new(self._ds.remove_columns(list(column_names)))

    def select_columns(self, column_names, new_fingerprint=None):
        if isinstance(column_names, str):
            column_names = [column_names]
        missing = [c for c in column_names if c not in self.column_names]
        if missing:
            raise ValueError(f"Column name {missing} not in the dataset. Current columns in the dataset: {self.column_names}.")
        return self._new(self._ds.select_columns_in_order(list(column_names)))

    def add_column(self, name, column, new_fingerprint=None, feature=None):
        pa = _pa()
        if name in self.column_names:
            raise ValueError(f"Column {name} already in the dataset.")
        if isinstance(column, Column):
            column = list(column)
        arr = column if isinstance(column, (pa.Array, pa.ChunkedArray)) else pa.array(list(column) if not hasattr(column, "__array__") else column)
        if len(arr) != len(self):
            raise ValueError(f"The column has {len(arr)} values but the dataset has {len(self)} rows.")
        t = pa.table({name: arr})
        if feature is not None:
            t = t.cast(_schema_of({name: feature}))
        return self._new(self._ds.add_column(name, t))

    def cast_column(self, column, feature, new_fingerprint=None):
        self._check_columns([column])
        out = self._ds.cast(features_json({column: feature}), _bar("Casting the dataset"))
        feats = self.features.to_dict()
        feats[column] = json.loads(features_json({column: feature}))[column]
        return self._new(out.with_features(json.dumps(feats)))

    def cast(self, features, batch_size=1000, keep_in_memory=False, load_from_cache_file=None, cache_file_name=None, writer_batch_size=1000, num_proc=None):
        d = json.loads(features_json(features))
        if sorted(d) != sorted(self.column_names):
            raise ValueError(f"The columns in features ({list(d)}) must be identical as the columns in the dataset: {self.column_names}")
        out = self._ds.cast(json.dumps(d), _bar("Casting the dataset"))
        order = list(d)
        if order != out.column_names:
            out = out.select_columns_in_order(order)
        return self._new(out.with_features(json.dumps(d)))

    def flatten(self, new_fingerprint=None, max_depth=16):
        return self._new(self._ds.flatten())

    def unique(self, column: str):
        if column not in self.column_names:
            raise ValueError(f"Column ({column}) not in table columns ({self.column_names}).")
        return _table(self._ds.unique(column)).column(0).to_pylist()

    def flatten_indices(self, keep_in_memory=False, cache_file_name=None, writer_batch_size=1000, features=None, disable_nullable=False, num_proc=None, new_fingerprint=None):
        return self._new(self._ds.flatten_indices(_bar("Flattening the indices")))

    def class_encode_column(self, column, include_nulls=False):
        from .features import ClassLabel

        self._check_columns([column])
        names = sorted(str(x) for x in self.unique(column) if x is not None)
        mapping = {n: i for i, n in enumerate(names)}
        col = [None if v is None else mapping[str(v)] for v in self[column]]
        tmp = self.remove_columns(column).add_column(column, col)
        tmp = tmp.select_columns(self.column_names)
        return tmp.cast_column(column, ClassLabel(names=names))

    # ------------------------------------------------------------------ map / filter

    def map(self, function=None, with_indices=False, with_rank=False, input_columns=None, batched=False, batch_size=1000, drop_last_batch=False, remove_columns=None, keep_in_memory=False, load_from_cache_file=None, cache_file_name=None, writer_batch_size=1000, features=None, disable_nullable=False, fn_kwargs=None, num_proc=None, suffix_template="_{rank:05d}_of_{num_proc:05d}", new_fingerprint=None, desc=None, try_original_type=True, on_mixed_types=None):
        from .map import map_dataset

        if on_mixed_types is not None:
            raise NotImplementedError(
                f"map(on_mixed_types={on_mixed_types!r}): HF's Json feature (columns of mixed types stored as JSON) "
                "is not supported by tokenmill; return one type per column"
            )
        return map_dataset(self, function, with_indices=with_indices, with_rank=with_rank, input_columns=input_columns, batched=batched, batch_size=batch_size, drop_last_batch=drop_last_batch, remove_columns=remove_columns, load_from_cache_file=load_from_cache_file, features=features, fn_kwargs=fn_kwargs, new_fingerprint=new_fingerprint, desc=desc, try_original_type=try_original_type, keep_in_memory=keep_in_memory, cache_file_name=cache_file_name, num_proc=num_proc)

    def filter(self, function=None, with_indices=False, with_rank=False, input_columns=None, batched=False, batch_size=1000, keep_in_memory=False, load_from_cache_file=None, cache_file_name=None, writer_batch_size=1000, fn_kwargs=None, num_proc=None, suffix_template="_{rank:05d}_of_{num_proc:05d}", new_fingerprint=None, desc=None):
        from .map import filter_dataset

        return filter_dataset(self, function, with_indices=with_indices, input_columns=input_columns, batched=batched, batch_size=batch_size, fn_kwargs=fn_kwargs, load_from_cache_file=load_from_cache_file, new_fingerprint=new_fingerprint, desc=desc, with_rank=with_rank, num_proc=num_proc)

    def tokenize(self, tokenizer, column="text", output="input_ids", *, add_special_tokens=False, add_eot=False, eot_id=None, max_length=None, padding=None, pad_id=None, attention_mask=False, offsets=False, remove_columns=False, dtype="auto", added_tokens=None, batch_size=1000, num_threads=0, desc=None):
        """Native parallel tokenization of ``column`` (GIL released): ``tokenizer`` is a
        ``tokenmill.Tokenizer``, a ``tokenmill.tiktoken.Encoding`` or an encoding name. Adds
        ``output`` (list of uint16/uint32 ids), optionally ``attention_mask`` and
        ``offset_mapping``; keeps the other columns unless ``remove_columns=True``. Cached.

        By default the ids are the text's tokens only (corpus tokenization for LM training): the
        tokenizer's post-processor (``[CLS]``/``[SEP]``), padding and truncation settings are not
        applied (use ``max_length``, ``padding``, ``add_eot``). ``added_tokens``: text spelling an
        added/special token becomes its id (``tokenizers``' ``encode(..., add_special_tokens=False)``);
        default True for a ``Tokenizer``, False for a tiktoken encoding (``encode_ordinary``).

        ``add_special_tokens=True`` (a ``Tokenizer`` only) runs its whole pipeline instead, as
        ``tokenizer.encode_batch(batch)`` in a batched ``map`` of ``batch_size`` rows: the
        post-processor's special tokens and the tokenizer's own truncation and padding
        (``enable_truncation`` / ``enable_padding`` or the file's settings); it excludes
        ``add_eot``, ``max_length`` and ``padding``."""
        tokenizer = _resolve_tokenizer(tokenizer)
        if added_tokens is None:
            added_tokens = isinstance(tokenizer, _tm.Tokenizer)
        if column not in self.column_names:
            raise ValueError(f"Column name {column!r} not in the dataset. Current columns in the dataset: {self.column_names}")
        if add_special_tokens and not isinstance(tokenizer, _tm.Tokenizer):
            raise ValueError("add_special_tokens=True needs a tokenmill.Tokenizer (a tokenizer.json pipeline); a tiktoken encoding has no post-processor")
        native = _tm._tokenize(self._ds, tokenizer, column, output, add_eot, eot_id, max_length, padding, pad_id, attention_mask, offsets, not remove_columns, dtype, added_tokens, batch_size, num_threads, _bar(desc or "Tokenizing"), pipeline=bool(add_special_tokens))
        return self._new(native)

    def pack(self, block_size: int, column: str = "input_ids", eot=None, keep_partial: bool = False, desc=None):
        """Concatenates the ids of ``column`` (with ``eot`` after every row when given: an id, or
        a tokenizer whose ``<|endoftext|>`` id is used) and cuts them into rows of ``block_size``
        tokens (HF's ``group_texts``); the output has the single column ``column``."""
        if column not in self.column_names:
            raise ValueError(f"Column name {column!r} not in the dataset. Current columns in the dataset: {self.column_names}")
        if eot is not None and not isinstance(eot, int):
            tok = _resolve_tokenizer(eot)
            eot = _tm._special_token_id(tok)
            if eot is None:
                raise ValueError("the tokenizer has no <|endoftext|> token: pass eot=<id>")
        return self._new(_tm._pack(self._ds, block_size, column, eot, keep_partial, _bar(desc or "Packing")))

    # ------------------------------------------------------------------ save / export / cache

    def save_to_disk(self, dataset_path, max_shard_size=None, num_shards=None, num_proc=None, storage_options=None):
        if max_shard_size is not None and num_shards is not None:
            raise ValueError("Please specify either max_shard_size or num_shards, but not both.")
        path = os.fspath(dataset_path)
        if num_shards is not None:
            self._ds.save_to_disk_shards(path, int(num_shards), _bar("Saving the dataset"))
        else:
            self._ds.save_to_disk(path, _parse_size(max_shard_size), _bar("Saving the dataset"))
        _write_format(path, self._format)

    @staticmethod
    def load_from_disk(dataset_path, keep_in_memory=None, storage_options=None):
        from .load import load_from_disk

        ds = load_from_disk(dataset_path)
        if not isinstance(ds, Dataset):
            raise FileNotFoundError(f"No such file: '{os.path.join(os.fspath(dataset_path), 'state.json')}'. Expected to load a `Dataset` object, but got a `DatasetDict`. Please use either `datasets.load_from_disk` or `DatasetDict.load_from_disk` instead.")
        return ds

    def to_parquet(self, path_or_buf, batch_size=None, storage_options=None, **parquet_writer_kwargs):
        return self._export("parquet", path_or_buf)

    def to_csv(self, path_or_buf, batch_size=None, num_proc=None, storage_options=None, **to_csv_kwargs):
        if to_csv_kwargs:
            return self.to_pandas().to_csv(path_or_buf, **{"index": False, **to_csv_kwargs})
        return self._export("csv", path_or_buf)

    def to_json(self, path_or_buf, batch_size=None, num_proc=None, storage_options=None, **to_json_kwargs):
        """JSON Lines by default (native writer); other pandas ``to_json`` options and
        ``compression`` go through pandas per batch, as HF writes them."""
        if not to_json_kwargs or (set(to_json_kwargs) <= {"lines", "orient"} and to_json_kwargs.get("lines", True) is True and to_json_kwargs.get("orient", "records") == "records"):
            return self._export("jsonl", path_or_buf)
        kw = dict(to_json_kwargs)
        compression = kw.pop("compression", None)
        orient = kw.pop("orient", "records")
        lines = kw.pop("lines", orient == "records")
        kw.pop("index", None)
        bs = batch_size or 10000
        opener = _opener(compression, path_or_buf)
        written = 0
        with opener as f:
            for start in range(0, len(self), bs):
                text = _table(self._ds.slice(start, bs)).to_pandas().to_json(None, orient=orient, lines=lines, **kw)
                if not text.endswith("\n"):
                    text += "\n"
                b = text.encode("utf-8")
                f.write(b)
                written += len(b)
        return written

    def _export(self, fmt, path):
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError("only file paths are supported (not file objects)")
        self._ds.export(fmt, os.fspath(path), _bar(f"Creating {fmt} from Arrow format"))
        return os.path.getsize(path)

    def cleanup_cache_files(self) -> int:
        """Removes the cache files of datasets derived from the same source as this one (HF: the
        ``cache-*.arrow`` files in this dataset's cache directory), except the ones this dataset
        uses; cache entries of unrelated datasets are left alone, as are loaded sources and caches
        written before lineage was recorded. Returns the number of cache entries removed: one
        entry (``<cache dir>/<fingerprint>/``) corresponds to one HF cache file (a ``num_proc``
        map has one per process, as in HF). A dataset without cache files (in memory) returns 0.

        Be careful when running this command that no other process is currently using other cache
        files derived from the same source."""
        return self._ds.cleanup_cache_files([])


def _resolve_tokenizer(tok):
    if isinstance(tok, str):
        from .. import tiktoken

        return tiktoken.get_encoding(tok)
    if not _tm._is_native_tokenizer(tok):
        raise TypeError(f"expected a tokenmill.Tokenizer, a tokenmill.tiktoken.Encoding or an encoding name, got {type(tok).__name__}")
    return tok


def _table_from(build, data, schema):
    """``build(data, schema=schema)``; where the schema holds extension types (HF's ArrayXD, known to
    pyarrow once ``datasets`` is imported), built on their storage types, then cast."""
    storage = _convert.storage_schema(schema) if schema is not None else None
    if storage is None:
        return build(data, schema=schema)
    return build(data, schema=storage).cast(schema)


def _schema_of(features):
    """A pyarrow schema for HF features (the engine's feature → Arrow mapping)."""
    return _pa().schema(_tm._features_schema(features_json(features)))


def _parse_size(size):
    if size is None:
        return None
    if isinstance(size, int):
        return size
    s = str(size).strip().upper()
    for unit, mult in (("GIB", 2**30), ("MIB", 2**20), ("KIB", 2**10), ("GB", 10**9), ("MB", 10**6), ("KB", 10**3), ("B", 1)):
        if s.endswith(unit):
            return int(float(s[: -len(unit)]) * mult)
    return int(s)


def _html(ds: Dataset, rows: int = 5) -> str:
    esc = html.escape
    feats = ds.features
    head = "".join(f"<th>{esc(str(c))}<br><small>{esc(repr(feats.get(c)))}</small></th>" for c in ds.column_names)
    body = ""
    if len(ds):
        t = _table(ds._ds.slice(0, min(rows, len(ds))))
        for r in t.to_pylist():
            cells = ""
            for c in ds.column_names:
                v = repr(r[c])
                if len(v) > 200:
                    v = v[:200] + "…"
                cells += f"<td>{esc(v)}</td>"
            body += f"<tr>{cells}</tr>"
    split = f" ({esc(ds.split)})" if ds.split else ""
    return (
        f"<div><b>Dataset</b>{split}: {ds.num_rows:,} rows × {ds.num_columns} columns"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _opener(compression, path):
    import bz2
    import gzip
    import lzma

    if hasattr(path, "write"):
        import contextlib

        return contextlib.nullcontext(path)
    path = os.fspath(path)
    if compression in (None, "infer"):
        if compression == "infer":
            for ext, c in ((".gz", "gzip"), (".bz2", "bz2"), (".xz", "xz")):
                if path.endswith(ext):
                    compression = c
        if compression in (None, "infer"):
            return open(path, "wb")
    if compression == "gzip":
        return gzip.open(path, "wb")
    if compression == "bz2":
        return bz2.open(path, "wb")
    if compression == "xz":
        return lzma.open(path, "wb")
    raise ValueError(f"unsupported compression {compression!r} (gzip, bz2, xz)")


def _write_format(path, fmt):
    """Records the format in state.json as HF does (restored by load_from_disk)."""
    state_path = os.path.join(path, "state.json")
    with open(state_path, encoding="utf-8") as f:
        state = json.load(f)
    state["_format_type"] = fmt["type"]
    state["_format_columns"] = fmt["columns"]
    state["_format_kwargs"] = fmt["format_kwargs"]
    state["_output_all_columns"] = fmt["output_all_columns"]
    tmp = state_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(state, f, indent=2, sort_keys=True)
    os.replace(tmp, state_path)


def _read_format(path):
    try:
        with open(os.path.join(path, "state.json"), encoding="utf-8") as f:
            state = json.load(f)
    except (OSError, ValueError):
        return None
    return {
        "type": state.get("_format_type"),
        "columns": state.get("_format_columns"),
        "output_all_columns": bool(state.get("_output_all_columns", False)),
        "format_kwargs": state.get("_format_kwargs") or {},
    }
