//! Table operations on a [`Dataset`]: index-only ones (select, shuffle, split, sort, shard,
//! filter, interleave) build an indices mapping without copying rows; data ones (map, column edits,
//! cast, flatten, tokenize) stream batches through a rayon pool into new shards, in order, under a
//! cache directory keyed by the output's fingerprint. One family per file.

pub mod columns;
pub mod combine;
pub mod filter;
pub mod map;
pub mod par;
pub mod rng;
pub mod select;
pub mod shuffle;
pub mod sort;
pub mod split;
pub mod unique;

use std::path::PathBuf;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use crate::cache;
use crate::dataset::Dataset;
use crate::error::Result;
use crate::load::BatchSource;
use crate::progress::Progress;
use crate::shard_writer::WriteOptions;

/// Where and how a data op writes its output.
#[derive(Debug, Clone)]
pub struct DataOpOptions {
    /// Output directory; `None`: `<cache dir>/<fingerprint>` (see [`crate::cache::cache_dir`]).
    pub out_dir: Option<PathBuf>,
    /// Reuse an existing output of the same fingerprint in the cache (HF's `load_from_cache_file`).
    pub use_cache: bool,
    /// Rows per batch handed to a worker.
    pub batch_size: usize,
    /// Worker threads (0 = default).
    pub threads: usize,
    pub write: WriteOptions,
}

impl Default for DataOpOptions {
    fn default() -> Self {
        DataOpOptions {
            out_dir: None,
            use_cache: true,
            batch_size: crate::dataset::DEFAULT_WRITE_BATCH_ROWS,
            threads: 0,
            write: WriteOptions::default(),
        }
    }
}

impl DataOpOptions {
    pub fn target(&self, fingerprint: &str) -> PathBuf {
        self.out_dir.clone().unwrap_or_else(|| cache::entry_dir(&cache::cache_dir(), fingerprint))
    }

    /// A previous output of the same fingerprint, when caching applies (cache dir, not an explicit
    /// out_dir) and it opens cleanly.
    pub fn cached(&self, fingerprint: &str) -> Option<Dataset> {
        if !self.use_cache || self.out_dir.is_some() {
            return None;
        }
        let dir = self.target(fingerprint);
        let ds = Dataset::open(&dir).ok()?;
        (ds.fingerprint() == fingerprint).then_some(ds)
    }
}

/// Writes `batches` (with `schema`) as the output of an op on `parent` whose result has
/// `fingerprint`. An output in the cache records that it derives from `parent` (see
/// [`crate::lineage`]), so cleaning up `parent`'s relatives finds it and nobody else's does.
pub(crate) fn write_output(
    parent: &Dataset,
    schema: SchemaRef,
    batches: impl Iterator<Item = Result<RecordBatch>> + Send + 'static,
    fingerprint: String,
    opts: &DataOpOptions,
    progress: &dyn Progress,
) -> Result<Dataset> {
    let dir = opts.target(&fingerprint);
    let write = WriteOptions { fingerprint: Some(fingerprint), ..opts.write.clone() };
    let out = Dataset::from_source(BatchSource::new(schema, batches), &dir, &write, &AdvanceOnly(progress))?;
    if opts.out_dir.is_none() {
        crate::lineage::record(&cache::cache_dir(), &dir, Some(parent))?;
    }
    Ok(out)
}

/// The writer's row counts become the op's progress; its own start/finish ("Saving the
/// dataset", no total) would hide the op's description and total.
struct AdvanceOnly<'a>(&'a dyn Progress);

impl Progress for AdvanceOnly<'_> {
    fn advance(&self, n: u64) {
        self.0.advance(n)
    }
}

/// Rows as a list of positions in a dataset's logical order: one shared representation for
/// index-only ops.
pub(crate) fn with_rows(ds: &Dataset, rows: Vec<u64>, op: &str, args: serde_json::Value) -> Result<Dataset> {
    let fp = cache::update_fingerprint(ds.fingerprint(), op, &args);
    Ok(ds.with_indices(rows.into())?.with_fingerprint(fp))
}
