//! The `ByteLevel` post-processor: trims the offsets of byte-level tokens so they do not cover the
//! leading/trailing spaces (`Ġ`) the token carries.

use super::PostProcess;
use crate::encoding::Encoding;
use crate::error::Result;

/// `{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true}`.
/// HF's one `ByteLevel` settings object serves the pre-tokenizer, this post-processor and the others.
pub type ByteLevelProcessing = crate::pretokenizer::ByteLevel;

impl PostProcess for ByteLevelProcessing {
    fn added_tokens(&self, _is_pair: bool) -> usize {
        0
    }

    fn process_encodings(&self, mut encodings: Vec<Encoding>, _add_special_tokens: bool) -> Result<Vec<Encoding>> {
        if self.trim_offsets {
            for e in &mut encodings {
                trim_offsets(e, self.add_prefix_space);
                for o in &mut e.overflowing {
                    trim_offsets(o, self.add_prefix_space);
                }
            }
        }
        for (i, e) in encodings.iter_mut().enumerate() {
            e.set_sequence_id(i);
        }
        Ok(encodings)
    }
}

/// Moves each token's offsets past its leading and before its trailing spaces (`Ġ` or whitespace
/// chars of the token string), one unit per char. A single leading space on the first token is
/// kept when `add_prefix_space` (that space was added, not in the text).
pub fn trim_offsets(encoding: &mut Encoding, add_prefix_space: bool) {
    let is_space = |c: char| c == '\u{120}' || c.is_whitespace();
    encoding.map_offsets(|i, token, off| {
        let mut leading = token.chars().take_while(|&c| is_space(c)).count();
        let trailing = token.chars().rev().take_while(|&c| is_space(c)).count();
        if leading > 0 {
            let is_first = i == 0 || off.0 == 0;
            if is_first && add_prefix_space && leading == 1 {
                leading = 0;
            }
            off.0 = (off.0 + leading).min(off.1);
        }
        if trailing > 0 && off.1 >= trailing {
            off.1 = (off.1 - trailing).max(off.0);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_spaces() {
        let mut e = Encoding::default();
        e.push(1, "Ġhello".into(), (0, 6), Some(0), 0);
        e.push(2, "ĠĠworld".into(), (6, 13), Some(1), 0);
        e.push(3, "ĠĠ".into(), (13, 15), Some(2), 0);
        let mut a = e.clone();
        trim_offsets(&mut a, true);
        assert_eq!(a.offsets, vec![(0, 6), (8, 13), (15, 15)]);
        let mut b = e.clone();
        trim_offsets(&mut b, false);
        assert_eq!(b.offsets[0], (1, 6));
    }
}
