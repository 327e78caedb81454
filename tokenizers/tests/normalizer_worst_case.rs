//! Worst-case inputs for the normalizers and pre-tokenizers: long lines without spaces, long
//! runs of one char, many matches. They must finish (a quadratic step would not, at these
//! sizes) and keep every offset inside the input. No timing assertions.

use tokenmill_tokenizers::normalizer::{Normalize, NormalizedString, Normalizer};
use tokenmill_tokenizers::pretokenizer::{PreTokenize, PreTokenizedString, PreTokenizer};

const MB: usize = 1 << 18;

fn inputs() -> Vec<(&'static str, String)> {
    vec![
        ("letters without spaces", "abcdefghij".repeat(MB / 10)),
        ("one repeated char", "a".repeat(MB)),
        ("all spaces", " ".repeat(MB)),
        ("space every other char", "a ".repeat(MB / 2)),
        ("combining marks", format!("e{}", "\u{301}".repeat(MB / 4))),
        ("CJK", "中文".repeat(MB / 6)),
        ("digits and punctuation", "1,2.".repeat(MB / 4)),
    ]
}

fn check(name: &str, text: &str, pieces: &PreTokenizedString) {
    for s in pieces.splits() {
        let r = s.original_offsets();
        assert!(r.start <= r.end && r.end <= text.len(), "{name}: split offsets {r:?} past the input");
    }
}

#[test]
fn normalizers_and_pre_tokenizers_stay_linear() {
    let normalizers: Vec<Normalizer> = [
        r#"{"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,"strip_accents":null,"lowercase":true}"#,
        r#"{"type":"NFKC"}"#,
        r#"{"type":"NFD"}"#,
        r#"{"type":"Replace","pattern":{"String":" "},"content":"▁"}"#,
        r#"{"type":"Replace","pattern":{"Regex":" {2,}"},"content":" "}"#,
        r#"{"type":"Strip","strip_left":true,"strip_right":true}"#,
        r#"{"type":"ByteLevel"}"#,
    ]
    .iter()
    .map(|j| serde_json::from_str(j).unwrap())
    .collect();
    let pre_tokenizers: Vec<PreTokenizer> = [
        r#"{"type":"BertPreTokenizer"}"#,
        r#"{"type":"Whitespace"}"#,
        r#"{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true}"#,
        r#"{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":true}"#,
        r#"{"type":"Digits","individual_digits":true}"#,
        r#"{"type":"Punctuation","behavior":"Contiguous"}"#,
        r#"{"type":"UnicodeScripts"}"#,
    ]
    .iter()
    .map(|j| serde_json::from_str(j).unwrap())
    .collect();
    for (name, text) in inputs() {
        for n in &normalizers {
            let mut s = NormalizedString::new(&text, 0);
            n.normalize(&mut s).unwrap();
            let last = s.len();
            if last > 0 {
                let r = s.original_range(0..last).unwrap();
                assert!(r.end <= text.len(), "{name} / {}: {r:?}", n.kind());
            }
        }
        for p in &pre_tokenizers {
            let mut s = PreTokenizedString::new(&text, 0);
            p.pre_tokenize(&mut s).unwrap();
            check(name, &text, &s);
        }
    }
}
