//! Python bindings for `tokenmill-tokenizers` (module `tokenmill._tokenmill`).
//!
//! Two families of classes:
//! * [`CoreBpe`] — the engine behind `tokenmill.tiktoken.Encoding` (tiktoken semantics).
//! * [`PyTokenizer`] / [`PyEncoding`] — `tokenmill.Tokenizer` / `tokenmill.Encoding` for Hugging
//!   Face byte-level BPE `tokenizer.json` files (HF `tokenizers` semantics).
//!
//! Every class is `frozen` and holds an `Arc<Tokenizer>`, so it is `Send + Sync`: many Python
//! threads may call one object at once, and every encode/decode of real size runs with the GIL
//! released (`py.detach`). Every library error is mapped to a Python exception; nothing in this
//! file unwraps user input.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use pyo3::create_exception;
use pyo3::exceptions::{PyKeyError, PyOSError, PyUnicodeEncodeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use tokenmill_tokenizers::format::{hf_json, tiktoken as tk};
use tokenmill_tokenizers::tokenizer::{batch, Flavor};
use tokenmill_tokenizers::{Error, SpecialPolicy, Tokenizer};

create_exception!(
    _tokenmill,
    TokenmillError,
    PyValueError,
    "Base class of tokenmill's own errors (a ValueError)."
);
create_exception!(
    _tokenmill,
    FormatError,
    TokenmillError,
    "A vocabulary / tokenizer.json / rank file could not be read or is not supported."
);
create_exception!(_tokenmill, PatternError, TokenmillError, "The split pattern (regex) is invalid.");

/// Largest token id accepted from user-supplied rank tables: the engine keeps a dense id table,
/// so a stray huge rank would otherwise try to allocate gigabytes.
const MAX_ID: u32 = 1 << 27;

/// tiktoken's exact message for disallowed special text (Python `repr` quoting).
fn disallowed_error(py: Python<'_>, token: &str) -> PyErr {
    let r = PyString::new(py, token).repr().map(|r| r.to_string()).unwrap_or_else(|_| format!("{token:?}"));
    PyValueError::new_err(format!(
        "Encountered text corresponding to disallowed special token {r}.\n\
         If you want this text to be encoded as a special token, pass it to `allowed_special`, e.g. \
         `allowed_special={{{r}, ...}}`.\n\
         If you want this text to be encoded as normal text, disable the check for this token by \
         passing `disallowed_special=(enc.special_tokens_set - {{{r}}})`.\n\
         To disable this check for all special tokens, pass `disallowed_special=()`.\n"
    ))
}

/// Maps every library error to a Python exception.
fn to_py(py: Python<'_>, e: Error) -> PyErr {
    match e {
        Error::Io { path, source } => {
            let msg = source.to_string();
            // "No such file or directory (os error 2)" -> "No such file or directory"
            let msg = match msg.rfind(" (os error ") {
                Some(i) if msg.ends_with(')') => msg[..i].to_string(),
                _ => msg,
            };
            let path = path.display().to_string();
            match source.raw_os_error() {
                // OSError(errno, strerror, filename) picks the subclass (FileNotFoundError, ...).
                Some(errno) => PyOSError::new_err((errno, msg, path)),
                None => match source.kind() {
                    std::io::ErrorKind::NotFound => PyOSError::new_err((2, msg, path)),
                    std::io::ErrorKind::InvalidData => FormatError::new_err(format!("{path}: {msg}")),
                    _ => PyOSError::new_err(format!("{path}: {msg}")),
                },
            }
        }
        Error::DisallowedSpecial(tok) => disallowed_error(py, &tok),
        Error::InvalidTokenId(id) => PyKeyError::new_err(format!("Invalid token for decoding: {id}")),
        Error::UnknownSpecial(s) => PyKeyError::new_err(s),
        e @ Error::UnknownEncoding { .. } => PyValueError::new_err(e.to_string()),
        e @ Error::Pattern { .. } => PatternError::new_err(e.to_string()),
        e @ (Error::RankFile { .. } | Error::TokenizerJson { .. } | Error::Unsupported { .. }) => {
            FormatError::new_err(e.to_string())
        }
        e => TokenmillError::new_err(e.to_string()),
    }
}

/// A Python `str` as Rust text. Lone surrogates (not encodable as UTF-8) are replaced as
/// tiktoken does: `text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")`.
fn text_of(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    match obj.extract::<String>() {
        Ok(s) => Ok(s),
        Err(e) if e.is_instance_of::<PyUnicodeEncodeError>(obj.py()) => obj
            .call_method1("encode", ("utf-16", "surrogatepass"))?
            .call_method1("decode", ("utf-16", "replace"))?
            .extract::<String>(),
        Err(e) => Err(e),
    }
}

/// Texts of a list (or any iterable) of `str`, borrowed from the Python objects without copying
/// where possible (their UTF-8 form); texts with lone surrogates are converted as `text_of` does.
/// The returned holders keep a reference to every string, so another Python thread mutating the
/// list while we run without the GIL cannot free them.
fn texts_of<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Texts<'py>> {
    let items: Vec<Bound<'py, PyAny>> = match obj.downcast::<PyList>() {
        Ok(list) => list.iter().collect(),
        Err(_) => obj.try_iter()?.collect::<PyResult<_>>()?,
    };
    let mut owned = Vec::new();
    let mut slots = Vec::with_capacity(items.len());
    for item in &items {
        match item.downcast::<PyString>().map_err(PyErr::from).and_then(|s| s.to_str()) {
            Ok(_) => slots.push(None),
            Err(_) => {
                owned.push(text_of(item)?);
                slots.push(Some(owned.len() - 1));
            }
        }
    }
    Ok(Texts { items, owned, slots })
}

