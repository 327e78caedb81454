"""Components no shipped tokenizer.json uses, each built with HF in the test and swapped into a base
tokenizer: every normalizer, pre-tokenizer (all Split/Punctuation behaviours, Digits, Metaspace
variants, ...), post-processor (Bert, RoBERTa, ByteLevel, templates, Sequence), decoder, and the
models the shipped files lack (WordLevel, BPE with subword prefix/suffix, ignore_merges, Unigram
with byte fallback). tokenmill must give HF's encodings, decodes and JSON.
"""

from __future__ import annotations

import json

import pytest

from conftest import shared_path
from hf_compare import assert_same, assert_same_alignment, assert_same_batch, pair_from_json, read_jsonl_texts

MINILM = "vocab/minilm-l6-uncased/tokenizer.json"
GPT2 = "vocab/gpt2/tokenizer.json"
UNIGRAM = "vocab/sentencepiece/botchan_en_unigram_1000.tokenizer.json"
KYOTO = "vocab/sentencepiece/kyoto_ja_unigram_8000.tokenizer.json"

EXTRA = [
    "Hello, World!!  Numbers 1234567 and 3.14159; a-b_c/d\\e (f) [g] {h} 'i' \"j\"",
    "  spaces   everywhere  ",
    "Ünïcödé àccénts ﬁ ﬀ ① ㍿ Ⅻ Å Å ḱṷ",
    "日本語のテキストと中文字符 and 한국어",
    "tabs\tand\nnewlines\r\n\u00a0nbsp\u200bzwsp\u3000ideographic",
    "emoji 🎉👍🏽👨‍👩‍👧 flags 🇯🇵",
    "",
    "x",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
]


def _state(component) -> dict:
    return json.loads(component.__getstate__())


def _base(rel: str) -> dict:
    with open(shared_path(rel), encoding="utf-8") as fh:
        doc = json.load(fh)
    doc["padding"] = None
    doc["truncation"] = None
    return doc


@pytest.fixture(scope="module")
def texts():
    sample = read_jsonl_texts(sorted(shared_path("conformance").glob("*.jsonl")))[::150]
    sample = [t for t in sample if _utf8_ok(t)]
    return EXTRA + sample


def _utf8_ok(t: str) -> bool:
    try:
        t.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def _run(doc, texts):
    ours, ref = pair_from_json(doc)
    assert_same_batch(texts, ours.encode_batch(texts), ref.encode_batch(texts))
    pairs = list(zip(texts[::4], texts[1::4]))
    assert_same_batch(pairs, ours.encode_batch(pairs), ref.encode_batch(pairs))
    for t in texts[:6]:
        a, b = ours.encode(t), ref.encode(t)
        assert_same(a, b, t)
        assert_same_alignment(a, b, t)
    ids = [e.ids for e in ref.encode_batch(texts)]
    for skip in (True, False):
        assert ours.decode_batch(ids, skip_special_tokens=skip) == ref.decode_batch(ids, skip_special_tokens=skip)
    assert json.loads(ours.to_str()) == json.loads(ref.to_str())


def _normalizers():
    from tokenizers import Regex
    from tokenizers import normalizers as n

    def kyoto():  # read lazily: collection must not need the shared data
        charsmap = _base(KYOTO)["normalizer"]["normalizers"][0]
        assert charsmap["type"] == "Precompiled"
        return charsmap

    return {
        "NFC": _state(n.NFC()),
        "NFD": _state(n.NFD()),
        "NFKC": _state(n.NFKC()),
        "NFKD": _state(n.NFKD()),
        "Lowercase": _state(n.Lowercase()),
        "NFD+StripAccents+Lowercase": _state(n.Sequence([n.NFD(), n.StripAccents(), n.Lowercase()])),
        "StripLeft": _state(n.Strip(left=True, right=False)),
        "StripRight": _state(n.Strip(left=False, right=True)),
        "ReplaceString": _state(n.Replace("a", "ää")),
        "ReplaceRegex": _state(n.Replace(Regex(r"\d+"), "#")),
        "ReplaceDelete": _state(n.Replace(Regex(r"[aeiou]"), "")),
        "Prepend": _state(n.Prepend("\u2581")),
        "BertStripAccents": _state(n.BertNormalizer(strip_accents=True)),
        "BertCased": _state(n.BertNormalizer(clean_text=False, handle_chinese_chars=False, lowercase=False)),
        "Nmt": _state(n.Nmt()),
        "ByteLevel": _state(n.ByteLevel()),
        "Precompiled": kyoto,
        "Precompiled+Lowercase": lambda: {"type": "Sequence", "normalizers": [kyoto(), _state(n.Lowercase())]},
    }


