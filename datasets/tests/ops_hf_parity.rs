//! Parity of the index ops with HF `datasets` 5.2: the same seed gives the same rows in the same
//! order. Expected outputs: tests/fixtures/ops_hf.json, made by gen_ops_fixtures.py with HF.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use serde_json::Value;
use tokenmill_datasets::ops::combine::{interleave, Stopping};
use tokenmill_datasets::ops::split::{train_test_split, Size, SplitOptions};
use tokenmill_datasets::ops::{shuffle, sort, unique};
use tokenmill_datasets::Dataset;

fn fixtures() -> Value {
    let text = include_str!("fixtures/ops_hf.json");
    serde_json::from_str(text).expect("fixture JSON")
}

fn ds_with(cols: Vec<(&str, ArrayRef)>) -> Dataset {
    let batch = RecordBatch::try_from_iter(cols).unwrap();
    Dataset::from_batches(batch.schema(), vec![batch]).unwrap()
}

fn range_ds(start: i64, n: usize) -> Dataset {
    ds_with(vec![("i", Arc::new(Int64Array::from_iter_values(start..start + n as i64)) as ArrayRef)])
}

fn ids(ds: &Dataset) -> Vec<i64> {
    ds.column("i").unwrap().as_primitive::<Int64Type>().values().to_vec()
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect()
}

fn size(v: &Value) -> Option<Size> {
    match v {
        Value::Null => None,
        Value::Number(n) if n.is_u64() => Some(Size::Count(n.as_u64().unwrap() as usize)),
        Value::Number(n) => Some(Size::Fraction(n.as_f64().unwrap())),
        _ => panic!("size {v}"),
    }
}

#[test]
fn shuffle_matches_hf() {
    for case in fixtures()["shuffle"].as_array().unwrap() {
        let n = case["n"].as_u64().unwrap() as usize;
        let seed = case["seed"].as_u64().unwrap();
        let out = shuffle::shuffle(&range_ds(0, n), seed).unwrap();
        assert_eq!(ids(&out), ints(&case["i"]), "n={n} seed={seed}");
    }
}

#[test]
fn train_test_split_matches_hf() {
    for case in fixtures()["split"].as_array().unwrap() {
        let n = case["n"].as_u64().unwrap() as usize;
        let opts = SplitOptions {
            test_size: size(&case["test_size"]),
            train_size: size(&case["train_size"]),
            seed: case["seed"].as_u64().unwrap(),
            ..Default::default()
        };
        let s = train_test_split(&range_ds(0, n), &opts).unwrap();
        assert_eq!(ids(&s.train), ints(&case["train"]), "{case}");
        assert_eq!(ids(&s.test), ints(&case["test"]), "{case}");
    }
}

#[test]
fn stratified_split_matches_hf() {
    for case in fixtures()["stratified"].as_array().unwrap() {
        let labels = ints(&case["labels"]);
        let n = labels.len();
        let ds = ds_with(vec![
            ("i", Arc::new(Int64Array::from_iter_values(0..n as i64)) as ArrayRef),
            ("label", Arc::new(Int64Array::from(labels.clone())) as ArrayRef),
        ]);
        let opts = SplitOptions {
            test_size: size(&case["test_size"]),
            seed: case["seed"].as_u64().unwrap(),
            stratify_by_column: Some("label".into()),
            ..Default::default()
        };
        let s = train_test_split(&ds, &opts).unwrap();
        assert_eq!(ids(&s.train), ints(&case["train"]), "seed {}", case["seed"]);
        assert_eq!(ids(&s.test), ints(&case["test"]), "seed {}", case["seed"]);
    }
}

#[test]
fn interleave_with_probabilities_matches_hf() {
    for case in fixtures()["interleave"].as_array().unwrap() {
        let lengths = ints(&case["lengths"]);
        let mut parts = Vec::new();
        let mut base = 0;
        for &l in &lengths {
            parts.push(range_ds(base, l as usize));
            base += l;
        }
        let p: Vec<f64> = case["probabilities"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
        let stopping = match case["stopping"].as_str().unwrap() {
            "first_exhausted" => Stopping::FirstExhausted,
            "all_exhausted" => Stopping::AllExhausted,
            _ => Stopping::AllExhaustedWithoutReplacement,
        };
        let out = interleave(&parts, Some(&p), case["seed"].as_u64().unwrap(), stopping).unwrap();
        assert_eq!(ids(&out), ints(&case["i"]), "{}", case["stopping"]);
    }
}

#[test]
fn sort_and_unique_match_hf() {
    let f = fixtures();
    for case in f["sort"].as_array().unwrap() {
        let keys: Vec<Option<&str>> = case["keys"].as_array().unwrap().iter().map(|k| k.as_str()).collect();
        let n = keys.len();
        let ds = ds_with(vec![
            ("i", Arc::new(Int64Array::from_iter_values(0..n as i64)) as ArrayRef),
            ("key", Arc::new(StringArray::from(keys)) as ArrayRef),
        ]);
        let out = sort::sort(&ds, "key", case["reverse"].as_bool().unwrap()).unwrap();
        assert_eq!(ids(&out), ints(&case["i"]), "reverse={}", case["reverse"]);
    }
    let case = &f["unique"][0];
    let keys: Vec<Option<&str>> = case["keys"].as_array().unwrap().iter().map(|k| k.as_str()).collect();
    let ds = ds_with(vec![("key", Arc::new(StringArray::from(keys)) as ArrayRef)]);
    let u = unique::unique(&ds, "key").unwrap();
    let got: Vec<Option<&str>> = u.as_string::<i32>().iter().collect();
    let want: Vec<Option<&str>> = case["unique"].as_array().unwrap().iter().map(|k| k.as_str()).collect();
    assert_eq!(got, want);
}