struct Texts<'py> {
    items: Vec<Bound<'py, PyAny>>,
    owned: Vec<String>,
    slots: Vec<Option<usize>>,
}

impl<'py> Texts<'py> {
    /// The texts as `&str`, valid while `self` lives.
    fn strs(&self) -> Vec<&str> {
        self.items
            .iter()
            .zip(&self.slots)
            .map(|(item, slot)| match slot {
                Some(i) => self.owned[*i].as_str(),
                // `to_str` succeeded in `texts_of`; the UTF-8 form is cached inside the str
                // object, which `items` keeps alive.
                None => item.downcast::<PyString>().ok().and_then(|s| s.to_str().ok()).unwrap_or(""),
            })
            .collect()
    }
}

/// Python ints for every id, made once per encoding: building result lists then costs an
/// INCREF per token instead of allocating a new int object per token.
fn int_table<'a>(py: Python<'_>, cell: &'a OnceLock<Vec<Py<PyAny>>>, n: usize) -> &'a [Py<PyAny>] {
    cell.get_or_init(|| (0..n as u32).map(|i| i.into_pyobject(py).map(|o| o.into_any().unbind()).unwrap_or_else(|e| match e {})).collect())
}

fn ids_to_list<'py>(py: Python<'py>, ints: &[Py<PyAny>], ids: &[u32]) -> PyResult<Bound<'py, PyList>> {
    PyList::new(
        py,
        ids.iter().map(|&i| match ints.get(i as usize) {
            Some(o) => o.clone_ref(py),
            None => i.into_pyobject(py).map(|o| o.into_any().unbind()).unwrap_or_else(|e| match e {}),
        }),
    )
}

fn batch_to_list<'py>(py: Python<'py>, ints: &[Py<PyAny>], batch: &[Vec<u32>]) -> PyResult<Bound<'py, PyList>> {
    // Allocating one list per document would trigger the cyclic garbage collector every few
    // hundred lists, and each pass walks the lists already built (a fifth of the whole batch
    // time). Lists of ints cannot form cycles, so pause the collector while building them.
    let _pause = GcPause::new();
    let rows = batch.iter().map(|ids| ids_to_list(py, ints, ids)).collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, rows)
}

/// Disables Python's cyclic GC until dropped (restoring it only if it was enabled). Needs the GIL,
/// which every caller holds.
struct GcPause(bool);

impl GcPause {
    fn new() -> Self {
        // SAFETY: called with the GIL held (we are inside a #[pymethods] body).
        GcPause(unsafe { pyo3::ffi::PyGC_Disable() } == 1)
    }
}

impl Drop for GcPause {
    fn drop(&mut self) {
        if self.0 {
            // SAFETY: as above; dropped before the GIL is released.
            unsafe { pyo3::ffi::PyGC_Enable() };
        }
    }
}

fn strings_of(obj: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    obj.try_iter()?.map(|t| t?.extract::<String>()).collect()
}

/// The leftmost occurrence of any of `tokens` in `text` (ties: the longest token).
fn find_disallowed<'a>(text: &str, tokens: &'a [String]) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for t in tokens {
        if let Some(at) = text.find(t.as_str()) {
            let better = match best {
                None => true,
                Some((p, b)) => at < p || (at == p && t.len() > b.len()),
            };
            if better {
                best = Some((at, t));
            }
        }
    }
    best.map(|(_, t)| t)
}

