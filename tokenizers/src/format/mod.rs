//! Loading the tokenizer formats people already have.

pub mod hf_byte_level;
pub mod hf_json;
pub mod tiktoken;
