//! Small driver over the storage layer for the Python round-trip tests
//! (datasets/tests/python/test_hf_roundtrip.py) and manual checks:
//!
//! ```text
//! storage_tool dump DIR            rows of a saved Dataset as JSON Lines (nulls kept)
//! storage_tool features DIR        its HF features JSON
//! storage_tool info DIR            splits, rows, shards, fingerprint
//! storage_tool resave SRC DST [--max-shard-bytes N] [--reverse]
//!                                  load_from_disk (Dataset or DatasetDict) then save_to_disk;
//!                                  --reverse saves through a reversed indices mapping
//! storage_tool bench-open DIR [N]  opens DIR N times (default 7) and reads its last row; prints
//!                                  JSON: median/min open time (ms), peak RSS (MB), rows
//! ```

use std::io::Write;
use std::process::ExitCode;

use tokenmill_datasets::dataset_dict::{load_from_disk, Saved};
use tokenmill_datasets::{Dataset, NoProgress, Result, WriteOptions};

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<()> {
    let usage = || {
        tokenmill_datasets::Error::Invalid(
            "usage: storage_tool dump|features|info DIR | resave SRC DST [--max-shard-bytes N] [--reverse]".into(),
        )
    };
    let cmd = args.first().ok_or_else(usage)?.as_str();
    let dir = args.get(1).ok_or_else(usage)?;
    match cmd {
        "dump" => dump(&Dataset::open(dir)?),
        "features" => {
            println!("{}", Dataset::open(dir)?.features()?.to_json().to_python_json());
            Ok(())
        }
        "info" => {
            let show = |name: &str, d: &Dataset| {
                println!("{name}\t{}\t{}\t{}", d.num_rows(), d.shards().len(), d.fingerprint())
            };
            match load_from_disk(dir)? {
                Saved::Dataset(d) => show("-", &d),
                Saved::Dict(dd) => dd.iter().for_each(|(n, d)| show(n, d)),
            }
            Ok(())
        }
        "resave" => {
            let dst = args.get(2).ok_or_else(usage)?;
            let mut opts = WriteOptions::default();
            let mut reverse = false;
            let mut rest = args[3..].iter();
            while let Some(a) = rest.next() {
                match a.as_str() {
                    "--max-shard-bytes" => {
                        opts.max_shard_bytes = rest.next().and_then(|n| n.parse().ok()).ok_or_else(usage)?;
                    }
                    "--reverse" => reverse = true,
                    _ => return Err(usage()),
                }
            }
            let prep = |d: &Dataset| -> Result<Dataset> {
                if reverse {
                    d.with_indices((0..d.num_rows() as u64).rev().collect::<Vec<_>>().into())
                } else {
                    Ok(d.clone())
                }
            };
            match load_from_disk(dir)? {
                Saved::Dataset(d) => prep(&d)?.save_to_disk(dst, &opts, &NoProgress),
                Saved::Dict(dd) => dd.map_splits(|_, d| prep(d))?.save_to_disk(dst, &opts, &NoProgress),
            }
        }
        "bench-open" => {
            let n: usize = args.get(2).map(|n| n.parse().map_err(|_| usage())).transpose()?.unwrap_or(7);
            bench_open(dir, n.max(1))
        }
        _ => Err(usage()),
    }
}

/// Times `Dataset::open` (+ reading the last row, to show the dataset is usable), fresh each time.
fn bench_open(dir: &str, n: usize) -> Result<()> {
    let mut times = Vec::with_capacity(n);
    let mut rows = 0;
    for _ in 0..n {
        let t = std::time::Instant::now();
        let ds = Dataset::open(dir)?;
        rows = ds.num_rows();
        if rows > 0 {
            ds.row(rows - 1)?;
        }
        times.push(t.elapsed().as_secs_f64() * 1e3);
        drop(ds);
    }
    times.sort_by(f64::total_cmp);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm_kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN);
    println!(
        "{{\"median_ms\": {:.3}, \"min_ms\": {:.3}, \"peak_rss_mb\": {:.1}, \"rows\": {rows}}}",
        times[n / 2],
        times[0],
        hwm_kb / 1024.0
    );
    Ok(())
}

fn dump(ds: &Dataset) -> Result<()> {
    let stdout = std::io::stdout();
    let mut w = arrow_json::WriterBuilder::new()
        .with_explicit_nulls(true)
        .build::<_, arrow_json::writer::LineDelimited>(stdout.lock());
    for b in ds.batches(1000) {
        w.write(&b?)?;
    }
    w.finish()?;
    w.into_inner().flush().map_err(|e| tokenmill_datasets::Error::io("<stdout>", e))
}
