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

use crate::unicode::{class_at, skip_while, LETTER, NUMBER, WHITESPACE};

/// Byte end of the piece that starts at byte `pos` (`pos < text.len()`, on a char boundary).
#[inline]
pub fn next_piece(text: &str, pos: usize) -> usize {
    let b = text.as_bytes();
    let c0 = b[pos];
    // Fast path for the commonest pieces, `word` and ` word` with an ASCII first letter: no
    // contraction can start here (c0 is not `'`), so it is ` ?\p{L}++`.
    if c0.is_ascii_alphabetic() {
        return run_end(b, pos + 1, LETTER);
    }
    if c0 == b' ' && pos + 1 < b.len() && b[pos + 1].is_ascii_alphabetic() {
        return run_end(b, pos + 2, LETTER);
    }
    if c0 == b'\'' {
        if let Some(&c1) = b.get(pos + 1) {
            match c1 {
                b's' | b'd' | b'm' | b't' => return pos + 2,
                b'l' if b.get(pos + 2) == Some(&b'l') => return pos + 3,
                b'v' | b'r' if b.get(pos + 2) == Some(&b'e') => return pos + 3,
                _ => {}
            }
        }
        // Not a contraction: `'` is "other"; falls through to the run below.
    }
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

/// End of the maximal run of characters of the same kind (letter / number / other) as `cls`,
/// continuing from `i`.
#[inline(always)]
fn run_end(b: &[u8], i: usize, cls: u8) -> usize {
    if cls & LETTER != 0 {
        // ASCII letters are by far the common case: a tight byte loop, dropping to the generic
        // loop at the first non-ASCII byte (which may or may not be a letter).
        let mut i = i;
        while i < b.len() && b[i].is_ascii_alphabetic() {
            i += 1;
        }
        if i < b.len() && b[i] >= 0x80 {
            skip_while(b, i, LETTER, LETTER)
        } else {
            i
        }
    } else if cls & NUMBER != 0 {
        skip_while(b, i, NUMBER, NUMBER)
    } else {
        skip_while(b, i, LETTER | NUMBER | WHITESPACE, 0)
    }
}

/// Whitespace alternatives (`\s++$|\s+(?!\S)|\s`) at `pos`, which holds a whitespace char.
#[inline]
fn whitespace_end(b: &[u8], pos: usize) -> usize {
    let mut i = pos;
    let mut last_start = pos;
    while i < b.len() {
        let (cls, len) = class_at(b, i);
        if cls & WHITESPACE == 0 {
            break;
        }
        last_start = i;
        i += len;
    }
    if i == b.len() {
        i // `\s++$`
    } else if last_start > pos {
        last_start // `\s+(?!\S)` after giving back the last whitespace char
    } else {
        i // `\s`: a single whitespace char before a non-space
    }
}
