//! `Sequence`: decoders applied in turn, each to the previous one's output.

use serde::{Deserialize, Serialize};

use super::{Decode, Decoder};
use crate::error::Result;

/// `{"type": "Sequence", "decoders": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecoderSequence {
    pub decoders: Vec<Decoder>,
}

impl Decode for DecoderSequence {
    fn decode_chain(&self, mut tokens: Vec<String>) -> Result<Vec<String>> {
        for d in &self.decoders {
            tokens = d.decode_chain(tokens)?;
        }
        Ok(tokens)
    }
}
