"""save_to_disk / load_from_disk round trips both ways (tokenmill saves -> HF loads; HF saves ->
tokenmill loads), Dataset and DatasetDict, with indices mappings and rich features; to_parquet /
to_csv / to_json files read back and compared with the files HF writes."""

from __future__ import annotations

import gzip
import json

import pyarrow.parquet as pq
import pytest

from datasets_compare import known_gaps  # noqa: F401 (autouse fixture)
from datasets_compare import assert_same_dataset, assert_same_dict, hf, hf_squad, pair_from_dict, sample, small_dict, tm


def rich_features():
    return hf.Features(
        {
            "id": hf.Value("string"),
            "label": hf.ClassLabel(names=["neg", "pos", "unsup"]),
            "score": hf.Value("float32"),
            "flag": hf.Value("bool"),
            "ids": hf.List(hf.Value("uint16")),
            "answers": {"text": hf.List(hf.Value("string")), "answer_start": hf.List(hf.Value("int32"))},
        }
    )


def rich_rows(n):
    return [
        {
            "id": f"id{i}",
            "label": i % 3,
            "score": None if i % 7 == 0 else i / 8,
            "flag": i % 2 == 0,
            "ids": list(range(i % 5)),
            "answers": {"text": [], "answer_start": []} if i % 4 == 0 else {"text": [f"t{i}"], "answer_start": [i]},
        }
        for i in range(n)
    ]


def rich_pair(n=300):
    rows = rich_rows(n)
    return tm.Dataset.from_list(rows, features=rich_features()), hf.Dataset.from_list(rows, features=rich_features())


def test_tokenmill_saves_hf_loads(tmp_path):
    ours, theirs = rich_pair()
    ours.save_to_disk(str(tmp_path / "tm"))
    back = hf.load_from_disk(str(tmp_path / "tm"))
    assert back.features == theirs.features
    assert_same_dataset(back, theirs)


def test_hf_saves_tokenmill_loads(tmp_path):
    ours, theirs = rich_pair()
    theirs.save_to_disk(str(tmp_path / "hf"), max_shard_size="4KB")
    back = tm.load_from_disk(str(tmp_path / "hf"))
    assert len(back.cache_files) > 1, "several shards"
    assert_same_dataset(back, theirs)
    assert back.features["label"].names == ["neg", "pos", "unsup"]


def test_sharded_save_both_ways(tmp_path):
    ours, theirs = rich_pair(500)
    ours.save_to_disk(str(tmp_path / "tm"), num_shards=4)
    theirs.save_to_disk(str(tmp_path / "hf"), num_shards=4)
    assert sorted(p.name for p in (tmp_path / "tm").iterdir()) == sorted(p.name for p in (tmp_path / "hf").iterdir())
    assert_same_dataset(hf.load_from_disk(str(tmp_path / "tm")), hf.load_from_disk(str(tmp_path / "hf")))
    assert_same_dataset(tm.load_from_disk(str(tmp_path / "tm")), hf.load_from_disk(str(tmp_path / "hf")))
    st_tm = json.loads((tmp_path / "tm" / "state.json").read_text())
    st_hf = json.loads((tmp_path / "hf" / "state.json").read_text())
    assert len(st_tm["_data_files"]) == len(st_hf["_data_files"]) == 4


def test_indices_mapping_flattened_on_save(tmp_path):
    ours, theirs = rich_pair(100)
    ours = ours.shuffle(seed=4).select(range(60))
    theirs = theirs.shuffle(seed=4).select(range(60))
    ours.save_to_disk(str(tmp_path / "tm"))
    back = hf.load_from_disk(str(tmp_path / "tm"))
    assert back._indices is None
    assert_same_dataset(back, theirs)


def test_dataset_dict_both_ways(tmp_path):
    f = sample("tiny_aclImdb_v1.tar.gz")
    ours = tm.load_dataset("imdb", data_files=f)
    ours.save_to_disk(str(tmp_path / "tm"))
    back_hf = hf.load_from_disk(str(tmp_path / "tm"))
    assert_same_dict(ours, back_hf)
    back_hf.save_to_disk(str(tmp_path / "hf"))
    back_tm = tm.load_from_disk(str(tmp_path / "hf"))
    assert_same_dict(back_tm, back_hf)
    assert json.loads((tmp_path / "tm" / "dataset_dict.json").read_text()) == {"splits": ["train", "test", "unsupervised"]}


