//! `shuffle(seed)`: an indices mapping holding NumPy's `default_rng(seed).permutation(n)`, the
//! permutation HF `datasets` uses, so the same seed gives the same order as HF.

use crate::dataset::Dataset;
use crate::error::Result;

use super::rng;

pub fn shuffle(ds: &Dataset, seed: u64) -> Result<Dataset> {
    let perm = rng::permutation(ds.num_rows(), seed);
    super::with_rows(ds, perm, "shuffle", serde_json::json!({ "seed": seed }))
}
