//! The CLI's error type: every variant prints as one line naming what failed.

use std::path::{Path, PathBuf};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Tokenizer(#[from] tokenmill_tokenizers::Error),

    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },

    /// Writing to stdout failed (a closed pipe ends the program quietly).
    #[error("stdout: {0}")]
    Stdout(std::io::Error),

    #[error("{0}")]
    Msg(String),

    #[error(transparent)]
    Dataset(#[from] tokenmill_datasets::Error),
}

impl Error {
    pub fn msg(m: impl Into<String>) -> Self {
        Error::Msg(m.into())
    }
}

/// `map_err(io(path))`: attaches the path to an I/O error.
pub fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io { path: path.to_path_buf(), source }
}