@pytest.mark.parametrize("name", list(_normalizers()))
def test_normalizer(name, texts):
    doc = _base(MINILM)
    norm = _normalizers()[name]
    doc["normalizer"] = norm() if callable(norm) else norm
    _run(doc, texts)


def _pre_tokenizers():
    from tokenizers import Regex
    from tokenizers import pre_tokenizers as p

    out = {
        "Whitespace": p.Whitespace(),
        "WhitespaceSplit": p.WhitespaceSplit(),
        "Digits": p.Digits(individual_digits=False),
        "DigitsIndividual": p.Digits(individual_digits=True),
        "CharDelimiterSplit": p.CharDelimiterSplit("e"),
        "UnicodeScripts": p.UnicodeScripts(),
        "FixedLength": p.FixedLength(length=4),
        "Sequence": p.Sequence([p.WhitespaceSplit(), p.Digits(individual_digits=True), p.Punctuation()]),
        "MetaspaceAlways": p.Metaspace(),
        "MetaspaceFirstNoSplit": p.Metaspace(prepend_scheme="first", split=False),
        "MetaspaceNever": p.Metaspace(replacement="_", prepend_scheme="never"),
    }
    for b in ["removed", "isolated", "merged_with_previous", "merged_with_next", "contiguous"]:
        out[f"Punctuation-{b}"] = p.Punctuation(behavior=b)
        out[f"SplitString-{b}"] = p.Split(" ", b)
        out[f"SplitRegex-{b}"] = p.Split(Regex(r"\d|[,.!]"), b)
        out[f"SplitRegexInvert-{b}"] = p.Split(Regex(r"\w+"), b, invert=True)
    return {k: _state(v) for k, v in out.items()}


@pytest.mark.parametrize("name", list(_pre_tokenizers()))
def test_pre_tokenizer(name, texts):
    doc = _base(MINILM)
    doc["pre_tokenizer"] = _pre_tokenizers()[name]
    _run(doc, texts)


def _byte_level_variants():
    from tokenizers import decoders as d
    from tokenizers import normalizers as n
    from tokenizers import pre_tokenizers as p
    from tokenizers import processors as pp

    eot = ("<|endoftext|>", 50256)
    out = {}
    for prefix in (False, True):
        for trim in (False, True):
            out[f"Roberta-prefix{prefix}-trim{trim}"] = {
                "pre_tokenizer": _state(p.ByteLevel(add_prefix_space=prefix)),
                "post_processor": _state(pp.RobertaProcessing(eot, eot, trim_offsets=trim, add_prefix_space=prefix)),
            }
    out["ByteLevelPostTrim"] = {"post_processor": _state(pp.ByteLevel(trim_offsets=True))}
    out["ByteLevelPrefixSpace"] = {"pre_tokenizer": _state(p.ByteLevel(add_prefix_space=True))}
    out["ByteLevelNoRegex"] = {"pre_tokenizer": _state(p.ByteLevel(use_regex=False))}
    out["NFC+ByteLevel"] = {"normalizer": _state(n.NFC())}
    out["Lowercase+ByteLevel"] = {"normalizer": _state(n.Lowercase())}
    out["PostSequence"] = {
        "post_processor": _state(
            pp.Sequence(
                [
                    pp.ByteLevel(trim_offsets=True),
                    pp.TemplateProcessing(single="$A <|endoftext|>", pair="$A <|endoftext|> $B:1", special_tokens=[eot]),
                ]
            )
        )
    }
    out["DecoderSequence"] = {"decoder": _state(d.Sequence([d.ByteLevel(), d.Strip(" ", 1, 0)]))}
    return out


@pytest.mark.parametrize("name", list(_byte_level_variants()))
def test_byte_level_variant(name, texts):
    doc = _base(GPT2)
    doc.update(_byte_level_variants()[name])
    _run(doc, texts)


