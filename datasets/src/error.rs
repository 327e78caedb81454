//! Typed errors: every variant names the file, line/row and column that failed.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },

    /// Malformed input at a place: `at` is "line N", "row N", "record N", "byte N", ...
    #[error("{path}: {at}: {reason}")]
    Parse { path: PathBuf, at: String, reason: String },

    #[error("{path}: corrupt or truncated Arrow data: {reason}")]
    CorruptShard { path: PathBuf, reason: String },

    #[error("no column {name:?} (columns: {available})")]
    MissingColumn { name: String, available: String },

    #[error("column {column:?} has type {found}, expected {expected}")]
    WrongType { column: String, found: String, expected: String },

    #[error("{0}")]
    Invalid(String),

    #[error(transparent)]
    Arrow(#[from] arrow_schema::ArrowError),

    #[error(transparent)]
    Tokenizer(#[from] tokenmill_tokenizers::Error),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }

    pub fn parse(path: impl Into<PathBuf>, at: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Parse { path: path.into(), at: at.into(), reason: reason.into() }
    }
}
