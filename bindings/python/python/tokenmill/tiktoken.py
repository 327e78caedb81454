"""A drop-in replacement for the ``tiktoken`` package (API of tiktoken 0.14).

>>> import tokenmill.tiktoken as tiktoken
>>> enc = tiktoken.get_encoding("cl100k_base")
>>> enc.encode("hello world")
[15339, 1917]

The built-in encodings (``gpt2``, ``r50k_base``, ``p50k_base``, ``p50k_edit``, ``cl100k_base``,
``o200k_base``, ``o200k_harmony``) are compiled into the extension: nothing is downloaded.
Encoding releases the GIL; the ``*_batch`` methods run on a Rust thread pool (``num_threads``)
that is safe to use in forked child processes.
"""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING, AbstractSet, Collection, Literal, NoReturn, Sequence

from . import _tokenmill
from ._tokenmill import CoreBPE

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "Encoding",
    "get_encoding",
    "encoding_for_model",
    "encoding_name_for_model",
    "list_encoding_names",
    "load_tiktoken_bpe",
]

__version__ = "0.14.0"


class Encoding:
    """A BPE encoding with tiktoken's semantics (see ``tiktoken.Encoding``)."""

    def __init__(
        self,
        name: str,
        *,
        pat_str: str,
        mergeable_ranks: dict[bytes, int],
        special_tokens: dict[str, int],
        explicit_n_vocab: int | None = None,
    ):
        """Creates an Encoding from a rank table, a split regex and special tokens.

        Args:
            name: The name of the encoding.
            pat_str: The regex that splits text into pieces before BPE.
            mergeable_ranks: ``{token bytes: rank}``; ranks are merge priorities and token ids.
            special_tokens: ``{special token text: id}``.
            explicit_n_vocab: If given, checked against the number of tokens (as tiktoken does).
        """
        self.name = name
        self._pat_str = pat_str
        self._mergeable_ranks_cache = mergeable_ranks
        self._special_tokens = special_tokens
        self.max_token_value = max(
            max(mergeable_ranks.values()), max(special_tokens.values(), default=0)
        )
        if explicit_n_vocab:
            assert len(mergeable_ranks) + len(special_tokens) == explicit_n_vocab
            assert self.max_token_value == explicit_n_vocab - 1
        self._special_token_values = set(self._special_tokens.values())
        self._registered = False
        self._core_bpe = CoreBPE.from_ranks(name, pat_str, mergeable_ranks, special_tokens)

    @classmethod
    def _from_core(cls, core: CoreBPE, name: str, registered: bool) -> "Encoding":
        self = cls.__new__(cls)
        self.name = name
        self._pat_str = core.pattern
        self._mergeable_ranks_cache = None
        self._special_tokens = core.special_tokens()
        self.max_token_value = core.n_vocab - 1
        self._special_token_values = set(self._special_tokens.values())
        self._registered = registered
        self._core_bpe = core
        return self

    def __repr__(self) -> str:
        return f"<Encoding {self.name!r}>"

    # ====================
    # Encoding
    # ====================

    def _specials(self, allowed_special, disallowed_special):
        if allowed_special == "all":
            allowed_special = self.special_tokens_set
        if disallowed_special == "all":
            disallowed_special = self.special_tokens_set - allowed_special
        if not disallowed_special:
            disallowed_special = ()
        return allowed_special, disallowed_special

    def encode_ordinary(self, text: str) -> list[int]:
        """Encodes a string into tokens, ignoring special tokens.

        Equivalent to ``encode(text, disallowed_special=())`` (but slightly faster).
        """
        return self._core_bpe.encode_ordinary(text)

    def encode(
        self,
        text: str,
        *,
        allowed_special: Literal["all"] | AbstractSet[str] = set(),  # noqa: B006
        disallowed_special: Literal["all"] | Collection[str] = "all",
    ) -> list[int]:
        """Encodes a string into tokens.

        Text that spells a special token raises ``ValueError`` unless the token is in
        ``allowed_special`` (then it becomes the special token) or left out of
        ``disallowed_special`` (then it is encoded as ordinary text). ``allowed_special="all"``
        allows every special token; ``disallowed_special=()`` disables the check.
        Lone surrogates are replaced by U+FFFD first, as tiktoken does.
        """
        allowed, disallowed = self._specials(allowed_special, disallowed_special)
        return self._core_bpe.encode(text, allowed, disallowed)

    def encode_to_numpy(
        self,
        text: str,
        *,
        allowed_special: Literal["all"] | AbstractSet[str] = set(),  # noqa: B006
        disallowed_special: Literal["all"] | Collection[str] = "all",
    ) -> "npt.NDArray[np.uint32]":
        """Like ``encode`` but returns a read-only ``numpy.uint32`` array that views the ids
        produced in Rust (no copy into a Python list or a second buffer)."""
        import numpy as np

        allowed, disallowed = self._specials(allowed_special, disallowed_special)
        buffer = self._core_bpe.encode_to_buffer(text, allowed, disallowed)
        return np.asarray(buffer)

    def encode_ordinary_batch(self, text: list[str], *, num_threads: int = 8) -> list[list[int]]:
        """Encodes a list of strings in parallel on ``num_threads`` threads, ignoring special
        tokens."""
        return self._core_bpe.encode_ordinary_batch(text, num_threads)

    def encode_batch(
        self,
        text: list[str],
        *,
        num_threads: int = 8,
        allowed_special: Literal["all"] | AbstractSet[str] = set(),  # noqa: B006
        disallowed_special: Literal["all"] | Collection[str] = "all",
    ) -> list[list[int]]:
        """Encodes a list of strings in parallel; see ``encode`` for the special-token rules.
        The first text (in list order) with disallowed special text raises ``ValueError``."""
        allowed, disallowed = self._specials(allowed_special, disallowed_special)
        return self._core_bpe.encode_batch(text, allowed, disallowed, num_threads)

    def encode_with_unstable(self, text: str, **kwargs) -> NoReturn:
        """Not supported by tokenmill."""
        raise NotImplementedError("tokenmill does not implement encode_with_unstable")

    def encode_single_token(self, text_or_bytes: str | bytes) -> int:
        """The id of text that is exactly one token (special tokens included); ``KeyError``
        otherwise."""
        if isinstance(text_or_bytes, str):
            text_or_bytes = text_or_bytes.encode("utf-8")
        return self._core_bpe.encode_single_token(text_or_bytes)

    # ====================
    # Decoding
    # ====================

    def decode_bytes(self, tokens: Sequence[int]) -> bytes:
        """Decodes tokens into bytes (``KeyError`` for an unknown token)."""
        return self._core_bpe.decode_bytes(tokens)

    def decode(self, tokens: Sequence[int], errors: str = "replace") -> str:
        """Decodes tokens into a string; invalid UTF-8 is handled per ``errors``."""
        return self._core_bpe.decode_bytes(tokens).decode("utf-8", errors=errors)

    def decode_single_token_bytes(self, token: int) -> bytes:
        """The bytes of one token (special tokens included); ``KeyError`` if unknown."""
        return self._core_bpe.decode_single_token_bytes(token)

    def decode_tokens_bytes(self, tokens: Sequence[int]) -> list[bytes]:
        """The bytes of each token."""
        return self._core_bpe.decode_tokens_bytes(tokens)

    def decode_with_offsets(self, tokens: Sequence[int]) -> tuple[str, list[int]]:
        """Decodes tokens into a string and the char offset where each token starts (the char
        containing the token's first byte when a token starts inside a UTF-8 sequence)."""
        token_bytes = self.decode_tokens_bytes(tokens)
        text_len = 0
        offsets = []
        for token in token_bytes:
            offsets.append(max(0, text_len - (0x80 <= token[0] < 0xC0)))
            text_len += sum(1 for c in token if not 0x80 <= c < 0xC0)
        text = b"".join(token_bytes).decode("utf-8", errors="strict")
        return text, offsets

    def decode_batch(
        self, batch: Sequence[Sequence[int]], *, errors: str = "replace", num_threads: int = 8
    ) -> list[str]:
        """Decodes a batch (list of lists of tokens) into strings, in parallel."""
        return [
            b.decode("utf-8", errors=errors)
            for b in self._core_bpe.decode_bytes_batch(batch, num_threads)
        ]

    def decode_bytes_batch(
        self, batch: Sequence[Sequence[int]], *, num_threads: int = 8
    ) -> list[bytes]:
        """Decodes a batch (list of lists of tokens) into bytes, in parallel."""
        return self._core_bpe.decode_bytes_batch(batch, num_threads)

    # ====================
    # Miscellaneous
    # ====================

    def token_byte_values(self) -> list[bytes]:
        """The bytes of every mergeable token, sorted."""
        return self._core_bpe.token_byte_values()

    @property
    def eot_token(self) -> int:
        return self._special_tokens["<|endoftext|>"]

    @functools.cached_property
    def special_tokens_set(self) -> set[str]:
        return set(self._special_tokens.keys())

    def is_special_token(self, token: int) -> bool:
        assert isinstance(token, int)
        return token in self._special_token_values

    @property
    def n_vocab(self) -> int:
        """``max_token_value + 1``."""
        return self.max_token_value + 1

    @property
    def _mergeable_ranks(self) -> dict[bytes, int]:
        """``{token bytes: rank}`` (built on first use for the built-in encodings)."""
        ranks = self._mergeable_ranks_cache
        if ranks is None:
            ranks = self._core_bpe.mergeable_ranks()
            self._mergeable_ranks_cache = ranks
        return ranks

    # ====================
    # Private
    # ====================

    def _encode_single_piece(self, text_or_bytes: str | bytes) -> list[int]:
        """BPE on text without the regex split (special tokens are not recognised)."""
        if isinstance(text_or_bytes, str):
            text_or_bytes = text_or_bytes.encode("utf-8")
        return self._core_bpe.encode_single_piece(text_or_bytes)

    def __getstate__(self) -> object:
        # Registered encodings pickle by name; custom ones by their definition.
        if self._registered:
            return self.name
        return {
            "name": self.name,
            "pat_str": self._pat_str,
            "mergeable_ranks": self._mergeable_ranks,
            "special_tokens": self._special_tokens,
        }

    def __setstate__(self, value: object) -> None:
        if isinstance(value, str):
            self.__dict__ = dict(get_encoding(value).__dict__)
            return
        self.__init__(**value)


