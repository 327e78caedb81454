//! Progress reporting: every long operation (load, map, tokenize, save, flatten_indices) opens with
//! `start`, reports work with `advance` (from worker threads too) and closes with `finish`; where it
//! announces a total of rows, the advances add up to it.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tokenmill_datasets::load::{load_dataset, DataFiles, Format};
use tokenmill_datasets::ops::map::{map, MapOptions};
use tokenmill_datasets::ops::{shuffle, DataOpOptions};
use tokenmill_datasets::tokenize::{tokenize, TextTokenizer, TokenizeOptions};
use tokenmill_datasets::{Progress, WriteOptions};

#[derive(Debug, Clone, PartialEq)]
enum Event {
    Start(String, Option<u64>),
    Advance(u64),
    Finish,
}

#[derive(Default)]
struct Recorder(Mutex<Vec<Event>>);

impl Progress for Recorder {
    fn start(&self, desc: &str, total: Option<u64>) {
        self.0.lock().unwrap().push(Event::Start(desc.to_string(), total));
    }
    fn advance(&self, n: u64) {
        self.0.lock().unwrap().push(Event::Advance(n));
    }
    fn finish(&self) {
        self.0.lock().unwrap().push(Event::Finish);
    }
}

impl Recorder {
    /// The operations seen: (description, announced total, sum of advances); checks that every
    /// start is closed by a finish before the next one opens.
    fn operations(&self) -> Vec<(String, Option<u64>, u64)> {
        let mut ops: Vec<(String, Option<u64>, u64)> = Vec::new();
        let mut open = false;
        for e in self.0.lock().unwrap().iter() {
            match e {
                Event::Start(d, t) => {
                    assert!(!open, "{d} started inside another operation");
                    open = true;
                    ops.push((d.clone(), *t, 0));
                }
                Event::Advance(n) => {
                    assert!(open, "advance outside an operation");
                    ops.last_mut().unwrap().2 += n;
                }
                Event::Finish => {
                    assert!(open, "finish without start");
                    open = false;
                }
            }
        }
        assert!(!open, "the last operation never finished");
        ops
    }
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tokenmill-progress-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn sample(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/samples/datasets").join(name).to_string_lossy().into_owned()
}

#[test]
fn long_operations_report_start_advances_and_finish() {
    let dir = tmp("ops");
    let p = Recorder::default();
    let files = DataFiles::one(sample("tiny_aclImdb_v1.tar.gz"));
    let dict = load_dataset(Some(Format::Imdb), &files, &Default::default(), Some(&dir.join("imdb")), &p).unwrap();
    let train = dict.split("train").unwrap().clone();
    let n = train.num_rows() as u64;
    assert!(n > 0);
    let loaded = p.operations();
    let rows: u64 = dict.iter().map(|(_, d)| d.num_rows() as u64).sum();
    assert_eq!(loaded.iter().map(|op| op.2).sum::<u64>(), rows, "load: {loaded:?}");
    for (desc, total, done) in &loaded {
        assert!(total.is_none_or(|t| t == *done), "{desc}: announced {total:?}, did {done}");
    }

    let p = Recorder::default();
    let opts = MapOptions {
        data: DataOpOptions { out_dir: Some(dir.join("mapped")), batch_size: 1, threads: 2, ..Default::default() },
        ..Default::default()
    };
    map(&train, Ok, &opts, &p).unwrap();
    let ops = p.operations();
    assert!(ops.iter().any(|(_, total, done)| *total == Some(n) && *done == n), "map: {ops:?}");

    let p = Recorder::default();
    let gpt2: TextTokenizer = tokenmill_tokenizers::builtin("gpt2").unwrap().into();
    let topts = TokenizeOptions { batch_size: 1, ..Default::default() };
    tokenize(&train, &gpt2, &topts, Some(&dir.join("tok")), &p).unwrap();
    let ops = p.operations();
    assert!(ops.iter().any(|(_, total, done)| *total == Some(n) && *done == n), "tokenize: {ops:?}");

    let p = Recorder::default();
    let shuffled = shuffle::shuffle(&train, 1).unwrap();
    shuffled.save_to_disk(dir.join("saved"), &WriteOptions::default(), &p).unwrap();
    let ops = p.operations();
    assert!(ops.iter().any(|(_, total, done)| *total == Some(n) && *done == n), "save_to_disk: {ops:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
