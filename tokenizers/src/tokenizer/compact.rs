//! [`CompactEncoding`]: one text's encoding kept as the sequence's ids, offsets and word ids plus
//! a shared [`Frame`] (the special tokens, type ids and sequence ranges the post-processor puts
//! around any sequence). Token strings, type ids and masks are derived when read, and
//! [`CompactEncoding::to_encoding`] gives exactly the [`Encoding`] that [`HfTokenizer::encode`]
//! gives. Python's `encode_batch` hands these out.
//!
//! Why: a full `Encoding` writes about 50 bytes a token into nine buffers (ids, type ids, token
//! text and ends, words, offsets, two masks) and the traffic also pushes the model's vocabulary
//! out of the cache; this writes 16 bytes a token into one. A token's string is the vocabulary
//! entry of its id, except for added tokens and Unigram's unknown pieces, whose strings are kept.
//!
//! It applies when post-processing only frames the sequence: no truncation, no padding, and a
//! post-processor that does not trim offsets ([`PostProcessor::frames_only`]).

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use crate::encoding::{Encoding, Lookups, Tokens};
use crate::error::Result;
use crate::model::{Model, ModelWrapper, Token};
use crate::postprocessor::PostProcessor;

use super::batch;
use super::input::OffsetType;
use super::pipeline::{in_text_stream, HfTokenizer};
use super::rec_buf::RecBuf;
use super::sequence::{Sink, TokenAt};

/// What post-processing does around one sequence: the processed encoding of a one-token
/// sequence, and where that token is in it.
#[derive(Debug)]
pub struct Frame {
    enc: Encoding,
    at: usize,
}

/// Every model token string by id, in one buffer (what `Model::id_to_token` gives; empty for an
/// id the vocabulary skips).
#[derive(Default)]
pub struct IdStrings {
    text: String,
    /// `ends[id]`: where token `id` ends in `text` (it starts where `id - 1` ends).
    ends: Vec<u32>,
}

impl fmt::Debug for IdStrings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdStrings({} ids)", self.ends.len())
    }
}

impl IdStrings {
    pub(crate) fn new(model: &ModelWrapper) -> Self {
        let n = model.vocab().iter().map(|&(_, id)| id as usize + 1).max().unwrap_or(0);
        let mut text = String::new();
        let mut ends = Vec::with_capacity(n);
        for id in 0..n {
            text.push_str(model.id_to_token(id as u32).unwrap_or(""));
            ends.push(text.len() as u32);
        }
        IdStrings { text, ends }
    }

    fn get(&self, id: u32) -> &str {
        let i = id as usize;
        match self.ends.get(i) {
            Some(&end) => {
                let start = if i == 0 { 0 } else { self.ends[i - 1] };
                &self.text[start as usize..end as usize]
            }
            None => "",
        }
    }
}

/// One token of the sequence: id, offsets into the text (bytes or chars, as asked), word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C)]
pub(crate) struct Rec {
    pub id: u32,
    pub start: u32,
    pub end: u32,
    pub word: u32,
}

/// One text's encoding: its own tokens, and the frame around them.
#[derive(Debug, Clone)]
pub struct CompactEncoding {
    /// The records of a run of texts encoded together (see [`Chunk`]); this text's tokens (no
    /// special tokens) are `recs[span]`.
    recs: Arc<RecBuf>,
    span: Range<usize>,
    /// `(token index, string)` for the tokens whose string is not the vocabulary entry of their
    /// id, in index order.
    strings: Vec<(u32, Box<str>)>,
    frame: Arc<Frame>,
    vocab: Arc<IdStrings>,
}

impl CompactEncoding {
    /// The sequence's own tokens.
    fn toks(&self) -> &[Rec] {
        &self.recs[self.span.clone()]
    }

