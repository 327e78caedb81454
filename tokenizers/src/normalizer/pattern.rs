//! What a [`NormalizedString`](super::NormalizedString) can be split or searched on, and how the
//! delimiters are kept (Hugging Face's `Pattern` and `SplitDelimiterBehavior`).
//!
//! A pattern reports the whole text as contiguous, ordered `(start, end, is_match)` pieces (byte
//! offsets). As in HF, an empty text gives one empty non-match piece, and a regex's empty matches
//! are reported as empty match pieces.

use crate::pretokenizer::Splitter;
use serde::{Deserialize, Serialize};

/// How a split keeps the delimiters it found (HF's `SplitDelimiterBehavior`; serialized as HF does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SplitBehavior {
    /// Delimiters are dropped.
    Removed,
    /// Each delimiter is its own piece.
    Isolated,
    /// A delimiter is glued to the piece before it.
    MergedWithPrevious,
    /// A delimiter is glued to the piece after it.
    MergedWithNext,
    /// Consecutive delimiters form one piece.
    Contiguous,
}

/// A pattern as `tokenizer.json` writes it: `{"String": "..."}` (a literal) or
/// `{"Regex": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PatternSpec {
    String(String),
    Regex(String),
}

/// A [`PatternSpec`] ready to run: literals match as text, regexes run on [`Splitter`].
#[derive(Debug, Clone)]
pub enum CompiledPattern {
    Literal(String),
    Regex(Splitter),
}

impl CompiledPattern {
    pub fn new(spec: &PatternSpec) -> crate::Result<Self> {
        Ok(match spec {
            PatternSpec::String(s) => CompiledPattern::Literal(s.clone()),
            PatternSpec::Regex(r) => CompiledPattern::Regex(Splitter::onig(r)?),
        })
    }
}

impl Pattern for &CompiledPattern {
    fn find_matches(&self, text: &str, out: &mut Vec<Piece>) {
        match self {
            CompiledPattern::Literal(s) => s.as_str().find_matches(text, out),
            CompiledPattern::Regex(r) => r.find_matches(text, out),
        }
    }
}

/// One piece of a pattern scan: byte range and whether it is a match.
pub type Piece = (usize, usize, bool);

/// Something that cuts a text into match / non-match pieces.
pub trait Pattern {
    /// Appends the pieces of `text` to `out` (cleared first). They cover the whole text.
    fn find_matches(&self, text: &str, out: &mut Vec<Piece>);
}

/// Matches each char for which the predicate holds (one piece per matching char).
pub struct CharPredicate<F: Fn(char) -> bool>(pub F);

impl<F: Fn(char) -> bool> Pattern for CharPredicate<F> {
    fn find_matches(&self, text: &str, out: &mut Vec<Piece>) {
        out.clear();
        if text.is_empty() {
            out.push((0, 0, false));
            return;
        }
        let mut last = 0;
        for (b, c) in text.char_indices() {
            if (self.0)(c) {
                if last < b {
                    out.push((last, b, false));
                }
                let e = b + c.len_utf8();
                out.push((b, e, true));
                last = e;
            }
        }
        if last < text.len() {
            out.push((last, text.len(), false));
        }
    }
}

impl Pattern for char {
    fn find_matches(&self, text: &str, out: &mut Vec<Piece>) {
        let c = *self;
        CharPredicate(|x| x == c).find_matches(text, out)
    }
}

/// A literal string (HF's `&str` pattern: an escaped regex). The empty literal matches nothing.
impl Pattern for &str {
    fn find_matches(&self, text: &str, out: &mut Vec<Piece>) {
        out.clear();
        if self.is_empty() {
            // HF reports the char count as the end here, which is not even a char boundary on
            // non-ASCII text (HF then panics in `split`); the byte length is what it means.
            out.push((0, text.len(), false));
            return;
        }
        if text.is_empty() {
            out.push((0, 0, false));
            return;
        }
        let mut last = 0;
        for (s, m) in text.match_indices(*self) {
            if last < s {
                out.push((last, s, false));
            }
            out.push((s, s + m.len(), true));
            last = s + m.len();
        }
        if last < text.len() {
            out.push((last, text.len(), false));
        }
    }
}

