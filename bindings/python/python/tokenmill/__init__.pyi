"""Type stubs for tokenmill: a drop-in for ``tokenizers.Tokenizer`` on Hugging Face tokenizer.json files."""

from os import PathLike
from typing import Any, Sequence, Union

__version__: str

class TokenmillError(ValueError):
    """Base class of tokenmill's own errors (a ValueError)."""

class FormatError(TokenmillError):
    """A tokenizer.json / rank file could not be parsed or uses an unsupported component
    (the message names the component and its ``type``)."""

class PatternError(TokenmillError):
    """A split pattern (regex) is invalid."""

def default_threads() -> int:
    """Threads used for ``num_threads=0``: ``RAYON_NUM_THREADS`` or the number of cores."""

class AddedToken:
    """A token added to the vocabulary, never split by the model (as ``tokenizers.AddedToken``).

    ``single_word``: match only as a whole word; ``lstrip`` / ``rstrip``: swallow the whitespace
    before / after it; ``normalized``: match on the normalized text (default ``not special``);
    ``special``: skipped by ``decode(skip_special_tokens=True)``.
    """

    def __init__(
        self,
        content: str | None = None,
        single_word: bool = False,
        lstrip: bool = False,
        rstrip: bool = False,
        normalized: bool | None = None,
        special: bool = False,
    ) -> None: ...
    @property
    def content(self) -> str: ...
    @property
    def single_word(self) -> bool: ...
    @property
    def lstrip(self) -> bool: ...
    @property
    def rstrip(self) -> bool: ...
    @property
    def normalized(self) -> bool: ...
    @property
    def special(self) -> bool: ...
    def __getstate__(self) -> dict[str, Any]: ...

class Encoding:
    """The result of encoding one input (or pair), as ``tokenizers.Encoding`` presents it.

    A single text encoded without truncation or padding is kept compact (ids, offsets and word
    ids of its tokens plus the special tokens around them): ``ids``, masks, ``type_ids``,
    ``offsets``, ``word_ids`` and ``sequence_ids`` are computed from that when read, and the
    token strings and lookups (``tokens``, ``char_to_token``, ...) are built on first use. The
    values are the same either way.
    """

    @property
    def ids(self) -> list[int]: ...
    @property
    def tokens(self) -> list[str]:
        """Token strings in the vocabulary's spelling (e.g. ``"Ġworld"``, ``"##ing"``, ``"▁the"``)."""
    @property
    def offsets(self) -> list[tuple[int, int]]:
        """``(start, end)`` char offsets into the input text (of its own sequence, for a pair)."""
    @property
    def type_ids(self) -> list[int]: ...
    @property
    def attention_mask(self) -> list[int]:
        """1 for real tokens, 0 for padding."""
    @property
    def special_tokens_mask(self) -> list[int]:
        """1 for tokens the post-processor inserted and for padding; as HF."""
    @property
    def word_ids(self) -> list[int | None]:
        """The word index of every token (None for special tokens and padding)."""
    @property
    def words(self) -> list[int | None]:
        """HF's older name of ``word_ids``."""
    @property
    def sequence_ids(self) -> list[int | None]:
        """0 or 1 (first sequence or pair) for every token, None for special tokens and padding."""
    @property
    def n_sequences(self) -> int: ...
    @property
    def overflowing(self) -> list[Encoding]:
        """The windows cut off by truncation (with ``stride`` tokens of overlap), as HF."""
    def char_to_token(self, char_pos: int, sequence_index: int = 0) -> int | None: ...
    def char_to_word(self, char_pos: int, sequence_index: int = 0) -> int | None: ...
    def token_to_chars(self, token_index: int) -> tuple[int, int] | None: ...
    def token_to_word(self, token_index: int) -> int | None: ...
    def token_to_sequence(self, token_index: int) -> int | None: ...
    def word_to_tokens(self, word_index: int, sequence_index: int = 0) -> tuple[int, int] | None: ...
    def word_to_chars(self, word_index: int, sequence_index: int = 0) -> tuple[int, int] | None: ...
    def __len__(self) -> int: ...

TextInput = str
PreTokenizedInput = Union[list[str], tuple[str, ...]]
EncodeInput = Union[str, tuple[str, str], list[str], PreTokenizedInput, tuple[PreTokenizedInput, PreTokenizedInput]]

