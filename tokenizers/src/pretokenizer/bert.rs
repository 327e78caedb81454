//! `BertPreTokenizer`: split on whitespace (dropped), then every punctuation char (ASCII
//! punctuation or Unicode P*) is its own piece. One plain char loop.

use super::pre_tokenized::PreTokenizedString;
use super::pre_tokenizer::{slices, PreTokenize};
use crate::error::Result;
use crate::normalizer::char_class::is_punctuation;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BertPreTokenizer {}

/// Pieces of `text`: runs of non-space non-punctuation chars, and single punctuation chars.
fn bert_ranges(text: &str, out: &mut Vec<(usize, usize)>) {
    out.clear();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        let (space, punct) = if c.is_ascii() {
            (c.is_ascii_whitespace() || c == '\x0B', c.is_ascii_punctuation())
        } else {
            (c.is_whitespace(), is_punctuation(c))
        };
        if space || punct {
            if let Some(s) = start.take() {
                out.push((s, i));
            }
            if punct {
                out.push((i, i + c.len_utf8()));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
}

impl PreTokenize for BertPreTokenizer {
    fn pre_tokenize(&self, s: &mut PreTokenizedString) -> Result<()> {
        let mut ranges = Vec::new();
        s.split(|_, n| {
            bert_ranges(n.normalized(), &mut ranges);
            Ok(slices(&n, &ranges))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bert() {
        let mut s = PreTokenizedString::new("Hey friend!     How are you?!? l'été", 0);
        BertPreTokenizer {}.pre_tokenize(&mut s).unwrap();
        let words: Vec<_> = s.splits().iter().map(|p| p.normalized()).collect();
        assert_eq!(words, ["Hey", "friend", "!", "How", "are", "you", "?", "!", "?", "l", "'", "été"]);
        assert_eq!(s.splits()[11].original_offsets(), 33..38);
    }
}
