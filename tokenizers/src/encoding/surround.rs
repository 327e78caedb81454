//! Adding special tokens around an encoding in place — what Bert/Roberta/Template post-processing
//! does to a single sequence — instead of building one small encoding per special token and
//! merging copies of everything.

use super::Encoding;

/// One special token a post-processor adds: id, token string, type id.
pub type Special<'a> = (u32, &'a str, u32);

impl Encoding {
    /// `before + self + after`: the specials have no word, offsets (0, 0), special mask 1,
    /// attention 1; sequence ranges shift past `before`. Overflowing windows are left alone.
    pub fn surround(&mut self, before: &[Special<'_>], after: &[Special<'_>]) {
        let (b, a) = (before.len(), after.len());
        let n = self.len() + b + a;
        self.ids.reserve_exact(b + a);
        if b > 0 {
            // One move of the existing tokens each (they are few compared with the cost of a
            // fresh set of vectors, and there is usually room already).
            self.ids.splice(0..0, before.iter().map(|s| s.0));
            self.tokens.prepend(before.iter().map(|s| s.1));
            self.type_ids.splice(0..0, before.iter().map(|s| s.2));
            self.words.splice(0..0, std::iter::repeat_n(None, b));
            self.offsets.splice(0..0, std::iter::repeat_n((0, 0), b));
            self.special_tokens_mask.splice(0..0, std::iter::repeat_n(1, b));
            self.attention_mask.splice(0..0, std::iter::repeat_n(1, b));
            for r in self.sequence_ranges.values_mut() {
                *r = r.start + b..r.end + b;
            }
        }
        for &(id, token, type_id) in after {
            self.ids.push(id);
            self.tokens.push(token);
            self.type_ids.push(type_id);
            self.words.push(None);
            self.offsets.push((0, 0));
            self.special_tokens_mask.push(1);
            self.attention_mask.push(1);
        }
        debug_assert_eq!(self.len(), n);
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::seq;

    #[test]
    fn surrounds_in_place() {
        let mut e = seq(2, 0);
        e.set_sequence_id(0);
        e.surround(&[(1, "[CLS]", 0)], &[(2, "[SEP]", 5), (3, "</s>", 6)]);
        assert_eq!(e.ids, vec![1, 10, 11, 2, 3]);
        assert_eq!(e.tokens, vec!["[CLS]", "t0", "t1", "[SEP]", "</s>"]);
        assert_eq!(e.type_ids, vec![0, 0, 0, 5, 6]);
        assert_eq!(e.words, vec![None, Some(0), Some(1), None, None]);
        assert_eq!(e.offsets, vec![(0, 0), (0, 1), (2, 3), (0, 0), (0, 0)]);
        assert_eq!(e.special_tokens_mask, vec![1, 0, 0, 1, 1]);
        assert_eq!(e.attention_mask, vec![1; 5]);
        assert_eq!(e.sequence_ids(), vec![None, Some(0), Some(0), None, None]);

        let mut e = seq(1, 0);
        e.surround(&[], &[]);
        assert_eq!(e, seq(1, 0));
    }
}