def test_squad_nested_round_trip(tmp_path):
    f = sample("tiny_squad.json")
    ours = tm.load_dataset("squad", data_files=f, split="train")
    ours.save_to_disk(str(tmp_path / "tm"))
    assert_same_dataset(hf.load_from_disk(str(tmp_path / "tm")), hf_squad(f))


def test_format_survives_save(tmp_path):
    ours, theirs = pair_from_dict()
    ours.with_format("numpy", columns=["id"]).save_to_disk(str(tmp_path / "tm"))
    theirs.with_format("numpy", columns=["id"]).save_to_disk(str(tmp_path / "hf"))
    assert hf.load_from_disk(str(tmp_path / "tm")).format == hf.load_from_disk(str(tmp_path / "hf")).format
    assert tm.load_from_disk(str(tmp_path / "hf")).format == hf.load_from_disk(str(tmp_path / "hf")).format


def test_load_from_disk_keep_in_memory(tmp_path):
    _, theirs = pair_from_dict()
    theirs.save_to_disk(str(tmp_path / "hf"))
    ours = tm.load_from_disk(str(tmp_path / "hf"), keep_in_memory=True)
    assert_same_dataset(ours, theirs)
    assert ours.cache_files == []


def test_dataset_dict_load_from_disk_and_save(tmp_path):
    d = tm.DatasetDict(a=tm.Dataset.from_dict(small_dict(5)), b=tm.Dataset.from_dict(small_dict(3)))
    d.save_to_disk(str(tmp_path / "dd"))
    assert_same_dict(tm.load_from_disk(str(tmp_path / "dd")), hf.load_from_disk(str(tmp_path / "dd")))
    assert_same_dict(tm.DatasetDict.load_from_disk(str(tmp_path / "dd")), hf.DatasetDict.load_from_disk(str(tmp_path / "dd")))


# ---------------------------------------------------------------- exports


def test_to_parquet(tmp_path):
    ours, theirs = rich_pair(50)
    ours.to_parquet(str(tmp_path / "tm.parquet"))
    theirs.to_parquet(str(tmp_path / "hf.parquet"))
    a, b = pq.read_table(tmp_path / "tm.parquet"), pq.read_table(tmp_path / "hf.parquet")
    assert a.schema.remove_metadata() == b.schema.remove_metadata()
    assert a.to_pylist() == b.to_pylist()
    # the HF features ride in the schema metadata: HF reads them back
    assert_same_dataset(
        hf.load_dataset("parquet", data_files=str(tmp_path / "tm.parquet"), split="train"),
        hf.load_dataset("parquet", data_files=str(tmp_path / "hf.parquet"), split="train"),
    )


@pytest.mark.parametrize("kw", [{}, {"index": False}, {"sep": "\t"}, {"header": False}])
def test_to_csv(tmp_path, kw):
    ours, theirs = pair_from_dict()
    ours.shuffle(seed=2).to_csv(str(tmp_path / "tm.csv"), **kw)
    theirs.shuffle(seed=2).to_csv(str(tmp_path / "hf.csv"), **kw)
    assert (tmp_path / "tm.csv").read_text() == (tmp_path / "hf.csv").read_text()


@pytest.mark.parametrize("kw", [{}, {"lines": True}, {"lines": False, "orient": "records"}, {"force_ascii": False}])
def test_to_json(tmp_path, kw):
    ours, theirs = rich_pair(30)
    ours.to_json(str(tmp_path / "tm.json"), **kw)
    theirs.to_json(str(tmp_path / "hf.json"), **kw)
    a, b = (tmp_path / "tm.json").read_text(), (tmp_path / "hf.json").read_text()
    if kw.get("lines", True):
        assert [json.loads(x) for x in a.splitlines()] == [json.loads(x) for x in b.splitlines()]
    else:
        assert json.loads(a) == json.loads(b)
    assert a == b, "byte-identical to HF's output"


def test_to_json_gzip(tmp_path):
    ours, theirs = pair_from_dict()
    ours.to_json(str(tmp_path / "tm.jsonl.gz"), compression="gzip")
    theirs.to_json(str(tmp_path / "hf.jsonl.gz"), compression="gzip")
    assert gzip.decompress((tmp_path / "tm.jsonl.gz").read_bytes()) == gzip.decompress((tmp_path / "hf.jsonl.gz").read_bytes())


