//! `Sequence`: several post-processors applied in turn to the same encodings.

use serde::{Deserialize, Serialize};

use super::{PostProcess, PostProcessor};
use crate::encoding::Encoding;
use crate::error::Result;

/// `{"type": "Sequence", "processors": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequenceProcessing {
    pub processors: Vec<PostProcessor>,
}

impl PostProcess for SequenceProcessing {
    fn added_tokens(&self, is_pair: bool) -> usize {
        self.processors.iter().map(|p| p.added_tokens(is_pair)).sum()
    }

    fn process_encodings(&self, mut encodings: Vec<Encoding>, add_special_tokens: bool) -> Result<Vec<Encoding>> {
        for p in &self.processors {
            encodings = p.process_encodings(encodings, add_special_tokens)?;
        }
        Ok(encodings)
    }
}
