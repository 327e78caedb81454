//! Hand-written scanner for tiktoken's o200k_base pattern, the alternation of
//!
//! 1. `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?`
//! 2. `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?`
//! 3. `\p{N}{1,3}`
//! 4. ` ?[^\s\p{L}\p{N}]+[\r\n/]*`
//! 5. `\s*[\r\n]+`
//! 6. `\s+(?!\S)`
//! 7. `\s+`
//!
//! Write U = `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`, W = `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`,
//! P = `[^\r\n\p{L}\p{N}]`. U and W overlap (Lm, Lo, M), and P contains the marks (M is not L),
//! so a mark can be the optional leading char, a U char or a W char. Backtracking order matters:
//!
//! * Alternative 1 from a start `p` ("core1"): `U*` takes the maximal U run `[p, q)`, then gives
//!   chars back until `W+` can start. If the char at `q` is in W (then it is Ll, since it is not
//!   U), `W+` starts at `q` and takes the maximal W run. Otherwise `W+` starts at the LAST char of
//!   `[p, q)` that is in W, and takes exactly that one char: the chars after it inside the run are
//!   Lu/Lt (not W) and the char at `q` is not W either. If no char of the run is in W it fails.
//! * Alternative 2 ("core2"): a non-empty maximal U run, then the maximal W run, can't fail after
//!   that.
//! * The leading `P?` is greedy: first try with the char at `pos` taken as P, then (only useful if
//!   that char is a mark, the only P char that is also U/W) without it. Alternative 1 is tried in
//!   both ways before alternative 2.
//! * The optional contraction is greedy and tried right where the letter part ended.
//!
//! Every char is covered (letters by 1/2, numbers by 3, "other" incl. marks by 4, whitespace by 7),
//! so a match always starts at `pos`.
//!
//! Whitespace: 5 ends after the LAST `\r`/`\n` of the whitespace run (`\s*` backtracks to it and
//! `[\r\n]+` takes just it, as the next char is not `\r`/`\n`); else a run reaching the end of
//! the text is taken whole by 6 (there is no `\s++$` here; `(?!\S)` holds at the end); else a run
//! of n >= 2 gives n-1 chars (6), and a single char goes to 7.
//!
//! Speed: the hottest pieces (ASCII words, with their optional leading char) are recognised from
//! one 8-byte little-endian word at `pos`, the letter run found with SWAR masks
//! ([`crate::unicode::swar`]); other ASCII starts are dispatched on [`crate::unicode::BYTE_CLASS`];
//! only non-ASCII chars are decoded. Each fast path returns exactly what the general decision
//! below returns for that input (the tests in `scan_tests` compare with the regex engine on short
//! and long texts, so both the word-at-a-time and the byte-at-a-time paths are covered).

use crate::unicode::{
    class_at, class_run_end, class_run_end_in_word, numbers_1_to_3_end, other_run_end, skip_while, swar,
    whitespace_run, BYTE_CLASS, LETTER, LOWERISH, NEWLINE, NON_ASCII, NUMBER, UPPERISH, WHITESPACE,
};

/// `FAST[c]`: `c` is `a-z`.
const F_LOWER: u8 = 1;
/// `FAST[c]`: `c` is `A-Z`.
const F_UPPER: u8 = 2;
/// `FAST[c]`: `c` is an ASCII char of P (`[^\r\n\p{L}\p{N}]`).
const F_P: u8 = 3;
static FAST: [u8; 256] = {
    let mut t = [0; 256];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        t[i] = if c.is_ascii_lowercase() {
            F_LOWER
        } else if c.is_ascii_uppercase() {
            F_UPPER
        } else if BYTE_CLASS[i] & (LETTER | NUMBER | NEWLINE) == 0 {
            F_P
        } else {
            0
        };
        i += 1;
    }
    t
};

/// `FROM[FAST[c0] << 2 | FAST[c1]]`: where `W+` starts (see `next_piece`), 0 if not a fast case,
/// `FROM_IF_LOWER` (= 3) if it starts at byte 2 provided that byte is `a-z`.
const FROM_IF_LOWER: usize = 3;
static FROM: [u8; 16] = {
    let mut t = [0; 16];
    let mut k1 = 0;
    while k1 < 4 {
        t[(F_LOWER as usize) << 2 | k1] = 1;
        k1 += 1;
    }
    t[(F_UPPER as usize) << 2 | F_LOWER as usize] = 2;
    t[(F_P as usize) << 2 | F_LOWER as usize] = 2;
    t[(F_P as usize) << 2 | F_UPPER as usize] = FROM_IF_LOWER as u8;
    t
};

