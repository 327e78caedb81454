//! The `Strip` decoder: removes up to `start` leading and `stop` trailing `content` chars from
//! each token.

use serde::{Deserialize, Serialize};

use super::Decode;
use crate::error::Result;

/// `{"type": "Strip", "content": " ", "start": 1, "stop": 0}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Strip {
    pub content: char,
    pub start: usize,
    pub stop: usize,
}

impl Decode for Strip {
    fn decode_chain(&self, tokens: Vec<String>) -> Result<Vec<String>> {
        Ok(tokens
            .into_iter()
            .map(|token| {
                let chars: Vec<char> = token.chars().collect();
                let start = chars.iter().take(self.start).take_while(|&&c| c == self.content).count();
                let stop = chars.len() - chars.iter().rev().take(self.stop).take_while(|&&c| c == self.content).count();
                // Hugging Face panics when both cuts overlap (a token made only of `content`); the
                // token is then entirely stripped.
                if start >= stop {
                    String::new()
                } else {
                    chars[start..stop].iter().collect()
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_both_ends() {
        let d = Strip { content: ' ', start: 1, stop: 1 };
        let toks = vec!["  a  ".to_string(), "b".into(), " ".into(), "".into()];
        assert_eq!(d.decode_chain(toks).unwrap(), vec![" a ", "b", "", ""]);
        let d = Strip { content: '_', start: 5, stop: 0 };
        assert_eq!(d.decode_chain(vec!["__x_".into()]).unwrap(), vec!["x_"]);
    }
}
