//! Parses an input to Arrow record batches in memory and drops them (no shard is written): the
//! like-for-like peer of pyarrow's `read_json` / `read_csv` in benches/datasets_load.py.
//!
//! ```text
//! parse_only FORMAT FILE [--chunk-bytes N] [--repeat N]
//!     prints: rows, columns, and the median wall time (s) of N parses (default 1)
//! ```

use std::process::ExitCode;
use std::time::Instant;

use tokenmill_datasets::load::{source, Format, LoadOptions};
use tokenmill_datasets::Result;

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
    let usage =
        || tokenmill_datasets::Error::Invalid("usage: parse_only FORMAT FILE [--chunk-bytes N] [--repeat N]".into());
    let [format, file, rest @ ..] = &args[..] else { return Err(usage()) };
    let mut opts = LoadOptions::default();
    let mut repeat = 1usize;
    let mut it = rest.iter();
    while let Some(flag) = it.next() {
        let n: usize = it.next().and_then(|v| v.parse().ok()).ok_or_else(usage)?;
        match flag.as_str() {
            "--chunk-bytes" => opts.chunk_bytes = n,
            "--repeat" => repeat = n.max(1),
            _ => return Err(usage()),
        }
    }
    let format = Format::parse(format)?;
    let mut times = Vec::with_capacity(repeat);
    let (mut rows, mut cols) = (0usize, 0usize);
    for _ in 0..repeat {
        let t = Instant::now();
        let src = source(format, &[file.into()], &opts)?;
        cols = src.schema.fields().len();
        rows = 0;
        for b in src.batches {
            rows += b?.num_rows();
        }
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!("rows {rows} columns {cols} median_s {:.4}", times[times.len() / 2]);
    Ok(())
}
