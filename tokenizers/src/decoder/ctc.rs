//! The `CTC` decoder (speech models): repeated tokens collapse, the pad token disappears, the word
//! delimiter becomes a space, with the WordPiece cleanup rules.

use serde::{Deserialize, Serialize};

use super::wordpiece::cleanup;
use super::Decode;
use crate::error::Result;

/// `{"type": "CTC", "pad_token": "<pad>", "word_delimiter_token": "|", "cleanup": true}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ctc {
    pub pad_token: String,
    pub word_delimiter_token: String,
    pub cleanup: bool,
}

impl Default for Ctc {
    fn default() -> Self {
        Ctc { pad_token: "<pad>".into(), word_delimiter_token: "|".into(), cleanup: true }
    }
}

impl Decode for Ctc {
    fn decode_chain(&self, mut tokens: Vec<String>) -> Result<Vec<String>> {
        tokens.dedup();
        Ok(tokens
            .into_iter()
            .filter_map(|token| {
                let mut t = token.replace(&self.pad_token, "");
                if self.cleanup {
                    t = cleanup(&t).replace(&self.word_delimiter_token, " ");
                }
                (!t.is_empty()).then_some(t)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_and_delimits() {
        let toks = "<pad> <pad> h e e l l <pad> l o o o <pad> | w o r l d".split(' ').map(String::from).collect();
        assert_eq!(Ctc::default().decode(toks).unwrap(), "hello world");
    }
}
