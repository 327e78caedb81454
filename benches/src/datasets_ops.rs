//! Timing driver for benches/datasets_ops.py: runs one tokenmill-datasets operation on a saved
//! dataset and prints the wall times as JSON (the script runs HF datasets on the same directory).
//!
//!     datasets_ops tokenize DIR ENCODING THREADS RUNS OUT_DIR
//!     datasets_ops iterate DIR SEED RUNS BATCH

use std::time::Instant;

use arrow_array::Array;
use tokenmill_datasets::ops::shuffle::shuffle;
use tokenmill_datasets::tokenize::{tokenize, TokenizeOptions};
use tokenmill_datasets::{Dataset, NoProgress};

fn arg(args: &[String], i: usize, what: &str) -> String {
    args.get(i).cloned().unwrap_or_else(|| {
        eprintln!("missing {what}; usage: datasets_ops tokenize DIR ENCODING THREADS RUNS OUT_DIR | iterate DIR SEED RUNS BATCH");
        std::process::exit(2)
    })
}

fn num(s: &str, what: &str) -> u64 {
    s.parse().unwrap_or_else(|_| {
        eprintln!("{what}: not a number: {s}");
        std::process::exit(2)
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let cmd = arg(&args, 1, "command");
    let ds = Dataset::open(arg(&args, 2, "DIR"))?;
    match cmd.as_str() {
        "tokenize" => {
            let tok = tokenmill_tokenizers::builtin(&arg(&args, 3, "ENCODING"))?;
            let threads = num(&arg(&args, 4, "THREADS"), "THREADS") as usize;
            let runs = num(&arg(&args, 5, "RUNS"), "RUNS");
            let out = std::path::PathBuf::from(arg(&args, 6, "OUT_DIR"));
            let opts = TokenizeOptions { threads, batch_size: 1000, ..Default::default() };
            let mut secs = Vec::new();
            let mut tokens = 0usize;
            for _ in 0..runs {
                let _ = std::fs::remove_dir_all(&out);
                let t = Instant::now();
                let done = tokenize(&ds, &tok, &opts, Some(&out), &NoProgress)?;
                secs.push(t.elapsed().as_secs_f64());
                let ids = done.column("input_ids")?;
                tokens = ids.to_data().child_data()[0].len();
            }
            println!("{}", serde_json_line(&[("seconds", format!("{secs:?}")), ("rows", ds.num_rows().to_string()), ("tokens", tokens.to_string())]));
        }
        "iterate" => {
            let seed = num(&arg(&args, 3, "SEED"), "SEED");
            let runs = num(&arg(&args, 4, "RUNS"), "RUNS");
            let batch = num(&arg(&args, 5, "BATCH"), "BATCH") as usize;
            let shuffled = shuffle(&ds, seed)?;
            let walk = |d: &Dataset| -> Result<f64, Box<dyn std::error::Error>> {
                let t = Instant::now();
                let (mut rows, mut chars) = (0, 0usize);
                for b in d.batches(batch) {
                    let b = b?;
                    rows += b.num_rows();
                    chars += count_chars(b.column_by_name("text").ok_or("no text column")?.as_ref());
                }
                assert_eq!(rows, d.num_rows());
                std::hint::black_box(chars);
                Ok(t.elapsed().as_secs_f64())
            };
            let (mut c, mut s) = (Vec::new(), Vec::new());
            for _ in 0..runs {
                c.push(walk(&ds)?);
                s.push(walk(&shuffled)?);
            }
            println!("{}", serde_json_line(&[("contiguous", format!("{c:?}")), ("shuffled", format!("{s:?}")), ("rows", ds.num_rows().to_string())]));
        }
        other => {
            eprintln!("unknown command {other}");
            std::process::exit(2)
        }
    }
    Ok(())
}

/// UTF-8 chars of a string column: every byte of every value is read, so iteration cannot skip
/// the data (pyarrow's `utf8_length` on the HF side does the same work).
fn count_chars(col: &dyn Array) -> usize {
    let s = col.as_any().downcast_ref::<arrow_array::StringArray>().expect("text is a string column");
    let offs = s.value_offsets();
    let bytes = &s.value_data()[offs[0] as usize..offs[s.len()] as usize];
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

/// `{"k": v, ...}` from values that are already JSON (numbers and arrays of numbers).
fn serde_json_line(kv: &[(&str, String)]) -> String {
    let body: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
    format!("{{{}}}", body.join(", "))
}
