//! Every loader on the shipped samples (data/samples/datasets) against what HF datasets 5.2 makes of
//! the same files (tests/fixtures/hf_loaders.json, written by tests/fixtures/make_load_fixtures.py):
//! same features, same rows in the same order. Goes through `load_dataset`, so the shards, features
//! and state written by the storage layer are checked too.

use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use serde_json::Value;
use tokenmill_datasets::dataset::Dataset;
use tokenmill_datasets::load::{load_dataset, DataFiles, Format, LoadOptions, SampleBy};
use tokenmill_datasets::NoProgress;

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/samples/datasets")
}

fn expected() -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hf_loaders.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn out_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("tm-parity-{}-{name}", std::process::id()))
}

/// Rows as JSON objects (nulls explicit), numbers as f64 so 1 and 1.0 compare equal (HF's
/// `to_list` and arrow-json print floats differently).
fn rows_json(batches: &[RecordBatch]) -> Vec<Value> {
    let mut buf = Vec::new();
    {
        let mut w = arrow_json::WriterBuilder::new()
            .with_explicit_nulls(true)
            .build::<_, arrow_json::writer::JsonArray>(&mut buf);
        for b in batches {
            w.write(b).unwrap();
        }
        w.finish().unwrap();
    }
    if buf.is_empty() {
        return Vec::new();
    }
    let v: Value = serde_json::from_slice(&buf).unwrap();
    v.as_array().unwrap().iter().map(norm).collect()
}

fn norm(v: &Value) -> Value {
    match v {
        Value::Number(n) => serde_json::json!(n.as_f64().unwrap()),
        Value::Array(a) => Value::Array(a.iter().map(norm).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), norm(v))).collect()),
        other => other.clone(),
    }
}

fn all_batches(ds: &Dataset) -> Vec<RecordBatch> {
    ds.batches(1000).collect::<Result<_, _>>().unwrap()
}

fn check(case: &str, format: Format, file: &str, opts: LoadOptions) {
    let want = &expected()[case];
    let files = DataFiles::one(samples().join(file).to_string_lossy());
    let dict = load_dataset(Some(format), &files, &opts, Some(&out_dir(case)), &NoProgress).unwrap();
    let ds = dict.split("train").unwrap();
    let features: Value = serde_json::from_str(&ds.features().unwrap().to_json().to_pretty()).unwrap();
    if let Some(f) = want.get("features") {
        assert_eq!(&features, f, "{case}: features");
    }
    let got = rows_json(&all_batches(ds));
    let want_rows: Vec<Value> = want["rows"].as_array().unwrap().iter().map(norm).collect();
    assert_eq!(got, want_rows, "{case}: rows");
}

#[test]
fn csv_and_tsv_as_hf() {
    check("csv", Format::Csv, "people.csv", LoadOptions::default());
    check("tsv", Format::Tsv, "people.tsv", LoadOptions::default());
}

#[test]
fn json_lines_documents_and_gzip_as_hf() {
    check("jsonl", Format::Json, "records.jsonl", LoadOptions::default());
    check("jsonl_gz", Format::Json, "records.jsonl.gz", LoadOptions::default());
    check(
        "json_field",
        Format::Json,
        "document.json",
        LoadOptions { field: Some("data".into()), ..Default::default() },
    );
}

#[test]
fn text_modes_as_hf() {
    check("text_line", Format::Text, "lines.txt", LoadOptions::default());
    check("text_line_keep", Format::Text, "lines.txt", LoadOptions { keep_linebreaks: true, ..Default::default() });
    let by = |s| LoadOptions { sample_by: s, ..Default::default() };
    check("text_paragraph", Format::Text, "lines.txt", by(SampleBy::Paragraph));
    check("text_document", Format::Text, "lines.txt", by(SampleBy::Document));
}

#[test]
fn parquet_as_hf() {
    check("parquet", Format::Parquet, "table.parquet", LoadOptions { batch_rows: 2, ..Default::default() });
}

#[test]
fn squad_as_hf_script() {
    check("squad", Format::Squad, "tiny_squad.json", LoadOptions::default());
}

#[test]
fn imdb_splits_as_hf_script() {
    let files = DataFiles::one(samples().join("tiny_aclImdb_v1.tar.gz").to_string_lossy());
    let dict =
        load_dataset(Some(Format::Imdb), &files, &LoadOptions::default(), Some(&out_dir("imdb")), &NoProgress).unwrap();
    assert_eq!(dict.names().collect::<Vec<_>>(), ["train", "test", "unsupervised"]);
    for (name, ds) in dict.iter() {
        let want: Vec<Value> = expected()["imdb"][name]["rows"].as_array().unwrap().iter().map(norm).collect();
        assert_eq!(rows_json(&all_batches(ds)), want, "imdb {name}");
        let features: Value = serde_json::from_str(&ds.features().unwrap().to_json().to_pretty()).unwrap();
        assert_eq!(features["label"]["names"], serde_json::json!(["neg", "pos"]), "ClassLabel kept");
    }
}

#[test]
fn arrow_ipc_round_trip_of_a_saved_shard() {
    // A shard written by load_dataset is an IPC stream: reading it back as `arrow` gives the rows.
    let files = DataFiles::one(samples().join("records.jsonl").to_string_lossy());
    let out = out_dir("ipc");
    load_dataset(Some(Format::Json), &files, &LoadOptions::default(), Some(&out), &NoProgress).unwrap();
    let shard = out.join("train/data-00000-of-00001.arrow");
    let again = DataFiles::one(shard.to_string_lossy());
    let dict = load_dataset(Some(Format::Arrow), &again, &LoadOptions::default(), Some(&out_dir("ipc2")), &NoProgress)
        .unwrap();
    let want: Vec<Value> = expected()["jsonl"]["rows"].as_array().unwrap().iter().map(norm).collect();
    assert_eq!(rows_json(&all_batches(dict.split("train").unwrap())), want);
}
