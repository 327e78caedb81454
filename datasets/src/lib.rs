//! tokenmill-datasets: an Arrow-backed dataset engine.
//!
//! A [`dataset::Dataset`] is an Arrow schema plus an ordered list of memory-mapped Arrow IPC shards
//! ([`shard`]), read zero-copy, with an optional indices mapping (shuffle/select without copying).
//! [`load`] streams CSV/JSON/Parquet/text/Arrow/SQuAD/IMDB inputs into shards with bounded memory;
//! [`ops`] are the table operations; [`tokenize`] is the native parallel tokenize (and pack) map;
//! [`stream`] runs the same loaders lazily; [`load::hf_disk`] reads and writes Hugging Face's
//! `save_to_disk` layout; [`cache`] fingerprints dataset states so pipelines reuse their outputs
//! ([`lineage`] records which source each cache entry derives from, to scope its cleanup);
//! [`shard_writer`] writes bounded, atomically renamed shards; [`features`] maps HF features to
//! Arrow types and back ([`ordered_json`] keeps their key order); [`export`] writes Parquet, CSV and
//! JSON Lines; [`dataset_dict::DatasetDict`] holds named splits; [`value_bytes`] gives string
//! columns value buffers whose freed pages are reused.

pub mod cache;
pub mod dataset;
pub mod dataset_dict;
pub mod error;
pub mod export;
pub mod features;
pub mod lineage;
pub mod load;
pub mod ops;
pub mod ordered_json;
pub mod progress;
pub mod shard;
pub mod shard_writer;
pub mod stream;
#[cfg(test)]
mod test_util;
pub mod tokenize;
pub mod value_bytes;

pub use dataset::Dataset;
pub use dataset_dict::DatasetDict;
pub use error::{Error, Result};
pub use load::BatchSource;
pub use progress::{NoProgress, Progress};
pub use shard::Shard;
pub use shard_writer::{ShardWriter, WriteOptions};
