//! The tokenizer pipeline: added/special tokens → pre-tokenizer → BPE model, and back.
//!
//! One type serves both tiktoken encodings and Hugging Face byte-level BPE files; [`Flavor`]
//! holds where their rules differ (text between pattern matches, special-token policy, token
//! strings, decoding of special tokens).

pub mod batch;
mod bert_fast;
pub mod byte_level_fast;
pub mod compact;
mod fast_unigram;
pub mod input;
pub mod offsets;
pub mod pipeline;
mod rec_buf;
mod sequence;
mod word_cache;

pub use compact::{CompactEncoding, Frame};
pub use input::{EncodeInput, InputSequence, OffsetType};
pub use pipeline::HfTokenizer;

use crate::added_vocab::{find_leftmost, AddedToken, AddedVocab, Found};
use crate::decoder::byte_level;
use crate::encoding::{byte_to_char_offsets, Encoding};
use crate::error::{Error, Result};
use crate::model::cache::{self, MAX_PIECE_LEN};
use crate::model::BpeModel;
use crate::pretokenizer::Splitter;

/// How `encode` treats text that spells a special token.
#[derive(Clone, Copy)]
pub enum SpecialPolicy<'a> {
    /// tiktoken's default: such text is an error ([`Error::DisallowedSpecial`]).
    Forbid,
    /// It is ordinary text (`encode_ordinary`).
    AsText,
    /// Every special token becomes its id.
    Allow,
    /// tiktoken's `allowed_special` / `disallowed_special` sets, as predicates.
    Sets { allowed: &'a (dyn Fn(&str) -> bool + Sync), disallowed: &'a (dyn Fn(&str) -> bool + Sync) },
}

/// Hugging Face byte-level BPE specifics.
#[derive(Debug, Clone)]
pub struct HfOptions {
    /// ByteLevel `add_prefix_space`: a space is put before each segment not starting with one.
    pub add_prefix_space: bool,
    /// Split `Isolated`: text between matches is a piece of its own (tiktoken drops it).
    pub keep_gaps: bool,
    /// id → token string as the file spells it.
    pub token_strings: Vec<Option<String>>,
    /// The file's JSON text, so the tokenizer can be saved and pickled as it came.
    pub json: String,
}

#[derive(Debug, Clone)]
pub enum Flavor {
    Tiktoken { explicit_n_vocab: Option<usize> },
    HuggingFace(Box<HfOptions>),
}

#[derive(Debug)]
pub struct Tokenizer {
    name: String,
    splitter: Splitter,
    model: BpeModel,
    added: AddedVocab,
    flavor: Flavor,
}

