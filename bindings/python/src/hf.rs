//! `tokenmill.Tokenizer`: a drop-in for `tokenizers.Tokenizer` over any supported Hugging Face
//! `tokenizer.json` (normalizer, pre-tokenizer, model, post-processor, decoder, added tokens,
//! truncation, padding), wrapping the library's `HfTokenizer`.
//!
//! Like HF's, the object is mutable (`enable_padding`, `add_tokens`, ...). It is shared between
//! Python threads through an `RwLock`: encode/decode take the read lock with the GIL released,
//! settings take the write lock, also with the GIL released. No lock is ever held while Python
//! objects are made (that could run Python code and wait for the GIL: a deadlock).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use tokenmill_tokenizers::added_vocab::hf::HfAddedToken;
use tokenmill_tokenizers::postprocessor::PostProcess;
use tokenmill_tokenizers::tokenizer::{EncodeInput, HfTokenizer, OffsetType};
use tokenmill_tokenizers::Encoding;

use crate::convert::{batch_to_list, int_table};
use crate::errors::*;
use crate::hf_added::{added_token_of, PyAddedToken};
use crate::hf_encoding::PyEncoding;
use crate::hf_input::{batch_items, encode_input, item, plain_texts, seq, Item};
use crate::hf_params::{padding_dict, padding_params, truncation_dict, truncation_params};

/// A Hugging Face tokenizer loaded from `tokenizer.json` (HF `tokenizers.Tokenizer` semantics).
#[pyclass(frozen, module = "tokenmill._tokenmill", name = "Tokenizer")]
pub(crate) struct PyTokenizer {
    inner: RwLock<HfTokenizer>,
    /// Python ints for the ids, built on first use (see `convert::int_table`).
    ints: OnceLock<Vec<Py<PyAny>>>,
}

impl PyTokenizer {
    /// An immutable copy of the current tokenizer for the datasets' native tokenize map (a round
    /// trip through its tokenizer.json, so later edits of this object do not affect it).
    /// `keep_settings`: keep its truncation and padding (the map's whole-pipeline mode); otherwise
    /// they are dropped, as the map's own max_length/padding options apply (ids, masks and offsets
    /// alike).
    pub(crate) fn snapshot(&self, keep_settings: bool) -> PyResult<std::sync::Arc<HfTokenizer>> {
        let json = self.read().to_string(false).map_err(|e| Python::attach(|py| to_py(py, e)))?;
        let mut tok = HfTokenizer::from_str(&json).map_err(|e| Python::attach(|py| to_py(py, e)))?;
        if !keep_settings {
            tok.with_padding(None);
            tok.with_truncation(None).map_err(|e| Python::attach(|py| to_py(py, e)))?;
        }
        Ok(std::sync::Arc::new(tok))
    }

    fn wrap(tok: HfTokenizer) -> Self {
        PyTokenizer { inner: RwLock::new(tok), ints: OnceLock::new() }
    }

    /// The tokenizer for reading. A poisoned lock (a panic elsewhere) still holds a consistent
    /// tokenizer: every write replaces whole fields.
    fn read(&self) -> RwLockReadGuard<'_, HfTokenizer> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, HfTokenizer> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the tokenizer without the GIL (for anything that may take time or wait).
    fn detached<R: Send>(&self, py: Python<'_>, f: impl FnOnce(&HfTokenizer) -> R + Send) -> R {
        py.detach(|| f(&self.read()))
    }

    fn mutate<R: Send>(&self, py: Python<'_>, f: impl FnOnce(&mut HfTokenizer) -> R + Send) -> R {
        py.detach(|| f(&mut self.write()))
    }

