//! The `BPEDecoder`: the end-of-word suffix (`</w>`) becomes a space, except on the last token.

use serde::{Deserialize, Serialize};

use super::Decode;
use crate::error::Result;

/// `{"type": "BPEDecoder", "suffix": "</w>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BpeDecoder {
    #[serde(default = "default_suffix")]
    pub suffix: String,
}

fn default_suffix() -> String {
    "</w>".into()
}

impl Default for BpeDecoder {
    fn default() -> Self {
        BpeDecoder { suffix: default_suffix() }
    }
}

impl Decode for BpeDecoder {
    fn decode_chain(&self, tokens: Vec<String>) -> Result<Vec<String>> {
        let last = tokens.len().saturating_sub(1);
        Ok(tokens
            .into_iter()
            .enumerate()
            .map(|(i, t)| t.replace(&self.suffix, if i == last { "" } else { " " }))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_to_space() {
        let d = BpeDecoder::default();
        assert_eq!(d.decode(vec!["hel".into(), "lo</w>".into(), "world</w>".into()]).unwrap(), "hello world");
        assert_eq!(d.decode(vec![]).unwrap(), "");
    }
}
