//! Table operations on a [`crate::dataset::Dataset`]: index-only ones (select, shuffle, split, sort,
//! shard, interleave) build an indices mapping without copying rows; data ones (map, filter, column
//! edits) write new shards. One family per file.

pub mod par;
pub mod rng;
