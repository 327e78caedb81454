//! `CoreBPE`: the engine behind `tokenmill.tiktoken.Encoding` (tiktoken semantics), and the
//! zero-copy id buffer for `encode_to_numpy`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};

use tokenmill_tokenizers::added_vocab::find_leftmost;
use tokenmill_tokenizers::format::tiktoken as tk;
use tokenmill_tokenizers::tokenizer::{batch, Flavor};
use tokenmill_tokenizers::{Error, SpecialPolicy, Tokenizer};

use crate::convert::*;
use crate::errors::*;

/// Which error a tiktoken-style encode of one text hit.
pub(crate) enum EncodeFail {
    Disallowed(String),
    Lib(Error),
}

pub(crate) fn encode_tiktoken(
    tok: &Tokenizer,
    text: &str,
    allowed: &HashSet<String>,
    disallowed: &[String],
) -> Result<Vec<u32>, EncodeFail> {
    if let Some(t) = find_leftmost(text, disallowed.iter().map(String::as_str)) {
        return Err(EncodeFail::Disallowed(t.to_string()));
    }
    if allowed.is_empty() {
        return Ok(tok.encode_ordinary(text));
    }
    let allow = |s: &str| allowed.contains(s);
    let never = |_: &str| false;
    tok.encode(text, SpecialPolicy::Sets { allowed: &allow, disallowed: &never }).map_err(EncodeFail::Lib)
}

pub(crate) fn fail_to_py(py: Python<'_>, f: EncodeFail) -> PyErr {
    match f {
        EncodeFail::Disallowed(t) => disallowed_error(py, &t),
        EncodeFail::Lib(e) => to_py(py, e),
    }
}

// ------------------------------------------------------------------------------------------------
// Zero-copy id buffer for numpy

/// Owns token ids and exposes them to numpy without copying (`__array_interface__`, read-only).
/// `numpy.asarray(buf)` views the memory and keeps `buf` alive as the array's base.
#[pyclass(frozen, module = "tokenmill._tokenmill")]
pub(crate) struct TokenBuffer {
    ids: Vec<u32>,
}

#[pymethods]
impl TokenBuffer {
    #[getter]
    fn __array_interface__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("shape", (self.ids.len(),))?;
        d.set_item("typestr", "<u4")?;
        d.set_item("data", (self.ids.as_ptr() as usize, true))?;
        d.set_item("version", 3)?;
        Ok(d)
    }

    fn __len__(&self) -> usize {
        self.ids.len()
    }

    /// Address of the first id (for checking that no copy was made).
    #[getter]
    fn address(&self) -> usize {
        self.ids.as_ptr() as usize
    }

    fn tolist(&self) -> Vec<u32> {
        self.ids.clone()
    }
}

// ------------------------------------------------------------------------------------------------
// tiktoken engine

/// The engine behind `tokenmill.tiktoken.Encoding` (tiktoken's `CoreBPE`).
#[pyclass(frozen, module = "tokenmill._tokenmill", name = "CoreBPE")]
pub(crate) struct CoreBpe {
    inner: Arc<Tokenizer>,
    ints: OnceLock<Vec<Py<PyAny>>>,
}

impl CoreBpe {
    /// The shared engine (for the datasets' native tokenize map).
    pub(crate) fn engine(&self) -> Arc<Tokenizer> {
        self.inner.clone()
    }

    fn new(inner: Arc<Tokenizer>) -> Self {
        CoreBpe { inner, ints: OnceLock::new() }
    }

    fn ints(&self, py: Python<'_>) -> &[Py<PyAny>] {
        int_table(py, &self.ints, self.inner.n_vocab())
    }

    fn encode_vec(
        &self,
        py: Python<'_>,
        text: &Bound<'_, PyAny>,
        allowed_special: &Bound<'_, PyAny>,
        disallowed_special: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<u32>> {
        let allowed: HashSet<String> = strings_of(allowed_special)?.into_iter().collect();
        let disallowed = strings_of(disallowed_special)?;
        let text = text_of(text)?;
        let tok = &self.inner;
        py.detach(|| encode_tiktoken(tok, &text, &allowed, &disallowed)).map_err(|f| fail_to_py(py, f))
    }
}

pub(crate) fn ranks_of(obj: &Bound<'_, PyAny>) -> PyResult<Vec<(Vec<u8>, u32)>> {
    let dict = obj.downcast::<PyDict>()?;
    let mut out = Vec::with_capacity(dict.len());
    for (k, v) in dict.iter() {
        let bytes = k.downcast::<PyBytes>()?.as_bytes().to_vec();
        let rank: u32 = v.extract()?;
        if rank >= MAX_ID {
            return Err(TokenmillError::new_err(format!("rank {rank} of {bytes:?} is too large (limit {MAX_ID})")));
        }
        out.push((bytes, rank));
    }
    Ok(out)
}

#[pymethods]
impl CoreBpe {
    /// A built-in encoding (r50k_base, gpt2, p50k_base, p50k_edit, cl100k_base, o200k_base).
    #[staticmethod]
    fn builtin(py: Python<'_>, name: &str) -> PyResult<Self> {
        let name = name.to_string();
        let inner = py.detach(|| tokenmill_tokenizers::builtin(&name)).map_err(|e| to_py(py, e))?;
        Ok(CoreBpe::new(inner))
    }

