//! Combining datasets: `concatenate` (rows of each in turn, no copy: shards are shared and indices
//! mappings composed) and `interleave` (HF's `interleave_datasets`: round robin, or sources drawn
//! with `probabilities` from NumPy's generator with `seed`, under a stopping strategy).

use std::sync::Arc;

use crate::cache;
use crate::dataset::Dataset;
use crate::error::{Error, Result};

use super::rng::NumpyRng;

/// The rows of every dataset in turn. All must have the same columns (names and types, in order).
pub fn concatenate(datasets: &[Dataset]) -> Result<Dataset> {
    let first = datasets.first().ok_or_else(|| Error::Invalid("concatenate: no datasets".into()))?;
    for (k, d) in datasets.iter().enumerate().skip(1) {
        if d.schema().fields() != first.schema().fields() {
            return Err(Error::Invalid(format!(
                "concatenate: dataset {k} has columns {:?}, dataset 0 has {:?}",
                d.column_names(),
                first.column_names()
            )));
        }
    }
    if datasets.len() == 1 {
        return Ok(first.clone());
    }
    let shards = datasets.iter().flat_map(|d| d.shards().iter().cloned()).collect();
    let mut h = cache::Fnv64::default();
    for d in datasets {
        h.field(d.fingerprint().as_bytes());
    }
    let fp = cache::update_fingerprint(&format!("{:016x}", h.finish()), "concatenate", &serde_json::Value::Null);
    let physical = Dataset::from_shards(shards, Some(first.schema().clone()), fp.clone())?;
    if datasets.iter().all(|d| d.indices().is_none()) {
        return Ok(physical);
    }
    // Some have a mapping: one composed mapping over the concatenated physical rows.
    let mut rows = Vec::with_capacity(datasets.iter().map(|d| d.num_rows()).sum());
    let mut base = 0u64;
    for d in datasets {
        match d.indices() {
            Some(ix) => rows.extend(ix.iter().map(|&i| base + i)),
            None => rows.extend(base..base + d.physical_rows()),
        }
        base += d.physical_rows();
    }
    Ok(physical.with_indices(Arc::from(rows))?.with_fingerprint(fp))
}

/// When an interleave stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Stopping {
    /// As soon as one source runs out.
    FirstExhausted,
    /// When every source has run out at least once; exhausted sources restart (oversampling).
    AllExhausted,
    /// Every row exactly once: exhausted sources are skipped.
    AllExhaustedWithoutReplacement,
}

