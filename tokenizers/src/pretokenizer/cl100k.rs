//! Hand-written scanner for tiktoken's cl100k_base pattern:
//!
//! `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`
//!
//! (The Hugging Face form with `\p{N}{1,3}` and `\s++\z` gives the same pieces: nothing follows
//! the digit group, and `$` without the `m` flag is the end of the text.)
//!
//! A match always starts at `pos`: letters, numbers, "other" and whitespace chars each have an
//! alternative matching them on their own.
//!
//! Decision at `pos`, in alternative order:
//! 1. `'` + `s d m t` / `ll ve re`, case-insensitively with Unicode simple case folding: besides
//!    ASCII case pairs only U+017F `ſ` (folds to `s`) is added (asserted in `unicode` tests).
//! 2. `[^\r\n\p{L}\p{N}]?+\p{L}++`: a letter run, optionally preceded by one char that is not
//!    `\r`, `\n`, a letter or a number (space, tab, NBSP, punctuation, mark, emoji, ...). The
//!    possessive `?+` never needs to give its char back: that char is not a letter, so without
//!    it `\p{L}` would fail at the same place anyway.
//! 3. 1 to 3 number chars.
//! 4. optional U+0020, a run of "other" chars, then any `\r`/`\n` run.
//! 5. whitespace run reaching the end of the text: all of it.
//! 6. `\s*[\r\n]`: `\s*` takes the whole whitespace run and backtracks until the next char is
//!    `\r`/`\n`, so the piece ends just after the LAST `\r`/`\n` of the run.
//! 7. run of n >= 2 whitespace chars (no newline, not at end): the first n-1.
//! 8. one whitespace char.
//!
//! Speed: the hottest pieces (ASCII words, with their optional leading char) are recognised from
//! one 8-byte little-endian word at `pos`, the letter run found with SWAR masks
//! ([`crate::unicode::swar`]); other ASCII starts are dispatched on [`crate::unicode::BYTE_CLASS`];
//! only non-ASCII chars are decoded. Each fast path returns exactly what the general decision
//! below returns for that input (the tests in `scan_tests` compare with the regex engine on short
//! and long texts, so both the word-at-a-time and the byte-at-a-time paths are covered).

use crate::unicode::{
    class_at, class_run_end, numbers_1_to_3_end, other_run_end, skip_while, swar, whitespace_run, BYTE_CLASS, LETTER,
    NEWLINE, NON_ASCII, NUMBER, WHITESPACE,
};

/// Byte end of the piece that starts at byte `pos` (`pos < text.len()`, on a char boundary).
#[inline(always)]
pub fn next_piece(text: &str, pos: usize) -> usize {
    let b = text.as_bytes();
    let n = b.len();
    let c0 = b[pos];
    if let Some(chunk) = b[pos..].first_chunk::<8>() {
        // Hottest case, from one 8-byte word: alternative 2 with ASCII letters, i.e. a letter at
        // `pos`, or an ASCII char of `[^\r\n\p{L}\p{N}]` other than `'` (which may start a
        // contraction, alternative 1) followed by a letter.
        let w = u64::from_le_bytes(*chunk);
        let f0 = FAST[c0 as usize];
        if f0 == F_LETTER || (f0 == F_PREFIX && BYTE_CLASS[(w >> 8) as u8 as usize] & LETTER != 0) {
            // Byte 0 is taken either way; the letter run goes on from byte 1.
            let stop = !swar::letters(w) & (swar::HI & !0x80);
            if stop == 0 {
                return letters_end(b, pos + 8);
            }
            let end = pos + swar::first(stop);
            if w & stop & stop.wrapping_neg() == 0 {
                // The run stops at an ASCII byte: not a letter.
                return end;
            }
            return skip_while(b, end, LETTER, LETTER);
        }
    }
    let k0 = BYTE_CLASS[c0 as usize];
    // ASCII fast paths (`k0` is the class of the char at `pos` when it is ASCII).
    if k0 & LETTER != 0 {
        // A letter can't start alternative 1 (not `'`): alternative 2 without its optional char.
        return letters_end(b, pos + 1);
    }
    if c0 == b' ' && pos + 1 < n {
        let k1 = BYTE_CLASS[b[pos + 1] as usize];
        if k1 & LETTER != 0 {
            // ` word`: alternative 2 (the space is in `[^\r\n\p{L}\p{N}]`).
            return letters_end(b, pos + 2);
        }
        if k1 == 0 {
            // Space + ASCII "other" char: 1-3 fail (no letter, number or `'` at `pos`), 4 takes
            // the space and the "other" run.
            return newlines_end(b, other_end(b, pos + 2));
        }
        if k1 & NUMBER != 0 {
            // A single space before a digit: 1-7 fail (the run is one char, not at the end, no
            // newline, and `(?!\S)` fails after it); 8 takes it.
            return pos + 1;
        }
        if k1 == NON_ASCII {
            let (c1, l1) = class_at(b, pos + 1);
            if c1 & LETTER != 0 {
                // ` word` with a non-ASCII first letter.
                return skip_while(b, pos + 1 + l1, LETTER, LETTER);
            }
        }
    }
    if k0 == NON_ASCII {
        let (cls, len) = class_at(b, pos);
        if cls & LETTER != 0 {
            // 1 needs `'`; 2 without the optional char (a letter is not in its class).
            return skip_while(b, pos + len, LETTER, LETTER);
        }
    }
    if k0 & NUMBER != 0 {
        // `\p{N}{1,3}+` (the second and third chars may be non-ASCII numbers).
        return numbers_1_to_3_end(b, pos + 1);
    }
    if k0 == 0 {
        // ASCII "other" char (in `[^\r\n\p{L}\p{N}]` and `[^\s\p{L}\p{N}]`).
        if c0 == b'\'' {
            if let Some(end) = contraction(b, pos) {
                return end;
            }
        }
        if pos + 1 < n {
            // Alternative 2 if a letter follows.
            let c1 = b[pos + 1];
            if BYTE_CLASS[c1 as usize] & LETTER != 0 {
                return letters_end(b, pos + 2);
            }
            if c1 >= 0x80 {
                let (k1, l1) = class_at(b, pos + 1);
                if k1 & LETTER != 0 {
                    return letters_end(b, pos + 1 + l1);
                }
            }
        }
        // Alternative 4 without the space.
        return newlines_end(b, other_end(b, pos + 1));
    }
    general(b, pos)
}