class Tokenizer:
    """A Hugging Face tokenizer loaded from ``tokenizer.json``; the ``tokenizers.Tokenizer`` API.

    Thread-safe (settings changes wait for running encodes); encode/decode release the GIL.
    Pickles as its JSON text.
    """

    @staticmethod
    def from_file(path: Union[str, PathLike[str]]) -> Tokenizer:
        """Loads ``tokenizer.json``. Raises FileNotFoundError/OSError, or FormatError for a
        malformed file or an unsupported component (the message names it)."""
    @staticmethod
    def from_str(json: str) -> Tokenizer:
        """Parses ``tokenizer.json`` text."""
    @staticmethod
    def from_buffer(buffer: bytes) -> Tokenizer:
        """Parses ``tokenizer.json`` UTF-8 bytes."""
    def to_str(self, pretty: bool = False) -> str:
        """The tokenizer as ``tokenizer.json`` text, in HF's shape (HF loads it)."""
    def save(self, path: Union[str, PathLike[str]], pretty: bool = True) -> None:
        """Writes ``tokenizer.json`` to ``path``."""
    def encode(
        self,
        sequence: Union[str, PreTokenizedInput],
        pair: Union[str, PreTokenizedInput, None] = None,
        is_pretokenized: bool = False,
        add_special_tokens: bool = True,
    ) -> Encoding:
        """Encodes a text (or with ``is_pretokenized`` a list of words) and its optional pair;
        applies truncation and padding when enabled."""
    def encode_batch(
        self,
        input: Sequence[EncodeInput],
        is_pretokenized: bool = False,
        add_special_tokens: bool = True,
        num_threads: int = 0,
    ) -> list[Encoding]:
        """Encodes many texts, ``(text, pair)`` tuples or word lists in parallel (0 = default
        threads), then pads the batch."""
    def encode_batch_fast(
        self,
        input: Sequence[EncodeInput],
        is_pretokenized: bool = False,
        add_special_tokens: bool = True,
        num_threads: int = 0,
    ) -> list[Encoding]:
        """As ``encode_batch`` without offsets, token strings or word ids (cheaper), as HF."""
    def encode_batch_ids(
        self, input: Sequence[Union[str, tuple[str, str]]], add_special_tokens: bool = True, num_threads: int = 0
    ) -> list[list[int]]:
        """``[e.ids for e in encode_batch_fast(input)]`` without the Encoding objects; plain texts
        with no truncation/padding/post-processor ids take the fastest ids-only path."""
    def decode(self, ids: Sequence[int], skip_special_tokens: bool = True) -> str:
        """Text of ``ids``; unknown ids are skipped, special tokens too when asked."""
    def decode_batch(
        self, sequences: Sequence[Sequence[int]], skip_special_tokens: bool = True, num_threads: int = 0
    ) -> list[str]: ...
    def enable_padding(
        self,
        direction: str = "right",
        pad_id: int = 0,
        pad_type_id: int = 0,
        pad_token: str = "[PAD]",
        length: int | None = None,
        pad_to_multiple_of: int | None = None,
    ) -> None:
        """Pads to ``length``, or to the longest of each batch when None; ValueError for a bad direction."""
    def no_padding(self) -> None: ...
    @property
    def padding(self) -> dict[str, Any] | None:
        """``{"length", "pad_to_multiple_of", "pad_id", "pad_token", "pad_type_id", "direction"}`` or None."""
    def enable_truncation(
        self, max_length: int, stride: int = 0, strategy: str = "longest_first", direction: str = "right"
    ) -> None:
        """Truncates to ``max_length`` (special tokens included), keeping the rest as
        ``overflowing`` windows overlapping by ``stride``; strategy ``longest_first``,
        ``only_first`` or ``only_second``; ValueError for bad values (as HF)."""
    def no_truncation(self) -> None: ...
    @property
    def truncation(self) -> dict[str, Any] | None:
        """``{"max_length", "stride", "strategy", "direction"}`` or None."""
    def add_tokens(self, tokens: Sequence[Union[str, AddedToken]]) -> int:
        """Adds tokens; returns how many were new."""
    def add_special_tokens(self, tokens: Sequence[Union[str, AddedToken]]) -> int:
        """Adds special tokens; returns how many were new."""
    def get_added_tokens_decoder(self) -> dict[int, AddedToken]: ...
    def get_vocab_size(self, with_added_tokens: bool = True) -> int: ...
    def get_vocab(self, with_added_tokens: bool = True) -> dict[str, int]: ...
    def token_to_id(self, token: str) -> int | None: ...
    def id_to_token(self, id: int) -> str | None: ...

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

# ------------------------------------------------------------------------------------------------
# datasets API (needs pyarrow; resolved lazily on first use)

class DatasetsError(TokenmillError):
    """A dataset operation failed: bad input data (the message names the file and the
    line/row/column), a missing column, a wrong type, or an invalid argument."""

from .datasets import (
    Array2D as Array2D,
    Array3D as Array3D,
    Array4D as Array4D,
    Array5D as Array5D,
    ClassLabel as ClassLabel,
    Column as Column,
    Dataset as Dataset,
    DatasetDict as DatasetDict,
    Features as Features,
    IterableDataset as IterableDataset,
    IterableDatasetDict as IterableDatasetDict,
    List as List,
    Value as Value,
    are_progress_bars_disabled as are_progress_bars_disabled,
    concatenate_datasets as concatenate_datasets,
    disable_progress_bars as disable_progress_bars,
    enable_progress_bars as enable_progress_bars,
    interleave_datasets as interleave_datasets,
    load_dataset as load_dataset,
    load_from_disk as load_from_disk,
)
