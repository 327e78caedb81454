//! Data ops end to end over written shards: map (HF's merge of outputs, order under parallelism,
//! with_indices, cache reuse, errors), filter, column edits, concatenate over mapped datasets.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, BooleanArray, Int64Array, RecordBatch, StringArray, StructArray};
use arrow_schema::{DataType, Field};
use tokenmill_datasets::ops::map::{map, map_with_indices, MapOptions};
use tokenmill_datasets::ops::{columns, combine, filter, shuffle, DataOpOptions};
use tokenmill_datasets::{Dataset, Error, NoProgress};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tokenmill-ops-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn source(n: i64) -> Dataset {
    let batches: Vec<RecordBatch> = (0..n)
        .step_by(10)
        .map(|s| {
            let e = (s + 10).min(n);
            RecordBatch::try_from_iter([
                ("i", Arc::new(Int64Array::from_iter_values(s..e)) as ArrayRef),
                ("s", Arc::new(StringArray::from_iter_values((s..e).map(|x| format!("row{x}")))) as ArrayRef),
            ])
            .unwrap()
        })
        .collect();
    Dataset::from_batches(batches[0].schema(), batches).unwrap()
}

fn ints(ds: &Dataset, col: &str) -> Vec<i64> {
    ds.column(col).unwrap().as_primitive::<Int64Type>().values().to_vec()
}

fn opts_in(dir: &Path) -> DataOpOptions {
    DataOpOptions { out_dir: Some(dir.to_path_buf()), batch_size: 7, threads: 3, ..Default::default() }
}

#[test]
fn map_merges_like_hf_and_keeps_order() {
    let dir = tmp("map");
    let ds = shuffle::shuffle(&source(95), 3).unwrap();
    let double = |b: RecordBatch| -> tokenmill_datasets::Result<RecordBatch> {
        let i = b.column_by_name("i").unwrap().as_primitive::<Int64Type>();
        let d: Int64Array = i.iter().map(|x| x.map(|x| x * 2)).collect();
        Ok(RecordBatch::try_from_iter([
            ("d", Arc::new(d) as ArrayRef),
            ("s", Arc::new(StringArray::from(vec!["x"; b.num_rows()])) as ArrayRef),
        ])?)
    };
    let opts = MapOptions { data: opts_in(&dir), ..Default::default() };
    let out = map(&ds, double, &opts, &NoProgress).unwrap();
    // Input columns first (s replaced in place), then the new one.
    assert_eq!(out.column_names(), vec!["i", "s", "d"]);
    let i = ints(&out, "i");
    assert_eq!(i, ints(&ds, "i"));
    assert_eq!(ints(&out, "d"), i.iter().map(|x| x * 2).collect::<Vec<_>>());
    assert!(dir.join("state.json").exists(), "written in HF layout");
    // remove_columns drops inputs; the function may change the row count then.
    let opts =
        MapOptions { data: opts_in(&tmp("map2")), remove_columns: vec!["i".into(), "s".into()], ..Default::default() };
    let firsts = map(&ds, |b: RecordBatch| Ok(b.slice(0, 1)), &opts, &NoProgress).unwrap();
    assert_eq!(firsts.num_rows(), 14);
    assert_eq!(firsts.num_columns_hint(), 2);
}

trait Cols {
    fn num_columns_hint(&self) -> usize;
}
impl Cols for Dataset {
    fn num_columns_hint(&self) -> usize {
        self.schema().fields().len()
    }
}

