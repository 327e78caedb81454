"""Bad input to tokenmill.Tokenizer raises a Python exception that names what failed; never a panic."""

from __future__ import annotations

import json

import pytest

from conftest import shared_path

MINILM = "vocab/minilm-l6-uncased/tokenizer.json"


@pytest.fixture(scope="module")
def doc():
    with open(shared_path(MINILM), encoding="utf-8") as fh:
        return json.load(fh)


def _load(doc):
    import tokenmill

    return tokenmill.Tokenizer.from_str(json.dumps(doc))


@pytest.mark.parametrize("component", ["normalizer", "pre_tokenizer", "model", "post_processor", "decoder"])
def test_unknown_component_type_names_it(doc, component):
    import tokenizers

    bad = dict(doc, **{component: {"type": "NoSuchThing"}})
    with pytest.raises(Exception):
        tokenizers.Tokenizer.from_str(json.dumps(bad))
    with pytest.raises(ValueError) as e:
        _load(bad)
    assert "NoSuchThing" in str(e.value)
    assert component.replace("_", "") in str(e.value).lower().replace("_", "").replace("-", "").replace(" ", "")


def test_nested_unknown_type_is_named(doc):
    bad = dict(doc, normalizer={"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Bogus9"}]})
    with pytest.raises(ValueError, match="Bogus9"):
        _load(bad)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{",
        "[]",
        '{"model": 5}',
        '{"version": "1.0"}',
        # complete and valid, though its unk token is missing from the vocab: HF accepts it
        '{"version":"1.0","truncation":null,"padding":null,"added_tokens":[],"normalizer":null,"pre_tokenizer":null,'
        '"post_processor":null,"decoder":null,"model":{"type":"WordPiece","vocab":{"a":0},"unk_token":"[UNK]",'
        '"continuing_subword_prefix":"##","max_input_chars_per_word":100}}',
    ],
)
def test_malformed_json(text):
    import tokenizers

    import tokenmill

    try:
        tokenizers.Tokenizer.from_str(text)
        hf_ok = True
    except Exception:
        hf_ok = False
    if hf_ok:
        tokenmill.Tokenizer.from_str(text)  # HF accepts it (e.g. an unk token missing from the vocab): so do we
    else:
        with pytest.raises(ValueError):
            tokenmill.Tokenizer.from_str(text)


def test_bad_field_values(doc):
    for component, value in [
        ("model", dict(doc["model"], vocab="not a dict")),
        ("model", dict(doc["model"], max_input_chars_per_word=-1)),
        ("normalizer", dict(doc["normalizer"], lowercase="yes")),
        ("truncation", {"max_length": "x"}),
        ("padding", {"strategy": {"Nope": 1}}),
        ("post_processor", {"type": "TemplateProcessing", "single": "[NOPE] $A", "pair": "$A $B", "special_tokens": {}}),
    ]:
        with pytest.raises(ValueError):
            _load(dict(doc, **{component: value}))


def test_missing_file(tmp_path):
    import tokenmill

    with pytest.raises(OSError):
        tokenmill.Tokenizer.from_file(str(tmp_path / "missing.json"))
    (tmp_path / "bad.json").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ValueError):
        tokenmill.Tokenizer.from_file(str(tmp_path / "bad.json"))


def test_bad_call_arguments():
    import tokenizers

    import tokenmill

    path = str(shared_path(MINILM))
    ours, ref = tokenmill.Tokenizer.from_file(path), tokenizers.Tokenizer.from_file(path)
    for call in [
        lambda t: t.encode(5),
        lambda t: t.encode(["a", 5], is_pretokenized=True),
        lambda t: t.encode_batch([5]),
        lambda t: t.encode_batch([("a", "b", "c")]),
        lambda t: t.encode_batch("not a list of inputs but a str"),
        lambda t: t.decode(["x"]),
    ]:
        try:
            call(ref)
            hf_error = None
        except Exception as e:
            hf_error = type(e)
        if hf_error is None:
            call(ours)
        else:
            with pytest.raises(hf_error if hf_error is not Exception else (ValueError, TypeError)):
                call(ours)


def test_huge_and_degenerate_inputs_do_not_crash():
    import tokenizers

    import tokenmill

    path = str(shared_path(MINILM))
    ours, ref = tokenmill.Tokenizer.from_file(path), tokenizers.Tokenizer.from_file(path)
    for t in (ours, ref):
        t.no_truncation()
        t.no_padding()
    for text in ["a" * 1_000_000, "é" * 200_000, "\u0301" * 10_000, "[CLS]" * 10_000, "\x00" * 1000]:
        a, b = ours.encode(text), ref.encode(text)
        assert a.ids == b.ids and a.offsets == b.offsets, repr(text[:20])
