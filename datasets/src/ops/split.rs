//! `train_test_split`: HF's sizes (float test_size rounds up, float train_size down, the other
//! side takes the rest), its random partition (`permutation[:n_test]` is test) and its stratified
//! partition (scikit-learn's StratifiedShuffleSplit as HF ports it), all drawn from NumPy's
//! generator so the same seed gives HF's rows.

use crate::dataset::Dataset;
use crate::error::{Error, Result};

use super::rng::NumpyRng;

/// A split size: a fraction of the rows or a row count.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum Size {
    Fraction(f64),
    Count(usize),
}

#[derive(Debug, Clone)]
pub struct SplitOptions {
    /// Default (both None): test 0.25.
    pub test_size: Option<Size>,
    pub train_size: Option<Size>,
    pub shuffle: bool,
    pub seed: u64,
    /// Class column (integer labels) whose proportions both sides keep.
    pub stratify_by_column: Option<String>,
}

impl Default for SplitOptions {
    fn default() -> Self {
        SplitOptions { test_size: None, train_size: None, shuffle: true, seed: 0, stratify_by_column: None }
    }
}

/// The two sides of a split.
#[derive(Debug, Clone)]
pub struct TrainTest {
    pub train: Dataset,
    pub test: Dataset,
}

impl TrainTest {
    /// HF's return value: a DatasetDict with splits `train` and `test`.
    pub fn into_dict(self) -> crate::dataset_dict::DatasetDict {
        let mut dd = crate::dataset_dict::DatasetDict::new();
        dd.insert("train", self.train);
        dd.insert("test", self.test);
        dd
    }
}

/// (n_train, n_test) for `n` rows, as HF computes them (same errors).
pub fn split_sizes(n: usize, test_size: Option<Size>, train_size: Option<Size>) -> Result<(usize, usize)> {
    let test_size = if test_size.is_none() && train_size.is_none() { Some(Size::Fraction(0.25)) } else { test_size };
    let check = |s: Option<Size>, what: &str| -> Result<()> {
        match s {
            Some(Size::Fraction(f)) if !(f > 0.0 && f < 1.0) => {
                Err(Error::Invalid(format!("{what}={f} should be in the (0, 1) range")))
            }
            Some(Size::Count(c)) if c == 0 || c >= n => {
                Err(Error::Invalid(format!("{what}={c} should be a positive count smaller than the {n} rows")))
            }
            _ => Ok(()),
        }
    };
    check(test_size, "test_size")?;
    check(train_size, "train_size")?;
    if let (Some(Size::Fraction(a)), Some(Size::Fraction(b))) = (test_size, train_size) {
        if a + b > 1.0 {
            return Err(Error::Invalid(format!("test_size + train_size = {} should be in the (0, 1) range", a + b)));
        }
    }
    let count = |s: Size, round_up: bool| match s {
        Size::Fraction(f) if round_up => (f * n as f64).ceil() as usize,
        Size::Fraction(f) => (f * n as f64).floor() as usize,
        Size::Count(c) => c,
    };
    let mut n_test = test_size.map(|s| count(s, true));
    let mut n_train = train_size.map(|s| count(s, false));
    match (n_train, n_test) {
        (None, Some(t)) => n_train = Some(n.saturating_sub(t)),
        (Some(t), None) => n_test = Some(n.saturating_sub(t)),
        _ => {}
    }
    let (n_train, n_test) = (n_train.unwrap_or(0), n_test.unwrap_or(0));
    if n_train + n_test > n {
        return Err(Error::Invalid(format!("train_size + test_size = {} exceeds the {n} rows", n_train + n_test)));
    }
    if n_train == 0 {
        return Err(Error::Invalid(format!("with {n} rows the train split would be empty")));
    }
    Ok((n_train, n_test))
}

pub fn train_test_split(ds: &Dataset, opts: &SplitOptions) -> Result<TrainTest> {
    let n = ds.num_rows();
    let (n_train, n_test) = split_sizes(n, opts.test_size, opts.train_size)?;
    let (train, test) = if !opts.shuffle {
        if opts.stratify_by_column.is_some() {
            return Err(Error::Invalid("a stratified split needs shuffle".into()));
        }
        ((0..n_train as u64).collect(), (n_train as u64..(n_train + n_test) as u64).collect())
    } else if let Some(col) = &opts.stratify_by_column {
        let labels = labels_of(ds, col)?;
        stratified_indices(&labels, n_train, n_test, opts.seed)?
    } else {
        let perm = NumpyRng::new(opts.seed).permutation(n);
        (perm[n_test..n_test + n_train].to_vec(), perm[..n_test].to_vec())
    };
    let args = serde_json::json!({
        "test_size": opts.test_size, "train_size": opts.train_size, "shuffle": opts.shuffle,
        "seed": opts.seed, "stratify_by_column": opts.stratify_by_column,
    });
    let mut train_args = args.clone();
    train_args["side"] = "train".into();
    let mut test_args = args;
    test_args["side"] = "test".into();
    Ok(TrainTest {
        train: super::with_rows(ds, train, "train_test_split", train_args)?,
        test: super::with_rows(ds, test, "train_test_split", test_args)?,
    })
}

