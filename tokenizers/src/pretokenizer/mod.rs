//! Pre-tokenization: cutting text into the pieces that BPE merges independently.
//!
//! The three patterns that matter for speed (GPT-2, cl100k, o200k) are recognised by their exact
//! pattern string and run by hand-written scanners that reproduce the regex byte for byte; any
//! other pattern runs through `fancy-regex` ([`regex_split`]).
//!
//! The Hugging Face pre-tokenizers of `tokenizer.json` ([`PreTokenizer`], one file per family)
//! work on a [`PreTokenizedString`] and keep alignments to the original text.

pub mod bert;
pub mod byte_level;
pub mod char_delimiter;
pub mod cl100k;
pub mod digits;
pub mod fixed_length;
pub mod gpt2;
pub mod hf_scripts;
pub mod metaspace;
pub mod o200k;
pub mod pre_tokenized;
pub mod pre_tokenizer;
pub mod punctuation;
pub mod regex_split;
#[cfg(test)]
mod scan_tests;
pub mod split;
pub mod unicode_scripts;
pub mod whitespace;

use crate::error::Result;
use regex_split::RegexSplitter;

pub use bert::BertPreTokenizer;
pub use byte_level::ByteLevel;
pub use char_delimiter::CharDelimiterSplit;
pub use digits::Digits;
pub use fixed_length::FixedLength;
pub use metaspace::{Metaspace, PrependScheme};
pub use pre_tokenized::PreTokenizedString;
pub use pre_tokenizer::{PreTokenize, PreTokenizer};
pub use punctuation::Punctuation;
pub use split::Split;
pub use unicode_scripts::UnicodeScripts;
pub use whitespace::{Whitespace, WhitespaceSplit};

/// tiktoken's r50k/p50k pattern.
pub const GPT2_PATTERN: &str = r"'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s";
/// The original GPT-2 pattern, used by Hugging Face's ByteLevel pre-tokenizer (same pieces).
pub const GPT2_PATTERN_ORIGINAL: &str = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
/// tiktoken's cl100k_base pattern.
pub const CL100K_PATTERN: &str = r"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s";
/// The cl100k pattern as Hugging Face conversions write it (same pieces).
pub const CL100K_PATTERN_HF: &str = r"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++\z|\s*[\r\n]|\s+(?!\S)|\s";
/// tiktoken's o200k_base pattern.
pub const O200K_PATTERN: &str = concat!(
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    "|",
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    "|",
    r"\p{N}{1,3}",
    "|",
    r" ?[^\s\p{L}\p{N}]+[\r\n/]*",
    "|",
    r"\s*[\r\n]+",
    "|",
    r"\s+(?!\S)",
    "|",
    r"\s+",
);

/// Which scanner runs a pattern.
#[derive(Debug, Clone)]
pub enum Splitter {
    Gpt2,
    Cl100k,
    O200k,
    Regex(RegexSplitter),
}

impl Splitter {
    /// A splitter for `pattern`: a hand-written scanner when the pattern is one of the known ones,
    /// else a compiled regex.
    pub fn new(pattern: &str) -> Result<Self> {
        Ok(match pattern {
            GPT2_PATTERN | GPT2_PATTERN_ORIGINAL => Splitter::Gpt2,
            CL100K_PATTERN | CL100K_PATTERN_HF => Splitter::Cl100k,
            O200K_PATTERN => Splitter::O200k,
            other => Splitter::Regex(RegexSplitter::new(other)?),
        })
    }

    /// [`Splitter::new`] for a pattern from a `tokenizer.json` (HF runs them on Oniguruma, whose
    /// `^` and `$` match at line boundaries).
    pub fn onig(pattern: &str) -> Result<Self> {
        Ok(match Splitter::new(pattern)? {
            Splitter::Regex(_) => Splitter::Regex(RegexSplitter::onig(pattern)?),
            known => known,
        })
    }

    /// Always the regex engine, even for known patterns (reference for tests and benches).
    pub fn regex(pattern: &str) -> Result<Self> {
        Ok(Splitter::Regex(RegexSplitter::new(pattern)?))
    }

    /// The pattern this splitter reproduces.
    pub fn pattern(&self) -> &str {
        match self {
            Splitter::Gpt2 => GPT2_PATTERN,
            Splitter::Cl100k => CL100K_PATTERN,
            Splitter::O200k => O200K_PATTERN,
            Splitter::Regex(r) => r.pattern(),
        }
    }

    /// Calls `f(start, end)` for every match of the pattern in `text`, in order (like a regex
    /// `find_iter`). Text between matches is skipped, as tiktoken does.
    #[inline]
    pub fn for_each_match(&self, text: &str, mut f: impl FnMut(usize, usize)) {
        // One out-of-line loop per scanner (the scanner inlined into it), so that each hot loop
        // gets its own register allocation and code layout instead of sharing one big function.
        #[inline(never)]
        fn gpt2_loop(text: &str, f: impl FnMut(usize, usize)) {
            scan(text, gpt2::next_piece, f)
        }
        #[inline(never)]
        fn cl100k_loop(text: &str, f: impl FnMut(usize, usize)) {
            scan(text, cl100k::next_piece, f)
        }
        #[inline(never)]
        fn o200k_loop(text: &str, f: impl FnMut(usize, usize)) {
            scan(text, o200k::next_piece, f)
        }
        match self {
            Splitter::Gpt2 => gpt2_loop(text, f),
            Splitter::Cl100k => cl100k_loop(text, f),
            Splitter::O200k => o200k_loop(text, f),
            Splitter::Regex(r) => r.for_each_match(text, &mut f),
        }
    }

    /// Like [`Splitter::for_each_match`] but text between matches is reported too, as its own
    /// piece (Hugging Face's `Split` with the `Isolated` behaviour).
    pub fn for_each_isolated(&self, text: &str, mut f: impl FnMut(usize, usize)) {
        let mut last = 0;
        self.for_each_match(text, |s, e| {
            if s > last {
                f(last, s);
            }
            f(s, e);
            last = e;
        });
        if last < text.len() {
            f(last, text.len());
        }
    }

    /// The pieces as string slices (convenience for tests and tools; allocates).
    pub fn pieces<'t>(&self, text: &'t str) -> Vec<&'t str> {
        let mut out = Vec::new();
        self.for_each_match(text, |s, e| out.push(&text[s..e]));
        out
    }
}

/// Drives a scanner whose patterns cover every character, so each piece starts where the last
/// one ended.
#[inline(always)]
fn scan(text: &str, next: fn(&str, usize) -> usize, mut f: impl FnMut(usize, usize)) {
    let mut pos = 0;
    while pos < text.len() {
        let end = next(text, pos);
        debug_assert!(end > pos && text.is_char_boundary(end));
        f(pos, end);
        pos = end;
    }
}