def test_exports_read_back_by_load_dataset(tmp_path):
    ours, theirs = pair_from_dict()
    ours.to_json(str(tmp_path / "x.jsonl"))
    ours.to_csv(str(tmp_path / "x.csv"), index=False)
    for fmt, f in (("json", "x.jsonl"), ("csv", "x.csv")):
        assert_same_dataset(
            tm.load_dataset(fmt, data_files=str(tmp_path / f), split="train"),
            hf.load_dataset(fmt, data_files=str(tmp_path / f), split="train"),
            what=f"{fmt} read back",
        )


def test_multi_shard_dataset_ops_cross_shard_boundaries(tmp_path):
    d = small_dict(500)
    hf.Dataset.from_dict(d).save_to_disk(str(tmp_path / "src"), max_shard_size="4KB")
    ours, theirs = tm.load_from_disk(str(tmp_path / "src")), hf.load_from_disk(str(tmp_path / "src"))
    assert len(ours.cache_files) == len(theirs.cache_files) > 3
    assert_same_dataset(ours, theirs, what="multi-shard")
    for name, fn in {
        "select_across": lambda ds: ds.select(list(range(0, 500, 37)) + [499, 0]),
        "slice": lambda ds: ds.select(range(95, 405)),
        "shuffle": lambda ds: ds.shuffle(seed=11),
        "map_batched": lambda ds: ds.map(lambda b: {"n": [len(t) for t in b["text"]]}, batched=True, batch_size=33),
        "filter": lambda ds: ds.filter(lambda r: r["id"] % 5 == 0),
        "sort": lambda ds: ds.sort("text"),
        "shard": lambda ds: ds.shard(4, 3, contiguous=False),
    }.items():
        assert_same_dataset(fn(ours), fn(theirs), what=f"multi-shard {name}")
    assert [b["id"] for b in ours.iter(batch_size=64)] == [b["id"] for b in theirs.iter(batch_size=64)]
    assert ours[[3, 499, 250]] == theirs[[3, 499, 250]]


def test_tokenmill_max_shard_size_hf_loads(tmp_path):
    ours, theirs = rich_pair(800)
    ours.save_to_disk(str(tmp_path / "tm"), max_shard_size="8KB")
    back = hf.load_from_disk(str(tmp_path / "tm"))
    assert len(back.cache_files) > 1, "max_shard_size should split the data into several shards"
    assert_same_dataset(back, theirs)


def test_dataset_dict_num_shards_per_split(tmp_path):
    d = {"train": small_dict(60), "test": small_dict(10)}
    ours = tm.DatasetDict({k: tm.Dataset.from_dict(v) for k, v in d.items()})
    theirs = hf.DatasetDict({k: hf.Dataset.from_dict(v) for k, v in d.items()})
    ours.save_to_disk(str(tmp_path / "tm"), num_shards={"train": 3, "test": 1})
    theirs.save_to_disk(str(tmp_path / "hf"), num_shards={"train": 3, "test": 1})
    for split in d:
        assert sorted(p.name for p in (tmp_path / "tm" / split).glob("*.arrow")) == sorted(
            p.name for p in (tmp_path / "hf" / split).glob("*.arrow"))
    assert_same_dict(hf.load_from_disk(str(tmp_path / "tm")), theirs)


def test_to_parquet_shuffled_and_filtered(tmp_path):
    ours, theirs = pair_from_dict()
    ours.shuffle(seed=8).filter(lambda r: r["label"] != 1).to_parquet(str(tmp_path / "tm.parquet"))
    theirs.shuffle(seed=8).filter(lambda r: r["label"] != 1).to_parquet(str(tmp_path / "hf.parquet"))
    assert pq.read_table(tmp_path / "tm.parquet").to_pylist() == pq.read_table(tmp_path / "hf.parquet").to_pylist()


def test_split_and_info_attributes():
    f = sample("people.csv")
    ours = tm.load_dataset("csv", data_files=f, split="train")
    theirs = hf.load_dataset("csv", data_files=f, split="train")
    assert str(ours.split) == str(theirs.split) == "train"
    assert ours.info.features == ours.features
    dd_o = tm.load_dataset("csv", data_files={"train": f, "test": f})
    dd_h = hf.load_dataset("csv", data_files={"train": f, "test": f})
    assert {k: str(v.split) for k, v in dd_o.items()} == {k: str(v.split) for k, v in dd_h.items()}
