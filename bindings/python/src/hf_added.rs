//! `tokenmill.AddedToken`: a token to add to a tokenizer's vocabulary with HF's matching flags
//! (the same constructor, attributes, `str`/`repr` and `__getstate__` as `tokenizers.AddedToken`).

use pyo3::basic::CompareOp;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use tokenmill_tokenizers::added_vocab::hf::HfAddedToken;

/// `AddedToken(content, single_word, lstrip, rstrip, normalized, special)` for pickling.
type CtorArgs = (String, bool, bool, bool, bool, bool);

/// A token added to the vocabulary: never split by the model.
#[pyclass(frozen, module = "tokenmill._tokenmill", name = "AddedToken")]
#[derive(Clone)]
pub(crate) struct PyAddedToken {
    /// `normalized` as given (None: HF derives it from `special` when the token is used, so a
    /// token later passed to `add_special_tokens` becomes `normalized=False`).
    normalized: Option<bool>,
    token: HfAddedToken,
}

impl PyAddedToken {
    pub(crate) fn from_token(token: HfAddedToken) -> Self {
        PyAddedToken { normalized: Some(token.normalized), token }
    }

    /// The token as used, with `special` forced on by `add_special_tokens`.
    fn to_token(&self, special: bool) -> HfAddedToken {
        let mut t = self.token.clone();
        t.special |= special;
        t.normalized = self.normalized.unwrap_or(!t.special);
        t
    }
}

#[pymethods]
impl PyAddedToken {
    /// As HF: `normalized` defaults to `not special`.
    #[new]
    #[pyo3(signature = (content = None, single_word = false, lstrip = false, rstrip = false, normalized = None, special = false))]
    fn new(
        content: Option<String>,
        single_word: bool,
        lstrip: bool,
        rstrip: bool,
        normalized: Option<bool>,
        special: bool,
    ) -> Self {
        PyAddedToken {
            normalized,
            token: HfAddedToken {
                content: content.unwrap_or_default(),
                single_word,
                lstrip,
                rstrip,
                normalized: normalized.unwrap_or(!special),
                special,
            },
        }
    }

    #[getter]
    fn content(&self) -> &str {
        &self.token.content
    }
    #[getter]
    fn single_word(&self) -> bool {
        self.token.single_word
    }
    #[getter]
    fn lstrip(&self) -> bool {
        self.token.lstrip
    }
    #[getter]
    fn rstrip(&self) -> bool {
        self.token.rstrip
    }
    #[getter]
    fn normalized(&self) -> bool {
        self.token.normalized
    }
    #[getter]
    fn special(&self) -> bool {
        self.token.special
    }

    fn __getstate__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let t = &self.token;
        d.set_item("content", &t.content)?;
        d.set_item("single_word", t.single_word)?;
        d.set_item("lstrip", t.lstrip)?;
        d.set_item("rstrip", t.rstrip)?;
        d.set_item("normalized", t.normalized)?;
        d.set_item("special", t.special)?;
        Ok(d)
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, CtorArgs)> {
        let t = &self.token;
        let ctor = py.get_type::<PyAddedToken>().into_any();
        Ok((ctor, (t.content.clone(), t.single_word, t.lstrip, t.rstrip, t.normalized, t.special)))
    }

    fn __str__(&self) -> &str {
        &self.token.content
    }

    fn __repr__(&self) -> String {
        let t = &self.token;
        let b = |v: bool| if v { "True" } else { "False" };
        // HF writes the content between double quotes, unescaped.
        format!(
            "AddedToken(\"{}\", rstrip={}, lstrip={}, single_word={}, normalized={}, special={})",
            t.content,
            b(t.rstrip),
            b(t.lstrip),
            b(t.single_word),
            b(t.normalized),
            b(t.special)
        )
    }

    /// Equal when the contents are equal (as HF).
    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
        let py = other.py();
        let Ok(other) = other.downcast::<PyAddedToken>() else {
            return Ok(py.NotImplemented());
        };
        let eq = self.token.content == other.get().token.content;
        match op {
            CompareOp::Eq => Ok(eq.into_pyobject(py)?.to_owned().into_any().unbind()),
            CompareOp::Ne => Ok((!eq).into_pyobject(py)?.to_owned().into_any().unbind()),
            _ => Ok(py.NotImplemented()),
        }
    }

    fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
        PyString::new(py, &self.token.content).hash()
    }
}

/// A `str` or an `AddedToken` (HF accepts both in add_tokens / add_special_tokens).
pub(crate) fn added_token_of(obj: &Bound<'_, PyAny>, special: bool) -> PyResult<HfAddedToken> {
    if let Ok(t) = obj.downcast::<PyAddedToken>() {
        return Ok(t.get().to_token(special));
    }
    match obj.downcast::<PyString>() {
        Ok(s) => Ok(HfAddedToken::new(s.to_str()?.to_string(), special)),
        Err(_) => Err(pyo3::exceptions::PyTypeError::new_err("Input must be a List[Union[str, AddedToken]]")),
    }
}
