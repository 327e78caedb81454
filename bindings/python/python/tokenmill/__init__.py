"""tokenmill: fast, parallel byte-level BPE tokenization.

* ``tokenmill.tiktoken`` is a drop-in replacement for the ``tiktoken`` package
  (``get_encoding``, ``encoding_for_model``, ``Encoding``) with the built-in OpenAI
  encodings compiled in (no download).
* ``tokenmill.Tokenizer`` is a drop-in for ``tokenizers.Tokenizer``: it loads Hugging Face
  ``tokenizer.json`` files (BERT WordPiece, byte-level BPE such as GPT-2/RoBERTa/cl100k,
  SentencePiece Unigram such as T5/XLM-R, Llama-style BPE with byte fallback) and gives the same
  encodings (ids, tokens, offsets, masks, word ids, overflow), padding, truncation, added tokens
  and decoding. ``tokenmill.AddedToken`` and ``tokenmill.Encoding`` mirror HF's classes.

* ``tokenmill.load_dataset``, ``tokenmill.Dataset``, ``DatasetDict``, ``IterableDataset``, ...
  (``tokenmill.datasets``) mirror Hugging Face ``datasets``: local csv/json/parquet/text/arrow/
  squad/imdb data in memory-mapped Arrow shards, map/filter with a fingerprint cache, a native
  parallel ``Dataset.tokenize`` / ``pack``, formats and zero-copy Arrow exchange. They need
  pyarrow (``pip install 'tokenmill[datasets]'``), imported only when first used.

All objects are thread-safe; encode/decode calls release the GIL.
"""

from __future__ import annotations

from ._tokenmill import (
    AddedToken,
    Encoding,
    FormatError,
    PatternError,
    TokenmillError,
    Tokenizer,
    __version__,
    default_threads,
)

from ._tokenmill import DatasetsError

# The datasets API needs pyarrow: its names resolve lazily (PEP 562), so tokenizer-only users
# do not import pyarrow.
_DATASETS_NAMES = {
    "load_dataset",
    "load_from_disk",
    "Dataset",
    "DatasetDict",
    "IterableDataset",
    "IterableDatasetDict",
    "Column",
    "Features",
    "Value",
    "ClassLabel",
    "Array2D",
    "Array3D",
    "Array4D",
    "Array5D",
    "List",
    "Sequence",
    "concatenate_datasets",
    "interleave_datasets",
    "disable_progress_bars",
    "enable_progress_bars",
    "are_progress_bars_disabled",
}


def __getattr__(name):
    if name in _DATASETS_NAMES:
        from . import datasets as _ds

        return getattr(_ds, name)
    if name in ("tiktoken", "datasets"):
        # `import tokenmill; tokenmill.tiktoken.get_encoding(...)` as after `import tokenmill.tiktoken`
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'tokenmill' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _DATASETS_NAMES | {"tiktoken", "datasets"})


__all__ = [
    "AddedToken",
    "DatasetsError",
    "Encoding",
    "FormatError",
    "PatternError",
    "TokenmillError",
    "Tokenizer",
    "__version__",
    "default_threads",
]
