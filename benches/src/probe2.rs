use tokenmill_tokenizers::builtin;
fn main() {
    let text = std::fs::read_to_string("/tmp/wiki1.txt").unwrap();
    let docs: Vec<&str> = text.lines().collect();
    let mode = std::env::args().nth(1).unwrap();
    let t = builtin("cl100k_base").unwrap();
    let m = t.model();
    let mut n = 0usize;
    match mode.as_str() {
        "load" => {}
        "split" => for d in &docs { t.splitter().for_each_match(d, |_, _| n += 1); },
        "lookup" => for d in &docs { t.splitter().for_each_match(d, |s, e| n += m.whole_piece_at(d.as_bytes(), s, e).unwrap_or(0) as usize); },
        _ => { let mut out = Vec::new(); for d in &docs { out.clear(); t.encode_ordinary_into(d, &mut out); n += out.len(); } }
    }
    println!("{n}");
}