#[test]
fn map_with_indices_errors_and_cache() {
    let ds = source(30);
    let opts = MapOptions { data: opts_in(&tmp("mapi")), ..Default::default() };
    let out = map_with_indices(
        &ds,
        |b, rows| {
            Ok(RecordBatch::try_from_iter([(
                "pos",
                Arc::new(Int64Array::from_iter_values(rows.start as i64..rows.end as i64)) as ArrayRef,
            )])?
            .slice(0, b.num_rows()))
        },
        &opts,
        &NoProgress,
    )
    .unwrap();
    assert_eq!(ints(&out, "pos"), (0..30).collect::<Vec<_>>());

    // A failing batch fails the op with the closure's error; nothing half-written opens.
    let dir = tmp("mapfail");
    let opts = MapOptions { data: opts_in(&dir), ..Default::default() };
    let err = map(
        &ds,
        |b: RecordBatch| {
            let first = b.column(0).as_primitive::<Int64Type>().value(0);
            if first >= 14 {
                return Err(Error::Invalid(format!("bad row {first}")));
            }
            Ok(b)
        },
        &opts,
        &NoProgress,
    )
    .unwrap_err();
    assert!(err.to_string().contains("bad row 14"), "{err}");
    assert!(Dataset::open(&dir).is_err());

    // Changing the row count while keeping inputs is an error, not a misaligned table.
    let opts = MapOptions { data: opts_in(&tmp("mapcount")), ..Default::default() };
    let ok = map(&ds, |b: RecordBatch| Ok(b.slice(0, 1)), &opts, &NoProgress);
    assert_eq!(ok.unwrap().num_rows(), 5, "replacing every column may change the row count");
    let bad = map(
        &ds,
        |b: RecordBatch| {
            Ok(RecordBatch::try_from_iter([("n", Arc::new(Int64Array::from(vec![1])) as ArrayRef)])?
                .slice(0, 1.min(b.num_rows())))
        },
        &MapOptions { data: opts_in(&tmp("mc3")), ..Default::default() },
        &NoProgress,
    );
    assert!(matches!(bad, Err(Error::Invalid(_))), "{bad:?}");

    // Cache: same fingerprint and no out_dir → the second run reuses the first's shards.
    let cache = tmp("cache");
    std::env::set_var("TOKENMILL_CACHE", &cache);
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let c = calls.clone();
    let f = move |b: RecordBatch| {
        c.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(b)
    };
    let opts = MapOptions { fingerprint: Some("identity-v1".into()), ..Default::default() };
    let disk = source(30).save_and_open(&tmp("src"));
    let a = map(&disk, f.clone(), &opts, &NoProgress).unwrap();
    let before = calls.load(std::sync::atomic::Ordering::SeqCst);
    let b = map(&disk, f, &opts, &NoProgress).unwrap();
    assert_eq!(a.fingerprint(), b.fingerprint());
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), before, "cached output reused");
    assert!(cache.join(a.fingerprint()).join("state.json").exists());
}

trait SaveOpen {
    fn save_and_open(&self, dir: &Path) -> Dataset;
}
impl SaveOpen for Dataset {
    fn save_and_open(&self, dir: &Path) -> Dataset {
        self.save_to_disk(dir, &Default::default(), &NoProgress).unwrap();
        Dataset::open(dir).unwrap()
    }
}

#[test]
fn filter_keeps_order_and_is_index_only() {
    let ds = shuffle::shuffle(&source(100), 9).unwrap();
    let out = filter::filter(
        &ds,
        |b: &RecordBatch| {
            Ok(b.column(0).as_primitive::<Int64Type>().iter().map(|x| x.map(|x| x % 3 == 0)).collect::<BooleanArray>())
        },
        8,
        3,
        None,
        &NoProgress,
    )
    .unwrap();
    let want: Vec<i64> = ints(&ds, "i").into_iter().filter(|x| x % 3 == 0).collect();
    assert_eq!(ints(&out, "i"), want);
    assert!(out.indices().is_some());
    let bad = filter::filter(&ds, |_: &RecordBatch| Ok(BooleanArray::from(vec![true])), 8, 1, None, &NoProgress);
    assert!(matches!(bad, Err(Error::Invalid(_))));
}

