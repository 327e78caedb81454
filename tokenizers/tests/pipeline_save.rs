//! Saving: `to_string` then loading gives a tokenizer that encodes every fixture record the same
//! way and saves to the same JSON; the saved text carries HF's top-level shape. Also: what an
//! unknown component or a malformed file gives. (That HF itself loads what we save is checked by
//! fixtures/check_saved.py and the Python suite.)

use serde_json::Value;
use std::path::{Path, PathBuf};
use tokenmill_tokenizers::{EncodeInput, Error, HfTokenizer, OffsetType};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// ../shared/data relative to the repository root (TOKENMILL_SHARED overrides it, e.g. in a worktree).
fn shared() -> PathBuf {
    match std::env::var_os("TOKENMILL_SHARED") {
        Some(p) => PathBuf::from(p),
        None => Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data")).to_path_buf(),
    }
}

/// (case name, patched tokenizer.json text, sample texts); cases whose base is absent are skipped.
fn cases() -> Vec<(String, String, Vec<String>)> {
    let mut out = Vec::new();
    let mut names: Vec<PathBuf> = std::fs::read_dir(fixtures().join("pipeline"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.to_string_lossy().ends_with(".tokenizer.json"))
        .collect();
    names.sort();
    for p in names {
        let fixture: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        let base = &fixture["base"];
        let path = match (base.get("shared"), base.get("file")) {
            (Some(s), _) => shared().join(s.as_str().unwrap()),
            (_, Some(f)) => fixtures().join(f.as_str().unwrap()),
            _ => unreachable!(),
        };
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        if !path.exists() {
            eprintln!("SKIPPED {name}: {} is absent", path.display());
            continue;
        }
        let mut json: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for (k, v) in fixture["patch"].as_object().unwrap() {
            json[k] = v.clone();
        }
        let texts = fixture["records"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r.get("a").and_then(Value::as_str).map(str::to_string))
            .collect();
        out.push((name, json.to_string(), texts));
    }
    out
}

#[test]
fn save_then_load_is_the_same_tokenizer() {
    let out_dir = std::env::temp_dir().join(format!("tokenmill-saved-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).unwrap();
    for (name, json, texts) in cases() {
        let a = HfTokenizer::from_str(&json).unwrap_or_else(|e| panic!("{name}: {e}"));
        let saved = a.to_string(false).unwrap();
        let b = HfTokenizer::from_str(&saved).unwrap_or_else(|e| panic!("{name}: reload: {e}\n{saved:.300}"));
        assert_eq!(b.to_string(false).unwrap(), saved, "{name}: saving is not stable");
        let v: Value = serde_json::from_str(&saved).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        for k in ["version", "truncation", "padding", "added_tokens", "normalizer", "pre_tokenizer", "post_processor"] {
            assert!(keys.contains(&k), "{name}: saved file lacks {k:?}");
        }
        assert_eq!(a.get_vocab(true), b.get_vocab(true), "{name}: vocabulary");
        for t in &texts {
            let (ea, eb) = (a.encode(t.as_str(), true, OffsetType::Char), b.encode(t.as_str(), true, OffsetType::Char));
            match (ea, eb) {
                (Ok(x), Ok(y)) => assert_eq!(x, y, "{name}: {t:?}"),
                (Err(_), Err(_)) => {}
                (x, y) => panic!("{name}: {t:?}: {x:?} vs {y:?}"),
            }
        }
        a.save(out_dir.join(format!("{name}.json")), true).unwrap();
        assert_eq!(
            HfTokenizer::from_file(out_dir.join(format!("{name}.json"))).unwrap().to_string(false).unwrap(),
            saved
        );
    }
    eprintln!("saved files in {}", out_dir.display());
    if std::env::var_os("TOKENMILL_KEEP_SAVED").is_none() {
        let _ = std::fs::remove_dir_all(&out_dir);
    }
}

const TINY: &str = r#"{"version":"1.0","truncation":null,"padding":null,"added_tokens":[],
  "normalizer":{"type":"Sequence","normalizers":[{"type":"Lowercase"},{"type":"Frobnicate"}]},
  "pre_tokenizer":{"type":"Whitespace"},"post_processor":null,"decoder":null,
  "model":{"type":"WordLevel","vocab":{"[UNK]":0,"hello":1,"world":2},"unk_token":"[UNK]"}}"#;

#[test]
fn unknown_components_and_bad_files_are_named() {
    let e = HfTokenizer::from_str(TINY).unwrap_err();
    assert!(matches!(&e, Error::Unsupported { component: "normalizer", kind, .. } if kind == "Frobnicate"), "{e}");
    for (key, bad) in [
        ("pre_tokenizer", r#"{"type":"Nope"}"#),
        ("post_processor", r#"{"type":"Nope"}"#),
        ("decoder", r#"{"type":"Nope"}"#),
        ("model", r#"{"type":"Nope"}"#),
    ] {
        let mut v: Value = serde_json::from_str(TINY).unwrap();
        v["normalizer"] = Value::Null;
        v[key] = serde_json::from_str(bad).unwrap();
        let e = HfTokenizer::from_str(&v.to_string()).unwrap_err().to_string();
        assert!(e.contains(key) && e.contains("Nope"), "{key}: {e}");
    }
    let e = HfTokenizer::from_str("{\"model\": ").unwrap_err().to_string();
    assert!(e.contains("line 1"), "{e}");
    let e = HfTokenizer::from_file("/nonexistent/tokenizer.json").unwrap_err().to_string();
    assert!(e.contains("/nonexistent/tokenizer.json"), "{e}");

    let mut v: Value = serde_json::from_str(TINY).unwrap();
    v["normalizer"] = serde_json::json!({"type": "Lowercase"});
    let tok = HfTokenizer::from_str(&v.to_string()).unwrap();
    let enc = tok.encode(EncodeInput::single("Hello WORLD !"), true, OffsetType::Byte).unwrap();
    assert_eq!(enc.ids, vec![1, 2, 0]);
    assert_eq!(enc.tokens, vec!["hello", "world", "[UNK]"]);
}
