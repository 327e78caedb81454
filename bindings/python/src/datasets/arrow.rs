//! Arrow exchange with Python through the Arrow PyCapsule Interface (C Data / C Stream
//! interfaces): `_ArrowStream` exports record batches zero-copy (`__arrow_c_stream__`,
//! `__arrow_c_schema__`, and `__arrow_c_array__` for a single batch); `import_batches` reads any
//! object implementing `__arrow_c_stream__` (pyarrow, polars, ...) or `__arrow_c_array__`.

use std::ffi::CString;
use std::sync::Mutex;

use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema};
use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchIterator, RecordBatchReader, StructArray};
use arrow_schema::{ArrowError, SchemaRef};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};

type Reader = Box<dyn RecordBatchReader + Send>;

/// Record batches (or a lazy reader of them) handed to Python. `__arrow_c_stream__` may be
/// called once for a lazy reader, any number of times for materialised batches.
#[pyclass(frozen, module = "tokenmill._tokenmill", name = "_ArrowStream")]
pub(crate) struct ArrowStream {
    schema: SchemaRef,
    batches: Option<Vec<RecordBatch>>,
    lazy: Mutex<Option<Reader>>,
}

impl ArrowStream {
    pub(crate) fn batches(schema: SchemaRef, batches: Vec<RecordBatch>) -> Self {
        ArrowStream { schema, batches: Some(batches), lazy: Mutex::new(None) }
    }

    pub(crate) fn one(batch: RecordBatch) -> Self {
        Self::batches(batch.schema(), vec![batch])
    }

    pub(crate) fn lazy(schema: SchemaRef, reader: Reader) -> Self {
        ArrowStream { schema, batches: None, lazy: Mutex::new(Some(reader)) }
    }
}

pub(crate) fn capsule_name(s: &str) -> CString {
    CString::new(s).expect("no NUL in capsule names")
}

fn arrow_err(e: ArrowError) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// The `requested_schema` argument: a cast is not supported, only the same schema.
pub(crate) fn check_requested(requested: Option<Bound<'_, PyAny>>) -> PyResult<()> {
    match requested {
        Some(r) if !r.is_none() => {
            // Consumers may pass the schema they would like; we return ours (allowed by the spec).
            Ok(())
        }
        _ => Ok(()),
    }
}

#[pymethods]
impl ArrowStream {
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        check_requested(requested_schema)?;
        let reader: Reader = match &self.batches {
            Some(b) => Box::new(RecordBatchIterator::new(b.clone().into_iter().map(Ok), self.schema.clone())),
            None => self
                .lazy
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
                .ok_or_else(|| PyValueError::new_err("this Arrow stream was already consumed"))?,
        };
        let stream = FFI_ArrowArrayStream::new(reader);
        PyCapsule::new(py, stream, Some(capsule_name("arrow_array_stream")))
    }

    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        let schema = FFI_ArrowSchema::try_from(self.schema.as_ref()).map_err(arrow_err)?;
        PyCapsule::new(py, schema, Some(capsule_name("arrow_schema")))
    }

    /// A single batch as (schema, array) capsules; several batches are concatenated first.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        check_requested(requested_schema)?;
        let batches =
            self.batches.as_ref().ok_or_else(|| PyValueError::new_err("a lazy stream has no __arrow_c_array__"))?;
        let batch = match batches.as_slice() {
            [b] => b.clone(),
            _ => arrow_select::concat::concat_batches(&self.schema, batches).map_err(arrow_err)?,
        };
        batch_capsules(py, batch)
    }

    fn num_rows(&self) -> Option<usize> {
        self.batches.as_ref().map(|b| b.iter().map(|b| b.num_rows()).sum())
    }
}

/// (schema capsule, array capsule) of a record batch, as a struct array.
pub(crate) fn batch_capsules(py: Python<'_>, batch: RecordBatch) -> PyResult<Bound<'_, PyTuple>> {
    let schema = FFI_ArrowSchema::try_from(batch.schema().as_ref()).map_err(arrow_err)?;
    capsule_pair(py, schema, &StructArray::from(batch))
}

/// (schema capsule, array capsule) of any array (`__arrow_c_array__`'s answer).
pub(crate) fn array_capsules<'py>(py: Python<'py>, array: &dyn Array) -> PyResult<Bound<'py, PyTuple>> {
    let schema = FFI_ArrowSchema::try_from(array.data_type()).map_err(arrow_err)?;
    capsule_pair(py, schema, array)
}

