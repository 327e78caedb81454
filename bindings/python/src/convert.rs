//! Crossing the boundary: Python `str`s in without copying, id lists out without allocating
//! an int per token.

use std::sync::OnceLock;

use pyo3::exceptions::PyUnicodeEncodeError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

/// A Python `str` as Rust text. Lone surrogates (not encodable as UTF-8) are replaced as
/// tiktoken does: `text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")`.
pub(crate) fn text_of(obj: &Bound<'_, PyAny>) -> PyResult<String> {
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
pub(crate) fn texts_of<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Texts<'py>> {
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

pub(crate) struct Texts<'py> {
    items: Vec<Bound<'py, PyAny>>,
    owned: Vec<String>,
    slots: Vec<Option<usize>>,
}

impl<'py> Texts<'py> {
    /// The texts as `&str`, valid while `self` lives.
    pub(crate) fn strs(&self) -> Vec<&str> {
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
pub(crate) fn int_table<'a>(py: Python<'_>, cell: &'a OnceLock<Vec<Py<PyAny>>>, n: usize) -> &'a [Py<PyAny>] {
    cell.get_or_init(|| {
        (0..n as u32)
            .map(|i| i.into_pyobject(py).map(|o| o.into_any().unbind()).unwrap_or_else(|e| match e {}))
            .collect()
    })
}

pub(crate) fn ids_to_list<'py>(py: Python<'py>, ints: &[Py<PyAny>], ids: &[u32]) -> PyResult<Bound<'py, PyList>> {
    PyList::new(
        py,
        ids.iter().map(|&i| match ints.get(i as usize) {
            Some(o) => o.clone_ref(py),
            None => i.into_pyobject(py).map(|o| o.into_any().unbind()).unwrap_or_else(|e| match e {}),
        }),
    )
}

pub(crate) fn batch_to_list<'py>(
    py: Python<'py>,
    ints: &[Py<PyAny>],
    batch: &[Vec<u32>],
) -> PyResult<Bound<'py, PyList>> {
    // Allocating one list per document would trigger the cyclic garbage collector every few
    // hundred lists, and each pass walks the lists already built (a fifth of the whole batch
    // time). Lists of ints cannot form cycles, so pause the collector while building them.
    let _pause = GcPause::new();
    let rows = batch.iter().map(|ids| ids_to_list(py, ints, ids)).collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, rows)
}

/// Disables Python's cyclic GC until dropped (restoring it only if it was enabled). Needs the GIL,
/// which every caller holds.
pub(crate) struct GcPause(bool);

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

pub(crate) fn strings_of(obj: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    obj.try_iter()?.map(|t| t?.extract::<String>()).collect()
}
