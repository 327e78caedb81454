"""Behaviour: API surface, special tokens, numpy, pickling, fork safety, threads, errors."""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import tokenmill
import tokenmill.tiktoken as tm
from conftest import reference_tiktoken

TEXTS = [f"Line {i}: the quick brown fox — 日本語 🎉 {i * 7919} jumps over 'the' lazy dog.\n" * (1 + i % 5) for i in range(400)]


# ---------------------------------------------------------------- registry / API surface


def test_registry():
    assert tm.list_encoding_names() == ["gpt2", "r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base", "o200k_harmony"]
    assert tm.get_encoding("cl100k_base") is tm.get_encoding("cl100k_base")
    with pytest.raises(ValueError, match="Unknown encoding nope"):
        tm.get_encoding("nope")
    with pytest.raises(ValueError, match="Expected a string"):
        tm.get_encoding(5)
    assert tm.encoding_for_model("gpt-4").name == "cl100k_base"
    assert tm.encoding_for_model("gpt-4o-mini-2024").name == "o200k_base"
    assert tm.encoding_for_model("text-davinci-003").name == "p50k_base"
    assert tm.encoding_for_model("gpt2").name == "gpt2"
    assert tm.encoding_name_for_model("gpt-3.5-turbo") == "cl100k_base"
    with pytest.raises(KeyError):
        tm.encoding_for_model("no-such-model")


def test_o200k_harmony():
    import tiktoken
    import tiktoken_ext.openai_public as op

    reference_tiktoken("o200k_base")  # patches the loader
    ref = tiktoken.Encoding(**op.o200k_harmony())
    enc = tm.get_encoding("o200k_harmony")
    text = "<|start|>user<|message|>hi<|end|><|reserved_200500|> <|endoftext|>"
    assert enc.encode(text, allowed_special="all") == ref.encode(text, allowed_special="all")
    assert enc.n_vocab == ref.n_vocab
    with pytest.raises(ValueError) as a:
        enc.encode(text)
    with pytest.raises(ValueError) as b:
        ref.encode(text)
    assert str(a.value) == str(b.value)


def test_import_as_tiktoken_drop_in():
    import tokenmill.tiktoken as tiktoken

    enc = tiktoken.get_encoding("o200k_base")
    assert enc.decode(enc.encode("hello world")) == "hello world"
    assert repr(enc) == "<Encoding 'o200k_base'>"


# ---------------------------------------------------------------- special tokens


def test_special_token_semantics(cl100k):
    eot = "<|endoftext|>"
    with pytest.raises(ValueError, match="disallowed special token '<\\|endoftext\\|>'"):
        cl100k.encode(f"x {eot}")
    assert cl100k.encode(eot, allowed_special="all") == [100257]
    assert cl100k.encode(eot, allowed_special={eot}) == [100257]
    assert cl100k.encode(eot, disallowed_special=()) == cl100k.encode_ordinary(eot)
    assert len(cl100k.encode(eot, disallowed_special=())) > 1
    # allowed but explicitly disallowed too: tiktoken raises.
    with pytest.raises(ValueError):
        cl100k.encode(eot, allowed_special={eot}, disallowed_special={eot})
    # only the leftmost disallowed token is named
    with pytest.raises(ValueError, match="<\\|fim_prefix\\|>"):
        cl100k.encode("a <|fim_prefix|> b <|endoftext|>")
    assert cl100k.encode_single_token(eot) == 100257
    assert cl100k.is_special_token(100257) and not cl100k.is_special_token(100)
    assert cl100k.eot_token == 100257
    assert cl100k.decode([100257]) == eot
    assert cl100k.special_tokens_set == {eot, "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|endofprompt|>"}
    with pytest.raises(ValueError):
        cl100k.encode_batch(["fine", f"bad {eot}"])
    assert cl100k.encode_batch(["fine", f"ok {eot}"], allowed_special="all")[1][-1] == 100257


def test_lone_surrogates(cl100k, ref_cl100k):
    for text in ["\ud800", "a\udc00b", "🎉\ud83d"]:
        assert cl100k.encode(text) == ref_cl100k.encode(text)
        assert cl100k.encode_ordinary(text) == ref_cl100k.encode_ordinary(text)
    assert cl100k.encode_ordinary_batch(["\ud800", "ok"]) == ref_cl100k.encode_ordinary_batch(["\ud800", "ok"])


# ---------------------------------------------------------------- numpy


