//! Unigram (SentencePiece tokenizer.json) throughput, single thread: `ids` runs `encode_ids_into`,
//! `full` runs `encode_batch` with char offsets, `fast` runs `encode_batch_fast`.
//!
//!     unigram MODE TOKENIZER_JSON TEXT_FILE [REPS]
//!
//! Prints MB/s of input text and the token count (to compare with peers on the same lines).
use std::time::Instant;
use tokenmill_tokenizers::{HfTokenizer, OffsetType};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let mode = a[1].as_str();
    let t = HfTokenizer::from_file(&a[2]).unwrap();
    let text = std::fs::read_to_string(&a[3]).unwrap();
    let docs: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    let reps: usize = a.get(4).and_then(|s| s.parse().ok()).unwrap_or(3);
    let bytes: usize = docs.iter().map(|d| d.len()).sum();
    let mut best = f64::MAX;
    let mut n = 0usize;
    for _ in 0..reps {
        let t0 = Instant::now();
        n = 0;
        match mode {
            "ids" => {
                let mut out = Vec::new();
                for d in &docs {
                    out.clear();
                    t.encode_ids_into(d, &mut out).unwrap();
                    n += out.len();
                }
            }
            "full" => n = t.encode_batch(&docs, false, OffsetType::Char, 1).unwrap().iter().map(|e| e.len()).sum(),
            _ => n = t.encode_batch_fast(&docs, false, 1).unwrap().iter().map(|e| e.len()).sum(),
        }
        best = best.min(t0.elapsed().as_secs_f64());
    }
    println!("{mode} tokens={n} bytes={bytes} secs={best:.4} MB/s={:.2}", bytes as f64 / best / 1e6);
}
