//! `UnicodeScripts`: splits where the Unicode script changes (HF's rules: Hiragana, Katakana and
//! U+30FC count as Han; the space and every char HF's old script table does not list belong to
//! any script and never split).
//!
//! The char → script table is HF's own, measured from the library ([`super::hf_scripts`]): it
//! differs from current Unicode (e.g. U+0589 ARMENIAN FULL STOP is Common there).

use super::hf_scripts::SCRIPT_CLASSES;
use super::pre_tokenized::PreTokenizedString;
use super::pre_tokenizer::{slices, PreTokenize};
use crate::error::Result;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UnicodeScripts {}

/// Any-script marker (the class of chars in no range of the table).
const ANY: u16 = u16::MAX;

/// HF's script class of `c` (Hiragana, Katakana and U+30FC are in Han's class).
fn fixed_script(c: char) -> u16 {
    let cp = c as u32;
    let i = SCRIPT_CLASSES.partition_point(|&(_, hi, _)| hi < cp);
    match SCRIPT_CLASSES.get(i) {
        Some(&(lo, _, k)) if lo <= cp => k,
        _ => ANY,
    }
}

/// The pieces: a new one starts at each script change. As in HF, the first piece starts at the
/// first char that is not a space (leading spaces are dropped, an all-space text gives nothing).
fn script_ranges(text: &str, out: &mut Vec<(usize, usize)>) {
    out.clear();
    let mut last: Option<u16> = None;
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        let s = fixed_script(c);
        if s != ANY && last != Some(s) {
            if let Some(st) = start {
                out.push((st, i));
            }
            start = Some(i);
        }
        if s != ANY {
            last = Some(s);
        }
    }
    if let Some(st) = start {
        out.push((st, text.len()));
    }
}

impl PreTokenize for UnicodeScripts {
    fn pre_tokenize(&self, s: &mut PreTokenizedString) -> Result<()> {
        let mut ranges = Vec::new();
        s.split(|_, n| {
            script_ranges(n.normalized(), &mut ranges);
            Ok(slices(&n, &ranges))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts() {
        let mut s = PreTokenizedString::new("  どこで生れ。Yes ー Ελληνικά 한국", 0);
        UnicodeScripts {}.pre_tokenize(&mut s).unwrap();
        let words: Vec<_> = s.splits().iter().map(|p| p.normalized()).collect();
        assert_eq!(words, ["どこで生れ", "。", "Yes ", "ー ", "Ελληνικά ", "한국"]);
        let mut s = PreTokenizedString::new("Աշնան ամառը։", 0);
        UnicodeScripts {}.pre_tokenize(&mut s).unwrap();
        // HF's table puts U+0589 ARMENIAN FULL STOP in Common (current Unicode: Armenian).
        assert_eq!(s.splits().len(), 2);
    }
}