def test_encode_to_numpy_zero_copy(cl100k):
    text = "hello world " * 1000
    arr = cl100k.encode_to_numpy(text)
    assert arr.dtype == np.uint32
    assert arr.tolist() == cl100k.encode(text)
    assert not arr.flags.writeable
    # the array views the Rust-owned buffer: same address, the buffer object is the base
    buf = arr.base
    assert isinstance(buf, tokenmill._tokenmill.TokenBuffer)
    assert arr.__array_interface__["data"][0] == buf.address
    assert len(buf) == arr.size
    del buf
    assert int(arr.sum()) == sum(cl100k.encode(text))  # still alive through arr
    assert cl100k.encode_to_numpy("").size == 0
    with pytest.raises(ValueError):
        cl100k.encode_to_numpy("<|endoftext|>")
    assert cl100k.encode_to_numpy("<|endoftext|>", allowed_special="all").tolist() == [100257]


# ---------------------------------------------------------------- pickling


def test_pickle_builtin_by_name(cl100k):
    data = pickle.dumps(cl100k)
    assert len(data) < 200  # by name, not by vocabulary
    back = pickle.loads(data)
    assert back.name == "cl100k_base"
    assert back.encode("hello <|endoftext|>", allowed_special="all") == cl100k.encode("hello <|endoftext|>", allowed_special="all")


def test_pickle_custom_encoding():
    ranks = {bytes([i]): i for i in range(256)} | {b"ab": 256, b"abc": 257}
    enc = tm.Encoding("tiny", pat_str=r"\w+|\s+|[^\w\s]+", mergeable_ranks=ranks, special_tokens={"<s>": 300})
    back = pickle.loads(pickle.dumps(enc))
    assert back.name == "tiny"
    assert back._mergeable_ranks == ranks
    assert back.encode("abc <s>", allowed_special="all") == enc.encode("abc <s>", allowed_special="all") == [257, 32, 300]


def test_pickle_hf_tokenizer(gpt2_json_path):
    tok = tokenmill.Tokenizer.from_file(str(gpt2_json_path))
    back = pickle.loads(pickle.dumps(tok))
    assert back.encode("Hello world").ids == tok.encode("Hello world").ids
    assert back.to_str() == tok.to_str()


def _child_encode(enc, texts):
    return enc.encode_ordinary_batch(texts, num_threads=4)


def _child_hf(tok, texts):
    return [e.ids for e in tok.encode_batch(texts, num_threads=3)]


@pytest.mark.skipif(sys.platform == "win32" or "fork" not in mp.get_all_start_methods(), reason="needs fork")
def test_fork_after_parent_used_pool(cl100k, gpt2_json_path):
    # Parent uses the thread pools first; the forked children must rebuild their own.
    expected = cl100k.encode_ordinary_batch(TEXTS, num_threads=4)
    tok = tokenmill.Tokenizer.from_file(str(gpt2_json_path))
    expected_hf = [e.ids for e in tok.encode_batch(TEXTS, num_threads=3)]
    ctx = mp.get_context("fork")
    pool = ctx.Pool(2)
    try:
        # arguments (the Encoding / Tokenizer) travel pickled through the pool's pipe
        r1 = pool.apply_async(_child_encode, (cl100k, TEXTS))
        r2 = pool.apply_async(_child_hf, (tok, TEXTS))
        assert r1.get(timeout=60) == expected
        assert r2.get(timeout=60) == expected_hf
        # and encoding objects built in the child by name (pickle by reference)
        r3 = pool.apply_async(_child_encode, (pickle.loads(pickle.dumps(cl100k)), TEXTS[:10]))
        assert r3.get(timeout=60) == expected[:10]
    finally:
        pool.terminate()
        pool.join()


# ---------------------------------------------------------------- threads


def test_many_python_threads_share_one_encoding(cl100k, gpt2_json_path):
    expected = [cl100k.encode(t) for t in TEXTS]
    tok = tokenmill.Tokenizer.from_file(str(gpt2_json_path))
    expected_hf = [tok.encode(t).ids for t in TEXTS]

    def work(i):
        t = TEXTS[i]
        return (
            cl100k.encode(t),
            cl100k.encode_ordinary_batch([t, t], num_threads=2),
            tok.encode(t).ids,
            tok.decode(tok.encode(t).ids),
        )

    with ThreadPoolExecutor(8) as ex:
        results = list(ex.map(work, list(range(len(TEXTS))) * 3))
    for k, (ids, pair, hf_ids, hf_text) in enumerate(results):
        i = k % len(TEXTS)
        assert ids == expected[i]
        assert pair == [expected[i], expected[i]]
        assert hf_ids == expected_hf[i]
        assert hf_text == TEXTS[i]


def _tokenmill_threads():
    names = []
    for task in Path("/proc/self/task").iterdir():
        try:
            names.append((task / "comm").read_text().strip())
        except OSError:
            pass
    return sum(n.startswith("tokenmill-") for n in names)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc")
