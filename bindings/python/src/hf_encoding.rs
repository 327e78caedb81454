//! `tokenmill.Encoding`: the result of encoding one input, as `tokenizers.Encoding` presents it
//! (char offsets, word ids, sequence ids, overflowing windows and the alignment lookups).

use pyo3::prelude::*;

use tokenmill_tokenizers::Encoding;

/// Ids, tokens, offsets (char offsets into the input), masks and alignments of one input.
#[pyclass(frozen, module = "tokenmill._tokenmill", name = "Encoding")]
pub(crate) struct PyEncoding {
    pub(crate) inner: Encoding,
}

impl PyEncoding {
    pub(crate) fn new(inner: Encoding) -> Self {
        PyEncoding { inner }
    }
}

#[pymethods]
impl PyEncoding {
    #[getter]
    fn ids(&self) -> Vec<u32> {
        self.inner.ids.clone()
    }
    #[getter]
    fn type_ids(&self) -> Vec<u32> {
        self.inner.type_ids.clone()
    }
    #[getter]
    fn tokens(&self) -> Vec<&str> {
        self.inner.tokens.iter().collect()
    }
    /// `(start, end)` char offsets into the input (of its own sequence, for a pair).
    #[getter]
    fn offsets(&self) -> Vec<(usize, usize)> {
        self.inner.offsets.clone()
    }
    #[getter]
    fn attention_mask(&self) -> Vec<u32> {
        self.inner.attention_mask.clone()
    }
    #[getter]
    fn special_tokens_mask(&self) -> Vec<u32> {
        self.inner.special_tokens_mask.clone()
    }
    /// The word index of every token (None for special and padding tokens).
    #[getter]
    fn word_ids(&self) -> Vec<Option<u32>> {
        self.inner.words.clone()
    }
    /// HF's older name of `word_ids`.
    #[getter]
    fn words(&self) -> Vec<Option<u32>> {
        self.inner.words.clone()
    }
    /// The sequence (0 or 1) of every token (None for special and padding tokens).
    #[getter]
    fn sequence_ids(&self) -> Vec<Option<usize>> {
        self.inner.sequence_ids()
    }
    #[getter]
    fn n_sequences(&self) -> usize {
        self.inner.n_sequences()
    }
    /// The windows truncation cut off (each a full Encoding), in HF's order.
    #[getter]
    fn overflowing(&self) -> Vec<PyEncoding> {
        self.inner.overflowing.iter().cloned().map(PyEncoding::new).collect()
    }

    #[pyo3(signature = (char_pos, sequence_index = 0))]
    fn char_to_token(&self, char_pos: usize, sequence_index: usize) -> Option<usize> {
        self.inner.char_to_token(char_pos, sequence_index)
    }
    #[pyo3(signature = (char_pos, sequence_index = 0))]
    fn char_to_word(&self, char_pos: usize, sequence_index: usize) -> Option<u32> {
        self.inner.char_to_word(char_pos, sequence_index)
    }
    /// The offsets of a token (in its own sequence), as HF's Python returns them.
    fn token_to_chars(&self, token_index: usize) -> Option<(usize, usize)> {
        self.inner.token_to_chars(token_index).map(|(_, o)| o)
    }
    fn token_to_word(&self, token_index: usize) -> Option<u32> {
        self.inner.token_to_word(token_index).map(|(_, w)| w)
    }
    fn token_to_sequence(&self, token_index: usize) -> Option<usize> {
        self.inner.token_to_sequence(token_index)
    }
    #[pyo3(signature = (word_index, sequence_index = 0))]
    fn word_to_tokens(&self, word_index: u32, sequence_index: usize) -> Option<(usize, usize)> {
        self.inner.word_to_tokens(word_index, sequence_index)
    }
    #[pyo3(signature = (word_index, sequence_index = 0))]
    fn word_to_chars(&self, word_index: u32, sequence_index: usize) -> Option<(usize, usize)> {
        self.inner.word_to_chars(word_index, sequence_index)
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "Encoding(num_tokens={}, attributes=[ids, type_ids, tokens, offsets, attention_mask, special_tokens_mask, overflowing])",
            self.inner.len()
        )
    }
}