#[test]
fn column_edits() {
    let ds = source(25);
    let o = |n: &str| opts_in(&tmp(n));
    let r = columns::rename_column(&ds, "s", "text", &o("ren"), &NoProgress).unwrap();
    assert_eq!(r.column_names(), vec!["i", "text"]);
    assert!(matches!(
        columns::rename_column(&ds, "nope", "x", &o("ren2"), &NoProgress),
        Err(Error::MissingColumn { .. })
    ));
    assert!(columns::rename_column(&ds, "s", "i", &o("ren3"), &NoProgress).is_err());
    let rm = columns::remove_columns(&ds, &["s".into()], &o("rm"), &NoProgress).unwrap();
    assert_eq!(rm.column_names(), vec!["i"]);
    let sel = columns::select_columns(&ds, &["s".into()], &o("sel"), &NoProgress).unwrap();
    assert_eq!(sel.column_names(), vec!["s"]);
    let added = columns::add_column(&ds, "x", Arc::new(Int64Array::from_iter_values(100..125)), &o("add"), &NoProgress)
        .unwrap();
    assert_eq!(ints(&added, "x"), (100..125).collect::<Vec<_>>());
    assert!(columns::add_column(&ds, "y", Arc::new(Int64Array::from(vec![1])), &o("add2"), &NoProgress).is_err());
    let c = columns::cast(&ds, &[("i".into(), DataType::Float64)], &o("cast"), &NoProgress).unwrap();
    assert_eq!(c.column("i").unwrap().as_primitive::<Float64Type>().value(24), 24.0);
    let bad = columns::cast(&ds, &[("s".into(), DataType::Int64)], &o("cast2"), &NoProgress).unwrap_err();
    assert!(bad.to_string().contains("\"s\""), "names the column: {bad}");
    // cast_fields: the target field's metadata (HF's extension type of Array2D columns) is kept
    let meta: std::collections::HashMap<String, String> =
        [("ARROW:extension:name".to_string(), "x".to_string())].into();
    let marked = Field::new("i", DataType::Float64, true).with_metadata(meta.clone());
    let cf = columns::cast_fields(&ds, &[marked], &o("cast3"), &NoProgress).unwrap();
    assert_eq!(cf.schema().field_with_name("i").unwrap().metadata(), &meta);
    assert_eq!(cf.column("i").unwrap().as_primitive::<Float64Type>().value(3), 3.0);

    // flatten: answers{text, start} -> answers.text, answers.start; a null struct nulls children.
    let text = Arc::new(StringArray::from(vec![Some("a"), Some("b")])) as ArrayRef;
    let start = Arc::new(Int64Array::from(vec![Some(1), Some(2)])) as ArrayRef;
    let st = StructArray::try_new(
        vec![Field::new("text", DataType::Utf8, true), Field::new("start", DataType::Int64, true)].into(),
        vec![text, start],
        Some(vec![true, false].into()),
    )
    .unwrap();
    let b = RecordBatch::try_from_iter([("answers", Arc::new(st) as ArrayRef)]).unwrap();
    let sds = Dataset::from_batches(b.schema(), vec![b]).unwrap();
    let flat = columns::flatten(&sds, &o("flat"), &NoProgress).unwrap();
    assert_eq!(flat.column_names(), vec!["answers.text", "answers.start"]);
    let t = flat.column("answers.text").unwrap();
    assert!(t.is_valid(0) && t.is_null(1));
}

#[test]
fn concatenate_composes_mappings() {
    let a = shuffle::shuffle(&source(12), 1).unwrap();
    let b = source(5);
    let c = combine::concatenate(&[a.clone(), b.clone()]).unwrap();
    let mut want = ints(&a, "i");
    want.extend(ints(&b, "i"));
    assert_eq!(ints(&c, "i"), want);
    let other = columns::remove_columns(&b, &["s".into()], &opts_in(&tmp("cc")), &NoProgress).unwrap();
    assert!(combine::concatenate(&[a, other]).is_err());
}

#[test]
fn sort_by_two_columns() {
    let k1 = Arc::new(Int64Array::from(vec![Some(2), Some(1), None, Some(2), Some(1)])) as ArrayRef;
    let k2 = Arc::new(StringArray::from(vec!["b", "z", "a", "a", "y"])) as ArrayRef;
    let i = Arc::new(Int64Array::from_iter_values(0..5)) as ArrayRef;
    let b = RecordBatch::try_from_iter([("i", i), ("k1", k1), ("k2", k2)]).unwrap();
    let ds = Dataset::from_batches(b.schema(), vec![b]).unwrap();
    let out = tokenmill_datasets::ops::sort::sort_by(&ds, &[("k1".into(), false), ("k2".into(), true)]).unwrap();
    assert_eq!(ints(&out, "i"), vec![1, 4, 0, 3, 2]);
}
