//! `Prepend`: puts a string before any non-empty text (SentencePiece-style `▁` prefix).

use super::{Normalize, NormalizedString};
use crate::error::Result;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prepend {
    pub prepend: String,
}

impl Normalize for Prepend {
    fn normalize(&self, s: &mut NormalizedString) -> Result<()> {
        s.prepend(&self.prepend);
        Ok(())
    }
}
