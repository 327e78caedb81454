//! `UnicodeScripts`: splits where the Unicode script changes (HF's rules: Hiragana, Katakana and
//! U+30FC count as Han; the space and every char HF's old script table does not list belong to
//! any script and never split).
//!
//! The char → script table is built once from `regex-syntax`'s `\p{Script=..}` classes; the
//! "any script" chars are HF's, measured ([`crate::normalizer::hf_char_tables::SCRIPT_ANY`]).

use super::pre_tokenized::PreTokenizedString;
use super::pre_tokenizer::{slices, PreTokenize};
use crate::error::Result;
use crate::normalizer::char_class::{in_ranges, CharSet};
use crate::normalizer::hf_char_tables::SCRIPT_ANY;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UnicodeScripts {}

const SCRIPTS: &[&str] = &[
    "Common",
    "Inherited",
    "Latin",
    "Greek",
    "Cyrillic",
    "Armenian",
    "Hebrew",
    "Arabic",
    "Syriac",
    "Thaana",
    "Nko",
    "Samaritan",
    "Mandaic",
    "Devanagari",
    "Bengali",
    "Gurmukhi",
    "Gujarati",
    "Oriya",
    "Tamil",
    "Telugu",
    "Kannada",
    "Malayalam",
    "Sinhala",
    "Thai",
    "Lao",
    "Tibetan",
    "Myanmar",
    "Georgian",
    "Hangul",
    "Ethiopic",
    "Cherokee",
    "Canadian_Aboriginal",
    "Ogham",
    "Runic",
    "Tagalog",
    "Hanunoo",
    "Buhid",
    "Tagbanwa",
    "Khmer",
    "Mongolian",
    "Limbu",
    "Tai_Le",
    "New_Tai_Lue",
    "Buginese",
    "Tai_Tham",
    "Balinese",
    "Sundanese",
    "Batak",
    "Lepcha",
    "Ol_Chiki",
    "Glagolitic",
    "Tifinagh",
    "Hiragana",
    "Katakana",
    "Bopomofo",
    "Han",
    "Yi",
    "Lisu",
    "Vai",
    "Bamum",
    "Syloti_Nagri",
    "Phags_Pa",
    "Saurashtra",
    "Kayah_Li",
    "Rejang",
    "Javanese",
    "Cham",
    "Tai_Viet",
    "Meetei_Mayek",
    "Coptic",
    "Braille",
    "Adlam",
    "Osage",
    "Vithkuqi",
    "Gothic",
    "Old_Italic",
    "Deseret",
    "Shavian",
    "Osmanya",
    "Linear_B",
    "Cuneiform",
    "Egyptian_Hieroglyphs",
    "Hanifi_Rohingya",
    "Yezidi",
    "Old_Turkic",
    "Brahmi",
    "Kaithi",
    "Chakma",
    "Sharada",
    "Khojki",
    "Grantha",
    "Tirhuta",
    "Siddham",
    "Modi",
    "Takri",
    "Ahom",
    "Dogra",
    "Nandinagari",
    "Zanabazar_Square",
    "Soyombo",
    "Masaram_Gondi",
    "Gunjala_Gondi",
    "Makasar",
    "Kawi",
    "Nushu",
    "Tangut",
    "Khitan_Small_Script",
    "Miao",
    "Pahawh_Hmong",
    "Bassa_Vah",
    "Mro",
    "Tangsa",
    "Duployan",
    "SignWriting",
    "Nyiakeng_Puachue_Hmong",
    "Toto",
    "Wancho",
    "Mende_Kikakui",
    "Medefaidrin",
    "Old_Hungarian",
    "Elbasan",
    "Caucasian_Albanian",
    "Linear_A",
    "Cypriot",
    "Imperial_Aramaic",
    "Palmyrene",
    "Nabataean",
    "Hatran",
    "Phoenician",
    "Lydian",
    "Meroitic_Hieroglyphs",
    "Meroitic_Cursive",
    "Kharoshthi",
    "Old_South_Arabian",
    "Old_North_Arabian",
    "Manichaean",
    "Avestan",
    "Inscriptional_Parthian",
    "Inscriptional_Pahlavi",
    "Psalter_Pahlavi",
    "Old_Persian",
    "Ugaritic",
    "Carian",
    "Lycian",
    "Old_Permic",
    "Pau_Cin_Hau",
    "Sora_Sompeng",
    "Mahajani",
    "Khudawadi",
    "Multani",
    "Newa",
    "Bhaiksuki",
    "Marchen",
    "Dives_Akuru",
    "Old_Sogdian",
    "Sogdian",
    "Old_Uyghur",
    "Chorasmian",
    "Elymaic",
    "Anatolian_Hieroglyphs",
    "Cypro_Minoan",
    "Warang_Citi",
    "Osage",
];

/// Script index per codepoint range (sorted); chars in no range are "Unknown".
fn table() -> &'static Vec<(u32, u32, u16)> {
    static T: OnceLock<Vec<(u32, u32, u16)>> = OnceLock::new();
    T.get_or_init(|| {
        let mut v = Vec::new();
        for (i, name) in SCRIPTS.iter().enumerate() {
            let set = CharSet::from_class(&format!(r"\p{{Script={name}}}"));
            v.extend(set.ranges().iter().map(|&(lo, hi)| (lo, hi, i as u16 + 1)));
        }
        v.sort_unstable();
        v
    })
}

const ANY: u16 = u16::MAX;
const UNKNOWN: u16 = 0;

fn script_index(name: &str) -> u16 {
    SCRIPTS.iter().position(|s| *s == name).map_or(UNKNOWN, |i| i as u16 + 1)
}

/// HF's `fixed_script`: the script of `c` with its Han and space rules.
fn fixed_script(c: char) -> u16 {
    static HAN: OnceLock<[u16; 3]> = OnceLock::new();
    let [han, hira, kata] =
        *HAN.get_or_init(|| [script_index("Han"), script_index("Hiragana"), script_index("Katakana")]);
    if c == '\u{30FC}' {
        return han;
    }
    if c == ' ' || in_ranges(SCRIPT_ANY, c) {
        return ANY;
    }
    let cp = c as u32;
    let t = table();
    let i = t.partition_point(|&(_, hi, _)| hi < cp);
    let s = match t.get(i) {
        Some(&(lo, _, s)) if lo <= cp => s,
        _ => UNKNOWN,
    };
    if s == hira || s == kata {
        han
    } else if s == UNKNOWN {
        ANY
    } else {
        s
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
    }
}
