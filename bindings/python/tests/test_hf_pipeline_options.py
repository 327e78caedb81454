"""Options of tokenmill.Tokenizer vs HF tokenizers, on the shipped WordPiece, byte-level BPE and
Unigram files: pairs, padding, truncation (stride, every strategy and direction), decode, added
tokens with their flags, pre-tokenized input, and to_str/save round trips (HF loading what
tokenmill wrote).
"""

from __future__ import annotations

import json

import pytest

from conftest import shared_path
from hf_compare import assert_same, assert_same_alignment, assert_same_batch, load_pair

BASES = {
    "wordpiece": "vocab/minilm-l6-uncased/tokenizer.json",
    "bytelevel": "vocab/gpt2/tokenizer.json",
    "unigram": "vocab/sentencepiece/botchan_en_unigram_1000.tokenizer.json",
}

TEXTS = [
    "Hello, world! How are you doing today?",
    "The quick brown fox jumps over the lazy dog. " * 3,
    "  leading and trailing spaces   ",
    "Ünïcödé àccents, 日本語のテキスト, and emoji 🎉👍🏽 mixed in.",
    "a",
    "",
    "don't stop believin' -- it's 2024, isn't it?",
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen",
    "tab\tseparated\nnew line\r\nwindows",
    "UPPER lower MiXeD 123 4567 89.10",
]
PAIRS = [(a, b) for a, b in zip(TEXTS, reversed(TEXTS))]


@pytest.fixture(params=list(BASES))
def pair(request):
    """Fresh (tokenmill, HF) tokenizers with the file's own padding/truncation switched off."""
    ours, ref = load_pair(shared_path(BASES[request.param]))
    for t in (ours, ref):
        t.no_padding()
        t.no_truncation()
    return ours, ref


def _both(pair, fn):
    for t in pair:
        fn(t)


def _check(pair, inputs=None, **kw):
    ours, ref = pair
    inputs = inputs if inputs is not None else TEXTS + PAIRS
    assert_same_batch(inputs, ours.encode_batch(inputs, **kw), ref.encode_batch(inputs, **kw))
    for x in inputs[::3]:
        if isinstance(x, tuple):
            a, b = ours.encode(x[0], x[1], **kw), ref.encode(x[0], x[1], **kw)
        else:
            a, b = ours.encode(x, **kw), ref.encode(x, **kw)
        assert_same(a, b, x)
        assert_same_alignment(a, b, x, n_sequences=2 if isinstance(x, tuple) else 1)


def test_singles_and_pairs(pair):
    _check(pair)
    _check(pair, add_special_tokens=False)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},  # batch longest
        {"length": 40},
        {"length": 3},  # shorter than most inputs: no-op for them
        {"pad_to_multiple_of": 8},
        {"length": 30, "pad_to_multiple_of": 8},
        {"direction": "left"},
        {"direction": "left", "length": 50, "pad_id": 7, "pad_type_id": 1, "pad_token": "<pad>"},
    ],
)
def test_padding(pair, kwargs):
    _both(pair, lambda t: t.enable_padding(**kwargs))
    ours, ref = pair
    assert ours.padding == ref.padding
    _check(pair)
    _check(pair, inputs=TEXTS[:1])  # a batch of one pads to its own length
    _both(pair, lambda t: t.no_padding())
    assert ours.padding is None and ref.padding is None
    _check(pair)