    /// Number of tokens, special tokens included.
    pub fn len(&self) -> usize {
        self.frame.enc.len() - 1 + self.span.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `frame[..at] + mid + frame[at + 1..]`.
    fn framed<T: Clone>(&self, frame: &[T], mid: impl Iterator<Item = T>) -> Vec<T> {
        let at = self.frame.at;
        let mut out = Vec::with_capacity(self.len());
        out.extend_from_slice(&frame[..at]);
        out.extend(mid);
        out.extend_from_slice(&frame[at + 1..]);
        out
    }

    /// Every token's value of a per-token field the frame holds (the same for all the sequence's
    /// tokens).
    fn framed_same<T: Clone>(&self, frame: &[T]) -> Vec<T> {
        self.framed(frame, std::iter::repeat_n(frame[self.frame.at].clone(), self.span.len()))
    }

    pub fn ids(&self) -> Vec<u32> {
        self.framed(&self.frame.enc.ids, self.toks().iter().map(|t| t.id))
    }
    pub fn type_ids(&self) -> Vec<u32> {
        self.framed_same(&self.frame.enc.type_ids)
    }
    pub fn attention_mask(&self) -> Vec<u32> {
        self.framed_same(&self.frame.enc.attention_mask)
    }
    pub fn special_tokens_mask(&self) -> Vec<u32> {
        self.framed_same(&self.frame.enc.special_tokens_mask)
    }
    pub fn offsets(&self) -> Vec<(usize, usize)> {
        self.framed(&self.frame.enc.offsets, self.toks().iter().map(|t| (t.start as usize, t.end as usize)))
    }
    pub fn words(&self) -> Vec<Option<u32>> {
        self.framed(&self.frame.enc.words, self.toks().iter().map(|t| Some(t.word)))
    }
    pub fn sequence_ids(&self) -> Vec<Option<usize>> {
        self.framed_same(&self.frame.enc.sequence_ids())
    }
    pub fn n_sequences(&self) -> usize {
        self.frame.enc.n_sequences()
    }

    /// Every token's string, special tokens included (what `to_encoding().tokens` holds).
    pub fn tokens(&self) -> Vec<&str> {
        let (f, at) = (&self.frame.enc.tokens, self.frame.at);
        let mut out = Vec::with_capacity(self.len());
        out.extend((0..at).filter_map(|i| f.get(i)));
        out.extend(self.seq_tokens());
        out.extend((at + 1..f.len()).filter_map(|i| f.get(i)));
        out
    }

    /// A frame position as a position in this encoding (after the sequence token, moved by the
    /// sequence's length less that one token).
    fn shift(&self, x: usize) -> usize {
        if x > self.frame.at {
            x + self.span.len() - 1
        } else {
            x
        }
    }

    /// The sequence's token strings.
    fn seq_tokens(&self) -> impl Iterator<Item = &str> + '_ {
        let mut kept = self.strings.iter().peekable();
        self.toks().iter().enumerate().map(move |(i, t)| match kept.peek() {
            Some((k, s)) if *k as usize == i => {
                kept.next();
                &**s
            }
            _ => self.vocab.get(t.id),
        })
    }

    /// The full [`Encoding`] (equal to what `encode` gives for the same text and settings).
    pub fn to_encoding(&self) -> Encoding {
        let f = &self.frame.enc;
        let at = self.frame.at;
        let mut tokens = Tokens::with_capacity(self.len(), 4 * self.len());
        for i in 0..at {
            tokens.push(&f.tokens[i]);
        }
        for t in self.seq_tokens() {
            tokens.push(t);
        }
        for i in at + 1..f.len() {
            tokens.push(&f.tokens[i]);
        }
        Encoding {
            ids: self.ids(),
            type_ids: self.type_ids(),
            tokens,
            words: self.words(),
            offsets: self.offsets(),
            special_tokens_mask: self.special_tokens_mask(),
            attention_mask: self.attention_mask(),
            overflowing: Vec::new(),
            sequence_ranges: f
                .sequence_ranges
                .iter()
                .map(|(&k, r)| (k, self.shift(r.start)..self.shift(r.end)))
                .collect(),
        }
    }
}

