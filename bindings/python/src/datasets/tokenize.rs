//! Native tokenize / pack on a `_Dataset`: the engine's parallel tokenize map over a
//! `tokenmill.Tokenizer` (any tokenizer.json) or a `tokenmill.tiktoken` encoding's `CoreBPE`, run
//! with the GIL released; outputs are cached by fingerprint like every data op.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use tokenmill_datasets::tokenize::{self, IdType, PackOptions, Padding, Specials, TextTokenizer, TokenizeOptions};

use super::dataset::{wrap, PyDataset};
use super::errors::IntoPy;
use super::progress::PyProgress;
use crate::core_bpe::CoreBpe;
use crate::hf::PyTokenizer;

/// The engine tokenizer inside a `tokenmill.Tokenizer`, a `CoreBPE`, or a `tiktoken.Encoding`
/// wrapper (its `_core_bpe`). `keep_settings`: a `Tokenizer` keeps its truncation and padding.
pub(crate) fn text_tokenizer(obj: &Bound<'_, PyAny>, keep_settings: bool) -> PyResult<TextTokenizer> {
    if let Ok(t) = obj.downcast::<PyTokenizer>() {
        return t.get().snapshot(keep_settings).map(TextTokenizer::HuggingFace);
    }
    if let Ok(c) = obj.downcast::<CoreBpe>() {
        return Ok(TextTokenizer::Tiktoken(c.get().engine()));
    }
    if let Ok(core) = obj.getattr("_core_bpe") {
        if let Ok(c) = core.downcast::<CoreBpe>() {
            return Ok(TextTokenizer::Tiktoken(c.get().engine()));
        }
    }
    Err(PyTypeError::new_err(format!(
        "expected a tokenmill.Tokenizer or a tokenmill.tiktoken.Encoding, got {}",
        obj.get_type().name()?
    )))
}

/// Whether `obj` is a tokenmill tokenizer usable by the native path.
#[pyfunction]
pub(crate) fn _is_native_tokenizer(obj: &Bound<'_, PyAny>) -> bool {
    obj.downcast::<PyTokenizer>().is_ok()
        || obj.downcast::<CoreBpe>().is_ok()
        || obj.getattr("_core_bpe").is_ok_and(|c| c.downcast::<CoreBpe>().is_ok())
}

#[pyfunction]
#[pyo3(signature = (
        ds, tokenizer, column="text", output="input_ids", add_eot=false, eot_id=None, max_length=None,
        padding=None, pad_id=None, attention_mask=false, offsets=false, keep_columns=true,
        dtype="auto", add_special_tokens=false, batch_size=1000, num_threads=0, progress=None,
        pipeline=false
    ))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn _tokenize(
    py: Python<'_>,
    ds: PyRef<'_, PyDataset>,
    tokenizer: &Bound<'_, PyAny>,
    column: &str,
    output: &str,
    add_eot: bool,
    eot_id: Option<u32>,
    max_length: Option<usize>,
    padding: Option<&str>,
    pad_id: Option<u32>,
    attention_mask: bool,
    offsets: bool,
    keep_columns: bool,
    dtype: &str,
    add_special_tokens: bool,
    batch_size: usize,
    num_threads: usize,
    progress: Option<Bound<'_, PyAny>>,
    pipeline: bool,
) -> PyResult<PyDataset> {
    let tok = text_tokenizer(tokenizer, pipeline)?;
    let opts = TokenizeOptions {
        column: column.into(),
        output: output.into(),
        dtype: match dtype {
            "auto" => IdType::Auto,
            "uint16" | "u16" => IdType::U16,
            "uint32" | "u32" => IdType::U32,
            d => return Err(PyValueError::new_err(format!("dtype must be auto, uint16 or uint32, not {d:?}"))),
        },
        specials: if add_special_tokens { Specials::Added } else { Specials::Ordinary },
        add_eot,
        eot_id,
        attention_mask,
        offsets,
        max_length,
        padding: match padding {
            None | Some("do_not_pad") => Padding::None,
            Some("longest") => Padding::Longest,
            Some("max_length") => Padding::MaxLength,
            Some(p) => {
                return Err(PyValueError::new_err(format!(
                    "padding must be None, 'longest' or 'max_length', not {p:?}"
                )))
            }
        },
        pad_id,
        pipeline,
        keep_columns,
        threads: num_threads,
        batch_size: batch_size.max(1),
    };
    let p = PyProgress::new(progress);
    let split = ds.inner.split().map(str::to_string);
    let inner = ds.inner.clone();
    let out = py.detach(|| tokenize::tokenize(&inner, tok, &opts, None, &p)).py_err()?;
    Ok(wrap(out.with_split(split.as_deref())))
}

#[pyfunction]
#[pyo3(signature = (ds, block_size, column="input_ids", eot=None, keep_partial=false, progress=None))]
pub(crate) fn _pack(
    py: Python<'_>,
    ds: PyRef<'_, PyDataset>,
    block_size: usize,
    column: &str,
    eot: Option<u32>,
    keep_partial: bool,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<PyDataset> {
    if block_size == 0 {
        return Err(PyValueError::new_err("block_size must be positive"));
    }
    let opts = PackOptions { column: column.into(), block_size, eot, keep_partial };
    let p = PyProgress::new(progress);
    let split = ds.inner.split().map(str::to_string);
    let inner = ds.inner.clone();
    let out = py.detach(|| tokenize::pack(&inner, &opts, None, &p)).py_err()?;
    Ok(wrap(out.with_split(split.as_deref())))
}

/// The id of the end-of-text token of a tokenizer (`<|endoftext|>` or `text`), if it has one.
#[pyfunction]
#[pyo3(signature = (tokenizer, text=None))]
pub(crate) fn _special_token_id(tokenizer: &Bound<'_, PyAny>, text: Option<&str>) -> PyResult<Option<u32>> {
    let tok = text_tokenizer(tokenizer, false)?;
    Ok(tok.special_token_id(text.unwrap_or(tokenize::EOT_TEXT)))
}