    fn encode_items(
        &self,
        py: Python<'_>,
        items: &[Item<'_>],
        add_special_tokens: bool,
        offsets: OffsetType,
        num_threads: usize,
    ) -> PyResult<Vec<Encoding>> {
        let inputs: Vec<EncodeInput<'_>> = items.iter().map(encode_input).collect();
        self.detached(py, |t| t.encode_batch(&inputs, add_special_tokens, offsets, num_threads))
            .map_err(|e| to_py(py, e))
    }
}

impl PyTokenizer {
    /// Single texts, when the settings allow it, as compact encodings (`CompactEncoding`: no
    /// token strings or per-token masks until they are read); `None` otherwise.
    fn encode_compact(
        &self,
        py: Python<'_>,
        items: &[Item<'_>],
        add_special_tokens: bool,
        num_threads: usize,
    ) -> PyResult<Option<Vec<PyEncoding>>> {
        let Some(texts) = plain_texts(items) else { return Ok(None) };
        let encs = self
            .detached(py, |t| t.encode_batch_compact(&texts, add_special_tokens, OffsetType::Char, num_threads))
            .map_err(|e| to_py(py, e))?;
        Ok(encs.map(|v| v.into_iter().map(PyEncoding::compact).collect()))
    }
}

fn added_tokens_of(tokens: &Bound<'_, PyAny>, special: bool) -> PyResult<Vec<HfAddedToken>> {
    tokens.try_iter()?.map(|t| added_token_of(&t?, special)).collect()
}

#[pymethods]
impl PyTokenizer {
    /// Loads a `tokenizer.json` file.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let tok = py.detach(|| HfTokenizer::from_file(&path)).map_err(|e| to_py(py, e))?;
        Ok(Self::wrap(tok))
    }

    /// Parses `tokenizer.json` text.
    #[staticmethod]
    fn from_str(py: Python<'_>, json: &str) -> PyResult<Self> {
        let tok = py.detach(|| HfTokenizer::from_str(json)).map_err(|e| to_py(py, e))?;
        Ok(Self::wrap(tok))
    }

    /// Parses `tokenizer.json` bytes (UTF-8).
    #[staticmethod]
    fn from_buffer(py: Python<'_>, buffer: &[u8]) -> PyResult<Self> {
        let json =
            std::str::from_utf8(buffer).map_err(|e| FormatError::new_err(format!("<buffer>: not UTF-8: {e}")))?;
        Self::from_str(py, json)
    }

    /// The tokenizer as `tokenizer.json` text, in HF's shape.
    #[pyo3(signature = (pretty = false))]
    fn to_str(&self, py: Python<'_>, pretty: bool) -> PyResult<String> {
        self.detached(py, |t| t.to_string(pretty)).map_err(|e| to_py(py, e))
    }

    /// Writes `tokenizer.json` to `path`.
    #[pyo3(signature = (path, pretty = true))]
    fn save(&self, py: Python<'_>, path: PathBuf, pretty: bool) -> PyResult<()> {
        self.detached(py, |t| t.save(&path, pretty)).map_err(|e| to_py(py, e))
    }

    /// Encodes a text (or, with `is_pretokenized`, a list of words), and its optional pair.
    #[pyo3(signature = (sequence, pair = None, is_pretokenized = false, add_special_tokens = true))]
    fn encode(
        &self,
        py: Python<'_>,
        sequence: &Bound<'_, PyAny>,
        pair: Option<&Bound<'_, PyAny>>,
        is_pretokenized: bool,
        add_special_tokens: bool,
    ) -> PyResult<PyEncoding> {
        let it = item(seq(sequence, is_pretokenized)?, pair.map(|p| seq(p, is_pretokenized)).transpose()?);
        if let Some(mut one) = self.encode_compact(py, std::slice::from_ref(&it), add_special_tokens, 1)? {
            if let Some(enc) = one.pop() {
                return Ok(enc);
            }
        }
        let input = encode_input(&it);
        let enc =
            self.detached(py, |t| t.encode(input, add_special_tokens, OffsetType::Char)).map_err(|e| to_py(py, e))?;
        Ok(PyEncoding::new(enc))
    }

