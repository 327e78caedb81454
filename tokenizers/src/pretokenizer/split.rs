//! `Split`: splits on a literal or regex pattern (optionally inverted) with a delimiter
//! behaviour. Regexes run on [`super::Splitter`], so the GPT-2/cl100k/o200k patterns use the
//! hand-written scanners.

use super::pre_tokenized::PreTokenizedString;
use super::pre_tokenizer::PreTokenize;
use crate::error::{Error, Result};
use crate::normalizer::pattern::{CompiledPattern, Invert, PatternSpec};
use crate::normalizer::SplitBehavior;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SplitFields {
    pattern: PatternSpec,
    behavior: SplitBehavior,
    #[serde(default)]
    invert: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "SplitFields", into = "SplitFields")]
pub struct Split {
    spec: PatternSpec,
    pattern: CompiledPattern,
    pub behavior: SplitBehavior,
    pub invert: bool,
}

impl Split {
    pub fn new(pattern: PatternSpec, behavior: SplitBehavior, invert: bool) -> Result<Self> {
        let compiled = CompiledPattern::new(&pattern).map_err(|e| match e {
            Error::Pattern { pattern, reason } => {
                Error::Pattern { pattern, reason: format!("Split pre-tokenizer: {reason}") }
            }
            other => other,
        })?;
        Ok(Split { spec: pattern, pattern: compiled, behavior, invert })
    }
}

impl TryFrom<SplitFields> for Split {
    type Error = Error;
    fn try_from(f: SplitFields) -> Result<Self> {
        Split::new(f.pattern, f.behavior, f.invert)
    }
}

impl From<Split> for SplitFields {
    fn from(s: Split) -> Self {
        SplitFields { pattern: s.spec, behavior: s.behavior, invert: s.invert }
    }
}

impl PreTokenize for Split {
    fn pre_tokenize(&self, s: &mut PreTokenizedString) -> Result<()> {
        if self.invert {
            s.split(|_, n| Ok(n.split(Invert(&self.pattern), self.behavior)))
        } else {
            s.split(|_, n| Ok(n.split(&self.pattern, self.behavior)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalizer::SplitBehavior;
    use crate::pretokenizer::{PreTokenize, PreTokenizedString};

    fn split(pattern: &str, text: &str) -> Vec<(String, std::ops::Range<usize>)> {
        let s = Split::new(PatternSpec::Regex(pattern.into()), SplitBehavior::Isolated, false).unwrap();
        let mut pts = PreTokenizedString::new(text, 0);
        s.pre_tokenize(&mut pts).unwrap();
        pts.splits_with_offsets().into_iter().map(|(t, r)| (t.to_string(), r)).collect()
    }

    /// HF runs patterns on Oniguruma: `^` and `$` match at every line (what HF 0.23 gives).
    #[test]
    fn anchors_match_at_lines_as_oniguruma() {
        let got = split("^a", "a\nab a");
        assert_eq!(got, [("a".into(), 0..1), ("\n".into(), 1..2), ("a".into(), 2..3), ("b a".into(), 3..6)]);
        let got = split("a$", "ba\nba a");
        assert_eq!(got, [("b".into(), 0..1), ("a".into(), 1..2), ("\nba ".into(), 2..6), ("a".into(), 6..7)]);
        // \A stays the start of the text.
        assert_eq!(split(r"\Aa", "a\na").len(), 2);
    }
}
