"""``load_dataset`` / ``load_from_disk`` / ``concatenate_datasets`` / ``interleave_datasets`` (HF
names and semantics) over the native loaders: csv, tsv, json, parquet, text, arrow, squad, imdb, or
a local file/folder with the format inferred from the extensions. Loaded shards live in the cache
(``TOKENMILL_CACHE``), keyed by the input files and options: a second identical load is a cache hit."""

from __future__ import annotations

import json
import os

from .. import _tokenmill as _tm
from .arrow_dataset import Dataset, _read_format
from .dataset_dict import DatasetDict
from .features import features_json
from .progress import bar as _bar

_FORMATS = {"csv", "tsv", "json", "jsonl", "parquet", "text", "txt", "arrow", "squad", "imdb"}


def _resolve(path, data_files, data_dir):
    """(format or None, data_files) for HF's `path` / `data_files` / `data_dir`."""
    p = os.fspath(path)
    if p.lower() in _FORMATS:
        fmt = p.lower()
        if data_files is None:
            if data_dir is None:
                raise ValueError(f"At least one data file must be specified, but got data_files={data_files}")
            data_files = data_dir
        elif data_dir is not None:
            data_files = _under(data_dir, data_files)
        return fmt, data_files
    if os.path.exists(p):
        if data_files is not None:
            return None, _under(p, data_files) if os.path.isdir(p) else data_files
        return None, p
    raise FileNotFoundError(
        f"Couldn't find any data file at {os.path.abspath(p)}. (tokenmill loads local files only: pass a format "
        f"such as 'csv', 'json', 'parquet', 'text', 'arrow', 'squad' or 'imdb' with data_files=, or a local path.)"
    )


def _under(root, files):
    def j(f):
        f = os.fspath(f)
        return f if os.path.isabs(f) else os.path.join(root, f)

    if isinstance(files, dict):
        return {k: ([j(x) for x in v] if isinstance(v, (list, tuple)) else j(v)) for k, v in files.items()}
    if isinstance(files, (list, tuple)):
        return [j(x) for x in files]
    return j(files)


