//! Hugging Face `tokenizer.json`, whole files: [`load_str`] builds an [`HfTokenizer`] from every
//! supported component (an unknown `type` is [`Error::Unsupported`] naming the component and the
//! type), [`to_string`] writes HF's shape back so HF's `Tokenizer.from_file` loads it and saving
//! then loading gives an equal tokenizer. Byte-level BPE files also get the tiktoken engine as
//! their fast path ([`super::hf_byte_level`]).

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use std::path::Path;

use crate::added_vocab::hf::{HfAddedToken, HfAddedTokenWithId};
use crate::decoder::Decoder;
use crate::error::{Error, Result};
use crate::model::{Model, ModelWrapper};
use crate::normalizer::Normalizer;
use crate::padding::PaddingParams;
use crate::postprocessor::PostProcessor;
use crate::pretokenizer::PreTokenizer;
use crate::tokenizer::byte_level_fast::ByteLevelFast;
use crate::tokenizer::HfTokenizer;
use crate::truncation::TruncationParams;

/// The legacy byte-level-only loaders (a plain [`crate::Tokenizer`]).
pub use super::hf_byte_level::{from_file, from_str};

const NORMALIZERS: &str =
    "BertNormalizer, Lowercase, Strip, StripAccents, NFC, NFD, NFKC, NFKD, Replace, Prepend, Precompiled, ByteLevel, Nmt, Sequence";
const PRE_TOKENIZERS: &str = concat!(
    "BertPreTokenizer, Whitespace, WhitespaceSplit, Punctuation, Digits, Metaspace, ByteLevel, Split, ",
    "UnicodeScripts, CharDelimiterSplit, FixedLength, Sequence"
);
const POST_PROCESSORS: &str = "TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence";
const DECODERS: &str = "ByteLevel, WordPiece, Metaspace, BPEDecoder, ByteFallback, Fuse, Strip, Replace, CTC, Sequence";

