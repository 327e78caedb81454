//! Python bindings for `tokenmill-tokenizers` (module `tokenmill._tokenmill`).
//!
//! Two families of classes:
//! * [`CoreBpe`] — the engine behind `tokenmill.tiktoken.Encoding` (tiktoken semantics).
//! * [`PyTokenizer`] / [`PyEncoding`] / [`PyAddedToken`] — `tokenmill.Tokenizer` /
//!   `tokenmill.Encoding` / `tokenmill.AddedToken`, a drop-in for `tokenizers.Tokenizer` on any
//!   supported Hugging Face `tokenizer.json` (HF `tokenizers` semantics).
//!
//! Every class is `frozen` and `Send + Sync` (the mutable `Tokenizer` behind an `RwLock`): many
//! Python threads may call one object at once, and every encode/decode of real size runs with the
//! GIL released (`py.detach`). Every library error is mapped to a Python exception; nothing here
//! unwraps user input.

mod convert;
mod core_bpe;
mod datasets;
mod errors;
mod hf;
mod hf_added;
mod hf_encoding;
mod hf_input;
mod hf_params;

use pyo3::prelude::*;
use tokenmill_tokenizers::tokenizer::batch;

use core_bpe::{CoreBpe, TokenBuffer};
use errors::{FormatError, PatternError, TokenmillError};
use hf::PyTokenizer;
use hf_added::PyAddedToken;
use hf_encoding::PyEncoding;

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
    m.add_class::<PyAddedToken>()?;
    m.add_function(wrap_pyfunction!(default_threads, m)?)?;
    datasets::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
