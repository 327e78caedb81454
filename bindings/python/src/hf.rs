//! `tokenmill.Tokenizer` / `tokenmill.Encoding` for Hugging Face byte-level BPE `tokenizer.json`
//! files (HF `tokenizers` semantics).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use tokenmill_tokenizers::format::hf_json;
use tokenmill_tokenizers::tokenizer::{batch, Flavor};
use tokenmill_tokenizers::{Error, Tokenizer};

use crate::convert::*;
use crate::errors::*;

// ------------------------------------------------------------------------------------------------
// Hugging Face tokenizer.json

/// The result of encoding one text: ids, token strings and char offsets (HF `Encoding`).
#[pyclass(frozen, module = "tokenmill._tokenmill", name = "Encoding")]
pub(crate) struct PyEncoding {
    #[pyo3(get)]
    ids: Vec<u32>,
    #[pyo3(get)]
    tokens: Vec<String>,
    #[pyo3(get)]
    offsets: Vec<(usize, usize)>,
    #[pyo3(get)]
    type_ids: Vec<u32>,
    #[pyo3(get)]
    attention_mask: Vec<u32>,
    #[pyo3(get)]
    special_tokens_mask: Vec<u32>,
    #[pyo3(get)]
    sequence_ids: Vec<Option<usize>>,
}

impl PyEncoding {
    fn from_core(e: tokenmill_tokenizers::Encoding, seq: usize) -> Self {
        let n = e.ids.len();
        PyEncoding {
            ids: e.ids,
            tokens: e.tokens,
            offsets: e.offsets,
            type_ids: vec![seq as u32; n],
            attention_mask: e.attention_mask,
            // Hugging Face marks only tokens its post-processor inserts (a ByteLevel one inserts
            // none); special tokens found in the text itself get 0.
            special_tokens_mask: vec![0; n],
            sequence_ids: vec![Some(seq); n],
        }
    }

    fn merge(mut self, other: PyEncoding) -> Self {
        self.ids.extend(other.ids);
        self.tokens.extend(other.tokens);
        self.offsets.extend(other.offsets);
        self.type_ids.extend(other.type_ids);
        self.attention_mask.extend(other.attention_mask);
        self.special_tokens_mask.extend(other.special_tokens_mask);
        self.sequence_ids.extend(other.sequence_ids);
        self
    }
}

#[pymethods]
impl PyEncoding {
    fn __len__(&self) -> usize {
        self.ids.len()
    }

    #[getter]
    fn n_sequences(&self) -> usize {
        if self.sequence_ids.iter().any(|s| *s == Some(1)) {
            2
        } else {
            1
        }
    }

    #[getter]
    fn overflowing(&self) -> Vec<Py<PyAny>> {
        Vec::new()
    }

    fn __repr__(&self) -> String {
        format!(
            "Encoding(num_tokens={}, attributes=[ids, type_ids, tokens, offsets, attention_mask, special_tokens_mask, overflowing])",
            self.ids.len()
        )
    }
}

/// A Hugging Face byte-level BPE tokenizer loaded from `tokenizer.json`.
#[pyclass(frozen, module = "tokenmill._tokenmill", name = "Tokenizer")]
pub(crate) struct PyTokenizer {
    inner: Arc<Tokenizer>,
}

pub(crate) enum Input {
    Single(String),
    Pair(String, String),
}

pub(crate) fn input_of(obj: &Bound<'_, PyAny>) -> PyResult<Input> {
    if let Ok(t) = obj.downcast::<PyTuple>() {
        if t.len() == 2 {
            return Ok(Input::Pair(text_of(&t.get_item(0)?)?, text_of(&t.get_item(1)?)?));
        }
    }
    if let Ok(l) = obj.downcast::<PyList>() {
        if l.len() == 2 {
            return Ok(Input::Pair(text_of(&l.get_item(0)?)?, text_of(&l.get_item(1)?)?));
        }
    }
    Ok(Input::Single(text_of(obj)?))
}

