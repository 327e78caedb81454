//! `Lowercase`: Unicode lowercasing (Rust's `char::to_lowercase`, as HF).

use super::{Normalize, NormalizedString};
use crate::error::Result;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Lowercase {}

impl Normalize for Lowercase {
    fn normalize(&self, s: &mut NormalizedString) -> Result<()> {
        s.lowercase();
        Ok(())
    }
}
