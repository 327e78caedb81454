//! Typed errors for every stage: each variant names the file, line or token that failed.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },

    #[error("{origin}:{line}: invalid rank file: {reason}")]
    RankFile { origin: String, line: usize, reason: String },

    #[error("unknown encoding {name:?} (known: {known})")]
    UnknownEncoding { name: String, known: String },

    #[error("invalid split pattern {pattern:?}: {reason}")]
    Pattern { pattern: String, reason: String },

    #[error(
        "Encountered text corresponding to disallowed special token {0:?}.\n\
         If you want this text to be encoded as a special token, pass it to `allowed_special`, e.g. \
         `allowed_special={{{0:?}, ...}}`.\n\
         If you want this text to be encoded as normal text, disable the check for this token by \
         passing `disallowed_special=(enc.special_tokens_set - {{{0:?}}})`.\n\
         To disable this check for all special tokens, pass `disallowed_special=()`.\n"
    )]
    DisallowedSpecial(String),

    #[error("unknown special token {0:?}")]
    UnknownSpecial(String),

    #[error("invalid token id {0}")]
    InvalidTokenId(u32),

    #[error("token id {id} is too large (ids must be below {limit}; tables are indexed by id)")]
    TokenIdTooLarge { id: u64, limit: u64 },

    #[error("{origin}: invalid tokenizer.json: {reason}")]
    TokenizerJson { origin: String, reason: String },

    #[error("{origin}: unsupported {component} type {kind:?} (supported: {supported})")]
    Unsupported { origin: String, component: &'static str, kind: String, supported: &'static str },

    #[error("Truncation error: {0}")]
    Truncation(String),

    /// Truncation settings refused up front (HF's `enable_truncation` message, verbatim).
    #[error("{0}")]
    TruncationParams(String),

    #[error("{component}: {reason}")]
    Component { component: &'static str, reason: String },

    /// A model could not tokenize a piece (e.g. its unknown token is not in the vocabulary).
    #[error("{model}: {reason}")]
    Model { model: &'static str, reason: String },

    #[error("thread pool: {0}")]
    ThreadPool(String),
}

impl Error {
    pub(crate) fn json(origin: &str, reason: impl Into<String>) -> Self {
        Error::TokenizerJson { origin: origin.to_string(), reason: reason.into() }
    }
}
