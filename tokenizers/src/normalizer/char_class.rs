//! Unicode character classes the normalizers and pre-tokenizers test chars against, looked up by
//! binary search (ASCII by a direct test first).
//!
//! Punctuation, marks and controls are HF's own (old) tables, measured from the library
//! ([`super::hf_char_tables`]); current Unicode data disagrees with them on hundreds of chars.
//! Regex classes (`\w`, scripts) come from `regex-syntax`'s Unicode tables, built once.

use super::hf_char_tables;
use regex_syntax::hir::{Class, HirKind};
use std::sync::OnceLock;

/// A set of chars as sorted, disjoint inclusive codepoint ranges.
pub struct CharSet {
    ranges: Vec<(u32, u32)>,
}

impl CharSet {
    /// The set a regex char class (`\p{P}`, `\w`, ...) stands for. The patterns used here are
    /// constants known to parse; a failure gives the empty set rather than a panic.
    pub fn from_class(class: &str) -> CharSet {
        let ranges = regex_syntax::Parser::new()
            .parse(class)
            .ok()
            .and_then(|hir| match hir.kind() {
                HirKind::Class(Class::Unicode(u)) => {
                    Some(u.ranges().iter().map(|r| (r.start() as u32, r.end() as u32)).collect())
                }
                _ => None,
            })
            .unwrap_or_default();
        CharSet { ranges }
    }

    /// The inclusive codepoint ranges.
    pub fn ranges(&self) -> &[(u32, u32)] {
        &self.ranges
    }

    #[inline]
    pub fn contains(&self, c: char) -> bool {
        in_ranges(&self.ranges, c)
    }
}

/// Whether `c` is in sorted, disjoint inclusive `ranges`.
#[inline]
pub fn in_ranges(ranges: &[(u32, u32)], c: char) -> bool {
    let cp = c as u32;
    let i = ranges.partition_point(|&(_, hi)| hi < cp);
    ranges.get(i).is_some_and(|&(lo, _)| lo <= cp)
}

macro_rules! char_set {
    ($(#[$doc:meta])* $name:ident, $class:expr) => {
        $(#[$doc])*
        pub fn $name() -> &'static CharSet {
            static SET: OnceLock<CharSet> = OnceLock::new();
            SET.get_or_init(|| CharSet::from_class($class))
        }
    };
}

char_set!(
    /// Unicode `\w` (alphabetic, marks, decimal numbers, connector punctuation, join controls).
    word_set,
    r"\w"
);

/// Punctuation as HF's BERT and Punctuation pre-tokenizers see it: ASCII punctuation (which
/// includes symbols like `$` `+` `<` `^` `` ` `` `|` `~`) or HF's Unicode punctuation table.
#[inline]
pub fn is_punctuation(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_punctuation()
    } else {
        in_ranges(hf_char_tables::PUNCTUATION, c)
    }
}

/// HF's "other" (control/format/private use) class, as BERT's text cleaning uses it.
#[inline]
pub fn is_other(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_control()
    } else {
        in_ranges(hf_char_tables::CONTROL, c)
    }
}

/// HF's combining marks (StripAccents): all of M in HF's Unicode version.
#[inline]
pub fn is_combining_mark(c: char) -> bool {
    !c.is_ascii() && in_ranges(hf_char_tables::MARK, c)
}

/// HF's non-spacing marks (BERT's accent stripping).
#[inline]
pub fn is_mark_nonspacing(c: char) -> bool {
    !c.is_ascii() && in_ranges(hf_char_tables::BERT_MARK, c)
}

/// Regex `\w`.
#[inline]
pub fn is_word(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || c == '_'
    } else {
        word_set().contains(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert!(is_punctuation('$') && is_punctuation('¿') && is_punctuation('「') && !is_punctuation('a'));
        assert!(!is_punctuation('€'));
        assert!(is_other('\u{0}') && is_other('\u{200B}') && is_other('\u{E000}') && !is_other('a'));
        // StripAccents drops the Devanagari vowel sign I (a spacing mark, Mc); BERT keeps it.
        assert!(is_combining_mark('\u{93F}') && !is_mark_nonspacing('\u{93F}'));
        assert!(is_mark_nonspacing('\u{301}') && !is_mark_nonspacing('e'));
        assert!(is_word('é') && is_word('_') && is_word('٣') && !is_word('-') && !is_word('²'));
    }
}
