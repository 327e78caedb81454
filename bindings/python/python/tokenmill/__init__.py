"""tokenmill: fast, parallel byte-level BPE tokenization.

* ``tokenmill.tiktoken`` is a drop-in replacement for the ``tiktoken`` package
  (``get_encoding``, ``encoding_for_model``, ``Encoding``) with the built-in OpenAI
  encodings compiled in (no download).
* ``tokenmill.Tokenizer`` is a drop-in for ``tokenizers.Tokenizer``: it loads Hugging Face
  ``tokenizer.json`` files (BERT WordPiece, byte-level BPE such as GPT-2/RoBERTa/cl100k,
  SentencePiece Unigram such as T5/XLM-R, Llama-style BPE with byte fallback) and gives the same
  encodings (ids, tokens, offsets, masks, word ids, overflow), padding, truncation, added tokens
  and decoding. ``tokenmill.AddedToken`` and ``tokenmill.Encoding`` mirror HF's classes.

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

__all__ = [
    "AddedToken",
    "Encoding",
    "FormatError",
    "PatternError",
    "TokenmillError",
    "Tokenizer",
    "__version__",
    "default_threads",
]
