use std::time::Instant;
use tokenmill_tokenizers::builtin;
fn cpu() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap();
    let f: Vec<&str> = s.rsplit(')').next().unwrap().split_whitespace().collect();
    (f[13].parse::<f64>().unwrap() + f[14].parse::<f64>().unwrap()) / 100.0
}
fn main() {
    let text = std::fs::read_to_string("/tmp/wiki5.txt").unwrap();
    let docs: Vec<&str> = text.lines().collect();
    let name = std::env::args().nth(1).unwrap_or("cl100k_base".into());
    let t = builtin(&name).unwrap();
    t.encode_ordinary_batch(&docs, 2).unwrap();
    for threads in [1, 2, 1, 2] {
        let (c0, w0) = (cpu(), Instant::now());
        let out = t.encode_ordinary_batch(&docs, threads).unwrap();
        let (c1, w1) = (cpu(), w0.elapsed().as_secs_f64());
        println!("threads {threads}: wall {:.3}s cpu {:.3}s -> {:.1} MB/s wall, {:.1} MB/cpu-s ({})", w1, c1 - c0, text.len() as f64 / 1e6 / w1, text.len() as f64 / 1e6 / (c1 - c0), out.len());
    }
}
