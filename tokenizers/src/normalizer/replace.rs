//! `Replace`: every match of a literal or regex pattern becomes `content`.

use super::pattern::{CompiledPattern, PatternSpec};
use super::{Normalize, NormalizedString};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// HF's JSON fields.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ReplaceFields {
    pattern: PatternSpec,
    content: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "ReplaceFields", into = "ReplaceFields")]
pub struct Replace {
    spec: PatternSpec,
    content: String,
    pattern: CompiledPattern,
}

impl Replace {
    pub fn new(pattern: PatternSpec, content: impl Into<String>) -> Result<Self> {
        let compiled = CompiledPattern::new(&pattern).map_err(|e| match e {
            Error::Pattern { pattern, reason } => {
                Error::Pattern { pattern, reason: format!("Replace normalizer: {reason}") }
            }
            other => other,
        })?;
        Ok(Replace { spec: pattern, content: content.into(), pattern: compiled })
    }
}

impl TryFrom<ReplaceFields> for Replace {
    type Error = Error;
    fn try_from(f: ReplaceFields) -> Result<Self> {
        Replace::new(f.pattern, f.content)
    }
}

impl From<Replace> for ReplaceFields {
    fn from(r: Replace) -> Self {
        ReplaceFields { pattern: r.spec, content: r.content }
    }
}

impl Normalize for Replace {
    fn normalize(&self, s: &mut NormalizedString) -> Result<()> {
        s.replace(&self.pattern, &self.content);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_and_regex() {
        let r = Replace::new(PatternSpec::String("ab".into()), "X").unwrap();
        let mut n = NormalizedString::new("ab cab", 0);
        r.normalize(&mut n).unwrap();
        assert_eq!(n.normalized(), "X cX");
        // HF aligns inserted replacement chars with the last char of the match.
        assert_eq!(n.original_range(3..4), Some(5..6));
        let r = Replace::new(PatternSpec::Regex(r"\A +| +\z".into()), "").unwrap();
        let mut n = NormalizedString::new("  a b  ", 0);
        r.normalize(&mut n).unwrap();
        assert_eq!(n.normalized(), "a b");
        assert_eq!(n.original_range(0..3), Some(2..5));
        assert!(Replace::new(PatternSpec::Regex("(".into()), "").is_err());
        // `^` is a line start, as in HF's Oniguruma: "  x\n  y" -> "x\ny".
        let r = Replace::new(PatternSpec::Regex("^ +".into()), "").unwrap();
        let mut n = NormalizedString::new("  x\n  y", 0);
        r.normalize(&mut n).unwrap();
        assert_eq!(n.normalized(), "x\ny");
    }
}
