//! The result of encoding one text (or a pair), as Hugging Face's `Encoding` presents it: ids, type
//! ids, tokens, word ids, offsets, masks, overflowing windows and the token range of each input
//! sequence. Merging lives in [`merge`], truncation windows in [`truncate`], padding in [`pad`], the
//! char/word/token lookups in [`lookup`].

pub mod lookup;
pub mod merge;
pub mod pad;
pub mod surround;
pub mod tokens;
pub mod truncate;

use std::collections::BTreeMap;
use std::ops::Range;

pub use lookup::Lookups;
pub use pad::PaddingDirection;
pub use tokens::Tokens;
pub use truncate::TruncationDirection;

/// Ids plus what a user needs to map them back onto the input.
///
/// Offsets are byte offsets into the input in Rust; the pipeline may convert them to char offsets
/// (what Python sees) before post-processing, as Hugging Face's Python binding does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Encoding {
    pub ids: Vec<u32>,
    pub type_ids: Vec<u32>,
    /// Token strings (byte-level alphabet for byte-level BPE, e.g. `"Ġworld"`).
    pub tokens: Tokens,
    /// Index of the pre-tokenized word each token comes from; `None` for added special tokens.
    pub words: Vec<Option<u32>>,
    /// `(start, end)` into the input text of the token's sequence.
    pub offsets: Vec<(usize, usize)>,
    /// 1 for tokens a post-processor or padding inserted.
    pub special_tokens_mask: Vec<u32>,
    /// 0 for padding.
    pub attention_mask: Vec<u32>,
    /// The windows truncation cut off (each post-processed and padded like the main one).
    pub overflowing: Vec<Encoding>,
    /// Sequence id → its token range. Empty means "one sequence covering everything".
    pub sequence_ranges: BTreeMap<usize, Range<usize>>,
}

impl Encoding {
    /// An encoding of one sequence with every per-token vector given.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        ids: Vec<u32>,
        type_ids: Vec<u32>,
        tokens: Tokens,
        words: Vec<Option<u32>>,
        offsets: Vec<(usize, usize)>,
        special_tokens_mask: Vec<u32>,
        attention_mask: Vec<u32>,
        overflowing: Vec<Encoding>,
        sequence_ranges: BTreeMap<usize, Range<usize>>,
    ) -> Self {
        Encoding {
            ids,
            type_ids,
            tokens,
            words,
            offsets,
            special_tokens_mask,
            attention_mask,
            overflowing,
            sequence_ranges,
        }
    }

    /// Empty vectors with room for `n` tokens.
    pub fn with_capacity(n: usize) -> Self {
        Encoding {
            ids: Vec::with_capacity(n),
            type_ids: Vec::with_capacity(n),
            // Tokens average a few bytes.
            tokens: Tokens::with_capacity(n, 4 * n),
            words: Vec::with_capacity(n),
            offsets: Vec::with_capacity(n),
            special_tokens_mask: Vec::with_capacity(n),
            attention_mask: Vec::with_capacity(n),
            overflowing: Vec::new(),
            sequence_ranges: BTreeMap::new(),
        }
    }

    /// Appends one ordinary token (attention 1, not special).
    pub fn push(&mut self, id: u32, token: &str, offsets: (usize, usize), word: Option<u32>, type_id: u32) {
        self.ids.push(id);
        self.type_ids.push(type_id);
        self.tokens.push(token);
        self.words.push(word);
        self.offsets.push(offsets);
        self.special_tokens_mask.push(0);
        self.attention_mask.push(1);
    }

    /// [`Encoding::push`] of a token given as `prefix + rest`.
    pub fn push_parts(
        &mut self,
        id: u32,
        token: (&str, &str),
        offsets: (usize, usize),
        word: Option<u32>,
        type_id: u32,
    ) {
        self.ids.push(id);
        self.type_ids.push(type_id);
        self.tokens.push_parts(token.0, token.1);
        self.words.push(word);
        self.offsets.push(offsets);
        self.special_tokens_mask.push(0);
        self.attention_mask.push(1);
    }

    /// Gives tokens `from..` (whose ids were appended to `ids` alone) HF's `encode_fast` fields:
    /// type `type_id`, empty token strings, no word, offsets (0, 0), ordinary and attended.
    pub(crate) fn fill_plain(&mut self, from: usize, type_id: u32) {
        let n = self.ids.len();
        self.type_ids.resize(n, type_id);
        self.tokens.push_n("", n.saturating_sub(from));
        self.words.resize(n, None);
        self.offsets.resize(n, (0, 0));
        self.special_tokens_mask.resize(n, 0);
        self.attention_mask.resize(n, 1);
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Number of input sequences merged into this encoding.
    pub fn n_sequences(&self) -> usize {
        if self.sequence_ranges.is_empty() {
            1
        } else {
            self.sequence_ranges.len()
        }
    }

    /// Marks every token (and every overflowing window) as belonging to sequence `sequence_id`.
    pub fn set_sequence_id(&mut self, sequence_id: usize) {
        self.sequence_ranges.insert(sequence_id, 0..self.len());
        for o in &mut self.overflowing {
            o.set_sequence_id(sequence_id);
        }
    }

    /// The token range of sequence `sequence_id` (everything when ranges are unknown).
    pub fn sequence_range(&self, sequence_id: usize) -> Range<usize> {
        self.sequence_ranges.get(&sequence_id).cloned().unwrap_or(0..self.len())
    }

    /// For each token, the sequence it belongs to; `None` for tokens a post-processor added.
    pub fn sequence_ids(&self) -> Vec<Option<usize>> {
        let mut out = vec![None; self.len()];
        for seq in 0..self.n_sequences() {
            let range = self.sequence_range(seq);
            let end = range.end.min(out.len());
            for slot in &mut out[range.start.min(end)..end] {
                *slot = Some(seq);
            }
        }
        out
    }

    /// Sets every type id (overflowing windows keep theirs, as Hugging Face).
    pub fn set_type_ids(&mut self, type_id: u32) {
        self.type_ids.clear();
        self.type_ids.resize(self.ids.len(), type_id);
    }

    /// Takes the overflowing windows out.
    pub fn take_overflowing(&mut self) -> Vec<Encoding> {
        std::mem::take(&mut self.overflowing)
    }

    /// Copy of tokens `range` (no overflowing, no sequence ranges).
    pub(crate) fn slice(&self, range: Range<usize>) -> Encoding {
        Encoding {
            ids: self.ids[range.clone()].to_vec(),
            type_ids: self.type_ids[range.clone()].to_vec(),
            tokens: self.tokens.slice(range.clone()),
            words: self.words[range.clone()].to_vec(),
            offsets: self.offsets[range.clone()].to_vec(),
            special_tokens_mask: self.special_tokens_mask[range.clone()].to_vec(),
            attention_mask: self.attention_mask[range].to_vec(),
            overflowing: Vec::new(),
            sequence_ranges: BTreeMap::new(),
        }
    }

    /// Converts byte offsets into `text` (this encoding's own input) to char offsets, overflowing
    /// windows included; see [`byte_to_char_offsets`]. Call before merging a pair.
    pub fn offsets_to_chars(&mut self, text: &str) {
        if !text.is_ascii() {
            self.offsets = byte_to_char_offsets(text, &self.offsets);
        }
        for o in &mut self.overflowing {
            o.offsets_to_chars(text);
        }
    }

    /// Applies `f` to every (index, token, offsets) of this encoding.
    pub fn map_offsets(&mut self, mut f: impl FnMut(usize, &str, &mut (usize, usize))) {
        for (i, (tok, off)) in self.tokens.iter().zip(self.offsets.iter_mut()).enumerate() {
            f(i, tok, off);
        }
    }
}