def _post_processors():
    from tokenizers import processors as pp

    cls, sep = ("[CLS]", 101), ("[SEP]", 102)
    return {
        "Bert": _state(pp.BertProcessing(sep, cls)),
        "TemplateStrings": _state(
            pp.TemplateProcessing(single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[cls, sep])
        ),
        "TemplateTypeIds": _state(
            pp.TemplateProcessing(single="$0 [SEP]", pair="[CLS]:1 $A:0 [SEP] $B:2 [SEP]:3", special_tokens=[cls, sep])
        ),
        "TemplateNoSpecials": _state(pp.TemplateProcessing(single="$A", pair="$B:1 $A", special_tokens=[])),
        "RobertaOnWordPiece": _state(pp.RobertaProcessing(sep, cls)),
        "None": None,
    }


@pytest.mark.parametrize("name", list(_post_processors()))
def test_post_processor(name, texts):
    doc = _base(MINILM)
    doc["post_processor"] = _post_processors()[name]
    _run(doc, texts)


def _metaspace_unigram():
    from tokenizers import decoders as d
    from tokenizers import pre_tokenizers as p

    out = {}
    for scheme in ["always", "first", "never"]:
        for split in (True, False):
            out[f"{scheme}-split{split}"] = {
                "pre_tokenizer": _state(p.Metaspace(prepend_scheme=scheme, split=split)),
                "decoder": _state(d.Metaspace(prepend_scheme=scheme, split=split)),
            }
    return out


@pytest.mark.parametrize("name", list(_metaspace_unigram()))
def test_metaspace_unigram(name, texts):
    doc = _base(UNIGRAM)
    doc.update(_metaspace_unigram()[name])
    _run(doc, texts)


def test_unigram_byte_fallback(texts):
    from tokenizers import decoders as d

    doc = _base(UNIGRAM)
    vocab = doc["model"]["vocab"]
    vocab += [[f"<0x{b:02X}>", -20.0] for b in range(256)]
    doc["model"]["byte_fallback"] = True
    doc["decoder"] = _state(d.Sequence([d.ByteFallback(), d.Fuse(), d.Metaspace()]))
    _run(doc, texts)


@pytest.fixture(scope="module")
def botchan_lines():
    with open(shared_path("vocab/sentencepiece/botchan.txt"), encoding="utf-8") as fh:
        return [line.strip() for line in fh if line.strip()]


def _trained(kind, lines):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    if kind == "wordlevel":
        tok = Tokenizer(models.WordLevel(unk_token="[UNK]"))
        trainer = trainers.WordLevelTrainer(vocab_size=3000, special_tokens=["[UNK]", "<pad>", "|"])
        tok.pre_tokenizer = pre_tokenizers.Whitespace()
        tok.decoder = decoders.CTC(pad_token="<pad>", word_delimiter_token="|")
    elif kind == "bpe-affixes":
        tok = Tokenizer(models.BPE(unk_token="[UNK]", continuing_subword_prefix="##", end_of_word_suffix="</w>"))
        trainer = trainers.BpeTrainer(
            vocab_size=2000, special_tokens=["[UNK]", "[CLS]", "[SEP]"], continuing_subword_prefix="##",
            end_of_word_suffix="</w>",
        )
        tok.pre_tokenizer = pre_tokenizers.Whitespace()
        tok.decoder = decoders.BPEDecoder(suffix="</w>")
        tok.post_processor = processors.BertProcessing(("[SEP]", 2), ("[CLS]", 1))
    elif kind == "bpe-unk-fuse":
        tok = Tokenizer(models.BPE(unk_token="[UNK]", fuse_unk=True))
        trainer = trainers.BpeTrainer(vocab_size=500, special_tokens=["[UNK]"], limit_alphabet=40)
        tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
        tok.decoder = decoders.Sequence([decoders.Replace("a", "A"), decoders.Strip("x", 0, 1)])
    else:
        raise AssertionError(kind)
    tok.train_from_iterator(lines, trainer)
    return tok


@pytest.mark.parametrize("kind", ["wordlevel", "bpe-affixes", "bpe-unk-fuse"])
def test_trained_models(kind, botchan_lines, texts):
    tok = _trained(kind, botchan_lines)
    _run(json.loads(tok.to_str()), texts + botchan_lines[:300])


def test_bpe_ignore_merges(botchan_lines, texts):
    doc = json.loads(_trained("bpe-affixes", botchan_lines).to_str())
    doc["model"]["ignore_merges"] = True
    _run(doc, texts)


def test_wordpiece_decoder_without_cleanup(texts):
    from tokenizers import decoders as d

    doc = _base(MINILM)
    doc["decoder"] = _state(d.WordPiece(prefix="##", cleanup=False))
    doc["model"]["max_input_chars_per_word"] = 8
    _run(doc, texts)
