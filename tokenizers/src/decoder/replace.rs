//! The `Replace` decoder: every match of a literal or regex pattern in each token becomes `content`.

use serde::{Deserialize, Serialize};

use super::Decode;
use crate::error::{Error, Result};
use crate::normalizer::pattern::{CompiledPattern, Pattern, PatternSpec};

/// `{"String": "▁"}` or `{"Regex": "\\s+"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReplacePattern {
    String(String),
    Regex(String),
}

/// `{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "ReplaceRaw", into = "ReplaceRaw")]
pub struct Replace {
    pattern: ReplacePattern,
    content: String,
    /// Compiled for `Regex` patterns, with HF's Oniguruma semantics (`^`/`$` at line boundaries,
    /// empty matches reported), shared with the Replace normalizer and Split.
    regex: Option<CompiledPattern>,
}

#[derive(Serialize, Deserialize)]
struct ReplaceRaw {
    pattern: ReplacePattern,
    content: String,
}

impl PartialEq for Replace {
    fn eq(&self, other: &Self) -> bool {
        self.pattern == other.pattern && self.content == other.content
    }
}

impl TryFrom<ReplaceRaw> for Replace {
    type Error = Error;
    fn try_from(raw: ReplaceRaw) -> Result<Self> {
        Replace::new(raw.pattern, raw.content)
    }
}

impl From<Replace> for ReplaceRaw {
    fn from(r: Replace) -> Self {
        ReplaceRaw { pattern: r.pattern, content: r.content }
    }
}

impl Replace {
    pub fn new(pattern: ReplacePattern, content: String) -> Result<Self> {
        let regex = match &pattern {
            ReplacePattern::String(_) => None,
            ReplacePattern::Regex(r) => Some(CompiledPattern::new(&PatternSpec::Regex(r.clone()))?),
        };
        Ok(Replace { pattern, content, regex })
    }

    pub fn pattern(&self) -> &ReplacePattern {
        &self.pattern
    }

    pub fn content(&self) -> &str {
        &self.content
    }

    fn replace_one(&self, token: &str) -> Result<String> {
        match (&self.pattern, &self.regex) {
            (ReplacePattern::String(p), _) if p.is_empty() => Ok(token.to_string()),
            (ReplacePattern::String(p), _) => Ok(token.replace(p.as_str(), &self.content)),
            (_, Some(re)) => {
                // Every match piece becomes `content`, empty ones included (HF: `x*` on "ab" gives
                // "_a_b_").
                let mut pieces = Vec::new();
                re.find_matches(token, &mut pieces);
                let mut out = String::with_capacity(token.len());
                for (s, e, is_match) in pieces {
                    out.push_str(if is_match { &self.content } else { &token[s..e] });
                }
                Ok(out)
            }
            (ReplacePattern::Regex(_), None) => unreachable!("regex compiled in Replace::new"),
        }
    }
}

impl Decode for Replace {
    fn decode_chain(&self, tokens: Vec<String>) -> Result<Vec<String>> {
        tokens.iter().map(|t| self.replace_one(t)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_and_regex() {
        let d = Replace::new(ReplacePattern::String("▁".into()), " ".into()).unwrap();
        assert_eq!(d.decode(vec!["▁Hey".into(), "▁friend▁".into()]).unwrap(), " Hey friend ");
        let d = Replace::new(ReplacePattern::Regex(r"\s+".into()), "_".into()).unwrap();
        assert_eq!(d.decode_chain(vec!["a  b \tc".into()]).unwrap(), vec!["a_b_c"]);
        assert!(Replace::new(ReplacePattern::Regex("(".into()), "".into()).is_err());
    }

    #[test]
    fn regex_semantics_as_hf() {
        // Expectations from HF tokenizers 0.23.3: decoders.Replace(Regex(p), "_").decode([t]).
        let cases: &[(&str, &str, &str)] = &[
            ("^a", "abc", "_bc"),
            ("^a", "bab", "bab"),
            ("^a", "a\na", "_\n_"),
            ("a$", "aba", "ab_"),
            ("a$", "a\na", "_\n_"),
            ("x*", "abc", "_a_b_c_"),
            ("x*", "xxb", "_b_"),
            ("x*", "", ""),
            ("b|", "abc", "_a_c_"),
        ];
        for &(pattern, token, want) in cases {
            let d = Replace::new(ReplacePattern::Regex(pattern.into()), "_".into()).unwrap();
            assert_eq!(d.decode_chain(vec![token.into()]).unwrap(), vec![want.to_string()], "{pattern:?} on {token:?}");
        }
    }
}
