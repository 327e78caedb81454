//! tokenmill-tokenizers: a parallel byte-level BPE engine that loads tiktoken rank files and
//! Hugging Face `tokenizer.json` files and gives the same ids as those libraries.
//!
//! Pipeline: added/special tokens are cut out first ([`added_vocab`]), the remaining text is split
//! into pieces by a [`pretokenizer::Splitter`], each piece is merged by the [`model::bpe`] model, and
//! [`decoder`] turns ids back into bytes. [`tokenizer::Tokenizer`] ties the stages together and runs
//! batches in parallel ([`tokenizer::batch`]).

pub mod added_vocab;
pub mod decoder;
pub mod encoding;
pub mod error;
pub mod format;
pub mod model;
pub mod normalizer;
pub mod padding;
pub mod postprocessor;
pub mod pretokenizer;
pub mod tokenizer;
pub mod truncation;
pub mod unicode;

pub use encoding::Encoding;
pub use error::{Error, Result};
pub use format::tiktoken::{builtin, builtin_names};
pub use tokenizer::{EncodeInput, HfTokenizer, InputSequence, OffsetType, SpecialPolicy, Tokenizer};
