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

use crate::unicode::{class_at, skip_while, LETTER, NEWLINE, NUMBER, WHITESPACE};

/// Byte end of the piece that starts at byte `pos` (`pos < text.len()`, on a char boundary).
#[inline]
pub fn next_piece(text: &str, pos: usize) -> usize {
    let b = text.as_bytes();
    let n = b.len();
    let c0 = b[pos];
    // Fast path for `word` and ` word` with an ASCII first letter: c0 is not `'`, so alternative 2
    // applies (a space is in `[^\r\n\p{L}\p{N}]`).
    if c0.is_ascii_alphabetic() {
        return letters_end(b, pos + 1);
    }
    if c0 == b' ' && pos + 1 < n && b[pos + 1].is_ascii_alphabetic() {
        return letters_end(b, pos + 2);
    }
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
        let mut i = pos + len;
        for _ in 0..2 {
            if i >= n {
                break;
            }
            let (c, l) = class_at(b, i);
            if c & NUMBER == 0 {
                break;
            }
            i += l;
        }
        return i;
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
fn letters_end(b: &[u8], mut i: usize) -> usize {
    // Tight loop over ASCII letters; a non-ASCII byte may still be a letter, so hand over to the
    // generic loop there.
    while i < b.len() && b[i].is_ascii_alphabetic() {
        i += 1;
    }
    if i < b.len() && b[i] >= 0x80 {
        skip_while(b, i, LETTER, LETTER)
    } else {
        i
    }
}

/// End of a run of "other" chars (`[^\s\p{L}\p{N}]`) continuing at `i`.
#[inline(always)]
fn other_end(b: &[u8], i: usize) -> usize {
    skip_while(b, i, LETTER | NUMBER | WHITESPACE, 0)
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
    let mut i = pos;
    let mut last_start = pos;
    let mut after_newline = 0; // end of the last `\r`/`\n` in the run (0: none yet)
    while i < b.len() {
        let (cls, len) = class_at(b, i);
        if cls & WHITESPACE == 0 {
            break;
        }
        if cls & NEWLINE != 0 {
            after_newline = i + 1;
        }
        last_start = i;
        i += len;
    }
    if i == b.len() {
        i // `\s++$`
    } else if after_newline != 0 {
        after_newline // `\s*[\r\n]`
    } else if last_start > pos {
        last_start // `\s+(?!\S)`
    } else {
        i // `\s`
    }
}