    #[staticmethod]
    fn builtin_names() -> Vec<&'static str> {
        tokenmill_tokenizers::builtin_names()
    }

    /// An encoding from a rank table `{bytes: rank}`, a split pattern and `{special: id}`.
    #[staticmethod]
    fn from_ranks(
        py: Python<'_>,
        name: String,
        pattern: String,
        mergeable_ranks: &Bound<'_, PyAny>,
        special_tokens: HashMap<String, u32>,
    ) -> PyResult<Self> {
        let ranks = ranks_of(mergeable_ranks)?;
        let specials: Vec<(String, u32)> = special_tokens.into_iter().collect();
        let tok = py.detach(|| tk::from_ranks(&name, &pattern, ranks, specials)).map_err(|e| to_py(py, e))?;
        Ok(CoreBpe::new(Arc::new(tok)))
    }

    /// A new encoding sharing `base`'s ranks and pattern with other special tokens
    /// (e.g. o200k_harmony from o200k_base).
    #[staticmethod]
    fn with_specials(
        py: Python<'_>,
        base: &CoreBpe,
        name: String,
        special_tokens: HashMap<String, u32>,
    ) -> PyResult<Self> {
        let base = base.inner.clone();
        let specials: Vec<(String, u32)> = special_tokens.into_iter().collect();
        let tok = py
            .detach(|| {
                let ranks = base.model().vocab().map(|(b, id)| (b.to_vec(), id)).collect();
                tk::from_ranks(&name, base.pattern(), ranks, specials)
            })
            .map_err(|e| to_py(py, e))?;
        Ok(CoreBpe::new(Arc::new(tok)))
    }

    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    #[getter]
    fn pattern(&self) -> &str {
        self.inner.pattern()
    }

    #[getter]
    fn n_vocab(&self) -> usize {
        self.inner.n_vocab()
    }

    #[getter]
    fn explicit_n_vocab(&self) -> Option<usize> {
        match self.inner.flavor() {
            Flavor::Tiktoken { explicit_n_vocab } => *explicit_n_vocab,
            Flavor::HuggingFace(_) => None,
        }
    }

    /// `{special token: id}`.
    fn special_tokens(&self) -> HashMap<String, u32> {
        self.inner.special_tokens().map(|(s, id)| (s.to_string(), id)).collect()
    }

