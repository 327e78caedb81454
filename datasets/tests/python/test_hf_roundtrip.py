"""Round trips of the save_to_disk layout between HF datasets 5.2 and tokenmill, both ways.

Run from the repo root (builds the driver example first):
    cargo build -p tokenmill-datasets --example storage_tool
    /work/main/.venv/bin/python -m pytest datasets/tests/python/test_hf_roundtrip.py -q
The driver is found in $CARGO_TARGET_DIR (default target/) under release/ or debug/examples/storage_tool, or
at $TOKENMILL_STORAGE_TOOL.
"""
import json
import os
import subprocess

import datasets
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def tool_path():
    """$TOKENMILL_STORAGE_TOOL (must exist when set: `make test` sets it), else a release or debug build."""
    if os.environ.get("TOKENMILL_STORAGE_TOOL"):
        path = os.environ["TOKENMILL_STORAGE_TOOL"]
        assert os.path.exists(path), f"TOKENMILL_STORAGE_TOOL={path} does not exist"
        return path
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    for profile in ("release", "debug"):
        path = os.path.join(target, profile, "examples", "storage_tool")
        if os.path.exists(path):
            return path
    return os.path.join(target, "debug", "examples", "storage_tool")


TOOL = tool_path()
pytestmark = pytest.mark.skipif(not os.path.exists(TOOL), reason=f"build the driver first: {TOOL} is missing")


def tool(*args):
    return subprocess.run([TOOL, *map(str, args)], check=True, capture_output=True, text=True).stdout


def features():
    return datasets.Features(
        {
            "id": datasets.Value("string"),
            "title": datasets.Value("string"),
            "label": datasets.ClassLabel(names=["neg", "pos", "unsup"]),
            "score": datasets.Value("float32"),
            "flag": datasets.Value("bool"),
            "ids": datasets.List(datasets.Value("uint16")),
            "answers": {
                "text": datasets.List(datasets.Value("string")),
                "answer_start": datasets.List(datasets.Value("int32")),
            },
        }
    )


def make(n, offset=0):
    rows = []
    for i in range(offset, offset + n):
        rows.append(
            {
                "id": f"id{i}",
                "title": ["Ünïcödé ✓", "a,b\n\"c\"", "", "plain"][i % 4] * (1 + i % 3),
                "label": i % 3,
                "score": None if i % 7 == 0 else i / 8,
                "flag": i % 2 == 0,
                "ids": list(range(i % 5)),
                "answers": {"text": [], "answer_start": []} if i % 4 == 0 else {"text": [f"t{i}"], "answer_start": [i]},
            }
        )
    return datasets.Dataset.from_list(rows, features=features())


def our_rows(path):
    return [json.loads(line) for line in tool("dump", path).splitlines()]


def normalize(rows):
    # float32 values print differently (arrow-json shortest f32 vs python float of the f32): compare
    # them as float32
    import numpy as np

    out = []
    for r in rows:
        r = dict(r)
        if r.get("score") is not None:
            r["score"] = float(np.float32(r["score"]))
        out.append(r)
    return out


def test_hf_saves_tokenmill_loads(tmp_path):
    ds = make(3000)
    ds.save_to_disk(tmp_path / "hf", max_shard_size="60KB")
    assert normalize(our_rows(tmp_path / "hf")) == normalize(ds.to_list())
    assert json.loads(tool("features", tmp_path / "hf")) == ds.features.to_dict()
    info = tool("info", tmp_path / "hf").split("\t")
    assert int(info[1]) == 3000 and int(info[2]) > 1


def test_tokenmill_saves_hf_loads(tmp_path):
    ds = make(1500)
    ds.save_to_disk(tmp_path / "hf", max_shard_size="50KB")
    tool("resave", tmp_path / "hf", tmp_path / "ours", "--max-shard-bytes", 40000)
    back = datasets.load_from_disk(str(tmp_path / "ours"))
    assert back.features == ds.features
    assert back.features["label"].names == ["neg", "pos", "unsup"]
    assert back.to_list() == ds.to_list()
    assert len(back.cache_files) > 1
    # the fingerprint of the loaded dataset carries over
    assert back._fingerprint == datasets.load_from_disk(str(tmp_path / "hf"))._fingerprint


def test_indices_are_flattened_on_save(tmp_path):
    ds = make(100)
    ds.save_to_disk(tmp_path / "hf")
    tool("resave", tmp_path / "hf", tmp_path / "rev", "--reverse")
    back = datasets.load_from_disk(str(tmp_path / "rev"))
    assert back._indices is None
    assert back.to_list() == ds.to_list()[::-1]


def test_dataset_dict_both_ways(tmp_path):
    dd = datasets.DatasetDict(train=make(200), test=make(20, 1000), unsupervised=make(5, 5000))
    dd.save_to_disk(tmp_path / "hf")
    info = [line.split("\t") for line in tool("info", tmp_path / "hf").splitlines()]
    assert [(s, int(n)) for s, n, *_ in info] == [("train", 200), ("test", 20), ("unsupervised", 5)]
    tool("resave", tmp_path / "hf", tmp_path / "ours")
    back = datasets.load_from_disk(str(tmp_path / "ours"))
    assert list(back) == ["train", "test", "unsupervised"]
    for name in dd:
        assert back[name].features == dd[name].features
        assert back[name].to_list() == dd[name].to_list()


def test_hf_shuffled_then_saved(tmp_path):
    ds = make(500).shuffle(seed=3)
    ds.save_to_disk(tmp_path / "hf")
    assert normalize(our_rows(tmp_path / "hf")) == normalize(ds.to_list())


def test_array2d_and_timestamps_survive_a_resave(tmp_path):
    feats = datasets.Features(
        {
            "m": datasets.Array2D(shape=(2, 3), dtype="float32"),
            "t": datasets.Value("timestamp[ms]"),
            "d": datasets.Value("decimal128(10, 2)"),
        }
    )
    import datetime
    import decimal

    rows = [
        {"m": [[float(i + j * 3 + k) for k in range(3)] for j in range(2)],
         "t": datetime.datetime(2020, 1, 1 + i, 12, 0),
         "d": decimal.Decimal(f"{i}.25")}
        for i in range(5)
    ]
    ds = datasets.Dataset.from_list(rows, features=feats)
    ds.save_to_disk(tmp_path / "hf")
    assert json.loads(tool("features", tmp_path / "hf")) == json.loads(json.dumps(ds.features.to_dict()))
    tool("resave", tmp_path / "hf", tmp_path / "ours")
    back = datasets.load_from_disk(str(tmp_path / "ours"))
    assert back.features == ds.features
    assert back.to_list() == ds.to_list()
