//! `Digits`: splits numeric chars (`char::is_numeric`) from the rest, each digit alone or runs of
//! digits together.

use super::pre_tokenized::PreTokenizedString;
use super::pre_tokenizer::PreTokenize;
use crate::error::Result;
use crate::normalizer::pattern::CharPredicate;
use crate::normalizer::SplitBehavior;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Digits {
    #[serde(default)]
    pub individual_digits: bool,
}

impl PreTokenize for Digits {
    fn pre_tokenize(&self, s: &mut PreTokenizedString) -> Result<()> {
        let behavior = if self.individual_digits { SplitBehavior::Isolated } else { SplitBehavior::Contiguous };
        s.split(|_, n| Ok(n.split(CharPredicate(char::is_numeric), behavior)))
    }
}