/// Byte end of the piece that starts at byte `pos` (`pos < text.len()`, on a char boundary).
#[inline(always)]
pub fn next_piece(text: &str, pos: usize) -> usize {
    let b = text.as_bytes();
    let n = b.len();
    let c0 = b[pos];
    let f0 = FAST[c0 as usize];
    if let Some(chunk) = b[pos..].first_chunk::<8>() {
        // Hottest cases, from one 8-byte word: alternative 1 as `P? U? W+` with ASCII chars
        // (`a-z` is W and not U, `A-Z` is U and not W), where `W+` starts at byte `from`:
        // * `a...`: `P?` and `U*` empty (a letter is not P; `a` is not U);
        // * `Aa...`: `U*` takes `A` only (`a` is not U), `W+` starts at `a`;
        // * `.a...` (`.` any ASCII P char): `P?` takes it, `U*` empty;
        // * `.Aa...`: `P?` takes `.`, `U*` takes `A`.
        // `W+` then takes the maximal W run; the optional contraction follows.
        let w = u64::from_le_bytes(*chunk);
        let mut from = FROM[(f0 as usize) << 2 | FAST[(w >> 8) as u8 as usize] as usize] as usize;
        if from == FROM_IF_LOWER && !((w >> 16) as u8).is_ascii_lowercase() {
            from = 0;
        }
        if from != 0 {
            let end = class_run_end_in_word(b, pos, w, from, swar::lower, LOWERISH);
            return contraction_end(b, end);
        }
    }
    if f0 == F_LOWER {
        return contraction_end(b, lower_end(b, pos + 1));
    }
    if f0 == F_P && pos + 1 < n {
        let k1 = BYTE_CLASS[b[pos + 1] as usize];
        if k1 & (LETTER | NON_ASCII) == 0 {
            // An ASCII P char followed by an ASCII char that is not a letter: alternatives 1 and
            // 2 fail (neither char is U or W), so 4 or the whitespace ones.
            if BYTE_CLASS[c0 as usize] & WHITESPACE == 0 {
                return slashes_end(b, other_run_end(b, pos + 1));
            }
            if c0 == b' ' && k1 == 0 {
                return slashes_end(b, other_run_end(b, pos + 2));
            }
            return whitespace_end(b, pos);
        }
    }
    let (cls, len) = class_at(b, pos);

    // Letters and P chars (`[^\r\n\p{L}\p{N}]`) go through alternatives 1, 2, 4, 5-7 in order.
    // (The hot ASCII-word case is the fast path at the top of `core1`.)
    if cls & (LETTER | NUMBER | NEWLINE) == 0 || cls & LETTER != 0 {
        return letters_or_other(b, pos, cls, len);
    }
    if cls & NUMBER != 0 {
        // `\p{N}{1,3}`
        return numbers_1_to_3_end(b, pos + len);
    }
    // `\r` or `\n`.
    whitespace_end(b, pos)
}

/// `pos` holds a letter, or a char of P (`[^\r\n\p{L}\p{N}]`: other, mark, whitespace but not
/// `\r`/`\n`).
#[inline(always)]
fn letters_or_other(b: &[u8], pos: usize, cls: u8, len: usize) -> usize {
    let is_p = cls & LETTER == 0;
    if is_p {
        let next = pos + len;
        if let Some(end) = core1(b, next) {
            return end;
        }
    }
    if cls & (UPPERISH | LOWERISH) != 0 {
        // A letter, or a mark given back by `P?`.
        if let Some(end) = core1(b, pos) {
            return end;
        }
    }
    if is_p {
        if let Some(end) = core2(b, pos + len) {
            return end;
        }
    }
    if cls & UPPERISH != 0 {
        if let Some(end) = core2(b, pos) {
            return end;
        }
    }
    // Only non-letters get here (a letter is U or W, so core1 or core2 matched it): a mark always
    // matches core1 above, so `pos` holds "other" or whitespace.
    let b0 = b[pos];
    if cls & WHITESPACE == 0 {
        // ` ?[^\s\p{L}\p{N}]+[\r\n/]*` without the space.
        return slashes_end(b, other_end(b, pos + len));
    }
    if b0 == b' ' && pos + 1 < b.len() {
        let (c1, l1) = class_at(b, pos + 1);
        if c1 & (LETTER | NUMBER | WHITESPACE) == 0 {
            return slashes_end(b, other_end(b, pos + 1 + l1));
        }
    }
    whitespace_end(b, pos)
}