@pytest.mark.parametrize("strategy", ["longest_first", "only_first", "only_second"])
@pytest.mark.parametrize("direction", ["right", "left"])
@pytest.mark.parametrize("max_length,stride", [(12, 0), (12, 3), (9, 4), (30, 5), (5, 0)])
def test_truncation(pair, strategy, direction, max_length, stride):
    ours, ref = pair
    try:
        ref.enable_truncation(max_length, stride=stride, strategy=strategy, direction=direction)
    except Exception as e:
        with pytest.raises(type(e)):
            ours.enable_truncation(max_length, stride=stride, strategy=strategy, direction=direction)
        return
    ours.enable_truncation(max_length, stride=stride, strategy=strategy, direction=direction)
    assert ours.truncation == ref.truncation
    # an input the strategy cannot fit (only_second on a single, a too-short sequence) raises in both
    for x in TEXTS + PAIRS:
        args = x if isinstance(x, tuple) else (x,)
        try:
            want = ref.encode(*args)
        except BaseException as e:  # HF even panics (PanicException) when stride >= a pair part
            if isinstance(e, KeyboardInterrupt):
                raise
            with pytest.raises(Exception) as got:  # an Exception: never a panic
                ours.encode(*args)
            assert isinstance(got.value, ValueError) or type(got.value) is type(e)
            continue
        got = ours.encode(*args)
        assert_same(got, want, x)
        assert_same_alignment(got, want, x, n_sequences=len(args))
    try:
        want = ref.encode_batch(TEXTS + PAIRS)
    except BaseException as e:
        if isinstance(e, KeyboardInterrupt):
            raise
        with pytest.raises(Exception):
            ours.encode_batch(TEXTS + PAIRS)
        return
    assert_same_batch(TEXTS + PAIRS, ours.encode_batch(TEXTS + PAIRS), want)


def test_truncation_and_padding_together(pair):
    _both(pair, lambda t: t.enable_truncation(10, stride=2))
    _both(pair, lambda t: t.enable_padding(length=16, direction="left"))
    _check(pair)


def test_truncation_errors(pair):
    ours, ref = pair
    for kwargs in [{"strategy": "bogus"}, {"direction": "up"}, {"stride": 11}]:
        with pytest.raises(Exception) as theirs:
            ref.enable_truncation(10, **kwargs)
        with pytest.raises(type(theirs.value)):
            ours.enable_truncation(10, **kwargs)
    with pytest.raises(ValueError):
        ours.enable_padding(direction="up")


def test_pretokenized(pair):
    words = [t.split() for t in TEXTS] + [["single"], ["many", "  spaced  ", "wörds", "日本", "🎉"]]
    ours, ref = pair
    _check(pair, inputs=words, is_pretokenized=True)
    word_pairs = list(zip(words, reversed(words)))
    _check(pair, inputs=word_pairs, is_pretokenized=True)
    for w in words[:4]:
        a, b = ours.encode(w, is_pretokenized=True), ref.encode(w, is_pretokenized=True)
        assert_same(a, b, w)
    a = ours.encode(words[0], words[1], is_pretokenized=True)
    assert_same(a, ref.encode(words[0], words[1], is_pretokenized=True), words[:2])


def _added_token_kwargs():
    return [
        ("zzqx", {}),
        ("hello world", {}),
        ("mid", {"single_word": True}),
        ("<L>", {"lstrip": True}),
        ("<R>", {"rstrip": True}),
        ("<LR>", {"lstrip": True, "rstrip": True, "single_word": True}),
        ("CaSe", {"normalized": True}),
        ("RAW", {"normalized": False}),
    ]


ADDED_TEXTS = [
    "hello world and hello  world",
    "a mid b, amid c, mid, middle, (mid)",
    "x <L> y  <L>z <R>   w<R>q <LR> end<LR>",
    "case CaSe CASE raw RAW Raw",
    "zzqxzzqx zzqx.",
    "[CLS] inside [SEP] text [MASK] <|endoftext|> <s> </s> <sp1> <sp2>",
    "<sp1><sp1> <sp2>x<sp2>",
]