/// Row positions (in the concatenation of sources of `lengths`) HF's `interleave_datasets` picks.
pub fn interleave_indices(
    lengths: &[usize],
    probabilities: Option<&[f64]>,
    seed: u64,
    stopping: Stopping,
) -> Result<Vec<u64>> {
    let n = lengths.len();
    let offsets: Vec<u64> =
        lengths.iter().scan(0u64, |acc, &l| Some(std::mem::replace(acc, *acc + l as u64))).collect();
    let Some(p) = probabilities else {
        return Ok(round_robin(lengths, &offsets, stopping));
    };
    if p.len() != n {
        return Err(Error::Invalid(format!("interleave: {} probabilities for {n} datasets", p.len())));
    }
    if p.iter().any(|&x| x.is_nan() || x < 0.0) || (p.iter().sum::<f64>() - 1.0).abs() > 1e-8 {
        return Err(Error::Invalid(format!("interleave: probabilities {p:?} must be non-negative and sum to 1")));
    }
    let drawable: Vec<bool> = p.iter().map(|&x| x > 0.0).collect();
    if let Some(e) = (0..n).find(|&i| drawable[i] && lengths[i] == 0) {
        return Err(Error::Invalid(format!("interleave: dataset {e} is empty but has probability > 0")));
    }
    if stopping == Stopping::AllExhausted && drawable.iter().any(|d| !d) {
        return Err(Error::Invalid("interleave: all_exhausted cannot exhaust a dataset of probability 0".into()));
    }
    let mut rng = NumpyRng::new(seed);
    let mut current = vec![0u64; n];
    let mut exhausted = vec![false; n];
    let mut out = Vec::new();
    // HF draws sources in blocks of 1000 (`rng.choice(n, size=1000, p=p)`); the stop test runs
    // before each draw is used, so the RNG stream matches block by block.
    loop {
        for s in rng.choice_weighted(p, 1000) {
            let stop = match stopping {
                Stopping::FirstExhausted => (0..n).any(|i| drawable[i] && exhausted[i]),
                Stopping::AllExhausted => (0..n).all(|i| !drawable[i] || exhausted[i]),
                Stopping::AllExhaustedWithoutReplacement => exhausted.iter().all(|&e| e),
            };
            if stop {
                return Ok(out);
            }
            match stopping {
                Stopping::AllExhaustedWithoutReplacement => {
                    if !exhausted[s] {
                        out.push(current[s] + offsets[s]);
                        current[s] += 1;
                    }
                    if current[s] >= lengths[s] as u64 {
                        exhausted[s] = true;
                    }
                }
                _ => {
                    out.push(current[s] + offsets[s]);
                    current[s] += 1;
                    if current[s] >= lengths[s] as u64 {
                        exhausted[s] = true;
                        current[s] = 0;
                    }
                }
            }
        }
    }
}

fn round_robin(lengths: &[usize], offsets: &[u64], stopping: Stopping) -> Vec<u64> {
    let n = lengths.len();
    let mut out = Vec::new();
    match stopping {
        Stopping::FirstExhausted => {
            let m = lengths.iter().copied().min().unwrap_or(0);
            for r in 0..m as u64 {
                out.extend(offsets.iter().map(|&o| o + r));
            }
        }
        Stopping::AllExhausted => {
            let m = lengths.iter().copied().max().unwrap_or(0);
            for r in 0..m {
                // An empty source cannot cycle; HF would fail on `mod 0`: skip it.
                out.extend((0..n).filter(|&i| lengths[i] > 0).map(|i| offsets[i] + (r % lengths[i]) as u64));
            }
        }
        Stopping::AllExhaustedWithoutReplacement => {
            let m = lengths.iter().copied().max().unwrap_or(0);
            for r in 0..m {
                out.extend((0..n).filter(|&i| r < lengths[i]).map(|i| offsets[i] + r as u64));
            }
        }
    }
    out
}

/// HF's `interleave_datasets` for map-style datasets.
pub fn interleave(
    datasets: &[Dataset],
    probabilities: Option<&[f64]>,
    seed: u64,
    stopping: Stopping,
) -> Result<Dataset> {
    let all = concatenate(datasets)?;
    let lengths: Vec<usize> = datasets.iter().map(|d| d.num_rows()).collect();
    let rows = interleave_indices(&lengths, probabilities, seed, stopping)?;
    let args = serde_json::json!({ "probabilities": probabilities, "seed": seed, "stopping": stopping });
    super::with_rows(&all, rows, "interleave", args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_robin_as_hf_docs() {
        // Examples from HF's comments.
        assert_eq!(
            interleave_indices(&[3, 4, 5], None, 0, Stopping::FirstExhausted).unwrap(),
            [0, 3, 7, 1, 4, 8, 2, 5, 9]
        );
        assert_eq!(
            interleave_indices(&[3, 4, 5], None, 0, Stopping::AllExhausted).unwrap(),
            [0, 3, 7, 1, 4, 8, 2, 5, 9, 0, 6, 10, 1, 3, 11]
        );
        assert_eq!(
            interleave_indices(&[3, 4, 3], None, 0, Stopping::AllExhaustedWithoutReplacement).unwrap(),
            [0, 3, 7, 1, 4, 8, 2, 5, 9, 6]
        );
    }
}
