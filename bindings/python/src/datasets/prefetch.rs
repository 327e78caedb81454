//! `_Prefetch`: rows of a dataset read on a worker thread while Python works on the previous
//! batch (`Dataset.map`/`filter` over a file-backed dataset). Reading a batch the first time
//! decodes and validates it (UTF-8 of every string: ~0.15 ms per 1000 IMDB reviews); done ahead,
//! that time overlaps the user's function instead of adding to it.

use std::sync::{Arc, Condvar, Mutex};

use arrow_array::RecordBatch;
use pyo3::prelude::*;
use tokenmill_datasets::Dataset;

use super::arrow::ArrowStream;
use super::errors::IntoPy;

type Slot = (Mutex<Option<tokenmill_datasets::Result<RecordBatch>>>, Condvar);

/// `ds.slice(start, len)` being computed on the rayon pool.
#[pyclass(frozen, module = "tokenmill._tokenmill", name = "_Prefetch")]
pub(crate) struct Prefetch {
    slot: Arc<Slot>,
}

impl Prefetch {
    pub(crate) fn start(ds: &Dataset, start: usize, len: usize) -> Prefetch {
        let slot: Arc<Slot> = Arc::new((Mutex::new(None), Condvar::new()));
        let (ds, done) = (ds.clone(), slot.clone());
        let work = move || {
            // a panic in the read must still wake the waiter (with an error, not a hang)
            let r =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ds.slice(start, len))).unwrap_or_else(|_| {
                    Err(tokenmill_datasets::Error::Invalid(format!("reading rows {start}..{} panicked", start + len)))
                });
            *done.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
            done.1.notify_all();
        };
        // Not rayon's global pool: its threads do not exist in a forked child (map's num_proc
        // workers), where a job spawned on it would never run. The batch pool is rebuilt per
        // process; without one, the read happens here.
        match tokenmill_tokenizers::tokenizer::batch::pool(0) {
            Ok(pool) => pool.spawn(work),
            Err(_) => work(),
        }
        Prefetch { slot }
    }
}

#[pymethods]
impl Prefetch {
    /// The rows, as one batch (waits for the worker, without the GIL). May be called once.
    fn result(&self, py: Python<'_>) -> PyResult<ArrowStream> {
        let slot = self.slot.clone();
        let r = py.detach(move || {
            let mut got = slot.0.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if let Some(r) = got.take() {
                    return r;
                }
                got = slot.1.wait(got).unwrap_or_else(|e| e.into_inner());
            }
        });
        r.py_err().map(ArrowStream::one)
    }
}
