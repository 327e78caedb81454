//! `Metaspace` (SentencePiece style): spaces become the replacement char (`▁`), which is
//! prepended per the prepend scheme, and the text is split before each replacement char.

use super::pre_tokenized::PreTokenizedString;
use super::pre_tokenizer::PreTokenize;
use crate::error::Result;
use crate::normalizer::SplitBehavior;
use serde::{Deserialize, Serialize};

/// When the replacement char is put in front of a split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrependScheme {
    /// Only for the split that starts the input (offset 0).
    First,
    Always,
    Never,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct MetaspaceFields {
    replacement: char,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    prepend_scheme: Option<PrependScheme>,
    /// Files written before `prepend_scheme` existed.
    #[serde(default, skip_serializing)]
    add_prefix_space: Option<bool>,
    #[serde(default = "yes")]
    split: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "MetaspaceFields", into = "MetaspaceFields")]
pub struct Metaspace {
    pub replacement: char,
    pub prepend_scheme: PrependScheme,
    pub split: bool,
    /// `replacement` as a string.
    rep: String,
}

impl Metaspace {
    pub fn new(replacement: char, prepend_scheme: PrependScheme, split: bool) -> Self {
        Metaspace { replacement, prepend_scheme, split, rep: replacement.to_string() }
    }
}

impl Default for Metaspace {
    fn default() -> Self {
        Metaspace::new('▁', PrependScheme::Always, true)
    }
}

impl From<MetaspaceFields> for Metaspace {
    fn from(f: MetaspaceFields) -> Self {
        let scheme = f.prepend_scheme.unwrap_or(match f.add_prefix_space {
            Some(false) => PrependScheme::Never,
            _ => PrependScheme::Always,
        });
        Metaspace::new(f.replacement, scheme, f.split)
    }
}

impl From<Metaspace> for MetaspaceFields {
    fn from(m: Metaspace) -> Self {
        MetaspaceFields {
            replacement: m.replacement,
            prepend_scheme: Some(m.prepend_scheme),
            add_prefix_space: None,
            split: m.split,
        }
    }
}

impl PreTokenize for Metaspace {
    fn pre_tokenize(&self, s: &mut PreTokenizedString) -> Result<()> {
        s.split(|_, mut n| {
            n.replace(' ', &self.rep);
            let prepend = match self.prepend_scheme {
                PrependScheme::Always => true,
                // HF's rule: the split starts the input. In a pipeline, a normalized stretch is
                // re-cut to the original range its text covers first (HF slices it while matching
                // added tokens), so after a normalizer that dropped leading chars ("  x" through
                // Strip/Precompiled) the split no longer starts at 0 and gets no prefix.
                PrependScheme::First => n.original_offsets().start == 0,
                PrependScheme::Never => false,
            };
            if prepend && !n.normalized().starts_with(self.replacement) {
                n.prepend(&self.rep);
            }
            if self.split {
                Ok(n.split(self.replacement, SplitBehavior::MergedWithNext))
            } else {
                Ok(vec![n])
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metaspace() {
        let mut s = PreTokenizedString::new("Hey   friend!", 0);
        Metaspace::default().pre_tokenize(&mut s).unwrap();
        let got: Vec<_> = s.splits_with_offsets().into_iter().map(|(a, r)| (a.to_string(), r)).collect();
        let want: Vec<(String, std::ops::Range<usize>)> =
            vec![("▁Hey".into(), 0..3), ("▁".into(), 3..4), ("▁".into(), 4..5), ("▁friend!".into(), 5..13)];
        assert_eq!(got, want);
        let m: Metaspace = serde_json::from_str(r#"{"replacement":"▁","add_prefix_space":false}"#).unwrap();
        assert_eq!(m.prepend_scheme, PrependScheme::Never);
        assert!(m.split);
    }

    #[test]
    fn first_only_where_the_split_starts_the_input() {
        let first = Metaspace::new('▁', PrependScheme::First, true);
        let mut n = crate::normalizer::NormalizedString::new("  ab cd", 0);
        n.strip();
        // Bare (as HF's `pre_tokenize_str` on a normalized string): still starts at 0.
        let mut s = PreTokenizedString::from_normalized(n.clone());
        first.pre_tokenize(&mut s).unwrap();
        assert_eq!(s.splits_with_offsets()[0], ("▁ab", 2..4));
        // Re-cut to what the text covers (as the pipeline does): starts at 2.
        let mut s = PreTokenizedString::from_normalized(n.slice(0..n.len()).unwrap());
        first.pre_tokenize(&mut s).unwrap();
        let got: Vec<_> = s.splits_with_offsets().into_iter().map(|(a, r)| (a.to_string(), r)).collect();
        let want: Vec<(String, std::ops::Range<usize>)> = vec![("ab".into(), 2..4), ("▁cd".into(), 4..7)];
        assert_eq!(got, want);
        let mut s = PreTokenizedString::new("ab", 0);
        first.pre_tokenize(&mut s).unwrap();
        assert_eq!(s.splits_with_offsets(), vec![("▁ab", 0..2)]);
    }
}
