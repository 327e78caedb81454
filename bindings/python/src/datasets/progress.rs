//! A `Progress` that forwards to a Python object (`tokenmill.datasets.progress._Bar`, a tqdm
//! wrapper) with `start(desc, total)`, `update(n)` and `close()`. Updates from worker threads are
//! summed and sent at most every 100 ms, taking the GIL only then.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use tokenmill_datasets::Progress;

pub(crate) struct PyProgress {
    bar: Option<Py<PyAny>>,
    pending: AtomicU64,
    last: Mutex<Instant>,
}

impl PyProgress {
    /// `bar` None (or Python None) reports nothing.
    pub(crate) fn new(bar: Option<Bound<'_, PyAny>>) -> Self {
        let bar = bar.filter(|b| !b.is_none()).map(|b| b.unbind());
        PyProgress { bar, pending: AtomicU64::new(0), last: Mutex::new(Instant::now()) }
    }

    fn call(&self, f: impl FnOnce(Python<'_>, &Bound<'_, PyAny>) -> PyResult<()>) {
        if let Some(bar) = &self.bar {
            Python::attach(|py| {
                // A failing progress bar must not fail the operation; the error is printed.
                if let Err(e) = f(py, bar.bind(py)) {
                    e.print(py);
                }
            });
        }
    }

    fn flush(&self) {
        let n = self.pending.swap(0, Ordering::Relaxed);
        if n > 0 {
            self.call(|_, b| b.call_method1("update", (n,)).map(|_| ()));
        }
    }
}

impl Progress for PyProgress {
    fn start(&self, desc: &str, total: Option<u64>) {
        self.flush();
        self.call(|_, b| b.call_method1("start", (desc, total)).map(|_| ()));
    }

    fn advance(&self, n: u64) {
        if self.bar.is_none() {
            return;
        }
        self.pending.fetch_add(n, Ordering::Relaxed);
        let due = {
            let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            if last.elapsed() >= Duration::from_millis(100) {
                *last = Instant::now();
                true
            } else {
                false
            }
        };
        if due {
            self.flush();
        }
    }

    fn finish(&self) {
        self.flush();
        self.call(|_, b| b.call_method0("close").map(|_| ()));
    }
}
