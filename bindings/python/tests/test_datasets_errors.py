"""Bad input: unknown columns raise the exception type HF raises (so `except` clauses written for HF
keep working) with the column's name in the message; missing files raise FileNotFoundError; a
malformed JSON line / CSV row raises an exception naming the file and the line."""

from __future__ import annotations

import re

import pytest

from datasets_compare import known_gaps  # noqa: F401 (autouse fixture)
from datasets_compare import assert_same_dataset, hf, needs_tokenmill, pair_from_dict, sample, tm

BAD_COLUMN = {
    "getitem": lambda ds: ds["nope"],
    "remove_columns": lambda ds: ds.remove_columns("nope"),
    "remove_columns_list": lambda ds: ds.remove_columns(["text", "nope"]),
    "rename_column": lambda ds: ds.rename_column("nope", "x"),
    "rename_columns": lambda ds: ds.rename_columns({"nope": "x"}),
    "rename_to_existing": lambda ds: ds.rename_column("text", "label"),
    "select_columns": lambda ds: ds.select_columns(["nope"]),
    "sort": lambda ds: ds.sort("nope"),
    "unique": lambda ds: ds.unique("nope"),
    "cast_column": lambda ds: ds.cast_column("nope", hf.Value("int32")),
    "map_input_columns": lambda ds: ds.map(lambda r: r, input_columns="nope"),
    "map_remove_columns": lambda ds: ds.map(lambda r: r, remove_columns=["nope"]),
    "filter_input_columns": lambda ds: ds.filter(lambda r: True, input_columns=["nope"]),
    "add_column_exists": lambda ds: ds.add_column("text", ["x"] * len(ds)),
    "class_encode": lambda ds: ds.class_encode_column("nope"),
    "train_test_split_stratify": lambda ds: ds.train_test_split(test_size=0.5, stratify_by_column="nope"),
}


@pytest.mark.parametrize("name", list(BAD_COLUMN))
def test_bad_column(name):
    ours, theirs = pair_from_dict()
    with pytest.raises(Exception) as hf_exc:
        BAD_COLUMN[name](theirs)
    with pytest.raises(Exception) as our_exc:
        BAD_COLUMN[name](ours)
    assert isinstance(our_exc.value, type(hf_exc.value)), (
        f"{name}: tokenmill raised {type(our_exc.value).__name__}({our_exc.value}), HF raises {type(hf_exc.value).__name__}"
    )
    col = "label" if name == "rename_to_existing" else ("text" if name == "add_column_exists" else "nope")
    assert col in str(our_exc.value), f"{name}: the message should name {col!r}: {our_exc.value}"


def test_bad_column_keyerror_or_valueerror():
    ours, _ = pair_from_dict()
    with pytest.raises((KeyError, ValueError), match="nope"):
        ours["nope"]


def test_index_out_of_range():
    ours, theirs = pair_from_dict()
    with pytest.raises(IndexError):
        theirs[1000]
    with pytest.raises(IndexError):
        ours[1000]
    with pytest.raises(IndexError):
        theirs.select([1000])
    with pytest.raises(IndexError):
        ours.select([1000])


@pytest.mark.parametrize("fmt", ["csv", "json", "text", "parquet"])
def test_missing_file(tmp_path, fmt):
    missing = str(tmp_path / f"absent.{fmt}")
    with pytest.raises(FileNotFoundError):
        hf.load_dataset(fmt, data_files=missing, split="train")
    with pytest.raises(FileNotFoundError, match="absent"):
        tm.load_dataset(fmt, data_files=missing, split="train")


def test_missing_dir_load_from_disk(tmp_path):
    with pytest.raises(FileNotFoundError):
        hf.load_from_disk(str(tmp_path / "nothing"))
    with pytest.raises(FileNotFoundError, match="nothing"):
        tm.load_from_disk(str(tmp_path / "nothing"))


def test_missing_imdb_and_squad(tmp_path):
    with pytest.raises(FileNotFoundError):
        tm.load_dataset("imdb", data_files=str(tmp_path / "aclImdb_v1.tar.gz"))
    with pytest.raises(FileNotFoundError):
        tm.load_dataset("squad", data_files=str(tmp_path / "dev.json"), split="train")


def _message(exc):
    """The exception's message plus its causes' (HF chains the parser error)."""
    parts = []
    e = exc
    while e is not None:
        parts.append(str(e))
        e = e.__cause__ or e.__context__
    return "\n".join(parts)


@needs_tokenmill("HF names the file only in its log")
def test_malformed_json_line_names_file_and_line(tmp_path):
    f = tmp_path / "broken.jsonl"
    f.write_text('{"a": 1}\n{"a": 2}\n{"a": 3,,}\n{"a": 4}\n')
    with pytest.raises(Exception) as exc:
        tm.load_dataset("json", data_files=str(f), split="train")
    msg = _message(exc.value)
    assert "broken.jsonl" in msg, msg
    assert re.search(r"line\D{0,3}3\b|:3\b", msg), f"the message should name line 3: {msg}"


