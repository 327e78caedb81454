"""``DatasetDict``: named splits (HF's ``datasets.DatasetDict``), every op applied per split."""

from __future__ import annotations

import os

from .. import _tokenmill as _tm
from .arrow_dataset import Dataset, _parse_size, _html
from .progress import bar as _bar


def _per_split(name):
    def method(self, *args, **kwargs):
        return DatasetDict({k: getattr(v, name)(*args, **kwargs) for k, v in self.items()})

    method.__name__ = name
    method.__doc__ = f"``Dataset.{name}`` applied to every split."
    return method


class DatasetDict(dict):
    """A dict split name → ``Dataset``."""

    def _check_values_type(self):
        for v in self.values():
            if not isinstance(v, Dataset):
                raise TypeError(f"Values in `DatasetDict` should be of type `Dataset` but got type '{type(v)}'")

    @property
    def num_rows(self):
        return {k: v.num_rows for k, v in self.items()}

    @property
    def num_columns(self):
        return {k: v.num_columns for k, v in self.items()}

    @property
    def column_names(self):
        return {k: v.column_names for k, v in self.items()}

    @property
    def shape(self):
        return {k: v.shape for k, v in self.items()}

    @property
    def cache_files(self):
        return {k: v.cache_files for k, v in self.items()}

    @property
    def data(self):
        return {k: v.data for k, v in self.items()}

    def __getitem__(self, k):
        if isinstance(k, str):
            try:
                return super().__getitem__(k)
            except KeyError:
                raise KeyError(f"Invalid key: {k!r}. Please first select a split. For example: `my_dataset_dictionary['{next(iter(self), 'train')}'][{k!r}]`. Available splits: {sorted(self)}") from None
        raise KeyError(f"Invalid key: {k}. Please first select a split. For example: `my_dataset_dictionary['train'][{k}]`. Available splits: {sorted(self)}")

    def __repr__(self):
        body = "\n".join(f"{k}: {v!r}" for k, v in self.items()).replace("\n", "\n    ")
        return f"DatasetDict({{\n    {body}\n}})"

    def _repr_html_(self):
        return "".join(f"<h4>{k}</h4>{_html(v)}" for k, v in self.items())

    map = _per_split("map")
    filter = _per_split("filter")
    select_columns = _per_split("select_columns")
    remove_columns = _per_split("remove_columns")
    rename_column = _per_split("rename_column")
    rename_columns = _per_split("rename_columns")
    cast = _per_split("cast")
    cast_column = _per_split("cast_column")
    flatten = _per_split("flatten")
    flatten_indices = _per_split("flatten_indices")
    sort = _per_split("sort")
    with_format = _per_split("with_format")
    class_encode_column = _per_split("class_encode_column")
    tokenize = _per_split("tokenize")
    pack = _per_split("pack")
    take = _per_split("take")
    skip = _per_split("skip")

    def shuffle(self, seeds=None, seed=None, generators=None, keep_in_memory=False, load_from_cache_file=None, indices_cache_file_names=None, writer_batch_size=1000):
        if seed is not None and seeds is not None:
            raise ValueError("Please specify seed or seeds, but not both")
        seeds = seed if seed is not None else seeds
        if not isinstance(seeds, dict):
            seeds = {k: seeds for k in self}
        return DatasetDict({k: v.shuffle(seed=seeds.get(k)) for k, v in self.items()})

    def set_format(self, type=None, columns=None, output_all_columns=False, **format_kwargs):
        for v in self.values():
            v.set_format(type, columns, output_all_columns, **format_kwargs)

    def reset_format(self):
        for v in self.values():
            v.reset_format()

    def unique(self, column):
        return {k: v.unique(column) for k, v in self.items()}

    def cleanup_cache_files(self):
        return {k: v.cleanup_cache_files() for k, v in self.items()}

    def save_to_disk(self, dataset_dict_path, max_shard_size=None, num_shards=None, num_proc=None, storage_options=None):
        self._check_values_type()
        path = os.fspath(dataset_dict_path)
        if num_shards is not None:
            # per-split shard counts: each split saved on its own, then the dict's index file
            import json
            import shutil

            if not isinstance(num_shards, dict):
                num_shards = {k: num_shards for k in self}
            tmp = path + ".tmp-dict"
            shutil.rmtree(tmp, ignore_errors=True)
            os.makedirs(tmp)
            for k, v in self.items():
                v.save_to_disk(os.path.join(tmp, k), num_shards=num_shards.get(k, 1))
            with open(os.path.join(tmp, "dataset_dict.json"), "w", encoding="utf-8") as f:
                json.dump({"splits": list(self)}, f)
            shutil.rmtree(path, ignore_errors=True)
            os.replace(tmp, path)
            return
        _tm._save_dict(path, [(k, v._ds) for k, v in self.items()], _parse_size(max_shard_size), _bar("Saving the dataset"))
        for k, v in self.items():
            from .arrow_dataset import _write_format

            _write_format(os.path.join(path, k), v._format)

    @staticmethod
    def load_from_disk(dataset_dict_path, keep_in_memory=None, storage_options=None):
        from .load import load_from_disk

        out = load_from_disk(dataset_dict_path)
        if not isinstance(out, DatasetDict):
            raise FileNotFoundError(f"No such file: '{os.path.join(os.fspath(dataset_dict_path), 'dataset_dict.json')}'. Expected to load a `DatasetDict` object, but got a `Dataset`. Please use either `datasets.load_from_disk` or `Dataset.load_from_disk` instead.")
        return out
