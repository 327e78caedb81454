//! Python inputs of `encode` / `encode_batch` as the pipeline's `EncodeInput`, with HF's rules and
//! error messages: a `str`, a `(str, str)` pair, or with `is_pretokenized` a list of words or a
//! pair of word lists. Texts are borrowed from the Python `str` objects (their cached UTF-8 form),
//! not copied; the holders keep those objects alive while the GIL is released.

use std::borrow::Cow;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};

use tokenmill_tokenizers::tokenizer::{EncodeInput, InputSequence};

/// One sequence, holding its Python strings.
pub(crate) enum Seq<'py> {
    Text(Bound<'py, PyString>),
    Words(Vec<Bound<'py, PyString>>),
}

/// One input: a sequence or a pair.
pub(crate) struct Item<'py> {
    first: Seq<'py>,
    pair: Option<Seq<'py>>,
}

const TEXT_ERR: &str = "TextInputSequence must be str";
const WORDS_ERR: &str = "PreTokenizedInputSequence must be Union[List[str], Tuple[str]]";
const TEXT_INPUT_ERR: &str = "TextEncodeInput must be Union[TextInputSequence, Tuple[InputSequence, InputSequence]]";
const WORDS_INPUT_ERR: &str =
    "PreTokenizedEncodeInput must be Union[PreTokenizedInputSequence, Tuple[PreTokenizedInputSequence, PreTokenizedInputSequence]]";

fn text<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyString>> {
    let s = obj.downcast::<PyString>().map_err(|_| PyTypeError::new_err(TEXT_ERR))?;
    // A lone surrogate has no UTF-8 form: HF refuses such a str the same way.
    s.to_str().map_err(|_| PyTypeError::new_err(TEXT_ERR))?;
    Ok(s.clone())
}

/// The elements of a list or tuple (not of a `str`, not of other iterables), as HF accepts.
fn elements<'py>(obj: &Bound<'py, PyAny>) -> Option<Vec<Bound<'py, PyAny>>> {
    if let Ok(l) = obj.downcast::<PyList>() {
        return Some(l.iter().collect());
    }
    if let Ok(t) = obj.downcast::<PyTuple>() {
        return Some(t.iter().collect());
    }
    None
}

fn words<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, PyString>>> {
    let items = elements(obj).ok_or_else(|| PyTypeError::new_err(WORDS_ERR))?;
    items.iter().map(|w| text(w).map_err(|_| PyTypeError::new_err(WORDS_ERR))).collect()
}

pub(crate) fn seq<'py>(obj: &Bound<'py, PyAny>, is_pretokenized: bool) -> PyResult<Seq<'py>> {
    if is_pretokenized {
        Ok(Seq::Words(words(obj)?))
    } else {
        Ok(Seq::Text(text(obj)?))
    }
}

pub(crate) fn item<'py>(first: Seq<'py>, pair: Option<Seq<'py>>) -> Item<'py> {
    Item { first, pair }
}

/// One element of an `encode_batch` list.
pub(crate) fn batch_item<'py>(obj: &Bound<'py, PyAny>, is_pretokenized: bool) -> PyResult<Item<'py>> {
    if !is_pretokenized {
        if let Ok(s) = text(obj) {
            return Ok(Item { first: Seq::Text(s), pair: None });
        }
        return match elements(obj) {
            Some(p) if p.len() == 2 => Ok(Item {
                first: Seq::Text(text(&p[0]).map_err(|_| PyTypeError::new_err(TEXT_INPUT_ERR))?),
                pair: Some(Seq::Text(text(&p[1]).map_err(|_| PyTypeError::new_err(TEXT_INPUT_ERR))?)),
            }),
            _ => Err(PyTypeError::new_err(TEXT_INPUT_ERR)),
        };
    }
    // A list of words first (as HF tries it first), then a pair of word lists.
    if let Ok(w) = words(obj) {
        return Ok(Item { first: Seq::Words(w), pair: None });
    }
    match elements(obj) {
        Some(p) if p.len() == 2 => Ok(Item {
            first: Seq::Words(words(&p[0]).map_err(|_| PyTypeError::new_err(WORDS_INPUT_ERR))?),
            pair: Some(Seq::Words(words(&p[1]).map_err(|_| PyTypeError::new_err(WORDS_INPUT_ERR))?)),
        }),
        _ => Err(PyTypeError::new_err(WORDS_INPUT_ERR)),
    }
}

/// Every element of an `encode_batch` input (a list or tuple; a bare `str` is refused as HF does).
pub(crate) fn batch_items<'py>(obj: &Bound<'py, PyAny>, is_pretokenized: bool) -> PyResult<Vec<Item<'py>>> {
    if obj.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err("Can't extract `str` to `Vec`"));
    }
    let items: Vec<Bound<'py, PyAny>> = match elements(obj) {
        Some(v) => v,
        None => obj.try_iter()?.collect::<PyResult<_>>()?,
    };
    items.iter().map(|o| batch_item(o, is_pretokenized)).collect()
}

fn borrow<'a>(s: &'a Bound<'_, PyString>) -> Cow<'a, str> {
    // `text()` checked that the UTF-8 form exists; it is cached in the str object.
    Cow::Borrowed(s.to_str().unwrap_or(""))
}

fn input_seq<'a>(s: &'a Seq<'_>) -> InputSequence<'a> {
    match s {
        Seq::Text(t) => InputSequence::Raw(borrow(t)),
        Seq::Words(w) => InputSequence::PreTokenized(w.iter().map(borrow).collect()),
    }
}

/// The pipeline's view of an item, borrowing its strings.
pub(crate) fn encode_input<'a>(item: &'a Item<'_>) -> EncodeInput<'a> {
    EncodeInput { first: input_seq(&item.first), pair: item.pair.as_ref().map(input_seq) }
}

/// Single raw texts only (the ids-only fast path), or None when any item is a pair or pre-tokenized.
pub(crate) fn plain_texts<'a>(items: &'a [Item<'_>]) -> Option<Vec<&'a str>> {
    items
        .iter()
        .map(|i| match (&i.first, &i.pair) {
            (Seq::Text(t), None) => Some(t.to_str().unwrap_or("")),
            _ => None,
        })
        .collect()
}