fn capsule_pair<'py>(py: Python<'py>, schema: FFI_ArrowSchema, array: &dyn Array) -> PyResult<Bound<'py, PyTuple>> {
    let array = FFI_ArrowArray::new(&array.to_data());
    let s = PyCapsule::new(py, schema, Some(capsule_name("arrow_schema")))?;
    let a = PyCapsule::new(py, array, Some(capsule_name("arrow_array")))?;
    PyTuple::new(py, [s.into_any(), a.into_any()])
}

fn capsule_of<'py>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<Bound<'py, PyCapsule>> {
    let cap = obj.downcast::<PyCapsule>()?.clone();
    let got = cap.name()?.map(|n| n.to_string_lossy().into_owned());
    if got.as_deref() != Some(name) {
        return Err(PyValueError::new_err(format!("expected an {name:?} PyCapsule, got {got:?}")));
    }
    Ok(cap)
}

/// A reader over any object with `__arrow_c_stream__` (or a single `__arrow_c_array__` batch).
pub(crate) fn import_reader(obj: &Bound<'_, PyAny>) -> PyResult<(SchemaRef, Reader)> {
    if obj.hasattr("__arrow_c_stream__")? {
        let cap = obj.call_method0("__arrow_c_stream__")?;
        let cap = capsule_of(&cap, "arrow_array_stream")?;
        // SAFETY: a valid "arrow_array_stream" capsule points at an FFI_ArrowArrayStream; from_raw
        // moves it out and leaves a released stream behind for the capsule's destructor.
        let stream = unsafe { FFI_ArrowArrayStream::from_raw(cap.pointer() as *mut FFI_ArrowArrayStream) };
        let reader = RecordBatchStreamReader::try_new(stream).map_err(arrow_err)?;
        let schema = reader.schema();
        return Ok((schema, Box::new(reader)));
    }
    if obj.hasattr("__arrow_c_array__")? {
        let batch = import_batch(obj)?;
        let schema = batch.schema();
        return Ok((schema.clone(), Box::new(RecordBatchIterator::new(vec![Ok(batch)], schema))));
    }
    Err(PyTypeError::new_err(format!(
        "expected an Arrow object (with __arrow_c_stream__ or __arrow_c_array__), got {}",
        obj.get_type().name()?
    )))
}

/// All batches of an Arrow object.
pub(crate) fn import_batches(obj: &Bound<'_, PyAny>) -> PyResult<(SchemaRef, Vec<RecordBatch>)> {
    let (schema, reader) = import_reader(obj)?;
    let batches = reader.collect::<Result<Vec<_>, _>>().map_err(arrow_err)?;
    Ok((schema, batches))
}

/// One record batch from `__arrow_c_array__` (a struct array with a schema).
pub(crate) fn import_batch(obj: &Bound<'_, PyAny>) -> PyResult<RecordBatch> {
    let arr = import_array(obj)?;
    let st = arr
        .as_any()
        .downcast_ref::<StructArray>()
        .ok_or_else(|| PyTypeError::new_err("__arrow_c_array__ did not return a struct array (a record batch)"))?;
    Ok(RecordBatch::from(st.clone()))
}

/// The array behind any object with `__arrow_c_array__`.
pub(crate) fn import_array(obj: &Bound<'_, PyAny>) -> PyResult<ArrayRef> {
    let pair = obj.call_method0("__arrow_c_array__")?;
    let (s, a): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair.extract()?;
    let s = capsule_of(&s, "arrow_schema")?;
    let a = capsule_of(&a, "arrow_array")?;
    // SAFETY: valid capsules of these names point at FFI structs; the array is moved out.
    let schema = unsafe { &*(s.pointer() as *const FFI_ArrowSchema) };
    let array = unsafe { FFI_ArrowArray::from_raw(a.pointer() as *mut FFI_ArrowArray) };
    let data = unsafe { arrow_array::ffi::from_ffi(array, schema) }.map_err(arrow_err)?;
    Ok(arrow_array::make_array(data))
}
