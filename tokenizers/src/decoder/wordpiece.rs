//! The `WordPiece` decoder: joins tokens with spaces except continuation pieces (`##ing`), and
//! Hugging Face's tokenization `cleanup` (" ." → "." and the English contractions).

use serde::{Deserialize, Serialize};

use super::Decode;
use crate::error::Result;

/// `{"type": "WordPiece", "prefix": "##", "cleanup": true}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordPieceDecoder {
    #[serde(default = "default_prefix")]
    pub prefix: String,
    #[serde(default = "yes")]
    pub cleanup: bool,
}

fn default_prefix() -> String {
    "##".into()
}

fn yes() -> bool {
    true
}

impl Default for WordPieceDecoder {
    fn default() -> Self {
        WordPieceDecoder { prefix: default_prefix(), cleanup: true }
    }
}

impl Decode for WordPieceDecoder {
    fn decode_chain(&self, tokens: Vec<String>) -> Result<Vec<String>> {
        Ok(tokens
            .into_iter()
            .enumerate()
            .map(|(i, token)| {
                let token = if i == 0 {
                    token
                } else if let Some(rest) = token.strip_prefix(self.prefix.as_str()) {
                    rest.to_string()
                } else {
                    format!(" {token}")
                };
                if self.cleanup {
                    cleanup(&token)
                } else {
                    token
                }
            })
            .collect())
    }
}

/// Hugging Face's `cleanup`: the replacements run in this order, each over the whole string.
pub fn cleanup(dirty: &str) -> String {
    const RULES: [(&str, &str); 11] = [
        (" .", "."),
        (" ?", "?"),
        (" !", "!"),
        (" ,", ","),
        (" ' ", "'"),
        (" n't", "n't"),
        (" 'm", "'m"),
        (" do not", " don't"),
        (" 's", "'s"),
        (" 've", "'ve"),
        (" 're", "'re"),
    ];
    let mut s = dirty.to_string();
    for (from, to) in RULES {
        if s.contains(from) {
            s = s.replace(from, to);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_pieces_and_cleans() {
        let d = WordPieceDecoder::default();
        let toks = ["i", "do", "not", "know", "##ing", "it", "'", "s", "fine", "."];
        // Cleanup runs per token, so " do not" only matches inside one token (checked against HF).
        assert_eq!(d.decode(toks.iter().map(|s| s.to_string()).collect()).unwrap(), "i do not knowing it ' s fine.");
        assert_eq!(d.decode(vec!["i".into(), " do not".into()]).unwrap(), "i  don't");
        let raw = WordPieceDecoder { cleanup: false, ..Default::default() };
        assert_eq!(raw.decode(vec!["a".into(), ".".into()]).unwrap(), "a .");
    }
}
