"""tokenmill: fast, parallel byte-level BPE tokenization.

* ``tokenmill.tiktoken`` is a drop-in replacement for the ``tiktoken`` package
  (``get_encoding``, ``encoding_for_model``, ``Encoding``) with the built-in OpenAI
  encodings compiled in (no download).
* ``tokenmill.Tokenizer`` loads Hugging Face byte-level BPE ``tokenizer.json`` files
  (GPT-2 style and cl100k-style Split + ByteLevel) and mirrors the ``tokenizers.Tokenizer``
  API for encoding and decoding.

All objects are immutable and thread-safe; encode/decode calls release the GIL.
"""

from __future__ import annotations

from ._tokenmill import (
    Encoding,
    FormatError,
    PatternError,
    TokenmillError,
    Tokenizer,
    __version__,
    default_threads,
)

__all__ = [
    "Encoding",
    "FormatError",
    "PatternError",
    "TokenmillError",
    "Tokenizer",
    "__version__",
    "default_threads",
]
