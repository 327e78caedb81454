"""Type stubs for tokenmill (Hugging Face-style API for byte-level BPE tokenizer.json files)."""

from os import PathLike
from typing import Sequence, Union

__version__: str

class TokenmillError(ValueError):
    """Base class of tokenmill's own errors (a ValueError)."""

class FormatError(TokenmillError):
    """A tokenizer.json / rank file could not be parsed or uses an unsupported component."""

class PatternError(TokenmillError):
    """A split pattern (regex) is invalid."""

def default_threads() -> int:
    """Threads used for ``num_threads=0``: ``RAYON_NUM_THREADS`` or the number of cores."""

class Encoding:
    """The result of encoding one text (or pair), as ``tokenizers.Encoding`` presents it."""

    @property
    def ids(self) -> list[int]: ...
    @property
    def tokens(self) -> list[str]:
        """Token strings in the file's spelling (byte-level alphabet, e.g. ``"Ġworld"``)."""
    @property
    def offsets(self) -> list[tuple[int, int]]:
        """``(start, end)`` char offsets into the input text."""
    @property
    def type_ids(self) -> list[int]:
        """0 for the first sequence, 1 for the pair."""
    @property
    def attention_mask(self) -> list[int]: ...
    @property
    def special_tokens_mask(self) -> list[int]:
        """1 for tokens a post-processor inserted (never, for ByteLevel); as HF."""
    @property
    def sequence_ids(self) -> list[int | None]: ...
    @property
    def n_sequences(self) -> int: ...
    @property
    def overflowing(self) -> list[Encoding]:
        """Always empty (truncation is not supported)."""
    def __len__(self) -> int: ...

InputSequence = Union[str, tuple[str, str], list[str]]

class Tokenizer:
    """A Hugging Face byte-level BPE tokenizer (GPT-2 ByteLevel, or Split regex + ByteLevel).

    Immutable and thread-safe; encode/decode release the GIL. Pickles as its JSON text.
    """

    @staticmethod
    def from_file(path: Union[str, PathLike[str]]) -> Tokenizer:
        """Loads ``tokenizer.json``. Raises FileNotFoundError/OSError, or FormatError for a
        malformed or unsupported file."""
    @staticmethod
    def from_str(json: str) -> Tokenizer:
        """Parses ``tokenizer.json`` text."""
    @staticmethod
    def from_buffer(buffer: bytes) -> Tokenizer:
        """Parses ``tokenizer.json`` UTF-8 bytes."""
    def to_str(self, pretty: bool = False) -> str:
        """The JSON text the tokenizer was loaded from (as loaded; ``pretty`` does not reformat)."""
    def save(self, path: Union[str, PathLike[str]], pretty: bool = True) -> None:
        """Writes the JSON text to ``path``."""
    def encode(
        self,
        sequence: str,
        pair: str | None = None,
        is_pretokenized: bool = False,
        add_special_tokens: bool = True,
    ) -> Encoding:
        """Encodes a text (and optional pair). Added tokens in the text are always recognised.
        ``is_pretokenized=True`` is not supported (raises TokenmillError)."""
    def encode_batch(
        self,
        input: Sequence[InputSequence],
        is_pretokenized: bool = False,
        add_special_tokens: bool = True,
        num_threads: int = 0,
    ) -> list[Encoding]:
        """Encodes many texts or ``(text, pair)`` tuples in parallel (0 = default threads)."""
    def encode_batch_ids(self, input: Sequence[str], num_threads: int = 0) -> list[list[int]]:
        """Only the ids of many texts, in parallel (faster: no tokens/offsets)."""
    def decode(self, ids: Sequence[int], skip_special_tokens: bool = True) -> str:
        """Text of ``ids``; unknown ids are skipped, special tokens too when asked."""
    def decode_batch(self, sequences: Sequence[Sequence[int]], skip_special_tokens: bool = True) -> list[str]: ...
    def get_vocab_size(self, with_added_tokens: bool = True) -> int: ...
    def get_vocab(self, with_added_tokens: bool = True) -> dict[str, int]: ...
    def get_added_tokens_decoder(self) -> dict[int, str]:
        """``{id: content}`` of the added tokens (HF returns AddedToken objects; here strings)."""
    def token_to_id(self, token: str) -> int | None: ...
    def id_to_token(self, id: int) -> str | None: ...

__all__ = ["Encoding", "FormatError", "PatternError", "TokenmillError", "Tokenizer", "__version__", "default_threads"]
