//! `CharDelimiterSplit`: splits on one delimiter char, which is dropped.

use super::pre_tokenized::PreTokenizedString;
use super::pre_tokenizer::PreTokenize;
use crate::error::Result;
use crate::normalizer::SplitBehavior;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CharDelimiterSplit {
    pub delimiter: char,
}

impl PreTokenize for CharDelimiterSplit {
    fn pre_tokenize(&self, s: &mut PreTokenizedString) -> Result<()> {
        s.split(|_, n| Ok(n.split(self.delimiter, SplitBehavior::Removed)))
    }
}
