"""Native Dataset.tokenize / Dataset.pack (tokenmill-only): ids equal tiktoken's encode_ordinary per
row (cl100k_base, the offline reference built as conftest does) and HF tokenizers' encode_batch
(minilm tokenizer.json); pack(block_size, eot) equals concatenating every row's ids followed by EOT
and cutting the stream into block_size blocks (computed here in plain Python)."""

from __future__ import annotations

import pytest

from conftest import EDGE_STRINGS, reference_tiktoken
from datasets_compare import known_gaps  # noqa: F401 (autouse fixture)
from datasets_compare import HF_ONLY, hf, hf_imdb, imdb_rows, sample, shared, small_dict, tm

pytestmark = pytest.mark.skipif(HF_ONLY, reason="tokenize/pack are tokenmill-only: skipped with TOKENMILL_DS_IMPL=hf")

EOT = 100257  # cl100k_base <|endoftext|>


def _valid_utf8(s):
    try:
        s.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


TEXTS = [t for t in EDGE_STRINGS if _valid_utf8(t)] + small_dict(30)["text"]


@pytest.fixture(scope="module")
def cl100k():
    import tokenmill.tiktoken as tt

    return tt.get_encoding("cl100k_base")


@pytest.fixture(scope="module")
def ref():
    return reference_tiktoken("cl100k_base")


@pytest.fixture(scope="module")
def minilm_path():
    return shared("vocab/minilm-l6-uncased/tokenizer.json")


def ids_column(ds):
    assert "input_ids" in ds.column_names, f"tokenize should add an input_ids column: {ds.column_names}"
    return [list(x) for x in ds["input_ids"]]


def test_tokenize_cl100k_equals_tiktoken(cl100k, ref):
    ds = tm.Dataset.from_dict({"text": TEXTS, "n": list(range(len(TEXTS)))})
    out = ds.tokenize(cl100k, column="text")
    assert out.num_rows == ds.num_rows
    assert out["text"][:] == TEXTS, "the source column is kept"
    got = ids_column(out)
    for i, t in enumerate(TEXTS):
        assert got[i] == ref.encode_ordinary(t), f"row {i} ({t[:40]!r})"


def test_tokenize_default_column_is_text(cl100k, ref):
    ds = tm.Dataset.from_dict({"text": ["hello world", "a"]})
    assert ids_column(ds.tokenize(cl100k)) == [ref.encode_ordinary("hello world"), ref.encode_ordinary("a")]


def test_tokenize_other_column_and_indices(cl100k, ref):
    d = {"body": TEXTS, "k": list(range(len(TEXTS)))}
    ds = tm.Dataset.from_dict(d).shuffle(seed=3).filter(lambda r: r["k"] % 2 == 0)
    expect_rows = hf.Dataset.from_dict(d).shuffle(seed=3).filter(lambda r: r["k"] % 2 == 0)
    out = ds.tokenize(cl100k, column="body")
    assert out["k"][:] == expect_rows["k"][:]
    assert ids_column(out) == [ref.encode_ordinary(t) for t in expect_rows["body"]]


def test_tokenize_imdb_tiny(cl100k, ref):
    f = sample("tiny_aclImdb_v1.tar.gz")
    dd = tm.load_dataset("imdb", data_files=f)
    for split, hds in hf_imdb(f).items():
        out = dd[split].tokenize(cl100k)
        assert out["label"][:] == hds["label"][:]
        assert ids_column(out) == [ref.encode_ordinary(t) for t in hds["text"]]


def test_tokenize_imdb_real_slice(cl100k, ref):
    f = shared("imdb/aclImdb_v1.tar.gz")
    ds = tm.load_dataset("imdb", data_files=f, split="test[:2%]")
    rows = list(imdb_rows(f, "test", limit=500))
    assert ds.num_rows == 500
    assert ids_column(ds.tokenize(cl100k)) == [ref.encode_ordinary(r["text"]) for r in rows]


def test_tokenize_enwiki_lines(cl100k, ref):
    p = shared("corpora/enwiki.txt")
    with open(p, "rb") as fh:
        lines = fh.read(300_000).decode("utf-8", errors="ignore").split("\n")[:-1]
    ds = tm.Dataset.from_dict({"text": lines})
    assert ids_column(ds.tokenize(cl100k)) == [ref.encode_ordinary(t) for t in lines]


