//! Hand-written scanner for the GPT-2 pattern (tiktoken r50k/p50k):
//!
//! `'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s`
//!
//! (Hugging Face's original `... ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+` gives the same
//! pieces: nothing follows the quantified runs, so possessive vs greedy makes no difference, and at
//! the end of the text `\s+(?!\S)` takes the whole run exactly like `\s++$`.)
//!
//! Every character is a letter, a number, whitespace or "other", and each class has an
//! alternative that matches a single such character, so a match always starts at `pos`.
//!
//! Decision at `pos` (first alternative that matches wins):
//! 1. `'` followed by `s d m t` (2 bytes) or `ll ve re` (3 bytes): the contraction (case-sensitive).
//! 2. an optional U+0020 followed by a maximal run of one class (letters / numbers / other).
//! 3. whitespace run reaching the end of the text: the whole run (`\s++$`; `$` is end of text
//!    without the `m` flag).
//! 4. whitespace run of n >= 2 chars followed by a non-space: the first n-1 chars
//!    (`\s+(?!\S)` gives back its last char so that the lookahead sees whitespace).
//! 5. otherwise one whitespace char (`\s`).
//!
//! Speed: the hottest pieces (ASCII words, with their optional leading char) are recognised from
//! one 8-byte little-endian word at `pos`, the letter run found with SWAR masks
//! ([`crate::unicode::swar`]); other ASCII starts are dispatched on [`crate::unicode::BYTE_CLASS`];
//! only non-ASCII chars are decoded. Each fast path returns exactly what the general decision
//! below returns for that input (the tests in `scan_tests` compare with the regex engine on short
//! and long texts, so both the word-at-a-time and the byte-at-a-time paths are covered).

use crate::unicode::{
    class_at, class_run_end, class_run_end_in_word, other_run_end, skip_while, swar, whitespace_run, BYTE_CLASS,
    LETTER, NUMBER, WHITESPACE,
};

/// Byte end of the piece that starts at byte `pos` (`pos < text.len()`, on a char boundary).
#[inline(always)]
pub fn next_piece(text: &str, pos: usize) -> usize {
    let b = text.as_bytes();
    let n = b.len();
    let c0 = b[pos];
    let k0 = BYTE_CLASS[c0 as usize];
    if let Some(chunk) = b[pos..].first_chunk::<8>() {
        // Hottest case, from one 8-byte word: ` ?\p{L}++` with an ASCII first letter (no
        // contraction starts here: c0 is not `'`).
        let w = u64::from_le_bytes(*chunk);
        if k0 & LETTER != 0 || (c0 == b' ' && BYTE_CLASS[(w >> 8) as u8 as usize] & LETTER != 0) {
            return class_run_end_in_word(b, pos, w, 1, swar::letters, LETTER);
        }
    }
    // ASCII cases (`k0` is the class of the char at `pos` when it is ASCII).
    if k0 & LETTER != 0 {
        return letters_end(b, pos + 1);
    }
    if k0 & NUMBER != 0 {
        return numbers_end(b, pos + 1);
    }
    if k0 == 0 {
        // ASCII "other" char.
        if let Some(end) = contraction_end(b, pos) {
            return end;
        }
        // Not a contraction: `'` is "other".
        return other_run_end(b, pos + 1);
    }
    if c0 == b' ' && pos + 1 < n {
        // ` ?X++` where X is the kind of the next char, if that is ASCII and not whitespace.
        let k1 = BYTE_CLASS[b[pos + 1] as usize];
        if k1 & LETTER != 0 {
            return letters_end(b, pos + 2);
        }
        if k1 & NUMBER != 0 {
            return numbers_end(b, pos + 2);
        }
        if k1 == 0 {
            return other_run_end(b, pos + 2);
        }
        if k1 & WHITESPACE == 0 {
            // A non-ASCII char.
            let (cls1, len1) = class_at(b, pos + 1);
            if cls1 & WHITESPACE == 0 {
                return run_end(b, pos + 1 + len1, cls1);
            }
        }
    } else if k0 & WHITESPACE == 0 {
        // A non-ASCII char at `pos` (no contraction can start here).
        let (cls, len) = class_at(b, pos);
        if cls & WHITESPACE == 0 {
            return run_end(b, pos + len, cls);
        }
    }
    general(b, pos)
}

/// The whole decision at `pos` for any char (the fast paths above are special cases of it).
#[inline(never)]
fn general(b: &[u8], pos: usize) -> usize {
    let c0 = b[pos];
    if let Some(end) = contraction_end(b, pos) {
        return end;
    }
    // Not a contraction (or not `'`): a `'` is "other" and falls through to the run below.
    let (cls, len) = class_at(b, pos);
    if cls & WHITESPACE == 0 {
        return run_end(b, pos + len, cls);
    }
    if c0 == b' ' && pos + 1 < b.len() {
        // ` ?X++` where X is the class of the next char, if that is not whitespace.
        let (cls1, len1) = class_at(b, pos + 1);
        if cls1 & WHITESPACE == 0 {
            return run_end(b, pos + 1 + len1, cls1);
        }
    }
    whitespace_end(b, pos)
}

/// `'(?:[sdmt]|ll|ve|re)` at `pos` (case-sensitive in GPT-2): its end, if it matches.
#[inline(always)]
fn contraction_end(b: &[u8], pos: usize) -> Option<usize> {
    if b[pos] != b'\'' {
        return None;
    }
    match (b.get(pos + 1), b.get(pos + 2)) {
        (Some(b's' | b'd' | b'm' | b't'), _) => Some(pos + 2),
        (Some(b'l'), Some(b'l')) | (Some(b'v' | b'r'), Some(b'e')) => Some(pos + 3),
        _ => None,
    }
}

/// End of a letter run continuing at `i`.
#[inline(always)]
fn letters_end(b: &[u8], i: usize) -> usize {
    class_run_end(b, i, swar::letters, LETTER)
}

/// End of a number run continuing at `i`.
#[inline(always)]
fn numbers_end(b: &[u8], i: usize) -> usize {
    class_run_end(b, i, swar::digits, NUMBER)
}

/// End of the maximal run of characters of the same kind (letter / number / other) as `cls`,
/// continuing from `i`.
#[inline(always)]
fn run_end(b: &[u8], i: usize, cls: u8) -> usize {
    if cls & LETTER != 0 {
        skip_while(b, i, LETTER, LETTER)
    } else if cls & NUMBER != 0 {
        skip_while(b, i, NUMBER, NUMBER)
    } else {
        skip_while(b, i, LETTER | NUMBER | WHITESPACE, 0)
    }
}

/// Whitespace alternatives (`\s++$|\s+(?!\S)|\s`) at `pos`, which holds a whitespace char.
#[inline]
fn whitespace_end(b: &[u8], pos: usize) -> usize {
    let r = whitespace_run(b, pos);
    if r.end == b.len() {
        r.end // `\s++$`
    } else if r.last_start > pos {
        r.last_start // `\s+(?!\S)` after giving back the last whitespace char
    } else {
        r.end // `\s`: a single whitespace char before a non-space
    }
}
