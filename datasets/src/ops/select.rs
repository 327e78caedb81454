//! Row selection by position: `select(indices)`, `take(n)`, `skip(n)`, `shard(n, i)`. All build
//! an indices mapping (no data copied); HF's semantics and shard boundaries.

use crate::dataset::Dataset;
use crate::error::{Error, Result};

/// Rows at `indices` (logical positions, any order, repeats allowed).
pub fn select(ds: &Dataset, indices: &[u64]) -> Result<Dataset> {
    let n = ds.num_rows() as u64;
    if let Some((k, bad)) = indices.iter().enumerate().find(|(_, &i)| i >= n) {
        return Err(Error::Invalid(format!("select: index {bad} (position {k}) out of range for {n} rows")));
    }
    // The fingerprint hashes the indices themselves (Dataset::with_indices does).
    let out = ds.with_indices(indices.into())?;
    let fp = crate::cache::update_fingerprint(out.fingerprint(), "select", &serde_json::Value::Null);
    Ok(out.with_fingerprint(fp))
}

/// The first `n` rows (all when fewer).
pub fn take(ds: &Dataset, n: usize) -> Result<Dataset> {
    let n = n.min(ds.num_rows());
    super::with_rows(ds, (0..n as u64).collect(), "take", serde_json::json!({ "n": n }))
}

/// All rows after the first `n`.
pub fn skip(ds: &Dataset, n: usize) -> Result<Dataset> {
    let total = ds.num_rows();
    let n = n.min(total);
    super::with_rows(ds, (n as u64..total as u64).collect(), "skip", serde_json::json!({ "n": n }))
}

/// Shard `index` of `num_shards`: contiguous blocks whose sizes differ by at most one (the first
/// `len % n` get one more), or every `num_shards`-th row from `index` when not contiguous.
pub fn shard(ds: &Dataset, num_shards: usize, index: usize, contiguous: bool) -> Result<Dataset> {
    if num_shards == 0 || index >= num_shards {
        return Err(Error::Invalid(format!("shard: index {index} must be below num_shards {num_shards}")));
    }
    let len = ds.num_rows();
    let rows: Vec<u64> = if contiguous {
        let (div, rem) = (len / num_shards, len % num_shards);
        let start = div * index + index.min(rem);
        let end = start + div + usize::from(index < rem);
        (start as u64..end as u64).collect()
    } else {
        (index as u64..len as u64).step_by(num_shards).collect()
    };
    let args = serde_json::json!({ "num_shards": num_shards, "index": index, "contiguous": contiguous });
    super::with_rows(ds, rows, "shard", args)
}