/// `FAST[c]`: `c` is an ASCII letter.
const F_LETTER: u8 = 1;
/// `FAST[c]`: `c` is an ASCII char that can be the optional first char of alternative 2 and can't
/// start alternative 1: `[^\r\n\p{L}\p{N}]` minus `'`.
const F_PREFIX: u8 = 2;
static FAST: [u8; 256] = {
    let mut t = [0; 256];
    let mut i = 0;
    while i < 128 {
        let k = BYTE_CLASS[i];
        t[i] = if k & LETTER != 0 {
            F_LETTER
        } else if k & (NUMBER | NEWLINE) == 0 && i as u8 != b'\'' {
            F_PREFIX
        } else {
            0
        };
        i += 1;
    }
    t
};

/// The whole decision at `pos` for any char (the fast paths above are special cases of it).
#[inline(never)]
fn general(b: &[u8], pos: usize) -> usize {
    let n = b.len();
    let c0 = b[pos];
    if c0 == b'\'' {
        if let Some(end) = contraction(b, pos) {
            return end;
        }
    }
    let (cls, len) = class_at(b, pos);
    if cls & LETTER != 0 {
        return letters_end(b, pos + len);
    }
    if cls & NUMBER != 0 {
        // `\p{N}{1,3}+`
        return numbers_1_to_3_end(b, pos + len);
    }
    let next = pos + len;
    if cls & NEWLINE == 0 && next < n {
        // c0 is in `[^\r\n\p{L}\p{N}]`: alternative 2 if a letter follows.
        let (c1, l1) = class_at(b, next);
        if c1 & LETTER != 0 {
            return letters_end(b, next + l1);
        }
        if c0 == b' ' && c1 & (LETTER | NUMBER | WHITESPACE) == 0 {
            // ` [^\s\p{L}\p{N}]++[\r\n]*+`
            return newlines_end(b, other_end(b, next + l1));
        }
    }
    if cls & WHITESPACE == 0 {
        // "other": `[^\s\p{L}\p{N}]++[\r\n]*+`
        return newlines_end(b, other_end(b, next));
    }
    whitespace_end(b, pos)
}

/// `'(?i:[sdmt]|ll|ve|re)` at `pos` (which holds `'`).
#[inline]
fn contraction(b: &[u8], pos: usize) -> Option<usize> {
    let c1 = *b.get(pos + 1)?;
    match c1 | 0x20 {
        // The bytes x with `x | 0x20` in `a..=z` are exactly `A..=Z` and `a..=z` (bytes >= 0x80
        // stay >= 0xA0), so this is ASCII case-insensitive matching.
        b's' | b'd' | b'm' | b't' => Some(pos + 2),
        b'l' if b.get(pos + 2).map(|&c| c | 0x20) == Some(b'l') => Some(pos + 3),
        b'v' | b'r' if b.get(pos + 2).map(|&c| c | 0x20) == Some(b'e') => Some(pos + 3),
        // U+017F LATIN SMALL LETTER LONG S (0xC5 0xBF) case-folds to `s`.
        _ if c1 == 0xC5 && b.get(pos + 2) == Some(&0xBF) => Some(pos + 3),
        _ => None,
    }
}

/// End of a letter run continuing at `i`.
#[inline(always)]
fn letters_end(b: &[u8], i: usize) -> usize {
    class_run_end(b, i, swar::letters, LETTER)
}

/// End of a run of "other" chars (`[^\s\p{L}\p{N}]`) continuing at `i`.
#[inline(always)]
fn other_end(b: &[u8], i: usize) -> usize {
    other_run_end(b, i)
}

/// End of a `[\r\n]*` run at `i`.
#[inline(always)]
fn newlines_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i] == b'\r' || b[i] == b'\n') {
        i += 1;
    }
    i
}

/// Alternatives 5-8 at `pos`, which holds a whitespace char.
#[inline]
fn whitespace_end(b: &[u8], pos: usize) -> usize {
    let r = whitespace_run(b, pos);
    if r.end == b.len() {
        r.end // `\s++$`
    } else if r.after_newline != 0 {
        r.after_newline // `\s*[\r\n]`
    } else if r.last_start > pos {
        r.last_start // `\s+(?!\S)`
    } else {
        r.end // `\s`
    }
}
