"""tokenmill.Tokenizer against Hugging Face `tokenizers` on the same tokenizer.json files."""

from __future__ import annotations

import pytest

from conftest import EDGE_STRINGS


def _fields(enc):
    return enc.ids, enc.tokens, enc.offsets


def _compare(texts, ours, theirs):
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if a.ids != b.ids:
            pytest.fail(f"ids differ on record {i}: {texts[i][:200]!r}\n{a.ids[:40]}\n{b.ids[:40]}")
        if a.tokens != b.tokens:
            pytest.fail(f"tokens differ on record {i}: {texts[i][:200]!r}")
        if a.offsets != b.offsets:
            diff = next(j for j, (x, y) in enumerate(zip(a.offsets, b.offsets)) if x != y)
            pytest.fail(
                f"offsets differ on record {i} token {diff}: {texts[i][:200]!r}\n"
                f"ours {a.offsets[diff:diff + 5]} theirs {b.offsets[diff:diff + 5]}"
            )


def test_conformance_ids_tokens_offsets(hf_pair, conformance_texts):
    ours, ref = hf_pair
    _compare(conformance_texts, ours.encode_batch(conformance_texts), ref.encode_batch(conformance_texts))


def test_enwiki_ids_tokens_offsets(hf_pair, enwiki_lines):
    ours, ref = hf_pair
    _compare(enwiki_lines, ours.encode_batch(enwiki_lines), ref.encode_batch(enwiki_lines))


def test_enwiki_ids_fast_path(hf_pair, enwiki_lines):
    ours, ref = hf_pair
    lines = enwiki_lines[:5000]
    assert ours.encode_batch_ids(lines) == [e.ids for e in ref.encode_batch(lines)]


def test_edge_strings(hf_pair):
    ours, ref = hf_pair
    texts = [t for t in EDGE_STRINGS if "\ud800" not in t and "\udfff" not in t and "\ud83d" not in t[-2:]]
    texts = [t for t in texts if _utf8_ok(t)]
    for t in texts:
        a, b = ours.encode(t), ref.encode(t)
        assert _fields(a) == _fields(b), repr(t[:60])
        assert a.type_ids == b.type_ids
        assert a.attention_mask == b.attention_mask
        assert a.special_tokens_mask == b.special_tokens_mask
        assert len(a) == len(b)
        for skip in (True, False):
            assert ours.decode(a.ids, skip_special_tokens=skip) == ref.decode(b.ids, skip_special_tokens=skip)


def _utf8_ok(t):
    try:
        t.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def test_decode_round_trip_and_batch(hf_pair, conformance_texts):
    ours, ref = hf_pair
    texts = conformance_texts[::5]
    ids = [e.ids for e in ours.encode_batch(texts)]
    assert ours.decode_batch(ids) == ref.decode_batch(ids)
    assert ours.decode_batch(ids, skip_special_tokens=False) == texts
    assert ours.decode_batch(ids, skip_special_tokens=False) == ref.decode_batch(ids, skip_special_tokens=False)
    with_special = ids[0] + [ours.token_to_id("<|endoftext|>")] + ids[1]
    for skip in (True, False):
        assert ours.decode(with_special, skip_special_tokens=skip) == ref.decode(with_special, skip_special_tokens=skip)


def test_pair_encoding(hf_pair):
    ours, ref = hf_pair
    a, b = ours.encode("Hello there", "General Kenobi!"), ref.encode("Hello there", "General Kenobi!")
    assert (a.ids, a.tokens, a.offsets, a.type_ids) == (b.ids, b.tokens, b.offsets, b.type_ids)
    batch_ours = ours.encode_batch([("a b", "c d"), "e f"])
    batch_ref = ref.encode_batch([("a b", "c d"), "e f"])
    for x, y in zip(batch_ours, batch_ref):
        assert (x.ids, x.type_ids, x.offsets) == (y.ids, y.type_ids, y.offsets)


def test_vocab_apis(hf_pair):
    ours, ref = hf_pair
    for added in (True, False):
        assert ours.get_vocab_size(with_added_tokens=added) == ref.get_vocab_size(with_added_tokens=added)
        assert ours.get_vocab(with_added_tokens=added) == ref.get_vocab(with_added_tokens=added)
    for tok in ["hello", "Ġworld", "<|endoftext|>", "nope-not-a-token", "Ċ"]:
        assert ours.token_to_id(tok) == ref.token_to_id(tok)
    for i in [0, 1, 300, 50256, 10**7]:
        assert ours.id_to_token(i) == ref.id_to_token(i)


def test_special_tokens_in_text(hf_pair):
    ours, ref = hf_pair
    text = "a<|endoftext|>b <|endoftext|><|endoftext|> c"
    a, b = ours.encode(text), ref.encode(text)
    assert _fields(a) == _fields(b)
    assert a.special_tokens_mask == b.special_tokens_mask
    a, b = ours.encode(text, add_special_tokens=False), ref.encode(text, add_special_tokens=False)
    assert _fields(a) == _fields(b)
