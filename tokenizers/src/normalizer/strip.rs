//! `Strip` (leading/trailing whitespace) and `StripAccents` (drops combining marks; HF does not
//! decompose first, so it is usually preceded by NFD/NFKD).

use super::char_class::is_combining_mark;
use super::{Normalize, NormalizedString};
use crate::error::Result;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Strip {
    pub strip_left: bool,
    pub strip_right: bool,
}

impl Default for Strip {
    fn default() -> Self {
        Strip { strip_left: true, strip_right: true }
    }
}

impl Normalize for Strip {
    fn normalize(&self, s: &mut NormalizedString) -> Result<()> {
        s.strip_sides(self.strip_left, self.strip_right);
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StripAccents {}

impl Normalize for StripAccents {
    fn normalize(&self, s: &mut NormalizedString) -> Result<()> {
        if !s.normalized().is_ascii() {
            s.filter(|c| !is_combining_mark(c));
        }
        Ok(())
    }
}