def test_num_threads_respected(cl100k):
    texts = TEXTS * 4
    expected = cl100k.encode_ordinary_batch(texts, num_threads=1)
    before = _tokenmill_threads()
    # 1 thread runs inline: no pool threads are started
    assert cl100k.encode_ordinary_batch(texts, num_threads=1) == expected
    assert _tokenmill_threads() == before
    # a new size builds a pool of exactly that many workers (pools are cached per size)
    assert cl100k.encode_ordinary_batch(texts, num_threads=7) == expected
    assert _tokenmill_threads() == before + 7
    assert cl100k.encode_batch(texts, num_threads=7, disallowed_special=()) == expected
    assert _tokenmill_threads() == before + 7
    assert cl100k.decode_batch(expected, num_threads=7) == texts


# ---------------------------------------------------------------- HF API and errors


def test_hf_tokenizer_api(gpt2_json_path, tmp_path):
    tok = tokenmill.Tokenizer.from_file(gpt2_json_path)  # PathLike accepted
    enc = tok.encode("Hello world")
    assert isinstance(enc, tokenmill.Encoding)
    assert enc.ids == [15496, 995] and enc.tokens == ["Hello", "Ġworld"] and enc.offsets == [(0, 5), (5, 11)]
    assert len(enc) == 2 and enc.type_ids == [0, 0] and enc.attention_mask == [1, 1]
    out = tmp_path / "saved.json"
    tok.save(str(out))
    again = tokenmill.Tokenizer.from_file(str(out))
    assert again.encode("Hello world").ids == enc.ids
    assert tokenmill.Tokenizer.from_str(tok.to_str()).get_vocab_size() == tok.get_vocab_size()
    assert tokenmill.Tokenizer.from_buffer(tok.to_str().encode()).encode("x").ids == tok.encode("x").ids
    assert tok.decode(enc.ids) == "Hello world"


def test_errors_are_python_exceptions(tmp_path, gpt2_json_path):
    with pytest.raises(FileNotFoundError) as e:
        tokenmill.Tokenizer.from_file(str(tmp_path / "missing.json"))
    assert e.value.filename == str(tmp_path / "missing.json")
    with pytest.raises(IsADirectoryError):
        tokenmill.Tokenizer.from_file(str(tmp_path))
    bad = tmp_path / "bad.json"
    bad.write_text('{"model": ')
    with pytest.raises(tokenmill.FormatError, match="bad.json"):
        tokenmill.Tokenizer.from_file(str(bad))
    assert issubclass(tokenmill.FormatError, tokenmill.TokenmillError)
    assert issubclass(tokenmill.TokenmillError, ValueError)
    text = Path(gpt2_json_path).read_text().replace('"type": "BPE"', '"type": "NoSuchModel"')
    with pytest.raises(tokenmill.FormatError, match="NoSuchModel"):
        tokenmill.Tokenizer.from_str(text)
    with pytest.raises(tokenmill.TokenmillError):
        tokenmill.Tokenizer.from_str("[]")
    with pytest.raises(tokenmill.TokenmillError):
        tokenmill.Tokenizer.from_buffer(b"\xff\xfe")
    with pytest.raises(tokenmill.PatternError):
        tm.Encoding("x", pat_str="(unclosed", mergeable_ranks={b"a": 0}, special_tokens={})
    with pytest.raises(tokenmill.TokenmillError, match="too large"):
        tm.Encoding("x", pat_str="a", mergeable_ranks={b"a": 2**31}, special_tokens={})
    with pytest.raises(OverflowError):
        tm.get_encoding("gpt2").decode([-1])
    with pytest.raises(TypeError):
        tm.get_encoding("gpt2").encode(b"bytes")
    enc = tm.get_encoding("gpt2")
    with pytest.raises(KeyError):
        enc.decode_single_token_bytes(10**6)
    with pytest.raises(KeyError):
        enc.decode([10**6])
    tok = tokenmill.Tokenizer.from_file(str(gpt2_json_path))
    assert tok.decode([10**6, 15496]) == "Hello"  # HF skips unknown ids
    assert tok.id_to_token(10**6) is None


def test_gil_released_during_encode(cl100k):
    # A long encode in one thread must not stop another Python thread from running.
    import threading
    import time

    text = "word " * 2_000_000
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    th = threading.Thread(target=ticker)
    th.start()
    try:
        t0 = time.perf_counter()
        cl100k.encode_ordinary(text)
        t1 = time.perf_counter()
    finally:
        stop.set()
        th.join()
    during = [t for t in ticks if t0 < t < t1]
    if t1 - t0 > 0.05:
        assert len(during) >= 3, f"encode took {t1 - t0:.3f}s but the other thread ticked {len(during)} times"
