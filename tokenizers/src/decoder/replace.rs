//! The `Replace` decoder: every match of a literal or regex pattern in each token becomes `content`.

use serde::{Deserialize, Serialize};

use super::Decode;
use crate::error::{Error, Result};

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
    /// Compiled for `Regex` patterns.
    regex: Option<fancy_regex::Regex>,
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
            ReplacePattern::Regex(r) => Some(
                fancy_regex::Regex::new(r).map_err(|e| Error::Pattern { pattern: r.clone(), reason: e.to_string() })?,
            ),
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
                let mut out = String::with_capacity(token.len());
                let mut last = 0;
                for m in re.find_iter(token) {
                    let m = m.map_err(|e| Error::Component { component: "Replace", reason: e.to_string() })?;
                    if m.end() == m.start() {
                        continue;
                    }
                    out.push_str(&token[last..m.start()]);
                    out.push_str(&self.content);
                    last = m.end();
                }
                out.push_str(&token[last..]);
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
}
