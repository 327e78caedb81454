//! Python exception types and the mapping of every library error onto them.

use pyo3::exceptions::{PyKeyError, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyString;

use pyo3::create_exception;
use tokenmill_tokenizers::Error;

create_exception!(_tokenmill, TokenmillError, PyValueError, "Base class of tokenmill's own errors (a ValueError).");
create_exception!(
    _tokenmill,
    FormatError,
    TokenmillError,
    "A vocabulary / tokenizer.json / rank file could not be read or is not supported."
);
create_exception!(_tokenmill, PatternError, TokenmillError, "The split pattern (regex) is invalid.");

/// Largest token id accepted from user-supplied rank tables: the engine keeps a dense id table,
/// so a stray huge rank would otherwise try to allocate gigabytes.
pub(crate) const MAX_ID: u32 = 1 << 27;

/// tiktoken's exact message for disallowed special text (Python `repr` quoting).
pub(crate) fn disallowed_error(py: Python<'_>, token: &str) -> PyErr {
    let r = PyString::new(py, token).repr().map(|r| r.to_string()).unwrap_or_else(|_| format!("{token:?}"));
    PyValueError::new_err(format!(
        "Encountered text corresponding to disallowed special token {r}.\n\
         If you want this text to be encoded as a special token, pass it to `allowed_special`, e.g. \
         `allowed_special={{{r}, ...}}`.\n\
         If you want this text to be encoded as normal text, disable the check for this token by \
         passing `disallowed_special=(enc.special_tokens_set - {{{r}}})`.\n\
         To disable this check for all special tokens, pass `disallowed_special=()`.\n"
    ))
}

/// An I/O error on `path` as Python's `OSError(errno, strerror, filename)`, which picks the
/// subclass (`FileNotFoundError`, ...); a missing file without an errno counts as ENOENT. Otherwise
/// `(path, message)` for the caller's own exception. The message drops Rust's " (os error N)".
pub(crate) fn os_error(path: &std::path::Path, source: &std::io::Error) -> Result<PyErr, (String, String)> {
    let msg = source.to_string();
    let msg = match msg.rfind(" (os error ") {
        Some(i) if msg.ends_with(')') => msg[..i].to_string(),
        _ => msg,
    };
    let path = path.display().to_string();
    match source.raw_os_error() {
        Some(errno) => Ok(PyOSError::new_err((errno, msg, path))),
        None if source.kind() == std::io::ErrorKind::NotFound => Ok(PyOSError::new_err((2, msg, path))),
        None => Err((path, msg)),
    }
}

/// Maps every library error to a Python exception.
pub(crate) fn to_py(py: Python<'_>, e: Error) -> PyErr {
    match e {
        Error::Io { path, source } => os_error(&path, &source).unwrap_or_else(|(path, msg)| {
            if source.kind() == std::io::ErrorKind::InvalidData {
                FormatError::new_err(format!("{path}: {msg}"))
            } else {
                PyOSError::new_err(format!("{path}: {msg}"))
            }
        }),
        Error::DisallowedSpecial(tok) => disallowed_error(py, &tok),
        Error::InvalidTokenId(id) => PyKeyError::new_err(format!("Invalid token for decoding: {id}")),
        Error::UnknownSpecial(s) => PyKeyError::new_err(s),
        e @ Error::UnknownEncoding { .. } => PyValueError::new_err(e.to_string()),
        e @ Error::Pattern { .. } => PatternError::new_err(e.to_string()),
        e @ (Error::RankFile { .. } | Error::TokenizerJson { .. } | Error::Unsupported { .. }) => {
            FormatError::new_err(e.to_string())
        }
        e => TokenmillError::new_err(e.to_string()),
    }
}
