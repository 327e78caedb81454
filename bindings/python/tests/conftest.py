"""Shared fixtures: offline reference tiktoken encodings, HF reference tokenizers, test corpora.

Reference tiktoken encodings are built from the rank files shipped in ``<repo>/data/vocab``
(``tiktoken.get_encoding`` is never called: it downloads). Data under ``<repo>/../shared/data``
(or ``$TOKENMILL_SHARED``) is optional; tests needing it skip with a message when it is absent.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parents[2]  # bindings/python/tests -> repo root
VOCAB = REPO / "data" / "vocab"
# TOKENMILL_SHARED overrides the location (as in benches/compare.py), e.g. for a git worktree
# that does not sit next to ``shared/``.
SHARED = Path(os.environ.get("TOKENMILL_SHARED", REPO.parent / "shared" / "data")).resolve()
ENWIKI_BYTES = 5 * 1024 * 1024

TIKTOKEN_NAMES = ["r50k_base", "p50k_base", "cl100k_base", "o200k_base"]
HF_NAMES = {"gpt2": "gpt2/tokenizer.json", "cl100k-hf": "cl100k-hf/tokenizer.json"}

_ref_cache: dict[str, object] = {}


def reference_tiktoken(name: str):
    """The real tiktoken Encoding ``name``, built offline from ``data/vocab``."""
    if name not in _ref_cache:
        import tiktoken
        import tiktoken.load
        import tiktoken_ext.openai_public as op

        def load(path, expected_hash=None):
            local = VOCAB / path.rsplit("/", 1)[-1]
            return tiktoken.load.load_tiktoken_bpe(str(local))

        op.load_tiktoken_bpe = load
        ctor = {"gpt2": op.r50k_base}.get(name) or getattr(op, name)
        _ref_cache[name] = tiktoken.Encoding(**ctor())
    return _ref_cache[name]


def shared_path(rel: str) -> Path:
    p = SHARED / rel
    if not p.exists():
        pytest.skip(f"shared test data {p} absent (expected at <repo>/../shared/data or $TOKENMILL_SHARED)")
    return p


@pytest.fixture(scope="session", params=TIKTOKEN_NAMES)
def enc_pair(request):
    """(tokenmill encoding, reference tiktoken encoding) for each built-in."""
    import tokenmill.tiktoken as tm

    return tm.get_encoding(request.param), reference_tiktoken(request.param)


@pytest.fixture(scope="session")
def cl100k():
    import tokenmill.tiktoken as tm

    return tm.get_encoding("cl100k_base")


@pytest.fixture(scope="session")
def ref_cl100k():
    return reference_tiktoken("cl100k_base")


@pytest.fixture(scope="session", params=list(HF_NAMES))
def hf_pair(request):
    """(tokenmill.Tokenizer, tokenizers.Tokenizer) for gpt2 and cl100k-hf."""
    import tokenizers

    import tokenmill

    path = shared_path("vocab/" + HF_NAMES[request.param])
    return tokenmill.Tokenizer.from_file(str(path)), tokenizers.Tokenizer.from_file(str(path))


@pytest.fixture(scope="session")
def gpt2_json_path():
    return shared_path("vocab/gpt2/tokenizer.json")


@pytest.fixture(scope="session")
def conformance_texts() -> list[str]:
    d = shared_path("conformance")
    texts = []
    for f in sorted(d.glob("*.jsonl")):
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    texts.append(json.loads(line)["text"])
    assert texts, f"no records in {d}"
    return texts


@pytest.fixture(scope="session")
def enwiki_lines() -> list[str]:
    p = shared_path("corpora/enwiki.txt")
    with open(p, "rb") as fh:
        data = fh.read(ENWIKI_BYTES)
    text = data.decode("utf-8", errors="ignore")
    return text.split("\n")


EDGE_STRINGS = [
    "",
    "a",
    "a" * 100_000,
    " " * 100_000,
    "\n" * 1000,
    " \t\n\r\x0b\x0c" * 100,
    "🎉" * 1000,
    "👨‍👩‍👧‍👦" * 200,
    "🇯🇵🇺🇸" * 300,
    "\ud800",
    "a\ud800b",
    "\udfff\ud83d",
    "x\U0001f600\ud83dy",
    "<|endoftext|>",
    "hello <|endoftext|> world",
    "<|endoftext|><|endoftext|>",
    "<|endoftext",
    "<|fim_prefix|>a<|fim_middle|>b<|fim_suffix|>c<|endofprompt|>",
    "hello world",
    "1234567890" * 50,
    "I'M DON'T we'll THEY'RE",
    "日本語のテキスト" * 100,
    "\x00\x01\x02\x7f",
    "\u00a0\u2000\u3000 mixed\u200b spaces",
    "é" * 5000,
    "a" * 50 + "🎉" + "b" * 50,
]
