//! `BertNormalizer`: BERT's text cleaning (drop NUL / U+FFFD / control chars, whitespace → space),
//! spaces around CJK ideographs, accent stripping (NFD + drop Mn; defaults to `lowercase`) and
//! lowercasing, in that order (HF's order).

use super::char_class::{is_mark_nonspacing, is_other};
use super::{Normalize, NormalizedString};
use crate::error::Result;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BertNormalizer {
    pub clean_text: bool,
    pub handle_chinese_chars: bool,
    /// `None` follows `lowercase`.
    pub strip_accents: Option<bool>,
    pub lowercase: bool,
}

impl Default for BertNormalizer {
    fn default() -> Self {
        BertNormalizer { clean_text: true, handle_chinese_chars: true, strip_accents: None, lowercase: true }
    }
}

/// BERT's whitespace: `\t \n \r` and Unicode White_Space.
#[inline]
fn is_bert_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || c.is_whitespace()
}

/// BERT's control chars: general category C except `\t \n \r`.
#[inline]
fn is_bert_control(c: char) -> bool {
    !matches!(c, '\t' | '\n' | '\r') && is_other(c)
}

/// The CJK Unified Ideograph blocks BERT surrounds with spaces.
#[inline]
pub fn is_chinese_char(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF
        | 0x3400..=0x4DBF
        | 0x20000..=0x2A6DF
        | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F
        | 0x2B920..=0x2CEAF
        | 0xF900..=0xFAFF
        | 0x2F800..=0x2FA1F)
}

impl BertNormalizer {
    fn clean_text(s: &mut NormalizedString) {
        // Fast check: printable ASCII plus plain spaces need nothing.
        if s.normalized().bytes().all(|b| (0x20..0x7F).contains(&b)) {
            return;
        }
        s.filter(|c| !(c == '\0' || c == '\u{FFFD}' || is_bert_control(c)));
        s.map(|c| if is_bert_whitespace(c) { ' ' } else { c });
    }

    fn handle_chinese_chars(s: &mut NormalizedString) {
        if s.normalized().is_ascii() || !s.normalized().chars().any(is_chinese_char) {
            return;
        }
        // HF: `[(' ', 0), (c, 1), (' ', 1)]`, i.e. all three aligned with the ideograph.
        s.expand_chars(|c, out| {
            if is_chinese_char(c) {
                out.push(' ');
                out.push(c);
                out.push(' ');
            } else {
                out.push(c);
            }
        });
    }
}

impl Normalize for BertNormalizer {
    fn normalize(&self, s: &mut NormalizedString) -> Result<()> {
        if self.clean_text {
            Self::clean_text(s);
        }
        if self.handle_chinese_chars {
            Self::handle_chinese_chars(s);
        }
        if self.strip_accents.unwrap_or(self.lowercase) && !s.normalized().is_ascii() {
            s.nfd();
            s.filter(|c| !is_mark_nonspacing(c));
        }
        if self.lowercase {
            s.lowercase();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bert_normalization() {
        let n = BertNormalizer::default();
        let mut s = NormalizedString::new("Héllo\u{0}\tWORLD 中文!", 0);
        n.normalize(&mut s).unwrap();
        assert_eq!(s.normalized(), "hello world  中  文 !");
        // "中" is original bytes 14..17; the space inserted before it shares its alignment.
        assert_eq!(s.original_range(13..16), Some(14..17));
        assert_eq!(s.original_range(12..13), Some(14..17));
    }
}