def raise_disallowed_special_token(token: str) -> NoReturn:
    raise ValueError(
        f"Encountered text corresponding to disallowed special token {token!r}.\n"
        "If you want this text to be encoded as a special token, "
        f"pass it to `allowed_special`, e.g. `allowed_special={{{token!r}, ...}}`.\n"
        f"If you want this text to be encoded as normal text, disable the check for this token "
        f"by passing `disallowed_special=(enc.special_tokens_set - {{{token!r}}})`.\n"
        "To disable this check for all special tokens, pass `disallowed_special=()`.\n"
    )


# ====================
# Registry
# ====================

_O200K_HARMONY_SPECIALS = {
    "<|endoftext|>": 199999,
    "<|endofprompt|>": 200018,
    "<|startoftext|>": 199998,
    "<|reserved_200000|>": 200000,
    "<|reserved_200001|>": 200001,
    "<|return|>": 200002,
    "<|constrain|>": 200003,
    "<|reserved_200004|>": 200004,
    "<|channel|>": 200005,
    "<|start|>": 200006,
    "<|end|>": 200007,
    "<|message|>": 200008,
    "<|reserved_200009|>": 200009,
    "<|reserved_200010|>": 200010,
    "<|reserved_200011|>": 200011,
    "<|call|>": 200012,
} | {f"<|reserved_{i}|>": i for i in range(200013, 201088)}

