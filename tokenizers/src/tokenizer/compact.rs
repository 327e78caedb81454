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
use std::sync::Arc;

use crate::encoding::{Encoding, Tokens};
use crate::error::Result;
use crate::model::{Model, ModelWrapper, Token};
use crate::postprocessor::PostProcessor;

use super::batch;
use super::input::OffsetType;
use super::offsets::CharOffsets;
use super::pipeline::{in_text_stream, HfTokenizer};
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
    /// The sequence's tokens (no special tokens), in one allocation.
    toks: Vec<Rec>,
    /// `(token index, string)` for the tokens whose string is not the vocabulary entry of their
    /// id, in index order.
    strings: Vec<(u32, Box<str>)>,
    frame: Arc<Frame>,
    vocab: Arc<IdStrings>,
}

impl CompactEncoding {
    /// Number of tokens, special tokens included.
    pub fn len(&self) -> usize {
        self.frame.enc.len() - 1 + self.toks.len()
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
        self.framed(frame, std::iter::repeat_n(frame[self.frame.at].clone(), self.toks.len()))
    }

    pub fn ids(&self) -> Vec<u32> {
        self.framed(&self.frame.enc.ids, self.toks.iter().map(|t| t.id))
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
        self.framed(&self.frame.enc.offsets, self.toks.iter().map(|t| (t.start as usize, t.end as usize)))
    }
    pub fn words(&self) -> Vec<Option<u32>> {
        self.framed(&self.frame.enc.words, self.toks.iter().map(|t| Some(t.word)))
    }
    pub fn sequence_ids(&self) -> Vec<Option<usize>> {
        self.framed_same(&self.frame.enc.sequence_ids())
    }
    pub fn n_sequences(&self) -> usize {
        self.frame.enc.n_sequences()
    }

    /// The sequence's token strings.
    fn tokens(&self) -> impl Iterator<Item = &str> + '_ {
        let mut kept = self.strings.iter().peekable();
        self.toks.iter().enumerate().map(move |(i, t)| match kept.peek() {
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
        let (at, n) = (self.frame.at, self.toks.len());
        let mut tokens = Tokens::with_capacity(self.len(), 4 * self.len());
        for i in 0..at {
            tokens.push(&f.tokens[i]);
        }
        for t in self.tokens() {
            tokens.push(t);
        }
        for i in at + 1..f.len() {
            tokens.push(&f.tokens[i]);
        }
        // Ranges after the sequence token move by the sequence's length less that one token.
        let shift = |x: usize| if x > at { x + n - 1 } else { x };
        Encoding {
            ids: self.ids(),
            type_ids: self.type_ids(),
            tokens,
            words: self.words(),
            offsets: self.offsets(),
            special_tokens_mask: self.special_tokens_mask(),
            attention_mask: self.attention_mask(),
            overflowing: Vec::new(),
            sequence_ranges: f.sequence_ranges.iter().map(|(&k, r)| (k, shift(r.start)..shift(r.end))).collect(),
        }
    }
}

/// Collects a sequence's tokens; strings only where the vocabulary lacks them.
struct CompactSink<'a> {
    toks: Vec<Rec>,
    strings: Vec<(u32, Box<str>)>,
    model: &'a ModelWrapper,
}

