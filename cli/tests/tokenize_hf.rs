//! `tokenmill tokenize --tokenizer` with non-byte-level tokenizer.json files: the shards hold, per
//! document, the ids Hugging Face tokenizers 0.23.3 gives with `add_special_tokens=False` and no
//! truncation or padding (the minilm file ships with both; corpus tokenization ignores them),
//! taken from the pipeline parity fixtures of tokenmill-tokenizers.

mod common;
use common::*;

/// (text, HF ids without special tokens) for the single-line texts of a fixture case.
fn expected(case: &str) -> Vec<(String, Vec<u32>)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tokenizers/tests/fixtures/pipeline/");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{path}{case}.json")).unwrap()).unwrap();
    v["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["special"] == false && r.get("b").is_none() && r.get("enc").is_some())
        .filter_map(|r| {
            let t = r["a"].as_str()?;
            // One document per line: texts holding line breaks (or blank) cannot be a line.
            let single = !t.trim().is_empty() && !t.contains(['\n', '\r']);
            single.then(|| (t.to_string(), serde_json::from_value(r["enc"]["ids"].clone()).unwrap()))
        })
        .collect()
}

#[test]
fn wordpiece_and_unigram_files() {
    let Some(data) = shared_data() else { return };
    let d = tmpdir("hf-any");
    for (case, file) in [
        ("minilm-nopad", "vocab/minilm-l6-uncased/tokenizer.json"),
        ("sp-botchan_en_unigram_1000", "vocab/sentencepiece/botchan_en_unigram_1000.tokenizer.json"),
    ] {
        let file = data.join(file);
        let docs = expected(case);
        assert!(docs.len() > 20, "{case}: too few single-line texts");
        let txt = d.join(format!("{case}.txt"));
        let body: String = docs.iter().map(|(t, _)| format!("{t}\n")).collect();
        std::fs::write(&txt, body).unwrap();
        let out = d.join(case);
        ok(&["tokenize", s(&txt), "--tokenizer", s(&file), "--out", s(&out)]);
        let got = read_docs(&out);
        let want: Vec<Vec<u32>> = docs.into_iter().map(|(_, ids)| ids).collect();
        assert_eq!(got, want, "{case}");
        let m = meta(&out);
        assert_eq!(m["tokenizer"]["kind"], "huggingface");
        assert_eq!(m["dtype"], "uint16");
    }
    let _ = std::fs::remove_dir_all(&d);
}