def test_added_tokens_with_flags(pair):
    import tokenizers

    import tokenmill

    ours, ref = pair
    for content, kw in _added_token_kwargs():
        n_ref = ref.add_tokens([tokenizers.AddedToken(content, **kw)])
        assert ours.add_tokens([tokenmill.AddedToken(content, **kw)]) == n_ref, content
    assert ours.add_special_tokens(["<sp1>", tokenmill.AddedToken("<sp2>", lstrip=True)]) == ref.add_special_tokens(
        ["<sp1>", tokenizers.AddedToken("<sp2>", lstrip=True)]
    )
    assert ours.add_tokens(["zzqx", "plain"]) == ref.add_tokens(["zzqx", "plain"])  # duplicates count 0
    assert ours.get_vocab() == ref.get_vocab()
    assert ours.get_vocab_size() == ref.get_vocab_size()
    theirs = ref.get_added_tokens_decoder()
    mine = ours.get_added_tokens_decoder()
    assert sorted(mine) == sorted(theirs)
    for i, t in theirs.items():
        m = mine[i]
        assert (m.content, m.single_word, m.lstrip, m.rstrip, m.normalized, m.special) == (
            t.content, t.single_word, t.lstrip, t.rstrip, t.normalized, t.special
        ), t.content
    _check(pair, inputs=ADDED_TEXTS + list(zip(ADDED_TEXTS, reversed(ADDED_TEXTS))))
    _check(pair, inputs=ADDED_TEXTS, add_special_tokens=False)
    ids = [e.ids for e in ref.encode_batch(ADDED_TEXTS)]
    for skip in (True, False):
        assert ours.decode_batch(ids, skip_special_tokens=skip) == ref.decode_batch(ids, skip_special_tokens=skip)
    # what tokenmill saves, HF loads to the same tokenizer
    again = tokenizers.Tokenizer.from_str(ours.to_str())
    assert_same_batch(ADDED_TEXTS, again.encode_batch(ADDED_TEXTS), ref.encode_batch(ADDED_TEXTS))


def test_added_token_object():
    import tokenizers

    import tokenmill

    for content, kw in _added_token_kwargs() + [("<s>", {"special": True}), ("x", {"special": True, "normalized": True})]:
        a, b = tokenmill.AddedToken(content, **kw), tokenizers.AddedToken(content, **kw)
        for f in ["content", "single_word", "lstrip", "rstrip", "normalized", "special"]:
            assert getattr(a, f) == getattr(b, f), (content, f)
        assert str(a) == str(b)
        assert repr(a) == repr(b)
        assert a.__getstate__() == b.__getstate__()


def test_decode(pair):
    ours, ref = pair
    ids = [e.ids for e in ref.encode_batch(TEXTS + PAIRS)]
    for skip in (True, False):
        assert ours.decode_batch(ids, skip_special_tokens=skip) == ref.decode_batch(ids, skip_special_tokens=skip)
        for i in ids:
            assert ours.decode(i, skip_special_tokens=skip) == ref.decode(i, skip_special_tokens=skip)
    odd = [[], [0], [10**6], [1, 10**6, 2], list(range(50))]
    for i in odd:
        assert ours.decode(i) == ref.decode(i), i


def test_to_str_and_save_round_trip(pair, tmp_path):
    import tokenizers

    import tokenmill

    ours, ref = pair
    _both(pair, lambda t: t.enable_truncation(20, stride=4, strategy="only_first", direction="left"))
    _both(pair, lambda t: t.enable_padding(pad_to_multiple_of=4, pad_id=3, pad_token="<p>"))
    _both(pair, lambda t: t.add_special_tokens(["<extra>"]))
    _both(pair, lambda t: t.add_tokens(["fooz"]))
    # the same JSON document as HF writes (key order aside)
    assert json.loads(ours.to_str()) == json.loads(ref.to_str())
    assert json.loads(ours.to_str(pretty=True)) == json.loads(ours.to_str())
    path = tmp_path / "saved.json"
    ours.save(str(path))
    inputs = TEXTS + [("fooz <extra> a", "b fooz")]
    want = ref.encode_batch(inputs)
    for loaded in (
        tokenizers.Tokenizer.from_file(str(path)),
        tokenmill.Tokenizer.from_file(str(path)),
        tokenmill.Tokenizer.from_str(ours.to_str()),
    ):
        assert_same_batch(inputs, loaded.encode_batch(inputs), want)
    assert ours.padding == tokenizers.Tokenizer.from_file(str(path)).padding