@needs_tokenmill("HF names the file only in its log")
def test_malformed_csv_row_names_file_and_line(tmp_path):
    f = tmp_path / "broken.csv"
    f.write_text("a,b\n1,2\n3,4,5\n6,7\n")
    with pytest.raises(Exception) as hf_exc:
        hf.load_dataset("csv", data_files=str(f), split="train")
    assert "line 3" in _message(hf_exc.value)
    with pytest.raises(Exception) as exc:
        tm.load_dataset("csv", data_files=str(f), split="train")
    msg = _message(exc.value)
    assert "broken.csv" in msg, msg
    assert re.search(r"line\D{0,3}3\b|:3\b", msg), f"the message should name line 3: {msg}"


def test_bad_split_name():
    f = sample("people.csv")
    with pytest.raises(ValueError):
        hf.load_dataset("csv", data_files=f, split="validation")
    with pytest.raises(ValueError, match="validation"):
        tm.load_dataset("csv", data_files=f, split="validation")


def test_add_column_wrong_length():
    ours, theirs = pair_from_dict()
    with pytest.raises(Exception) as h:
        theirs.add_column("x", [1, 2])
    with pytest.raises(Exception) as o:
        ours.add_column("x", [1, 2])
    assert isinstance(o.value, type(h.value)) or isinstance(o.value, ValueError), (type(o.value), type(h.value))


def test_concatenate_different_columns_like_hf():
    # HF 5.2 does not raise: it aligns the columns and fills the missing ones with nulls
    a, ha = pair_from_dict({"x": [1, 2]})
    b, hb = pair_from_dict({"y": ["a"]})
    assert_same_dataset(tm.concatenate_datasets([a, b]), hf.concatenate_datasets([ha, hb]))


def test_concatenate_incompatible_types():
    a, ha = pair_from_dict({"x": [1, 2]})
    b, hb = pair_from_dict({"x": [[1], [2]]})
    with pytest.raises(Exception) as h:
        hf.concatenate_datasets([ha, hb])
    with pytest.raises(Exception) as o:
        tm.concatenate_datasets([a, b])
    assert isinstance(o.value, type(h.value)), (type(o.value), type(h.value))


def test_streaming_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        hf.load_dataset("json", data_files=str(tmp_path / "absent.jsonl"), split="train", streaming=True)
    with pytest.raises(FileNotFoundError):
        tm.load_dataset("json", data_files=str(tmp_path / "absent.jsonl"), split="train", streaming=True)


@needs_tokenmill("HF names the file only in its log")
def test_streaming_malformed_json_names_file_and_line(tmp_path):
    f = tmp_path / "broken.jsonl"
    f.write_text('{"a": 1}\n{"a": 2}\n{"a": 3,,}\n')
    with pytest.raises(Exception) as exc:
        list(tm.load_dataset("json", data_files=str(f), split="train", streaming=True))
    msg = _message(exc.value)
    assert "broken.jsonl" in msg and re.search(r"line\D{0,3}3\b|:3\b", msg), msg


@needs_tokenmill("tokenize/pack are tokenmill-only")
def test_tokenize_and_pack_bad_arguments():
    import tokenmill.tiktoken as tt

    enc = tt.get_encoding("cl100k_base")
    ds = tm.Dataset.from_dict({"text": ["a b"], "n": [1]})
    with pytest.raises(TypeError):
        ds.tokenize(object())
    with pytest.raises((ValueError, KeyError), match="nope"):
        ds.tokenize(enc).pack(4, column="nope")
    with pytest.raises((ValueError, TypeError), match="n"):
        ds.pack(4, column="n")  # not a list-of-ids column


def test_load_unknown_split_in_data_files_dict():
    files = {"train": sample("records.jsonl")}
    with pytest.raises(ValueError):
        hf.load_dataset("json", data_files=files, split="test")
    with pytest.raises(ValueError, match="test"):
        tm.load_dataset("json", data_files=files, split="test")


def test_streaming_load_is_lazy(tmp_path):
    # HF reads nothing until iteration: a broken file only fails when iterated
    f = tmp_path / "broken.jsonl"
    f.write_text('{"a": 1}\n{"a": 2,,}\n')
    it_hf = hf.load_dataset("json", data_files=str(f), split="train", streaming=True)
    it_tm = tm.load_dataset("json", data_files=str(f), split="train", streaming=True)
    with pytest.raises(Exception):
        list(it_hf)
    with pytest.raises(Exception):
        list(it_tm)
