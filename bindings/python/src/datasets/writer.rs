//! `_Writer`: streams record batches produced in Python (the output of `map` with a Python
//! function, `from_generator`, ...) into shards on a writer thread, through a bounded channel, so
//! memory stays bounded; `finish()` completes the `save_to_disk` folder and opens it.

use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use arrow_array::{new_null_array, RecordBatch};
use arrow_schema::{DataType, SchemaRef};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use tokenmill_datasets::load::hf_disk::{self, DatasetInfo};
use tokenmill_datasets::shard_writer::WriteOptions;
use tokenmill_datasets::{BatchSource, Dataset, Error, NoProgress};

use super::arrow::import_batches;
use super::dataset::{wrap, PyDataset};
use super::errors::IntoPy;

type Msg = tokenmill_datasets::Result<RecordBatch>;

struct Running {
    schema: SchemaRef,
    tx: SyncSender<Msg>,
    thread: JoinHandle<tokenmill_datasets::Result<()>>,
}

#[pyclass(frozen, module = "tokenmill._tokenmill", name = "_Writer")]
pub(crate) struct Writer {
    dir: PathBuf,
    opts: WriteOptions,
    split: Option<String>,
    state: Mutex<Option<Running>>,
    rows: std::sync::atomic::AtomicU64,
}

/// `batch` under `schema`: same column names; types cast where they differ (a column that was all
/// null in the first batch cannot take values later: HF fails there too).
fn conform(batch: RecordBatch, schema: &SchemaRef) -> tokenmill_datasets::Result<RecordBatch> {
    if batch.schema().fields() == schema.fields() {
        return Ok(RecordBatch::try_new(schema.clone(), batch.columns().to_vec())?);
    }
    let names: Vec<&String> = batch.schema_ref().fields().iter().map(|f| f.name()).collect();
    let want: Vec<&String> = schema.fields().iter().map(|f| f.name()).collect();
    if names != want {
        return Err(Error::Invalid(format!(
            "the function returned columns {names:?} for a batch, but {want:?} for the first batch"
        )));
    }
    let mut cols = Vec::with_capacity(names.len());
    for (c, f) in batch.columns().iter().zip(schema.fields()) {
        if c.data_type() == f.data_type() {
            cols.push(c.clone());
        } else if c.data_type() == &DataType::Null {
            cols.push(new_null_array(f.data_type(), c.len()));
        } else {
            cols.push(arrow_cast::cast(c, f.data_type()).map_err(|e| {
                Error::Invalid(format!(
                    "column {:?}: values of type {} do not fit the type {} of the first batch: {e}",
                    f.name(),
                    c.data_type(),
                    f.data_type()
                ))
            })?);
        }
    }
    Ok(RecordBatch::try_new(schema.clone(), cols)?)
}

impl Writer {
    fn start(&self, schema: SchemaRef) -> Running {
        let (tx, rx) = sync_channel::<Msg>(4);
        let dir = self.dir.clone();
        let opts = self.opts.clone();
        let split = self.split.clone();
        let s = schema.clone();
        let thread = std::thread::spawn(move || {
            let src = BatchSource::new(s, rx.into_iter());
            hf_disk::write_dataset(&dir, src, &DatasetInfo::default(), split.as_deref(), &opts, &NoProgress)
        });
        Running { schema, tx, thread }
    }
}

#[pymethods]
impl Writer {
    #[new]
    #[pyo3(signature = (path, fingerprint, split=None, max_shard_bytes=None))]
    fn new(path: PathBuf, fingerprint: String, split: Option<String>, max_shard_bytes: Option<u64>) -> Writer {
        let mut opts =
            WriteOptions { fingerprint: Some(fingerprint), max_batch_rows: Some(1000), ..Default::default() };
        if let Some(m) = max_shard_bytes {
            opts.max_shard_bytes = m.max(1);
        }
        Writer { dir: path, opts, split, state: Mutex::new(None), rows: Default::default() }
    }

    /// Appends the batches of an Arrow object (RecordBatch, Table, stream).
    fn write(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<()> {
        let (schema, batches) = import_batches(data)?;
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if st.is_none() {
            *st = Some(self.start(schema));
        }
        let run = st.as_ref().expect("started");
        for b in batches {
            let b = conform(b, &run.schema).py_err()?;
            self.rows.fetch_add(b.num_rows() as u64, std::sync::atomic::Ordering::Relaxed);
            let tx = run.tx.clone();
            if py.detach(move || tx.send(Ok(b))).is_err() {
                // The writer thread stopped (an I/O error): finish() reports it.
                return Err(PyRuntimeError::new_err("the dataset writer stopped; call finish() for the error"));
            }
        }
        Ok(())
    }

    #[getter]
    fn rows(&self) -> u64 {
        self.rows.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Completes the folder and opens it. `schema` (an Arrow schema object) is used when no batch
    /// was written.
    #[pyo3(signature = (schema=None))]
    fn finish(&self, py: Python<'_>, schema: Option<Bound<'_, PyAny>>) -> PyResult<PyDataset> {
        let run = self.state.lock().unwrap_or_else(|e| e.into_inner()).take();
        let run = match run {
            Some(r) => r,
            None => {
                let s = schema.ok_or_else(|| PyValueError::new_err("no rows were written and no schema given"))?;
                let (schema, _) = import_batches(&s)?;
                self.start(schema)
            }
        };
        let Running { tx, thread, .. } = run;
        drop(tx);
        let dir = self.dir.clone();
        let split = self.split.clone();
        let res = py.detach(move || -> tokenmill_datasets::Result<Dataset> {
            thread.join().map_err(|_| Error::Invalid("the dataset writer thread panicked".into()))??;
            Ok(Dataset::open(&dir)?.with_split(split.as_deref()))
        });
        res.py_err().map(wrap)
    }

    /// Stops writing and discards everything written (the folder is not created).
    fn abort(&self, py: Python<'_>) {
        if let Some(Running { tx, thread, .. }) = self.state.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = tx.send(Err(Error::Invalid("aborted".into())));
            drop(tx);
            py.detach(move || {
                let _ = thread.join();
            });
        }
    }
}

#[allow(dead_code)]
fn _assert_send(_: Arc<Writer>) {}