/// Which error a tiktoken-style encode of one text hit.
enum EncodeFail {
    Disallowed(String),
    Lib(Error),
}

fn encode_tiktoken(tok: &Tokenizer, text: &str, allowed: &HashSet<String>, disallowed: &[String]) -> Result<Vec<u32>, EncodeFail> {
    if let Some(t) = find_disallowed(text, disallowed) {
        return Err(EncodeFail::Disallowed(t.to_string()));
    }
    if allowed.is_empty() {
        return Ok(tok.encode_ordinary(text));
    }
    let allow = |s: &str| allowed.contains(s);
    let never = |_: &str| false;
    tok.encode(text, SpecialPolicy::Sets { allowed: &allow, disallowed: &never }).map_err(EncodeFail::Lib)
}

fn fail_to_py(py: Python<'_>, f: EncodeFail) -> PyErr {
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
struct TokenBuffer {
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
struct CoreBpe {
    inner: Arc<Tokenizer>,
    ints: OnceLock<Vec<Py<PyAny>>>,
}

impl CoreBpe {
    fn new(inner: Arc<Tokenizer>) -> Self {
        CoreBpe { inner, ints: OnceLock::new() }
    }

    fn ints(&self, py: Python<'_>) -> &[Py<PyAny>] {
        int_table(py, &self.ints, self.inner.n_vocab())
    }

    fn encode_vec(&self, py: Python<'_>, text: &Bound<'_, PyAny>, allowed_special: &Bound<'_, PyAny>, disallowed_special: &Bound<'_, PyAny>) -> PyResult<Vec<u32>> {
        let allowed: HashSet<String> = strings_of(allowed_special)?.into_iter().collect();
        let disallowed = strings_of(disallowed_special)?;
        let text = text_of(text)?;
        let tok = &self.inner;
        py.detach(|| encode_tiktoken(tok, &text, &allowed, &disallowed)).map_err(|f| fail_to_py(py, f))
    }
}

fn ranks_of(obj: &Bound<'_, PyAny>) -> PyResult<Vec<(Vec<u8>, u32)>> {
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
    fn from_ranks(py: Python<'_>, name: String, pattern: String, mergeable_ranks: &Bound<'_, PyAny>, special_tokens: HashMap<String, u32>) -> PyResult<Self> {
        let ranks = ranks_of(mergeable_ranks)?;
        let specials: Vec<(String, u32)> = special_tokens.into_iter().collect();
        let tok = py.detach(|| tk::from_ranks(&name, &pattern, ranks, specials)).map_err(|e| to_py(py, e))?;
        Ok(CoreBpe::new(Arc::new(tok)))
    }

    /// A new encoding sharing `base`'s ranks and pattern with other special tokens
    /// (e.g. o200k_harmony from o200k_base).
    #[staticmethod]
    fn with_specials(py: Python<'_>, base: &CoreBpe, name: String, special_tokens: HashMap<String, u32>) -> PyResult<Self> {
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
    fn encode<'py>(&self, py: Python<'py>, text: &Bound<'py, PyAny>, allowed_special: &Bound<'py, PyAny>, disallowed_special: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        let ids = self.encode_vec(py, text, allowed_special, disallowed_special)?;
        ids_to_list(py, self.ints(py), &ids)
    }

    /// `encode`, returning a [`TokenBuffer`] for `numpy.asarray` (no copy of the ids).
    fn encode_to_buffer(&self, py: Python<'_>, text: &Bound<'_, PyAny>, allowed_special: &Bound<'_, PyAny>, disallowed_special: &Bound<'_, PyAny>) -> PyResult<TokenBuffer> {
        let ids = self.encode_vec(py, text, allowed_special, disallowed_special)?;
        Ok(TokenBuffer { ids })
    }

    #[pyo3(signature = (texts, num_threads = 8))]
    fn encode_ordinary_batch<'py>(&self, py: Python<'py>, texts: &Bound<'py, PyAny>, num_threads: usize) -> PyResult<Bound<'py, PyList>> {
        let texts = texts_of(texts)?;
        let strs = texts.strs();
        let tok = &self.inner;
        let out = py.detach(|| tok.encode_ordinary_batch(&strs, num_threads)).map_err(|e| to_py(py, e))?;
        batch_to_list(py, self.ints(py), &out)
    }

    #[pyo3(signature = (texts, allowed_special, disallowed_special, num_threads = 8))]
    fn encode_batch<'py>(&self, py: Python<'py>, texts: &Bound<'py, PyAny>, allowed_special: &Bound<'py, PyAny>, disallowed_special: &Bound<'py, PyAny>, num_threads: usize) -> PyResult<Bound<'py, PyList>> {
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
    fn decode_bytes_batch<'py>(&self, py: Python<'py>, batch: Vec<Vec<u32>>, num_threads: usize) -> PyResult<Vec<Bound<'py, PyBytes>>> {
        let tok = &self.inner;
        let res = py.detach(|| batch::map(&batch, num_threads, |ids| tok.decode_bytes(ids))).map_err(|e| to_py(py, e))?;
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
            .map(|&t| self.inner.token_bytes(t).map(|b| PyBytes::new(py, b)).ok_or_else(|| PyKeyError::new_err(t.to_string())))
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

// ------------------------------------------------------------------------------------------------
// Hugging Face tokenizer.json

/// The result of encoding one text: ids, token strings and char offsets (HF `Encoding`).
#[pyclass(frozen, module = "tokenmill._tokenmill", name = "Encoding")]
struct PyEncoding {
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
struct PyTokenizer {
    inner: Arc<Tokenizer>,
}

enum Input {
    Single(String),
    Pair(String, String),
}

fn input_of(obj: &Bound<'_, PyAny>) -> PyResult<Input> {
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

fn encode_input(tok: &Tokenizer, input: &Input) -> PyEncoding {
    match input {
        Input::Single(s) => PyEncoding::from_core(tok.encode_full(s), 0),
        Input::Pair(a, b) => PyEncoding::from_core(tok.encode_full(a), 0).merge(PyEncoding::from_core(tok.encode_full(b), 1)),
    }
}

impl PyTokenizer {
    fn hf_json(&self) -> PyResult<&str> {
        match self.inner.flavor() {
            Flavor::HuggingFace(hf) => Ok(&hf.json),
            Flavor::Tiktoken { .. } => Err(TokenmillError::new_err("this tokenizer was not loaded from tokenizer.json")),
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
        let json = std::str::from_utf8(buffer).map_err(|e| FormatError::new_err(format!("<buffer>: not UTF-8: {e}")))?.to_string();
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
        py.detach(|| std::fs::write(&path, json))
            .map_err(|source| to_py(py, Error::Io { path: path.clone(), source }))
    }

    /// Encodes one text (or a pair) to an [`PyEncoding`]. Added tokens are always recognised.
    /// `add_special_tokens` is accepted for compatibility (a ByteLevel post-processor adds none).
    #[pyo3(signature = (sequence, pair = None, is_pretokenized = false, add_special_tokens = true))]
    fn encode(&self, py: Python<'_>, sequence: &Bound<'_, PyAny>, pair: Option<&Bound<'_, PyAny>>, is_pretokenized: bool, add_special_tokens: bool) -> PyResult<PyEncoding> {
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
    fn encode_batch(&self, py: Python<'_>, input: &Bound<'_, PyAny>, is_pretokenized: bool, add_special_tokens: bool, num_threads: usize) -> PyResult<Vec<PyEncoding>> {
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
    fn encode_batch_ids(&self, py: Python<'_>, input: &Bound<'_, PyAny>, num_threads: usize) -> PyResult<Vec<Vec<u32>>> {
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
    fn decode_batch(&self, py: Python<'_>, sequences: Vec<Vec<u32>>, skip_special_tokens: bool) -> PyResult<Vec<String>> {
        let tok = &self.inner;
        py.detach(|| batch::map(&sequences, 0, |ids| tok.decode_skipping(ids, skip_special_tokens))).map_err(|e| to_py(py, e))
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

/// Threads used when a call passes `num_threads=0` (`RAYON_NUM_THREADS` or the core count).
#[pyfunction]
fn default_threads() -> usize {
    batch::default_threads()
}

#[pymodule]
fn _tokenmill(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("TokenmillError", py.get_type::<TokenmillError>())?;
    m.add("FormatError", py.get_type::<FormatError>())?;
    m.add("PatternError", py.get_type::<PatternError>())?;
    m.add_class::<CoreBpe>()?;
    m.add_class::<TokenBuffer>()?;
    m.add_class::<PyEncoding>()?;
    m.add_class::<PyTokenizer>()?;
    m.add_function(wrap_pyfunction!(default_threads, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
