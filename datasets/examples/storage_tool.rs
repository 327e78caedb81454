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
        _ => Err(usage()),
    }
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