    /// `{token bytes: rank}` (builds a new dict; callers cache it).
    fn mergeable_ranks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let mut pairs: Vec<(&[u8], u32)> = self.inner.model().vocab().collect();
        pairs.sort_unstable_by_key(|p| p.1);
        let d = PyDict::new(py);
        for (b, id) in pairs {
            d.set_item(PyBytes::new(py, b), id)?;
        }
        Ok(d)
    }

    fn encode_ordinary<'py>(&self, py: Python<'py>, text: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        let tok = &self.inner;
        let ids = match text.downcast::<PyString>().map_err(PyErr::from).and_then(|s| s.to_str()) {
            // Short texts: releasing the GIL costs more than it gives.
            Ok(s) if s.len() < 4096 => tok.encode_ordinary(s),
            Ok(s) => py.detach(|| tok.encode_ordinary(s)),
            Err(_) => {
                let owned = text_of(text)?;
                py.detach(|| tok.encode_ordinary(&owned))
            }
        };
        ids_to_list(py, self.ints(py), &ids)
    }

    /// tiktoken `encode`: raises on the leftmost text in `disallowed_special`, then encodes with
    /// the special tokens in `allowed_special` recognised.
    fn encode<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
        allowed_special: &Bound<'py, PyAny>,
        disallowed_special: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let ids = self.encode_vec(py, text, allowed_special, disallowed_special)?;
        ids_to_list(py, self.ints(py), &ids)
    }

    /// `encode`, returning a [`TokenBuffer`] for `numpy.asarray` (no copy of the ids).
    fn encode_to_buffer(
        &self,
        py: Python<'_>,
        text: &Bound<'_, PyAny>,
        allowed_special: &Bound<'_, PyAny>,
        disallowed_special: &Bound<'_, PyAny>,
    ) -> PyResult<TokenBuffer> {
        let ids = self.encode_vec(py, text, allowed_special, disallowed_special)?;
        Ok(TokenBuffer { ids })
    }

    #[pyo3(signature = (texts, num_threads = 8))]
    fn encode_ordinary_batch<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        num_threads: usize,
    ) -> PyResult<Bound<'py, PyList>> {
        let texts = texts_of(texts)?;
        let strs = texts.strs();
        let tok = &self.inner;
        let out = py.detach(|| tok.encode_ordinary_batch(&strs, num_threads)).map_err(|e| to_py(py, e))?;
        batch_to_list(py, self.ints(py), &out)
    }

    #[pyo3(signature = (texts, allowed_special, disallowed_special, num_threads = 8))]
    fn encode_batch<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        allowed_special: &Bound<'py, PyAny>,
        disallowed_special: &Bound<'py, PyAny>,
        num_threads: usize,
    ) -> PyResult<Bound<'py, PyList>> {
        let allowed: HashSet<String> = strings_of(allowed_special)?.into_iter().collect();
        let disallowed = strings_of(disallowed_special)?;
        let texts = texts_of(texts)?;
        let strs = texts.strs();
        let tok = &self.inner;
        let res = py.detach(|| batch::map(&strs, num_threads, |t| encode_tiktoken(tok, t, &allowed, &disallowed)));
        let res = res.map_err(|e| to_py(py, e))?;
        let out = res.into_iter().map(|r| r.map_err(|f| fail_to_py(py, f))).collect::<PyResult<Vec<_>>>()?;
        batch_to_list(py, self.ints(py), &out)
    }

    /// BPE on raw bytes without the split pattern (tiktoken `_encode_single_piece`).
    fn encode_single_piece(&self, py: Python<'_>, piece: &[u8]) -> Vec<u32> {
        let tok = &self.inner;
        let piece = piece.to_vec();
        py.detach(|| {
            let mut out = Vec::new();
            if !piece.is_empty() {
                tok.model().encode_piece(&piece, &mut out);
            }
            out
        })
    }

    /// The id of one token's bytes (mergeable or special); `KeyError` otherwise.
    fn encode_single_token(&self, py: Python<'_>, piece: &[u8]) -> PyResult<u32> {
        if let Some(id) = self.inner.model().token_id(piece) {
            return Ok(id);
        }
        if let Some(id) = std::str::from_utf8(piece).ok().and_then(|s| self.inner.special_token_id(s)) {
            return Ok(id);
        }
        Err(PyKeyError::new_err(PyBytes::new(py, piece).unbind()))
    }

    fn decode_bytes<'py>(&self, py: Python<'py>, tokens: Vec<u32>) -> PyResult<Bound<'py, PyBytes>> {
        let tok = &self.inner;
        let bytes = py.detach(|| tok.decode_bytes(&tokens)).map_err(|e| to_py(py, e))?;
        Ok(PyBytes::new(py, &bytes))
    }

    #[pyo3(signature = (batch, num_threads = 8))]
    fn decode_bytes_batch<'py>(
        &self,
        py: Python<'py>,
        batch: Vec<Vec<u32>>,
        num_threads: usize,
    ) -> PyResult<Vec<Bound<'py, PyBytes>>> {
        let tok = &self.inner;
        let res =
            py.detach(|| batch::map(&batch, num_threads, |ids| tok.decode_bytes(ids))).map_err(|e| to_py(py, e))?;
        res.into_iter().map(|r| r.map(|b| PyBytes::new(py, &b)).map_err(|e| to_py(py, e))).collect()
    }

    fn decode_single_token_bytes<'py>(&self, py: Python<'py>, token: u32) -> PyResult<Bound<'py, PyBytes>> {
        match self.inner.token_bytes(token) {
            Some(b) => Ok(PyBytes::new(py, b)),
            None => Err(PyKeyError::new_err(token.to_string())),
        }
    }

    fn decode_tokens_bytes<'py>(&self, py: Python<'py>, tokens: Vec<u32>) -> PyResult<Vec<Bound<'py, PyBytes>>> {
        tokens
            .iter()
            .map(|&t| {
                self.inner.token_bytes(t).map(|b| PyBytes::new(py, b)).ok_or_else(|| PyKeyError::new_err(t.to_string()))
            })
            .collect()
    }

    /// The bytes of every mergeable token, sorted (tiktoken `token_byte_values`).
    fn token_byte_values<'py>(&self, py: Python<'py>) -> Vec<Bound<'py, PyBytes>> {
        let mut v: Vec<&[u8]> = self.inner.model().vocab().map(|(b, _)| b).collect();
        v.sort_unstable();
        v.into_iter().map(|b| PyBytes::new(py, b)).collect()
    }

    fn __repr__(&self) -> String {
        format!("<CoreBPE {:?}>", self.inner.name())
    }
}
