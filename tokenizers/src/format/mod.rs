//! Loading the tokenizer formats people already have.

pub mod hf_json;
pub mod tiktoken;
