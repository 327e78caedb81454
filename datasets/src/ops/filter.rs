//! `filter(predicate)`: a Rust predicate over record batches gives a boolean per row; the kept
//! rows become an indices mapping (as HF, which writes an indices file, not new data). Batches are
//! evaluated in parallel; the row order is kept.

use std::sync::Arc;

use arrow_array::{Array, BooleanArray, RecordBatch};

use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::progress::Progress;

/// Keeps the rows for which `predicate` is true (null counts as false). `fingerprint` names the
/// predicate for the cache key (HF hashes the function); `None` gives the result a fresh one.
pub fn filter<F>(
    ds: &Dataset,
    predicate: F,
    batch_size: usize,
    threads: usize,
    fingerprint: Option<&str>,
    progress: &dyn Progress,
) -> Result<Dataset>
where
    F: Fn(&RecordBatch) -> Result<BooleanArray> + Send + Sync + 'static,
{
    let n = ds.num_rows();
    let batch_size = batch_size.max(1);
    let predicate = Arc::new(predicate);
    progress.start("filter", Some(n as u64));
    let starts: Vec<usize> = (0..n).step_by(batch_size).collect();
    let keep_of = |start: usize| -> Result<Vec<u64>> {
        let len = batch_size.min(n - start);
        let batch = ds.slice(start, len)?;
        let mask = predicate(&batch)?;
        if mask.len() != len {
            return Err(Error::Invalid(format!(
                "filter: predicate gave {} values for a batch of {len} rows",
                mask.len()
            )));
        }
        progress.advance(len as u64);
        Ok((0..len).filter(|&i| mask.is_valid(i) && mask.value(i)).map(|i| (start + i) as u64).collect())
    };
    let parts = tokenmill_tokenizers::tokenizer::batch::map(&starts, threads, |&s| keep_of(s));
    progress.finish();
    let rows: Vec<u64> = parts?.into_iter().collect::<Result<Vec<_>>>()?.concat();
    let args =
        serde_json::json!({ "fn": fingerprint.map(str::to_string).unwrap_or_else(crate::cache::random_fingerprint) });
    super::with_rows(ds, rows, "filter", args)
}
