//! Unicode normalization forms (NFD, NFKD, NFC, NFKC) applied to a [`NormalizedString`] with
//! per-char change counts, so that alignments follow the chars (what HF gets from its
//! `unicode-normalization-alignments` fork).
//!
//! Decomposition: a char decomposing into n chars gives its first char change 0 and the others
//! +1 (inserted, aligned with the source char); canonical reordering moves chars together with
//! their change. Composition: when a char is absorbed into the preceding starter, the starter's
//! change gains `change - 1` (absorbing an inserted char is neutral, absorbing an original char
//! removes one). Text already in the target form (the common case, checked by the quick check)
//! is left untouched.

use super::NormalizedString;
use serde::{Deserialize, Serialize};
use unicode_normalization::char::{canonical_combining_class, compose, decompose_canonical, decompose_compatible};
use unicode_normalization::{is_nfc_quick, is_nfd_quick, is_nfkc_quick, is_nfkd_quick, IsNormalized};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Nfd,
    Nfkd,
    Nfc,
    Nfkc,
}

/// HF's `NFD`/`NFKD`/`NFC`/`NFKC` normalizers (no fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Nfd {}
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Nfkd {}
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Nfc {}
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Nfkc {}

fn already(s: &str, form: Form) -> bool {
    let c = s.chars();
    let r = match form {
        Form::Nfd => is_nfd_quick(c),
        Form::Nfkd => is_nfkd_quick(c),
        Form::Nfc => is_nfc_quick(c),
        Form::Nfkc => is_nfkc_quick(c),
    };
    r == IsNormalized::Yes
}

/// Decomposes (canonically or not) with change counts, then reorders marks.
fn decompose(s: &str, compat: bool) -> Vec<(char, isize)> {
    let mut out: Vec<(char, isize)> = Vec::with_capacity(s.len() + 8);
    for c in s.chars() {
        let first = out.len();
        let mut emit = |d: char| out.push((d, if out.len() > first { 1 } else { 0 }));
        if compat {
            decompose_compatible(c, &mut emit)
        } else {
            decompose_canonical(c, &mut emit)
        }
    }
    reorder(&mut out);
    out
}

/// Canonical ordering: each run of non-starters is sorted (stably) by combining class.
fn reorder(v: &mut [(char, isize)]) {
    let mut i = 0;
    while i < v.len() {
        if canonical_combining_class(v[i].0) == 0 {
            i += 1;
            continue;
        }
        let start = i;
        while i < v.len() && canonical_combining_class(v[i].0) != 0 {
            i += 1;
        }
        if i - start > 1 {
            v[start..i].sort_by_key(|p| canonical_combining_class(p.0));
        }
    }
}

/// Canonical composition of a decomposed, reordered sequence.
fn recompose(decomposed: Vec<(char, isize)>) -> Vec<(char, isize)> {
    let mut out: Vec<(char, isize)> = Vec::with_capacity(decomposed.len());
    // Index of the last starter in `out`, and the class of the last char after it (None when
    // the last char is the starter itself).
    let mut starter: Option<usize> = None;
    let mut last_ccc: Option<u8> = None;
    for (c, change) in decomposed {
        let ccc = canonical_combining_class(c);
        if let Some(si) = starter {
            let blocked = matches!(last_ccc, Some(l) if l >= ccc || l == 0);
            if !blocked {
                if let Some(k) = compose(out[si].0, c) {
                    out[si] = (k, out[si].1 + change - 1);
                    continue;
                }
            }
        }
        out.push((c, change));
        if ccc == 0 {
            starter = Some(out.len() - 1);
            last_ccc = None;
        } else {
            last_ccc = Some(ccc);
        }
    }
    out
}

/// Applies `form` to the normalized text of `s`.
pub fn apply(s: &mut NormalizedString, form: Form) {
    if already(s.normalized(), form) {
        return;
    }
    let t = match form {
        Form::Nfd => decompose(s.normalized(), false),
        Form::Nfkd => decompose(s.normalized(), true),
        Form::Nfc => recompose(decompose(s.normalized(), false)),
        Form::Nfkc => recompose(decompose(s.normalized(), true)),
    };
    s.transform(t, 0);
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn forms_match_the_reference_crate() {
        for text in
            ["élégant", "e\u{301}le\u{301}", "ﬁ ① Å 가 \u{1100}\u{1161}\u{11A8}", "a\u{316}\u{301}\u{302}b", "ｶﾞ"]
        {
            for (form, want) in [
                (Form::Nfd, text.nfd().collect::<String>()),
                (Form::Nfkd, text.nfkd().collect()),
                (Form::Nfc, text.nfc().collect()),
                (Form::Nfkc, text.nfkc().collect()),
            ] {
                let mut n = NormalizedString::new(text, 0);
                apply(&mut n, form);
                assert_eq!(n.normalized(), want, "{form:?} of {text:?}");
                assert_eq!(n.alignments().len(), want.len());
            }
        }
    }

    #[test]
    fn composition_alignment() {
        let mut n = NormalizedString::new("e\u{301}x", 0);
        n.nfc();
        assert_eq!(n.normalized(), "éx");
        // As HF: the composed char keeps the alignment of its base char.
        assert_eq!(n.original_range(0..2), Some(0..1));
        assert_eq!(n.original_range(2..3), Some(3..4));
    }
}
