//! Padding one encoding (and its overflowing windows) to a target length.

use serde::{Deserialize, Serialize};

use super::Encoding;

/// Which side padding goes on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaddingDirection {
    Left,
    #[default]
    Right,
}

impl Encoding {
    /// Pads with `pad_id` up to `target_len` tokens (no-op when already that long); overflowing
    /// windows are padded too. Pad tokens: attention 0, special 1, no word, offsets (0, 0).
    pub fn pad(
        &mut self,
        target_len: usize,
        pad_id: u32,
        pad_type_id: u32,
        pad_token: &str,
        direction: PaddingDirection,
    ) {
        for o in &mut self.overflowing {
            o.pad(target_len, pad_id, pad_type_id, pad_token, direction);
        }
        let len = self.len();
        if len >= target_len {
            return;
        }
        let n = target_len - len;
        match direction {
            PaddingDirection::Right => {
                self.ids.resize(target_len, pad_id);
                self.type_ids.resize(target_len, pad_type_id);
                self.tokens.push_n(pad_token, n);
                self.words.resize(target_len, None);
                self.offsets.resize(target_len, (0, 0));
                self.special_tokens_mask.resize(target_len, 1);
                self.attention_mask.resize(target_len, 0);
            }
            PaddingDirection::Left => {
                prepend(&mut self.ids, n, pad_id);
                prepend(&mut self.type_ids, n, pad_type_id);
                self.tokens.prepend(std::iter::repeat_n(pad_token, n));
                prepend(&mut self.words, n, None);
                prepend(&mut self.offsets, n, (0, 0));
                prepend(&mut self.special_tokens_mask, n, 1);
                prepend(&mut self.attention_mask, n, 0);
                for range in self.sequence_ranges.values_mut() {
                    *range = range.start + n..range.end + n;
                }
            }
        }
    }
}

fn prepend<T: Clone>(v: &mut Vec<T>, n: usize, value: T) {
    v.splice(0..0, std::iter::repeat_n(value, n));
}

#[cfg(test)]
mod tests {
    use super::super::tests::seq;
    use super::*;

    #[test]
    fn pads_right_and_left() {
        let mut e = seq(2, 0);
        e.pad(4, 0, 3, "[PAD]", PaddingDirection::Right);
        assert_eq!(e.ids, vec![10, 11, 0, 0]);
        assert_eq!(e.type_ids, vec![0, 0, 3, 3]);
        assert_eq!(e.attention_mask, vec![1, 1, 0, 0]);
        assert_eq!(e.special_tokens_mask, vec![0, 0, 1, 1]);
        assert_eq!(&e.tokens[3], "[PAD]");

        let mut e = seq(2, 0);
        e.set_sequence_id(0);
        e.overflowing.push(seq(1, 0));
        e.pad(3, 0, 0, "[PAD]", PaddingDirection::Left);
        assert_eq!(e.ids, vec![0, 10, 11]);
        assert_eq!(e.words, vec![None, Some(0), Some(1)]);
        assert_eq!(e.sequence_ids(), vec![None, Some(0), Some(0)]);
        assert_eq!(e.overflowing[0].ids, vec![0, 0, 10]);
        e.pad(2, 0, 0, "[PAD]", PaddingDirection::Left);
        assert_eq!(e.len(), 3);
    }
}
