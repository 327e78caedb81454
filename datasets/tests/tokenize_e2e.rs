//! Native tokenize over a written dataset: ids equal the tokenizer's own `encode_ordinary` per
//! row (u16 for GPT-2, u32 for cl100k), order kept under parallelism and a shuffled input, the
//! output reopens from disk; packing keeps every token in order. Uses the conformance texts from
//! ../shared/data when present, else a built-in sample.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{ArrayRef, RecordBatch, StringArray};
use arrow_schema::DataType;
use tokenmill_datasets::ops::shuffle;
use tokenmill_datasets::tokenize::{pack, row_ids, tokenize, PackOptions, TokenizeOptions};
use tokenmill_datasets::{Dataset, Error, NoProgress};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data");

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tokenmill-tok-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Texts: every conformance record (multilingual, emoji, code, edge cases) or a small fallback.
/// `TOKENMILL_SHARED` overrides where the shared data is (worktrees outside the main checkout).
fn texts() -> Vec<String> {
    let shared = std::env::var_os("TOKENMILL_SHARED").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(SHARED));
    let dir = shared.join("conformance");
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for f in files {
            for line in std::fs::read_to_string(&f).unwrap().lines() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                out.push(v["text"].as_str().unwrap().to_string());
            }
        }
    }
    if out.is_empty() {
        println!("{}/conformance absent: using the built-in sample texts", shared.display());
        out = ["Hello world", "", "  spaces  ", "naïve café 東京 🤖", "<|endoftext|> is text here", "x\n\ny"]
            .iter()
            .cycle()
            .take(600)
            .map(|s| s.to_string())
            .collect();
    }
    out
}

fn text_dataset(texts: &[String], dir: &PathBuf) -> Dataset {
    let batches: Vec<RecordBatch> = texts
        .chunks(997)
        .map(|c| {
            RecordBatch::try_from_iter([("text", Arc::new(StringArray::from_iter_values(c)) as ArrayRef)]).unwrap()
        })
        .collect();
    let mem = Dataset::from_batches(batches[0].schema(), batches).unwrap();
    mem.save_to_disk(dir, &Default::default(), &NoProgress).unwrap();
    Dataset::open(dir).unwrap()
}

#[test]
fn ids_equal_encode_ordinary_per_row() {
    let texts = texts();
    let ds = text_dataset(&texts, &tmp("src"));
    for (name, dtype) in [("gpt2", DataType::UInt16), ("cl100k_base", DataType::UInt32)] {
        let tok = tokenmill_tokenizers::builtin(name).unwrap();
        let opts = TokenizeOptions { threads: 2, batch_size: 333, ..Default::default() };
        let out_dir = tmp(name);
        let out = tokenize(&ds, &tok, &opts, Some(&out_dir), &NoProgress).unwrap();
        let reopened = Dataset::open(&out_dir).unwrap();
        assert_eq!(reopened.num_rows(), texts.len());
        assert_eq!(reopened.column_names(), vec!["text", "input_ids"]);
        let ids = reopened.column("input_ids").unwrap();
        assert_eq!(ids.data_type(), &DataType::new_list(dtype, true), "{name}");
        for (i, t) in texts.iter().enumerate() {
            assert_eq!(row_ids(ids.as_ref(), i).unwrap(), tok.encode_ordinary(t), "{name} row {i}: {t:?}");
        }
        assert_eq!(out.fingerprint(), reopened.fingerprint());
    }
}

#[test]
fn shuffled_input_keeps_its_order() {
    let texts: Vec<String> = texts().into_iter().take(2000).collect();
    let ds = shuffle::shuffle(&text_dataset(&texts, &tmp("src2")), 7).unwrap();
    let tok = tokenmill_tokenizers::builtin("gpt2").unwrap();
    let opts = TokenizeOptions { threads: 3, batch_size: 64, keep_columns: true, ..Default::default() };
    let out = tokenize(&ds, &tok, &opts, Some(&tmp("shuf")), &NoProgress).unwrap();
    let text = out.column("text").unwrap();
    let ids = out.column("input_ids").unwrap();
    let perm = tokenmill_datasets::ops::rng::permutation(texts.len(), 7);
    for (i, &p) in perm.iter().enumerate() {
        assert_eq!(text.as_string::<i32>().value(i), texts[p as usize]);
        assert_eq!(row_ids(ids.as_ref(), i).unwrap(), tok.encode_ordinary(&texts[p as usize]));
    }
}

#[test]
fn pack_keeps_every_token_in_order() {
    let texts: Vec<String> = texts().into_iter().take(1500).collect();
    let ds = text_dataset(&texts, &tmp("src3"));
    let tok = tokenmill_tokenizers::builtin("cl100k_base").unwrap();
    let opts = TokenizeOptions { add_eot: true, keep_columns: false, ..Default::default() };
    let toks = tokenize(&ds, &tok, &opts, Some(&tmp("t3")), &NoProgress).unwrap();
    let eot = tok.special_token_id("<|endoftext|>").unwrap();
    let mut stream: Vec<u32> = Vec::new();
    for t in &texts {
        stream.extend(tok.encode_ordinary(t));
        stream.push(eot);
    }
    for keep_partial in [false, true] {
        let popts = PackOptions { column: "input_ids".into(), block_size: 128, eot: None, keep_partial };
        let packed = pack(&toks, &popts, Some(&tmp(&format!("p{keep_partial}"))), &NoProgress).unwrap();
        let col = packed.column("input_ids").unwrap();
        let mut got = Vec::new();
        for r in 0..packed.num_rows() {
            let row = row_ids(col.as_ref(), r).unwrap();
            if r + 1 < packed.num_rows() || !keep_partial {
                assert_eq!(row.len(), 128);
            }
            got.extend(row);
        }
        let full = stream.len() / 128 * 128;
        if keep_partial {
            assert_eq!(got, stream);
        } else {
            assert_eq!(got, stream[..full]);
        }
    }
}

#[test]
fn bad_columns_are_typed_errors() {
    let ds = text_dataset(&["a".to_string()], &tmp("src4"));
    let tok = tokenmill_tokenizers::builtin("gpt2").unwrap();
    let opts = TokenizeOptions { column: "body".into(), ..Default::default() };
    let e = tokenize(&ds, &tok, &opts, Some(&tmp("e1")), &NoProgress).unwrap_err();
    assert!(matches!(e, Error::MissingColumn { ref name, .. } if name == "body"), "{e}");
    let popts = PackOptions { column: "text".into(), block_size: 8, eot: None, keep_partial: false };
    let e = pack(&ds, &popts, Some(&tmp("e2")), &NoProgress).unwrap_err();
    assert!(matches!(e, Error::WrongType { .. }), "{e}");
}