impl Tokenizer {
    pub fn new(
        name: impl Into<String>,
        splitter: Splitter,
        model: BpeModel,
        added: AddedVocab,
        flavor: Flavor,
    ) -> Self {
        Tokenizer { name: name.into(), splitter, model, added, flavor }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn pattern(&self) -> &str {
        self.splitter.pattern()
    }

    pub fn splitter(&self) -> &Splitter {
        &self.splitter
    }

    pub fn model(&self) -> &BpeModel {
        &self.model
    }

    pub fn flavor(&self) -> &Flavor {
        &self.flavor
    }

    pub(crate) fn flavor_mut(&mut self) -> &mut Flavor {
        &mut self.flavor
    }

    pub fn added_tokens(&self) -> &[AddedToken] {
        self.added.tokens()
    }

    /// Special tokens as (text, id).
    pub fn special_tokens(&self) -> impl Iterator<Item = (&str, u32)> {
        self.added.tokens().iter().filter(|t| t.special).map(|t| (t.content.as_str(), t.id))
    }

    pub fn special_token_id(&self, text: &str) -> Option<u32> {
        self.added.id_of(text)
    }

    /// tiktoken's `n_vocab`: one past the highest id (mergeable or special).
    pub fn n_vocab(&self) -> usize {
        let added = self.added.tokens().iter().map(|t| t.id as usize + 1).max().unwrap_or(0);
        self.model.id_limit().max(added)
    }

    /// Hugging Face's `get_vocab_size(with_added_tokens)`.
    pub fn vocab_size(&self, with_added_tokens: bool) -> usize {
        let base = self.model.len();
        if !with_added_tokens {
            return base;
        }
        base + self.added.tokens().iter().filter(|t| self.model.token_bytes(t.id).is_none()).count()
    }

    /// The largest id that fits the dtype of a shard: u16 when every id is below 65,536.
    pub fn max_token_id(&self) -> u32 {
        self.n_vocab().saturating_sub(1) as u32
    }

    // ---------------------------------------------------------------- encoding

    /// Encodes `text` treating special-token text as ordinary text.
    pub fn encode_ordinary(&self, text: &str) -> Vec<u32> {
        let mut out = Vec::with_capacity(text.len() / 4 + 1);
        self.encode_ordinary_into(text, &mut out);
        out
    }

    /// Hot path: splits `text` and encodes every piece, appending to `out`.
    pub fn encode_ordinary_into(&self, text: &str, out: &mut Vec<u32>) {
        match &self.flavor {
            Flavor::HuggingFace(hf) if hf.add_prefix_space && !text.starts_with(' ') && !text.is_empty() => {
                let spaced = format!(" {text}");
                self.encode_segment(&spaced, hf.keep_gaps, out)
            }
            Flavor::HuggingFace(hf) => self.encode_segment(text, hf.keep_gaps, out),
            Flavor::Tiktoken { .. } => self.encode_segment(text, false, out),
        }
    }

    #[inline]
    fn encode_segment(&self, text: &str, keep_gaps: bool, out: &mut Vec<u32>) {
        let model = &self.model;
        let bytes = text.as_bytes();
        cache::with_cache(model.uid(), |cache| {
            let mut piece_fn = |s: usize, e: usize| {
                // Most pieces are whole tokens: one hash lookup, no merge loop, no cache.
                if let Some(id) = model.whole_piece_at(bytes, s, e) {
                    out.push(id);
                    return;
                }
                let piece = &bytes[s..e];
                if piece.len() <= MAX_PIECE_LEN {
                    if let Some(ids) = cache.get(piece) {
                        out.extend_from_slice(ids);
                    } else {
                        let start = out.len();
                        model.merge_at(bytes, s, e, out);
                        cache.insert(piece, &out[start..]);
                    }
                } else {
                    model.merge_at(bytes, s, e, out);
                }
            };
            if keep_gaps {
                self.splitter.for_each_isolated(text, &mut piece_fn)
            } else {
                self.splitter.for_each_match(text, &mut piece_fn)
            }
        })
    }

    /// Encodes with tiktoken's special-token rules.
    pub fn encode(&self, text: &str, policy: SpecialPolicy<'_>) -> Result<Vec<u32>> {
        let mut out = Vec::with_capacity(text.len() / 4 + 1);
        match policy {
            SpecialPolicy::AsText => self.encode_ordinary_into(text, &mut out),
            SpecialPolicy::Forbid => {
                self.check_disallowed(text, &|_| true)?;
                self.encode_ordinary_into(text, &mut out)
            }
            SpecialPolicy::Allow => {
                self.encode_split(text, &|t| t.special || !matches!(self.flavor, Flavor::Tiktoken { .. }), &mut out)
            }
            SpecialPolicy::Sets { allowed, disallowed } => {
                self.check_disallowed(text, &|s| disallowed(s) && !allowed(s))?;
                self.encode_split(text, &|t| allowed(&t.content), &mut out)
            }
        }
        Ok(out)
    }

    /// Encodes with every added token recognised (Hugging Face: added tokens always match).
    pub fn encode_with_added(&self, text: &str, out: &mut Vec<u32>) {
        self.encode_split(text, &|_| true, out)
    }

    /// Errors on the leftmost occurrence of a special token for which `disallowed` holds.
    pub fn check_disallowed(&self, text: &str, disallowed: &dyn Fn(&str) -> bool) -> Result<()> {
        let candidates = self.added.tokens().iter().filter(|t| t.special && disallowed(&t.content));
        match find_leftmost(text, candidates.map(|t| t.content.as_str())) {
            Some(s) => Err(Error::DisallowedSpecial(s.to_string())),
            None => Ok(()),
        }
    }

    fn for_each_segment(
        &self,
        text: &str,
        keep: &dyn Fn(&AddedToken) -> bool,
        mut f: impl FnMut(usize, usize, Option<u32>),
    ) {
        let mut last = 0;
        self.added.find_subset(text, keep, |Found { start, end, id }| {
            if start > last {
                f(last, start, None);
            }
            f(start, end, Some(id));
            last = end;
        });
        if last < text.len() || text.is_empty() {
            f(last, text.len(), None);
        }
    }

    fn encode_split(&self, text: &str, keep: &dyn Fn(&AddedToken) -> bool, out: &mut Vec<u32>) {
        if self.added.is_empty() {
            return self.encode_ordinary_into(text, out);
        }
        self.for_each_segment(text, keep, |s, e, id| match id {
            Some(id) => out.push(id),
            None => self.encode_ordinary_into(&text[s..e], out),
        });
    }

    /// Encodes `text` in parallel over many texts, special-token text as ordinary text.
    pub fn encode_ordinary_batch<S: AsRef<str> + Sync>(&self, texts: &[S], threads: usize) -> Result<Vec<Vec<u32>>> {
        batch::map(texts, threads, |t| self.encode_ordinary(t.as_ref()))
    }

    /// Parallel [`Tokenizer::encode`]; the first disallowed special token fails the batch.
    pub fn encode_batch<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        policy: SpecialPolicy<'_>,
        threads: usize,
    ) -> Result<Vec<Vec<u32>>> {
        batch::map(texts, threads, |t| self.encode(t.as_ref(), policy))?.into_iter().collect()
    }