def test_tokenize_tokenizer_json_equals_hf_encode_batch(minilm_path):
    # Dataset.tokenize's documented contract for a tokenizer.json: the text's tokens only, i.e. HF's
    # encode_batch(..., add_special_tokens=False) without the file's padding / truncation (minilm's
    # pads and truncates to 128), so the ids can be packed
    import tokenizers

    hf_tok = tokenizers.Tokenizer.from_file(minilm_path)
    hf_tok.no_padding()
    hf_tok.no_truncation()
    ds = tm.Dataset.from_dict({"text": TEXTS})
    got = ids_column(ds.tokenize(tm.Tokenizer.from_file(minilm_path)))
    expect = [e.ids for e in hf_tok.encode_batch(TEXTS, add_special_tokens=False)]
    for i, t in enumerate(TEXTS):
        assert got[i] == expect[i], f"row {i} ({t[:40]!r})"


@pytest.mark.parametrize("settings", ["file", "longest", "truncate-only"])
def test_tokenize_add_special_tokens_is_hf_encode_batch(minilm_path, settings):
    # add_special_tokens=True: the whole pipeline, exactly what HF's encode_batch gives per batch of
    # batch_size rows ([CLS]/[SEP], the tokenizer's truncation and padding: the file's 128/Fixed 128,
    # batch-longest padding, or truncation alone); attention_mask and offsets from the encodings
    import tokenizers

    hf_tok = tokenizers.Tokenizer.from_file(minilm_path)
    ours = tm.Tokenizer.from_file(minilm_path)
    for t in (hf_tok, ours):
        if settings == "longest":
            t.enable_padding(pad_id=0, pad_token="[PAD]")
            t.enable_truncation(16)
        elif settings == "truncate-only":
            t.no_padding()
            t.enable_truncation(8, stride=2)
    batch = 7
    ds = tm.Dataset.from_dict({"text": TEXTS})
    out = ds.tokenize(ours, add_special_tokens=True, attention_mask=True, offsets=True, batch_size=batch)
    got = ids_column(out)
    masks = [list(m) for m in out["attention_mask"]]
    offsets = [[tuple(p) for p in row] for row in out["offset_mapping"]]
    want = []
    for i in range(0, len(TEXTS), batch):
        want += hf_tok.encode_batch(TEXTS[i : i + batch])
    assert got == [e.ids for e in want]
    assert masks == [e.attention_mask for e in want]
    assert offsets == [e.offsets for e in want]
    assert all(row[0] == ours.token_to_id("[CLS]") for row in got)
    if settings == "file":
        assert {len(r) for r in got} == {128}


def test_tokenize_add_special_tokens_errors(minilm_path, cl100k):
    ds = tm.Dataset.from_dict({"text": ["a b"]})
    with pytest.raises(ValueError, match="tokenmill.Tokenizer"):
        ds.tokenize(cl100k, add_special_tokens=True)
    with pytest.raises(ValueError, match="max_length"):
        ds.tokenize(tm.Tokenizer.from_file(minilm_path), add_special_tokens=True, max_length=4)


def test_tokenize_tokenizer_json_added_tokens_in_text(minilm_path):
    # text spelling a special token ("[SEP]") becomes its id, as in HF's encode
    import tokenizers

    texts = ["a [SEP] b", "[CLS][MASK] c", "plain"]
    hf_tok = tokenizers.Tokenizer.from_file(minilm_path)
    hf_tok.no_padding()
    ds = tm.Dataset.from_dict({"text": texts})
    got = ids_column(ds.tokenize(tm.Tokenizer.from_file(minilm_path)))
    assert got == [e.ids for e in hf_tok.encode_batch(texts, add_special_tokens=False)]


def test_tokenize_on_disk_backed_dataset(tmp_path, cl100k, ref):
    hf.Dataset.from_dict({"text": TEXTS}).save_to_disk(str(tmp_path / "src"))
    ds = tm.load_from_disk(str(tmp_path / "src"))
    out = ds.tokenize(cl100k)
    assert ids_column(out) == [ref.encode_ordinary(t) for t in TEXTS]
    # the result is a normal dataset: HF reads what it saves
    out.save_to_disk(str(tmp_path / "tok"))
    back = hf.load_from_disk(str(tmp_path / "tok"))
    assert [list(x) for x in back["input_ids"]] == [ref.encode_ordinary(t) for t in TEXTS]


def test_tokenize_dataset_dict(cl100k, ref):
    dd = tm.DatasetDict(a=tm.Dataset.from_dict({"text": TEXTS[:5]}), b=tm.Dataset.from_dict({"text": TEXTS[5:9]}))
    out = dd.tokenize(cl100k)
    assert list(out) == ["a", "b"]
    assert ids_column(out["b"]) == [ref.encode_ordinary(t) for t in TEXTS[5:9]]