/// `U*W+C?` at `p`.
#[inline(always)]
fn core1(b: &[u8], p: usize) -> Option<usize> {
    let n = b.len();
    let mut i = p;
    // ASCII fast path: a lowercase ASCII letter is W and not U, so the U run (if any) ends here
    // and W+ starts here.
    if i < n && b[i].is_ascii_lowercase() {
        return Some(contraction_end(b, lower_end(b, i + 1)));
    }
    // ASCII fast path for `Word` / `ABCdef`: ASCII capitals are Lu (U, not W) and a lowercase
    // ASCII letter is not U, so the U run is exactly the capitals and W+ starts after them.
    if i < n && b[i].is_ascii_uppercase() {
        let mut j = i + 1;
        while j < n && b[j].is_ascii_uppercase() {
            j += 1;
        }
        if j < n && b[j].is_ascii_lowercase() {
            return Some(contraction_end(b, lower_end(b, j + 1)));
        }
        // Otherwise (non-ASCII or non-letter after the capitals) take the general path from p.
    }
    let mut last_w_end = None;
    while i < n {
        let (c, l) = class_at(b, i);
        if c & UPPERISH == 0 {
            if c & LOWERISH != 0 {
                // W+ starts at the char after the U run and is maximal.
                return Some(contraction_end(b, lower_end(b, i + l)));
            }
            break;
        }
        if c & LOWERISH != 0 {
            last_w_end = Some(i + l);
        }
        i += l;
    }
    // W+ had to start inside the U run: at its last W char, taking just that char.
    last_w_end.map(|e| contraction_end(b, e))
}

/// `U+W*C?` at `p`.
#[inline(always)]
fn core2(b: &[u8], p: usize) -> Option<usize> {
    let i = skip_while(b, p, UPPERISH, UPPERISH);
    if i == p {
        return None;
    }
    Some(contraction_end(b, lower_end(b, i)))
}

/// End of the maximal W run continuing at `i`.
#[inline(always)]
fn lower_end(b: &[u8], i: usize) -> usize {
    class_run_end(b, i, swar::lower, LOWERISH)
}

/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)?` at `i`.
#[inline(always)]
fn contraction_end(b: &[u8], i: usize) -> usize {
    if b.get(i) != Some(&b'\'') {
        return i;
    }
    let Some(&c1) = b.get(i + 1) else { return i };
    // `c | 0x20` maps exactly `X`/`x` to `x` for ASCII letters; non-ASCII bytes stay >= 0xA0.
    match c1 | 0x20 {
        b's' | b't' | b'm' | b'd' => i + 2,
        b'r' | b'v' if b.get(i + 2).map(|&c| c | 0x20) == Some(b'e') => i + 3,
        b'l' if b.get(i + 2).map(|&c| c | 0x20) == Some(b'l') => i + 3,
        // U+017F LATIN SMALL LETTER LONG S (0xC5 0xBF) case-folds to `s`.
        _ if c1 == 0xC5 && b.get(i + 2) == Some(&0xBF) => i + 3,
        _ => i,
    }
}

/// End of a run of "other" chars (`[^\s\p{L}\p{N}]`, marks included) continuing at `i`.
#[inline(always)]
fn other_end(b: &[u8], i: usize) -> usize {
    skip_while(b, i, LETTER | NUMBER | WHITESPACE, 0)
}

/// End of a `[\r\n/]*` run at `i`.
#[inline(always)]
fn slashes_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b'\r' | b'\n' | b'/') {
        i += 1;
    }
    i
}

/// Alternatives 5-7 at `pos`, which holds a whitespace char.
#[inline]
fn whitespace_end(b: &[u8], pos: usize) -> usize {
    let r = whitespace_run(b, pos);
    if r.after_newline != 0 {
        r.after_newline // `\s*[\r\n]+`
    } else if r.end == b.len() || r.last_start == pos {
        r.end // `\s+(?!\S)` at the end of the text, or `\s+` for a single char
    } else {
        r.last_start // `\s+(?!\S)` after giving back the last whitespace char
    }
}
