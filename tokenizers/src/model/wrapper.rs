//! [`ModelWrapper`]: any `tokenizer.json` model behind one type, read and written in HF's exact
//! JSON shape (`{"type": "WordPiece", ...}`). An unknown `type` is an error naming it; an object
//! without `type` (old files) is read as the first model its fields fit, as HF does.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::borrow::Cow;

use super::hf_bpe::{DropoutCall, HfBpe};
use super::unigram::Unigram;
use super::wordlevel::WordLevel;
use super::wordpiece::WordPiece;
use super::{Model, Token};
use crate::error::{Error, Result};

pub const MODEL_TYPES: &str = "BPE, WordPiece, WordLevel, Unigram";

#[derive(Debug)]
#[allow(clippy::upper_case_acronyms)]
pub enum ModelWrapper {
    BPE(HfBpe),
    WordPiece(WordPiece),
    WordLevel(WordLevel),
    Unigram(Unigram),
}

impl ModelWrapper {
    /// Reads the `model` object of a `tokenizer.json`; `origin` names the file in errors.
    pub fn from_json(v: &Value, origin: &str) -> Result<Self> {
        if !v.is_object() {
            return Err(Error::json(origin, "model is not an object"));
        }
        match v.get("type") {
            Some(Value::String(t)) => match t.as_str() {
                "BPE" => Ok(Self::BPE(HfBpe::from_json(v, origin)?)),
                "WordPiece" => Ok(Self::WordPiece(WordPiece::from_json(v, origin)?)),
                "WordLevel" => Ok(Self::WordLevel(WordLevel::from_json(v, origin)?)),
                "Unigram" => Ok(Self::Unigram(Unigram::from_json(v, origin)?)),
                other => Err(Error::Unsupported {
                    origin: origin.into(),
                    component: "model",
                    kind: other.into(),
                    supported: MODEL_TYPES,
                }),
            },
            Some(other) => Err(Error::json(origin, format!("model.type = {other} is not a string"))),
            // Untyped (legacy): HF tries BPE, WordPiece, WordLevel, then Unigram.
            None => HfBpe::from_json(v, origin)
                .map(Self::BPE)
                .or_else(|_| {
                    if v.get("continuing_subword_prefix").is_some() || v.get("max_input_chars_per_word").is_some() {
                        WordPiece::from_json(v, origin).map(Self::WordPiece)
                    } else {
                        Err(Error::json(origin, "not WordPiece"))
                    }
                })
                .or_else(|_| {
                    if v.get("vocab").is_some_and(Value::is_object) {
                        WordLevel::from_json(v, origin).map(Self::WordLevel)
                    } else {
                        Err(Error::json(origin, "not WordLevel"))
                    }
                })
                .or_else(|_| Unigram::from_json(v, origin).map(Self::Unigram))
                .map_err(|_| Error::json(origin, format!("model has no \"type\" and fits none of {MODEL_TYPES}"))),
        }
    }

    /// Parses a model from JSON text.
    pub fn from_json_str(json: &str, origin: &str) -> Result<Self> {
        let v: Value = serde_json::from_str(json)
            .map_err(|e| Error::json(origin, format!("line {}, column {}: {e}", e.line(), e.column())))?;
        Self::from_json(&v, origin)
    }

    /// HF's JSON object for the model.
    pub fn to_json(&self) -> Value {
        match self {
            Self::BPE(m) => m.to_json(),
            Self::WordPiece(m) => m.to_json(),
            Self::WordLevel(m) => m.to_json(),
            Self::Unigram(m) => m.to_json(),
        }
    }

    /// HF's name of the model type.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::BPE(_) => "BPE",
            Self::WordPiece(_) => "WordPiece",
            Self::WordLevel(_) => "WordLevel",
            Self::Unigram(_) => "Unigram",
        }
    }

    /// Begins an encoding call of a model that samples (BPE with dropout): see
    /// [`HfBpe::dropout_call`]. `None` for the others, at the cost of one match.
    #[inline]
    pub fn dropout_call(&self) -> Option<DropoutCall> {
        match self {
            Self::BPE(m) => m.dropout_call(),
            _ => None,
        }
    }

    fn inner(&self) -> &dyn Model {
        match self {
            Self::BPE(m) => m,
            Self::WordPiece(m) => m,
            Self::WordLevel(m) => m,
            Self::Unigram(m) => m,
        }
    }
}

impl Model for ModelWrapper {
    #[inline]
    fn tokenize(&self, piece: &str, out: &mut Vec<Token>) {
        // Direct calls so the hot path is not a virtual call.
        match self {
            Self::BPE(m) => m.tokenize(piece, out),
            Self::WordPiece(m) => m.tokenize(piece, out),
            Self::WordLevel(m) => m.tokenize(piece, out),
            Self::Unigram(m) => m.tokenize(piece, out),
        }
    }

