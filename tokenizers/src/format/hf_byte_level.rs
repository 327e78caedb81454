//! The byte-level BPE engine for a Hugging Face `tokenizer.json`: GPT-2 style (ByteLevel
//! pre-tokenizer) and the cl100k style (Split regex, Isolated, then ByteLevel without its own
//! regex) run on the tiktoken scanners and [`BpeModel`]. Merges may be `"a b"` strings or
//! `["a", "b"]` pairs. [`from_str`] builds a plain [`Tokenizer`] (ids-only, refusing files with
//! other components); [`engine`] builds the stages the general pipeline
//! ([`crate::tokenizer::HfTokenizer`]) uses as its fast path.

use serde_json::{Map, Value};
use std::path::Path;

use crate::added_vocab::{AddedToken, AddedVocab};
use crate::decoder::byte_level;
use crate::error::{Error, Result};
use crate::model::BpeModel;
use crate::pretokenizer::{Splitter, GPT2_PATTERN_ORIGINAL};
use crate::tokenizer::{Flavor, HfOptions, Tokenizer};

/// Loads a `tokenizer.json` file.
pub fn from_file(path: &Path) -> Result<Tokenizer> {
    let json = std::fs::read_to_string(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    from_str(&json, &path.display().to_string())
}

/// Parses `tokenizer.json` text; `origin` names it in errors.
pub fn from_str(json: &str, origin: &str) -> Result<Tokenizer> {
    let root: Value = serde_json::from_str(json)
        .map_err(|e| Error::json(origin, format!("line {}, column {}: {e}", e.line(), e.column())))?;
    let obj = root.as_object().ok_or_else(|| Error::json(origin, "top level is not an object"))?;

    for (component, supported) in [("normalizer", "none"), ("truncation", "none"), ("padding", "none")] {
        if let Some(v) = obj.get(component).filter(|v| !v.is_null()) {
            let kind = v.get("type").and_then(Value::as_str).unwrap_or("(settings)").to_string();
            return Err(Error::Unsupported { origin: origin.into(), component, kind, supported });
        }
    }
    for (component, allowed) in [("post_processor", "ByteLevel"), ("decoder", "ByteLevel")] {
        if let Some(v) = obj.get(component).filter(|v| !v.is_null()) {
            let kind = type_of(v, component, origin)?;
            if kind != allowed {
                return Err(Error::Unsupported {
                    origin: origin.into(),
                    component,
                    kind: kind.into(),
                    supported: "ByteLevel",
                });
            }
        }
    }

    engine(obj, json, origin)
}

/// The byte-level engine of a `tokenizer.json` object (its pre-tokenizer, BPE model and added
/// tokens); an error when the file is not byte-level BPE. Other components are not looked at.
pub fn engine(obj: &Map<String, Value>, json: &str, origin: &str) -> Result<Tokenizer> {
    let (splitter, keep_gaps, add_prefix_space) =
        pre_tokenizer(obj.get("pre_tokenizer").unwrap_or(&Value::Null), origin)?;
    let model = obj.get("model").ok_or_else(|| Error::json(origin, "missing \"model\""))?;
    let kind = model.get("type").and_then(Value::as_str).unwrap_or("BPE");
    if kind != "BPE" {
        return Err(Error::Unsupported {
            origin: origin.into(),
            component: "model",
            kind: kind.into(),
            supported: "BPE",
        });
    }
    for (flag, ok) in [
        ("dropout", Value::is_null as fn(&Value) -> bool),
        ("continuing_subword_prefix", Value::is_null),
        ("end_of_word_suffix", Value::is_null),
    ] {
        if let Some(v) = model.get(flag).filter(|v| !ok(v)) {
            if v.as_str() != Some("") {
                return Err(Error::Unsupported {
                    origin: origin.into(),
                    component: "BPE option",
                    kind: format!("{flag}={v}"),
                    supported: "byte-level BPE without it",
                });
            }
        }
    }
    if model.get("byte_fallback").and_then(Value::as_bool) == Some(true) {
        return Err(Error::Unsupported {
            origin: origin.into(),
            component: "BPE option",
            kind: "byte_fallback=true".into(),
            supported: "byte-level BPE without it",
        });
    }
    let ignore_merges = model.get("ignore_merges").and_then(Value::as_bool).unwrap_or(false);

    let vocab_obj = model
        .get("vocab")
        .and_then(Value::as_object)
        .ok_or_else(|| Error::json(origin, "model.vocab is not an object"))?;
    let mut vocab = Vec::with_capacity(vocab_obj.len());
    let mut token_strings: Vec<Option<String>> = Vec::new();
    for (tok, id) in vocab_obj {
        let id = id.as_u64().ok_or_else(|| Error::json(origin, format!("model.vocab[{tok:?}] is not a token id")))?;
        if id >= crate::model::bpe::MAX_TOKEN_ID as u64 {
            return Err(Error::json(
                origin,
                format!("model.vocab[{tok:?}] = {id}: ids must be below {}", crate::model::bpe::MAX_TOKEN_ID),
            ));
        }
        let id = id as u32;
        let bytes = byte_level::decode_str(tok).ok_or_else(|| {
            Error::json(origin, format!("model.vocab token {tok:?} is not in the byte-level alphabet"))
        })?;
        vocab.push((bytes, id));
        if token_strings.len() <= id as usize {
            token_strings.resize(id as usize + 1, None);
        }
        token_strings[id as usize] = Some(tok.clone());
    }

    let merges_val = model
        .get("merges")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::json(origin, "model.merges is not a list"))?;
    let mut merges = Vec::with_capacity(merges_val.len());
    for (i, m) in merges_val.iter().enumerate() {
        let (a, b) = match m {
            Value::String(s) => s
                .split_once(' ')
                .ok_or_else(|| Error::json(origin, format!("model.merges[{i}] {s:?} is not \"a b\"")))?,
            Value::Array(p) if p.len() == 2 => match (p[0].as_str(), p[1].as_str()) {
                (Some(a), Some(b)) => (a, b),
                _ => return Err(Error::json(origin, format!("model.merges[{i}] is not a pair of strings"))),
            },
            _ => return Err(Error::json(origin, format!("model.merges[{i}] is neither \"a b\" nor [a, b]"))),
        };
        let dec = |t: &str| {
            byte_level::decode_str(t).ok_or_else(|| {
                Error::json(origin, format!("model.merges[{i}]: {t:?} is not in the byte-level alphabet"))
            })
        };
        merges.push((dec(a)?, dec(b)?));
    }
    let bpe = BpeModel::from_vocab_merges(vocab, merges, ignore_merges, origin)?;

    let mut added = Vec::new();
    if let Some(list) = obj.get("added_tokens").filter(|v| !v.is_null()) {
        let list = list.as_array().ok_or_else(|| Error::json(origin, "added_tokens is not a list"))?;
        for (i, t) in list.iter().enumerate() {
            let content = t
                .get("content")
                .and_then(Value::as_str)
                .ok_or_else(|| Error::json(origin, format!("added_tokens[{i}].content missing")))?;
            let id = t
                .get("id")
                .and_then(Value::as_u64)
                .ok_or_else(|| Error::json(origin, format!("added_tokens[{i}].id missing")))?;
            if id >= crate::model::bpe::MAX_TOKEN_ID as u64 {
                return Err(Error::TokenIdTooLarge { id, limit: crate::model::bpe::MAX_TOKEN_ID as u64 });
            }
            let id = id as u32;
            let special = t.get("special").and_then(Value::as_bool).unwrap_or(false);
            added.push(AddedToken { content: content.to_string(), id, special });
            if token_strings.len() <= id as usize {
                token_strings.resize(id as usize + 1, None);
            }
            token_strings[id as usize] = Some(content.to_string());
        }
    }
    let name = Path::new(origin).file_name().map_or(origin.to_string(), |n| n.to_string_lossy().into_owned());
    let hf = HfOptions { add_prefix_space, keep_gaps, token_strings, json: json.to_string() };
    Ok(Tokenizer::new(name, splitter, bpe, AddedVocab::new(added, false), Flavor::HuggingFace(Box::new(hf))))
}