/// `char_to_token`, `word_to_tokens`, ... read straight from the records and the frame.
impl Lookups for CompactEncoding {
    fn token_count(&self) -> usize {
        self.len()
    }
    /// The frame's offsets and word for special tokens, the record's otherwise.
    fn alignment(&self, i: usize) -> Option<((usize, usize), Option<u32>)> {
        let (f, at, n) = (&self.frame.enc, self.frame.at, self.span.len());
        let from_frame = |k: usize| Some((*f.offsets.get(k)?, *f.words.get(k)?));
        match i.checked_sub(at) {
            None => from_frame(i),
            Some(k) if k < n => {
                let r = self.toks()[k];
                Some(((r.start as usize, r.end as usize), Some(r.word)))
            }
            Some(k) => from_frame(k - n + 1),
        }
    }
    fn recorded_range(&self, sequence_id: usize) -> Option<Range<usize>> {
        let r = self.frame.enc.sequence_ranges.get(&sequence_id)?;
        Some(self.shift(r.start)..self.shift(r.end))
    }
    fn recorded_sequences(&self) -> impl Iterator<Item = usize> + '_ {
        self.frame.enc.sequence_ranges.keys().copied()
    }
}

/// Collects a sequence's tokens after the records already in `toks` (earlier texts of its
/// chunk); strings only where the vocabulary lacks them.
struct CompactSink<'a> {
    toks: &'a mut RecBuf,
    /// Where this text's records start in `toks`.
    from: usize,
    strings: Vec<(u32, Box<str>)>,
    model: &'a ModelWrapper,
}

impl Sink for CompactSink<'_> {
    fn token(&mut self, t: TokenAt<'_>) {
        let (s, e) = t.offsets();
        self.toks.push(Rec { id: t.id, start: s as u32, end: e as u32, word: t.word });
        // Does the full path's string equal the vocabulary entry of the id? WordPiece and BPE
        // tokens are vocabulary entries (an unknown word is the unk token, itself an entry);
        // Unigram gives the matched text, an entry except for the unknown piece.
        let by_id = if t.from_model {
            match self.model {
                ModelWrapper::WordPiece(_) | ModelWrapper::BPE(_) => true,
                ModelWrapper::Unigram(u) => Some(t.id) != u.unk_id(),
                ModelWrapper::WordLevel(_) => self.model.id_to_token(t.id).is_some(),
            }
        } else {
            t.vocab_string
        };
        if !by_id {
            let value: Cow<'_, str> = if t.from_model {
                let tok = Token { id: t.id, start: t.range.start, end: t.range.end };
                self.model.token_value(&tok, t.text())
            } else {
                Cow::Borrowed(&t.text()[t.range.clone()])
            };
            self.out().keep_string(0, &value);
        }
    }

    fn wants_strings(&self) -> bool {
        false
    }

    fn compact_mut(&mut self) -> Option<CompactOut<'_>> {
        Some(self.out())
    }
}

impl CompactSink<'_> {
    fn out(&mut self) -> CompactOut<'_> {
        CompactOut { recs: self.toks, from: self.from, strings: &mut self.strings }
    }
}

/// A compact encoding being filled, as stages that append to it directly see it.
pub(crate) struct CompactOut<'a> {
    /// The chunk's records; this text's start at `from`.
    pub recs: &'a mut RecBuf,
    pub from: usize,
    strings: &'a mut Vec<(u32, Box<str>)>,
}

impl CompactOut<'_> {
    /// Keeps `string` as the string of the record `back` places before the last one pushed
    /// (0: the last), whose string is not the vocabulary entry of its id. Strings are kept in
    /// token order.
    pub fn keep_string(&mut self, back: usize, string: &str) {
        let index = self.recs.len() - 1 - back - self.from;
        self.strings.push((index as u32, string.into()));
    }
}