def _decompressed(files):
    """.bz2 / .xz inputs (which the native readers do not decode; .gz and .zst they stream)
    decompressed once into the cache, keyed by path, size and mtime."""
    import hashlib

    def one(f):
        if not isinstance(f, (str, os.PathLike)):
            return f
        f = os.fspath(f)
        low = f.lower()
        codec = "bz2" if low.endswith(".bz2") else "xz" if low.endswith(".xz") else None
        if codec is None or not os.path.isfile(f):
            return f
        st = os.stat(f)
        key = hashlib.sha256(f"{os.path.abspath(f)}:{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:16]
        inner = os.path.basename(f)[: -len(codec) - 1]
        out_dir = os.path.join(_tm._cache_dir(), "decompressed", key)
        out = os.path.join(out_dir, inner)
        if not os.path.exists(out):
            import bz2
            import lzma
            import shutil

            os.makedirs(out_dir, exist_ok=True)
            tmp = out + ".tmp"
            with (bz2.open(f, "rb") if codec == "bz2" else lzma.open(f, "rb")) as src, open(tmp, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            os.replace(tmp, out)
        return out

    if isinstance(files, dict):
        return {k: ([one(x) for x in v] if isinstance(v, (list, tuple)) else one(v)) for k, v in files.items()}
    if isinstance(files, (list, tuple)):
        return [one(x) for x in files]
    return one(files)


def _options(field, features, kwargs):
    opts = dict(kwargs)
    if field is not None:
        opts["field"] = field
    if features is not None:
        opts["features_json"] = features_json(features)
    return opts


def load_dataset(path, name=None, data_dir=None, data_files=None, split=None, cache_dir=None, features=None, download_config=None, download_mode=None, verification_mode=None, keep_in_memory=None, save_infos=False, revision=None, token=None, streaming=False, num_proc=None, storage_options=None, field=None, **config_kwargs):
    """Loads local data files as HF's ``datasets.load_dataset``: a ``DatasetDict`` without
    ``split``, a ``Dataset`` with one (slicing such as ``"train[:10%]"`` and ``"train+test"``
    of one split allowed), an ``IterableDataset`` with ``streaming=True``."""
    if isinstance(split, (list, tuple)):
        # HF: a list of split specs gives a list of datasets
        return [
            load_dataset(path, name, data_dir, data_files, s, cache_dir, features, streaming=streaming, field=field, **config_kwargs)
            for s in split
        ]
    fmt, files = _resolve(path, data_files, data_dir)
    if isinstance(files, os.PathLike):
        files = os.fspath(files)
    files = _decompressed(files)
    config_kwargs = dict(config_kwargs)
    names = config_kwargs.pop("column_names", None)
    names = config_kwargs.pop("names", None) if names is None else names
    if names is not None:
        # pandas/HF: given names and no explicit header mean the first row is data
        config_kwargs.setdefault("header", None)
        if streaming:
            raise ValueError("column_names/names are not supported with streaming=True yet")
    opts = _options(field, features, config_kwargs)
    if cache_dir is not None:
        # the engine reads its cache root from TOKENMILL_CACHE: set for this load only
        old = os.environ.get("TOKENMILL_CACHE")
        os.environ["TOKENMILL_CACHE"] = os.fspath(cache_dir)
        try:
            return load_dataset(path, name, data_dir, data_files, split, None, features, streaming=streaming, field=field, **config_kwargs)
        finally:
            if old is None:
                os.environ.pop("TOKENMILL_CACHE", None)
            else:
                os.environ["TOKENMILL_CACHE"] = old
    if streaming:
        from .iterable import IterableDataset, IterableDatasetDict

        if split is None:
            names = _tm._split_names(fmt, files)
            return IterableDatasetDict({n: load_dataset(path, name, data_dir, files, n, None, features, streaming=True, field=field, **config_kwargs) for n in names})
        try:
            native = _tm._load_streaming(fmt, files, str(split), opts)
        except _tm.DatasetsError as e:
            # HF reads nothing before iterating: a malformed file fails when iterated
            err = e

            def failing():
                raise err
                yield  # pragma: no cover

            return IterableDataset(failing, split=str(split))
        # HF's csv builder declares no features before reading: its streaming features are unknown
        unknown = fmt in ("csv", "tsv")
        it = IterableDataset(native, split=str(split), features_unknown=unknown)
        if features is not None and _has_array_xd(json.loads(opts["features_json"])):
            # the loader reads an ArrayXD column as its nested-list storage: cast each batch to
            # HF's extension-typed field, as the non-streaming path does
            it = it.cast(features)
        return it
    if split is not None:
        parts = [x.strip() for x in str(split).split("+")]
        bases = {x.split("[", 1)[0] for x in parts}
        if len(bases) > 1:
            # HF joins parts of different splits ("train+test[:10%]"): each part, concatenated
            return concatenate_datasets(
                [Dataset(_tm._load_dataset(fmt, files, part, opts, _bar("Generating split"))) for part in parts],
                split=str(split),
            )
    out = _tm._load_dataset(fmt, files, None if split is None else str(split), opts, _bar("Generating split"))
    columns = opts.get("columns")

    def ordered(ds):
        if names is not None:
            if len(names) != len(ds.column_names):
                raise ValueError(f"column_names has {len(names)} names for {len(ds.column_names)} columns")
            if list(names) != ds.column_names:
                ds = ds.rename_columns(dict(zip(ds.column_names, names)))
        # HF's parquet reader returns the requested columns in the file's order
        if columns is None or fmt != "parquet":
            return ds
        try:
            first = ds.cache_files and None
            import pyarrow.parquet as pq

            files_list = files if isinstance(files, (list, tuple)) else [files] if isinstance(files, str) else None
            if not files_list:
                return ds
            import glob as _glob

            f0 = sorted(_glob.glob(os.fspath(files_list[0])))[0] if not os.path.isfile(files_list[0]) else files_list[0]
            order = [c for c in pq.read_schema(f0).names if c in columns]
        except Exception:
            return ds
        del first
        return ds.select_columns(order) if order != ds.column_names and sorted(order) == sorted(ds.column_names) else ds

    feature_dict = json.loads(opts["features_json"]) if features is not None else {}
    array_xd = _has_array_xd(feature_dict)

    def finished(ds):
        ds = ordered(ds)
        # the loaders read an ArrayXD column as its nested-list storage: cast it to HF's
        # extension-typed field (shape and dtype checked by the cast)
        if array_xd and sorted(ds.column_names) == sorted(feature_dict):
            ds = ds.cast(features)
        return ds

    if isinstance(out, list):
        return DatasetDict({name: finished(Dataset(ds)) for name, ds in out})
    return finished(Dataset(out))


def _has_array_xd(feat) -> bool:
    """Whether a features dict (HF JSON form) holds an Array2D..Array5D anywhere."""
    if isinstance(feat, dict):
        t = feat.get("_type")
        if isinstance(t, str) and t.startswith("Array") and t.endswith("D"):
            return True
        return any(_has_array_xd(v) for v in feat.values())
    if isinstance(feat, list):
        return any(_has_array_xd(v) for v in feat)
    return False


def load_from_disk(dataset_path, keep_in_memory=None, storage_options=None):
    """Opens a ``save_to_disk`` folder (HF's or tokenmill's): a ``Dataset`` or a ``DatasetDict``."""
    p = os.fspath(dataset_path)
    if not os.path.exists(p):
        raise FileNotFoundError(f"Directory {p} not found")
    if not (os.path.exists(os.path.join(p, "state.json")) or os.path.exists(os.path.join(p, "dataset_dict.json"))):
        raise FileNotFoundError(f"Directory {p} is neither a `Dataset` directory nor a `DatasetDict` directory.")
    out = _tm._load_from_disk(p)

    def opened(native, sub):
        if keep_in_memory:
            native = native.to_memory()
        ds = Dataset(native)
        fmt = _read_format(sub)
        if fmt is not None and (fmt["type"] is not None or fmt["columns"] is not None):
            ds.set_format(fmt["type"], fmt["columns"], fmt["output_all_columns"], **fmt["format_kwargs"])
        return ds

    if isinstance(out, list):
        return DatasetDict({name: opened(ds, os.path.join(p, name)) for name, ds in out})
    return opened(out, p)


def concatenate_datasets(dsets, info=None, split=None, axis=0):
    """Rows of ``dsets`` one after another (same columns and types; no copy)."""
    from .iterable import IterableDataset

    if not dsets:
        raise ValueError("Unable to concatenate an empty list of datasets.")
    if all(isinstance(d, IterableDataset) for d in dsets):
        return IterableDataset.concatenate(dsets)
    if not all(isinstance(d, Dataset) for d in dsets):
        raise ValueError("Expected a list of Dataset objects or a list of IterableDataset objects, but got mixed types.")
    if axis == 1:
        out = dsets[0]
        for d in dsets[1:]:
            if len(d) != len(out):
                raise ValueError("Number of rows must match for axis=1 concatenation")
            for c in d.column_names:
                out = out.add_column(c, d.data.column(c))
        return out
    # HF aligns the columns: the union in order of appearance, missing ones filled with nulls
    order = []
    types = {}
    for d in dsets:
        sch = d.schema
        for f in sch:
            if f.name not in types:
                order.append(f.name)
                types[f.name] = f.type
    parts = []
    for d in dsets:
        missing = [c for c in order if c not in d.column_names]
        if missing:
            import pyarrow as pa

            for c in missing:
                d = d.add_column(c, pa.nulls(len(d), types[c]))
        if d.column_names != order:
            d = d.select_columns(order)
        parts.append(d)
    out = Dataset(_tm._Dataset.concatenate([d._ds for d in parts]), dsets[0]._format)
    if split is not None:
        out._ds = out._ds.with_split(split)
    return out


def interleave_datasets(datasets, probabilities=None, seed=None, info=None, split=None, stopping_strategy="first_exhausted"):
    """HF's ``interleave_datasets``: round-robin, or sampled with ``probabilities`` (numpy's
    generator with ``seed``, as HF), stopping as ``stopping_strategy`` says."""
    from .iterable import IterableDataset

    if not datasets:
        raise ValueError("Unable to interleave an empty list of datasets.")
    if all(isinstance(d, IterableDataset) for d in datasets):
        return IterableDataset.interleave(datasets, probabilities, seed, stopping_strategy)
    if probabilities is not None and len(probabilities) != len(datasets):
        raise ValueError("probabilities must have one value per dataset")
    if seed is None:
        import random

        seed = random.SystemRandom().randrange(2**32) if probabilities is not None else 0
    names = datasets[0].column_names
    parts = [d if d.column_names == names else d.select_columns(names) for d in datasets]
    out = Dataset(_tm._Dataset.interleave([d._ds for d in parts], None if probabilities is None else [float(p) for p in probabilities], int(seed), stopping_strategy), datasets[0]._format)
    if split is not None:
        out._ds = out._ds.with_split(split)
    return out
