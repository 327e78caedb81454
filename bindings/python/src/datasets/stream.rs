//! `_Iterable` / `_StreamIter`: the native source of `tokenmill.IterableDataset` — files read
//! lazily (one unit per file), optionally shuffled (unit order + row buffer), skipped, taken and
//! re-batched in Rust, with a resumable JSON state. Python-level map/filter run on top of it.

use std::sync::Mutex;

use pyo3::exceptions::{PyStopIteration, PyValueError};
use pyo3::prelude::*;
use tokenmill_datasets::stream::{IterableDataset, StreamIter, StreamState};

use super::arrow::ArrowStream;
use super::dataset::PyDataset;
use super::errors::IntoPy;

#[pyclass(frozen, module = "tokenmill._tokenmill", name = "_Iterable")]
pub(crate) struct PyIterable {
    inner: IterableDataset,
}

impl PyIterable {
    pub(crate) fn new(inner: IterableDataset) -> Self {
        PyIterable { inner }
    }
}

#[pymethods]
impl PyIterable {
    /// A saved dataset streamed (HF's `to_iterable_dataset`).
    #[staticmethod]
    #[pyo3(signature = (ds, batch_rows=1000))]
    fn from_dataset(ds: PyRef<'_, PyDataset>, batch_rows: usize) -> PyIterable {
        PyIterable::new(IterableDataset::from_dataset(&ds.inner, batch_rows))
    }

    /// The schema (an empty Arrow stream), None once mapped natively.
    fn schema(&self) -> Option<ArrowStream> {
        self.inner.schema().map(|s| ArrowStream::batches(s.clone(), vec![]))
    }

    #[getter]
    fn num_shards(&self) -> usize {
        self.inner.num_units()
    }

    /// Only the units (files) `keep`, in that order.
    fn select_units(&self, keep: Vec<usize>) -> PyResult<PyIterable> {
        self.inner.select_units(keep).py_err().map(PyIterable::new)
    }

    fn shuffle(&self, seed: u64, buffer_size: usize) -> PyIterable {
        PyIterable::new(self.inner.clone().shuffle(seed, buffer_size))
    }

    fn skip(&self, n: u64) -> PyIterable {
        PyIterable::new(self.inner.clone().skip(n))
    }

    fn take(&self, n: u64) -> PyIterable {
        PyIterable::new(self.inner.clone().take(n))
    }

    fn batch(&self, n: usize) -> PyIterable {
        PyIterable::new(self.inner.clone().batch(n))
    }

    /// A pass from the start, or from `state` (JSON from `_StreamIter.state()`).
    #[pyo3(signature = (state=None))]
    fn iter(&self, state: Option<&str>) -> PyResult<PyStreamIter> {
        let it = match state {
            None => self.inner.iter(),
            Some(s) => {
                let st: StreamState =
                    serde_json::from_str(s).map_err(|e| PyValueError::new_err(format!("bad stream state: {e}")))?;
                self.inner.iter_from(&st)
            }
        };
        Ok(PyStreamIter { it: Mutex::new(it) })
    }
}

#[pyclass(frozen, module = "tokenmill._tokenmill", name = "_StreamIter")]
pub(crate) struct PyStreamIter {
    it: Mutex<StreamIter>,
}

#[pymethods]
impl PyStreamIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<ArrowStream> {
        let next = py.detach(|| self.it.lock().unwrap_or_else(|e| e.into_inner()).next());
        match next {
            None => Err(PyStopIteration::new_err(())),
            Some(b) => Ok(ArrowStream::one(b.py_err()?)),
        }
    }

    /// Where the stream stands after the last batch returned (JSON).
    fn state(&self) -> PyResult<String> {
        let st = self.it.lock().unwrap_or_else(|e| e.into_inner()).state();
        serde_json::to_string(&st).map_err(|e| PyValueError::new_err(e.to_string()))
    }
}