    #[inline]
    fn try_tokenize(&self, piece: &str, out: &mut Vec<Token>) -> Result<()> {
        match self {
            Self::BPE(m) => m.tokenize_word(piece, out),
            Self::WordPiece(m) => m.tokenize_word(piece, out),
            Self::WordLevel(m) => m.tokenize_word(piece, out),
            Self::Unigram(m) => m.tokenize_word(piece, out),
        }
    }

    fn token_value<'a>(&'a self, token: &Token, piece: &'a str) -> Cow<'a, str> {
        self.inner().token_value(token, piece)
    }

    fn token_to_id(&self, token: &str) -> Option<u32> {
        self.inner().token_to_id(token)
    }

    fn id_to_token(&self, id: u32) -> Option<&str> {
        self.inner().id_to_token(id)
    }

    fn vocab_size(&self) -> usize {
        self.inner().vocab_size()
    }

    fn vocab(&self) -> Vec<(&str, u32)> {
        self.inner().vocab()
    }
}

impl Serialize for ModelWrapper {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> Deserialize<'de> for ModelWrapper {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Self::from_json(&v, "model").map_err(D::Error::custom)
    }
}

impl From<HfBpe> for ModelWrapper {
    fn from(m: HfBpe) -> Self {
        Self::BPE(m)
    }
}

impl From<WordPiece> for ModelWrapper {
    fn from(m: WordPiece) -> Self {
        Self::WordPiece(m)
    }
}

impl From<WordLevel> for ModelWrapper {
    fn from(m: WordLevel) -> Self {
        Self::WordLevel(m)
    }
}

impl From<Unigram> for ModelWrapper {
    fn from(m: Unigram) -> Self {
        Self::Unigram(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_type_names_component_and_type() {
        let e = ModelWrapper::from_json(&serde_json::json!({"type": "Foo"}), "t.json").unwrap_err();
        let s = e.to_string();
        assert!(s.contains("model") && s.contains("\"Foo\""), "{s}");
    }

    #[test]
    fn round_trips_each_type() {
        let cases = [
            r###"{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##","max_input_chars_per_word":100,"vocab":{"a":0,"[UNK]":1,"##b":2}}"###,
            r#"{"type":"WordLevel","vocab":{"a":0,"<unk>":1},"unk_token":"<unk>"}"#,
            r#"{"type":"Unigram","unk_id":0,"vocab":[["<unk>",0.0],["a",-1.0]],"byte_fallback":false}"#,
            r#"{"type":"BPE","dropout":null,"unk_token":null,"continuing_subword_prefix":null,"end_of_word_suffix":null,"fuse_unk":false,"byte_fallback":false,"ignore_merges":false,"vocab":{"a":0,"b":1,"ab":2},"merges":[["a","b"]]}"#,
        ];
        for c in cases {
            let m = ModelWrapper::from_json_str(c, "c").unwrap();
            let want: Value = serde_json::from_str(c).unwrap();
            assert_eq!(m.to_json(), want, "{c}");
            let again: ModelWrapper = serde_json::from_value(serde_json::to_value(&m).unwrap()).unwrap();
            assert_eq!(again.to_json(), want);
        }
    }

    #[test]
    fn bad_fields_are_named() {
        for (json, field) in [
            (r#"{"type":"BPE","vocab":{"a":0},"merges":[3]}"#, "model.merges[0]"),
            (r#"{"type":"BPE","vocab":{"a":"x"},"merges":[]}"#, "model.vocab[\"a\"]"),
            (r#"{"type":"Unigram","vocab":[["a"]]}"#, "model.vocab[0]"),
            (r#"{"type":"WordPiece","vocab":{},"unk_token":3}"#, "model.unk_token"),
            (r#"{"type":"BPE","vocab":{"a":0},"merges":[],"fuse_unk":"yes"}"#, "model.fuse_unk"),
        ] {
            let e = ModelWrapper::from_json_str(json, "f.json").unwrap_err().to_string();
            assert!(e.contains(field), "{json}: {e}");
        }
    }

    #[test]
    fn untyped_bpe_is_read_as_bpe() {
        let m = ModelWrapper::from_json_str(r#"{"vocab":{"a":0,"b":1,"ab":2},"merges":["a b"]}"#, "c").unwrap();
        assert_eq!(m.kind(), "BPE");
        let mut out = Vec::new();
        m.tokenize("ab", &mut out);
        assert_eq!(out, vec![Token { id: 2, start: 0, end: 2 }]);
    }
}