impl HfTokenizer {
    /// The frame of one-text encodings with these settings, or `None` when post-processing
    /// does more than frame the sequence (truncation, padding, offset trimming).
    pub fn compact_frame(&self, add_special_tokens: bool) -> Result<Option<Arc<Frame>>> {
        if self.truncation.is_some()
            || self.padding.is_some()
            || !self.post_processor.as_ref().is_none_or(PostProcessor::frames_only)
        {
            return Ok(None);
        }
        let mut one = Encoding::with_capacity(1);
        one.push(0, "", (0, 0), Some(0), 0);
        let enc = self.post_process(one, None, add_special_tokens)?;
        let mut seq = (0..enc.len()).filter(|&i| enc.special_tokens_mask[i] == 0);
        let (Some(at), None) = (seq.next(), seq.next()) else { return Ok(None) };
        if !enc.overflowing.is_empty() || enc.words[at] != Some(0) || enc.ids[at] != 0 {
            return Ok(None);
        }
        Ok(Some(Arc::new(Frame { enc, at })))
    }

    /// Every model token string by id (built on first use).
    fn id_strings(&self) -> Arc<IdStrings> {
        self.id_strings.get_or_init(|| Arc::new(IdStrings::new(&self.model))).clone()
    }

    /// One text as a [`CompactEncoding`] in `frame` (from [`HfTokenizer::compact_frame`]), with
    /// byte or char offsets. One encoding call for BPE dropout, as [`HfTokenizer::encode`].
    pub fn encode_compact(&self, text: &str, frame: &Arc<Frame>, offsets: OffsetType) -> Result<CompactEncoding> {
        let mut recs = RecBuf::with_capacity(self.capacity_guess(text.len()));
        let (span, strings) =
            in_text_stream(self.model.dropout_call(), 0, || self.encode_compact_into(text, &mut recs, offsets))?;
        Ok(CompactEncoding { recs: Arc::new(recs), span, strings, frame: frame.clone(), vocab: self.id_strings() })
    }

    /// Appends the records of `text` to `recs`: where they are, and the strings the vocabulary
    /// lacks.
    fn encode_compact_into(&self, text: &str, recs: &mut RecBuf, offsets: OffsetType) -> Result<Compacted> {
        let from = recs.len();
        let mut sink = CompactSink { toks: recs, from, strings: Vec::new(), model: &self.model };
        self.run_sequence(text, &mut sink)?;
        let CompactSink { toks, strings, .. } = sink;
        self.observe_tokens(text.len(), toks.len() - from);
        if offsets == OffsetType::Char && !text.is_ascii() {
            to_char_offsets(text, &mut toks[from..]);
        }
        Ok((from..toks.len(), strings))
    }

    /// Many texts as [`CompactEncoding`]s in parallel, or `None` when the settings need the full
    /// path (see [`HfTokenizer::compact_frame`]; also HF's `encode_batch_fast` offsets, and texts
    /// of 4 GB or more). With BPE dropout each text draws from its own stream, as in
    /// [`HfTokenizer::encode_batch`]; a `None` answer begins no encoding call.
    ///
    /// Neighbouring texts share one record buffer (see [`chunks`]): one allocation for many
    /// texts instead of one each. Freeing thousands of 1-2 KB buffers (too large for glibc's
    /// per-thread cache) was a tenth of the whole encoding's time. The buffers come from
    /// mimalloc ([`RecBuf`]), whose freed pages the next batch reuses without page faults.
    pub fn encode_batch_compact<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        add_special_tokens: bool,
        offsets: OffsetType,
        threads: usize,
    ) -> Result<Option<Vec<CompactEncoding>>> {
        if offsets == OffsetType::None || texts.iter().any(|t| t.as_ref().len() > u32::MAX as usize) {
            return Ok(None);
        }
        let Some(frame) = self.compact_frame(add_special_tokens)? else { return Ok(None) };
        let vocab = self.id_strings();
        let call = self.model.dropout_call();
        let threads = if threads == 0 { batch::default_threads() } else { threads };
        let encode_chunk = |range: &Range<usize>| -> Result<Vec<CompactEncoding>> {
            let bytes = texts[range.clone()].iter().map(|t| t.as_ref().len()).sum();
            let mut recs = RecBuf::with_capacity(self.capacity_guess(bytes));
            let mut parts = Vec::with_capacity(range.len());
            for i in range.clone() {
                let text = texts[i].as_ref();
                parts.push(in_text_stream(call, i, || self.encode_compact_into(text, &mut recs, offsets))?);
            }
            let recs = Arc::new(recs);
            Ok(parts
                .into_iter()
                .map(|(span, strings)| CompactEncoding {
                    recs: recs.clone(),
                    span,
                    strings,
                    frame: frame.clone(),
                    vocab: vocab.clone(),
                })
                .collect())
        };
        let out = batch::map(&chunks(texts, threads), threads, encode_chunk)?;
        let mut all = Vec::with_capacity(texts.len());
        for part in out {
            all.extend(part?);
        }
        Ok(Some(all))
    }
}

