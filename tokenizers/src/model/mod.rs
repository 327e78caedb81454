//! Models turn one pre-tokenized piece (raw bytes) into token ids.

pub mod bpe;
pub mod cache;
pub mod hash;
pub mod table;

pub use bpe::BpeModel;
