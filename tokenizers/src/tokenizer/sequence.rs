//! Encoding one input sequence, HF's `encode_single_sequence`: added tokens matched on the raw
//! text, then the rest normalized, added tokens matched on the normalized text, the rest
//! pre-tokenized into words and each word run through the model. Every token is handed to a
//! [`Sink`] with its word index and where it came from, so the ids-only path never builds token
//! strings or offsets.

use std::ops::Range;

use crate::added_vocab::hf::MatchOn;
use crate::error::Result;
use crate::model::{Model, Token};
use crate::normalizer::{Normalize, NormalizedString};
use crate::pretokenizer::{PreTokenize, PreTokenizedString};

use super::byte_level_fast;
use super::compact::CompactOut;
use super::pipeline::HfTokenizer;
use super::rec_buf::RecBuf;

/// Where a token's text lies: `split.normalized()[range]`.
pub(crate) struct TokenAt<'a> {
    pub id: u32,
    /// Index of the word (pre-tokenized split, or added token) in the sequence.
    pub word: u32,
    pub split: Split<'a>,
    pub range: Range<usize>,
    /// From the model (its token string is the vocabulary's), or an added token (the matched text).
    pub from_model: bool,
    /// Not from the model stage, yet its string is the vocabulary entry of `id` (the byte-level
    /// engine's tokens): callers that skip strings may look it up instead.
    pub vocab_string: bool,
}

