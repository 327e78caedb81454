//! Fast codepoint classification for the hand-written pre-tokenization scanners.
//!
//! Every codepoint maps to a `u8` of flag bits. ASCII is a plain `const` table (no lazy
//! initialisation on the hot path); everything else goes through a two-level table (256-codepoint
//! blocks, deduplicated) built on first use from `regex_syntax`'s own Unicode tables, so the
//! classes are exactly the ones the `regex` / `fancy-regex` engines use for `\p{L}`, `\s`, ...

use std::sync::OnceLock;

/// `\p{L}` (General_Category = Letter).
pub const LETTER: u8 = 1 << 0;
/// `\p{N}` (General_Category = Number).
pub const NUMBER: u8 = 1 << 1;
/// `\p{M}` (General_Category = Mark).
pub const MARK: u8 = 1 << 2;
/// `\s` in Unicode mode (the White_Space property).
pub const WHITESPACE: u8 = 1 << 3;
/// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]` (o200k's "upper" class).
pub const UPPERISH: u8 = 1 << 4;
/// `[\p{Ll}\p{Lm}\p{Lo}\p{M}]` (o200k's "lower" class).
pub const LOWERISH: u8 = 1 << 5;
/// `[\r\n]` only (ASCII; never set for other codepoints).
pub const NEWLINE: u8 = 1 << 6;

const fn ascii_table() -> [u8; 128] {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        t[i] = if b.is_ascii_uppercase() {
            LETTER | UPPERISH
        } else if b.is_ascii_lowercase() {
            LETTER | LOWERISH
        } else if b.is_ascii_digit() {
            NUMBER
        } else if b == b'\r' || b == b'\n' {
            WHITESPACE | NEWLINE
        } else if b == b' ' || b == b'\t' || b == 0x0b || b == 0x0c {
            // White_Space in ASCII is exactly U+0009..U+000D and U+0020 (not U+001C..U+001F).
            WHITESPACE
        } else {
            0
        };
        i += 1;
    }
    t
}

/// Classes of the 128 ASCII codepoints (checked against `regex_syntax` in the tests).
pub static ASCII: [u8; 128] = ascii_table();

struct Tables {
    /// `cp >> 8` -> block number.
    index: Vec<u16>,
    /// Concatenated 256-entry blocks.
    blocks: Vec<u8>,
}

const N_CODEPOINTS: usize = 0x11_0000;

fn class_ranges(pattern: &str) -> Vec<(u32, u32)> {
    use regex_syntax::hir::{Class, HirKind};
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .unwrap_or_else(|e| panic!("bad class {pattern}: {e}"));
    match hir.kind() {
        HirKind::Class(Class::Unicode(c)) => {
            c.ranges().iter().map(|r| (r.start() as u32, r.end() as u32)).collect()
        }
        other => panic!("{pattern} did not parse to a Unicode class: {other:?}"),
    }
}

fn build_tables() -> Tables {
    let mut flat = vec![0u8; N_CODEPOINTS];
    let classes: [(&str, u8); 6] = [
        (r"\p{L}", LETTER),
        (r"\p{N}", NUMBER),
        (r"\p{M}", MARK),
        (r"\s", WHITESPACE),
        (r"[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]", UPPERISH),
        (r"[\p{Ll}\p{Lm}\p{Lo}\p{M}]", LOWERISH),
    ];
    for (pattern, bit) in classes {
        for (lo, hi) in class_ranges(pattern) {
            for f in &mut flat[lo as usize..=hi as usize] {
                *f |= bit;
            }
        }
    }
    flat[b'\r' as usize] |= NEWLINE;
    flat[b'\n' as usize] |= NEWLINE;

    let mut index = Vec::with_capacity(N_CODEPOINTS >> 8);
    let mut blocks: Vec<u8> = Vec::new();
    let mut seen: std::collections::HashMap<&[u8], u16> = std::collections::HashMap::new();
    for block in flat.chunks_exact(256) {
        let next = seen.len() as u16;
        let id = *seen.entry(block).or_insert(next);
        if id == next {
            blocks.extend_from_slice(block);
        }
        index.push(id);
    }
    Tables { index, blocks }
}

#[inline]
fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(build_tables)
}

/// Class bits of a non-ASCII codepoint (`cp` must be a valid scalar value >= 0x80).
#[inline]
pub fn class_of_non_ascii(cp: u32) -> u8 {
    let t = tables();
    let block = t.index[(cp >> 8) as usize] as usize;
    t.blocks[(block << 8) | (cp as usize & 0xff)]
}

/// Class bits (`LETTER`, `NUMBER`, ...) of `c`.
#[inline]
pub fn class_of(c: char) -> u8 {
    let cp = c as u32;
    if cp < 0x80 {
        ASCII[cp as usize]
    } else {
        class_of_non_ascii(cp)
    }
}

