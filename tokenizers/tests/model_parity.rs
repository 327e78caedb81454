//! Parity of the `tokenizer.json` models with HF tokenizers 0.23.3: for every fixture in
//! `fixtures/models/` (made by `fixtures/models/generate.py`), `try_tokenize(word)` must give HF's
//! ids, byte offsets and token values (or fail where HF fails), and the model must serialize to
//! exactly the JSON HF writes.

use std::path::{Path, PathBuf};

use serde_json::Value;
use tokenmill_tokenizers::model::{Model, ModelWrapper};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data");

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/models")
}

/// Runs one fixture file; returns false when it needs the shared data and that is absent.
fn check(name: &str) -> bool {
    check_with(name, None)
}

/// As `check`, with the model given instead of read from the fixture header (its cases still
/// apply; serialization is not compared).
fn check_with(name: &str, given: Option<ModelWrapper>) -> bool {
    let path = fixture_dir().join(format!("{name}.jsonl"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Value = serde_json::from_str(lines.next().expect("header")).unwrap();
    let spec = &header["model"];
    let (model_json, origin) = match spec.get("file").and_then(Value::as_str) {
        Some(rel) => {
            let file = Path::new(SHARED).join(rel);
            let Ok(json) = std::fs::read_to_string(&file) else {
                eprintln!("skipping {name}: {} is absent (shared reference data not found)", file.display());
                return false;
            };
            let root: Value = serde_json::from_str(&json).unwrap();
            (root["model"].clone(), file.display().to_string())
        }
        None => (spec.clone(), path.display().to_string()),
    };
    let model = match given {
        Some(m) => m,
        None => {
            let m = ModelWrapper::from_json(&model_json, &origin).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(m.to_json(), model_json, "{name}: serialized model differs from HF's");
            m
        }
    };

    let mut out = Vec::new();
    let (mut n, mut ok) = (0, 0);
    for line in lines {
        let case: Value = serde_json::from_str(line).unwrap();
        let word = case["w"].as_str().unwrap();
        out.clear();
        let res = model.try_tokenize(word, &mut out);
        if case.get("err").is_some() {
            assert!(res.is_err(), "{name}: {word:?} should fail as in HF, got {out:?}");
            assert!(out.is_empty());
            n += 1;
            continue;
        }
        res.unwrap_or_else(|e| panic!("{name}: {word:?}: {e}"));
        let got: Vec<(u64, u64, u64, String)> = out
            .iter()
            .map(|t| (t.id as u64, t.start as u64, t.end as u64, model.token_value(t, word).into_owned()))
            .collect();
        let want: Vec<(u64, u64, u64, String)> = case["t"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (t[0].as_u64().unwrap(), t[1].as_u64().unwrap(), t[2].as_u64().unwrap(), t[3].as_str().unwrap().into())
            })
            .collect();
        assert_eq!(got, want, "{name}: {word:?}");
        // Again: the second answer may come from a cache or a shortcut and must not differ.
        let first = out.clone();
        out.clear();
        model.try_tokenize(word, &mut out).unwrap();
        assert_eq!(out, first, "{name}: {word:?} (second call)");
        n += 1;
        ok += 1;
    }
    assert!(n > 100 && ok > 50, "{name}: only {n} cases, {ok} without error");
    true
}

macro_rules! parity {
    ($($test:ident),* $(,)?) => {$(
        #[test]
        fn $test() {
            check(stringify!($test));
        }
    )*};
}

parity!(
    minilm_wordpiece,
    botchan_unigram,
    kyoto_unigram,
    gpt2_bpe,
    bpe_prefix_suffix,
    bpe_prefix_suffix_fuse,
    bpe_byte_fallback,
    bpe_byte_fallback_partial,
    bpe_ignore_merges,
    bpe_no_unk,
    bpe_dropout_all,
    wordpiece_at_prefix,
    wordlevel,
    unigram_byte_fallback,
    unigram_no_unk,
);

#[test]
fn every_fixture_is_listed() {
    let mut names: Vec<String> = std::fs::read_dir(fixture_dir())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok()?.strip_suffix(".jsonl").map(String::from))
        .collect();
    names.sort();
    assert_eq!(names.len(), 15, "{names:?}: add new fixtures to the parity! list");
}

#[test]
fn minilm_from_vocab_txt() {
    let path = Path::new(SHARED).join("vocab/minilm-l6-uncased/vocab.txt");
    if !path.exists() {
        eprintln!("skipping: {} is absent (shared reference data not found)", path.display());
        return;
    }
    let m = tokenmill_tokenizers::model::WordPiece::from_vocab_txt(&path).unwrap();
    assert_eq!(m.vocab_size(), 30522);
    check_with("minilm_wordpiece", Some(m.into()));
}
