use tokenmill_tokenizers::builtin;
fn cpu() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap();
    let f: Vec<&str> = s.rsplit(')').next().unwrap().split_whitespace().collect();
    (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / 100.0
}
fn main() {
    let text = std::fs::read_to_string("/tmp/wiki5.txt").unwrap();
    let docs: Vec<&str> = text.lines().collect();
    let name = std::env::args().nth(1).unwrap_or("cl100k_base".into());
    let t = builtin(&name).unwrap();
    let m = t.model();
    println!("probe {:?}", m.probe_stats());
    let mb = 4.0 * text.len() as f64 / 1e6;
    let mut n = 0;
    let c0 = cpu();
    for _ in 0..4 { for d in &docs { n += t.encode_ordinary(d).len(); } }
    let c1 = cpu();
    for _ in 0..4 { for d in &docs { t.splitter().for_each_match(d, |_, _| n += 1); } }
    let c2 = cpu();
    for _ in 0..4 { for d in &docs { t.splitter().for_each_match(d, |s, e| n += m.whole_piece(&d.as_bytes()[s..e]).unwrap_or(0) as usize); } }
    let c3 = cpu();
    let mut out = Vec::new();
    for _ in 0..4 { for d in &docs { out.clear(); t.encode_ordinary_into(d, &mut out); n += out.len(); } }
    let c4 = cpu();
    println!("{name}: encode {:.1} | split {:.1} | split+lookup {:.1} | encode reuse-vec {:.1} MB/cpu-s ({n})", mb / (c1 - c0), mb / (c2 - c1), mb / (c3 - c2), mb / (c4 - c3));
}
