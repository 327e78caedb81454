//! Fast codepoint classification for the hand-written pre-tokenization scanners.
//!
//! Every codepoint maps to a `u8` of flag bits. ASCII is a plain `const` table (no lazy
//! initialisation on the hot path); everything else goes through a two-level table (256-codepoint
//! blocks, deduplicated) built on first use from `regex_syntax`'s own Unicode tables, so the
//! classes are exactly the ones the `regex` / `fancy-regex` engines use for `\p{L}`, `\s`, ...
//! Codepoints below U+0800 (2-byte UTF-8) also have a flat table, for speed on Latin, Greek,
//! Cyrillic, Hebrew, Arabic, ...
//!
//! For the scanners' ASCII fast paths: [`BYTE_CLASS`] (class of every byte value, with a
//! [`NON_ASCII`] marker), the [`swar`] masks (8 bytes at a time) and the run helpers
//! ([`class_run_end`], [`other_run_end`], [`whitespace_run`]).

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

/// Set in [`BYTE_CLASS`] for the bytes `0x80..=0xFF` (parts of non-ASCII chars). Never set in a
/// codepoint's class.
pub const NON_ASCII: u8 = 1 << 7;

const fn byte_table() -> [u8; 256] {
    let ascii = ascii_table();
    let mut t = [NON_ASCII; 256];
    let mut i = 0;
    while i < 128 {
        t[i] = ascii[i];
        i += 1;
    }
    t
}

/// Class of every byte: the ASCII class for `0x00..=0x7F`, [`NON_ASCII`] for the others (indexing
/// it with a `u8` needs no bounds check).
pub static BYTE_CLASS: [u8; 256] = byte_table();

struct Tables {
    /// `cp >> 8` -> byte offset of the codepoint's 256-entry block in `blocks`. Every entry `e`
    /// satisfies `e + 255 < blocks.len()` (established by `build_tables`, which is the only
    /// constructor; `class_of_non_ascii` relies on it).
    index: Box<[u32; INDEX_LEN]>,
    /// Concatenated 256-entry blocks.
    blocks: Vec<u8>,
    /// Flat classes of the codepoints below U+0800 (those with 1- and 2-byte UTF-8 sequences).
    small: Box<[u8; SMALL_LEN]>,
}

/// Codepoints with a 2-byte (or 1-byte) UTF-8 sequence.
const SMALL_LEN: usize = 0x800;

impl Tables {
    /// Class bits of `cp` (unspecified, never UB, for values that are not codepoints).
    #[inline(always)]
    fn class(&self, cp: u32) -> u8 {
        let block = self.index[(cp as usize >> 8) & (INDEX_LEN - 1)] as usize;
        // SAFETY: `block + 255 < self.blocks.len()` for every entry of `self.index` (asserted in
        // `build_tables`), and `cp & 0xff <= 255`.
        unsafe { *self.blocks.get_unchecked(block + (cp as usize & 0xff)) }
    }

    /// Class bits and byte length of the char whose (non-ASCII) lead byte `b0 = bytes[i]` is.
    #[inline(always)]
    fn class_len_non_ascii(&self, bytes: &[u8], i: usize, b0: u8) -> (u8, usize) {
        if b0 < 0xE0 {
            let cp = ((b0 as usize & 0x1F) << 6) | (bytes[i + 1] as usize & 0x3F);
            (self.small[cp], 2)
        } else {
            let (cp, len) = decode_non_ascii(bytes, i);
            (self.class(cp), len)
        }
    }
}

const N_CODEPOINTS: usize = 0x11_0000;
/// Length of `Tables::index`: a power of two covering `0x1F_FFFF >> 8` (the largest value the
/// decoder can produce from 4 bytes), so `(cp >> 8) & (INDEX_LEN - 1)` is always in bounds and
/// equals `cp >> 8` for every valid codepoint.
const INDEX_LEN: usize = 0x2000;

fn class_ranges(pattern: &str) -> Vec<(u32, u32)> {
    use regex_syntax::hir::{Class, HirKind};
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .unwrap_or_else(|e| panic!("bad class {pattern}: {e}"));
    match hir.kind() {
        HirKind::Class(Class::Unicode(c)) => c.ranges().iter().map(|r| (r.start() as u32, r.end() as u32)).collect(),
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

    // Block 0 is all zeros: the class of the (invalid) codepoints past U+10FFFF, in case a
    // caller passes bytes that are not UTF-8.
    let mut blocks: Vec<u8> = vec![0; 256];
    let mut index = Box::new([0u32; INDEX_LEN]);
    let mut seen: std::collections::HashMap<&[u8], u32> = std::collections::HashMap::new();
    seen.insert(&[0u8; 256][..], 0);
    for (hi, block) in flat.chunks_exact(256).enumerate() {
        let next = blocks.len() as u32;
        let offset = *seen.entry(block).or_insert(next);
        if offset == next {
            blocks.extend_from_slice(block);
        }
        index[hi] = offset;
    }
    assert!(index.iter().all(|&e| e as usize + 255 < blocks.len()));
    let small = Box::new(std::array::from_fn(|cp| flat[cp]));
    Tables { index, blocks, small }
}

#[inline(always)]
fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(build_tables)
}

