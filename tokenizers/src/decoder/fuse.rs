//! The `Fuse` decoder: all tokens into one string.

use serde::{Deserialize, Serialize};

use super::Decode;
use crate::error::Result;

/// `{"type": "Fuse"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fuse {}

impl Decode for Fuse {
    fn decode_chain(&self, tokens: Vec<String>) -> Result<Vec<String>> {
        Ok(vec![tokens.concat()])
    }
}