_NAMES = ["gpt2", "r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base", "o200k_harmony"]

_lock = threading.RLock()
ENCODINGS: dict[str, Encoding] = {}


def _build(name: str) -> Encoding:
    if name == "o200k_harmony":
        core = CoreBPE.with_specials(CoreBPE.builtin("o200k_base"), name, _O200K_HARMONY_SPECIALS)
    else:
        core = CoreBPE.builtin(name)
    return Encoding._from_core(core, name, registered=True)


def get_encoding(encoding_name: str) -> Encoding:
    """The built-in encoding ``encoding_name`` (shared, built once per process)."""
    if not isinstance(encoding_name, str):
        raise ValueError(f"Expected a string in get_encoding, got {type(encoding_name)}")
    enc = ENCODINGS.get(encoding_name)
    if enc is not None:
        return enc
    with _lock:
        enc = ENCODINGS.get(encoding_name)
        if enc is not None:
            return enc
        if encoding_name not in _NAMES:
            raise ValueError(
                f"Unknown encoding {encoding_name}.\n"
                f"Known encodings: {_NAMES}\n"
                f"tokenmill version: {_tokenmill.__version__}"
            )
        enc = _build(encoding_name)
        ENCODINGS[encoding_name] = enc
        return enc


def list_encoding_names() -> list[str]:
    """Names accepted by ``get_encoding``."""
    return list(_NAMES)


