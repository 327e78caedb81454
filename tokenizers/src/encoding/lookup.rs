//! Mapping between chars, words, tokens and sequences of an [`Encoding`] (Hugging Face's
//! `char_to_token`, `word_to_tokens`, ... with the same edge cases).

use super::Encoding;

impl Encoding {
    /// The sequence token `token` belongs to; `None` for tokens a post-processor added.
    pub fn token_to_sequence(&self, token: usize) -> Option<usize> {
        if token > self.len() {
            None
        } else if self.sequence_ranges.is_empty() {
            Some(0)
        } else {
            self.sequence_ranges.iter().find(|(_, r)| r.contains(&token)).map(|(&s, _)| s)
        }
    }

    /// `(sequence, offsets)` of token `token`.
    pub fn token_to_chars(&self, token: usize) -> Option<(usize, (usize, usize))> {
        Some((self.token_to_sequence(token)?, self.offsets.get(token).copied()?))
    }

    /// `(sequence, word)` of token `token`.
    pub fn token_to_word(&self, token: usize) -> Option<(usize, u32)> {
        Some((self.token_to_sequence(token)?, self.words.get(token).copied().flatten()?))
    }

    /// `[start, end)` tokens of word `word` in sequence `sequence_id`.
    pub fn word_to_tokens(&self, word: u32, sequence_id: usize) -> Option<(usize, usize)> {
        let range = self.sequence_range(sequence_id);
        let words = self.words.get(range.clone())?;
        let (mut start, mut end) = (None, None);
        // Words ascend within a sequence (added tokens are `None`, which sorts first): stop at the
        // first later word.
        for (i, w) in words.iter().enumerate().take_while(|(_, w)| **w <= Some(word)) {
            if *w == Some(word) {
                start.get_or_insert(i);
                end = Some(i + 1);
            }
        }
        Some((range.start + start?, range.start + end?))
    }

    /// Offsets spanned by word `word` of sequence `sequence_id`.
    pub fn word_to_chars(&self, word: u32, sequence_id: usize) -> Option<(usize, usize)> {
        let (start, end) = self.word_to_tokens(word, sequence_id)?;
        if end == 0 {
            return None;
        }
        Some((self.offsets[start].0, self.offsets[end - 1].1))
    }

    /// The first token of sequence `sequence_id` whose offsets contain position `pos`.
    pub fn char_to_token(&self, pos: usize, sequence_id: usize) -> Option<usize> {
        let range = self.sequence_range(sequence_id);
        let offsets = self.offsets.get(range.clone())?;
        offsets.iter().position(|&(s, e)| pos >= s && pos < e).map(|i| range.start + i)
    }

    /// The word of sequence `sequence_id` containing position `pos`.
    pub fn char_to_word(&self, pos: usize, sequence_id: usize) -> Option<u32> {
        self.char_to_token(pos, sequence_id).and_then(|t| self.token_to_word(t)).map(|(_, w)| w)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::seq;
    use super::*;

    fn pair() -> Encoding {
        // [CLS] a0 a1 [SEP] b0 [SEP]
        let cls = |id| {
            Encoding::new(
                vec![id],
                vec![0],
                vec!["S"].into(),
                vec![None],
                vec![(0, 0)],
                vec![1],
                vec![1],
                vec![],
                Default::default(),
            )
        };
        let mut a = seq(2, 0);
        a.set_sequence_id(0);
        let mut b = seq(1, 1);
        b.set_sequence_id(1);
        Encoding::merge([cls(1), a, cls(2), b, cls(2)], false)
    }

    #[test]
    fn lookups_respect_sequences() {
        let e = pair();
        assert_eq!(e.token_to_sequence(0), None);
        assert_eq!(e.token_to_sequence(2), Some(0));
        assert_eq!(e.token_to_sequence(4), Some(1));
        assert_eq!(e.token_to_word(2), Some((0, 1)));
        assert_eq!(e.token_to_word(0), None);
        assert_eq!(e.token_to_chars(4), Some((1, (0, 1))));
        assert_eq!(e.word_to_tokens(1, 0), Some((2, 3)));
        assert_eq!(e.word_to_tokens(0, 1), Some((4, 5)));
        assert_eq!(e.word_to_tokens(5, 0), None);
        assert_eq!(e.word_to_chars(1, 0), Some((2, 3)));
        assert_eq!(e.char_to_token(2, 0), Some(2));
        assert_eq!(e.char_to_token(0, 1), Some(4));
        assert_eq!(e.char_to_token(1, 1), None);
        assert_eq!(e.char_to_word(2, 0), Some(1));
    }

    #[test]
    fn single_sequence_without_ranges() {
        let e = seq(3, 0);
        assert_eq!(e.token_to_sequence(1), Some(0));
        assert_eq!(e.token_to_sequence(3), Some(0)); // Hugging Face's `>` check
        assert_eq!(e.token_to_sequence(4), None);
        assert_eq!(e.word_to_tokens(2, 0), Some((2, 3)));
    }
}
