//! The real SQuAD dev sets and the IMDB tarball (../shared/data; skipped with a message when absent)
//! against digests of HF's flattening (tests/fixtures/real_digests.json, from
//! tests/fixtures/make_load_fixtures.py --real): row counts, an FNV-1a digest over every field of
//! every row in order, and the first/last rows.

use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type};
use arrow_array::Array;
use serde_json::Value;
use tokenmill_datasets::cache::Fnv64;
use tokenmill_datasets::dataset::Dataset;
use tokenmill_datasets::load::{load_dataset, load_split, DataFiles, Format, LoadOptions};
use tokenmill_datasets::NoProgress;

/// `../shared/data` next to the repository, or `$TOKENMILL_SHARED` (a worktree elsewhere).
fn shared() -> Option<PathBuf> {
    let p = match std::env::var_os("TOKENMILL_SHARED") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data")),
    };
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipped: {} is absent (the real SQuAD/IMDB data)", p.display());
        None
    }
}

fn digests() -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real_digests.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn out(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("tm-real-{}-{name}", std::process::id()))
}

fn squad_digest(ds: &Dataset) -> (usize, String, String, String) {
    let mut h = Fnv64::default();
    let (mut first, mut last) = (String::new(), String::new());
    for b in ds.batches(4096) {
        let b = b.unwrap();
        let s = |i: usize| b.column(i).as_string::<i32>().clone();
        let (id, title, ctx, q) = (s(0), s(1), s(2), s(3));
        let ans = b.column(4).as_struct();
        let texts = ans.column(0).as_list::<i32>();
        let starts = ans.column(1).as_list::<i32>();
        for r in 0..b.num_rows() {
            for col in [&id, &title, &ctx, &q] {
                h.field(col.value(r).as_bytes());
            }
            let t = texts.value(r);
            for x in t.as_string::<i32>().iter() {
                h.field(x.unwrap().as_bytes());
            }
            let st = starts.value(r);
            let joined: Vec<String> = st.as_primitive::<Int32Type>().values().iter().map(|v| v.to_string()).collect();
            h.field(joined.join(",").as_bytes());
            if first.is_empty() {
                first = id.value(r).to_string();
            }
            last = id.value(r).to_string();
        }
    }
    (ds.num_rows(), format!("{:016x}", h.finish()), first, last)
}

#[test]
fn squad_dev_sets_as_hf() {
    let Some(root) = shared() else { return };
    let d = digests();
    for (file, key) in [("dev-v1.1.json", "squad_dev_v1.1"), ("dev-v2.0.json", "squad_dev_v2.0")] {
        let files = DataFiles::one(root.join("squad").join(file).to_string_lossy());
        let dict =
            load_dataset(Some(Format::Squad), &files, &LoadOptions::default(), Some(&out(key)), &NoProgress).unwrap();
        let (n, fnv, first, last) = squad_digest(dict.split("train").unwrap());
        let want = &d[key];
        assert_eq!(n as u64, want["rows"].as_u64().unwrap(), "{key} rows");
        assert_eq!(first, want["first"]["id"].as_str().unwrap());
        assert_eq!(last, want["last"]["id"].as_str().unwrap());
        assert_eq!(fnv, want["fnv"].as_str().unwrap(), "{key} content digest");
    }
}

#[test]
fn imdb_tarball_as_hf() {
    let Some(root) = shared() else { return };
    let d = digests();
    let files = DataFiles::one(root.join("imdb/aclImdb_v1.tar.gz").to_string_lossy());
    let dict =
        load_dataset(Some(Format::Imdb), &files, &LoadOptions::default(), Some(&out("imdb")), &NoProgress).unwrap();
    for (name, ds) in dict.iter() {
        let mut h = Fnv64::default();
        let mut first = None;
        for b in ds.batches(4096) {
            let b = b.unwrap();
            let (t, l) = (b.column(0).as_string::<i32>(), b.column(1).as_primitive::<Int64Type>());
            for r in 0..b.num_rows() {
                h.field(t.value(r).as_bytes());
                h.field(l.value(r).to_string().as_bytes());
                first.get_or_insert_with(|| t.value(r).chars().take(200).collect::<String>());
            }
        }
        let want = &d[format!("imdb_{name}")];
        assert_eq!(ds.num_rows() as u64, want["rows"].as_u64().unwrap(), "imdb {name} rows");
        assert_eq!(first.as_deref(), want["first"]["text"].as_str(), "imdb {name} first row");
        assert_eq!(format!("{:016x}", h.finish()), want["fnv"].as_str().unwrap(), "imdb {name} digest");
        assert!(ds.column("label").unwrap().null_count() == 0);
    }
    // A sliced split, as HF's split="test[:10%]".
    let ds = load_split(
        Some(Format::Imdb),
        &files,
        "test[:10%]",
        &LoadOptions::default(),
        Some(&out("imdb-slice")),
        &NoProgress,
    )
    .unwrap();
    assert_eq!(ds.num_rows(), 2500);
}
