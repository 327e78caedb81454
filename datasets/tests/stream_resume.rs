//! Streaming end to end: ops in call order, exact resume from a serialised state at every batch,
//! seeded shuffles that are permutations and repeat.

use std::path::PathBuf;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{BooleanArray, RecordBatch};
use tokenmill_datasets::load::{Format, LoadOptions};
use tokenmill_datasets::stream::{IterableDataset, StreamState};

/// Three JSON Lines files of 0..50, 50..120, 120..130 (`n`, and `s` = "row n").
/// Written once: tests run in parallel and must not rewrite files another test is reading.
fn files() -> Vec<PathBuf> {
    static FILES: std::sync::OnceLock<Vec<PathBuf>> = std::sync::OnceLock::new();
    FILES.get_or_init(write_files).clone()
}

fn write_files() -> Vec<PathBuf> {
    let d = std::env::temp_dir().join(format!("tm-stream-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let mut out = Vec::new();
    for (i, (a, b)) in [(0, 50), (50, 120), (120, 130)].into_iter().enumerate() {
        let p = d.join(format!("part{i}.jsonl"));
        let body: String = (a..b).map(|n| format!("{{\"n\": {n}, \"s\": \"row {n}\"}}\n")).collect();
        std::fs::write(&p, body).unwrap();
        out.push(p);
    }
    out
}

fn ns(batches: &[RecordBatch]) -> Vec<i64> {
    batches.iter().flat_map(|b| b.column(0).as_primitive::<Int64Type>().values().to_vec()).collect()
}

fn base() -> IterableDataset {
    let opts = LoadOptions { batch_rows: 7, ..Default::default() };
    IterableDataset::from_files(Format::Json, files(), opts).unwrap()
}

fn pipeline() -> IterableDataset {
    base()
        .filter(|b| {
            Ok(BooleanArray::from_iter(b.column(0).as_primitive::<Int64Type>().iter().map(|v| v.map(|v| v % 3 != 0))))
        })
        .skip(5)
        .map(|b| {
            let doubled: arrow_array::Int64Array = b.column(0).as_primitive::<Int64Type>().unary(|v| v * 2);
            Ok(RecordBatch::try_new(b.schema(), vec![std::sync::Arc::new(doubled), b.column(1).clone()])?)
        })
        .take(60)
        .batch(4)
}

#[test]
fn ops_apply_in_call_order() {
    let got = ns(&pipeline().iter().collect::<Result<Vec<_>, _>>().unwrap());
    let want: Vec<i64> = (0..130).filter(|n| n % 3 != 0).skip(5).map(|n| n * 2).take(60).collect();
    assert_eq!(got, want);
    let sizes: Vec<usize> = pipeline().iter().map(|b| b.unwrap().num_rows()).collect();
    assert!(sizes.iter().all(|&s| s == 4), "{sizes:?}");
    assert!(pipeline().schema().is_none(), "a map hides the schema, as HF's features");
}

#[test]
fn resume_from_every_batch_gives_the_same_rows() {
    let ds = pipeline();
    let full = ns(&ds.iter().collect::<Result<Vec<_>, _>>().unwrap());
    for k in 0..=full.len() / 4 {
        let mut it = ds.iter();
        let mut head = Vec::new();
        for _ in 0..k {
            head.push(it.next().unwrap().unwrap());
        }
        let text = serde_json::to_string(&it.state()).unwrap();
        let state: StreamState = serde_json::from_str(&text).unwrap();
        let tail: Vec<RecordBatch> = ds.iter_from(&state).collect::<Result<_, _>>().unwrap();
        let mut got = ns(&head);
        got.extend(ns(&tail));
        assert_eq!(got, full, "resumed after {k} batches from {text}");
    }
}

#[test]
fn shuffle_is_a_seeded_permutation() {
    let run = |seed| ns(&base().shuffle(seed, 16).iter().collect::<Result<Vec<_>, _>>().unwrap());
    let a = run(1);
    assert_eq!(a, run(1));
    assert_ne!(a, run(2));
    assert_ne!(a, (0..130).collect::<Vec<_>>());
    let mut sorted = a.clone();
    sorted.sort();
    assert_eq!(sorted, (0..130).collect::<Vec<_>>());
    // Resuming a shuffled stream continues with rows not yet returned (the buffer is lost, as HF).
    let ds = base().shuffle(3, 16).batch(10);
    let mut it = ds.iter();
    let first: Vec<i64> = ns(&[it.next().unwrap().unwrap()]);
    let rest = ns(&ds.iter_from(&it.state()).collect::<Result<Vec<_>, _>>().unwrap());
    assert!(rest.iter().all(|n| !first.contains(n)));
}

#[test]
fn errors_surface_once_and_stop() {
    let d = std::env::temp_dir().join(format!("tm-stream-bad-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let good = d.join("a.jsonl");
    let bad = d.join("b.jsonl");
    std::fs::write(&good, "{\"n\": 1}\n").unwrap();
    std::fs::write(&bad, "{\"n\": 2}\n{\"n\": tru}\n").unwrap();
    let ds = IterableDataset::from_files(Format::Json, vec![good, bad.clone()], LoadOptions::default()).unwrap();
    let items: Vec<_> = ds.iter().collect();
    assert!(items[0].is_ok());
    let err = items.iter().find_map(|r| r.as_ref().err()).expect("an error").to_string();
    assert!(err.contains(bad.to_str().unwrap()) && err.contains("line 2"), "{err}");
    assert!(items.last().unwrap().is_err(), "nothing after the error");
}

#[test]
fn saved_dataset_streams_and_resumes_by_seeking() {
    let batches: Vec<RecordBatch> = base().iter().collect::<Result<_, _>>().unwrap();
    let schema = batches[0].schema();
    let ds = tokenmill_datasets::Dataset::from_batches(schema, batches).unwrap();
    let it = IterableDataset::from_dataset(&ds, 16).skip(3).batch(10);
    let full = ns(&it.iter().collect::<Result<Vec<_>, _>>().unwrap());
    assert_eq!(full, (3..130).collect::<Vec<_>>());
    let mut run = it.iter();
    run.next().unwrap().unwrap();
    run.next().unwrap().unwrap();
    let rest = ns(&it.iter_from(&run.state()).collect::<Result<Vec<_>, _>>().unwrap());
    assert_eq!(rest, (23..130).collect::<Vec<_>>());
}