/// Loads a `tokenizer.json` file.
pub fn load_file(path: &Path) -> Result<HfTokenizer> {
    let json = std::fs::read_to_string(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    load_str(&json, &path.display().to_string())
}

/// Parses `tokenizer.json` text; `origin` names it in errors.
pub fn load_str(json: &str, origin: &str) -> Result<HfTokenizer> {
    let root: Value = serde_json::from_str(json)
        .map_err(|e| Error::json(origin, format!("line {}, column {}: {e}", e.line(), e.column())))?;
    let obj = root.as_object().ok_or_else(|| Error::json(origin, "top level is not an object"))?;

    let model_v = obj.get("model").filter(|v| !v.is_null()).ok_or_else(|| Error::json(origin, "missing \"model\""))?;
    let model = ModelWrapper::from_json(model_v, origin)?;
    let mut tok = HfTokenizer::new(model);
    tok.normalizer = component::<Normalizer>(obj, "normalizer", NORMALIZERS, origin)?;
    tok.pre_tokenizer = component::<PreTokenizer>(obj, "pre_tokenizer", PRE_TOKENIZERS, origin)?;
    tok.post_processor = component::<PostProcessor>(obj, "post_processor", POST_PROCESSORS, origin)?;
    tok.decoder = component::<Decoder>(obj, "decoder", DECODERS, origin)?;
    tok.truncation = settings::<TruncationParams>(obj, "truncation", origin)?;
    tok.padding = settings::<PaddingParams>(obj, "padding", origin)?;
    tok.refresh_fast_paths();

    // HF re-adds the listed tokens in order (ids follow from the model vocabulary and the order,
    // not from the file's "id" fields); consecutive tokens of one kind are added together.
    if let Some(list) = obj.get("added_tokens").filter(|v| !v.is_null()) {
        let list: Vec<HfAddedTokenWithId> =
            serde_json::from_value(list.clone()).map_err(|e| Error::json(origin, format!("added_tokens: {e}")))?;
        let mut run: Vec<HfAddedToken> = Vec::new();
        for t in list {
            if run.last().is_some_and(|r| r.special != t.token.special) {
                flush(&mut tok, &mut run);
            }
            run.push(t.token);
        }
        flush(&mut tok, &mut run);
    }

    if tok.normalizer.is_none() && matches!(tok.model, ModelWrapper::BPE(_)) {
        if let Ok(engine) = super::hf_byte_level::engine(obj, json, origin) {
            // Every byte must be a token, so the engine never meets a byte the model lacks.
            if (0..=255u8).all(|b| engine.model().token_id(&[b]).is_some())
                && engine.model().len() == tok.model.vocab_size()
            {
                tok.fast = Some(ByteLevelFast::new(engine));
            }
        }
    }
    Ok(tok)
}

fn flush(tok: &mut HfTokenizer, run: &mut Vec<HfAddedToken>) {
    match run.first() {
        Some(t) if t.special => tok.add_special_tokens(run),
        Some(_) => tok.add_tokens(run),
        None => 0,
    };
    run.clear();
}

/// A `"type"`-tagged component; `null` or absent is `None`.
fn component<T: DeserializeOwned>(
    obj: &Map<String, Value>,
    key: &'static str,
    supported: &'static str,
    origin: &str,
) -> Result<Option<T>> {
    let Some(v) = obj.get(key).filter(|v| !v.is_null()) else { return Ok(None) };
    if let Some(kind) = unknown_type(v, supported) {
        return Err(Error::Unsupported { origin: origin.into(), component: key, kind, supported });
    }
    let kind = v.get("type").and_then(Value::as_str).unwrap_or("(no type)");
    serde_json::from_value(v.clone()).map(Some).map_err(|e| Error::json(origin, format!("{key} {kind}: {e}")))
}

/// Truncation / padding settings; `null` or absent is `None`.
fn settings<T: DeserializeOwned>(obj: &Map<String, Value>, key: &str, origin: &str) -> Result<Option<T>> {
    let Some(v) = obj.get(key).filter(|v| !v.is_null()) else { return Ok(None) };
    serde_json::from_value(v.clone()).map(Some).map_err(|e| Error::json(origin, format!("{key}: {e}")))
}

/// The first `"type"` in `v` (itself or nested in a Sequence) that is not in `supported`.
fn unknown_type(v: &Value, supported: &str) -> Option<String> {
    match v {
        Value::Object(m) => {
            if let Some(t) = m.get("type").and_then(Value::as_str) {
                if !supported.split(',').any(|s| s.trim() == t) {
                    return Some(t.to_string());
                }
            } else if m.contains_key("type") {
                return Some(m["type"].to_string());
            }
            // Only a Sequence nests components of the same family.
            if m.get("type").and_then(Value::as_str) == Some("Sequence") {
                return m.values().filter(|x| x.is_array()).find_map(|x| unknown_type(x, supported));
            }
            None
        }
        Value::Array(items) => items.iter().find_map(|x| unknown_type(x, supported)),
        _ => None,
    }
}

/// The file HF writes, fields in HF's order.
#[derive(Serialize)]
struct FileOut<'a> {
    version: &'static str,
    truncation: Option<&'a TruncationParams>,
    padding: Option<&'a PaddingParams>,
    added_tokens: Vec<HfAddedTokenWithId>,
    normalizer: Option<&'a Normalizer>,
    pre_tokenizer: Option<&'a PreTokenizer>,
    post_processor: Option<&'a PostProcessor>,
    decoder: Option<&'a Decoder>,
    model: Value,
}

/// The `tokenizer.json` text of `tok` (HF's `to_string(pretty)`).
pub fn to_string(tok: &HfTokenizer, pretty: bool) -> Result<String> {
    let out = FileOut {
        version: "1.0",
        truncation: tok.truncation.as_ref(),
        padding: tok.padding.as_ref(),
        added_tokens: tok.added.tokens_with_ids(),
        normalizer: tok.normalizer.as_ref(),
        pre_tokenizer: tok.pre_tokenizer.as_ref(),
        post_processor: tok.post_processor.as_ref(),
        decoder: tok.decoder.as_ref(),
        model: tok.model.to_json(),
    };
    let r = if pretty { serde_json::to_string_pretty(&out) } else { serde_json::to_string(&out) };
    r.map_err(|e| Error::json("<save>", e.to_string()))
}
