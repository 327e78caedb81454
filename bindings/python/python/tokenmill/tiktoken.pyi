"""Type stubs for tokenmill.tiktoken, a drop-in replacement for tiktoken 0.14."""

from typing import AbstractSet, Collection, Literal, NoReturn, Sequence

import numpy as np
import numpy.typing as npt

__version__: str
ENCODINGS: dict[str, Encoding]
MODEL_TO_ENCODING: dict[str, str]
MODEL_PREFIX_TO_ENCODING: dict[str, str]

class Encoding:
    """A BPE encoding with tiktoken's semantics."""

    name: str
    max_token_value: int
    _pat_str: str
    _special_tokens: dict[str, int]

    def __init__(
        self,
        name: str,
        *,
        pat_str: str,
        mergeable_ranks: dict[bytes, int],
        special_tokens: dict[str, int],
        explicit_n_vocab: int | None = None,
    ) -> None: ...
    def encode_ordinary(self, text: str) -> list[int]:
        """Encodes ignoring special tokens."""
    def encode(
        self,
        text: str,
        *,
        allowed_special: Literal["all"] | AbstractSet[str] = ...,
        disallowed_special: Literal["all"] | Collection[str] = "all",
    ) -> list[int]:
        """Encodes; disallowed special-token text raises ValueError (tiktoken's message)."""
    def encode_to_numpy(
        self,
        text: str,
        *,
        allowed_special: Literal["all"] | AbstractSet[str] = ...,
        disallowed_special: Literal["all"] | Collection[str] = "all",
    ) -> npt.NDArray[np.uint32]:
        """``encode`` as a read-only uint32 array viewing the Rust buffer (no copy)."""
    def encode_ordinary_batch(self, text: list[str], *, num_threads: int = 8) -> list[list[int]]: ...
    def encode_batch(
        self,
        text: list[str],
        *,
        num_threads: int = 8,
        allowed_special: Literal["all"] | AbstractSet[str] = ...,
        disallowed_special: Literal["all"] | Collection[str] = "all",
    ) -> list[list[int]]: ...
    def encode_with_unstable(self, text: str, **kwargs: object) -> NoReturn:
        """Not implemented (raises NotImplementedError)."""
    def encode_single_token(self, text_or_bytes: str | bytes) -> int:
        """The id of exactly one token's text; KeyError otherwise."""
    def decode_bytes(self, tokens: Sequence[int]) -> bytes: ...
    def decode(self, tokens: Sequence[int], errors: str = "replace") -> str: ...
    def decode_single_token_bytes(self, token: int) -> bytes:
        """KeyError for an unknown token."""
    def decode_tokens_bytes(self, tokens: Sequence[int]) -> list[bytes]: ...
    def decode_with_offsets(self, tokens: Sequence[int]) -> tuple[str, list[int]]: ...
    def decode_batch(
        self, batch: Sequence[Sequence[int]], *, errors: str = "replace", num_threads: int = 8
    ) -> list[str]: ...
    def decode_bytes_batch(self, batch: Sequence[Sequence[int]], *, num_threads: int = 8) -> list[bytes]: ...
    def token_byte_values(self) -> list[bytes]: ...
    @property
    def eot_token(self) -> int: ...
    @property
    def special_tokens_set(self) -> set[str]: ...
    def is_special_token(self, token: int) -> bool: ...
    @property
    def n_vocab(self) -> int: ...
    @property
    def _mergeable_ranks(self) -> dict[bytes, int]: ...
    def _encode_single_piece(self, text_or_bytes: str | bytes) -> list[int]: ...
    def __getstate__(self) -> object: ...
    def __setstate__(self, value: object) -> None: ...

def get_encoding(encoding_name: str) -> Encoding:
    """A built-in encoding (no download); ValueError for an unknown name."""

def list_encoding_names() -> list[str]: ...
def encoding_name_for_model(model_name: str) -> str: ...
def encoding_for_model(model_name: str) -> Encoding:
    """KeyError for an unrecognised model."""

def load_tiktoken_bpe(path: str) -> dict[bytes, int]:
    """Reads a local ``.tiktoken`` rank file."""

def raise_disallowed_special_token(token: str) -> NoReturn: ...