/// Class bits of a non-ASCII codepoint (`cp` should be a valid scalar value >= 0x80; anything
/// else gives an unspecified class, never UB).
#[inline(always)]
pub fn class_of_non_ascii(cp: u32) -> u8 {
    tables().class(cp)
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
#[inline(always)]
pub fn decode_non_ascii(bytes: &[u8], i: usize) -> (u32, usize) {
    let b0 = bytes[i] as u32;
    if b0 < 0xE0 {
        (((b0 & 0x1F) << 6) | (bytes[i + 1] as u32 & 0x3F), 2)
    } else if b0 < 0xF0 {
        (((b0 & 0x0F) << 12) | ((bytes[i + 1] as u32 & 0x3F) << 6) | (bytes[i + 2] as u32 & 0x3F), 3)
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
        tables().class_len_non_ascii(bytes, i, b)
    }
}

/// First position `>= i` whose character does not satisfy `class & mask == want` (or
/// `bytes.len()`).
#[inline(always)]
pub fn skip_while(bytes: &[u8], mut i: usize, mask: u8, want: u8) -> usize {
    let t = tables();
    while let Some(&b) = bytes.get(i) {
        if b < 0x80 {
            if ASCII[b as usize] & mask != want {
                break;
            }
            i += 1;
        } else {
            let (cls, len) = t.class_len_non_ascii(bytes, i, b);
            if cls & mask != want {
                break;
            }
            i += len;
        }
    }
    i
}

/// End of the run of chars whose class has all the bits of `mask`, continuing at `i`, where
/// `set` is a [`swar`] mask function selecting exactly the ASCII bytes of that class.
#[inline(always)]
pub fn class_run_end(bytes: &[u8], i: usize, set: impl Fn(u64) -> u64, mask: u8) -> usize {
    let i = swar::run_end(bytes, i, set);
    if i < bytes.len() && bytes[i] >= 0x80 {
        // A non-ASCII char may still be in the class.
        skip_while(bytes, i, mask, mask)
    } else {
        i
    }
}

/// Like [`class_run_end`] from byte `pos + from` (`from < 8`), where `w` holds the 8 bytes
/// `bytes[pos..pos + 8]`.
#[inline(always)]
pub fn class_run_end_in_word(
    bytes: &[u8],
    pos: usize,
    w: u64,
    from: usize,
    set: impl Fn(u64) -> u64,
    mask: u8,
) -> usize {
    let stop = !set(w) & (swar::HI << (8 * from));
    if stop == 0 {
        return class_run_end(bytes, pos + 8, set, mask);
    }
    let end = pos + swar::first(stop);
    if w & stop & stop.wrapping_neg() == 0 {
        end // an ASCII byte not in `set`
    } else {
        skip_while(bytes, end, mask, mask)
    }
}

/// End of a run of "other" chars (`[^\s\p{L}\p{N}]`, marks included) continuing at `i`.
#[inline(always)]
pub fn other_run_end(bytes: &[u8], mut i: usize) -> usize {
    // ASCII "other" bytes are the ones of class 0 in `BYTE_CLASS`.
    while i < bytes.len() && BYTE_CLASS[bytes[i] as usize] == 0 {
        i += 1;
    }
    if i < bytes.len() && bytes[i] >= 0x80 {
        skip_while(bytes, i, LETTER | NUMBER | WHITESPACE, 0)
    } else {
        i
    }
}

/// A maximal run of whitespace chars `[start, end)` (see [`whitespace_run`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WhitespaceRun {
    /// End of the run (the next char is not whitespace, or this is `bytes.len()`).
    pub end: usize,
    /// Start of the last char of the run.
    pub last_start: usize,
    /// End of the last `\r` / `\n` of the run, or 0 if it has none.
    pub after_newline: usize,
}

