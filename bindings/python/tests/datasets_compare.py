"""Helpers for the tokenmill-vs-HF `datasets` parity suite (test_datasets_*.py).

Every test runs the same operations through ``tm`` (tokenmill's datasets API) and ``hf`` (Hugging
Face ``datasets`` 5.2) on the same data and compares the results with the helpers below, so a failure
names the operation, the field and both values.

``TOKENMILL_DS_IMPL=hf`` swaps ``tm`` for HF ``datasets`` itself (plus a small shim that builds the
``imdb`` / ``squad`` datasets from the raw files as HF's scripts do): the suite then checks its own
logic, HF against HF. Tests of tokenmill-only APIs (``tokenize``, ``pack``) skip in that mode.

Importing this module points both libraries' caches at a fresh temporary folder (removed when the
test process exits) and forces HF offline (it never calls the hub).
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tarfile
import tempfile
from pathlib import Path

_CACHE_ROOT = tempfile.mkdtemp(prefix="tm-ds-tests-")
_OWNER = os.getpid()


@atexit.register
def _remove_cache_root():
    # the suite's caches hold ~300 MB; only the process that made the folder removes it (a forked
    # worker exiting normally must not pull it from under the tests)
    if os.getpid() == _OWNER:
        shutil.rmtree(_CACHE_ROOT, ignore_errors=True)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ["HF_DATASETS_CACHE"] = os.path.join(_CACHE_ROOT, "hf")
os.environ["TOKENMILL_CACHE"] = os.path.join(_CACHE_ROOT, "tm")

import datasets as hf  # noqa: E402
import pyarrow as pa  # noqa: E402
import pytest  # noqa: E402

from conftest import REPO, SHARED  # noqa: E402

hf.disable_progress_bars()

SAMPLES = REPO / "data" / "samples" / "datasets"
TESTS_DIR = Path(__file__).resolve().parent
HF_ONLY = os.environ.get("TOKENMILL_DS_IMPL", "").lower() == "hf"


def sample(name: str) -> str:
    p = SAMPLES / name
    assert p.exists(), f"commit-shipped sample {p} is missing"
    return str(p)


def shared(rel: str) -> str:
    p = SHARED / rel
    if not p.exists():
        pytest.skip(f"shared data {p} absent (expected at <repo>/../shared/data or $TOKENMILL_SHARED)")
    return str(p)


# --------------------------------------------------------------------------------------------
# HF's imdb / squad scripts, offline (HF has no packaged builder for them)
# --------------------------------------------------------------------------------------------

IMDB_SPLITS = {
    "train": ("train", {"neg": 0, "pos": 1}),
    "test": ("test", {"neg": 0, "pos": 1}),
    "unsupervised": ("train", {"unsup": -1}),
}


def imdb_rows(path, split, limit=None):
    """HF's imdb `_generate_examples`: the archive in order, files under aclImdb/<folder>/<label>."""
    folder, labels = IMDB_SPLITS[split]
    n = 0
    with tarfile.open(path, "r:gz") as tar:
        for m in tar:
            parts = m.name.split("/")
            if m.isfile() and len(parts) == 4 and parts[1] == folder and parts[2] in labels:
                yield {"text": tar.extractfile(m).read().decode("utf-8"), "label": labels[parts[2]]}
                n += 1
                if limit is not None and n >= limit:
                    return


def imdb_features():
    return hf.Features({"text": hf.Value("string"), "label": hf.ClassLabel(names=["neg", "pos"])})


def hf_imdb(path, split=None):
    """HF's imdb DatasetDict (or one split) built from the tarball."""
    out = {}
    for name in IMDB_SPLITS:
        if split is not None and name != split:
            continue
        rows = list(imdb_rows(path, name))
        out[name] = hf.Dataset.from_list(rows, features=imdb_features())
    return out[split] if split is not None else hf.DatasetDict(out)


def squad_rows(path):
    """HF's squad/squad_v2 scripts: one row per question, in file order."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    for article in data["data"]:
        title = article.get("title", "")
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                yield {
                    "id": qa["id"],
                    "title": title,
                    "context": paragraph["context"],
                    "question": qa["question"],
                    "answers": {
                        "text": [a["text"] for a in qa["answers"]],
                        "answer_start": [a["answer_start"] for a in qa["answers"]],
                    },
                }


def squad_features():
    return hf.Features(
        {
            "id": hf.Value("string"),
            "title": hf.Value("string"),
            "context": hf.Value("string"),
            "question": hf.Value("string"),
            "answers": {"text": hf.List(hf.Value("string")), "answer_start": hf.List(hf.Value("int32"))},
        }
    )


def hf_squad(path):
    return hf.Dataset.from_list(list(squad_rows(path)), features=squad_features())


def hf_slice(ds, spec: str):
    """Applies the ``[a:b]`` part of a split spec (rows or percents) as HF's ReadInstruction does."""
    if "[" not in spec:
        return ds
    ri = hf.ReadInstruction.from_spec(spec)
    name = spec.split("[", 1)[0]
    (abs_ri,) = ri.to_absolute({name: len(ds)})
    return ds.select(range(abs_ri.from_, abs_ri.to))


class _HFShim:
    """HF `datasets` with `load_dataset("imdb"|"squad", data_files=...)` (validation mode only)."""

    def __getattr__(self, name):
        return getattr(hf, name)

    @staticmethod
    def load_dataset(path, *args, data_files=None, split=None, streaming=False, **kw):
        if path in ("imdb", "squad"):
            if isinstance(data_files, dict):
                dd = hf.DatasetDict({k: hf_squad(v) for k, v in data_files.items()})
            else:
                f = data_files if isinstance(data_files, str) else data_files[0]
                dd = hf_imdb(f) if path == "imdb" else hf.DatasetDict(train=hf_squad(f))
            if split is None:
                return dd.to_iterable_dataset() if streaming else dd
            ds = hf_slice(dd[split.split("[", 1)[0]], split)
            return ds.to_iterable_dataset() if streaming else ds
        return hf.load_dataset(path, *args, data_files=data_files, split=split, streaming=streaming, **kw)


