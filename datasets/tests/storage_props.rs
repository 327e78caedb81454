//! Properties of the storage layer: reads through any shard/batch layout and any indices mapping
//! equal the naive answer; saving and reopening keeps every row; corrupt shards are errors, never
//! panics.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef, Int64Array, ListArray, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use proptest::prelude::*;
use tokenmill_datasets::{Dataset, NoProgress, Shard, WriteOptions};

fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, true),
        Field::new("text", DataType::Utf8, true),
        Field::new("list", DataType::List(Arc::new(Field::new("item", DataType::Int64, true))), true),
    ]))
}

fn batch(start: i64, n: i64) -> RecordBatch {
    let ids: Vec<i64> = (start..start + n).collect();
    let text: Vec<Option<String>> = ids.iter().map(|i| (i % 5 != 0).then(|| format!("r{i}"))).collect();
    let list = ListArray::from_iter_primitive::<Int64Type, _, _>(ids.iter().map(|&i| Some((0..i % 3).map(Some))));
    let cols: Vec<ArrayRef> = vec![Arc::new(Int64Array::from(ids)), Arc::new(StringArray::from(text)), Arc::new(list)];
    RecordBatch::try_new(schema(), cols).unwrap()
}

/// A dataset of rows 0..n laid out as `shards` (each a list of batch sizes).
fn layout(shards: &[Vec<i64>]) -> (Dataset, i64) {
    let mut next = 0;
    let mut out = Vec::new();
    for sizes in shards {
        let batches = sizes
            .iter()
            .map(|&n| {
                let b = batch(next, n);
                next += n;
                b
            })
            .collect();
        out.push(Arc::new(Shard::from_batches(schema(), batches).unwrap()));
    }
    (Dataset::from_shards(out, None, "test".into()).unwrap(), next)
}

fn ids(b: &RecordBatch) -> Vec<i64> {
    b.column(0).as_primitive::<Int64Type>().values().to_vec()
}

fn all_ids(ds: &Dataset, batch_size: usize) -> Vec<i64> {
    ds.batches(batch_size).flat_map(|b| ids(&b.unwrap())).collect()
}

fn shards_strategy() -> impl Strategy<Value = Vec<Vec<i64>>> {
    prop::collection::vec(prop::collection::vec(0i64..40, 0..5), 1..4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn reads_equal_naive(shards in shards_strategy(), bs in 1usize..50, raw in prop::collection::vec(any::<u64>(), 0..120), cut in any::<(u64, u64)>()) {
        let (ds, n) = layout(&shards);
        prop_assert_eq!(ds.num_rows() as i64, n);
        prop_assert_eq!(all_ids(&ds, bs), (0..n).collect::<Vec<_>>());
        if n == 0 {
            return Ok(());
        }
        // slice
        let start = (cut.0 % n as u64) as usize;
        let len = (cut.1 % (n as u64 - start as u64 + 1)) as usize;
        let s = ds.slice(start, len).unwrap();
        prop_assert_eq!(ids(&s), (start as i64..(start + len) as i64).collect::<Vec<_>>());
        // the other columns follow the ids
        let text = s.column(1).as_string::<i32>();
        for (k, id) in ids(&s).into_iter().enumerate() {
            prop_assert_eq!(text.is_null(k), id % 5 == 0);
        }
        // an indices mapping, then one on top of it
        let idx: Vec<u64> = raw.iter().map(|r| r % n as u64).collect();
        let view = ds.with_indices(idx.clone().into()).unwrap();
        prop_assert_eq!(all_ids(&view, bs), idx.iter().map(|&i| i as i64).collect::<Vec<_>>());
        if !idx.is_empty() {
            let second: Vec<u64> = raw.iter().rev().map(|r| r % idx.len() as u64).collect();
            let view2 = view.with_indices(second.clone().into()).unwrap();
            let expect: Vec<i64> = second.iter().map(|&j| idx[j as usize] as i64).collect();
            prop_assert_eq!(all_ids(&view2, bs), expect.clone());
            let last = expect.len() as u64 - 1;
            prop_assert_eq!(ids(&view2.take(&[last, 0, last]).unwrap()), vec![expect[last as usize], expect[0], expect[last as usize]]);
            let col = view2.column("list").unwrap();
            let list = col.as_list::<i32>();
            for (k, id) in expect.iter().enumerate() {
                prop_assert_eq!(list.value_length(k) as i64, id % 3);
            }
        }
    }

    #[test]
    fn save_open_keeps_rows(shards in shards_strategy(), max_shard in 2_000u64..20_000, rev in any::<bool>()) {
        let (ds, n) = layout(&shards);
        let ds = if rev { ds.with_indices((0..n as u64).rev().collect::<Vec<_>>().into()).unwrap() } else { ds };
        let dir = std::env::temp_dir().join(format!("tokenmill-props-{}-{}", std::process::id(), tokenmill_datasets::cache::random_fingerprint()));
        ds.save_to_disk(&dir, &WriteOptions { max_shard_bytes: max_shard, ..Default::default() }, &NoProgress).unwrap();
        let back = Dataset::open(&dir).unwrap();
        let expect: Vec<i64> = if rev { (0..n).rev().collect() } else { (0..n).collect() };
        prop_assert_eq!(all_ids(&back, 7), expect);
        for s in back.shards() {
            // a shard holds at least one batch and stays near the bound (one batch may overshoot)
            prop_assert!(s.byte_len() < max_shard + 8_000, "{} bytes", s.byte_len());
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// Every single-byte corruption of a shard either fails to open/decode with an error or decodes;
/// none panics.
#[test]
fn corrupt_bytes_never_panic() {
    let dir = std::env::temp_dir().join(format!("tokenmill-corrupt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut clean = Vec::new();
    {
        let mut w = arrow_ipc::writer::StreamWriter::try_new(&mut clean, &schema()).unwrap();
        w.write(&batch(0, 7)).unwrap();
        w.write(&batch(7, 3)).unwrap();
        w.finish().unwrap();
    }
    let path = dir.join("s.arrow");
    let mut errors = 0;
    for i in 0..clean.len() {
        for flip in [0xffu8, 0x80] {
            let mut bytes = clean.clone();
            bytes[i] ^= flip;
            std::fs::write(&path, &bytes).unwrap();
            match Shard::open(&path) {
                Err(_) => errors += 1,
                Ok(s) => {
                    for b in 0..s.num_batches() {
                        if s.batch(b).is_err() {
                            errors += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(errors > 0, "no corruption was detected at all");
    std::fs::remove_dir_all(&dir).unwrap();
}