def test_tokenize_missing_column(cl100k):
    ds = tm.Dataset.from_dict({"body": ["x"]})
    with pytest.raises((KeyError, ValueError), match="text"):
        ds.tokenize(cl100k)
    with pytest.raises((KeyError, ValueError), match="nope"):
        ds.tokenize(cl100k, column="nope")


def test_tokenize_non_string_column(cl100k):
    ds = tm.Dataset.from_dict({"text": [1, 2]})
    with pytest.raises((TypeError, ValueError)):
        ds.tokenize(cl100k)


# ---------------------------------------------------------------- pack


def expected_blocks(docs, block_size, eot):
    stream = []
    for ids in docs:
        stream.extend(ids)
        stream.append(eot)
    full = len(stream) // block_size
    return [stream[i * block_size : (i + 1) * block_size] for i in range(full)], stream[full * block_size :]


def check_pack(packed, docs, block_size, eot):
    blocks, rest = expected_blocks(docs, block_size, eot)
    got = ids_column(packed)
    assert all(len(b) == block_size for b in got[: len(blocks)])
    assert got[: len(blocks)] == blocks
    # the remainder (shorter than a block) is either dropped (HF's group_texts) or the last row
    assert len(got) in (len(blocks), len(blocks) + 1), (len(got), len(blocks))
    if len(got) == len(blocks) + 1:
        assert rest and got[-1] == rest


@pytest.mark.parametrize("block_size", [1, 7, 64, 1000])
def test_pack_equals_concatenate_and_cut(cl100k, ref, block_size):
    ds = tm.Dataset.from_dict({"text": TEXTS}).tokenize(cl100k)
    packed = ds.pack(block_size, eot=EOT)
    check_pack(packed, [ref.encode_ordinary(t) for t in TEXTS], block_size, EOT)


def test_pack_drops_other_columns_and_is_hf_loadable(tmp_path, cl100k, ref):
    ds = tm.Dataset.from_dict({"text": TEXTS, "n": list(range(len(TEXTS)))}).tokenize(cl100k)
    packed = ds.pack(16, eot=EOT)
    assert packed.column_names[0] == "input_ids"
    assert "text" not in packed.column_names
    packed.save_to_disk(str(tmp_path / "p"))
    back = hf.load_from_disk(str(tmp_path / "p"))
    check_pack(back, [ref.encode_ordinary(t) for t in TEXTS], 16, EOT)


def test_pack_imdb_tiny_with_tokenizer_json(minilm_path):
    import tokenizers

    f = sample("tiny_aclImdb_v1.tar.gz")
    ds = tm.load_dataset("imdb", data_files=f, split="train")
    tok = tm.Tokenizer.from_file(minilm_path)
    hf_tok = tokenizers.Tokenizer.from_file(minilm_path)
    for t in (hf_tok, tok):
        t.no_padding()
        t.no_truncation()
    packed = ds.tokenize(tok).pack(8, eot=102)
    texts = list(hf_imdb(f, "train")["text"])
    expect = [e.ids for e in hf_tok.encode_batch(texts, add_special_tokens=False)]
    check_pack(packed, expect, 8, 102)


def test_pack_numpy_format(cl100k, ref):
    import numpy as np

    packed = tm.Dataset.from_dict({"text": TEXTS}).tokenize(cl100k).pack(32, eot=EOT).with_format("numpy")
    arr = packed["input_ids"]
    blocks, _ = expected_blocks([ref.encode_ordinary(t) for t in TEXTS], 32, EOT)
    arr = np.asarray(arr)[: len(blocks)]
    assert arr.shape == (len(blocks), 32)
    np.testing.assert_array_equal(arr, np.array(blocks))


def test_tokenize_ids_dtype_and_hf_features(tmp_path, cl100k, minilm_path):
    # dtype="auto": uint32 ids for cl100k (100k vocabulary), uint16 for a 30k WordPiece vocabulary
    ds = tm.Dataset.from_dict({"text": ["a b", "c"]})
    a = ds.tokenize(cl100k)
    b = ds.tokenize(tm.Tokenizer.from_file(minilm_path))
    as_json = lambda f: hf.Features({"x": f}).to_dict()["x"]  # noqa: E731
    assert a.features.to_dict()["input_ids"] == as_json(hf.List(hf.Value("uint32")))
    assert b.features.to_dict()["input_ids"] == as_json(hf.List(hf.Value("uint16")))
    a.save_to_disk(str(tmp_path / "a"))
    assert hf.load_from_disk(str(tmp_path / "a")).features["input_ids"] == hf.List(hf.Value("uint32"))