/// Maps byte offsets in `text` to char offsets. A range that starts or ends inside a multi-byte
/// char widens to the whole char, as Hugging Face's byte-level alignment does.
pub fn byte_to_char_offsets(text: &str, byte_offsets: &[(usize, usize)]) -> Vec<(usize, usize)> {
    if text.is_ascii() {
        return byte_offsets.to_vec();
    }
    // char index of the char containing each byte; one extra slot for the end.
    let mut at = vec![0usize; text.len() + 1];
    let mut n = 0;
    for (i, c) in text.char_indices() {
        for slot in &mut at[i..i + c.len_utf8()] {
            *slot = n;
        }
        n += 1;
    }
    at[text.len()] = n;
    byte_offsets
        .iter()
        .map(|&(s, e)| {
            // Offsets past the end (a caller bug) clamp instead of panicking.
            let (s, e) = (s.min(text.len()), e.min(text.len()));
            if e > s {
                (at[s], at[e - 1] + 1)
            } else {
                (at[s], at[s])
            }
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// One sequence of `n` tokens with ids 10.., words 0.., offsets 2i..2i+1.
    pub(crate) fn seq(n: usize, type_id: u32) -> Encoding {
        let mut e = Encoding::with_capacity(n);
        for i in 0..n {
            e.push(10 + i as u32, &format!("t{i}"), (2 * i, 2 * i + 1), Some(i as u32), type_id);
        }
        e
    }

    #[test]
    fn widens_partial_chars() {
        let t = "aé€b"; // bytes: a(0) é(1..3) €(3..6) b(6)
        assert_eq!(byte_to_char_offsets(t, &[(0, 1), (1, 2), (2, 4), (6, 7)]), vec![(0, 1), (1, 2), (1, 3), (3, 4)]);
    }

    #[test]
    fn converts_offsets_with_windows() {
        let mut e = Encoding::default();
        e.push(1, "é", (1, 3), Some(0), 0);
        e.overflowing.push(e.clone());
        e.offsets_to_chars("aé");
        assert_eq!(e.offsets, vec![(1, 2)]);
        assert_eq!(e.overflowing[0].offsets, vec![(1, 2)]);
        assert_eq!(byte_to_char_offsets("é", &[(0, 9)]), vec![(0, 1)]);
    }

    #[test]
    fn sequence_ids_follow_ranges() {
        let mut e = seq(3, 0);
        assert_eq!(e.n_sequences(), 1);
        assert_eq!(e.sequence_ids(), vec![Some(0); 3]);
        e.sequence_ranges.insert(0, 1..2);
        assert_eq!(e.sequence_ids(), vec![None, Some(0), None]);
    }
}