/// Decodes the non-ASCII UTF-8 sequence starting at `bytes[i]` (which must be the lead byte of a
/// valid sequence, as it is in a `&str`): returns the codepoint and its length in bytes.
#[inline]
pub fn decode_non_ascii(bytes: &[u8], i: usize) -> (u32, usize) {
    let b0 = bytes[i] as u32;
    if b0 < 0xE0 {
        (((b0 & 0x1F) << 6) | (bytes[i + 1] as u32 & 0x3F), 2)
    } else if b0 < 0xF0 {
        (
            ((b0 & 0x0F) << 12) | ((bytes[i + 1] as u32 & 0x3F) << 6) | (bytes[i + 2] as u32 & 0x3F),
            3,
        )
    } else {
        (
            ((b0 & 0x07) << 18)
                | ((bytes[i + 1] as u32 & 0x3F) << 12)
                | ((bytes[i + 2] as u32 & 0x3F) << 6)
                | (bytes[i + 3] as u32 & 0x3F),
            4,
        )
    }
}

/// Class bits and byte length of the character starting at `bytes[i]` (`i` must be on a char
/// boundary of valid UTF-8 and `< bytes.len()`).
#[inline(always)]
pub fn class_at(bytes: &[u8], i: usize) -> (u8, usize) {
    let b = bytes[i];
    if b < 0x80 {
        (ASCII[b as usize], 1)
    } else {
        let (cp, len) = decode_non_ascii(bytes, i);
        (class_of_non_ascii(cp), len)
    }
}

/// First position `>= i` whose character does not satisfy `class & mask == want` (or
/// `bytes.len()`).
#[inline(always)]
pub fn skip_while(bytes: &[u8], mut i: usize, mask: u8, want: u8) -> usize {
    while i < bytes.len() {
        let (cls, len) = class_at(bytes, i);
        if cls & mask != want {
            break;
        }
        i += len;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_table_matches_regex_syntax() {
        let t = build_tables();
        for cp in 0..128usize {
            let derived = t.blocks[(t.index[0] as usize) << 8 | cp];
            assert_eq!(ASCII[cp], derived, "ASCII class of {cp:#x}");
        }
    }

    #[test]
    fn table_is_compact_and_spot_checks() {
        let t = build_tables();
        assert!(t.blocks.len() < 400 * 256, "{} blocks", t.blocks.len() / 256);
        assert_eq!(class_of('a'), LETTER | LOWERISH);
        assert_eq!(class_of('\u{301}'), MARK | UPPERISH | LOWERISH);
        assert_eq!(class_of('ǅ'), LETTER | UPPERISH); // Lt
        assert_eq!(class_of('ʰ'), LETTER | UPPERISH | LOWERISH); // Lm
        assert_eq!(class_of('日'), LETTER | UPPERISH | LOWERISH); // Lo
        assert_eq!(class_of('\u{a0}'), WHITESPACE);
        assert_eq!(class_of('\u{85}'), WHITESPACE);
        assert_eq!(class_of('\u{3000}'), WHITESPACE);
        assert_eq!(class_of('\u{200b}'), 0); // ZWSP is not White_Space
        assert_eq!(class_of('١'), NUMBER);
        assert_eq!(class_of('Ⅻ'), NUMBER); // Nl
        assert_eq!(class_of('😀'), 0);
        assert_eq!(class_of(char::MAX), 0);
    }

    /// Every codepoint against the `regex` engine itself (via fancy-regex, which delegates).
    #[test]
    fn all_codepoints_match_regex_engine() {
        let all: String = (0..N_CODEPOINTS as u32).filter_map(char::from_u32).collect();
        let classes: [(&str, u8); 7] = [
            (r"\p{L}", LETTER),
            (r"\p{N}", NUMBER),
            (r"\p{M}", MARK),
            (r"\s", WHITESPACE),
            (r"[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]", UPPERISH),
            (r"[\p{Ll}\p{Lm}\p{Lo}\p{M}]", LOWERISH),
            (r"[\r\n]", NEWLINE),
        ];
        for (pattern, bit) in classes {
            let re = fancy_regex::Regex::new(pattern).unwrap();
            let mut expected = vec![false; N_CODEPOINTS];
            for m in re.find_iter(&all) {
                for c in m.unwrap().as_str().chars() {
                    expected[c as usize] = true;
                }
            }
            for c in all.chars() {
                assert_eq!(class_of(c) & bit != 0, expected[c as usize], "{pattern} on {c:?}");
            }
        }
    }

    /// The contraction letters under `(?i)`: the scanners assume ASCII case pairs plus
    /// U+017F LATIN SMALL LETTER LONG S (folds to `s`) and nothing else.
    #[test]
    fn case_insensitive_contraction_letters() {
        let mut got: Vec<char> = class_ranges(r"(?i)[sdmtlver]")
            .into_iter()
            .flat_map(|(lo, hi)| (lo..=hi).filter_map(char::from_u32))
            .collect();
        got.sort();
        let mut want: Vec<char> = "sdmtlverSDMTLVER\u{17f}".chars().collect();
        want.sort();
        assert_eq!(got, want);
    }
}
