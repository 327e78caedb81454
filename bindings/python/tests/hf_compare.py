"""Field-by-field comparison of tokenmill and Hugging Face `tokenizers` encodings.

Every parity test funnels through here so a failure always names the record, the field and the
first differing position, with both values around it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

# Every list field of an Encoding HF's Python exposes (``words`` is HF's deprecated alias of
# ``word_ids``: it warns, so it is compared separately on tokenmill only).
LIST_FIELDS = [
    "ids",
    "tokens",
    "offsets",
    "type_ids",
    "attention_mask",
    "special_tokens_mask",
    "word_ids",
    "sequence_ids",
]


def _first_diff(a, b) -> int:
    for j, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return j
    return min(len(a), len(b))


def _show(text) -> str:
    return repr(text if not isinstance(text, str) else text[:200])


def assert_same(ours, ref, text="", where="", depth=0):
    """One encoding: every list field, n_sequences, len(), and overflowing recursively."""
    for field in LIST_FIELDS:
        a, b = getattr(ours, field), getattr(ref, field)
        if a != b:
            j = _first_diff(a, b)
            pytest.fail(
                f"{where}{field} differ (overflow depth {depth}) at position {j} of {len(b)} on {_show(text)}\n"
                f"  ours   [{j}:] {a[j:j + 8]} (len {len(a)})\n  theirs [{j}:] {b[j:j + 8]} (len {len(b)})"
            )
    assert ours.n_sequences == ref.n_sequences, f"{where}n_sequences on {_show(text)}"
    assert len(ours) == len(ref), f"{where}len() on {_show(text)}"
    oo, ro = ours.overflowing, ref.overflowing
    assert len(oo) == len(ro), f"{where}{len(oo)} overflowing encodings, HF has {len(ro)}, on {_show(text)}"
    for k, (a, b) in enumerate(zip(oo, ro)):
        assert_same(a, b, text, f"{where}overflowing[{k}]: ", depth + 1)


def assert_same_batch(inputs, ours, ref, where=""):
    """A batch: compares each field over the whole batch at once (fast), then locates the record."""
    assert len(ours) == len(ref), f"{where}batch sizes {len(ours)} vs {len(ref)}"
    for field in LIST_FIELDS:
        a = [getattr(e, field) for e in ours]
        b = [getattr(e, field) for e in ref]
        if a != b:
            i = _first_diff(a, b)
            assert_same(ours[i], ref[i], inputs[i], f"{where}record {i}: ")
            pytest.fail(f"{where}{field} differ on record {i}")  # assert_same always fails first
    for i, (x, y) in enumerate(zip(ours, ref)):
        if len(x.overflowing) or len(y.overflowing) or x.n_sequences != y.n_sequences:
            assert_same(x, y, inputs[i], f"{where}record {i}: ")


def assert_same_alignment(ours, ref, text, n_sequences=1):
    """char_to_token / char_to_word / token_to_* / word_to_* for every position of ``text``."""
    if isinstance(text, (tuple, list)) and len(text) == 2 and all(isinstance(t, str) for t in text):
        lengths = [len(text[0]), len(text[1])]
    elif isinstance(text, str):
        lengths = [len(text)]
    else:  # pre-tokenized: positions are per word, check a generous range
        lengths = [64]
    for seq, n in enumerate(lengths[:n_sequences]):
        for pos in range(n + 1):
            assert ours.char_to_token(pos, seq) == ref.char_to_token(pos, seq), f"char_to_token({pos}, {seq})"
            assert ours.char_to_word(pos, seq) == ref.char_to_word(pos, seq), f"char_to_word({pos}, {seq})"
        words = {w for w in ref.word_ids if w is not None} | {0, 10_000}
        for w in sorted(words):
            assert ours.word_to_tokens(w, seq) == ref.word_to_tokens(w, seq), f"word_to_tokens({w}, {seq})"
            assert ours.word_to_chars(w, seq) == ref.word_to_chars(w, seq), f"word_to_chars({w}, {seq})"
    for t in list(range(len(ref))) + [len(ref), len(ref) + 5]:
        assert ours.token_to_chars(t) == ref.token_to_chars(t), f"token_to_chars({t})"
        assert ours.token_to_word(t) == ref.token_to_word(t), f"token_to_word({t})"
        assert ours.token_to_sequence(t) == ref.token_to_sequence(t), f"token_to_sequence({t})"


def load_pair(path):
    """(tokenmill.Tokenizer, tokenizers.Tokenizer) for one tokenizer.json file."""
    import tokenizers

    import tokenmill

    return tokenmill.Tokenizer.from_file(str(path)), tokenizers.Tokenizer.from_file(str(path))


def pair_from_json(obj):
    """(tokenmill, HF) tokenizers from a JSON string or a HF Tokenizer built in the test."""
    import tokenizers

    import tokenmill

    if isinstance(obj, tokenizers.Tokenizer):
        obj = obj.to_str()
    if not isinstance(obj, str):
        obj = json.dumps(obj)
    return tokenmill.Tokenizer.from_str(obj), tokenizers.Tokenizer.from_str(obj)


def read_jsonl_texts(files: list[Path]) -> list[str]:
    texts = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            texts.extend(json.loads(line)["text"] for line in fh if line.strip())
    return texts
