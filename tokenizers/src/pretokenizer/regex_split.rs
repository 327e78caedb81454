//! Fallback splitter for arbitrary user patterns, on `fancy-regex` (the engine tiktoken uses, so
//! look-arounds and possessive quantifiers behave the same).

use crate::error::{Error, Result};

#[derive(Debug, Clone)]
pub struct RegexSplitter {
    pattern: String,
    regex: fancy_regex::Regex,
}

impl RegexSplitter {
    pub fn new(pattern: &str) -> Result<Self> {
        Self::compile(pattern, pattern)
    }

    /// A pattern with Oniguruma's (Ruby syntax) anchors, as Hugging Face tokenizers compiles
    /// `Split` and `Replace` regexes: `^` and `$` match at every line start and end, not only at
    /// the ends of the text (`\A`, `\z` do that).
    pub fn onig(pattern: &str) -> Result<Self> {
        Self::compile(pattern, &format!("(?m){pattern}"))
    }

    /// Keeps `pattern` (what serializes), runs `source`.
    fn compile(pattern: &str, source: &str) -> Result<Self> {
        let regex = fancy_regex::RegexBuilder::new(source)
            .backtrack_limit(usize::MAX / 2)
            .build()
            .map_err(|e| Error::Pattern { pattern: pattern.to_string(), reason: e.to_string() })?;
        Ok(RegexSplitter { pattern: pattern.to_string(), regex })
    }

    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    pub fn for_each_match(&self, text: &str, f: &mut dyn FnMut(usize, usize)) {
        for m in self.regex.find_iter(text) {
            // A backtrack-limit error cannot happen with the limit above; skip rather than panic.
            let Ok(m) = m else { break };
            if m.end() > m.start() {
                f(m.start(), m.end());
            }
        }
    }

    /// Like [`RegexSplitter::for_each_match`] but empty matches are reported too (Hugging Face's
    /// `Pattern` semantics for `Split` and `Replace`).
    pub fn for_each_match_with_empty(&self, text: &str, f: &mut dyn FnMut(usize, usize)) {
        for m in self.regex.find_iter(text) {
            let Ok(m) = m else { break };
            f(m.start(), m.end());
        }
    }
}
