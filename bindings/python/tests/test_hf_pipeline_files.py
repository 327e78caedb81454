"""tokenmill.Tokenizer vs HF tokenizers on the shipped tokenizer.json files, on every conformance
record and the first 2 MB of enwiki: ids, tokens, offsets, type ids, masks, word ids, sequence ids,
overflowing, and the char/word/token alignment methods.

minilm runs twice: with the truncation (128) and padding (Fixed 128) its file carries, and with both
switched off (so long records are compared whole).
"""

from __future__ import annotations

import pytest

from conftest import shared_path
from hf_compare import assert_same, assert_same_alignment, assert_same_batch, load_pair, read_jsonl_texts

FILES = {
    "minilm": "vocab/minilm-l6-uncased/tokenizer.json",
    "minilm-untruncated": "vocab/minilm-l6-uncased/tokenizer.json",
    "gpt2": "vocab/gpt2/tokenizer.json",
    "cl100k-hf": "vocab/cl100k-hf/tokenizer.json",
    "unigram-en": "vocab/sentencepiece/botchan_en_unigram_1000.tokenizer.json",
    "unigram-ja": "vocab/sentencepiece/kyoto_ja_unigram_8000.tokenizer.json",
}
ENWIKI_BYTES = 2 * 1024 * 1024


def _utf8_ok(t: str) -> bool:
    try:
        t.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


@pytest.fixture(scope="module", params=list(FILES))
def pair(request):
    ours, ref = load_pair(shared_path(FILES[request.param]))
    if request.param == "minilm-untruncated":
        for t in (ours, ref):
            t.no_padding()
            t.no_truncation()
    return ours, ref


@pytest.fixture(scope="module")
def conformance():
    files = sorted(shared_path("conformance").glob("*.jsonl"))
    texts = read_jsonl_texts(files)
    assert len(texts) > 1000, f"only {len(texts)} conformance records"
    # lone surrogates cannot cross into either library as str: test_surrogates covers them
    return [t for t in texts if _utf8_ok(t)]


@pytest.fixture(scope="module")
def enwiki():
    with open(shared_path("corpora/enwiki.txt"), "rb") as fh:
        data = fh.read(ENWIKI_BYTES)
    return data.decode("utf-8", errors="ignore").split("\n")


def test_conformance_every_record(pair, conformance):
    ours, ref = pair
    assert_same_batch(conformance, ours.encode_batch(conformance), ref.encode_batch(conformance))


def test_enwiki_2mb(pair, enwiki):
    ours, ref = pair
    assert_same_batch(enwiki, ours.encode_batch(enwiki), ref.encode_batch(enwiki))


def test_conformance_without_special_tokens(pair, conformance):
    ours, ref = pair
    texts = conformance[::7]
    assert_same_batch(
        texts, ours.encode_batch(texts, add_special_tokens=False), ref.encode_batch(texts, add_special_tokens=False)
    )


def test_single_encode_and_alignment_methods(pair, conformance):
    ours, ref = pair
    for text in conformance[::397]:
        a, b = ours.encode(text), ref.encode(text)
        assert_same(a, b, text)
        assert_same_alignment(a, b, text)
        assert a.words == b.word_ids  # the deprecated alias HF still has


def test_fast_path_ids(pair, conformance, enwiki):
    ours, ref = pair
    texts = conformance[::3] + enwiki[:3000]
    want = [e.ids for e in ref.encode_batch_fast(texts)]
    assert [e.ids for e in ours.encode_batch_fast(texts)] == want
    assert ours.encode_batch_ids(texts) == want


def test_pairs_in_batch(pair, conformance):
    ours, ref = pair
    texts = conformance[::53]
    pairs = list(zip(texts, reversed(texts)))
    got, want = ours.encode_batch(pairs), ref.encode_batch(pairs)
    assert_same_batch(pairs, got, want)
    for p, a, b in list(zip(pairs, got, want))[::10]:
        assert_same_alignment(a, b, p, n_sequences=2)


def test_decode_batch(pair, conformance):
    ours, ref = pair
    ids = [e.ids for e in ref.encode_batch(conformance[::11])]
    for skip in (True, False):
        assert ours.decode_batch(ids, skip_special_tokens=skip) == ref.decode_batch(ids, skip_special_tokens=skip)
    for i in ids[::20]:
        for skip in (True, False):
            assert ours.decode(i, skip_special_tokens=skip) == ref.decode(i, skip_special_tokens=skip)


def test_vocab(pair):
    ours, ref = pair
    for added in (True, False):
        assert ours.get_vocab_size(with_added_tokens=added) == ref.get_vocab_size(with_added_tokens=added)
        assert ours.get_vocab(with_added_tokens=added) == ref.get_vocab(with_added_tokens=added)
    vocab = ref.get_vocab()
    for tok in list(vocab)[::97] + ["nope-not-a-token", ""]:
        assert ours.token_to_id(tok) == ref.token_to_id(tok), tok
    for i in list(range(0, ref.get_vocab_size(), 89)) + [ref.get_vocab_size(), 10**7]:
        assert ours.id_to_token(i) == ref.id_to_token(i), i
    assert ours.padding == ref.padding
    assert ours.truncation == ref.truncation


def test_surrogates_raise_like_hf(pair):
    ours, ref = pair
    for text in ["a\ud800b", "\udfff"]:
        with pytest.raises(Exception) as theirs:
            ref.encode(text)
        with pytest.raises(type(theirs.value)):
            ours.encode(text)
