//! `tokenize` / `encode` with a BPE-dropout tokenizer.json: a document's tokens depend only on the
//! seed and its place in the input, never on the thread count or chunking; `--seed` changes them;
//! `encode` gives a line what `tokenize` gives it; `--seed` where there is no dropout is an error.

mod common;
use common::*;

const BYTE_LEVEL: &str = include_str!("../../tokenizers/tests/fixtures/pipeline/bytelevel.tokenizer.json");

/// The fixture with dropout 0.5 written to `dir`.
fn dropout_file(dir: &std::path::Path) -> std::path::PathBuf {
    let mut v: serde_json::Value = serde_json::from_str(BYTE_LEVEL).unwrap();
    v["model"]["dropout"] = serde_json::json!(0.5);
    let p = dir.join("dropout.tokenizer.json");
    std::fs::write(&p, v.to_string()).unwrap();
    p
}

/// 3,000 lines of words long enough to take several merges (a fixed pseudo-random mix).
fn corpus() -> String {
    let words = ["tokenization", "international", "the", "reproducible", "ünïcödé", "merging", "42", "dropout,"];
    let mut x = 0x2545F4914F6CDD1Du64;
    let mut out = String::new();
    for _ in 0..3000 {
        for w in 0..12 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if w > 0 {
                out.push(' ');
            }
            out.push_str(words[(x % words.len() as u64) as usize]);
        }
        out.push('\n');
    }
    out
}

#[test]
fn dropout_rows_depend_on_seed_not_threads() {
    let d = tmpdir("dropout-seed");
    let tok = dropout_file(&d);
    let txt = d.join("corpus.txt");
    std::fs::write(&txt, corpus()).unwrap();
    let run = |name: &str, extra: &[&str]| {
        let out = d.join(name);
        let mut args = vec!["tokenize", s(&txt), "--tokenizer", s(&tok), "--out", s(&out)];
        args.extend_from_slice(extra);
        ok(&args);
        read_docs(&out)
    };
    let one = run("s7-t1", &["--seed", "7", "--threads", "1"]);
    assert_eq!(one.len(), 3000);
    assert_eq!(one, run("s7-t4", &["--seed", "7", "--threads", "4"]), "threads changed the tokens");
    let other = run("s8-t4", &["--seed", "8", "--threads", "4"]);
    assert_ne!(one, other, "another seed gave the same tokens");
    // dropout is on: the same text on different lines is split differently somewhere
    assert!(one.iter().zip(&other).filter(|(a, b)| a != b).count() > 100);
    // no seed: the default seed, still the same for any thread count
    assert_eq!(run("d-t1", &["--threads", "1"]), run("d-t3", &["--threads", "3"]));

    // `encode` gives each line the ids `tokenize` gave it
    let stdout = ok(&["encode", "--tokenizer", s(&tok), "--input", s(&txt), "--seed", "7"]);
    let encoded: Vec<Vec<u32>> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(encoded, one);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn seed_without_dropout_is_an_error() {
    let d = tmpdir("dropout-none");
    let txt = d.join("a.txt");
    std::fs::write(&txt, "hello\n").unwrap();
    let err = fails(&["tokenize", s(&txt), "--encoding", "cl100k_base", "--out", s(&d.join("o")), "--seed", "1"]);
    assert!(err.contains("--seed"), "{err}");
    let plain = d.join("plain.json");
    std::fs::write(&plain, BYTE_LEVEL).unwrap();
    let err = fails(&["tokenize", s(&txt), "--tokenizer", s(&plain), "--out", s(&d.join("p")), "--seed", "1"]);
    assert!(err.contains("no BPE dropout"), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}