def _implementation():
    if HF_ONLY:
        return _HFShim()
    return pytest.importorskip("tokenmill", reason="tokenmill is not installed (maturin develop)")


tm = _implementation()
if hasattr(tm, "disable_progress_bars"):
    tm.disable_progress_bars()


# Known tokenmill gaps at the time of writing: "<file>::<test id>" -> reason. Each listed test is
# marked xfail(strict=True) by the autouse fixture below, so the suite is green and truthful, and a
# test that starts passing fails loudly (XPASS strict) until its entry is removed. Not applied with
# TOKENMILL_DS_IMPL=hf, where every test must pass.
KNOWN_GAPS: dict[str, str] = {
}


@pytest.fixture(autouse=True)
def known_gaps(request):
    if not HF_ONLY:
        key = request.node.nodeid.rsplit("/", 1)[-1]
        if key in KNOWN_GAPS:
            request.node.add_marker(pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[key]))
    yield


def gap(reason: str):
    """A known tokenmill gap (the test stays strict: it fails loudly once the gap is closed, so the
    mark must then be removed). Not applied with TOKENMILL_DS_IMPL=hf, where the test must pass."""
    return pytest.mark.xfail(not HF_ONLY, strict=True, reason=reason)


def needs_tokenmill(reason="tokenmill-only API"):
    return pytest.mark.skipif(HF_ONLY, reason=f"{reason}: skipped with TOKENMILL_DS_IMPL=hf")


# --------------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------------


def features_dict(ds):
    """`Features.to_dict()` (tokenmill's Features mirrors HF's)."""
    f = ds.features
    if f is None:
        return None
    return f.to_dict() if hasattr(f, "to_dict") else json.loads(json.dumps(f, default=str))


def arrow_of(ds) -> pa.Table:
    """The dataset's rows as a pyarrow Table (indices mapping applied), schema metadata dropped."""
    t = ds.with_format("arrow")[:]
    if not isinstance(t, pa.Table):
        t = pa.table(t)
    return t.replace_schema_metadata(None)


def schema_of(ds) -> pa.Schema:
    return arrow_of(ds).schema


def assert_same_dataset(ours, theirs, *, what="dataset", schema=True):
    """Rows, order, column names, row count, features and Arrow schema equal."""
    assert type(ours).__name__ == type(theirs).__name__, f"{what}: type {type(ours)} vs {type(theirs)}"
    assert ours.num_rows == theirs.num_rows, f"{what}: num_rows {ours.num_rows} vs HF {theirs.num_rows}"
    assert len(ours) == len(theirs)
    assert list(ours.column_names) == list(theirs.column_names), f"{what}: columns"
    if schema:
        assert features_dict(ours) == features_dict(theirs), f"{what}: features"
        assert schema_of(ours) == schema_of(theirs), f"{what}: arrow schema\n{schema_of(ours)}\nvs HF\n{schema_of(theirs)}"
    a, b = ours.to_list(), theirs.to_list()
    assert_rows_equal(a, b, what)
    assert ours.to_dict() == theirs.to_dict(), f"{what}: to_dict"


def assert_rows_equal(a, b, what="rows"):
    assert len(a) == len(b), f"{what}: {len(a)} rows vs HF {len(b)}"
    for i, (x, y) in enumerate(zip(a, b)):
        assert x == y, f"{what}: row {i} differs:\n  tokenmill {x!r}\n  HF        {y!r}"


def assert_same_dict(ours, theirs, what="DatasetDict"):
    assert type(ours).__name__ == "DatasetDict", type(ours)
    assert list(ours.keys()) == list(theirs.keys()), f"{what}: splits"
    assert dict(ours.num_rows) == dict(theirs.num_rows)
    assert dict(ours.column_names) == dict(theirs.column_names)
    for k in theirs:
        assert_same_dataset(ours[k], theirs[k], what=f"{what}[{k!r}]")


# --------------------------------------------------------------------------------------------
# Small shared data
# --------------------------------------------------------------------------------------------

TEXTS = [
    "Hello world",
    "The quick brown fox jumps over the lazy dog.",
    "",
    "Ünïcödé ✓ text, with punctuation!",
    "tokenmill tokenizes; datasets map.",
    "a b c d e f g",
    "12345 67890",
    "   leading and trailing   ",
    "line\nbreaks\tand tabs",
    "🎉 emoji 👨‍👩‍👧‍👦 family",
]


def small_dict(n=40):
    return {
        "id": list(range(n)),
        "text": [TEXTS[i % len(TEXTS)] + f" #{i}" for i in range(n)],
        "label": [i % 3 for i in range(n)],
        "score": [None if i % 7 == 0 else i / 4 for i in range(n)],
    }


def pair_from_dict(d=None, **kw):
    d = d if d is not None else small_dict()
    return tm.Dataset.from_dict(d, **kw), hf.Dataset.from_dict(d, **kw)


def saved_pair(tmp_path, d=None, name="saved"):
    """The same data saved by HF (cache-file backed, so `map` caching applies) and opened by both."""
    d = d if d is not None else small_dict()
    path = tmp_path / name
    hf.Dataset.from_dict(d).save_to_disk(str(path))
    return tm.load_from_disk(str(path)), hf.load_from_disk(str(path))


@pytest.fixture
def ds_pair():
    return pair_from_dict()