/// A regex, run by the project's splitter (hand-written scanners for the known GPT patterns).
impl Pattern for &Splitter {
    fn find_matches(&self, text: &str, out: &mut Vec<Piece>) {
        out.clear();
        if text.is_empty() {
            out.push((0, 0, false));
            return;
        }
        let mut last = 0;
        let mut push = |s: usize, e: usize| {
            if last != s {
                out.push((last, s, false));
            }
            out.push((s, e, true));
            last = e;
        };
        match self {
            Splitter::Regex(r) => r.for_each_match_with_empty(text, &mut push),
            scanner => scanner.for_each_match(text, push),
        }
        if last != text.len() {
            out.push((last, text.len(), false));
        }
    }
}

/// Flips the match flag of every piece of the inner pattern.
pub struct Invert<P: Pattern>(pub P);

impl<P: Pattern> Pattern for Invert<P> {
    fn find_matches(&self, text: &str, out: &mut Vec<Piece>) {
        self.0.find_matches(text, out);
        for p in out.iter_mut() {
            p.2 = !p.2;
        }
    }
}

/// Turns pattern pieces into the ranges to keep, per `behavior` (HF's fold over the matches).
/// Empty ranges are kept here; `PreTokenizedString::split` drops empty splits.
pub fn split_ranges(pieces: &[Piece], behavior: SplitBehavior, out: &mut Vec<(usize, usize)>) {
    out.clear();
    match behavior {
        SplitBehavior::Isolated => out.extend(pieces.iter().map(|&(s, e, _)| (s, e))),
        SplitBehavior::Removed => out.extend(pieces.iter().filter(|p| !p.2).map(|&(s, e, _)| (s, e))),
        SplitBehavior::Contiguous => {
            let mut prev = false;
            for &(s, e, m) in pieces {
                match out.last_mut() {
                    Some(last) if m == prev => last.1 = e,
                    _ => out.push((s, e)),
                }
                prev = m;
            }
        }
        SplitBehavior::MergedWithPrevious => {
            let mut prev = false;
            for &(s, e, m) in pieces {
                match out.last_mut() {
                    Some(last) if m && !prev => last.1 = e,
                    _ => out.push((s, e)),
                }
                prev = m;
            }
        }
        SplitBehavior::MergedWithNext => {
            let mut prev = false;
            for &(s, e, m) in pieces.iter().rev() {
                match out.last_mut() {
                    Some(last) if m && !prev => last.0 = s,
                    _ => out.push((s, e)),
                }
                prev = m;
            }
            out.reverse();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(p: impl Pattern, text: &str) -> Vec<Piece> {
        let mut out = Vec::new();
        p.find_matches(text, &mut out);
        out
    }

    #[test]
    fn chars_and_literals() {
        assert_eq!(pieces('a', "aba"), vec![(0, 1, true), (1, 2, false), (2, 3, true)]);
        assert_eq!(pieces('a', ""), vec![(0, 0, false)]);
        assert_eq!(pieces("ab", "aabbab"), vec![(0, 1, false), (1, 3, true), (3, 4, false), (4, 6, true)]);
        assert_eq!(pieces("", "aaa"), vec![(0, 3, false)]);
        assert_eq!(pieces(Invert('a'), "ab"), vec![(0, 1, false), (1, 2, true)]);
    }

    #[test]
    fn regex_pieces() {
        let re = Splitter::regex(r"\s+").unwrap();
        assert_eq!(
            pieces(&re, "   a   b   "),
            vec![(0, 3, true), (3, 4, false), (4, 7, true), (7, 8, false), (8, 11, true)]
        );
    }

    #[test]
    fn behaviors() {
        // "the-final--countdown" split on '-', as documented by HF.
        let text = "the-final--countdown";
        let p = pieces('-', text);
        let run = |b| {
            let mut out = Vec::new();
            split_ranges(&p, b, &mut out);
            out.iter().map(|&(s, e)| &text[s..e]).collect::<Vec<_>>()
        };
        assert_eq!(run(SplitBehavior::Removed), ["the", "final", "countdown"]);
        assert_eq!(run(SplitBehavior::Isolated), ["the", "-", "final", "-", "-", "countdown"]);
        assert_eq!(run(SplitBehavior::MergedWithPrevious), ["the-", "final-", "-", "countdown"]);
        assert_eq!(run(SplitBehavior::MergedWithNext), ["the", "-final", "-", "-countdown"]);
        assert_eq!(run(SplitBehavior::Contiguous), ["the", "-", "final", "--", "countdown"]);
    }
}
