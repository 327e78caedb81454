//! `tokenmill.Encoding`: the result of encoding one input, as `tokenizers.Encoding` presents it
//! (char offsets, word ids, sequence ids, overflowing windows and the alignment lookups).
//!
//! One text encoded without truncation or padding arrives compact (`CompactEncoding`: ids,
//! offsets and words of its tokens plus the post-processor's frame); every attribute and lookup
//! is answered from that directly (token strings from the vocabulary), no full `Encoding` built.

use pyo3::prelude::*;

use tokenmill_tokenizers::encoding::Lookups;
use tokenmill_tokenizers::tokenizer::CompactEncoding;
use tokenmill_tokenizers::Encoding;

enum Repr {
    Full(Encoding),
    Compact(CompactEncoding),
}

/// Ids, tokens, offsets (char offsets into the input), masks and alignments of one input.
#[pyclass(frozen, module = "tokenmill._tokenmill", name = "Encoding")]
pub(crate) struct PyEncoding {
    repr: Repr,
}

impl PyEncoding {
    pub(crate) fn new(inner: Encoding) -> Self {
        PyEncoding { repr: Repr::Full(inner) }
    }

    pub(crate) fn compact(compact: CompactEncoding) -> Self {
        PyEncoding { repr: Repr::Compact(compact) }
    }

    /// `compact(c)` when compact, else `full(e)`: a field without building the full encoding.
    fn field<T>(&self, compact: impl FnOnce(&CompactEncoding) -> T, full: impl FnOnce(&Encoding) -> T) -> T {
        match &self.repr {
            Repr::Compact(c) => compact(c),
            Repr::Full(e) => full(e),
        }
    }
}

#[pymethods]
impl PyEncoding {
    #[getter]
    fn ids(&self) -> Vec<u32> {
        self.field(CompactEncoding::ids, |e| e.ids.clone())
    }
    #[getter]
    fn type_ids(&self) -> Vec<u32> {
        self.field(CompactEncoding::type_ids, |e| e.type_ids.clone())
    }
    #[getter]
    fn tokens(&self) -> Vec<&str> {
        match &self.repr {
            Repr::Compact(c) => c.tokens(),
            Repr::Full(e) => e.tokens.iter().collect(),
        }
    }
    /// `(start, end)` char offsets into the input (of its own sequence, for a pair).
    #[getter]
    fn offsets(&self) -> Vec<(usize, usize)> {
        self.field(CompactEncoding::offsets, |e| e.offsets.clone())
    }
    #[getter]
    fn attention_mask(&self) -> Vec<u32> {
        self.field(CompactEncoding::attention_mask, |e| e.attention_mask.clone())
    }
    #[getter]
    fn special_tokens_mask(&self) -> Vec<u32> {
        self.field(CompactEncoding::special_tokens_mask, |e| e.special_tokens_mask.clone())
    }
    /// The word index of every token (None for special and padding tokens).
    #[getter]
    fn word_ids(&self) -> Vec<Option<u32>> {
        self.field(CompactEncoding::words, |e| e.words.clone())
    }
    /// HF's older name of `word_ids`.
    #[getter]
    fn words(&self) -> Vec<Option<u32>> {
        self.word_ids()
    }
    /// The sequence (0 or 1) of every token (None for special and padding tokens).
    #[getter]
    fn sequence_ids(&self) -> Vec<Option<usize>> {
        self.field(CompactEncoding::sequence_ids, Encoding::sequence_ids)
    }
    #[getter]
    fn n_sequences(&self) -> usize {
        self.field(CompactEncoding::n_sequences, Encoding::n_sequences)
    }
    /// The windows truncation cut off (each a full Encoding), in HF's order (none for a compact
    /// encoding: it is made only without truncation).
    #[getter]
    fn overflowing(&self) -> Vec<PyEncoding> {
        self.field(|_| Vec::new(), |e| e.overflowing.iter().cloned().map(PyEncoding::new).collect())
    }

    #[pyo3(signature = (char_pos, sequence_index = 0))]
    fn char_to_token(&self, char_pos: usize, sequence_index: usize) -> Option<usize> {
        self.field(|c| c.char_to_token(char_pos, sequence_index), |e| e.char_to_token(char_pos, sequence_index))
    }
    #[pyo3(signature = (char_pos, sequence_index = 0))]
    fn char_to_word(&self, char_pos: usize, sequence_index: usize) -> Option<u32> {
        self.field(|c| c.char_to_word(char_pos, sequence_index), |e| e.char_to_word(char_pos, sequence_index))
    }
    /// The offsets of a token (in its own sequence), as HF's Python returns them.
    fn token_to_chars(&self, token_index: usize) -> Option<(usize, usize)> {
        self.field(|c| c.token_to_chars(token_index), |e| e.token_to_chars(token_index)).map(|(_, o)| o)
    }
    fn token_to_word(&self, token_index: usize) -> Option<u32> {
        self.field(|c| c.token_to_word(token_index), |e| e.token_to_word(token_index)).map(|(_, w)| w)
    }
    fn token_to_sequence(&self, token_index: usize) -> Option<usize> {
        self.field(|c| c.token_to_sequence(token_index), |e| e.token_to_sequence(token_index))
    }
    #[pyo3(signature = (word_index, sequence_index = 0))]
    fn word_to_tokens(&self, word_index: u32, sequence_index: usize) -> Option<(usize, usize)> {
        self.field(|c| c.word_to_tokens(word_index, sequence_index), |e| e.word_to_tokens(word_index, sequence_index))
    }
    #[pyo3(signature = (word_index, sequence_index = 0))]
    fn word_to_chars(&self, word_index: u32, sequence_index: usize) -> Option<(usize, usize)> {
        self.field(|c| c.word_to_chars(word_index, sequence_index), |e| e.word_to_chars(word_index, sequence_index))
    }

    fn __len__(&self) -> usize {
        self.field(CompactEncoding::len, Encoding::len)
    }

    fn __repr__(&self) -> String {
        format!(
            "Encoding(num_tokens={}, attributes=[ids, type_ids, tokens, offsets, attention_mask, special_tokens_mask, overflowing])",
            self.__len__()
        )
    }
}
