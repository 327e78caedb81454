//! `_Dataset`: the native half of `tokenmill.Dataset` — a frozen handle on an engine `Dataset`
//! (memory-mapped shards + optional indices). Reads come back as `_ArrowStream` (zero-copy Arrow);
//! every op returns a new handle; long work runs with the GIL released.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{RecordBatch, RecordBatchIterator};
use arrow_schema::{DataType, Field, Schema};
use pyo3::exceptions::{PyIndexError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;
use tokenmill_datasets::dataset_dict::{self, Saved};
use tokenmill_datasets::ops::{self, combine::Stopping, split::Size, split::SplitOptions, DataOpOptions};
use tokenmill_datasets::ordered_json::OrderedJson;
use tokenmill_datasets::shard_writer::WriteOptions;
use tokenmill_datasets::{cache, export, features::Features, lineage, Dataset, NoProgress, Shard};

use super::arrow::{import_batches, ArrowStream};
use super::errors::IntoPy;
use super::progress::PyProgress;

#[pyclass(frozen, module = "tokenmill._tokenmill", name = "_Dataset")]
pub(crate) struct PyDataset {
    pub(crate) inner: Dataset,
}

pub(crate) fn wrap(ds: Dataset) -> PyDataset {
    PyDataset { inner: ds }
}

fn size_of(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<Size>> {
    let Some(o) = obj.filter(|o| !o.is_none()) else { return Ok(None) };
    if let Ok(i) = o.extract::<i64>() {
        if i < 0 {
            return Err(PyValueError::new_err(format!("{what}={i} should be positive")));
        }
        return Ok(Some(Size::Count(i as usize)));
    }
    let f: f64 = o.extract().map_err(|_| PyValueError::new_err(format!("{what} must be an int or a float")))?;
    Ok(Some(Size::Fraction(f)))
}

fn stopping(s: &str) -> PyResult<Stopping> {
    match s {
        "first_exhausted" => Ok(Stopping::FirstExhausted),
        "all_exhausted" => Ok(Stopping::AllExhausted),
        "all_exhausted_without_replacement" => Ok(Stopping::AllExhaustedWithoutReplacement),
        _ => Err(PyValueError::new_err(format!(
            "{s} is not supported. Please enter a valid stopping_strategy \
             (first_exhausted, all_exhausted, all_exhausted_without_replacement)."
        ))),
    }
}

pub(crate) fn parse_features(json: &str) -> PyResult<Features> {
    let v = OrderedJson::parse(json).map_err(|e| PyValueError::new_err(format!("bad features JSON: {e}")))?;
    Features::from_json(&v).py_err()
}

/// HF feature JSON (`{"col": {"dtype": "int64", "_type": "Value"}}`) → Arrow types per column.
pub(crate) fn feature_types(json: &str) -> PyResult<Vec<(String, DataType)>> {
    let f = parse_features(json)?;
    let schema = f.to_arrow_schema().py_err()?;
    Ok(schema.fields().iter().map(|f| (f.name().clone(), f.data_type().clone())).collect())
}

fn data_opts() -> DataOpOptions {
    DataOpOptions::default()
}

impl PyDataset {
    /// How many of `length` rows from `start` exist (`slice`'s bounds: a start past the end is
    /// an IndexError, a length past it is cut).
    fn rows_from(&self, start: usize, length: usize) -> PyResult<usize> {
        let n = self.inner.num_rows();
        if start > n {
            return Err(PyIndexError::new_err(format!("Index {start} out of range for dataset of size {n}.")));
        }
        Ok(length.min(n - start))
    }
}

#[pymethods]
impl PyDataset {
    /// Opens a `save_to_disk` directory holding one Dataset.
    #[staticmethod]
    fn open(py: Python<'_>, path: PathBuf) -> PyResult<PyDataset> {
        py.detach(|| Dataset::open(&path)).py_err().map(wrap)
    }

    /// A dataset over shard files (in order) with an optional indices mapping (unpickling).
    #[staticmethod]
    #[pyo3(signature = (files, indices, fingerprint, split=None))]
    fn from_files(
        py: Python<'_>,
        files: Vec<PathBuf>,
        indices: Option<Vec<u64>>,
        fingerprint: String,
        split: Option<String>,
    ) -> PyResult<PyDataset> {
        let ds = py
            .detach(|| -> tokenmill_datasets::Result<Dataset> {
                let shards = files.iter().map(|f| Shard::open(f).map(Arc::new)).collect::<Result<Vec<_>, _>>()?;
                let mut ds = Dataset::from_shards(shards, None, fingerprint.clone())?;
                if let Some(ix) = indices {
                    ds = ds.with_indices(ix.into())?;
                }
                Ok(ds.with_fingerprint(fingerprint).with_split(split.as_deref()))
            })
            .py_err()?;
        Ok(wrap(ds))
    }

    /// A dataset written from an Arrow object (pyarrow Table, polars DataFrame, ...) into `dir`
    /// (the cache entry of `fingerprint` when `dir` is None).
    #[staticmethod]
    #[pyo3(signature = (data, fingerprint, dir=None))]
    fn from_arrow(
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        fingerprint: String,
        dir: Option<PathBuf>,
    ) -> PyResult<PyDataset> {
        let (schema, batches) = import_batches(data)?;
        let dir = dir.unwrap_or_else(|| cache::entry_dir(&cache::cache_dir(), &fingerprint));
        let ds = py
            .detach(|| {
                let src = tokenmill_datasets::BatchSource::new(schema, batches.into_iter().map(Ok));
                let opts =
                    WriteOptions { fingerprint: Some(fingerprint), max_batch_rows: Some(1000), ..Default::default() };
                let ds = Dataset::from_source(src, &dir, &opts, &NoProgress)?;
                // data with no origin: a cache entry here is its own root (no-op for an explicit dir)
                lineage::record(&cache::cache_dir(), &dir, None)?;
                Ok::<_, tokenmill_datasets::Error>(ds)
            })
            .py_err()?;
        Ok(wrap(ds))
    }

    #[getter]
    fn num_rows(&self) -> usize {
        self.inner.num_rows()
    }

    #[getter]
    fn column_names(&self) -> Vec<String> {
        self.inner.column_names()
    }

    #[getter]
    fn fingerprint(&self) -> String {
        self.inner.fingerprint().to_string()
    }

    #[getter]
    fn split(&self) -> Option<String> {
        self.inner.split().map(str::to_string)
    }

    fn with_split(&self, split: Option<String>) -> PyDataset {
        wrap(self.inner.with_split(split.as_deref()))
    }

    fn with_fingerprint(&self, fingerprint: String) -> PyDataset {
        wrap(self.inner.with_fingerprint(fingerprint))
    }

    /// Shard files (empty strings for in-memory shards).
    fn data_files(&self) -> Vec<String> {
        self.inner.data_files().iter().map(|p| p.display().to_string()).collect()
    }

    fn indices(&self) -> Option<Vec<u64>> {
        self.inner.indices().map(|i| i.to_vec())
    }

    fn has_indices(&self) -> bool {
        self.inner.indices().is_some()
    }

    /// HF features as JSON (`{"col": {"dtype": ..., "_type": "Value"}, ...}`).
    fn features_json(&self) -> PyResult<String> {
        Ok(self.inner.features().py_err()?.to_json().to_pretty())
    }

    fn description(&self) -> String {
        self.inner.info().description().to_string()
    }

    /// The schema as an empty Arrow stream (has `__arrow_c_schema__`).
    fn schema(&self) -> ArrowStream {
        ArrowStream::batches(self.inner.schema().clone(), vec![])
    }

    /// Rows `start..start+length` (logical order) as one batch.
    fn slice(&self, py: Python<'_>, start: usize, length: usize) -> PyResult<ArrowStream> {
        let len = self.rows_from(start, length)?;
        py.detach(|| self.inner.slice(start, len)).py_err().map(ArrowStream::one)
    }

    /// Rows `start..start+length` read on a worker thread; `.result()` gives what `slice` would.
    fn prefetch(&self, start: usize, length: usize) -> PyResult<super::prefetch::Prefetch> {
        let len = self.rows_from(start, length)?;
        Ok(super::prefetch::Prefetch::start(&self.inner, start, len))
    }

    /// The rows at `rows` (any order, repeats allowed) as one batch.
    fn take(&self, py: Python<'_>, rows: Vec<u64>) -> PyResult<ArrowStream> {
        let n = self.inner.num_rows() as u64;
        if let Some(bad) = rows.iter().find(|&&r| r >= n) {
            return Err(PyIndexError::new_err(format!("Index {bad} out of range for dataset of size {n}.")));
        }
        py.detach(|| self.inner.take(&rows)).py_err().map(ArrowStream::one)
    }

    /// One column (logical order) as a one-column batch.
    fn column(&self, py: Python<'_>, name: &str) -> PyResult<ArrowStream> {
        let col = py.detach(|| self.inner.column(name)).py_err()?;
        let field = self.inner.schema().field_with_name(name).map_err(|e| PyValueError::new_err(e.to_string()))?;
        let schema = Arc::new(Schema::new(vec![Field::clone(field)]));
        let batch = RecordBatch::try_new(schema, vec![col]).map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(ArrowStream::one(batch))
    }

    /// All rows in logical order, lazily, `batch_size` rows per batch (zero-copy where contiguous).
    /// Without an indices mapping, the whole dataset streams as its stored batches (zero-copy
    /// views of the memory map).
    #[pyo3(signature = (batch_size=1000, start=0, end=None))]
    fn stream(&self, batch_size: usize, start: usize, end: Option<usize>) -> ArrowStream {
        let end = end.unwrap_or(self.inner.num_rows());
        let schema = self.inner.schema().clone();
        if self.inner.indices().is_none() && start == 0 && end == self.inner.num_rows() {
            let ds = self.inner.clone();
            let it = (0..ds.num_stored_batches())
                .map(move |g| ds.stored_batch(g).map_err(|e| arrow_schema::ArrowError::ExternalError(Box::new(e))));
            return ArrowStream::lazy(schema.clone(), Box::new(RecordBatchIterator::new(it, schema)));
        }
        let it = self
            .inner
            .batches_in(start, end, batch_size)
            .map(|b| b.map_err(|e| arrow_schema::ArrowError::ExternalError(Box::new(e))));
        ArrowStream::lazy(schema.clone(), Box::new(RecordBatchIterator::new(it, schema)))
    }

    // ------------------------------------------------------------------ index-only ops

    #[pyo3(signature = (rows, fingerprint=None))]
    fn select(&self, py: Python<'_>, rows: Vec<u64>, fingerprint: Option<String>) -> PyResult<PyDataset> {
        let ds = py.detach(|| ops::select::select(&self.inner, &rows)).py_err()?;
        Ok(wrap(match fingerprint {
            Some(f) => ds.with_fingerprint(f),
            None => ds,
        }))
    }

    fn shuffle(&self, py: Python<'_>, seed: u64) -> PyResult<PyDataset> {
        py.detach(|| ops::shuffle::shuffle(&self.inner, seed)).py_err().map(wrap)
    }

    fn sort(&self, py: Python<'_>, keys: Vec<(String, bool)>) -> PyResult<PyDataset> {
        py.detach(|| ops::sort::sort_by(&self.inner, &keys)).py_err().map(wrap)
    }

    #[pyo3(signature = (test_size, train_size, shuffle, seed, stratify_by_column=None))]
    fn train_test_split(
        &self,
        py: Python<'_>,
        test_size: Option<Bound<'_, PyAny>>,
        train_size: Option<Bound<'_, PyAny>>,
        shuffle: bool,
        seed: u64,
        stratify_by_column: Option<String>,
    ) -> PyResult<(PyDataset, PyDataset)> {
        let opts = SplitOptions {
            test_size: size_of(test_size.as_ref(), "test_size")?,
            train_size: size_of(train_size.as_ref(), "train_size")?,
            shuffle,
            seed,
            stratify_by_column,
        };
        let tt = py.detach(|| ops::split::train_test_split(&self.inner, &opts)).py_err()?;
        Ok((wrap(tt.train), wrap(tt.test)))
    }

    fn shard(&self, py: Python<'_>, num_shards: usize, index: usize, contiguous: bool) -> PyResult<PyDataset> {
        py.detach(|| ops::select::shard(&self.inner, num_shards, index, contiguous)).py_err().map(wrap)
    }

    fn take_n(&self, py: Python<'_>, n: usize) -> PyResult<PyDataset> {
        py.detach(|| ops::select::take(&self.inner, n)).py_err().map(wrap)
    }

    fn skip(&self, py: Python<'_>, n: usize) -> PyResult<PyDataset> {
        py.detach(|| ops::select::skip(&self.inner, n)).py_err().map(wrap)
    }

    #[staticmethod]
    fn concatenate(py: Python<'_>, parts: Vec<PyRef<'_, PyDataset>>) -> PyResult<PyDataset> {
        let ds: Vec<Dataset> = parts.iter().map(|d| d.inner.clone()).collect();
        py.detach(|| ops::combine::concatenate(&ds)).py_err().map(wrap)
    }

    #[staticmethod]
    #[pyo3(signature = (parts, probabilities, seed, stopping_strategy))]
    fn interleave(
        py: Python<'_>,
        parts: Vec<PyRef<'_, PyDataset>>,
        probabilities: Option<Vec<f64>>,
        seed: u64,
        stopping_strategy: &str,
    ) -> PyResult<PyDataset> {
        let stop = stopping(stopping_strategy)?;
        let ds: Vec<Dataset> = parts.iter().map(|d| d.inner.clone()).collect();
        py.detach(|| ops::combine::interleave(&ds, probabilities.as_deref(), seed, stop)).py_err().map(wrap)
    }

    // ------------------------------------------------------------------ data ops (new shards)

    #[pyo3(signature = (renames, progress=None))]
    fn rename_columns(
        &self,
        py: Python<'_>,
        renames: Vec<(String, String)>,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PyDataset> {
        let p = PyProgress::new(progress);
        py.detach(|| ops::columns::rename_columns(&self.inner, &renames, &data_opts(), &p)).py_err().map(wrap)
    }

    #[pyo3(signature = (columns, progress=None))]
    fn select_columns(
        &self,
        py: Python<'_>,
        columns: Vec<String>,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PyDataset> {
        let p = PyProgress::new(progress);
        py.detach(|| ops::columns::select_columns(&self.inner, &columns, &data_opts(), &p)).py_err().map(wrap)
    }

    #[pyo3(signature = (columns, progress=None))]
    fn remove_columns(
        &self,
        py: Python<'_>,
        columns: Vec<String>,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PyDataset> {
        let p = PyProgress::new(progress);
        py.detach(|| ops::columns::remove_columns(&self.inner, &columns, &data_opts(), &p)).py_err().map(wrap)
    }

    /// Appends column `name` from an Arrow object holding one column (table/batch/array stream).
    #[pyo3(signature = (name, values, progress=None))]
    fn add_column(
        &self,
        py: Python<'_>,
        name: String,
        values: &Bound<'_, PyAny>,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PyDataset> {
        let (schema, batches) = import_batches(values)?;
        if schema.fields().len() != 1 {
            return Err(PyValueError::new_err("add_column: expected one column of values"));
        }
        let arrays: Vec<_> = batches.iter().map(|b| b.column(0).clone()).collect();
        let refs: Vec<&dyn arrow_array::Array> = arrays.iter().map(|a| a.as_ref()).collect();
        let col = if refs.is_empty() {
            arrow_array::new_empty_array(schema.field(0).data_type())
        } else {
            arrow_select::concat::concat(&refs).map_err(|e| PyValueError::new_err(e.to_string()))?
        };
        let p = PyProgress::new(progress);
        py.detach(|| ops::columns::add_column(&self.inner, &name, col, &data_opts(), &p)).py_err().map(wrap)
    }

    /// Casts columns to the types of HF features given as JSON (`{"col": feature, ...}`).
    #[pyo3(signature = (features_json, progress=None))]
    fn cast(&self, py: Python<'_>, features_json: &str, progress: Option<Bound<'_, PyAny>>) -> PyResult<PyDataset> {
        // the fields HF's features give (types, and the extension type of Array2D..5D columns)
        let schema = parse_features(features_json)?.to_arrow_schema().py_err()?;
        let fields: Vec<arrow_schema::Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
        let p = PyProgress::new(progress);
        py.detach(|| ops::columns::cast_fields(&self.inner, &fields, &data_opts(), &p)).py_err().map(wrap)
    }

    #[pyo3(signature = (progress=None))]
    fn flatten(&self, py: Python<'_>, progress: Option<Bound<'_, PyAny>>) -> PyResult<PyDataset> {
        let p = PyProgress::new(progress);
        py.detach(|| ops::columns::flatten(&self.inner, &data_opts(), &p)).py_err().map(wrap)
    }

    fn unique(&self, py: Python<'_>, column: &str) -> PyResult<ArrowStream> {
        let arr = py.detach(|| ops::unique::unique(&self.inner, column)).py_err()?;
        let schema = Arc::new(Schema::new(vec![Field::new(column, arr.data_type().clone(), true)]));
        let batch = RecordBatch::try_new(schema, vec![arr]).map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(ArrowStream::one(batch))
    }

    /// Rows in logical order written to new shards (the cache entry of the new fingerprint).
    #[pyo3(signature = (progress=None))]
    fn flatten_indices(&self, py: Python<'_>, progress: Option<Bound<'_, PyAny>>) -> PyResult<PyDataset> {
        if self.inner.indices().is_none() {
            return Ok(wrap(self.inner.clone()));
        }
        let fp = cache::update_fingerprint(self.inner.fingerprint(), "flatten_indices", &serde_json::Value::Null);
        let dir = cache::entry_dir(&cache::cache_dir(), &fp);
        if let Ok(hit) = Dataset::open(&dir) {
            if hit.fingerprint() == fp {
                return Ok(wrap(hit.with_split(self.inner.split())));
            }
        }
        let p = PyProgress::new(progress);
        let opts = WriteOptions { fingerprint: Some(fp), ..Default::default() };
        py.detach(|| {
            let out = self.inner.flatten_indices(&dir, &opts, &p)?;
            lineage::record(&cache::cache_dir(), &dir, Some(&self.inner))?;
            Ok::<_, tokenmill_datasets::Error>(out)
        })
        .py_err()
        .map(wrap)
    }

    #[pyo3(signature = (path, max_shard_bytes=None, progress=None))]
    fn save_to_disk(
        &self,
        py: Python<'_>,
        path: PathBuf,
        max_shard_bytes: Option<u64>,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let mut opts = WriteOptions { max_batch_rows: Some(1000), ..Default::default() };
        if let Some(m) = max_shard_bytes {
            opts.max_shard_bytes = m.max(1);
        }
        let p = PyProgress::new(progress);
        py.detach(|| self.inner.save_to_disk(&path, &opts, &p)).py_err()
    }

    /// Writes parquet / csv / jsonl to `path`; returns the rows written.
    #[pyo3(signature = (format, path, progress=None))]
    fn export(&self, py: Python<'_>, format: &str, path: PathBuf, progress: Option<Bound<'_, PyAny>>) -> PyResult<u64> {
        let f: export::Format = format.parse().py_err()?;
        let p = PyProgress::new(progress);
        py.detach(|| export::export(&self.inner, f, &path, &p)).py_err()
    }

    /// HF's `cleanup_cache_files`: removes the cache entries derived from the same source as this
    /// dataset, except the ones it (or a dataset in `keep`) uses; returns how many were removed (0
    /// for a dataset without data files). See `tokenmill_datasets::lineage::cleanup`.
    fn cleanup_cache_files(&self, py: Python<'_>, keep: Vec<PyRef<'_, PyDataset>>) -> PyResult<usize> {
        let keep: Vec<&Dataset> = keep.iter().map(|d| &d.inner).collect();
        py.detach(|| cache::Cache::default().cleanup_cache_files(&self.inner, &keep)).py_err()
    }

    /// The same rows with HF features (JSON) recorded in the schema metadata (e.g. `ClassLabel`
    /// names on an int64 column). Features that do not fit a column's type are ignored there.
    fn with_features(&self, features_json: &str) -> PyResult<PyDataset> {
        let f = parse_features(features_json)?;
        let mut meta = self.inner.schema().metadata().clone();
        meta.insert(tokenmill_datasets::features::HF_METADATA_KEY.to_string(), f.to_hf_metadata());
        let schema = Arc::new(Schema::new_with_metadata(self.inner.schema().fields().clone(), meta));
        self.inner.with_schema_metadata(schema).py_err().map(wrap)
    }

    /// Keeps `columns` in the given order.
    #[pyo3(signature = (columns, progress=None))]
    fn select_columns_in_order(
        &self,
        py: Python<'_>,
        columns: Vec<String>,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PyDataset> {
        let p = PyProgress::new(progress);
        py.detach(|| ops::columns::select_columns_in_order(&self.inner, &columns, &data_opts(), &p)).py_err().map(wrap)
    }

    /// An in-memory dataset (no files) from an Arrow object (HF's in-memory tables).
    #[staticmethod]
    fn from_arrow_memory(data: &Bound<'_, PyAny>, fingerprint: String) -> PyResult<PyDataset> {
        let (schema, batches) = import_batches(data)?;
        let schema = Arc::new(tokenmill_datasets::features::with_hf_metadata(&schema).py_err()?);
        let batches = batches
            .into_iter()
            .map(|b| RecordBatch::try_new(schema.clone(), b.columns().to_vec()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let ds = Dataset::from_batches(schema, batches).py_err()?;
        Ok(wrap(ds.with_fingerprint(fingerprint)))
    }

    /// Whether the rows live in memory (no shard files).
    fn is_in_memory(&self) -> bool {
        self.inner.shards().iter().any(|s| s.is_in_memory())
    }

    /// The rows (logical order) copied into memory (HF's `keep_in_memory=True`).
    fn to_memory(&self, py: Python<'_>) -> PyResult<PyDataset> {
        let ds = py
            .detach(|| -> tokenmill_datasets::Result<Dataset> {
                let batches = self.inner.batches(64 * 1024).collect::<Result<Vec<_>, _>>()?;
                let out = Dataset::from_batches(self.inner.schema().clone(), batches)?;
                Ok(out.with_fingerprint(self.inner.fingerprint().to_string()).with_split(self.inner.split()))
            })
            .py_err()?;
        Ok(wrap(ds))
    }

    /// `save_to_disk` into exactly `num_shards` shards of contiguous rows (each shard's rows are
    /// gathered into one batch, as HF holds one shard's table at a time).
    #[pyo3(signature = (path, num_shards, progress=None))]
    fn save_to_disk_shards(
        &self,
        py: Python<'_>,
        path: PathBuf,
        num_shards: usize,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let n = self.inner.num_rows();
        if num_shards == 0 || (num_shards > n && n > 0) {
            return Err(PyValueError::new_err(format!(
                "num_shards={num_shards} must be between 1 and the number of rows ({n})"
            )));
        }
        let p = PyProgress::new(progress);
        let ds = self.inner.clone();
        py.detach(|| save_in_shards(&ds, &path, num_shards, &p)).py_err()
    }

    fn __repr__(&self) -> String {
        format!("_Dataset({:?})", self.inner)
    }
}

/// HF's `datasets.load_from_disk`: a `_Dataset`, or a list of (split, `_Dataset`).
#[pyfunction]
pub(crate) fn _load_from_disk(py: Python<'_>, path: PathBuf) -> PyResult<Py<PyAny>> {
    if !path.exists() {
        return Err(PyErr::from(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("Directory {} not found", path.display()),
        )));
    }
    let saved = py.detach(|| dataset_dict::load_from_disk(&path)).py_err()?;
    match saved {
        Saved::Dataset(d) => Ok(Py::new(py, wrap(d))?.into_any()),
        Saved::Dict(dd) => {
            let list = PyList::empty(py);
            for (name, d) in dd.iter() {
                list.append((name, Py::new(py, wrap(d.clone()))?))?;
            }
            Ok(list.into_any().unbind())
        }
    }
}

/// Saves splits as a DatasetDict folder.
#[pyfunction]
#[pyo3(signature = (path, splits, max_shard_bytes=None, progress=None))]
pub(crate) fn _save_dict(
    py: Python<'_>,
    path: PathBuf,
    splits: Vec<(String, PyRef<'_, PyDataset>)>,
    max_shard_bytes: Option<u64>,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<()> {
    let mut dd = tokenmill_datasets::DatasetDict::new();
    for (name, d) in &splits {
        dd.insert(name.clone(), d.inner.clone());
    }
    let mut opts = WriteOptions { max_batch_rows: Some(1000), ..Default::default() };
    if let Some(m) = max_shard_bytes {
        opts.max_shard_bytes = m.max(1);
    }
    let p = PyProgress::new(progress);
    py.detach(|| dd.save_to_disk(&path, &opts, &p)).py_err()
}

/// The engine's cache root (`TOKENMILL_CACHE` or the user cache dir).
#[pyfunction]
pub(crate) fn _cache_dir() -> String {
    cache::cache_dir().display().to_string()
}

/// Records that the cache entry folder `entry` (just written by Python code: a map output, a map
/// rank, a filter's indices, a generator's rows) derives from `parent`, or is its own root when
/// `parent` is None. Not a cache entry (an explicit output path): nothing is written.
#[pyfunction]
#[pyo3(signature = (entry, parent=None))]
pub(crate) fn _record_lineage(entry: PathBuf, parent: Option<PyRef<'_, PyDataset>>) -> PyResult<()> {
    lineage::record(&cache::cache_dir(), &entry, parent.as_ref().map(|p| &p.inner)).py_err()
}

/// The Arrow schema of HF features given as JSON, with HF's `huggingface` metadata (an empty
/// Arrow stream).
#[pyfunction]
pub(crate) fn _features_schema(features_json: &str) -> PyResult<ArrowStream> {
    let f = parse_features(features_json)?;
    Ok(ArrowStream::batches(Arc::new(f.to_arrow_schema().py_err()?), vec![]))
}

/// HF features (JSON) of an Arrow schema object.
#[pyfunction]
pub(crate) fn _schema_features(schema: &Bound<'_, PyAny>) -> PyResult<String> {
    let (schema, _) = import_batches(schema)?;
    Ok(Features::of_schema(&schema).py_err()?.to_json().to_pretty())
}

/// HF's `save_to_disk(num_shards=k)`: k shards of contiguous rows (the first `n % k` one row
/// longer), each written by its own bounded writer, then named `data-0000i-of-0000k.arrow`.
fn save_in_shards(ds: &Dataset, path: &std::path::Path, k: usize, p: &PyProgress) -> tokenmill_datasets::Result<()> {
    use tokenmill_datasets::load::hf_disk::{write_json, TempDir, STATE_JSON};
    use tokenmill_datasets::shard_writer::{shard_file_name, sync_dir};
    use tokenmill_datasets::{Error, Progress, ShardWriter};

    let n = ds.num_rows();
    let tmp = TempDir::next_to(path)?;
    let schema = Arc::new(tokenmill_datasets::features::with_hf_metadata(ds.schema())?);
    let features = Features::of_schema(&schema)?;
    let (div, rem) = (n / k, n % k);
    let mut names = Vec::with_capacity(k);
    p.start("Saving the dataset", Some(n as u64));
    let result = (|| -> tokenmill_datasets::Result<()> {
        let mut start = 0;
        for i in 0..k {
            let len = div + usize::from(i < rem);
            let sub = tmp.path().join(format!(".part-{i}"));
            std::fs::create_dir(&sub).map_err(|e| Error::io(&sub, e))?;
            let opts = WriteOptions { max_shard_bytes: u64::MAX, max_batch_rows: Some(1000), fingerprint: None };
            let mut w = ShardWriter::new(&sub, schema.clone(), &opts)?;
            for b in ds.batches_in(start, start + len, 1000) {
                let b = b?;
                w.write(&b)?;
                p.advance(b.num_rows() as u64);
            }
            let files = w.finish()?;
            let name = shard_file_name(i, k);
            let from = sub.join(&files[0]);
            let to = tmp.path().join(&name);
            std::fs::rename(&from, &to).map_err(|e| Error::io(&from, e))?;
            std::fs::remove_dir_all(&sub).map_err(|e| Error::io(&sub, e))?;
            names.push(name);
            start += len;
        }
        write_json(&tmp.path().join("dataset_info.json"), &ds.info().to_json(&features))?;
        let files = names
            .iter()
            .map(|n| OrderedJson::Object(vec![("filename".into(), OrderedJson::String(n.clone()))]))
            .collect();
        let state = OrderedJson::Object(vec![
            ("_data_files".into(), OrderedJson::Array(files)),
            ("_fingerprint".into(), OrderedJson::String(ds.fingerprint().to_string())),
            ("_format_columns".into(), OrderedJson::Null),
            ("_format_kwargs".into(), OrderedJson::Object(vec![])),
            ("_format_type".into(), OrderedJson::Null),
            ("_output_all_columns".into(), OrderedJson::Bool(false)),
            ("_split".into(), ds.split().map(|s| OrderedJson::String(s.into())).unwrap_or(OrderedJson::Null)),
        ]);
        write_json(&tmp.path().join(STATE_JSON), &state)?;
        sync_dir(tmp.path())
    })();
    p.finish();
    result?;
    tmp.replace(path)
}
