"""Generates the storage-layer fixtures under datasets/tests/data/storage/ with HF datasets 5.2.

Run from the repo root:  /work/main/.venv/bin/python datasets/tests/python/gen_storage_fixtures.py
The Rust tests (datasets/tests/storage_*.rs) then check parity without Python:
- hf_saved/: a DatasetDict HF saved (ClassLabel, SQuAD-style nested answers, floats, nulls, a
  list column, unicode), with each split's rows as JSON Lines (rows_<split>.jsonl, via pandas-free
  json.dumps of to_list()) and features (features.json, Features.to_dict()).
- hf_shuffled/: a Dataset HF saved after shuffle(seed=0) (save_to_disk flattens the indices).
- export_mixed.csv / export_mixed.jsonl / export_nested.jsonl: HF's to_csv / to_json outputs.
"""
import json
import os
import shutil

import datasets

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "storage")


def features():
    return datasets.Features(
        {
            "id": datasets.Value("string"),
            "text": datasets.Value("string"),
            "label": datasets.ClassLabel(names=["neg", "pos"]),
            "score": datasets.Value("float64"),
            "tokens": datasets.List(datasets.Value("int32")),
            "answers": {
                "text": datasets.List(datasets.Value("string")),
                "answer_start": datasets.List(datasets.Value("int32")),
            },
        }
    )


def rows(n, offset):
    out = {"id": [], "text": [], "label": [], "score": [], "tokens": [], "answers": []}
    for i in range(offset, offset + n):
        out["id"].append(f"q{i:04d}")
        out["text"].append(["plain", "héllo wörld ✓", "multi\nline, \"quoted\"", ""][i % 4] + f" {i}")
        out["label"].append(i % 2)
        out["score"].append(None if i % 5 == 0 else i / 4)
        out["tokens"].append(list(range(i % 4)))
        out["answers"].append(
            {"text": [], "answer_start": []} if i % 3 == 0 else {"text": [f"a{i}", "b"], "answer_start": [i, i + 1]}
        )
    return out


def dump_rows(ds, path):
    with open(path, "w", encoding="utf-8") as f:
        for r in ds.to_list():
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    feats = features()
    train = datasets.Dataset.from_dict(rows(1200, 0), features=feats, split="train")
    test = datasets.Dataset.from_dict(rows(7, 5000), features=feats, split="test")
    dd = datasets.DatasetDict(train=train, test=test)
    # small shards so the fixture has several shards and several batches per shard
    dd.save_to_disk(os.path.join(OUT, "hf_saved"), max_shard_size="40KB")
    for name, ds in dd.items():
        dump_rows(ds, os.path.join(OUT, f"rows_{name}.jsonl"))
    with open(os.path.join(OUT, "features.json"), "w") as f:
        json.dump(feats.to_dict(), f)

    shuffled = test.shuffle(seed=0)
    shuffled.save_to_disk(os.path.join(OUT, "hf_shuffled"))
    dump_rows(shuffled, os.path.join(OUT, "rows_shuffled.jsonl"))

    mixed = datasets.Dataset.from_dict(
        {"i": [1, None, 3], "f": [1.0, 2.5, None], "s": ["a,b", 'q"x\ny', "é/ü"], "b": [True, False, None]}
    )
    mixed.to_csv(os.path.join(OUT, "export_mixed.csv"))
    mixed.to_json(os.path.join(OUT, "export_mixed.jsonl"))
    nested = datasets.Dataset.from_dict({"l": [[1, 2], []], "st": [{"x": 1}, {"x": None}]})
    nested.to_json(os.path.join(OUT, "export_nested.jsonl"))


if __name__ == "__main__":
    main()