/// The maximal run of whitespace chars starting at `pos`, which holds one.
#[inline(always)]
pub fn whitespace_run(bytes: &[u8], pos: usize) -> WhitespaceRun {
    let mut i = pos;
    let mut last_len = 0;
    let mut after_newline = 0;
    loop {
        if let Some(chunk) = bytes.get(i..).and_then(|r| r.first_chunk::<8>()) {
            // ASCII whitespace 8 bytes at a time.
            let w = u64::from_le_bytes(*chunk);
            let ws = swar::in_range(w, b'\t', b'\r') | swar::eq(w, b' ');
            let newlines = swar::eq(w, b'\n') | swar::eq(w, b'\r');
            let stop = !ws & swar::HI;
            // Bytes before the first stop (all of them if none).
            let run = stop.wrapping_sub(1) & !stop;
            let nl = newlines & run;
            if nl != 0 {
                after_newline = i + (63 - nl.leading_zeros() as usize) / 8 + 1;
            }
            if stop == 0 {
                i += 8;
                last_len = 1;
                continue;
            }
            let k = swar::first(stop);
            if k > 0 {
                i += k;
                last_len = 1;
            }
            if w & stop & stop.wrapping_neg() == 0 {
                break; // an ASCII non-whitespace byte
            }
        }
        // One char at a time (near the end of the text, or a non-ASCII char).
        let Some(&c) = bytes.get(i) else { break };
        let (cls, len) = class_at(bytes, i);
        if cls & WHITESPACE == 0 {
            break;
        }
        if c == b'\n' || c == b'\r' {
            after_newline = i + 1;
        }
        i += len;
        last_len = len;
    }
    WhitespaceRun { end: i, last_start: i - last_len, after_newline }
}

/// SWAR helpers: a `u64` holds 8 consecutive bytes (little-endian order, so byte `k` of the
/// text is bits `8k..8k+8`); a "mask" has the high bit of byte `k` set iff byte `k` is in the
/// set, and all other bits clear.
pub mod swar {
    const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    /// The high bit of every byte.
    pub const HI: u64 = 0x8080_8080_8080_8080;

    #[inline(always)]
    const fn splat(b: u8) -> u64 {
        (b as u64) * 0x0101_0101_0101_0101
    }

    /// Mask of the bytes in `lo..=hi` (`hi < 0x80`, `lo <= hi`).
    #[inline(always)]
    pub const fn in_range(w: u64, lo: u8, hi: u8) -> u64 {
        // With the high bits cleared, adding `0x80 - x` (<= 0x80) never carries out of a byte,
        // and sets its high bit iff the byte is >= x.
        let low = w & LO7;
        let ge_lo = low + splat(0x80 - lo);
        let gt_hi = low + splat(0x80 - (hi + 1));
        ge_lo & !gt_hi & !w & HI
    }

    /// Mask of the ASCII letters `A-Z a-z`.
    #[inline(always)]
    pub const fn letters(w: u64) -> u64 {
        // `x | 0x20` maps `A-Z` onto `a-z`; the other bytes below 0x80 land outside `a-z`
        // (`@` -> `` ` ``, `[ \ ] ^ _` -> `{ | } ~ DEL`); the high bit is unchanged.
        in_range(w | splat(0x20), b'a', b'z')
    }

    /// Mask of `a-z`.
    #[inline(always)]
    pub const fn lower(w: u64) -> u64 {
        in_range(w, b'a', b'z')
    }

    /// Mask of `A-Z`.
    #[inline(always)]
    pub const fn upper(w: u64) -> u64 {
        in_range(w, b'A', b'Z')
    }

    /// Mask of `0-9`.
    #[inline(always)]
    pub const fn digits(w: u64) -> u64 {
        in_range(w, b'0', b'9')
    }

    /// Mask of the bytes equal to `c` (`c < 0x80`).
    #[inline(always)]
    pub const fn eq(w: u64, c: u8) -> u64 {
        in_range(w, c, c)
    }

    /// The 8 bytes `b[i..i + 8]` as a word (`i + 8 <= b.len()`).
    #[inline(always)]
    pub fn load(b: &[u8], i: usize) -> u64 {
        u64::from_le_bytes(b[i..i + 8].try_into().unwrap())
    }

    /// Index (0..8) of the first byte flagged in a non-zero mask.
    #[inline(always)]
    pub fn first(mask: u64) -> usize {
        (mask.trailing_zeros() / 8) as usize
    }