fn type_of<'v>(v: &'v Value, component: &str, origin: &str) -> Result<&'v str> {
    v.get("type").and_then(Value::as_str).ok_or_else(|| Error::json(origin, format!("{component} has no \"type\"")))
}

/// (splitter, keep gaps, add_prefix_space) for the supported pre-tokenizer shapes.
fn pre_tokenizer(v: &Value, origin: &str) -> Result<(Splitter, bool, bool)> {
    let unsupported = |kind: &str| Error::Unsupported {
        origin: origin.into(),
        component: "pre_tokenizer",
        kind: kind.into(),
        supported: "ByteLevel, or Sequence[Split(regex, Isolated), ByteLevel(use_regex=false)]",
    };
    let flag = |v: &Value, k: &str, d: bool| v.get(k).and_then(Value::as_bool).unwrap_or(d);
    match type_of(v, "pre_tokenizer", origin) {
        Ok("ByteLevel") => {
            if !flag(v, "use_regex", true) {
                return Err(unsupported("ByteLevel(use_regex=false) alone"));
            }
            Ok((Splitter::new(GPT2_PATTERN_ORIGINAL)?, false, flag(v, "add_prefix_space", false)))
        }
        Ok("Sequence") => {
            let parts = v
                .get("pretokenizers")
                .and_then(Value::as_array)
                .ok_or_else(|| Error::json(origin, "pre_tokenizer.pretokenizers missing"))?;
            let [split, bl] = parts.as_slice() else { return Err(unsupported("Sequence of other than two")) };
            if type_of(split, "pre_tokenizer", origin)? != "Split"
                || type_of(bl, "pre_tokenizer", origin)? != "ByteLevel"
                || flag(bl, "use_regex", true)
            {
                return Err(unsupported("Sequence of other pre-tokenizers"));
            }
            let behavior = split.get("behavior").and_then(Value::as_str).unwrap_or("");
            if behavior != "Isolated" || flag(split, "invert", false) {
                return Err(unsupported(&format!("Split(behavior={behavior})")));
            }
            let pat = split.get("pattern").ok_or_else(|| Error::json(origin, "Split.pattern missing"))?;
            let splitter = if let Some(re) = pat.get("Regex").and_then(Value::as_str) {
                Splitter::onig(re)?
            } else if let Some(s) = pat.get("String").and_then(Value::as_str) {
                Splitter::new(&regex_syntax::escape(s))?
            } else {
                return Err(Error::json(origin, "Split.pattern is neither Regex nor String"));
            };
            Ok((splitter, true, flag(bl, "add_prefix_space", false)))
        }
        Ok(other) => Err(unsupported(other)),
        Err(_) if v.is_null() => Err(unsupported("none")),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = r#"{"version":"1.0","truncation":null,"padding":null,
      "added_tokens":[{"id":6,"content":"<|end|>","special":true}],
      "normalizer":null,"pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"use_regex":true},
      "post_processor":null,"decoder":{"type":"ByteLevel"},
      "model":{"type":"BPE","vocab":{"a":0,"b":1,"Ġ":2,"ab":3,"Ġa":4,"Ġab":5},"merges":["a b",["Ġ","a"],"Ġa b"]}}"#;

    #[test]
    fn tiny_file_encodes_and_names_bad_parts() {
        let t = from_str(TINY, "tiny.json").unwrap();
        let mut ids = Vec::new();
        t.encode_with_added("ab ab<|end|>", &mut ids);
        // "Ġab" is in the vocabulary, but the merges (a b first) never build it: HF gives Ġ + ab,
        // so a whole-piece vocabulary hit must not be taken for it.
        assert_eq!(ids, vec![3, 2, 3, 6]);
        let enc = t.encode_full("ab ab");
        assert_eq!(enc.tokens, vec!["ab", "Ġ", "ab"]);
        assert_eq!(enc.offsets, vec![(0, 2), (2, 3), (3, 5)]);

        let bad = TINY.replace(r#""type":"BPE""#, r#""type":"Unigram""#);
        let e = from_str(&bad, "tiny.json").unwrap_err().to_string();
        assert!(e.contains("model") && e.contains("Unigram"), "{e}");
        let e = from_str("{\"model\": ", "broken.json").unwrap_err().to_string();
        assert!(e.contains("broken.json") && e.contains("line 1"), "{e}");
        let huge = TINY.replace(r#""Ġab":5"#, r#""Ġab":4000000000"#);
        let e = from_str(&huge, "tiny.json").unwrap_err().to_string();
        assert!(e.contains("4000000000"), "{e}");
        let bad = TINY.replace(r#""Ġa b""#, r#""Ġa zz""#);
        let e = from_str(&bad, "tiny.json").unwrap_err().to_string();
        assert!(e.contains("merge 2"), "{e}");
    }
}
