//! `ByteLevel` normalizer: every byte of the text becomes its GPT-2 byte-level char (the first
//! char of a multi-byte sequence replaces the source char, the others are inserted after it).

use super::{Normalize, NormalizedString};
use crate::decoder::byte_level::byte_to_char;
use crate::error::Result;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ByteLevelNormalizer {}

/// Applies the byte-level mapping to `s` (shared with the ByteLevel pre-tokenizer).
pub fn to_byte_level(s: &mut NormalizedString) {
    let text = s.normalized();
    if text.bytes().all(|b| (33..=126).contains(&b)) {
        // Printable ASCII other than space maps to itself: nothing changes. (Bytes 161..=255
        // also map to U+00A1.. but never stand alone in UTF-8, so only ASCII can be skipped.)
        return;
    }
    // Each byte of a char becomes one char, all aligned with the source char.
    s.expand_chars(|c, out| {
        let mut buf = [0u8; 4];
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            out.push(byte_to_char(b));
        }
    });
}

impl Normalize for ByteLevelNormalizer {
    fn normalize(&self, s: &mut NormalizedString) -> Result<()> {
        to_byte_level(s);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_bytes() {
        let mut n = NormalizedString::new("Hé y", 0);
        to_byte_level(&mut n);
        assert_eq!(n.normalized(), "HÃ©Ġy");
        assert_eq!(n.original_range(1..5), Some(1..3));
        assert_eq!(n.original_range(5..7), Some(3..4));
    }
}