    /// Encodes many inputs (texts, `(text, pair)` tuples, or word lists) in parallel, then pads
    /// the batch. `num_threads=0` uses the default pool.
    #[pyo3(signature = (input, is_pretokenized = false, add_special_tokens = true, num_threads = 0))]
    fn encode_batch(
        &self,
        py: Python<'_>,
        input: &Bound<'_, PyAny>,
        is_pretokenized: bool,
        add_special_tokens: bool,
        num_threads: usize,
    ) -> PyResult<Vec<PyEncoding>> {
        let items = batch_items(input, is_pretokenized)?;
        if let Some(encs) = self.encode_compact(py, &items, add_special_tokens, num_threads)? {
            return Ok(encs);
        }
        let encs = self.encode_items(py, &items, add_special_tokens, OffsetType::Char, num_threads)?;
        Ok(encs.into_iter().map(PyEncoding::new).collect())
    }

    /// HF's `encode_batch_fast`: the same ids, masks and type ids, without offsets, token strings
    /// or word ids (cheaper).
    #[pyo3(signature = (input, is_pretokenized = false, add_special_tokens = true, num_threads = 0))]
    fn encode_batch_fast(
        &self,
        py: Python<'_>,
        input: &Bound<'_, PyAny>,
        is_pretokenized: bool,
        add_special_tokens: bool,
        num_threads: usize,
    ) -> PyResult<Vec<PyEncoding>> {
        let items = batch_items(input, is_pretokenized)?;
        let encs = self.encode_items(py, &items, add_special_tokens, OffsetType::None, num_threads)?;
        Ok(encs.into_iter().map(PyEncoding::new).collect())
    }