/// A text's records in its chunk's buffer, and its kept strings.
type Compacted = (Range<usize>, Vec<(u32, Box<str>)>);

/// Most text bytes in a chunk of [`HfTokenizer::encode_batch_compact`]: an encoding kept alone
/// keeps its chunk's records alive, about 4 bytes of records a byte of text (64 KB here).
const CHUNK_BYTES: usize = 16 << 10;
/// Most texts in a chunk.
const CHUNK_TEXTS: usize = 256;

/// Cuts `texts` into runs of neighbours to encode into one buffer: up to [`CHUNK_TEXTS`] texts
/// and [`CHUNK_BYTES`] bytes (a text longer than that is a chunk alone), and small enough that
/// every thread gets several chunks of a small batch (at least 4 each, or one a text).
fn chunks<S: AsRef<str>>(texts: &[S], threads: usize) -> Vec<Range<usize>> {
    let total: usize = texts.iter().map(|t| t.as_ref().len()).sum();
    let target = CHUNK_BYTES.min(total / (8 * threads.max(1))).max(1);
    let max_texts = CHUNK_TEXTS.min(texts.len().div_ceil(8 * threads.max(1))).max(1);
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, t) in texts.iter().enumerate() {
        bytes += t.as_ref().len();
        if bytes >= target || i + 1 - start >= max_texts {
            out.push(start..i + 1);
            (start, bytes) = (i + 1, 0);
        }
    }
    if start < texts.len() {
        out.push(start..texts.len());
    }
    out
}

/// The records' byte offsets in `text` (not ASCII) as char offsets, as HF's table
/// ([`super::offsets::CharOffsets`]) gives them: a position is the index of the char holding
/// it, the text's end the char count; a start at or past the end stays in bytes, an end past
/// the text is the start's char + 1.
/// Instead of the table (4 bytes per byte of text, built for every non-ASCII text) this keeps a
/// bit per byte: a position's char index is its byte index less the UTF-8 continuation bytes
/// (0b10xx_xxxx) before it, counted from 64-byte blocks (a count per block, then a popcount).
fn to_char_offsets(text: &str, toks: &mut [Rec]) {
    let b = text.as_bytes();
    let len = b.len();
    // Per block of 64 bytes: which are continuation bytes, and how many come before the block.
    // One block more than the text needs, so the text's end has one.
    let mut blocks: Vec<(u64, u32)> = Vec::with_capacity(len / 64 + 1);
    let mut total = 0u32;
    for chunk in b.chunks(64).chain(len.is_multiple_of(64).then_some(&b[..0])) {
        let mask = continuation_mask(chunk);
        blocks.push((mask, total));
        total += mask.count_ones();
    }
    // (continuation bytes before `p`, is `p` one) for `p <= len`.
    let at = |p: usize| -> (u32, u32) {
        let (mask, before) = blocks[p / 64];
        if mask == 0 {
            return (before, 0); // an ASCII block (most of most texts): no count
        }
        let bit = p % 64;
        (before + (mask & ((1u64 << bit) - 1)).count_ones(), ((mask >> bit) & 1) as u32)
    };
    // Most tokens start where the one before ended: that answer is reused.
    let mut last = (u32::MAX, 0u32);
    for t in toks {
        if t.start as usize >= len {
            continue; // HF keeps these in bytes (e.g. an empty range at the very end)
        }
        let start = if t.start == last.0 { last.1 } else { at_char(&at, t.start) };
        let end = if t.end as usize <= len { at_char(&at, t.end) } else { start + 1 };
        last = (t.end, end);
        (t.start, t.end) = (start, end);
    }
}

