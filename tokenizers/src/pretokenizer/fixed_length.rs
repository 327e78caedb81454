//! `FixedLength`: cuts every split into chunks of `length` chars (the last one shorter), as HF's
//! `pre_tokenizers.FixedLength`. Nothing is dropped: spaces stay inside the chunks.

use super::pre_tokenized::PreTokenizedString;
use super::pre_tokenizer::PreTokenize;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedLength {
    /// Chunk length in chars (HF's default is 5).
    #[serde(default = "default_length")]
    pub length: usize,
}

fn default_length() -> usize {
    5
}

impl Default for FixedLength {
    fn default() -> Self {
        FixedLength { length: default_length() }
    }
}

impl PreTokenize for FixedLength {
    fn pre_tokenize(&self, s: &mut PreTokenizedString) -> Result<()> {
        if self.length == 0 {
            // HF panics here ("chunk size must be non-zero"); a typed error instead.
            return Err(Error::Component {
                component: "FixedLength pre-tokenizer",
                reason: "length must be at least 1".into(),
            });
        }
        s.split(|_, n| {
            let text = n.normalized();
            // Byte boundaries of every `length`-th char, then the end.
            let mut ranges = Vec::with_capacity(text.len() / self.length + 1);
            let mut start = 0;
            for (k, (b, _)) in text.char_indices().enumerate() {
                if k > 0 && k % self.length == 0 {
                    ranges.push((start, b));
                    start = b;
                }
            }
            if start < text.len() {
                ranges.push((start, text.len()));
            }
            Ok(super::pre_tokenizer::slices(&n, &ranges))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_by_chars_with_byte_offsets() {
        let mut s = PreTokenizedString::new("héllo wörld", 0);
        FixedLength { length: 4 }.pre_tokenize(&mut s).unwrap();
        let got: Vec<_> = s.splits_with_offsets().into_iter().map(|(a, r)| (a.to_string(), r)).collect();
        let want: Vec<(String, std::ops::Range<usize>)> =
            vec![("héll".into(), 0..5), ("o wö".into(), 5..10), ("rld".into(), 10..13)];
        assert_eq!(got, want);
        let f: FixedLength = serde_json::from_str("{}").unwrap();
        assert_eq!(f.length, 5);
        let mut s = PreTokenizedString::new("abc", 0);
        assert!(FixedLength { length: 0 }.pre_tokenize(&mut s).is_err());
    }
}
