//! Maps `tokenmill_datasets::Error` onto Python exceptions: missing files → `FileNotFoundError`
//! (an `OSError` with errno and filename), bad input → `DatasetsError` (a `ValueError`) whose message
//! names the file and the line/row/column, tokenizer errors as the tokenizer bindings map them.

use pyo3::create_exception;
use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use tokenmill_datasets::Error;

use crate::errors::TokenmillError;

create_exception!(
    _tokenmill,
    DatasetsError,
    TokenmillError,
    "A dataset operation failed: bad input data (the message names file, line/row and column), a \
     missing column, a wrong type, or an invalid argument. A ValueError."
);

/// Converts an engine error.
pub(crate) fn ds_err(e: Error) -> PyErr {
    match e {
        Error::Io { path, source } => crate::errors::os_error(&path, &source)
            .unwrap_or_else(|(path, msg)| PyOSError::new_err(format!("{path}: {msg}"))),
        Error::Tokenizer(t) => Python::attach(|py| crate::errors::to_py(py, t)),
        e => DatasetsError::new_err(e.to_string()),
    }
}

/// `Result` of the engine → `PyResult`.
pub(crate) trait IntoPy<T> {
    fn py_err(self) -> PyResult<T>;
}

impl<T> IntoPy<T> for Result<T, Error> {
    fn py_err(self) -> PyResult<T> {
        self.map_err(ds_err)
    }
}
