//! Parity of the normalizers and pre-tokenizers with Hugging Face tokenizers 0.23: every case of
//! `fixtures/normalizer_pre_tokenizer.jsonl` (see its generator script) is run over every text and
//! must give the same pieces and ORIGINAL byte offsets (for normalizer-only cases: the same
//! normalized text and the same original range for every char).

use serde_json::Value;
use tokenmill_tokenizers::normalizer::{Normalize, NormalizedString, Normalizer};
use tokenmill_tokenizers::pretokenizer::{PreTokenize, PreTokenizedString, PreTokenizer};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/normalizer_pre_tokenizer.jsonl");
const SHARED_DEFAULT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data");

/// The shared data dir: `../shared/data` next to the repo, or `TOKENMILL_SHARED_DATA` (for
/// checkouts elsewhere, e.g. git worktrees).
fn shared() -> String {
    std::env::var("TOKENMILL_SHARED_DATA").unwrap_or_else(|_| SHARED_DEFAULT.to_string())
}

/// The real charsmap behind a "@name" placeholder, or None when the shared data is absent.
fn charsmap(name: &str) -> Option<String> {
    let file = match name {
        "@botchan" => "botchan_en_unigram_1000.tokenizer.json",
        "@kyoto" => "kyoto_ja_unigram_8000.tokenizer.json",
        _ => return None,
    };
    let text = std::fs::read_to_string(format!("{}/vocab/sentencepiece/{file}", shared())).ok()?;
    let v: Value = serde_json::from_str(&text).ok()?;
    Some(v["normalizer"]["normalizers"][0]["precompiled_charsmap"].as_str()?.to_string())
}

/// Replaces charsmap placeholders; false if one cannot be resolved.
fn resolve(v: &mut Value) -> bool {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(s)) = m.get("precompiled_charsmap") {
                if s.starts_with('@') {
                    match charsmap(s) {
                        Some(real) => {
                            m.insert("precompiled_charsmap".into(), Value::String(real));
                        }
                        None => return false,
                    }
                }
            }
            m.values_mut().all(resolve)
        }
        Value::Array(a) => a.iter_mut().all(resolve),
        _ => true,
    }
}

/// What we produce for one text, in the fixture's compact shape.
fn run(normalizer: Option<&Normalizer>, pre: Option<&PreTokenizer>, text: &str) -> Value {
    let mut n = NormalizedString::new(text, 0);
    if let Some(norm) = normalizer {
        norm.normalize(&mut n).unwrap();
    }
    match pre {
        None => {
            let mut flat = Vec::new();
            let s = n.normalized();
            for (b, c) in s.char_indices() {
                let r = n.original_range(b..b + c.len_utf8()).expect("char range in bounds");
                flat.push(r.start);
                flat.push(r.end);
            }
            let identity: Vec<usize> = text.char_indices().flat_map(|(b, c)| [b, b + c.len_utf8()]).collect();
            let offsets = if s == text && flat == identity { Value::Null } else { serde_json::json!(flat) };
            serde_json::json!([s, offsets])
        }
        Some(p) => {
            let mut pts = PreTokenizedString::from_normalized(n);
            p.pre_tokenize(&mut pts).unwrap();
            let pieces: Vec<Value> = pts
                .splits_with_offsets()
                .into_iter()
                .map(|(piece, r)| {
                    let orig = String::from_utf8_lossy(&text.as_bytes()[r.clone()]);
                    let shown = if orig == piece { Value::Null } else { Value::String(piece.to_string()) };
                    serde_json::json!([shown, r.start, r.end])
                })
                .collect();
            Value::Array(pieces)
        }
    }
}

#[test]
fn normalizers_and_pre_tokenizers_match_hf() {
    // TOKENMILL_NORM_FIXTURE: a bigger fixture made by the generator's --scale/--out (local runs).
    let path = std::env::var("TOKENMILL_NORM_FIXTURE").unwrap_or_else(|_| FIXTURE.to_string());
    let data = std::fs::read_to_string(&path).expect("fixture file");
    let mut lines = data.lines();
    let head: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    let texts: Vec<String> = serde_json::from_value(head["texts"].clone()).unwrap();
    let (mut cases, mut failures) = (0, Vec::new());
    for line in lines {
        let mut case: Value = serde_json::from_str(line).unwrap();
        if !resolve(&mut case) {
            eprintln!("skipping a Precompiled case: {} not found", shared());
            continue;
        }
        let normalizer: Option<Normalizer> =
            (!case["normalizer"].is_null()).then(|| serde_json::from_value(case["normalizer"].clone()).unwrap());
        let pre: Option<PreTokenizer> =
            (!case["pre_tokenizer"].is_null()).then(|| serde_json::from_value(case["pre_tokenizer"].clone()).unwrap());
        // Saving gives back HF's JSON.
        if let Some(n) = &normalizer {
            assert_eq!(serde_json::to_value(n).unwrap(), case["normalizer"], "normalizer JSON round trip");
        }
        if let Some(p) = &pre {
            assert_eq!(serde_json::to_value(p).unwrap(), case["pre_tokenizer"], "pre_tokenizer JSON round trip");
        }
        cases += 1;
        let mut bad = 0;
        for (text, want) in texts.iter().zip(case["results"].as_array().unwrap()) {
            let got = run(normalizer.as_ref(), pre.as_ref(), text);
            if &got != want {
                bad += 1;
                if bad <= 3 {
                    failures.push(format!(
                        "normalizer {} / pre_tokenizer {} on {text:?}:\n  got  {got}\n  want {want}",
                        case["normalizer"].to_string().chars().take(120).collect::<String>(),
                        case["pre_tokenizer"]
                    ));
                }
            }
        }
        if bad > 3 {
            failures.push(format!("... {bad} texts differ in total for this case"));
        }
    }
    assert!(cases > 40, "only {cases} cases ran");
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}