/// The char index HF's table gives byte `p`: `p` less the continuation bytes before it, less
/// one more when `p` is inside a char.
#[inline(always)]
fn at_char(at: &impl Fn(usize) -> (u32, u32), p: u32) -> u32 {
    let (before, inside) = at(p as usize);
    p - before - inside
}

/// Bit `i` set when `chunk[i]` (`chunk` at most 64 bytes) is a UTF-8 continuation byte
/// (0b10xx_xxxx). Eight bytes at a time: a byte's top bit set and the next bit clear, those top
/// bits then gathered into one byte by a multiply (each lands on its own bit of the top byte).
#[inline]
fn continuation_mask(chunk: &[u8]) -> u64 {
    const TOP: u64 = 0x8080_8080_8080_8080;
    let mut mask = 0u64;
    for (k, part) in chunk.chunks(8).enumerate() {
        let mut word = [0u8; 8];
        word[..part.len()].copy_from_slice(part);
        let w = u64::from_le_bytes(word);
        let tops = w & !(w << 1) & TOP;
        mask |= ((tops >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
    }
    mask
}

#[cfg(test)]
mod tests {
    use crate::tokenizer::{HfTokenizer, OffsetType};

    const FIXTURES: [&str; 5] = [
        UNIGRAM,
        include_str!("../../tests/fixtures/pipeline/wordpiece.tokenizer.json"),
        include_str!("../../tests/fixtures/pipeline/bytelevel.tokenizer.json"),
        include_str!("../../tests/fixtures/pipeline/bpe_bytefallback.tokenizer.json"),
        include_str!("../../tests/fixtures/pipeline/bpe_suffix.tokenizer.json"),
    ];

    /// A small SentencePiece-shaped Unigram file: unknown pieces keep their text, `</s>` after.
    const UNIGRAM: &str = r#"{"version": "1.0", "truncation": null, "padding": null, "added_tokens": [
        {"id": 1, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false,
         "normalized": false, "special": true}],
      "normalizer": null,
      "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": true},
      "post_processor": {"type": "TemplateProcessing",
        "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 1}}],
        "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 1}},
                 {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": "</s>", "type_id": 1}}],
        "special_tokens": {"</s>": {"id": "</s>", "ids": [1], "tokens": ["</s>"]}}},
      "decoder": null,
      "model": {"type": "Unigram", "unk_id": 0, "byte_fallback": false, "vocab": [["<unk>", 0.0], ["</s>", 0.0],
        ["\u2581", -1.0], ["a", -2.0], ["b", -2.5], ["\u2581a", -1.5], ["ab", -3.0], ["l", -3.0], ["o", -3.0],
        ["\u2581h", -2.0], ["e", -3.0], ["s", -3.0], ["t", -3.0], ["\u00e9", -4.0]]}}"#;

    const TEXTS: [&str; 10] = [
        "hello ab aab bab \u{2581}ta",
        "Hello, World! It's 3.14 -- ok?",
        "",
        "   ",
        "mixed ascii and é non-ascii, straße; 中文 too 🙂",
        "[CLS] added [SEP] tokens [MASK] in text",
        "unknown ☃☃☃ pieces ␣ and \u{0} controls\t\n",
        "a",
        "Ġweird Ġbyte ĠĠ strings",
        "<0x41> byte <unk> fallback",
    ];

    /// The eight-bytes-at-a-time mask marks exactly the continuation bytes, at every length.
    #[test]
    fn continuation_mask_marks_continuation_bytes() {
        let mut seed = 0x1234_5678u64;
        for round in 0..2000 {
            let n = round % 65;
            let chunk: Vec<u8> = (0..n)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    (seed >> 24) as u8
                })
                .collect();
            let want =
                chunk.iter().enumerate().fold(0u64, |m, (i, &x)| m | (u64::from((0x80..0xc0).contains(&x)) << i));
            assert_eq!(super::continuation_mask(&chunk), want, "{chunk:?}");
        }
    }

    /// The block counts give the table's char offsets: records in and out of order, starts and
    /// ends inside chars, empty and reversed ranges, the text's end and past it, texts over
    /// several blocks.
    #[test]
    fn char_offsets_equal_the_table() {
        use super::super::offsets::CharOffsets;
        use super::{to_char_offsets, Rec};
        // Texts over several 64-byte blocks, and one ending exactly at a block's end.
        let long = "x\u{e9}\u{65e5} \u{1f600}ab".repeat(20);
        let e64 = "\u{e9}".repeat(32);
        let texts = [
            long.as_str(),
            &long[..long.len() - 1 - 64],
            e64.as_str(),
            "a\u{e9}\u{20ac}b \u{1f600}x",
            "\u{65e5}\u{672c}\u{8a9e} ok",
            "\u{e9}",
            "\u{645}\u{631}\u{62d}\u{628}\u{627} !",
        ];
        let mut seed = 0x9e37_79b9u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for text in texts {
            let len = text.len();
            let table = CharOffsets::new(text);
            for round in 0..200 {
                // Mostly ordinary ranges; some reversed, or reaching past the text.
                let mut recs: Vec<Rec> = (0..1 + next(8))
                    .map(|i| {
                        let (s, e) = match next(10) {
                            0 => (next(len + 3), next(len + 3)),
                            _ => {
                                let s = next(len + 1);
                                (s, s + next(len - s + 1))
                            }
                        };
                        Rec { id: i as u32, start: s as u32, end: e as u32, word: 0 }
                    })
                    .collect();
                if round % 2 == 0 {
                    recs.sort_by_key(|r| r.start);
                }
                let want: Vec<(u32, u32)> = recs
                    .iter()
                    .map(|r| {
                        let (s, e) = table.convert((r.start as usize, r.end as usize));
                        (s as u32, e as u32)
                    })
                    .collect();
                to_char_offsets(text, &mut recs);
                let got: Vec<(u32, u32)> = recs.iter().map(|r| (r.start, r.end)).collect();
                assert_eq!(got, want, "{text:?} round {round}");
            }
        }
    }

    /// Chunks cover the texts in order, none empty, within the limits (a long text alone).
    #[test]
    fn chunks_cover_the_batch() {
        use super::{chunks, CHUNK_BYTES, CHUNK_TEXTS};
        let long = "x".repeat(CHUNK_BYTES + 5);
        for n in [0, 1, 3, 17, 1000, 5000] {
            for threads in [1, 2, 8] {
                let texts: Vec<&str> =
                    (0..n).map(|i| if i % 997 == 5 { long.as_str() } else { "a few words" }).collect();
                let cs = chunks(&texts, threads);
                let mut next = 0;
                for c in &cs {
                    assert_eq!(c.start, next);
                    assert!(!c.is_empty() && c.len() <= CHUNK_TEXTS);
                    let bytes: usize = texts[c.clone()].iter().map(|t| t.len()).sum();
                    assert!(c.len() == 1 || bytes - texts[c.end - 1].len() < CHUNK_BYTES, "{c:?}");
                    next = c.end;
                }
                assert_eq!(next, n);
                assert!(cs.len() >= n.min(4 * threads), "{n} texts, {threads} threads: {} chunks", cs.len());
            }
        }
    }

    /// Builds tokenizers from every fixture, with and without added tokens and specials, and
    /// checks the compact form against `encode` field by field and as a whole.
    #[test]
    fn equals_full_encoding() {
        let mut checked = 0;
        for json in FIXTURES {
            let mut tok = HfTokenizer::from_str(json).unwrap();
            tok.with_truncation(None).unwrap();
            tok.with_padding(None);
            for added in [false, true] {
                if added {
                    use crate::added_vocab::hf::HfAddedToken;
                    let t = |s: &str, special| HfAddedToken::new(s, special);
                    tok.add_tokens(&[t("pieces", false), t("ĠĠ", false), t("é non", false)]);
                    tok.add_special_tokens(&[t("[MASK]", true), t("<unk>", true)]);
                }
                for special in [true, false] {
                    let Some(_) = tok.compact_frame(special).unwrap() else { continue };
                    for offsets in [OffsetType::Char, OffsetType::Byte] {
                        let got = tok.encode_batch_compact(&TEXTS, special, offsets, 1).unwrap().unwrap();
                        for (text, c) in TEXTS.iter().zip(&got) {
                            let want = tok.encode(*text, special, offsets).unwrap();
                            assert_eq!(c.to_encoding(), want, "{text:?}");
                            assert_eq!(c.len(), want.len());
                            assert_eq!(c.ids(), want.ids);
                            assert_eq!(c.type_ids(), want.type_ids);
                            assert_eq!(c.offsets(), want.offsets);
                            assert_eq!(c.words(), want.words);
                            assert_eq!(c.attention_mask(), want.attention_mask);
                            assert_eq!(c.special_tokens_mask(), want.special_tokens_mask);
                            assert_eq!(c.sequence_ids(), want.sequence_ids());
                            assert_eq!(c.n_sequences(), want.n_sequences());
                            assert_eq!(c.tokens(), want.tokens.iter().collect::<Vec<_>>());
                            lookups_agree(c, &want, text);
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked >= 100, "{checked}");
    }

    /// Every lookup answers as the full encoding's, for every token, word, char and sequence
    /// (also just out of range).
    fn lookups_agree(c: &super::CompactEncoding, want: &crate::encoding::Encoding, text: &str) {
        use crate::encoding::Lookups;
        let n = want.len();
        let words = want.words.iter().flatten().max().map_or(0, |w| w + 2);
        let chars = text.chars().count() + 2;
        for seq in 0..3 {
            for t in 0..n + 2 {
                assert_eq!(c.token_to_sequence(t), want.token_to_sequence(t), "{text:?} token {t}");
                assert_eq!(c.token_to_chars(t), want.token_to_chars(t), "{text:?} token {t}");
                assert_eq!(c.token_to_word(t), want.token_to_word(t), "{text:?} token {t}");
            }
            for w in 0..words {
                assert_eq!(c.word_to_tokens(w, seq), want.word_to_tokens(w, seq), "{text:?} word {w} seq {seq}");
                assert_eq!(c.word_to_chars(w, seq), want.word_to_chars(w, seq), "{text:?} word {w} seq {seq}");
            }
            for p in 0..chars {
                assert_eq!(c.char_to_token(p, seq), want.char_to_token(p, seq), "{text:?} char {p} seq {seq}");
                assert_eq!(c.char_to_word(p, seq), want.char_to_word(p, seq), "{text:?} char {p} seq {seq}");
            }
        }
    }

    /// Truncation, padding and offset trimming need the full path.
    #[test]
    fn refuses_settings_that_do_more_than_frame() {
        let tok = HfTokenizer::from_str(FIXTURES[1]).unwrap();
        let needs_full = tok.truncation().is_some() || tok.padding().is_some();
        assert_eq!(tok.compact_frame(true).unwrap().is_none(), needs_full);
        let mut v: serde_json::Value = serde_json::from_str(FIXTURES[2]).unwrap();
        v["post_processor"] =
            serde_json::json!({"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true});
        let tok = HfTokenizer::from_str(&v.to_string()).unwrap();
        assert!(tok.compact_frame(true).unwrap().is_none());
        assert!(tok.encode_batch_compact(&["a b"], true, OffsetType::Char, 1).unwrap().is_none());
        v["post_processor"]["trim_offsets"] = false.into();
        let tok = HfTokenizer::from_str(&v.to_string()).unwrap();
        assert!(tok.compact_frame(true).unwrap().is_some());
        assert!(tok.encode_batch_compact(&["a b"], true, OffsetType::None, 1).unwrap().is_none());
    }
}