    /// Hugging Face style: ids with tokens and char offsets; added tokens always recognised.
    pub fn encode_full(&self, text: &str) -> Encoding {
        self.encode_full_with(text, true)
    }

    /// [`Tokenizer::encode_full`] with special-token text either recognised (`with_added`) or
    /// encoded as ordinary text, as [`Tokenizer::encode_ordinary`] does: the ids equal the ids-only
    /// path's for the same setting.
    pub fn encode_full_with(&self, text: &str, with_added: bool) -> Encoding {
        let mut ids = Vec::new();
        let mut byte_offsets = Vec::new();
        let mut special = Vec::new();
        self.for_each_segment(text, &|_| with_added, |s, e, id| match id {
            Some(id) => {
                ids.push(id);
                byte_offsets.push((s, e));
                // As Hugging Face: the mask marks tokens a post-processor inserts, not special
                // tokens that were spelled in the text.
                special.push(0);
            }
            None => self.encode_segment_with_offsets(&text[s..e], s, &mut ids, &mut byte_offsets, &mut special),
        });
        let offsets = byte_to_char_offsets(text, &byte_offsets);
        let tokens = ids.iter().map(|&id| self.id_to_token(id).unwrap_or_default()).collect();
        let n = ids.len();
        // Word ids are not tracked on this path yet (the tokenizer.json pipeline fills them).
        Encoding {
            ids,
            tokens,
            offsets,
            words: vec![None; n],
            type_ids: vec![0; n],
            attention_mask: vec![1; n],
            special_tokens_mask: special,
            ..Encoding::default()
        }
    }

    fn encode_segment_with_offsets(
        &self,
        seg: &str,
        base: usize,
        ids: &mut Vec<u32>,
        offs: &mut Vec<(usize, usize)>,
        special: &mut Vec<u32>,
    ) {
        // A prepended prefix space belongs to the segment's first char.
        let (text, shift) = match &self.flavor {
            Flavor::HuggingFace(hf) if hf.add_prefix_space && !seg.starts_with(' ') && !seg.is_empty() => {
                (format!(" {seg}"), 1usize)
            }
            _ => (seg.to_string(), 0),
        };
        let keep_gaps = matches!(&self.flavor, Flavor::HuggingFace(hf) if hf.keep_gaps);
        let mut piece_ids = Vec::new();
        let mut each = |s: usize, e: usize| {
            piece_ids.clear();
            self.model.encode_piece(&text.as_bytes()[s..e], &mut piece_ids);
            let mut at = s;
            for &id in &piece_ids {
                let len = self.model.token_bytes(id).map_or(0, |b| b.len());
                let (a, b) = (at.saturating_sub(shift), (at + len).saturating_sub(shift));
                offs.push((base + a, base + b.max(a)));
                ids.push(id);
                special.push(0);
                at += len;
            }
        };
        if keep_gaps {
            self.splitter.for_each_isolated(&text, &mut each)
        } else {
            self.splitter.for_each_match(&text, &mut each)
        }
    }

    // ---------------------------------------------------------------- decoding

    /// The bytes of one token (mergeable or special).
    pub fn token_bytes(&self, id: u32) -> Option<&[u8]> {
        self.model.token_bytes(id).or_else(|| self.added.get(id).map(|t| t.content.as_bytes()))
    }

    /// Concatenated token bytes; an unknown id is an error.
    pub fn decode_bytes(&self, ids: &[u32]) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(ids.len() * 4);
        for &id in ids {
            out.extend_from_slice(self.token_bytes(id).ok_or(Error::InvalidTokenId(id))?);
        }
        Ok(out)
    }

    /// Text, with invalid UTF-8 replaced by U+FFFD (tiktoken's `errors="replace"`).
    pub fn decode(&self, ids: &[u32]) -> Result<String> {
        Ok(String::from_utf8_lossy(&self.decode_bytes(ids)?).into_owned())
    }

    /// Hugging Face's `decode`: unknown ids are skipped; special tokens too when asked.
    pub fn decode_skipping(&self, ids: &[u32], skip_special_tokens: bool) -> String {
        let mut out = Vec::with_capacity(ids.len() * 4);
        for &id in ids {
            if skip_special_tokens && self.added.get(id).is_some_and(|t| t.special) {
                continue;
            }
            if let Some(b) = self.token_bytes(id) {
                out.extend_from_slice(b);
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    /// The token's string: the file's spelling for Hugging Face, the byte-level form otherwise.
    pub fn id_to_token(&self, id: u32) -> Option<String> {
        if let Some(t) = self.added.get(id) {
            return Some(t.content.clone());
        }
        if let Flavor::HuggingFace(hf) = &self.flavor {
            return hf.token_strings.get(id as usize).cloned().flatten();
        }
        self.model.token_bytes(id).map(byte_level::encode_str)
    }

    /// The id of a token string (as [`Tokenizer::id_to_token`] spells it).
    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        if let Some(id) = self.added.id_of(token) {
            return Some(id);
        }
        byte_level::decode_str(token).and_then(|b| self.model.token_id(&b))
    }
}
