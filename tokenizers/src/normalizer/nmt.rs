//! `Nmt`: the control-character clean-up of SentencePiece's NMT rules, as HF's `Nmt` normalizer.
//! C0 controls other than tab/LF/FF/CR (and NUL, which HF keeps), DEL, U+008F and U+009F are
//! removed; tab, LF, FF, CR, OGHAM SPACE MARK, the zero-width/direction marks U+200B..=U+200F,
//! the line/paragraph separators, `▁` (U+2581), the BOM and U+FFFD become a plain space.

use super::{Normalize, NormalizedString};
use crate::error::Result;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Nmt {}

fn removed(c: char) -> bool {
    matches!(c as u32, 0x01..=0x08 | 0x0B | 0x0E..=0x1F | 0x7F | 0x8F | 0x9F)
}

fn to_space(c: char) -> bool {
    matches!(
        c as u32,
        0x09 | 0x0A | 0x0C | 0x0D | 0x1680 | 0x200B..=0x200F | 0x2028 | 0x2029 | 0x2581 | 0xFEFF | 0xFFFD
    )
}

impl Normalize for Nmt {
    fn normalize(&self, s: &mut NormalizedString) -> Result<()> {
        // Everything either rule touches is a control/format char; plain text skips both passes.
        if s.normalized().chars().any(|c| removed(c) || to_space(c)) {
            s.filter(|c| !removed(c));
            s.map(|c| if to_space(c) { ' ' } else { c });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_and_maps_like_hf() {
        let mut s = NormalizedString::new("a\u{1}b\tc\u{200b}d\u{7f}\u{0}e\u{feff}", 0);
        Nmt {}.normalize(&mut s).unwrap();
        assert_eq!(s.normalized(), "ab c d\u{0}e ");
        // "d" keeps its own original place although the char before it was a 3-byte one.
        let d = s.normalized().find('d').unwrap();
        assert_eq!(s.original_range(d..d + 1), Some(8..9));
    }
}
