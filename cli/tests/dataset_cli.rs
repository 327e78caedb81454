//! `tokenmill dataset load / info / export` end to end on the shipped samples, and their errors
//! (one line, exit 1).

mod common;

use std::path::{Path, PathBuf};

use common::{fails, ok};

fn sample(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/samples/datasets").join(name).to_string_lossy().into_owned()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tm-dscli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn load_info_export_round_trip() {
    let d = tmp("round");
    let out = d.join("ds");
    let o = out.to_str().unwrap();
    let train = format!("train={}", sample("records.jsonl"));
    let test = format!("test={}", sample("records.jsonl.gz"));
    let said = ok(&["dataset", "load", "json", &train, &test, "--out", o]);
    assert_eq!(said.lines().count(), 2, "{said}");
    assert!(said.starts_with("train: 3 rows"), "{said}");
    assert!(out.join("dataset_dict.json").is_file() && out.join("test/dataset_info.json").is_file());

    let info = ok(&["dataset", "info", o, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&info).unwrap();
    assert_eq!(v["splits"][1]["split"], "test");
    assert_eq!(v["splits"][0]["rows"], 3);
    assert_eq!(v["splits"][0]["columns"][0]["name"], "id");

    let jsonl = d.join("test.jsonl");
    let said = ok(&["dataset", "export", o, "--split", "test", "--to", "jsonl", "--out", jsonl.to_str().unwrap()]);
    assert!(said.starts_with("3 rows"), "{said}");
    let text = std::fs::read_to_string(&jsonl).unwrap();
    assert_eq!(text.lines().count(), 3);
    assert!(text.lines().next().unwrap().contains("\"tags\":[\"a\",\"b\"]"), "{text}");

    // The exported file loads back to the same rows.
    let again = d.join("again");
    let said = ok(&["dataset", "load", "json", jsonl.to_str().unwrap(), "--out", again.to_str().unwrap()]);
    assert!(said.starts_with("train: 3 rows, 1 shards, columns: id, text, tags, meta, extra"), "{said}");
}

#[test]
fn split_slicing_formats_and_options() {
    let d = tmp("opts");
    let imdb = d.join("imdb");
    let said = ok(&[
        "dataset",
        "load",
        "imdb",
        &sample("tiny_aclImdb_v1.tar.gz"),
        "--out",
        imdb.to_str().unwrap(),
        "--split",
        "train[-2:]",
    ]);
    assert!(said.starts_with("train[-2:]: 2 rows"), "{said}");
    let info = ok(&["dataset", "info", imdb.to_str().unwrap()]);
    assert!(info.contains("label: Int64") && info.contains("ClassLabel"), "{info}");

    let tsv = d.join("tsv");
    let said = ok(&[
        "dataset",
        "load",
        "csv",
        &sample("people.tsv"),
        "--delimiter",
        "\\t",
        "--columns",
        "text",
        "--out",
        tsv.to_str().unwrap(),
    ]);
    assert!(said.contains("columns: text") && said.starts_with("train: 3 rows"), "{said}");

    let txt = d.join("txt");
    let said = ok(&[
        "dataset",
        "load",
        "auto",
        &sample("lines.txt"),
        "--sample-by",
        "paragraph",
        "--out",
        txt.to_str().unwrap(),
    ]);
    assert!(said.starts_with("train: 3 rows"), "{said}");

    let squad = d.join("squad");
    ok(&["dataset", "load", "squad", &sample("tiny_squad.json"), "--out", squad.to_str().unwrap()]);
    let pq = d.join("squad.parquet");
    ok(&["dataset", "export", squad.to_str().unwrap(), "--to", "parquet", "--out", pq.to_str().unwrap()]);
    let back = d.join("back");
    let said = ok(&["dataset", "load", "parquet", pq.to_str().unwrap(), "--out", back.to_str().unwrap()]);
    assert!(said.starts_with("train: 2 rows") && said.contains("answers"), "{said}");
}

#[test]
fn errors_are_one_line() {
    let d = tmp("errors");
    let out = d.join("x");
    let o = out.to_str().unwrap();
    let bad = d.join("bad.csv");
    std::fs::write(&bad, "a,b\n1,2\n3,4,5\n").unwrap();
    let err = fails(&["dataset", "load", "csv", bad.to_str().unwrap(), "--out", o]);
    assert!(err.contains("bad.csv") && err.contains("line 3"), "{err}");
    let err = fails(&["dataset", "load", "json", &d.join("*.jsonl").to_string_lossy(), "--out", o]);
    assert!(err.contains("no file matches"), "{err}");
    let err = fails(&["dataset", "load", "xml", &sample("lines.txt"), "--out", o]);
    assert!(err.contains("unknown format"), "{err}");
    let err = fails(&["dataset", "info", d.to_str().unwrap()]);
    assert!(err.contains("neither a saved Dataset"), "{err}");
    let err =
        fails(&["dataset", "load", "imdb", &sample("tiny_aclImdb_v1.tar.gz"), "--split", "validation", "--out", o]);
    assert!(err.contains("validation"), "{err}");
    let trunc = d.join("trunc.parquet");
    let bytes = std::fs::read(sample("table.parquet")).unwrap();
    std::fs::write(&trunc, &bytes[..bytes.len() / 2]).unwrap();
    let err = fails(&["dataset", "load", "parquet", trunc.to_str().unwrap(), "--out", o]);
    assert!(err.contains("trunc.parquet"), "{err}");
    assert!(!out.exists(), "a failed load leaves nothing behind");
}

#[test]
fn the_cache_is_reported_and_cleared() {
    let d = tmp("cache");
    let cache = d.join("cache");
    let run = |args: &[&str]| {
        let out = common::bin().args(args).env("TOKENMILL_CACHE", &cache).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
    };
    let (said, _) = run(&["dataset", "cache"]);
    assert!(said.contains(": 0 cached datasets, 0 B"), "{said}");
    // A slice keeps its whole split in the cache, and says so.
    let out = d.join("half");
    let imdb = sample("tiny_aclImdb_v1.tar.gz");
    let (_, err) = run(&["dataset", "load", "imdb", &imdb, "--split", "test[:50%]", "--out", out.to_str().unwrap()]);
    assert!(err.contains("datasets cache") && err.contains("--clear"), "{err}");
    let (said, _) = run(&["dataset", "cache"]);
    assert!(said.contains(": 1 cached datasets") && !said.contains(" 0 B"), "{said}");
    let (said, _) = run(&["dataset", "cache", "--clear"]);
    assert!(said.contains("removed 1 entries"), "{said}");
    let (said, _) = run(&["dataset", "cache"]);
    assert!(said.contains(": 0 cached datasets, 0 B"), "{said}");
    // The sliced output does not depend on the cache.
    let info = ok(&["dataset", "info", out.to_str().unwrap()]);
    assert!(info.contains("rows"), "{info}");
}