def test_tokenize_full_imdb_train_shuffled(cl100k, ref):
    # 25,000 rows through many 1,000-row batches and an indices mapping: order must hold
    f = shared("imdb/aclImdb_v1.tar.gz")
    ds = tm.load_dataset("imdb", data_files=f, split="train").shuffle(seed=7)
    out = ds.tokenize(cl100k)
    assert out.num_rows == 25000
    picks = list(range(0, 25000, 211)) + [24999]
    sub = out.select(picks)
    texts = sub["text"][:]
    got = [list(x) for x in sub["input_ids"]]
    for i, (t, ids) in enumerate(zip(texts, got)):
        assert ids == ref.encode_ordinary(t), f"row {picks[i]}"
    assert sub["label"][:] == ds.select(picks)["label"][:]


def test_pack_without_eot_and_keep_partial(cl100k, ref):
    docs = [ref.encode_ordinary(t) for t in TEXTS]
    ds = tm.Dataset.from_dict({"text": TEXTS}).tokenize(cl100k)
    stream = [i for d in docs for i in d]
    got = ids_column(ds.pack(10))
    assert got == [stream[i : i + 10] for i in range(0, len(stream) - len(stream) % 10, 10)], "no eot: plain concatenation"
    with_eot = [i for d in docs for i in d + [EOT]]
    got = ids_column(ds.pack(10, eot=EOT, keep_partial=True))
    assert got == [with_eot[i : i + 10] for i in range(0, len(with_eot), 10)], "keep_partial keeps the short last block"
    assert ids_column(ds.pack(10, eot=cl100k)) == ids_column(ds.pack(10, eot=EOT)), "eot=<encoding> uses <|endoftext|>"


def test_pack_bad_block_size(cl100k):
    ds = tm.Dataset.from_dict({"text": ["a"]}).tokenize(cl100k)
    with pytest.raises((ValueError, TypeError)):
        ds.pack(0)


# ---------------------------------------------------------------- tokenize options (tokenmill API)


def test_tokenize_options_cl100k(cl100k, ref):
    texts = TEXTS[:20]
    ds = tm.Dataset.from_dict({"text": texts, "k": list(range(20))})
    refs = [ref.encode_ordinary(t) for t in texts]
    assert ids_column(ds.tokenize(cl100k, add_eot=True)) == [r + [EOT] for r in refs], "add_eot"
    assert ids_column(ds.tokenize(cl100k, max_length=5)) == [r[:5] for r in refs], "max_length truncates"
    assert ids_column(ds.tokenize(cl100k, batch_size=3, num_threads=1)) == refs, "batch_size / num_threads"
    out = ds.tokenize(cl100k, output="ids", remove_columns=True)
    assert out.column_names == ["ids"]
    assert [list(x) for x in out["ids"]] == refs
    out = ds.tokenize(cl100k, max_length=8, padding="max_length", pad_id=0, attention_mask=True)
    for r, ids, mask in zip(refs, out["input_ids"], out["attention_mask"]):
        r = r[:8]
        assert list(ids) == r + [0] * (8 - len(r))
        assert list(mask) == [1] * len(r) + [0] * (8 - len(r))


def test_tokenize_added_tokens_switch(cl100k, ref):
    texts = ["a <|endoftext|> b", "<|endoftext|>"]
    ds = tm.Dataset.from_dict({"text": texts})
    assert ids_column(ds.tokenize(cl100k)) == [ref.encode_ordinary(t) for t in texts], "default: encode_ordinary"
    allowed = [ref.encode(t, allowed_special="all") for t in texts]
    assert ids_column(ds.tokenize(cl100k, added_tokens=True)) == allowed


def test_tokenize_offsets_tokenizer_json(minilm_path):
    import tokenizers

    texts = ["Hello, World!", "Ünïcödé text", "", "a [SEP] b"]
    hf_tok = tokenizers.Tokenizer.from_file(minilm_path)
    hf_tok.no_padding()
    hf_tok.no_truncation()
    out = tm.Dataset.from_dict({"text": texts}).tokenize(tm.Tokenizer.from_file(minilm_path), offsets=True, attention_mask=True)
    exp = hf_tok.encode_batch(texts, add_special_tokens=False)
    assert [[tuple(p) for p in o] for o in out["offset_mapping"]] == [list(e.offsets) for e in exp]
    assert [list(m) for m in out["attention_mask"]] == [e.attention_mask for e in exp]
