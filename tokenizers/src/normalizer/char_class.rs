//! Unicode character classes the normalizers and pre-tokenizers test chars against (general
//! categories, regex `\w`), built once from `regex-syntax`'s Unicode tables and looked up by
//! binary search (ASCII by a direct test first).

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

    #[inline]
    pub fn contains(&self, c: char) -> bool {
        let cp = c as u32;
        self.ranges
            .binary_search_by(|&(lo, hi)| {
                if hi < cp {
                    std::cmp::Ordering::Less
                } else if lo > cp {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
    }
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
    /// General category P (all punctuation).
    punctuation_set,
    r"\p{P}"
);
char_set!(
    /// General category C (control, format, unassigned, private use, surrogate).
    other_set,
    r"\p{C}"
);
char_set!(
    /// General category Mn (non-spacing marks).
    mark_nonspacing_set,
    r"\p{Mn}"
);
char_set!(
    /// Unicode `\w` (alphabetic, marks, decimal numbers, connector punctuation, join controls).
    word_set,
    r"\w"
);

/// Punctuation as HF's BERT and Punctuation pre-tokenizers see it: ASCII punctuation (which
/// includes symbols like `$` `+` `<` `^` `` ` `` `|` `~`) or any Unicode P* char.
#[inline]
pub fn is_punctuation(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_punctuation()
    } else {
        punctuation_set().contains(c)
    }
}

/// General category C.
#[inline]
pub fn is_other(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_control()
    } else {
        other_set().contains(c)
    }
}

/// General category Mn.
#[inline]
pub fn is_mark_nonspacing(c: char) -> bool {
    !c.is_ascii() && mark_nonspacing_set().contains(c)
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
        assert!(is_mark_nonspacing('\u{301}') && !is_mark_nonspacing('e'));
        assert!(is_word('é') && is_word('_') && is_word('٣') && !is_word('-') && !is_word('²'));
    }
}