    /// Just the ids of many inputs: `[e.ids for e in encode_batch_fast(...)]` without making an
    /// Encoding object per input. Single texts with no truncation, no padding and no ids from
    /// the post-processor take the library's ids-only path (no strings, no offsets at all).
    #[pyo3(signature = (input, add_special_tokens = true, num_threads = 0))]
    fn encode_batch_ids<'py>(
        &self,
        py: Python<'py>,
        input: &Bound<'py, PyAny>,
        add_special_tokens: bool,
        num_threads: usize,
    ) -> PyResult<Bound<'py, PyList>> {
        let items = batch_items(input, false)?;
        // Built before the GIL is released: the items hold Python objects, the views only &str.
        let texts = plain_texts(&items);
        let inputs: Vec<EncodeInput<'_>> = items.iter().map(encode_input).collect();
        let (ids, vocab) = self.detached(py, |t| {
            let plain = t.truncation().is_none()
                && t.padding().is_none()
                && (!add_special_tokens || t.post_processor().is_none_or(|p| p.added_tokens(false) == 0));
            let ids = match (&texts, plain) {
                (Some(texts), true) => t.encode_ids_batch(texts, num_threads),
                _ => t
                    .encode_batch(&inputs, add_special_tokens, OffsetType::None, num_threads)
                    .map(|encs| encs.into_iter().map(|e| e.ids).collect()),
            };
            (ids, t.get_vocab_size(false))
        });
        let ids = ids.map_err(|e| to_py(py, e))?;
        batch_to_list(py, int_table(py, &self.ints, vocab), &ids)
    }

    /// The text of `ids`: unknown ids are skipped, special tokens too when asked.
    #[pyo3(signature = (ids, skip_special_tokens = true))]
    fn decode(&self, py: Python<'_>, ids: Vec<u32>, skip_special_tokens: bool) -> PyResult<String> {
        self.detached(py, |t| t.decode(&ids, skip_special_tokens)).map_err(|e| to_py(py, e))
    }

    #[pyo3(signature = (sequences, skip_special_tokens = true, num_threads = 0))]
    fn decode_batch(
        &self,
        py: Python<'_>,
        sequences: Vec<Vec<u32>>,
        skip_special_tokens: bool,
        num_threads: usize,
    ) -> PyResult<Vec<String>> {
        self.detached(py, |t| t.decode_batch(&sequences, skip_special_tokens, num_threads)).map_err(|e| to_py(py, e))
    }

    /// Pads every encoding of a batch (and every single encode) as HF's `enable_padding`.
    #[allow(clippy::too_many_arguments)] // HF's keyword arguments
    #[pyo3(signature = (direction = "right", pad_id = 0, pad_type_id = 0, pad_token = "[PAD]".to_string(), length = None, pad_to_multiple_of = None))]
    fn enable_padding(
        &self,
        py: Python<'_>,
        direction: &str,
        pad_id: u32,
        pad_type_id: u32,
        pad_token: String,
        length: Option<usize>,
        pad_to_multiple_of: Option<usize>,
    ) -> PyResult<()> {
        let p = padding_params(direction, pad_id, pad_type_id, pad_token, length, pad_to_multiple_of)?;
        self.mutate(py, |t| {
            t.with_padding(Some(p));
        });
        Ok(())
    }

    fn no_padding(&self, py: Python<'_>) {
        self.mutate(py, |t| {
            t.with_padding(None);
        });
    }

    /// The padding settings as HF's dict, or None.
    #[getter]
    fn padding<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let p = self.read().padding().cloned();
        p.map(|p| padding_dict(py, &p)).transpose()
    }

    /// Truncates every encoding as HF's `enable_truncation` (overflowing windows with `stride`).
    #[pyo3(signature = (max_length, stride = 0, strategy = "longest_first", direction = "right"))]
    fn enable_truncation(
        &self,
        py: Python<'_>,
        max_length: usize,
        stride: usize,
        strategy: &str,
        direction: &str,
    ) -> PyResult<()> {
        let added = self.read().post_processor().map_or(0, |p| p.added_tokens(false));
        let params = truncation_params(max_length, stride, strategy, direction, added)?;
        self.mutate(py, |t| t.with_truncation(Some(params)).map(|_| ())).map_err(|e| to_py(py, e))
    }

    fn no_truncation(&self, py: Python<'_>) -> PyResult<()> {
        self.mutate(py, |t| t.with_truncation(None).map(|_| ())).map_err(|e| to_py(py, e))
    }

    /// The truncation settings as HF's dict, or None.
    #[getter]
    fn truncation<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let t = self.read().truncation().cloned();
        t.map(|t| truncation_dict(py, &t)).transpose()
    }

    /// Adds tokens (`str` or `AddedToken`); returns how many were new.
    fn add_tokens(&self, py: Python<'_>, tokens: &Bound<'_, PyAny>) -> PyResult<usize> {
        let tokens = added_tokens_of(tokens, false)?;
        Ok(self.mutate(py, |t| t.add_tokens(&tokens)))
    }

    /// Adds special tokens (skipped by `decode(skip_special_tokens=True)`); returns how many were new.
    fn add_special_tokens(&self, py: Python<'_>, tokens: &Bound<'_, PyAny>) -> PyResult<usize> {
        let tokens = added_tokens_of(tokens, true)?;
        Ok(self.mutate(py, |t| t.add_special_tokens(&tokens)))
    }

    /// `{id: AddedToken}` of every added token.
    fn get_added_tokens_decoder(&self) -> HashMap<u32, PyAddedToken> {
        let tokens = self.read().added_tokens();
        tokens.into_iter().map(|(id, t)| (id, PyAddedToken::from_token(t))).collect()
    }

    #[pyo3(signature = (with_added_tokens = true))]
    fn get_vocab_size(&self, with_added_tokens: bool) -> usize {
        self.read().get_vocab_size(with_added_tokens)
    }

    /// `{token: id}`.
    #[pyo3(signature = (with_added_tokens = true))]
    fn get_vocab(&self, py: Python<'_>, with_added_tokens: bool) -> HashMap<String, u32> {
        self.detached(py, |t| t.get_vocab(with_added_tokens))
    }

    fn token_to_id(&self, token: &str) -> Option<u32> {
        self.read().token_to_id(token)
    }

    fn id_to_token(&self, id: u32) -> Option<String> {
        self.read().id_to_token(id).map(str::to_string)
    }

    /// Pickles as the JSON text.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let ctor = py.get_type::<PyTokenizer>().getattr("from_str")?;
        Ok((ctor, (self.to_str(py, false)?,)))
    }

    fn __repr__(&self) -> String {
        format!("<tokenmill.Tokenizer vocab_size={}>", self.read().get_vocab_size(true))
    }
}