/// An integer column as i64 labels (HF stratifies by ClassLabel columns, which are integers).
fn labels_of(ds: &Dataset, column: &str) -> Result<Vec<i64>> {
    let arr = ds.column(column)?;
    let arr = arrow_cast::cast(&arr, &arrow_schema::DataType::Int64).map_err(|_| Error::WrongType {
        column: column.into(),
        found: arr.data_type().to_string(),
        expected: "integer class labels".into(),
    })?;
    let arr = arr.as_any().downcast_ref::<arrow_array::Int64Array>().ok_or_else(|| Error::WrongType {
        column: column.into(),
        found: arr.data_type().to_string(),
        expected: "integer class labels".into(),
    })?;
    if arr.null_count() > 0 || !arr.data_type().is_integer() {
        return Err(Error::WrongType { column: column.into(), found: "nulls".into(), expected: "class labels".into() });
    }
    Ok(arr.values().to_vec())
}

use arrow_array::Array;

/// HF's `approximate_mode`: floor of the proportional counts, then the largest remainders get one
/// more, ties broken by `rng.choice(..., replace=False)`.
fn approximate_mode(class_counts: &[u64], n_draws: usize, rng: &mut NumpyRng) -> Vec<u64> {
    let total: u64 = class_counts.iter().sum();
    let continuous: Vec<f64> = class_counts.iter().map(|&c| (n_draws as u64 * c) as f64 / total as f64).collect();
    let mut floored: Vec<f64> = continuous.iter().map(|c| c.floor()).collect();
    let mut need = n_draws as i64 - floored.iter().sum::<f64>() as i64;
    if need > 0 {
        let remainder: Vec<f64> = continuous.iter().zip(&floored).map(|(c, f)| c - f).collect();
        let mut values = remainder.clone();
        values.sort_by(|a, b| b.total_cmp(a));
        values.dedup();
        for v in values {
            let inds: Vec<usize> = (0..remainder.len()).filter(|&i| remainder[i] == v).collect();
            let add_now = inds.len().min(need as usize);
            for k in rng.choice_without_replacement(inds.len(), add_now) {
                floored[inds[k]] += 1.0;
            }
            need -= add_now as i64;
            if need == 0 {
                break;
            }
        }
    }
    floored.iter().map(|&f| f as u64).collect()
}

/// HF's `stratified_shuffle_split_generate_indices` (first split): (train, test) row positions.
pub fn stratified_indices(labels: &[i64], n_train: usize, n_test: usize, seed: u64) -> Result<(Vec<u64>, Vec<u64>)> {
    let mut classes: Vec<i64> = labels.to_vec();
    classes.sort_unstable();
    classes.dedup();
    let class_of = |l: i64| classes.binary_search(&l).unwrap_or(0);
    let mut class_rows: Vec<Vec<u64>> = vec![Vec::new(); classes.len()];
    for (i, &l) in labels.iter().enumerate() {
        class_rows[class_of(l)].push(i as u64);
    }
    let counts: Vec<u64> = class_rows.iter().map(|r| r.len() as u64).collect();
    if counts.iter().any(|&c| c < 2) {
        return Err(Error::Invalid("the least populated class has only 1 member; a stratified split needs 2".into()));
    }
    if n_train < classes.len() || n_test < classes.len() {
        return Err(Error::Invalid(format!(
            "train ({n_train}) and test ({n_test}) sizes must be at least the number of classes ({})",
            classes.len()
        )));
    }
    let mut rng = NumpyRng::new(seed);
    let n_i = approximate_mode(&counts, n_train, &mut rng);
    let remaining: Vec<u64> = counts.iter().zip(&n_i).map(|(c, k)| c - k).collect();
    let t_i = approximate_mode(&remaining, n_test, &mut rng);
    let (mut train, mut test) = (Vec::with_capacity(n_train), Vec::with_capacity(n_test));
    for (c, rows) in class_rows.iter().enumerate() {
        let perm = rng.permutation(rows.len());
        let (a, b) = (n_i[c] as usize, (n_i[c] + t_i[c]) as usize);
        train.extend(perm[..a].iter().map(|&p| rows[p as usize]));
        test.extend(perm[a..b].iter().map(|&p| rows[p as usize]));
    }
    rng.shuffle(&mut train);
    rng.shuffle(&mut test);
    Ok((train, test))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_as_hf() {
        assert_eq!(split_sizes(10, None, None).unwrap(), (7, 3));
        assert_eq!(split_sizes(10, Some(Size::Fraction(0.1)), None).unwrap(), (9, 1));
        assert_eq!(split_sizes(10, None, Some(Size::Fraction(0.66))).unwrap(), (6, 4));
        assert_eq!(split_sizes(10, Some(Size::Count(2)), Some(Size::Count(3))).unwrap(), (3, 2));
        assert_eq!(split_sizes(7, Some(Size::Fraction(0.33)), None).unwrap(), (4, 3));
        assert!(split_sizes(10, Some(Size::Count(10)), None).is_err());
        assert!(split_sizes(10, Some(Size::Fraction(0.6)), Some(Size::Fraction(0.5))).is_err());
        assert!(split_sizes(1, Some(Size::Fraction(0.5)), None).is_err());
    }
}