impl Sink for CompactSink<'_> {
    fn token(&mut self, t: TokenAt<'_>) {
        let (s, e) = t.offsets();
        let index = self.toks.len() as u32;
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
            self.strings.push((index, value.into()));
        }
    }

    fn wants_strings(&self) -> bool {
        false
    }

    fn recs_mut(&mut self) -> Option<&mut Vec<Rec>> {
        Some(&mut self.toks)
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
        let vocab = self.id_strings();
        in_text_stream(self.model.dropout_call(), 0, || self.encode_compact_with(text, frame, &vocab, offsets))
    }

    fn encode_compact_with(
        &self,
        text: &str,
        frame: &Arc<Frame>,
        vocab: &Arc<IdStrings>,
        offsets: OffsetType,
    ) -> Result<CompactEncoding> {
        let n = self.capacity_guess(text.len());
        let mut sink = CompactSink { toks: Vec::with_capacity(n), strings: Vec::new(), model: &self.model };
        self.run_sequence(text, &mut sink)?;
        self.observe_tokens(text.len(), sink.toks.len());
        if offsets == OffsetType::Char && !text.is_ascii() {
            to_char_offsets(text, &mut sink.toks);
        }
        let CompactSink { toks, strings, .. } = sink;
        Ok(CompactEncoding { toks, strings, frame: frame.clone(), vocab: vocab.clone() })
    }

    /// Many texts as [`CompactEncoding`]s in parallel, or `None` when the settings need the full
    /// path (see [`HfTokenizer::compact_frame`]; also HF's `encode_batch_fast` offsets, and texts
    /// of 4 GB or more). With BPE dropout each text draws from its own stream, as in
    /// [`HfTokenizer::encode_batch`]; a `None` answer begins no encoding call.
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
        let out = batch::map_indexed(texts, threads, |i, t| {
            in_text_stream(call, i, || self.encode_compact_with(t.as_ref(), &frame, &vocab, offsets))
        })?;
        out.into_iter().collect::<Result<Vec<_>>>().map(Some)
    }
}

/// The records' byte offsets in `text` as char offsets, as [`CharOffsets::convert`] gives them.
/// Records come in text order, so one forward sweep counting chars replaces the per-byte table
/// (4 bytes per byte of text, built for every non-ASCII text): a start is the chars before it, an
/// end inside a char maps to that char, as HF's table does. Any record out of order or past the
/// text takes the table.
fn to_char_offsets(text: &str, toks: &mut [Rec]) {
    let b = text.as_bytes();
    let len = b.len();
    let sorted = toks.windows(2).all(|w| w[0].start <= w[1].start);
    if !sorted || toks.iter().any(|t| t.start > t.end || t.end as usize > len) {
        let conv = CharOffsets::new(text);
        for t in toks {
            let (s, e) = conv.convert((t.start as usize, t.end as usize));
            (t.start, t.end) = (s as u32, e as u32);
        }
        return;
    }
    // A byte's char index is its byte index less the UTF-8 continuation bytes (0b10xx_xxxx)
    // before it; those are few in most text, so their positions are listed once and each record
    // walks a cursor over them (records come in order).
    let is_cont = |x: u8| (x as i8) < -0x40;
    let conts: Vec<u32> = (0..len).filter(|&i| is_cont(b[i])).map(|i| i as u32).collect();
    let inside = |p: usize| p < len && is_cont(b[p]);
    let mut at = 0usize; // conts[..at] are before the current start
    for t in toks {
        let (s, e) = (t.start, t.end);
        if s as usize == len {
            continue; // HF keeps an empty range at the very end in bytes
        }
        while at < conts.len() && conts[at] < s {
            at += 1;
        }
        let mut upto = at;
        while upto < conts.len() && conts[upto] < e {
            upto += 1;
        }
        t.start = s - at as u32 - u32::from(inside(s as usize));
        t.end = e - upto as u32 - u32::from(inside(e as usize));
    }
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

    /// Builds tokenizers from every fixture, with and without added tokens and specials, and
    /// checks the compact form against `encode` field by field and as a whole.
    /// The sweep gives the table's char offsets for sorted records, ends and starts inside
    /// chars, empty ranges and the text's end; unsorted records take the table.
    #[test]
    fn char_offsets_sweep_equals_table() {
        use super::{to_char_offsets, CharOffsets, Rec};
        let texts = [
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
                let mut recs: Vec<Rec> = (0..1 + next(8))
                    .map(|i| {
                        let s = next(len + 1);
                        let e = s + next(len - s + 1);
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
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked >= 100, "{checked}");
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
