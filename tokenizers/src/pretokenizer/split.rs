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
