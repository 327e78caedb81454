//! Fused fast path for the BERT shape — BertNormalizer + BertPreTokenizer (+ any model, usually
//! WordPiece): ASCII runs are normalized and split in one byte loop with no `NormalizedString`,
//! giving exactly what the general stages give; anything else goes through the general stages.
//!
//! Why it is exact: every step of BertNormalizer (clean text, CJK spacing, accent stripping,
//! lowercasing) and of BertPreTokenizer (split on whitespace, isolate punctuation) is local to a
//! char, so a text may be cut at ASCII whitespace (which both treat as a separator and drop)
//! and the pieces processed independently, continuing the word count. On ASCII, clean_text
//! removes controls (keeping `\t\n\r`, which become spaces), accent stripping and CJK spacing do
//! nothing, and lowercasing is ASCII lowercasing; a removed control never lies inside a token's
//! offsets except between its chars, which is what the alignments give.

use serde_json::Value;

use crate::model::{Model, ModelWrapper, Token};
use crate::normalizer::Normalizer;
use crate::pretokenizer::PreTokenizer;

use super::compact::Rec;
use super::pipeline::HfTokenizer;
use super::sequence::{Sink, Split, TokenAt};

/// The BertNormalizer options that matter on ASCII.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BertFast {
    clean_text: bool,
    lowercase: bool,
}

impl BertFast {
    /// `Some` when the normalizer is BertNormalizer and the pre-tokenizer BertPreTokenizer.
    pub(crate) fn detect(normalizer: Option<&Normalizer>, pre: Option<&PreTokenizer>) -> Option<Self> {
        let n = serde_json::to_value(normalizer?).ok()?;
        let p = serde_json::to_value(pre?).ok()?;
        if n.get("type")?.as_str()? != "BertNormalizer" || p.get("type")?.as_str()? != "BertPreTokenizer" {
            return None;
        }
        let flag = |k: &str| n.get(k).and_then(Value::as_bool);
        Some(BertFast { clean_text: flag("clean_text")?, lowercase: flag("lowercase")? })
    }
}

/// ASCII whitespace that both stages treat as a separator in every configuration.
#[inline]
fn is_separator(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Encodes `text` (starting at byte `base` of the sequence), continuing the word count.
pub(crate) fn run(
    tok: &HfTokenizer,
    bf: BertFast,
    text: &str,
    base: usize,
    word: &mut u32,
    sink: &mut dyn Sink,
) -> crate::error::Result<()> {
    let bytes = text.as_bytes();
    // Reused per chunk: the normalized chunk and, per normalized byte, its original position.
    let mut norm: Vec<u8> = Vec::new();
    let mut at: Vec<u32> = Vec::new();
    let mut buf: Vec<Token> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if is_separator(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let mut ascii = true;
        while i < bytes.len() && !is_separator(bytes[i]) {
            // Without clean_text, controls such as \x0B are whitespace to the pre-tokenizer.
            ascii &= bytes[i] < 0x80 && (bf.clean_text || (bytes[i] >= 0x20 && bytes[i] != 0x7f));
            i += 1;
        }
        let chunk = &text[start..i];
        if !ascii {
            tok.run_general(chunk, base + start, word, sink)?;
            continue;
        }
        norm.clear();
        at.clear();
        for (k, &b) in chunk.as_bytes().iter().enumerate() {
            if b < 0x20 || b == 0x7f {
                continue; // clean_text drops controls (\t\n\r never get here)
            }
            norm.push(if bf.lowercase { b.to_ascii_lowercase() } else { b });
            at.push((base + start + k) as u32);
        }
        // ASCII in, ASCII out.
        let norm_str = std::str::from_utf8(&norm).unwrap_or_default();
        let mut w = 0;
        while w < norm.len() {
            let e = if norm[w].is_ascii_punctuation() {
                w + 1
            } else {
                let mut e = w + 1;
                while e < norm.len() && !norm[e].is_ascii_punctuation() {
                    e += 1;
                }
                e
            };
            let piece = &norm_str[w..e];
            buf.clear();
            tok.model.try_tokenize(piece, &mut buf)?;
            let offsets_of = |t: &Token| {
                // Original position of the token's first byte, and one past its last byte.
                let first = at.get(w + t.start).map_or(base + start, |&p| p as usize);
                let last = if t.end > t.start { at.get(w + t.end - 1).map(|&p| p as usize + 1) } else { None };
                (first, last.unwrap_or(first))
            };
            if let (ModelWrapper::WordPiece(_), Some(recs)) = (&tok.model, sink.recs_mut()) {
                // A compact encoding: WordPiece tokens are vocabulary entries, kept as records.
                for t in &buf {
                    let (s, e) = offsets_of(t);
                    recs.push(Rec { id: t.id, start: s as u32, end: e as u32, word: *word });
                }
                *word += 1;
                w = e;
                continue;
            }
            for t in &buf {
                let offsets = offsets_of(t);
                sink.token(TokenAt {
                    id: t.id,
                    word: *word,
                    split: Split::Fused { piece, offsets },
                    range: t.start..t.end,
                    from_model: true,
                    vocab_string: false,
                });
            }
            *word += 1;
            w = e;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::tokenizer::{HfTokenizer, OffsetType};

    const WP: &str = include_str!("../../tests/fixtures/pipeline/wordpiece.tokenizer.json");

    /// The fused path against the general stages, on ASCII edge cases and every configuration.
    #[test]
    fn same_as_general_stages() {
        let texts = [
            "Hello, World! It's 3.14 -- ok?",
            "ctrl\x01chars\x00in\x7fwords\x0bvt\x0cff and\x1fus",
            "\x01\x02 \x03",
            "  spaces\t\ttabs\r\nnewlines  ",
            "mixed ascii and é non-ascii, straße; 中文 too",
            "punct!!!...,,,[[]]{}",
            "",
            "a",
        ];
        for (clean, lower) in [(true, true), (false, true), (true, false), (false, false)] {
            let mut v: serde_json::Value = serde_json::from_str(WP).unwrap();
            v["normalizer"]["clean_text"] = clean.into();
            v["normalizer"]["lowercase"] = lower.into();
            let fast = HfTokenizer::from_str(&v.to_string()).unwrap();
            assert!(fast.bert_fast.is_some());
            let mut slow = HfTokenizer::from_str(&v.to_string()).unwrap();
            slow.bert_fast = None;
            for t in texts {
                for pair in [None, Some("second, part")] {
                    let input = match pair {
                        None => crate::tokenizer::EncodeInput::single(t),
                        Some(p) => crate::tokenizer::EncodeInput::pair(t, p),
                    };
                    let a = fast.encode(input.clone(), true, OffsetType::Char).unwrap();
                    let b = slow.encode(input, true, OffsetType::Char).unwrap();
                    assert_eq!(a, b, "clean={clean} lower={lower} {t:?}");
                }
                assert_eq!(fast.encode_ids(t).unwrap(), slow.encode_ids(t).unwrap());
            }
        }
    }
}
