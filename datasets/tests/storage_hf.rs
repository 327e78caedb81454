//! Parity with Hugging Face datasets 5.2 on fixtures it wrote (datasets/tests/data/storage, made by
//! datasets/tests/python/gen_storage_fixtures.py): loading HF's save_to_disk output gives HF's rows
//! and features; saving them again gives HF's layout; exports equal HF's to_csv/to_json.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use serde_json::Value;
use tokenmill_datasets::dataset_dict::{load_from_disk, Saved};
use tokenmill_datasets::export::{self, Format};
use tokenmill_datasets::ordered_json::OrderedJson;
use tokenmill_datasets::{Dataset, DatasetDict, NoProgress, WriteOptions};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/storage")
}

/// A temporary directory removed when dropped.
struct TmpDir(PathBuf);

impl Drop for TmpDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tmp(name: &str) -> TmpDir {
    let d = std::env::temp_dir().join(format!("tokenmill-storage-hf-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    TmpDir(d)
}

/// Rows as JSON values (arrow-json, nulls kept), in order.
fn rows_json(ds: &Dataset) -> Vec<Value> {
    let mut out = Vec::new();
    let mut w = arrow_json::WriterBuilder::new()
        .with_explicit_nulls(true)
        .build::<_, arrow_json::writer::LineDelimited>(&mut out);
    for b in ds.batches(97) {
        w.write(&b.unwrap()).unwrap();
    }
    w.finish().unwrap();
    drop(w);
    String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn expected_rows(file: &str) -> Vec<Value> {
    std::fs::read_to_string(fixtures().join(file)).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn loads_hf_dataset_dict_with_hf_rows_and_features() {
    let dd = DatasetDict::load_from_disk(fixtures().join("hf_saved")).unwrap();
    assert_eq!(dd.names().collect::<Vec<_>>(), ["train", "test"]);
    let train = dd.get("train").unwrap();
    assert_eq!(train.shards().len(), 3);
    assert_eq!(train.split(), Some("train"));
    assert_eq!(train.num_rows(), 1200);
    assert_eq!(rows_json(train), expected_rows("rows_train.jsonl"));
    assert_eq!(rows_json(dd.get("test").unwrap()), expected_rows("rows_test.jsonl"));
    let hf_features = std::fs::read_to_string(fixtures().join("features.json")).unwrap();
    assert_eq!(train.features().unwrap().to_json().to_python_json(), hf_features);
    // the fingerprint is HF's
    let state =
        OrderedJson::parse(&std::fs::read_to_string(fixtures().join("hf_saved/train/state.json")).unwrap()).unwrap();
    assert_eq!(Some(train.fingerprint()), state.get("_fingerprint").and_then(|f| f.as_str()));
}

#[test]
fn loads_hf_shuffled_dataset() {
    let Saved::Dataset(ds) = load_from_disk(fixtures().join("hf_shuffled")).unwrap() else { panic!("not a Dataset") };
    assert_eq!(rows_json(&ds), expected_rows("rows_shuffled.jsonl"));
}

#[test]
fn resaving_keeps_rows_features_and_layout() {
    let src = Dataset::open(fixtures().join("hf_saved/train")).unwrap();
    let guard = tmp("resave");
    let out = &guard.0;
    let opts = WriteOptions { max_shard_bytes: 60_000, ..Default::default() };
    src.save_to_disk(out, &opts, &NoProgress).unwrap();
    let back = Dataset::open(out).unwrap();
    assert!(back.shards().len() >= 2);
    assert_eq!(rows_json(&back), expected_rows("rows_train.jsonl"));
    // dataset_info.json equals HF's byte for byte (same keys, order, indentation)
    let ours = std::fs::read_to_string(out.join("dataset_info.json")).unwrap();
    let hf = std::fs::read_to_string(fixtures().join("hf_saved/train/dataset_info.json")).unwrap();
    assert_eq!(ours, hf);
    // state.json: HF's keys, our shard names, the dataset's fingerprint and split
    let state = std::fs::read_to_string(out.join("state.json")).unwrap();
    let hf_state = std::fs::read_to_string(fixtures().join("hf_saved/train/state.json")).unwrap();
    let st = OrderedJson::parse(&state).unwrap();
    assert_eq!(st.get("_fingerprint").and_then(|f| f.as_str()), Some(src.fingerprint()));
    assert_eq!(st.get("_split").and_then(|f| f.as_str()), Some("train"));
    let keys = |j: &OrderedJson| match j {
        OrderedJson::Object(e) => e.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(),
        _ => vec![],
    };
    assert_eq!(keys(&st), keys(&OrderedJson::parse(&hf_state).unwrap()));
    let files = st.get("_data_files").unwrap().to_python_json();
    let n = back.shards().len();
    assert!((2..=4).contains(&n), "{files}");
    assert!(files.starts_with(&format!(r#"[{{"filename": "data-00000-of-{n:05}.arrow"}}"#)), "{files}");
}

fn mixed() -> Dataset {
    let schema = Arc::new(Schema::new(vec![
        Field::new("i", DataType::Int64, true),
        Field::new("f", DataType::Float64, true),
        Field::new("s", DataType::Utf8, true),
        Field::new("b", DataType::Boolean, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from(vec![Some(1), None, Some(3)])),
            Arc::new(Float64Array::from(vec![Some(1.0), Some(2.5), None])),
            Arc::new(StringArray::from(vec!["a,b", "q\"x\ny", "é/ü"])),
            Arc::new(BooleanArray::from(vec![Some(true), Some(false), None])),
        ],
    )
    .unwrap();
    Dataset::from_batches(schema, vec![batch]).unwrap()
}

#[test]
fn csv_export_equals_hf_to_csv() {
    let guard = tmp("csv");
    let out = guard.0.join("mixed.csv");
    assert_eq!(export::export(&mixed(), Format::Csv, &out, &NoProgress).unwrap(), 3);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        std::fs::read_to_string(fixtures().join("export_mixed.csv")).unwrap()
    );
}

#[test]
fn jsonl_export_equals_hf_to_json() {
    let guard = tmp("jsonl");
    let out = guard.0.join("mixed.jsonl");
    export::export(&mixed(), Format::JsonLines, &out, &NoProgress).unwrap();
    let ours: Vec<Value> =
        std::fs::read_to_string(&out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(ours, expected_rows("export_mixed.jsonl"));
}

#[test]
fn parquet_export_round_trips() {
    let src = Dataset::open(fixtures().join("hf_saved/test")).unwrap();
    let guard = tmp("pq");
    let out = guard.0.join("test.parquet");
    export::export(&src, Format::Parquet, &out, &NoProgress).unwrap();
    let file = std::fs::File::open(&out).unwrap();
    let builder = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let schema = builder.schema().clone();
    let batches: Vec<RecordBatch> = builder.build().unwrap().map(|b| b.unwrap()).collect();
    let back = Dataset::from_batches(schema, batches).unwrap();
    assert_eq!(rows_json(&back), expected_rows("rows_test.jsonl"));
    // the HF features (ClassLabel) travel in the schema metadata
    assert_eq!(back.features().unwrap(), src.features().unwrap());
    // nested columns have no CSV form
    assert!(matches!(
        export::export(&src, Format::Csv, guard.0.join("x.csv"), &NoProgress),
        Err(tokenmill_datasets::Error::WrongType { .. })
    ));
    assert!(!guard.0.join("x.csv").exists());
}