pub(crate) fn encode_input(tok: &Tokenizer, input: &Input) -> PyEncoding {
    match input {
        Input::Single(s) => PyEncoding::from_core(tok.encode_full(s), 0),
        Input::Pair(a, b) => {
            PyEncoding::from_core(tok.encode_full(a), 0).merge(PyEncoding::from_core(tok.encode_full(b), 1))
        }
    }
}

impl PyTokenizer {
    fn hf_json(&self) -> PyResult<&str> {
        match self.inner.flavor() {
            Flavor::HuggingFace(hf) => Ok(&hf.json),
            Flavor::Tiktoken { .. } => {
                Err(TokenmillError::new_err("this tokenizer was not loaded from tokenizer.json"))
            }
        }
    }
}

#[pymethods]
impl PyTokenizer {
    /// Loads a `tokenizer.json` file (byte-level BPE).
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let tok = py.detach(|| hf_json::from_file(&path)).map_err(|e| to_py(py, e))?;
        Ok(PyTokenizer { inner: Arc::new(tok) })
    }

    /// Parses `tokenizer.json` text.
    #[staticmethod]
    fn from_str(py: Python<'_>, json: String) -> PyResult<Self> {
        let tok = py.detach(|| hf_json::from_str(&json, "<string>")).map_err(|e| to_py(py, e))?;
        Ok(PyTokenizer { inner: Arc::new(tok) })
    }

    /// Parses `tokenizer.json` bytes (UTF-8).
    #[staticmethod]
    fn from_buffer(py: Python<'_>, buffer: &[u8]) -> PyResult<Self> {
        let json = std::str::from_utf8(buffer)
            .map_err(|e| FormatError::new_err(format!("<buffer>: not UTF-8: {e}")))?
            .to_string();
        Self::from_str(py, json)
    }

    /// The JSON text this tokenizer was loaded from (returned as loaded; `pretty` is accepted for
    /// compatibility and does not reformat).
    #[pyo3(signature = (pretty = false))]
    fn to_str(&self, pretty: bool) -> PyResult<String> {
        let _ = pretty;
        Ok(self.hf_json()?.to_string())
    }

    /// Writes the JSON text to `path`.
    #[pyo3(signature = (path, pretty = true))]
    fn save(&self, py: Python<'_>, path: PathBuf, pretty: bool) -> PyResult<()> {
        let _ = pretty;
        let json = self.hf_json()?;
        py.detach(|| std::fs::write(&path, json)).map_err(|source| to_py(py, Error::Io { path: path.clone(), source }))
    }

    /// Encodes one text (or a pair) to an [`PyEncoding`]. Added tokens are always recognised.
    /// `add_special_tokens` is accepted for compatibility (a ByteLevel post-processor adds none).
    #[pyo3(signature = (sequence, pair = None, is_pretokenized = false, add_special_tokens = true))]
    fn encode(
        &self,
        py: Python<'_>,
        sequence: &Bound<'_, PyAny>,
        pair: Option<&Bound<'_, PyAny>>,
        is_pretokenized: bool,
        add_special_tokens: bool,
    ) -> PyResult<PyEncoding> {
        let _ = add_special_tokens;
        if is_pretokenized {
            return Err(TokenmillError::new_err("is_pretokenized=True is not supported"));
        }
        let input = match pair {
            Some(p) => Input::Pair(text_of(sequence)?, text_of(p)?),
            None => Input::Single(text_of(sequence)?),
        };
        let tok = &self.inner;
        Ok(py.detach(|| encode_input(tok, &input)))
    }

    /// Encodes many texts (or `(text, pair)` tuples) in parallel.
    #[pyo3(signature = (input, is_pretokenized = false, add_special_tokens = true, num_threads = 0))]
    fn encode_batch(
        &self,
        py: Python<'_>,
        input: &Bound<'_, PyAny>,
        is_pretokenized: bool,
        add_special_tokens: bool,
        num_threads: usize,
    ) -> PyResult<Vec<PyEncoding>> {
        let _ = add_special_tokens;
        if is_pretokenized {
            return Err(TokenmillError::new_err("is_pretokenized=True is not supported"));
        }
        let inputs: Vec<Input> = input.try_iter()?.map(|o| input_of(&o?)).collect::<PyResult<_>>()?;
        let tok = &self.inner;
        py.detach(|| batch::map(&inputs, num_threads, |i| encode_input(tok, i))).map_err(|e| to_py(py, e))
    }

    /// Just the ids of many texts, in parallel (no tokens/offsets).
    #[pyo3(signature = (input, num_threads = 0))]
    fn encode_batch_ids(
        &self,
        py: Python<'_>,
        input: &Bound<'_, PyAny>,
        num_threads: usize,
    ) -> PyResult<Vec<Vec<u32>>> {
        let texts = texts_of(input)?;
        let strs = texts.strs();
        let tok = &self.inner;
        py.detach(|| {
            batch::map(&strs, num_threads, |t| {
                let mut out = Vec::new();
                tok.encode_with_added(t, &mut out);
                out
            })
        })
        .map_err(|e| to_py(py, e))
    }

    /// Text of `ids`; unknown ids are skipped, special tokens too when `skip_special_tokens`.
    #[pyo3(signature = (ids, skip_special_tokens = true))]
    fn decode(&self, py: Python<'_>, ids: Vec<u32>, skip_special_tokens: bool) -> String {
        let tok = &self.inner;
        py.detach(|| tok.decode_skipping(&ids, skip_special_tokens))
    }

    #[pyo3(signature = (sequences, skip_special_tokens = true))]
    fn decode_batch(
        &self,
        py: Python<'_>,
        sequences: Vec<Vec<u32>>,
        skip_special_tokens: bool,
    ) -> PyResult<Vec<String>> {
        let tok = &self.inner;
        py.detach(|| batch::map(&sequences, 0, |ids| tok.decode_skipping(ids, skip_special_tokens)))
            .map_err(|e| to_py(py, e))
    }

    #[pyo3(signature = (with_added_tokens = true))]
    fn get_vocab_size(&self, with_added_tokens: bool) -> usize {
        self.inner.vocab_size(with_added_tokens)
    }

    /// `{token string: id}`.
    #[pyo3(signature = (with_added_tokens = true))]
    fn get_vocab(&self, with_added_tokens: bool) -> HashMap<String, u32> {
        let tok = &self.inner;
        let strings = match tok.flavor() {
            Flavor::HuggingFace(hf) => Some(&hf.token_strings),
            Flavor::Tiktoken { .. } => None,
        };
        let mut out = HashMap::with_capacity(tok.model().len() + 8);
        for (bytes, id) in tok.model().vocab() {
            let s = strings
                .and_then(|s| s.get(id as usize).cloned().flatten())
                .unwrap_or_else(|| tokenmill_tokenizers::decoder::byte_level::encode_str(bytes));
            out.insert(s, id);
        }
        if with_added_tokens {
            for t in tok.added_tokens() {
                out.insert(t.content.clone(), t.id);
            }
        }
        out
    }

    /// Added tokens as `{id: content}`.
    fn get_added_tokens_decoder(&self) -> HashMap<u32, String> {
        self.inner.added_tokens().iter().map(|t| (t.id, t.content.clone())).collect()
    }

    fn token_to_id(&self, token: &str) -> Option<u32> {
        self.inner.token_to_id(token)
    }

    fn id_to_token(&self, id: u32) -> Option<String> {
        self.inner.id_to_token(id)
    }

    /// Pickles as the JSON text.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let ctor = py.get_type::<PyTokenizer>().getattr("from_str")?;
        Ok((ctor, (self.hf_json()?.to_string(),)))
    }

    fn __repr__(&self) -> String {
        format!("<tokenmill.Tokenizer {:?} vocab_size={}>", self.inner.name(), self.inner.vocab_size(true))
    }
}
