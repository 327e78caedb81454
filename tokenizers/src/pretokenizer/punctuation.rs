//! `Punctuation`: splits on punctuation chars (ASCII punctuation or Unicode P*), keeping them
//! per the behaviour (Isolated by default).

use super::pre_tokenized::PreTokenizedString;
use super::pre_tokenizer::PreTokenize;
use crate::error::Result;
use crate::normalizer::char_class::is_punctuation;
use crate::normalizer::pattern::CharPredicate;
use crate::normalizer::SplitBehavior;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Punctuation {
    #[serde(default = "isolated")]
    pub behavior: SplitBehavior,
}

fn isolated() -> SplitBehavior {
    SplitBehavior::Isolated
}

impl Default for Punctuation {
    fn default() -> Self {
        Punctuation { behavior: SplitBehavior::Isolated }
    }
}

impl PreTokenize for Punctuation {
    fn pre_tokenize(&self, s: &mut PreTokenizedString) -> Result<()> {
        s.split(|_, n| Ok(n.split(CharPredicate(is_punctuation), self.behavior)))
    }
}
