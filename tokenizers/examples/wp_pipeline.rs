//! Single-thread throughput of a whole `tokenizer.json` pipeline on the first N MB of a corpus
//! (one text a line): ids-only (`encode_ids`), HF's `encode_batch_fast`, the compact encoding
//! Python's `encode_batch` returns (`encode_batch_compact`: ids, char offsets and words, strings
//! and masks derived on reading) and the full Encoding (`encode_batch`, char offsets), so the
//! cost of tokens/offsets/masks shows as a ratio. MODE (5th argument): all, ids, fast, compact,
//! full, or ratio: ids and compact runs alternate (so a noisy machine slows both alike) and the
//! median of compact ÷ ids over the REPS pairs is printed.
//!
//!     cargo run --release -p tokenmill-tokenizers --example wp_pipeline -- TOKENIZER_JSON CORPUS [MB] [REPS]

use std::time::Instant;
use tokenmill_tokenizers::tokenizer::{HfTokenizer, OffsetType};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let mut tok = HfTokenizer::from_file(&a[1]).unwrap();
    // KEEP_TRUNC=1 keeps the file's truncation/padding (HF's compare.py does the same).
    if std::env::var("KEEP_TRUNC").is_err() {
        tok.with_truncation(None).unwrap();
        tok.with_padding(None);
    }
    let text = std::fs::read_to_string(&a[2]).unwrap();
    let mb: f64 = a.get(3).and_then(|s| s.parse().ok()).unwrap_or(8.0);
    let reps: usize = a.get(4).and_then(|s| s.parse().ok()).unwrap_or(3);
    let mut docs: Vec<&str> = Vec::new();
    let mut bytes = 0usize;
    for l in text.lines().filter(|l| !l.is_empty()) {
        if bytes as f64 >= mb * 1e6 {
            break;
        }
        bytes += l.len();
        docs.push(l);
    }
    let mbs = bytes as f64 / 1e6;
    let mode = a.get(5).map(String::as_str).unwrap_or("all");
    let best = |f: &dyn Fn() -> usize| {
        let mut b = f64::MAX;
        let mut n = 0;
        for _ in 0..reps {
            let t = Instant::now();
            n = f();
            b = b.min(t.elapsed().as_secs_f64());
        }
        (b, n)
    };
    // BYTE_OFFSETS=1: the compact runs keep byte offsets (shows what the char conversion costs).
    let offsets = if std::env::var("BYTE_OFFSETS").is_ok() { OffsetType::Byte } else { OffsetType::Char };
    let compact = || -> usize {
        let encs = tok.encode_batch_compact(&docs, true, offsets, 1).unwrap();
        encs.expect("settings allow the compact form").iter().map(|e| e.len()).sum()
    };
    if mode == "all" || mode == "ids" {
        let (t, n) = best(&|| tok.encode_ids_batch(&docs, 1).unwrap().iter().map(Vec::len).sum());
        println!("ids       {:8.1} MB/s  {n} tokens  {t:.3}s", mbs / t);
    }
    if mode == "all" || mode == "fast" {
        let (t, n) = best(&|| tok.encode_batch_fast(&docs, true, 1).unwrap().iter().map(|e| e.len()).sum());
        println!("fast      {:8.1} MB/s  {n} tokens  {t:.3}s", mbs / t);
    }
    if mode == "all" || mode == "compact" {
        let (t, n) = best(&compact);
        println!("compact   {:8.1} MB/s  {n} tokens  {t:.3}s", mbs / t);
    }
    if mode == "ratio" {
        let time = |f: &dyn Fn() -> usize| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64()
        };
        let ids = || -> usize { tok.encode_ids_batch(&docs, 1).unwrap().iter().map(Vec::len).sum() };
        let pairs: Vec<(f64, f64)> = (0..reps).map(|_| (time(&ids), time(&compact))).collect();
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let ratio = median(pairs.iter().map(|&(i, c)| c / i).collect());
        let (ids_t, compact_t) =
            (median(pairs.iter().map(|p| p.0).collect()), median(pairs.iter().map(|p| p.1).collect()));
        println!(
            "compact/ids median {ratio:.3} over {reps} pairs (median MB/s: ids {:.1}, compact {:.1})",
            mbs / ids_t,
            mbs / compact_t
        );
    }
    if mode == "all" || mode == "full" {
        let (t, n) =
            best(&|| tok.encode_batch(&docs, true, OffsetType::Char, 1).unwrap().iter().map(|e| e.len()).sum());
        println!("full      {:8.1} MB/s  {n} tokens  {t:.3}s", mbs / t);
    }
    println!("{} docs {mbs:.1} MB", docs.len());
}
