//! Bad input gives one `tokenmill: error:` line, exit code 1, and leaves no dataset behind.

mod common;

use common::*;

#[test]
fn missing_input_file() {
    let d = tmpdir("missing");
    let e = fails(&["tokenize", s(&d.join("nope.txt")), "--encoding", "cl100k_base", "--out", s(&d.join("out"))]);
    assert!(e.contains("nope.txt"), "{e}");
    assert!(!d.join("out").join("meta.json").exists());
    let e = fails(&["count", s(&d.join("nope.jsonl")), "--encoding", "cl100k_base"]);
    assert!(e.contains("nope.jsonl"), "{e}");
    let e = fails(&["encode", "--encoding", "cl100k_base", "--input", s(&d.join("nope.txt"))]);
    assert!(e.contains("nope.txt"), "{e}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn bad_json_names_the_line() {
    let d = tmpdir("badjson");
    let p = d.join("bad.jsonl");
    std::fs::write(&p, "{\"text\": \"ok\"}\n{\"text\": \"ok too\"}\n{\"text\": oops}\n{\"text\": \"fine\"}\n").unwrap();
    let e = fails(&["tokenize", s(&p), "--encoding", "cl100k_base", "--out", s(&d.join("out"))]);
    assert!(e.contains("bad.jsonl:3:"), "{e}");
    assert!(e.contains("invalid JSON"), "{e}");
    let e = fails(&["count", s(&p), "--encoding", "cl100k_base"]);
    assert!(e.contains(":3:"), "{e}");
    let e = fails(&["encode", "--encoding", "cl100k_base", "--input", s(&p)]);
    assert!(e.contains(":3:"), "{e}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn missing_or_non_string_field() {
    let d = tmpdir("field");
    let p = d.join("f.jsonl");
    std::fs::write(&p, "{\"text\": \"a\"}\n{\"body\": \"b\"}\n").unwrap();
    let e = fails(&["tokenize", s(&p), "--encoding", "cl100k_base", "--out", s(&d.join("out"))]);
    assert!(e.contains("f.jsonl:2:") && e.contains("missing field \"text\""), "{e}");
    std::fs::write(&p, "{\"text\": \"a\"}\n{\"text\": 5}\n").unwrap();
    let e = fails(&["tokenize", s(&p), "--encoding", "cl100k_base", "--out", s(&d.join("out"))]);
    assert!(e.contains("f.jsonl:2:") && e.contains("not a string"), "{e}");
    let e = fails(&["tokenize", s(&p), "--encoding", "cl100k_base", "--out", s(&d.join("out")), "--field", "body"]);
    assert!(e.contains("f.jsonl:1:") && e.contains("missing field \"body\""), "{e}");
    assert!(!d.join("out").join("meta.json").exists());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn invalid_utf8_names_file_and_line() {
    let d = tmpdir("utf8");
    let p = d.join("bin.txt");
    std::fs::write(&p, b"fine\nalso fine\nbad \xff\xfe here\n").unwrap();
    let e = fails(&["tokenize", s(&p), "--encoding", "cl100k_base", "--out", s(&d.join("out"))]);
    assert!(e.contains("bin.txt:3:") && e.contains("UTF-8"), "{e}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn unknown_encoding() {
    let d = tmpdir("enc");
    let p = d.join("a.txt");
    std::fs::write(&p, "x\n").unwrap();
    let e = fails(&["tokenize", s(&p), "--encoding", "cl999k", "--out", s(&d.join("out"))]);
    assert!(e.contains("cl999k") && e.contains("cl100k_base"), "{e}");
    fails(&["encode", "--encoding", "nope"]);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn invalid_tokenizer_file() {
    let d = tmpdir("badtok");
    let p = d.join("a.txt");
    std::fs::write(&p, "x\n").unwrap();
    let t = d.join("tokenizer.json");
    std::fs::write(&t, "{\"model\": {\"type\": \"BPE\", \"vocab\": 12}}").unwrap();
    let e = fails(&["tokenize", s(&p), "--tokenizer", s(&t), "--out", s(&d.join("out"))]);
    assert!(e.contains("tokenizer.json"), "{e}");
    std::fs::write(&t, "not json at all").unwrap();
    fails(&["count", s(&p), "--tokenizer", s(&t)]);
    fails(&["count", s(&p), "--tokenizer", s(&d.join("absent.json"))]);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["tokenize", "x.txt", "--out", "o"][..],
        &["tokenize", "x.txt", "--encoding", "cl100k_base"],
        &["encode", "--encoding", "a", "--tokenizer", "b"],
        &["frobnicate"],
    ] {
        let o = run(args, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn unsupported_extension() {
    let d = tmpdir("ext");
    let p = d.join("a.csv");
    std::fs::write(&p, "x\n").unwrap();
    let e = fails(&["tokenize", s(&p), "--encoding", "cl100k_base", "--out", s(&d.join("out"))]);
    assert!(e.contains("unsupported input type"), "{e}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn eot_missing_is_an_error() {
    let Some(data) = shared_data() else { return };
    let file = data.join("vocab/gpt2/tokenizer.json");
    let d = tmpdir("eotmissing");
    let p = d.join("a.txt");
    std::fs::write(&p, "x\n").unwrap();
    // gpt2's tokenizer.json has <|endoftext|>; the same file without added tokens has none.
    ok(&["tokenize", s(&p), "--tokenizer", s(&file), "--out", s(&d.join("o1")), "--append-eot"]);
    let mut json: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    json["added_tokens"] = serde_json::json!([]);
    let stripped = d.join("noeot.json");
    std::fs::write(&stripped, json.to_string()).unwrap();
    let e = fails(&["tokenize", s(&p), "--tokenizer", s(&stripped), "--out", s(&d.join("o2")), "--append-eot"]);
    assert!(e.contains("<|endoftext|>"), "{e}");
    let _ = std::fs::remove_dir_all(&d);
}

/// A run that fails after shards were written removes them and writes no meta.json.
#[test]
fn failed_run_leaves_nothing() {
    let d = tmpdir("cleanup");
    let good = d.join("good.txt");
    let lines: Vec<String> = (0..2000).map(|i| format!("line {i} of a perfectly good text file")).collect();
    std::fs::write(&good, lines.join("\n")).unwrap();
    let bad = d.join("bad.jsonl");
    std::fs::write(&bad, "{\"text\": \"ok\"}\n{\"text\": \"ok\"}\n{broken\n").unwrap();
    let out = d.join("out");
    let e =
        fails(&["tokenize", s(&good), s(&bad), "--encoding", "cl100k_base", "--out", s(&out), "--shard-tokens", "50"]);
    assert!(e.contains("bad.jsonl:3:"), "{e}");
    assert_eq!(listing(&out), Vec::<String>::new(), "no meta.json, no shards, no temp files");

    // The same with an existing dataset and --overwrite: the old one is gone, nothing valid remains.
    ok(&["tokenize", s(&good), "--encoding", "cl100k_base", "--out", s(&out)]);
    fails(&[
        "tokenize",
        s(&good),
        s(&bad),
        "--encoding",
        "cl100k_base",
        "--out",
        s(&out),
        "--overwrite",
        "--shard-tokens",
        "50",
    ]);
    assert_eq!(listing(&out), Vec::<String>::new());
    let _ = std::fs::remove_dir_all(&d);
}
