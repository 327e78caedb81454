//! Mapping between chars, words, tokens and sequences of an encoding (Hugging Face's
//! `char_to_token`, `word_to_tokens`, ... with the same edge cases), written once over what they
//! read: [`Encoding`] and the compact encoding answer them from their own layouts.

use std::ops::Range;

use super::Encoding;

/// The alignment lookups, over a token count, each token's offsets and word, and the sequence
/// ranges.
pub trait Lookups {
    /// Number of tokens.
    fn token_count(&self) -> usize;
    /// Token `i`'s offsets and word (`None` past the end).
    fn alignment(&self, i: usize) -> Option<((usize, usize), Option<u32>)>;
    /// The token range recorded for sequence `sequence_id`, if any.
    fn recorded_range(&self, sequence_id: usize) -> Option<Range<usize>>;
    /// The sequences with a recorded range, in order (none: one sequence of every token).
    fn recorded_sequences(&self) -> impl Iterator<Item = usize> + '_;

    /// The tokens of sequence `sequence_id`: its recorded range, else every token.
    fn range_of(&self, sequence_id: usize) -> Range<usize> {
        self.recorded_range(sequence_id).unwrap_or(0..self.token_count())
    }

    /// The sequence token `token` belongs to; `None` for tokens a post-processor added.
    fn token_to_sequence(&self, token: usize) -> Option<usize> {
        if token > self.token_count() {
            return None;
        }
        let mut listed = self.recorded_sequences().peekable();
        if listed.peek().is_none() {
            return Some(0);
        }
        listed.find(|&s| self.range_of(s).contains(&token))
    }

    /// `(sequence, offsets)` of token `token`.
    fn token_to_chars(&self, token: usize) -> Option<(usize, (usize, usize))> {
        Some((self.token_to_sequence(token)?, self.alignment(token)?.0))
    }

    /// `(sequence, word)` of token `token`.
    fn token_to_word(&self, token: usize) -> Option<(usize, u32)> {
        Some((self.token_to_sequence(token)?, self.alignment(token)?.1?))
    }

    /// `[start, end)` tokens of word `word` in sequence `sequence_id`.
    fn word_to_tokens(&self, word: u32, sequence_id: usize) -> Option<(usize, usize)> {
        let range = self.range_of(sequence_id);
        if range.start > range.end || range.end > self.token_count() {
            return None;
        }
        let (mut start, mut end) = (None, None);
        // Words ascend within a sequence (added tokens are `None`, which sorts first): stop at the
        // first later word.
        for i in range {
            let w = self.alignment(i)?.1;
            if w > Some(word) {
                break;
            }
            if w == Some(word) {
                start.get_or_insert(i);
                end = Some(i + 1);
            }
        }
        Some((start?, end?))
    }

    /// Char span of word `word` in sequence `sequence_id`.
    fn word_to_chars(&self, word: u32, sequence_id: usize) -> Option<(usize, usize)> {
        let (start, end) = self.word_to_tokens(word, sequence_id)?;
        if end == 0 {
            return None;
        }
        Some((self.alignment(start)?.0 .0, self.alignment(end - 1)?.0 .1))
    }

    /// The first token of sequence `sequence_id` whose offsets contain position `pos`.
    fn char_to_token(&self, pos: usize, sequence_id: usize) -> Option<usize> {
        let range = self.range_of(sequence_id);
        if range.start > range.end || range.end > self.token_count() {
            return None;
        }
        range.into_iter().find(|&i| self.alignment(i).is_some_and(|((s, e), _)| pos >= s && pos < e))
    }

    /// The word of sequence `sequence_id` containing position `pos`.
    fn char_to_word(&self, pos: usize, sequence_id: usize) -> Option<u32> {
        self.char_to_token(pos, sequence_id).and_then(|t| self.token_to_word(t)).map(|(_, w)| w)
    }
}

impl Lookups for Encoding {
    fn token_count(&self) -> usize {
        self.len()
    }
    fn alignment(&self, i: usize) -> Option<((usize, usize), Option<u32>)> {
        Some((*self.offsets.get(i)?, *self.words.get(i)?))
    }
    fn recorded_range(&self, sequence_id: usize) -> Option<Range<usize>> {
        self.sequence_ranges.get(&sequence_id).cloned()
    }
    fn recorded_sequences(&self) -> impl Iterator<Item = usize> + '_ {
        self.sequence_ranges.keys().copied()
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