/// The text a token was found in.
pub(crate) enum Split<'a> {
    /// A normalized split: offsets go through its alignments.
    Normalized(&'a NormalizedString),
    /// Raw input text starting at byte `base` of the sequence (no normalization happened).
    Raw { text: &'a str, base: usize },
    /// A normalized piece whose token offsets were computed by the caller (fused fast paths).
    Fused { piece: &'a str, offsets: (usize, usize) },
}

impl TokenAt<'_> {
    /// Byte offsets into the sequence.
    pub fn offsets(&self) -> (usize, usize) {
        match &self.split {
            Split::Normalized(ns) => {
                ns.original_range(self.range.clone()).map_or((self.range.start, self.range.end), |r| (r.start, r.end))
            }
            Split::Raw { base, .. } => (base + self.range.start, base + self.range.end),
            Split::Fused { offsets, .. } => *offsets,
        }
    }

    /// The piece of text the token was found in and its range there.
    pub fn text(&self) -> &str {
        match &self.split {
            Split::Normalized(ns) => ns.normalized(),
            Split::Raw { text, .. } => text,
            Split::Fused { piece, .. } => piece,
        }
    }
}

/// Receives the tokens of a sequence in order.
pub(crate) trait Sink {
    fn token(&mut self, t: TokenAt<'_>);
    /// When only ids are wanted: where to append them (lets stages skip offsets and strings).
    fn ids_mut(&mut self) -> Option<&mut Vec<u32>> {
        None
    }
    /// The compact encoding being filled, for stages that append records directly (no
    /// [`TokenAt`], no call per token), keeping the strings the vocabulary lacks themselves.
    fn compact_mut(&mut self) -> Option<CompactOut<'_>> {
        None
    }
    /// The compact encoding's token records, for stages whose tokens' strings are all the
    /// vocabulary's.
    fn recs_mut(&mut self) -> Option<&mut RecBuf> {
        self.compact_mut().map(|c| c.recs)
    }
    /// False when the sink reads a token's [`TokenAt::text`] only where its string is not the
    /// vocabulary entry of its id (added tokens, Unigram's unknown pieces): stages may then skip
    /// building the text of the others (and hand them an empty one).
    fn wants_strings(&self) -> bool {
        true
    }
}

/// Ids only.
impl Sink for Vec<u32> {
    fn token(&mut self, t: TokenAt<'_>) {
        self.push(t.id);
    }
    fn ids_mut(&mut self) -> Option<&mut Vec<u32>> {
        Some(self)
    }
}

impl HfTokenizer {
    /// Runs one sequence through added tokens → normalizer → pre-tokenizer → model.
    pub(crate) fn run_sequence(&self, text: &str, sink: &mut dyn Sink) -> Result<()> {
        let mut segs = Vec::new();
        if self.added.has_raw() {
            self.added.find_matches(text, MatchOn::Raw, &mut segs);
        } else if !text.is_empty() {
            segs.push((None, 0, text.len()));
        }
        let mut word = 0u32;
        for &(id, s, e) in &segs {
            match id {
                Some(id) => {
                    sink.token(TokenAt {
                        id,
                        word,
                        split: Split::Raw { text, base: 0 },
                        range: s..e,
                        from_model: false,
                        vocab_string: false,
                    });
                    word += 1;
                }
                None if s == e => {}
                None => self.run_text(&text[s..e], s, &mut word, sink)?,
            }
        }
        Ok(())
    }

    /// A stretch of raw text without raw-matched added tokens, starting at byte `base`.
    fn run_text(&self, text: &str, base: usize, word: &mut u32, sink: &mut dyn Sink) -> Result<()> {
        if let Some(fast) = &self.fast {
            // No normalizer here (the fast path requires none): normalized added tokens are
            // matched on the raw text.
            if !self.added.has_normalized() {
                byte_level_fast::run(fast, text, base, word, sink);
                return Ok(());
            }
            let mut segs = Vec::new();
            self.added.find_matches(text, MatchOn::Normalized, &mut segs);
            for (id, s, e) in segs {
                match id {
                    Some(id) => {
                        sink.token(TokenAt {
                            id,
                            word: *word,
                            split: Split::Raw { text, base },
                            range: s..e,
                            from_model: false,
                            vocab_string: false,
                        });
                        *word += 1;
                    }
                    None if s == e => {}
                    None => byte_level_fast::run(fast, &text[s..e], base + s, word, sink),
                }
            }
            return Ok(());
        }

        if let Some(bf) = self.bert_fast {
            if !self.added.has_normalized() {
                return super::bert_fast::run(self, bf, text, base, word, sink);
            }
        }
        if let Some(uf) = &self.unigram_fast {
            if !self.added.has_normalized() && super::fast_unigram::run(uf, self, text, base, word, sink)? {
                return Ok(());
            }
        }
        self.run_general(text, base, word, sink)
    }

    /// The general stages on a stretch of raw text: normalize, match normalized added tokens,
    /// pre-tokenize, model.
    pub(crate) fn run_general(&self, text: &str, base: usize, word: &mut u32, sink: &mut dyn Sink) -> Result<()> {
        let mut ns = NormalizedString::new(text, base);
        if let Some(n) = &self.normalizer {
            n.normalize(&mut ns)?;
        }
        if !self.added.has_normalized() {
            // HF always re-cuts the normalized stretch to the original range its text covers
            // (`slice` while matching normalized added tokens), so leading chars the normalizer
            // removed are no longer part of it: Metaspace "first" looks at where it starts.
            if ns.original_range(0..ns.len()) != Some(ns.original_offsets()) {
                if let Some(s) = ns.slice(0..ns.len()) {
                    ns = s;
                }
            }
            return self.run_normalized(ns, word, sink);
        }
        let mut segs = Vec::new();
        self.added.find_matches(ns.normalized(), MatchOn::Normalized, &mut segs);
        for (id, s, e) in segs {
            let Some(slice) = ns.slice(s..e) else { continue };
            if slice.is_empty() {
                continue;
            }
            match id {
                Some(id) => {
                    let range = 0..slice.len();
                    sink.token(TokenAt {
                        id,
                        word: *word,
                        split: Split::Normalized(&slice),
                        range,
                        from_model: false,
                        vocab_string: false,
                    });
                    *word += 1;
                }
                None => self.run_normalized(slice, word, sink)?,
            }
        }
        Ok(())
    }

    /// Pre-tokenizes a normalized stretch and runs the model on every word.
    fn run_normalized(&self, ns: NormalizedString, word: &mut u32, sink: &mut dyn Sink) -> Result<()> {
        if ns.is_empty() {
            return Ok(());
        }
        let mut buf: Vec<Token> = Vec::new();
        let mut each = |split: &NormalizedString| -> Result<()> {
            if split.is_empty() {
                return Ok(());
            }
            buf.clear();
            self.model.try_tokenize(split.normalized(), &mut buf)?;
            for t in &buf {
                sink.token(TokenAt {
                    id: t.id,
                    word: *word,
                    split: Split::Normalized(split),
                    range: t.start..t.end,
                    from_model: true,
                    vocab_string: false,
                });
            }
            *word += 1;
            Ok(())
        };
        match &self.pre_tokenizer {
            None => each(&ns),
            Some(p) => {
                let mut pts = PreTokenizedString::from_normalized(ns);
                p.pre_tokenize(&mut pts)?;
                for split in pts.splits() {
                    each(split)?;
                }
                Ok(())
            }
        }
    }
}
