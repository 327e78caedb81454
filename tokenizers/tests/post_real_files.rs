//! The post-processor, decoder, truncation and padding sections of the real `tokenizer.json` files
//! in ../shared/data load into our types and serialize back to the same JSON (skips, with a
//! message, when the data is absent; TOKENMILL_DATA points elsewhere, e.g. from a git worktree).

use std::path::PathBuf;

use serde_json::Value;
use tokenmill_tokenizers::decoder::{Decode, Decoder};
use tokenmill_tokenizers::padding::PaddingParams;
use tokenmill_tokenizers::postprocessor::{PostProcess, PostProcessor};
use tokenmill_tokenizers::truncation::TruncationParams;

fn data() -> Option<PathBuf> {
    let dir = std::env::var_os("TOKENMILL_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data")));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: {} not found (set TOKENMILL_DATA to the shared data dir)", dir.display());
        None
    }
}

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(file: &str, key: &str, v: &Value) -> Option<T> {
    if v.is_null() {
        return None;
    }
    let parsed: T = serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{file} {key}: {e}"));
    let mut back = serde_json::to_value(&parsed).unwrap();
    // Older files omit the truncation direction; we write HF's current shape.
    if key == "truncation" && v.get("direction").is_none() {
        back.as_object_mut().unwrap().remove("direction");
    }
    assert_eq!(&back, v, "{file} {key}");
    Some(parsed)
}

#[test]
fn real_files_round_trip() {
    let Some(dir) = data() else { return };
    let files = [
        "vocab/minilm-l6-uncased/tokenizer.json",
        "vocab/gpt2/tokenizer.json",
        "vocab/cl100k-hf/tokenizer.json",
        "vocab/sentencepiece/botchan_en_unigram_1000.tokenizer.json",
        "vocab/sentencepiece/kyoto_ja_unigram_8000.tokenizer.json",
    ];
    for file in files {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let json: Value = serde_json::from_str(&text).unwrap();
        let post: Option<PostProcessor> = round_trip(file, "post_processor", &json["post_processor"]);
        let decoder: Option<Decoder> = round_trip(file, "decoder", &json["decoder"]);
        let trunc: Option<TruncationParams> = round_trip(file, "truncation", &json["truncation"]);
        let pad: Option<PaddingParams> = round_trip(file, "padding", &json["padding"]);
        if file.contains("minilm") {
            let post = post.unwrap();
            assert_eq!((post.added_tokens(false), post.added_tokens(true)), (2, 3));
            assert_eq!(trunc.unwrap().max_length, 128);
            assert_eq!(pad.unwrap().pad_token, "[PAD]");
            let words = ["[CLS]", "hello", "##world", ",", "it", "'", "s", "me", "[SEP]"];
            let text = decoder.as_ref().unwrap().decode(words.iter().map(|s| s.to_string()).collect()).unwrap();
            assert_eq!(text, "[CLS] helloworld, it ' s me [SEP]");
        }
        if file.contains("sentencepiece") {
            let text = decoder.unwrap().decode(vec!["▁Hello".into(), "▁wor".into(), "ld".into()]).unwrap();
            assert_eq!(text, "Hello world");
        }
    }
}
