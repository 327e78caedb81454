//! `encode`, `decode` and `count` through the binary agree with the library.

mod common;

use common::*;
use tokenmill_tokenizers::builtin;

const LINES: &[&str] = &["Hello world", "", "Ünïcödé 日本語 🎉", "<|endoftext|> is text here", "  spaces  \ttab"];

#[test]
fn encode_matches_library_and_round_trips() {
    let d = tmpdir("roundtrip");
    let p = d.join("in.txt");
    std::fs::write(&p, LINES.join("\n") + "\n").unwrap();
    for enc in ["cl100k_base", "o200k_base", "r50k_base"] {
        let tok = builtin(enc).unwrap();
        let encoded = ok(&["encode", "--encoding", enc, "--input", s(&p)]);
        let got: Vec<Vec<u32>> = encoded.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let want: Vec<Vec<u32>> = LINES.iter().map(|l| tok.encode_ordinary(l)).collect();
        assert_eq!(got, want, "{enc}");

        // stdin by default, and back again.
        let o = run(&["encode", "--encoding", enc], Some((LINES.join("\n") + "\n").as_bytes()));
        assert_eq!(String::from_utf8(o.stdout).unwrap(), encoded);
        let ids = d.join(format!("{enc}.ids"));
        std::fs::write(&ids, &encoded).unwrap();
        let text = ok(&["decode", "--encoding", enc, "--input", s(&ids)]);
        assert_eq!(text, LINES.join("\n") + "\n");
        let json = ok(&["decode", "--encoding", enc, "--input", s(&ids), "--json"]);
        let back: Vec<String> = json.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(back, LINES);
    }
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn encode_jsonl_field() {
    let d = tmpdir("encjsonl");
    let p = d.join("in.jsonl");
    std::fs::write(&p, "{\"t\": \"a\\nb\"}\n{\"t\": \"c\"}\n").unwrap();
    let out = ok(&["encode", "--encoding", "cl100k_base", "--input", s(&p), "--field", "t"]);
    let tok = builtin("cl100k_base").unwrap();
    assert_eq!(out, format!("{:?}\n{:?}\n", tok.encode_ordinary("a\nb"), tok.encode_ordinary("c")).replace(' ', ""));
    // Decoding keeps the newline inside a JSON string.
    let o = run(&["decode", "--encoding", "cl100k_base", "--json"], Some(out.as_bytes()));
    assert_eq!(String::from_utf8(o.stdout).unwrap(), "\"a\\nb\"\n\"c\"\n");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn decode_errors_and_replacement() {
    let o = run(&["decode", "--encoding", "cl100k_base"], Some(b"[9906]\n[1, 2]\n[999999999]\n"));
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.starts_with("tokenmill: error: <stdin>:3:") && e.contains("999999999"), "{e}");
    let o = run(&["decode", "--encoding", "cl100k_base"], Some(b"[9906]\nnot json\n"));
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("<stdin>:2:"));
    // A lone byte of a multi-byte character decodes to U+FFFD.
    let tok = builtin("cl100k_base").unwrap();
    let ids = tok.encode_ordinary("🎉");
    assert!(ids.len() > 1);
    let o = run(&["decode", "--encoding", "cl100k_base"], Some(format!("[{}]\n", ids[0]).as_bytes()));
    assert!(o.status.success());
    assert!(String::from_utf8(o.stdout).unwrap().contains('\u{FFFD}'));
}

#[test]
fn count_equals_library() {
    let d = tmpdir("count");
    let txt = d.join("a.txt");
    let lines: Vec<String> = (0..500).map(|i| format!("line {i}: {}", "lorem ipsum dolor ".repeat(i % 9))).collect();
    std::fs::write(&txt, lines.join("\n")).unwrap();
    let jsonl = d.join("b.jsonl");
    let recs: Vec<String> = lines.iter().take(100).map(|l| serde_json::json!({ "text": l }).to_string()).collect();
    std::fs::write(&jsonl, recs.join("\n") + "\n").unwrap();
    let tok = builtin("cl100k_base").unwrap();
    let a: usize = lines.iter().map(|l| tok.encode_ordinary(l).len()).sum();
    let b: usize = lines.iter().take(100).map(|l| tok.encode_ordinary(l).len()).sum();
    let out = ok(&["count", s(&txt), s(&jsonl), "--encoding", "cl100k_base", "--threads", "2"]);
    let rows: Vec<Vec<&str>> = out.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 3, "{out}");
    assert_eq!(rows[0], [s(&txt), "500", &a.to_string()]);
    assert_eq!(rows[1], [s(&jsonl), "100", &b.to_string()]);
    assert_eq!(rows[2], ["total", "600", &(a + b).to_string()]);
    let _ = std::fs::remove_dir_all(&d);
}
