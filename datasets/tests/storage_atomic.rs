//! Crash safety of save_to_disk: a process killed in the middle of writing a dataset over an
//! existing one leaves the old dataset loadable and unchanged, and nothing it left behind loads as
//! a valid dataset.
//!
//! The writer is this test binary itself, re-run with `--ignored --exact child_slow_save` and the
//! target in an environment variable; its source yields batches slowly so the parent can kill it
//! once shards are on disk.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use tokenmill_datasets::{BatchSource, Dataset, NoProgress, WriteOptions};

const TARGET_ENV: &str = "TOKENMILL_TEST_KILL_TARGET";

fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false), Field::new("text", DataType::Utf8, false)]))
}

fn batch(start: i64, n: i64) -> RecordBatch {
    let ids: Vec<i64> = (start..start + n).collect();
    let text: Vec<String> = ids.iter().map(|i| format!("row {i} {}", "x".repeat(200))).collect();
    RecordBatch::try_new(schema(), vec![Arc::new(Int64Array::from(ids)), Arc::new(StringArray::from(text))]).unwrap()
}

/// Run by the parent only: writes 10,000 batches with a pause between them (minutes in total),
/// in small shards.
#[test]
#[ignore]
fn child_slow_save() {
    let Some(target) = std::env::var_os(TARGET_ENV) else { return };
    let slow = (0..10_000).map(|i| {
        std::thread::sleep(Duration::from_millis(20));
        Ok(batch(1_000_000 + i * 100, 100))
    });
    let opts = WriteOptions { max_shard_bytes: 50_000, ..Default::default() };
    Dataset::from_source(BatchSource::new(schema(), slow), PathBuf::from(target), &opts, &NoProgress).unwrap();
}

fn finished_shards_in_temp_dirs(parent: &Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(parent).unwrap() {
        let p = e.unwrap().path();
        if p.file_name().unwrap().to_string_lossy().contains(".tmp-") && p.is_dir() {
            // shards keep temporary names until the end: all but the one being written are closed
            n += std::fs::read_dir(&p).unwrap().count().saturating_sub(1);
        }
    }
    n
}

#[test]
fn killed_save_leaves_old_dataset_intact() {
    let parent = std::env::temp_dir().join(format!("tokenmill-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&parent);
    std::fs::create_dir_all(&parent).unwrap();
    let target = parent.join("ds");
    let old = Dataset::from_batches(schema(), vec![batch(0, 50)]).unwrap();
    old.save_to_disk(&target, &WriteOptions::default(), &NoProgress).unwrap();

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "child_slow_save", "--nocapture", "--test-threads=1"])
        .env(TARGET_ENV, &target)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while finished_shards_in_temp_dirs(&parent) < 3 {
        assert!(Instant::now() < deadline, "child wrote no shards in time");
        assert!(child.try_wait().unwrap().is_none(), "child exited before it was killed");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    // the old dataset is still there, whole
    let back = Dataset::open(&target).unwrap();
    assert_eq!(back.num_rows(), 50);
    let ids = back.column("id").unwrap();
    assert_eq!(ids.as_primitive::<Int64Type>().values().to_vec(), (0..50).collect::<Vec<_>>());
    // what the child left does not load, neither as a dataset nor shard by shard under final names
    for e in std::fs::read_dir(&parent).unwrap() {
        let p = e.unwrap().path();
        if p != target {
            assert!(Dataset::open(&p).is_err(), "{} loads as a dataset", p.display());
            for f in std::fs::read_dir(&p).unwrap() {
                let name = f.unwrap().file_name().to_string_lossy().into_owned();
                assert!(!name.starts_with("data-"), "{name} has a final shard name");
            }
        }
    }
    // the next save over the target removes what the dead writer left
    let leftovers = || std::fs::read_dir(&parent).unwrap().filter(|e| e.as_ref().unwrap().path() != target).count();
    assert!(leftovers() > 0);
    old.save_to_disk(&target, &WriteOptions::default(), &NoProgress).unwrap();
    assert_eq!(leftovers(), 0);
    std::fs::remove_dir_all(&parent).unwrap();
}

#[test]
fn truncated_shard_does_not_load() {
    let dir = std::env::temp_dir().join(format!("tokenmill-trunc-{}", std::process::id()));
    let ds = Dataset::from_batches(schema(), vec![batch(0, 500), batch(500, 500)]).unwrap();
    ds.save_to_disk(&dir, &WriteOptions { max_shard_bytes: 60_000, ..Default::default() }, &NoProgress).unwrap();
    let shard = dir.join(Dataset::open(&dir).unwrap().data_files()[1].file_name().unwrap());
    let bytes = std::fs::read(&shard).unwrap();
    std::fs::write(&shard, &bytes[..bytes.len() - 8]).unwrap(); // drop the end-of-stream marker
    match Dataset::open(&dir) {
        Err(tokenmill_datasets::Error::CorruptShard { path, .. }) => assert_eq!(path, shard),
        other => panic!("expected CorruptShard, got {other:?}"),
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
