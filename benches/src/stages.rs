//! Cost of each encoding stage, for profilers: run one stage over a corpus and nothing else, then
//! subtract. `load` only loads; `split` adds pre-tokenization; `lookup` adds the whole-piece
//! vocabulary lookup; `encode` is the full path (merges and cache included).
//!
//!     cargo build --release --manifest-path benches/Cargo.toml
//!     perf stat -e task-clock benches/target/release/stages encode FILE cl100k_base 1
//!     valgrind --tool=callgrind benches/target/release/stages lookup FILE
//!
//! Arguments: STAGE FILE [ENCODING] [REPETITIONS].

use tokenmill_tokenizers::builtin;
fn main() {
    let file = std::env::args().nth(2).expect("usage: stages STAGE FILE [ENCODING] [REPS]");
    let text = std::fs::read_to_string(&file).unwrap();
    let docs: Vec<&str> = text.lines().collect();
    let mode = std::env::args().nth(1).unwrap();
    let name = std::env::args().nth(3).unwrap_or("cl100k_base".into());
    let reps: usize = std::env::args().nth(4).and_then(|s| s.parse().ok()).unwrap_or(1);
    let t = builtin(&name).unwrap();
    let m = t.model();
    let mut n = 0usize;
    for _ in 0..reps {
    match mode.as_str() {
        "load" => {}
        "split" => for d in &docs { t.splitter().for_each_match(d, |_, _| n += 1); },
        "lookup" => for d in &docs { t.splitter().for_each_match(d, |s, e| n += m.whole_piece_at(d.as_bytes(), s, e).unwrap_or(0) as usize); },
        _ => { let mut out = Vec::new(); for d in &docs { out.clear(); t.encode_ordinary_into(d, &mut out); n += out.len(); } }
    }
    }
    println!("{n}");
}
