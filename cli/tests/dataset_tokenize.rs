//! `tokenmill dataset tokenize` end to end: the shipped tiny IMDB tarball is loaded into a
//! DatasetDict, tokenized per split (ids equal the tokenizer's own `encode_ordinary`), packed into
//! blocks, and bad arguments fail with one line.

mod common;

use std::path::{Path, PathBuf};

use common::{fails, ok};
use tokenmill_datasets::dataset_dict::DatasetDict;
use tokenmill_datasets::tokenize::row_ids;
use tokenmill_datasets::Dataset;

fn sample(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/samples/datasets").join(name).to_string_lossy().into_owned()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tm-dstok-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn texts(ds: &Dataset) -> Vec<String> {
    let col = ds.column("text").unwrap();
    let s = col.as_any().downcast_ref::<arrow_array::StringArray>().unwrap();
    (0..s.len()).map(|i| s.value(i).to_string()).collect()
}

use arrow_array::Array;

#[test]
fn tokenizes_every_split_and_packs() {
    let d = tmp("imdb");
    let src = d.join("imdb");
    ok(&["dataset", "load", "imdb", &sample("tiny_aclImdb_v1.tar.gz"), "--out", src.to_str().unwrap()]);
    let out = d.join("tok");
    let said = ok(&[
        "dataset",
        "tokenize",
        src.to_str().unwrap(),
        "--encoding",
        "gpt2",
        "--out",
        out.to_str().unwrap(),
        "--threads",
        "2",
    ]);
    assert!(said.contains(" tokens, ") && said.contains("MB/s"), "{said}");
    let tok = tokenmill_tokenizers::builtin("gpt2").unwrap();
    let input = DatasetDict::load_from_disk(&src).unwrap();
    let output = DatasetDict::load_from_disk(&out).unwrap();
    assert_eq!(input.names().collect::<Vec<_>>(), output.names().collect::<Vec<_>>());
    let mut stream = Vec::new();
    for (name, ds) in input.iter() {
        let got = output.split(name).unwrap();
        assert_eq!(got.column_names(), vec!["text", "label", "input_ids"]);
        let ids = got.column("input_ids").unwrap();
        for (i, t) in texts(ds).iter().enumerate() {
            assert_eq!(row_ids(ids.as_ref(), i).unwrap(), tok.encode_ordinary(t), "{name} row {i}");
            if name == "train" {
                stream.extend(tok.encode_ordinary(t));
                stream.push(50256);
            }
        }
    }

    // Packing: --eot after every review, 16-token blocks, the last partial one kept.
    let train = d.join("train-only");
    ok(&[
        "dataset",
        "load",
        "imdb",
        &sample("tiny_aclImdb_v1.tar.gz"),
        "--split",
        "train",
        "--out",
        train.to_str().unwrap(),
    ]);
    let packed = d.join("packed");
    let said = ok(&[
        "dataset",
        "tokenize",
        train.to_str().unwrap(),
        "--encoding",
        "gpt2",
        "--out",
        packed.to_str().unwrap(),
        "--eot",
        "--block-size",
        "16",
        "--keep-partial",
    ]);
    assert!(said.contains("blocks"), "{said}");
    let blocks = match tokenmill_datasets::dataset_dict::load_from_disk(&packed).unwrap() {
        tokenmill_datasets::dataset_dict::Saved::Dataset(ds) => ds,
        tokenmill_datasets::dataset_dict::Saved::Dict(dd) => dd.split("train").unwrap().clone(),
    };
    let col = blocks.column("input_ids").unwrap();
    let mut flat = Vec::new();
    for r in 0..blocks.num_rows() {
        let row = row_ids(col.as_ref(), r).unwrap();
        assert!(row.len() == 16 || r + 1 == blocks.num_rows());
        flat.extend(row);
    }
    assert_eq!(flat, stream);
}

#[test]
fn bad_arguments_fail_with_one_line() {
    let d = tmp("bad");
    let src = d.join("train");
    ok(&[
        "dataset",
        "load",
        "imdb",
        &sample("tiny_aclImdb_v1.tar.gz"),
        "--split",
        "train",
        "--out",
        src.to_str().unwrap(),
    ]);
    let s = src.to_str().unwrap();
    let o = d.join("o");
    let o = o.to_str().unwrap();
    let err = fails(&["dataset", "tokenize", s, "--encoding", "gpt2", "--column", "body", "--out", o]);
    assert!(err.contains("body"), "{err}");
    let err = fails(&["dataset", "tokenize", s, "--encoding", "gpt2", "--column", "label", "--out", o]);
    assert!(err.contains("label") && err.contains("string"), "{err}");
    let err = fails(&["dataset", "tokenize", s, "--encoding", "nope", "--out", o]);
    assert!(err.contains("nope"), "{err}");
    let err = fails(&["dataset", "tokenize", d.join("missing").to_str().unwrap(), "--encoding", "gpt2", "--out", o]);
    assert!(err.contains("missing"), "{err}");
}
