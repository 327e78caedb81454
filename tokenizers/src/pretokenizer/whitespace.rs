//! `Whitespace` (`\w+|[^\w\s]+`: runs of word chars and runs of other non-space chars, spaces
//! dropped) and `WhitespaceSplit` (split on whitespace, dropped). Plain char loops, no regex.

use super::pre_tokenized::PreTokenizedString;
use super::pre_tokenizer::{slices, PreTokenize};
use crate::error::Result;
use crate::normalizer::char_class::is_word;
use crate::normalizer::SplitBehavior;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Whitespace {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WhitespaceSplit {}

/// Class of a char for `\w+|[^\w\s]+`: 0 space, 1 word, 2 other.
#[inline]
fn class(c: char) -> u8 {
    if c.is_ascii() {
        if c.is_ascii_alphanumeric() || c == '_' {
            1
        } else if c.is_ascii_whitespace() || c == '\x0B' {
            0
        } else {
            2
        }
    } else if c.is_whitespace() {
        0
    } else if is_word(c) {
        1
    } else {
        2
    }
}

/// Maximal runs of one non-zero class.
pub(crate) fn runs(text: &str, class: impl Fn(char) -> u8, out: &mut Vec<(usize, usize)>) {
    out.clear();
    let mut cur = 0u8;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let k = class(c);
        if k != cur {
            if cur != 0 {
                out.push((start, i));
            }
            cur = k;
            start = i;
        }
    }
    if cur != 0 {
        out.push((start, text.len()));
    }
}

impl PreTokenize for Whitespace {
    fn pre_tokenize(&self, s: &mut PreTokenizedString) -> Result<()> {
        let mut ranges = Vec::new();
        s.split(|_, n| {
            runs(n.normalized(), class, &mut ranges);
            Ok(slices(&n, &ranges))
        })
    }
}

impl PreTokenize for WhitespaceSplit {
    fn pre_tokenize(&self, s: &mut PreTokenizedString) -> Result<()> {
        s.split(|_, n| {
            Ok(n.split(crate::normalizer::pattern::CharPredicate(char::is_whitespace), SplitBehavior::Removed))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(p: impl PreTokenize, text: &str) -> Vec<(String, std::ops::Range<usize>)> {
        let mut s = PreTokenizedString::new(text, 0);
        p.pre_tokenize(&mut s).unwrap();
        s.splits_with_offsets().into_iter().map(|(a, r)| (a.to_string(), r)).collect()
    }

    #[test]
    fn whitespace() {
        let got = pieces(Whitespace {}, "Hey man!! How's it_going?  é-");
        let words: Vec<_> = got.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(words, ["Hey", "man", "!!", "How", "'", "s", "it_going", "?", "é", "-"]);
        assert_eq!(got[2].1, 7..9);
        let got = pieces(WhitespaceSplit {}, " a\tb  c ");
        assert_eq!(got, vec![("a".into(), 1..2), ("b".into(), 3..4), ("c".into(), 6..7)]);
    }
}
