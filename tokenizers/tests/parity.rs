//! Parity with the reference libraries through committed fixtures: ids produced by tiktoken 0.14
//! and Hugging Face tokenizers 0.23 (see fixtures/generate.py) must equal ours exactly, and every
//! text must decode back to itself.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokenmill_tokenizers::format::hf_json;
use tokenmill_tokenizers::{builtin, Tokenizer};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
    p.is_dir().then_some(p)
}

fn texts() -> Vec<String> {
    std::fs::read_to_string(fixtures().join("texts.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["text"].as_str().unwrap().to_string())
        .collect()
}

fn expected(name: &str) -> Vec<Vec<u32>> {
    std::fs::read_to_string(fixtures().join(format!("{name}.ids")))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn compare(name: &str, texts: &[String], got: Vec<Vec<u32>>) {
    let want = expected(name);
    assert_eq!(want.len(), texts.len(), "{name}: fixture length");
    let mut bad = 0;
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        if g != w {
            if bad < 5 {
                eprintln!(
                    "{name}: text {i} {:?}\n  ours {:?}\n  want {:?}",
                    &texts[i].chars().take(80).collect::<String>(),
                    &g[..g.len().min(30)],
                    &w[..w.len().min(30)]
                );
            }
            bad += 1;
        }
    }
    assert_eq!(bad, 0, "{name}: {bad} of {} texts differ", texts.len());
}

fn check_tiktoken(name: &str) {
    let t = builtin(name).unwrap();
    let texts = texts();
    let got = t.encode_ordinary_batch(&texts, 0).unwrap();
    for (text, ids) in texts.iter().zip(&got) {
        assert_eq!(t.decode_bytes(ids).unwrap(), text.as_bytes(), "{name}: round trip");
    }
    compare(name, &texts, got);
}

#[test]
fn r50k_matches_tiktoken() {
    check_tiktoken("r50k_base");
}

#[test]
fn p50k_matches_tiktoken() {
    check_tiktoken("p50k_base");
}

#[test]
fn cl100k_matches_tiktoken() {
    check_tiktoken("cl100k_base");
}

#[test]
fn o200k_matches_tiktoken() {
    check_tiktoken("o200k_base");
}

fn check_hf(name: &str, rel: &str) {
    let Some(shared) = shared() else {
        eprintln!("skipping {name}: ../shared/data is absent (it holds {rel})");
        return;
    };
    let t: Arc<Tokenizer> = Arc::new(hf_json::from_file(&shared.join(rel)).unwrap());
    let texts = texts();
    let got: Vec<Vec<u32>> = tokenmill_tokenizers::tokenizer::batch::map(&texts, 0, |s| {
        let mut v = Vec::new();
        t.encode_with_added(s, &mut v);
        v
    })
    .unwrap();
    compare(name, &texts, got);
}

#[test]
fn gpt2_json_matches_hf() {
    check_hf("hf-gpt2", "vocab/gpt2/tokenizer.json");
}

#[test]
fn cl100k_json_matches_hf() {
    check_hf("hf-cl100k", "vocab/cl100k-hf/tokenizer.json");
}