MODEL_PREFIX_TO_ENCODING: dict[str, str] = {
    "o1-": "o200k_base",
    "o3-": "o200k_base",
    "o4-mini-": "o200k_base",
    "gpt-5": "o200k_base",
    "gpt-4.5-": "o200k_base",
    "gpt-4.1-": "o200k_base",
    "chatgpt-4o-": "o200k_base",
    "gpt-4o-": "o200k_base",
    "gpt-4-": "cl100k_base",
    "gpt-3.5-turbo-": "cl100k_base",
    "gpt-35-turbo-": "cl100k_base",
    "gpt-oss-": "o200k_harmony",
    "ft:gpt-4o": "o200k_base",
    "ft:gpt-4": "cl100k_base",
    "ft:gpt-3.5-turbo": "cl100k_base",
    "ft:davinci-002": "cl100k_base",
    "ft:babbage-002": "cl100k_base",
}

MODEL_TO_ENCODING: dict[str, str] = {
    "o1": "o200k_base",
    "o3": "o200k_base",
    "o4-mini": "o200k_base",
    "gpt-5": "o200k_base",
    "gpt-4.1": "o200k_base",
    "gpt-4o": "o200k_base",
    "gpt-4": "cl100k_base",
    "gpt-3.5-turbo": "cl100k_base",
    "gpt-3.5": "cl100k_base",
    "gpt-35-turbo": "cl100k_base",
    "davinci-002": "cl100k_base",
    "babbage-002": "cl100k_base",
    "text-embedding-ada-002": "cl100k_base",
    "text-embedding-3-small": "cl100k_base",
    "text-embedding-3-large": "cl100k_base",
    "text-davinci-003": "p50k_base",
    "text-davinci-002": "p50k_base",
    "text-davinci-001": "r50k_base",
    "text-curie-001": "r50k_base",
    "text-babbage-001": "r50k_base",
    "text-ada-001": "r50k_base",
    "davinci": "r50k_base",
    "curie": "r50k_base",
    "babbage": "r50k_base",
    "ada": "r50k_base",
    "code-davinci-002": "p50k_base",
    "code-davinci-001": "p50k_base",
    "code-cushman-002": "p50k_base",
    "code-cushman-001": "p50k_base",
    "davinci-codex": "p50k_base",
    "cushman-codex": "p50k_base",
    "text-davinci-edit-001": "p50k_edit",
    "code-davinci-edit-001": "p50k_edit",
    "text-similarity-davinci-001": "r50k_base",
    "text-similarity-curie-001": "r50k_base",
    "text-similarity-babbage-001": "r50k_base",
    "text-similarity-ada-001": "r50k_base",
    "text-search-davinci-doc-001": "r50k_base",
    "text-search-curie-doc-001": "r50k_base",
    "text-search-babbage-doc-001": "r50k_base",
    "text-search-ada-doc-001": "r50k_base",
    "code-search-babbage-code-001": "r50k_base",
    "code-search-ada-code-001": "r50k_base",
    "gpt2": "gpt2",
    "gpt-2": "gpt2",
}


def encoding_name_for_model(model_name: str) -> str:
    """The name of the encoding a model uses; ``KeyError`` if the model is not recognised."""
    if model_name in MODEL_TO_ENCODING:
        return MODEL_TO_ENCODING[model_name]
    for model_prefix, encoding_name in MODEL_PREFIX_TO_ENCODING.items():
        if model_name.startswith(model_prefix):
            return encoding_name
    raise KeyError(
        f"Could not automatically map {model_name} to a tokeniser. "
        "Please use `tiktoken.get_encoding` to explicitly get the tokeniser you expect."
    ) from None


def encoding_for_model(model_name: str) -> Encoding:
    """The encoding a model uses; ``KeyError`` if the model is not recognised."""
    return get_encoding(encoding_name_for_model(model_name))


def load_tiktoken_bpe(path: str) -> dict[bytes, int]:
    """Reads a local ``.tiktoken`` rank file (``<base64 token> <rank>`` per line)."""
    import base64

    with open(path, "rb") as f:
        contents = f.read()
    return {
        base64.b64decode(token): int(rank)
        for token, rank in (line.split() for line in contents.splitlines() if line)
    }
