//! `ByteLevel` pre-tokenizer (GPT-2): optional leading space, split with the GPT-2 regex (run by
//! the hand-written [`super::Splitter::Gpt2`] scanner), then every byte of every split becomes its
//! byte-level char, with alignments. `trim_offsets` is only used by the post-processor.

use super::pre_tokenized::PreTokenizedString;
use super::pre_tokenizer::PreTokenize;
use super::Splitter;
use crate::error::Result;
use crate::normalizer::byte_level::to_byte_level;
use crate::normalizer::SplitBehavior;
use serde::{Deserialize, Serialize};

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByteLevel {
    #[serde(default = "yes")]
    pub add_prefix_space: bool,
    #[serde(default = "yes")]
    pub trim_offsets: bool,
    #[serde(default = "yes")]
    pub use_regex: bool,
}

impl Default for ByteLevel {
    fn default() -> Self {
        ByteLevel { add_prefix_space: true, trim_offsets: true, use_regex: true }
    }
}

impl PreTokenize for ByteLevel {
    fn pre_tokenize(&self, s: &mut PreTokenizedString) -> Result<()> {
        let gpt2 = Splitter::Gpt2;
        s.split(|_, mut n| {
            if self.add_prefix_space && !n.normalized().starts_with(' ') {
                n.prepend(" ");
            }
            if self.use_regex {
                Ok(n.split(&gpt2, SplitBehavior::Isolated))
            } else {
                Ok(vec![n])
            }
        })?;
        s.normalize(|n| {
            to_byte_level(n);
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_level() {
        let mut s = PreTokenizedString::new("Hello my friend, how is your day going?", 0);
        ByteLevel::default().pre_tokenize(&mut s).unwrap();
        let got: Vec<_> = s.splits_with_offsets().into_iter().map(|(a, r)| (a.to_string(), r)).collect();
        assert_eq!(got[0], ("ĠHello".to_string(), 0..5));
        assert_eq!(got[1], ("Ġmy".to_string(), 5..8));
        assert_eq!(got[3], (",".to_string(), 15..16));
        assert_eq!(got.len(), 10);
    }
}
