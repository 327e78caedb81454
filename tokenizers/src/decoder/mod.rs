//! Decoders: ids back to bytes and text.

pub mod byte_level;
