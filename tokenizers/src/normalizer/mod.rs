//! Normalizers: the first stage of a `tokenizer.json` pipeline. Each one edits a
//! [`NormalizedString`] (text + alignments to the original) in place; [`Normalizer`] is the
//! serde enum in Hugging Face's JSON shape (`{"type": "BertNormalizer", ...}`).

pub mod bert;
pub mod byte_level;
pub mod case;
pub mod char_class;
pub mod hf_char_tables;
pub mod nmt;
pub mod normalized;
pub mod pattern;
pub mod precompiled;
pub mod prepend;
pub mod replace;
pub mod strip;
pub mod unicode_forms;

pub use bert::BertNormalizer;
pub use byte_level::ByteLevelNormalizer;
pub use case::Lowercase;
pub use nmt::Nmt;
pub use normalized::NormalizedString;
pub use pattern::{Invert, Pattern, PatternSpec, SplitBehavior};
pub use precompiled::Precompiled;
pub use prepend::Prepend;
pub use replace::Replace;
pub use strip::{Strip, StripAccents};
pub use unicode_forms::{Nfc, Nfd, Nfkc, Nfkd};

use crate::error::Result;
use serde::{Deserialize, Deserializer, Serialize};

/// A normalization step.
pub trait Normalize {
    fn normalize(&self, s: &mut NormalizedString) -> Result<()>;
}

/// Any normalizer a `tokenizer.json` can name.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type")]
enum Repr {
    BertNormalizer(BertNormalizer),
    Lowercase(Lowercase),
    Strip(Strip),
    StripAccents(StripAccents),
    #[serde(rename = "NFC")]
    Nfc(Nfc),
    #[serde(rename = "NFD")]
    Nfd(Nfd),
    #[serde(rename = "NFKC")]
    Nfkc(Nfkc),
    #[serde(rename = "NFKD")]
    Nfkd(Nfkd),
    Replace(Replace),
    Prepend(Prepend),
    Precompiled(Precompiled),
    ByteLevel(ByteLevelNormalizer),
    Nmt(Nmt),
    Sequence {
        normalizers: Vec<Normalizer>,
    },
}

/// A normalizer in Hugging Face's JSON shape.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct Normalizer(Repr);

const SUPPORTED: &str =
    "BertNormalizer, Lowercase, Strip, StripAccents, NFC, NFD, NFKC, NFKD, Replace, Prepend, Precompiled, ByteLevel, Nmt, Sequence";

impl<'de> Deserialize<'de> for Normalizer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        let v = serde_json::Value::deserialize(d)?;
        let kind = v.get("type").and_then(|t| t.as_str()).unwrap_or("").to_string();
        if !SUPPORTED.split(", ").any(|k| k == kind) {
            return Err(D::Error::custom(format!("unsupported normalizer type {kind:?} (supported: {SUPPORTED})")));
        }
        Repr::deserialize(v).map(Normalizer).map_err(|e| D::Error::custom(format!("normalizer {kind}: {e}")))
    }
}

impl Normalizer {
    /// The `"type"` name HF writes for this normalizer.
    pub fn kind(&self) -> &'static str {
        match &self.0 {
            Repr::BertNormalizer(_) => "BertNormalizer",
            Repr::Lowercase(_) => "Lowercase",
            Repr::Strip(_) => "Strip",
            Repr::StripAccents(_) => "StripAccents",
            Repr::Nfc(_) => "NFC",
            Repr::Nfd(_) => "NFD",
            Repr::Nfkc(_) => "NFKC",
            Repr::Nfkd(_) => "NFKD",
            Repr::Replace(_) => "Replace",
            Repr::Prepend(_) => "Prepend",
            Repr::Precompiled(_) => "Precompiled",
            Repr::ByteLevel(_) => "ByteLevel",
            Repr::Nmt(_) => "Nmt",
            Repr::Sequence { .. } => "Sequence",
        }
    }

    pub fn sequence(normalizers: Vec<Normalizer>) -> Self {
        Normalizer(Repr::Sequence { normalizers })
    }

    /// Normalizes a whole string and returns the result (HF's `normalize_str`).
    pub fn normalize_str(&self, text: &str) -> Result<String> {
        let mut n = NormalizedString::new(text, 0);
        self.normalize(&mut n)?;
        Ok(n.normalized().to_string())
    }
}

macro_rules! from_component {
    ($($t:ident => $v:ident),* $(,)?) => {
        $(impl From<$t> for Normalizer {
            fn from(x: $t) -> Self {
                Normalizer(Repr::$v(x))
            }
        })*
    };
}
from_component!(
    BertNormalizer => BertNormalizer, Lowercase => Lowercase, Strip => Strip, StripAccents => StripAccents,
    Nfc => Nfc, Nfd => Nfd, Nfkc => Nfkc, Nfkd => Nfkd, Replace => Replace, Prepend => Prepend,
    Precompiled => Precompiled, ByteLevelNormalizer => ByteLevel, Nmt => Nmt,
);

impl Normalize for Normalizer {
    fn normalize(&self, s: &mut NormalizedString) -> Result<()> {
        match &self.0 {
            Repr::BertNormalizer(n) => n.normalize(s),
            Repr::Lowercase(n) => n.normalize(s),
            Repr::Strip(n) => n.normalize(s),
            Repr::StripAccents(n) => n.normalize(s),
            Repr::Nfc(_) => {
                s.nfc();
                Ok(())
            }
            Repr::Nfd(_) => {
                s.nfd();
                Ok(())
            }
            Repr::Nfkc(_) => {
                s.nfkc();
                Ok(())
            }
            Repr::Nfkd(_) => {
                s.nfkd();
                Ok(())
            }
            Repr::Replace(n) => n.normalize(s),
            Repr::Prepend(n) => n.normalize(s),
            Repr::Precompiled(n) => n.normalize(s),
            Repr::ByteLevel(n) => n.normalize(s),
            Repr::Nmt(n) => n.normalize(s),
            Repr::Sequence { normalizers } => normalizers.iter().try_for_each(|n| n.normalize(s)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_and_unknown_type() {
        let json = r#"{"type":"Sequence","normalizers":[{"type":"NFKC"},{"type":"Lowercase"},
            {"type":"Replace","pattern":{"Regex":" {2,}"},"content":" "},
            {"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,"strip_accents":null,"lowercase":true}]}"#;
        let n: Normalizer = serde_json::from_str(json).unwrap();
        assert_eq!(n.kind(), "Sequence");
        assert_eq!(n.normalize_str("Ｈｅｌｌｏ   Wörld").unwrap(), "hello world");
        let back = serde_json::to_value(&n).unwrap();
        assert_eq!(back, serde_json::from_str::<serde_json::Value>(json).unwrap());
        let err = serde_json::from_str::<Normalizer>(r#"{"type":"Nope"}"#).unwrap_err().to_string();
        assert!(err.contains("normalizer type \"Nope\""), "{err}");
    }
}
