//! Property tests: shuffle, select, shard and train_test_split are permutations / partitions of
//! the rows (no row lost or duplicated), over many sizes and seeds, with the dataset split over
//! several stored batches.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{ArrayRef, Int64Array, RecordBatch};
use proptest::prelude::*;
use tokenmill_datasets::ops::split::{train_test_split, Size, SplitOptions};
use tokenmill_datasets::ops::{select, shuffle};
use tokenmill_datasets::Dataset;

/// Rows 0..n in batches of `chunk` rows.
fn range_ds(n: usize, chunk: usize) -> Dataset {
    let batches: Vec<RecordBatch> = (0..n)
        .step_by(chunk.max(1))
        .map(|s| {
            let e = (s + chunk.max(1)).min(n);
            RecordBatch::try_from_iter([("i", Arc::new(Int64Array::from_iter_values(s as i64..e as i64)) as ArrayRef)])
                .unwrap()
        })
        .collect();
    let schema =
        Arc::new(arrow_schema::Schema::new(vec![arrow_schema::Field::new("i", arrow_schema::DataType::Int64, false)]));
    Dataset::from_batches(schema, batches).unwrap()
}

fn ids(ds: &Dataset) -> Vec<i64> {
    let mut out = Vec::new();
    for b in ds.batches(7) {
        out.extend_from_slice(b.unwrap().column(0).as_primitive::<Int64Type>().values());
    }
    out
}

fn sorted(mut v: Vec<i64>) -> Vec<i64> {
    v.sort_unstable();
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn shuffle_is_a_permutation(n in 0usize..400, chunk in 1usize..50, seed in any::<u64>()) {
        let ds = range_ds(n, chunk);
        let out = shuffle::shuffle(&ds, seed).unwrap();
        prop_assert_eq!(out.num_rows(), n);
        prop_assert_eq!(sorted(ids(&out)), (0..n as i64).collect::<Vec<_>>());
        // Deterministic in the seed.
        prop_assert_eq!(ids(&out), ids(&shuffle::shuffle(&ds, seed).unwrap()));
    }

    #[test]
    fn shuffle_of_shuffle_composes(n in 1usize..200, s1 in any::<u64>(), s2 in any::<u64>()) {
        let ds = range_ds(n, 13);
        let a = shuffle::shuffle(&ds, s1).unwrap();
        let b = shuffle::shuffle(&a, s2).unwrap();
        let perm = tokenmill_datasets::ops::rng::permutation(n, s2);
        let first = ids(&a);
        prop_assert_eq!(ids(&b), perm.iter().map(|&p| first[p as usize]).collect::<Vec<_>>());
    }

    #[test]
    fn select_picks_exactly_the_indices(n in 1usize..300, picks in prop::collection::vec(any::<prop::sample::Index>(), 0..100)) {
        let ds = shuffle::shuffle(&range_ds(n, 17), 5).unwrap();
        let base = ids(&ds);
        let idx: Vec<u64> = picks.iter().map(|p| p.index(n) as u64).collect();
        let out = select::select(&ds, &idx).unwrap();
        prop_assert_eq!(ids(&out), idx.iter().map(|&i| base[i as usize]).collect::<Vec<_>>());
    }

    #[test]
    fn shards_partition_the_rows(n in 0usize..300, k in 1usize..9, contiguous in any::<bool>()) {
        let ds = range_ds(n, 11);
        let mut all = Vec::new();
        for i in 0..k {
            let s = select::shard(&ds, k, i, contiguous).unwrap();
            // Sizes differ by at most one.
            prop_assert!(s.num_rows() == n / k || s.num_rows() == n / k + 1);
            all.extend(ids(&s));
        }
        prop_assert_eq!(sorted(all.clone()), (0..n as i64).collect::<Vec<_>>());
        if contiguous {
            prop_assert_eq!(all, (0..n as i64).collect::<Vec<_>>());
        }
    }

    #[test]
    fn take_and_skip_split_the_rows(n in 0usize..200, k in 0usize..250) {
        let ds = shuffle::shuffle(&range_ds(n, 9), 1).unwrap();
        let mut both = ids(&select::take(&ds, k).unwrap());
        both.extend(ids(&select::skip(&ds, k).unwrap()));
        prop_assert_eq!(both, ids(&ds));
    }

    #[test]
    fn split_is_a_partition(n in 4usize..400, frac in 0.05f64..0.9, seed in any::<u64>(), shuffle in any::<bool>()) {
        let ds = range_ds(n, 23);
        let opts = SplitOptions { test_size: Some(Size::Fraction(frac)), seed, shuffle, ..Default::default() };
        let Ok(s) = train_test_split(&ds, &opts) else { return Ok(()) };
        let test_n = (frac * n as f64).ceil() as usize;
        prop_assert_eq!(s.test.num_rows(), test_n);
        prop_assert_eq!(s.train.num_rows(), n - test_n);
        let mut all = ids(&s.train);
        all.extend(ids(&s.test));
        prop_assert_eq!(sorted(all), (0..n as i64).collect::<Vec<_>>());
    }

    #[test]
    fn stratified_split_keeps_every_row_once(labels in prop::collection::vec(0i64..4, 20..200), seed in any::<u64>()) {
        let n = labels.len();
        let batch = RecordBatch::try_from_iter([
            ("i", Arc::new(Int64Array::from_iter_values(0..n as i64)) as ArrayRef),
            ("label", Arc::new(Int64Array::from(labels.clone())) as ArrayRef),
        ]).unwrap();
        let ds = Dataset::from_batches(batch.schema(), vec![batch]).unwrap();
        let opts = SplitOptions { test_size: Some(Size::Fraction(0.3)), seed, stratify_by_column: Some("label".into()), ..Default::default() };
        // Too few members of a class is a typed error, not a panic.
        let Ok(s) = train_test_split(&ds, &opts) else { return Ok(()) };
        let mut all = ids(&s.train);
        all.extend(ids(&s.test));
        prop_assert_eq!(s.test.num_rows(), (0.3 * n as f64).ceil() as usize);
        prop_assert_eq!(sorted(all), (0..n as i64).collect::<Vec<_>>());
    }
}