    /// First position `>= i` (or `b.len()`) whose byte is not in the set described by `set`,
    /// which must be a mask function as above that never contains the byte 0x00 (a zero byte
    /// stands for "past the end" when the last word is shifted).
    #[inline(always)]
    pub fn run_end(b: &[u8], mut i: usize, set: impl Fn(u64) -> u64) -> usize {
        let n = b.len();
        while i + 8 <= n {
            let w = load(b, i);
            let stop = !set(w) & HI;
            if stop != 0 {
                return i + first(stop);
            }
            i += 8;
        }
        if i < n {
            if n >= 8 {
                // The last 8 bytes, shifted so that byte `i` comes first; the `8 - (n - i)`
                // (1..=7) bytes shifted in are zero, not in the set, so `stop != 0`.
                let w = load(b, n - 8) >> (8 * (8 - (n - i)));
                let stop = !set(w) & HI;
                return i + first(stop);
            }
            while i < n && set(b[i] as u64) != 0 {
                i += 1;
            }
        }
        i
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_table_matches_regex_syntax() {
        let t = build_tables();
        for cp in 0..128usize {
            let derived = t.blocks[t.index[0] as usize + cp];
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

    /// `class_at` (the 2-byte flat table and the 3/4-byte two-level table) agrees with
    /// `class_of` on every codepoint.
    #[test]
    fn class_at_matches_class_of() {
        let mut buf = [0u8; 4];
        for c in (0..N_CODEPOINTS as u32).filter_map(char::from_u32) {
            let s = c.encode_utf8(&mut buf);
            assert_eq!(class_at(s.as_bytes(), 0), (class_of(c), s.len()), "{c:?}");
            assert_eq!(skip_while(s.as_bytes(), 0, 0xff, class_of(c)), s.len(), "{c:?}");
        }
    }

    #[test]
    fn whitespace_run_matches_char_loop() {
        let parts = ["", " ", "  ", "\t", "\n", "\r\n", "\u{a0}", "\u{3000}", "\u{85}", "        ", "\x0b\x0c"];
        let ends = ["", "x", "é", "\u{200b}", ".", "   "];
        let mut texts = Vec::new();
        for a in parts {
            for b in parts {
                for c in parts {
                    for e in ends {
                        texts.push(format!("{a}{b}{c}{a}{e}"));
                    }
                }
            }
        }
        for t in &texts {
            for (pos, ch) in t.char_indices() {
                if class_of(ch) & WHITESPACE == 0 {
                    continue;
                }
                let mut end = pos;
                let mut last_start = pos;
                let mut after_newline = 0;
                for (i, c) in t[pos..].char_indices() {
                    if class_of(c) & WHITESPACE == 0 {
                        break;
                    }
                    if c == '\n' || c == '\r' {
                        after_newline = pos + i + 1;
                    }
                    last_start = pos + i;
                    end = pos + i + c.len_utf8();
                }
                let want = WhitespaceRun { end, last_start, after_newline };
                assert_eq!(whitespace_run(t.as_bytes(), pos), want, "{t:?} at {pos}");
            }
        }
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

    #[test]
    fn byte_class_table() {
        for b in 0..=255u8 {
            let want = if b < 0x80 { ASCII[b as usize] } else { NON_ASCII };
            assert_eq!(BYTE_CLASS[b as usize], want, "{b:#x}");
        }
        assert!(ASCII.iter().all(|&c| c & NON_ASCII == 0));
    }

    /// Every SWAR mask function against its byte-wise definition, on every byte value in every
    /// lane, next to neighbours that could carry into it.
    #[test]
    fn swar_masks_are_exact() {
        type Set = (fn(u64) -> u64, fn(u8) -> bool);
        let sets: [Set; 5] = [
            (swar::letters, |b| b.is_ascii_alphabetic()),
            (swar::lower, |b| b.is_ascii_lowercase()),
            (swar::upper, |b| b.is_ascii_uppercase()),
            (swar::digits, |b| b.is_ascii_digit()),
            (|w| swar::eq(w, b' '), |b| b == b' '),
        ];
        for (set, want) in sets {
            for x in 0..=255u8 {
                for y in [0u8, 0x1f, 0x20, 0x40, 0x5a, 0x7a, 0x7f, 0x80, 0xbf, 0xff, x] {
                    for lane in 0..8 {
                        let mut bytes = [y; 8];
                        bytes[lane] = x;
                        let m = set(u64::from_le_bytes(bytes));
                        for (k, &c) in bytes.iter().enumerate() {
                            let bit = (m >> (8 * k + 7)) & 1 == 1;
                            assert_eq!(bit, want(c), "{c:#x} in lane {k} of {bytes:x?}");
                        }
                        assert_eq!(m & !swar::HI, 0);
                    }
                }
            }
        }
    }

    #[test]
    fn swar_run_end_matches_byte_loop() {
        let text = b"abcDEFghijklmnop qrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ@[`{ \xc3\xa9tail";
        for len in 0..text.len() {
            let b = &text[..len];
            for i in 0..=len {
                let want = i + b[i..].iter().take_while(|c| c.is_ascii_alphabetic()).count();
                assert_eq!(swar::run_end(b, i, swar::letters), want, "len {len} i {i}");
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

/// End of `\p{N}{1,3}` whose first number char ends at `i`: at most two more number chars follow.
#[inline(always)]
pub fn numbers_1_to_3_end(b: &[u8], mut i: usize) -> usize {
    for _ in 0..2 {
        if i >= b.len() {
            break;
        }
        let (c, l) = class_at(b, i);
        if c & NUMBER == 0 {
            break;
        }
        i += l;
    }
    i
}
