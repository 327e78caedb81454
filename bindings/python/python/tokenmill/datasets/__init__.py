"""The datasets API (HF ``datasets`` 5 names and semantics) over tokenmill's Arrow engine.

Needs pyarrow (``pip install 'tokenmill[datasets]'``); importing ``tokenmill`` alone does not.
"""

from __future__ import annotations

from .. import _tokenmill as _tm
from .arrow_dataset import Column, Dataset
from .dataset_dict import DatasetDict
from .features import Array2D, Array3D, Array4D, Array5D, ClassLabel, Features, LargeList, List, Sequence, Value
from .iterable import IterableDataset, IterableDatasetDict
from .load import concatenate_datasets, interleave_datasets, load_dataset, load_from_disk
from . import map as _map  # noqa: F401 -- imported here, as HF does, not on the first map() call
from .progress import are_progress_bars_disabled, disable_progress_bars, enable_progress_bars

DatasetsError = _tm.DatasetsError

__all__ = [
    "Array2D",
    "Array3D",
    "Array4D",
    "Array5D",
    "ClassLabel",
    "Column",
    "Dataset",
    "DatasetDict",
    "DatasetsError",
    "Features",
    "IterableDataset",
    "IterableDatasetDict",
    "LargeList",
    "List",
    "Sequence",
    "Value",
    "are_progress_bars_disabled",
    "concatenate_datasets",
    "disable_progress_bars",
    "enable_progress_bars",
    "interleave_datasets",
    "load_dataset",
    "load_from_disk",
]
