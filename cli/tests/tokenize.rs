//! `tokenmill tokenize`: shards read back equal the library's ids, per document.

mod common;

use common::*;
use std::sync::Arc;
use tokenmill_tokenizers::{builtin, Tokenizer};

const DOCS: &[&str] = &[
    "Hello, world! This is the first document.",
    "Ünïcödé — 日本語のテキスト, emoji 🎉🎉 and numbers 1234567.",
    "",
    "special text <|endoftext|> stays text in a corpus",
    "    indented   with  spaces\tand\ttabs   ",
    "last line",
];

fn lib(name: &str) -> Arc<Tokenizer> {
    builtin(name).unwrap()
}

fn expected(tok: &Tokenizer, docs: &[&str]) -> Vec<Vec<u32>> {
    docs.iter().map(|d| tok.encode_ordinary(d)).collect()
}

/// DOCS as a .txt: CRLF on one line, no newline at the end.
fn write_txt(dir: &std::path::Path) -> std::path::PathBuf {
    let mut text = String::new();
    for (i, d) in DOCS.iter().enumerate() {
        text.push_str(d);
        if i + 1 < DOCS.len() {
            text.push_str(if i == 1 { "\r\n" } else { "\n" });
        }
    }
    let p = dir.join("docs.txt");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn txt_matches_library() {
    let d = tmpdir("txt");
    let input = write_txt(&d);
    let out = d.join("out");
    let stdout = ok(&["tokenize", s(&input), "--encoding", "cl100k_base", "--out", s(&out)]);
    let want = expected(&lib("cl100k_base"), DOCS);
    assert_eq!(read_docs(&out), want);

    let total: usize = want.iter().map(Vec::len).sum();
    let size = std::fs::metadata(&input).unwrap().len();
    let line = stdout.trim_end();
    assert!(
        line.starts_with(&format!("tokenized {} documents, {size} bytes, {total} tokens in ", DOCS.len())),
        "{line}"
    );
    assert!(line.ends_with(" tokens/s") && line.contains(" MB/s, "), "{line}");

    let m = meta(&out);
    assert_eq!(m["format"], "tokenmill-shards");
    assert_eq!(m["version"], 1);
    assert_eq!(m["dtype"], "uint32");
    assert_eq!(m["vocab_size"], 100277);
    assert_eq!(m["eot_id"], serde_json::Value::Null);
    assert_eq!(m["tokenizer"]["name"], "cl100k_base");
    assert_eq!(m["tokenizer"]["kind"], "tiktoken");
    assert_eq!(m["totals"]["documents"], DOCS.len() as u64);
    assert_eq!(m["totals"]["tokens"], total as u64);
    assert_eq!(m["totals"]["bytes"], size);
    assert!(m["totals"]["seconds"].as_f64().unwrap() >= 0.0);
    assert_eq!(m["shards"].as_array().unwrap().len(), 1);
    assert_eq!(m["shards"][0]["file"], "shard-00000.bin");
    assert_eq!(m["shards"][0]["index"], "shard-00000.idx");
    assert_eq!(listing(&out), ["meta.json", "shard-00000.bin", "shard-00000.idx"]);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn jsonl_matches_library() {
    let d = tmpdir("jsonl");
    let input = d.join("docs.jsonl");
    let mut text = String::new();
    for (i, doc) in DOCS.iter().enumerate() {
        let rec = serde_json::json!({"id": i, "meta": {"nested": [1, 2, {"text": "not this"}]}, "body": doc});
        text.push_str(&rec.to_string());
        text.push('\n');
        if i == 2 {
            text.push_str("   \n"); // blank lines hold no record
        }
    }
    text.push_str("{\"body\": \"escaped \\\"quote\\\" \\u00e9 \\n newline\"}");
    std::fs::write(&input, text).unwrap();
    let out = d.join("out");
    ok(&["tokenize", s(&input), "--encoding", "cl100k_base", "--out", s(&out), "--field", "body", "--threads", "2"]);
    let mut docs: Vec<&str> = DOCS.to_vec();
    docs.push("escaped \"quote\" é \n newline");
    assert_eq!(read_docs(&out), expected(&lib("cl100k_base"), &docs));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn parquet_matches_library() {
    use arrow_array::{ArrayRef, Int64Array, LargeStringArray, RecordBatch, StringArray};
    use parquet::arrow::ArrowWriter;
    use parquet::basic::{Compression, ZstdLevel};
    use parquet::file::properties::WriterProperties;

    let d = tmpdir("parquet");
    let mut docs: Vec<String> = DOCS.iter().map(|s| s.to_string()).collect();
    for i in 0..300 {
        docs.push(format!("row {i}: the quick brown fox jumps over the lazy dog {}", "x".repeat(i % 17)));
    }
    for (codec, large) in [
        (Compression::ZSTD(ZstdLevel::default()), false),
        (Compression::SNAPPY, true),
        (Compression::UNCOMPRESSED, false),
    ] {
        let path = d.join(format!("docs-{codec:?}-{large}.parquet").replace(['(', ')', ' ', '{', '}', ':'], ""));
        let text: ArrayRef = if large {
            Arc::new(LargeStringArray::from_iter_values(docs.iter()))
        } else {
            Arc::new(StringArray::from_iter_values(docs.iter()))
        };
        let ids: ArrayRef = Arc::new(Int64Array::from_iter_values(0..docs.len() as i64));
        let batch = RecordBatch::try_from_iter([("id", ids), ("content", text)]).unwrap();
        let props = WriterProperties::builder().set_compression(codec).set_max_row_group_row_count(Some(100)).build();
        let mut w = ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), batch.schema(), Some(props)).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();

        let out = d.join("out");
        ok(&["tokenize", s(&path), "--encoding", "cl100k_base", "--out", s(&out), "--field", "content", "--overwrite"]);
        let refs: Vec<&str> = docs.iter().map(String::as_str).collect();
        assert_eq!(read_docs(&out), expected(&lib("cl100k_base"), &refs), "{codec:?}");
        assert_eq!(meta(&out)["totals"]["bytes"], std::fs::metadata(&path).unwrap().len());

        // A column that is not there, or not a string, is a clear error.
        let e = fails(&["tokenize", s(&path), "--encoding", "cl100k_base", "--out", s(&d.join("o2"))]);
        assert!(e.contains("no column \"text\"") && e.contains("content"), "{e}");
        let e = fails(&["tokenize", s(&path), "--encoding", "cl100k_base", "--out", s(&d.join("o2")), "--field", "id"]);
        assert!(e.contains("not a string"), "{e}");
    }

    // A null document is an error naming its row.
    let path = d.join("nulls.parquet");
    let text: ArrayRef = Arc::new(StringArray::from(vec![Some("a"), Some("b"), None, Some("d")]));
    let batch = RecordBatch::try_from_iter([("text", text)]).unwrap();
    let mut w = ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let e = fails(&["tokenize", s(&path), "--encoding", "cl100k_base", "--out", s(&d.join("o3"))]);
    assert!(e.contains("row 3") && e.contains("null"), "{e}");
    assert!(!d.join("o3").join("meta.json").exists());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn dtype_follows_vocab_size() {
    let d = tmpdir("dtype");
    let input = write_txt(&d);
    for (enc, dtype) in [("r50k_base", "uint16"), ("gpt2", "uint16"), ("p50k_base", "uint16"), ("o200k_base", "uint32")]
    {
        let out = d.join(enc);
        ok(&["tokenize", s(&input), "--encoding", enc, "--out", s(&out)]);
        let m = meta(&out);
        assert_eq!(m["dtype"], dtype, "{enc}");
        let width = if dtype == "uint16" { 2 } else { 4 };
        let want = expected(&lib(enc), DOCS);
        let n: usize = want.iter().map(Vec::len).sum();
        assert_eq!(std::fs::metadata(out.join("shard-00000.bin")).unwrap().len() as usize, n * width);
        assert_eq!(read_docs(&out), want, "{enc}");
    }
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn append_eot() {
    let d = tmpdir("eot");
    let input = write_txt(&d);
    for enc in ["cl100k_base", "r50k_base"] {
        let out = d.join(enc);
        ok(&["tokenize", s(&input), "--encoding", enc, "--out", s(&out), "--append-eot"]);
        let tok = lib(enc);
        let eot = tok.special_token_id("<|endoftext|>").unwrap();
        assert_eq!(meta(&out)["eot_id"], eot);
        let want: Vec<Vec<u32>> = DOCS
            .iter()
            .map(|d| {
                let mut v = tok.encode_ordinary(d);
                v.push(eot);
                v
            })
            .collect();
        assert_eq!(read_docs(&out), want);
    }
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn shard_rollover() {
    let d = tmpdir("rollover");
    let input = d.join("many.txt");
    let docs: Vec<String> =
        (0..50).map(|i| format!("document number {i} has {} words", "a few more ".repeat(i % 5))).collect();
    std::fs::write(&input, docs.join("\n") + "\n").unwrap();
    let out = d.join("out");
    ok(&["tokenize", s(&input), "--encoding", "cl100k_base", "--out", s(&out), "--shard-tokens", "40"]);
    let refs: Vec<&str> = docs.iter().map(String::as_str).collect();
    let want = expected(&lib("cl100k_base"), &refs);
    assert_eq!(read_docs(&out), want);
    let m = meta(&out);
    let shards = m["shards"].as_array().unwrap();
    assert!(shards.len() > 5, "{}", shards.len());
    for (i, sh) in shards.iter().enumerate() {
        assert_eq!(sh["file"], format!("shard-{i:05}.bin"));
        let t = sh["tokens"].as_u64().unwrap();
        if i + 1 < shards.len() {
            assert!(t >= 40, "a shard closes only once it reaches --shard-tokens");
        }
        // It closed at the first document that took it to the limit.
        let without_last = t - read_docs_in(&out, sh).last().unwrap().len() as u64;
        assert!(without_last < 40);
    }
    assert_eq!(m["totals"]["documents"], 50);
    let _ = std::fs::remove_dir_all(&d);
}

fn read_docs_in(dir: &std::path::Path, sh: &serde_json::Value) -> Vec<Vec<u32>> {
    let bin = std::fs::read(dir.join(sh["file"].as_str().unwrap())).unwrap();
    let idx = std::fs::read(dir.join(sh["index"].as_str().unwrap())).unwrap();
    let ids: Vec<u32> = bin.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect();
    let offs: Vec<usize> = idx.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().unwrap()) as usize).collect();
    offs.windows(2).map(|w| ids[w[0]..w[1]].to_vec()).collect()
}

#[test]
fn stdin_and_several_inputs() {
    let d = tmpdir("stdin");
    let txt = write_txt(&d);
    let out = d.join("out");
    let piped = "from stdin one\nfrom stdin two\r\n";
    let o = run(&["tokenize", s(&txt), "-", "--encoding", "cl100k_base", "--out", s(&out)], Some(piped.as_bytes()));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut docs = DOCS.to_vec();
    docs.extend(["from stdin one", "from stdin two"]);
    assert_eq!(read_docs(&out), expected(&lib("cl100k_base"), &docs));
    assert_eq!(meta(&out)["inputs"][1], "<stdin>");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn overwrite() {
    let d = tmpdir("overwrite");
    let txt = write_txt(&d);
    let out = d.join("out");
    ok(&["tokenize", s(&txt), "--encoding", "cl100k_base", "--out", s(&out), "--shard-tokens", "5"]);
    let before = listing(&out);
    assert!(before.len() > 3);
    let e = fails(&["tokenize", s(&txt), "--encoding", "cl100k_base", "--out", s(&out)]);
    assert!(e.contains("--overwrite"), "{e}");
    assert_eq!(listing(&out), before, "a refused run touches nothing");
    ok(&["tokenize", s(&txt), "--encoding", "cl100k_base", "--out", s(&out), "--overwrite"]);
    assert_eq!(listing(&out), ["meta.json", "shard-00000.bin", "shard-00000.idx"], "old shards are gone");
    assert_eq!(read_docs(&out), expected(&lib("cl100k_base"), DOCS));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn hf_tokenizer_file() {
    let Some(data) = shared_data() else { return };
    let d = tmpdir("hf");
    let txt = write_txt(&d);
    for name in ["gpt2", "cl100k-hf"] {
        let file = data.join("vocab").join(name).join("tokenizer.json");
        if !file.exists() {
            eprintln!("SKIP: {} not found", file.display());
            continue;
        }
        let tok = tokenmill_tokenizers::format::hf_json::from_file(&file).unwrap();
        let out = d.join(name);
        ok(&["tokenize", s(&txt), "--tokenizer", s(&file), "--out", s(&out)]);
        let want: Vec<Vec<u32>> = DOCS
            .iter()
            .map(|t| {
                let mut v = Vec::new();
                tok.encode_with_added(t, &mut v);
                v
            })
            .collect();
        assert_eq!(read_docs(&out), want, "{name}");
        let m = meta(&out);
        assert_eq!(m["tokenizer"]["kind"], "huggingface");
        assert_eq!(m["dtype"], if tok.n_vocab() <= 65536 { "uint16" } else { "uint32" });
    }
    let _ = std::fs::remove_dir_all(&d);
}

/// The README's job, on the samples shipped in data/samples.
#[test]
fn sample_corpora() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let wiki = root.join("data/samples/wiki.txt");
    let reviews = root.join("data/samples/reviews.jsonl");
    let d = tmpdir("samples");
    let out = d.join("tokens");
    ok(&["tokenize", s(&wiki), s(&reviews), "--encoding", "cl100k_base", "--out", s(&out)]);
    let m = meta(&out);
    let tok = lib("cl100k_base");
    let wiki_text = std::fs::read_to_string(&wiki).unwrap();
    let mut want: Vec<Vec<u32>> = wiki_text.lines().map(|l| tok.encode_ordinary(l)).collect();
    for l in std::fs::read_to_string(&reviews).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        want.push(tok.encode_ordinary(v["text"].as_str().unwrap()));
    }
    assert_eq!(m["totals"]["documents"], want.len() as u64);
    assert_eq!(read_docs(&out), want);
    let _ = std::fs::remove_dir_all(&d);
}
