//! String columns to Python lists and back, for `Dataset.map`/`filter` with Python callables.
//! pyarrow's `to_pylist` goes through a Scalar object per value and `pa.array` grows its buffers
//! in pyarrow's memory pool (fresh, page-faulted memory in a new process); these two do one pass
//! over the values with CPython's own constructors and take the output's value bytes from
//! [`ValueBytes`]. Both only take what they are sure of (a string array; a list of `str`/`None`)
//! and return `None` otherwise, so the caller's pyarrow path keeps pyarrow's exact semantics for
//! everything else (type inference, errors).

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, GenericStringArray, OffsetSizeTrait};
use arrow_buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::DataType;
use pyo3::exceptions::PyValueError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use tokenmill_datasets::value_bytes::ValueBytes;

use super::arrow::{array_capsules, check_requested, import_array};

/// The values of a string array (`string`, `large_string` or `string_view`; any object with
/// `__arrow_c_array__`, e.g. one chunk of a pyarrow column) as a list of `str`/`None`; `None`
/// for any other type.
#[pyfunction]
pub(crate) fn _strings_to_list<'py>(
    py: Python<'py>,
    array: &Bound<'py, PyAny>,
) -> PyResult<Option<Bound<'py, PyList>>> {
    let array = import_array(array)?;
    let list = match array.data_type() {
        DataType::Utf8 => to_list(py, array.len(), array.nulls(), |i| array_str::<i32>(&array, i)),
        DataType::LargeUtf8 => to_list(py, array.len(), array.nulls(), |i| array_str::<i64>(&array, i)),
        DataType::Utf8View => {
            let a = arrow_array::cast::AsArray::as_string_view(array.as_ref());
            to_list(py, a.len(), a.nulls(), |i| a.value(i))
        }
        _ => return Ok(None),
    };
    list.map(Some)
}

fn array_str<O: OffsetSizeTrait>(array: &ArrayRef, i: usize) -> &str {
    arrow_array::cast::AsArray::as_string::<O>(array.as_ref()).value(i)
}

fn to_list<'py, 'a>(
    py: Python<'py>,
    n: usize,
    nulls: Option<&NullBuffer>,
    value: impl Fn(usize) -> &'a str,
) -> PyResult<Bound<'py, PyList>> {
    let len = isize::try_from(n).map_err(|_| PyValueError::new_err("array too long for a list"))?;
    // SAFETY: PyList_New gives a new reference (owned by `list` from here on, so an error below
    // frees it and the items already set); every slot is filled with a new reference before the
    // list is handed out, as PyList_SET_ITEM requires.
    unsafe {
        let list = Bound::from_owned_ptr_or_err(py, ffi::PyList_New(len))?;
        for i in 0..n {
            let item = if nulls.is_some_and(|b| b.is_null(i)) {
                ffi::Py_IncRef(ffi::Py_None());
                ffi::Py_None()
            } else {
                let s = value(i);
                // CPython's UTF-8 decoder copies ASCII a word at a time, which is all an ASCII
                // value costs; the bytes are valid UTF-8 (an Arrow string) either way.
                let p = ffi::PyUnicode_FromStringAndSize(s.as_ptr().cast(), s.len() as isize);
                if p.is_null() {
                    return Err(PyErr::fetch(py));
                }
                p
            };
            ffi::PyList_SET_ITEM(list.as_ptr(), i as isize, item);
        }
        Ok(list.downcast_into_unchecked())
    }
}

/// An Arrow array handed to pyarrow (`pa.array(obj)`) through `__arrow_c_array__`.
#[pyclass(frozen, module = "tokenmill._tokenmill", name = "_ArrowArray")]
pub(crate) struct PyArrowArray {
    array: ArrayRef,
}

#[pymethods]
impl PyArrowArray {
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        check_requested(requested_schema)?;
        array_capsules(py, self.array.as_ref())
    }

    fn __len__(&self) -> usize {
        self.array.len()
    }
}

/// A list of `str`/`None` as a `string` array (`large_string` when `large`), what `pa.array`
/// would make of it; `None` when the list holds anything else, no `str` at all (pyarrow infers
/// the null type), a string with lone surrogates, or more than 2 GiB for a `string` array.
#[pyfunction]
pub(crate) fn _strings_from_list(values: &Bound<'_, PyAny>, large: bool) -> PyResult<Option<PyArrowArray>> {
    let Ok(list) = values.downcast::<PyList>() else {
        return Ok(None);
    };
    let array = if large { from_list::<i64>(list)? } else { from_list::<i32>(list)? };
    Ok(array.map(|array| PyArrowArray { array }))
}

fn from_list<O: OffsetSizeTrait>(list: &Bound<'_, PyList>) -> PyResult<Option<ArrayRef>> {
    let py = list.py();
    let n = list.len();
    // Pass 1: the UTF-8 of every value. The pointers stay valid through pass 2: the GIL is held
    // and no Python code runs in between, so the list and its strings cannot change.
    let mut parts: Vec<Option<(*const u8, usize)>> = Vec::with_capacity(n);
    let mut total = 0usize;
    let mut strings = 0usize;
    for i in 0..n {
        // SAFETY: i < len, and the list is not resized while the GIL is held here.
        let item = unsafe { ffi::PyList_GET_ITEM(list.as_ptr(), i as isize) };
        if item == unsafe { ffi::Py_None() } {
            parts.push(None);
            continue;
        }
        // SAFETY: `item` is a live object borrowed from the list.
        if unsafe { ffi::PyUnicode_Check(item) } == 0 {
            return Ok(None);
        }
        let mut len: ffi::Py_ssize_t = 0;
        // SAFETY: `item` is a str; the returned buffer lives as long as the string (cached on it).
        let p = unsafe { ffi::PyUnicode_AsUTF8AndSize(item, &mut len) };
        if p.is_null() {
            // lone surrogates: pyarrow's path reports it in its own words
            drop(PyErr::take(py));
            return Ok(None);
        }
        parts.push(Some((p.cast::<u8>(), len as usize)));
        total += len as usize;
        strings += 1;
    }
    if strings == 0 || O::from_usize(total).is_none() {
        return Ok(None);
    }
    // Pass 2: offsets, value bytes and the validity of each value.
    let mut bytes = ValueBytes::with_capacity(total);
    let mut offsets: Vec<O> = Vec::with_capacity(n + 1);
    offsets.push(O::zero());
    let has_nulls = strings < n;
    let mut valid = Vec::with_capacity(if has_nulls { n } else { 0 });
    for part in &parts {
        if let Some((p, len)) = *part {
            // SAFETY: see pass 1.
            bytes.extend_from_slice(unsafe { std::slice::from_raw_parts(p, len) });
        }
        if has_nulls {
            valid.push(part.is_some());
        }
        offsets.push(O::usize_as(bytes.len()));
    }
    let nulls = has_nulls.then(|| NullBuffer::from(valid));
    let offsets = OffsetBuffer::new(ScalarBuffer::from(offsets));
    // SAFETY: the offsets are monotonic and end at the values' length, and every value is the
    // UTF-8 CPython made of a str (valid UTF-8), so the array is valid without re-checking.
    let array = unsafe { GenericStringArray::<O>::new_unchecked(offsets, bytes.into_buffer(), nulls) };
    Ok(Some(Arc::new(array)))
}
