//! Rust-level throughput of the BPE engine (no Python in the loop): MB/s and tokens/s of
//! `encode_ordinary_batch` on a corpus, single thread and all threads, median of N runs. Also the
//! pre-tokenizer alone, to see where the time goes.
//!
//!     cargo run --release --manifest-path benches/Cargo.toml -- [FILE] [MB] [RUNS]

use std::time::Instant;
use tokenmill_tokenizers::builtin;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let file = args.get(1).cloned().unwrap_or_else(|| "../shared/data/corpora/enwiki.txt".into());
    let mb: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let runs: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(5);
    let text = std::fs::read_to_string(&file).expect("corpus");
    let mut docs: Vec<&str> = Vec::new();
    let mut size = 0;
    for l in text.lines() {
        if size >= mb << 20 {
            break;
        }
        size += l.len() + 1;
        docs.push(l);
    }
    let bytes: usize = docs.iter().map(|d| d.len()).sum();
    println!("{file}: {} docs, {:.1} MB", docs.len(), bytes as f64 / 1e6);
    worst_cases();
    for name in ["r50k_base", "cl100k_base", "o200k_base"] {
        let t = builtin(name).unwrap();
        let split = median(
            (0..runs)
                .map(|_| {
                    let s = Instant::now();
                    let mut n = 0usize;
                    for d in &docs {
                        t.splitter().for_each_match(d, |_, _| n += 1);
                    }
                    std::hint::black_box(n);
                    s.elapsed().as_secs_f64()
                })
                .collect(),
        );
        for threads in [1usize, 0] {
            let mut tokens = 0;
            let secs = median(
                (0..runs)
                    .map(|_| {
                        let s = Instant::now();
                        let out = t.encode_ordinary_batch(&docs, threads).unwrap();
                        tokens = out.iter().map(|v| v.len()).sum::<usize>();
                        s.elapsed().as_secs_f64()
                    })
                    .collect(),
            );
            println!(
                "{name:12} threads={:<3} {:8.1} MB/s {:6.2} Mtok/s   (split alone {:7.1} MB/s)",
                if threads == 0 { "all".to_string() } else { threads.to_string() },
                bytes as f64 / secs / 1e6,
                tokens as f64 / secs / 1e6,
                bytes as f64 / split / 1e6
            );
        }
    }
}

/// Near-linear time on pathological inputs: the time for 1 MB over the time for 100 kB should be
/// about 10 (quadratic would be 100).
fn worst_cases() {
    let t = builtin("cl100k_base").unwrap();
    let cases: [(&str, fn(usize) -> String); 4] = [
        ("\"a\" * n", |n| "a".repeat(n)),
        ("\" \" * n", |n| " ".repeat(n)),
        ("printable, no spaces", |n| (0..n).map(|i| char::from(b'!' + ((i * 7919 + i / 3) % 94) as u8)).collect()),
        ("one emoji * n/4", |n| "🦀".repeat(n / 4)),
    ];
    println!("worst cases (cl100k_base): seconds for 100 kB and 1 MB, and their ratio (10 = linear)");
    for (label, make) in cases {
        let time = |n: usize| {
            let text = make(n);
            median((0..3).map(|_| {
                let s = Instant::now();
                std::hint::black_box(t.encode_ordinary(&text));
                s.elapsed().as_secs_f64()
            }).collect())
        };
        let (small, big) = (time(100_000), time(1_000_000));
        println!("  {label:24} {small:8.4} s {big:8.4} s  ratio {:5.1}", big / small);
    }
}
