//! Hugging Face `tokenizer.json` (the byte-level loaders; the whole-file pipeline loader follows).

pub use super::hf_byte_level::{from_file, from_str};
