//! Hugging Face pre-tokenizers: the [`PreTokenize`] trait and the [`PreTokenizer`] serde enum in
//! `tokenizer.json`'s shape (`{"type": "Metaspace", ...}`). Each family lives in its own file.

use super::bert::BertPreTokenizer;
use super::byte_level::ByteLevel;
use super::char_delimiter::CharDelimiterSplit;
use super::digits::Digits;
use super::fixed_length::FixedLength;
use super::metaspace::Metaspace;
use super::pre_tokenized::PreTokenizedString;
use super::punctuation::Punctuation;
use super::split::Split;
use super::unicode_scripts::UnicodeScripts;
use super::whitespace::{Whitespace, WhitespaceSplit};
use crate::error::Result;
use serde::{Deserialize, Deserializer, Serialize};

/// A pre-tokenization step.
pub trait PreTokenize {
    fn pre_tokenize(&self, s: &mut PreTokenizedString) -> Result<()>;
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type")]
enum Repr {
    BertPreTokenizer(BertPreTokenizer),
    Whitespace(Whitespace),
    WhitespaceSplit(WhitespaceSplit),
    Punctuation(Punctuation),
    Digits(Digits),
    Metaspace(Metaspace),
    ByteLevel(ByteLevel),
    Split(Split),
    UnicodeScripts(UnicodeScripts),
    CharDelimiterSplit(CharDelimiterSplit),
    FixedLength(FixedLength),
    Sequence { pretokenizers: Vec<PreTokenizer> },
}

/// A pre-tokenizer in Hugging Face's JSON shape.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct PreTokenizer(Repr);

const SUPPORTED: &str = "BertPreTokenizer, Whitespace, WhitespaceSplit, Punctuation, Digits, Metaspace, ByteLevel, \
     Split, UnicodeScripts, CharDelimiterSplit, FixedLength, Sequence";

impl<'de> Deserialize<'de> for PreTokenizer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        let v = serde_json::Value::deserialize(d)?;
        let kind = v.get("type").and_then(|t| t.as_str()).unwrap_or("").to_string();
        if !SUPPORTED.split(", ").any(|k| k == kind) {
            return Err(D::Error::custom(format!("unsupported pre_tokenizer type {kind:?} (supported: {SUPPORTED})")));
        }
        Repr::deserialize(v).map(PreTokenizer).map_err(|e| D::Error::custom(format!("pre_tokenizer {kind}: {e}")))
    }
}

macro_rules! from_component {
    ($($t:ident),* $(,)?) => {
        $(impl From<$t> for PreTokenizer {
            fn from(x: $t) -> Self {
                PreTokenizer(Repr::$t(x))
            }
        })*
    };
}
from_component!(
    BertPreTokenizer,
    Whitespace,
    WhitespaceSplit,
    Punctuation,
    Digits,
    Metaspace,
    ByteLevel,
    Split,
    UnicodeScripts,
    CharDelimiterSplit,
    FixedLength
);

impl PreTokenizer {
    pub fn sequence(pretokenizers: Vec<PreTokenizer>) -> Self {
        PreTokenizer(Repr::Sequence { pretokenizers })
    }

    /// The `"type"` name HF writes.
    pub fn kind(&self) -> &'static str {
        match &self.0 {
            Repr::BertPreTokenizer(_) => "BertPreTokenizer",
            Repr::Whitespace(_) => "Whitespace",
            Repr::WhitespaceSplit(_) => "WhitespaceSplit",
            Repr::Punctuation(_) => "Punctuation",
            Repr::Digits(_) => "Digits",
            Repr::Metaspace(_) => "Metaspace",
            Repr::ByteLevel(_) => "ByteLevel",
            Repr::Split(_) => "Split",
            Repr::UnicodeScripts(_) => "UnicodeScripts",
            Repr::CharDelimiterSplit(_) => "CharDelimiterSplit",
            Repr::FixedLength(_) => "FixedLength",
            Repr::Sequence { .. } => "Sequence",
        }
    }

    /// The ByteLevel pre-tokenizer inside (directly or in a Sequence), if any: its
    /// `add_prefix_space` / `trim_offsets` matter to the post-processor and decoder.
    pub fn byte_level(&self) -> Option<&ByteLevel> {
        match &self.0 {
            Repr::ByteLevel(b) => Some(b),
            Repr::Sequence { pretokenizers } => pretokenizers.iter().find_map(|p| p.byte_level()),
            _ => None,
        }
    }

    /// Pre-tokenizes a whole string (HF's `pre_tokenize_str`): pieces with absolute original
    /// BYTE offsets (HF's Python API gives char offsets).
    pub fn pre_tokenize_str(&self, text: &str) -> Result<Vec<(String, std::ops::Range<usize>)>> {
        let mut p = PreTokenizedString::new(text, 0);
        self.pre_tokenize(&mut p)?;
        Ok(p.splits_with_offsets().into_iter().map(|(s, r)| (s.to_string(), r)).collect())
    }
}

impl PreTokenize for PreTokenizer {
    fn pre_tokenize(&self, s: &mut PreTokenizedString) -> Result<()> {
        match &self.0 {
            Repr::BertPreTokenizer(p) => p.pre_tokenize(s),
            Repr::Whitespace(p) => p.pre_tokenize(s),
            Repr::WhitespaceSplit(p) => p.pre_tokenize(s),
            Repr::Punctuation(p) => p.pre_tokenize(s),
            Repr::Digits(p) => p.pre_tokenize(s),
            Repr::Metaspace(p) => p.pre_tokenize(s),
            Repr::ByteLevel(p) => p.pre_tokenize(s),
            Repr::Split(p) => p.pre_tokenize(s),
            Repr::UnicodeScripts(p) => p.pre_tokenize(s),
            Repr::CharDelimiterSplit(p) => p.pre_tokenize(s),
            Repr::FixedLength(p) => p.pre_tokenize(s),
            Repr::Sequence { pretokenizers } => pretokenizers.iter().try_for_each(|p| p.pre_tokenize(s)),
        }
    }
}

/// Cuts `s` into the given normalized byte ranges (slices on char boundaries by construction).
pub(crate) fn slices(
    s: &crate::normalizer::NormalizedString,
    ranges: &[(usize, usize)],
) -> Vec<crate::normalizer::NormalizedString> {
    ranges.iter().filter_map(|&(a, b)| s.slice(a..b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_and_unknown_type() {
        let json = r#"{"type":"Sequence","pretokenizers":[{"type":"WhitespaceSplit"},{"type":"Digits","individual_digits":true},
            {"type":"Split","pattern":{"String":"-"},"behavior":"Isolated","invert":false}]}"#;
        let p: PreTokenizer = serde_json::from_str(json).unwrap();
        let got = p.pre_tokenize_str("ab-12 c").unwrap();
        let want: Vec<(String, std::ops::Range<usize>)> =
            vec![("ab".into(), 0..2), ("-".into(), 2..3), ("1".into(), 3..4), ("2".into(), 4..5), ("c".into(), 6..7)];
        assert_eq!(got, want);
        assert_eq!(serde_json::to_value(&p).unwrap(), serde_json::from_str::<serde_json::Value>(json).unwrap());
        let err = serde_json::from_str::<PreTokenizer>(r#"{"type":"Nope"}"#).unwrap_err().to_string();
        assert!(err.contains("pre_tokenizer type \"Nope\""), "{err}");
    }
}
