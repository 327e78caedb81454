//! [`HfTokenizer`]: a whole Hugging Face `tokenizer.json` pipeline — added tokens → normalizer →
//! pre-tokenizer → model → truncation → post-processor → padding, and back with the decoder —
//! giving what HF tokenizers 0.23 gives (ids, tokens, offsets, type ids, masks, word ids,
//! overflowing). Byte-level BPE files run their pre-tokenizer and model stages on the tiktoken
//! engine ([`super::byte_level_fast`]).

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

use crate::added_vocab::hf::{AddedVocabulary, HfAddedToken, VocabLookup};
use crate::decoder::{Decode, Decoder};
use crate::encoding::Encoding;
use crate::error::{Error, Result};
use crate::model::{DropoutCall, Model, ModelWrapper, Token};
use crate::normalizer::Normalizer;
use crate::padding::{pad_encodings, PaddingParams};
use crate::postprocessor::{PostProcess, PostProcessor};
use crate::pretokenizer::PreTokenizer;
use crate::truncation::TruncationParams;

use super::batch;
use super::bert_fast::BertFast;
use super::byte_level_fast::ByteLevelFast;
use super::compact::IdStrings;
use super::fast_unigram::UnigramFast;
use super::input::{EncodeInput, InputSequence, OffsetType};
use super::offsets::CharOffsets;
use super::sequence::{Sink, TokenAt};

/// A Hugging Face tokenizer (`tokenizers.Tokenizer`).
#[derive(Debug)]
pub struct HfTokenizer {
    pub(crate) normalizer: Option<Normalizer>,
    pub(crate) pre_tokenizer: Option<PreTokenizer>,
    pub(crate) model: ModelWrapper,
    pub(crate) post_processor: Option<PostProcessor>,
    pub(crate) decoder: Option<Decoder>,
    pub(crate) added: AddedVocabulary,
    pub(crate) truncation: Option<TruncationParams>,
    pub(crate) padding: Option<PaddingParams>,
    /// The byte-level engine standing in for the pre-tokenizer and model, when the file allows.
    pub(crate) fast: Option<ByteLevelFast>,
    /// BertNormalizer + BertPreTokenizer fused on ASCII text ([`super::bert_fast`]).
    pub(crate) bert_fast: Option<BertFast>,
    /// SentencePiece shape (Precompiled + Metaspace + Unigram) fused on ASCII text
    /// ([`super::fast_unigram`]).
    pub(crate) unigram_fast: Option<Box<UnigramFast>>,
    /// Tokens per 1024 bytes of input seen lately, to size an encoding's vectors up front (their
    /// reallocations cost more than filling them; the ratio ranges from ~200 for a large
    /// WordPiece vocabulary to ~500 for a small Unigram one). Races between threads only blur it.
    tokens_per_kb: AtomicU32,
    /// Every model token string by id, for [`super::compact`] (built on first use; the model
    /// never changes after construction).
    pub(crate) id_strings: OnceLock<Arc<IdStrings>>,
}

/// Runs `f`, the encoding of text `index` of an encoding call, in the text's dropout stream when
/// the model samples (`call` from [`ModelWrapper::dropout_call`], taken once per call): results
/// then depend on the seed, the call and the index, not on threads. Otherwise just `f()`.
#[inline]
pub(crate) fn in_text_stream<R>(call: Option<DropoutCall>, index: usize, f: impl FnOnce() -> R) -> R {
    match call {
        Some(c) => c.run(index, f),
        None => f(),
    }
}

/// The model as the added vocabulary sees it.
struct ModelVocab<'a>(&'a ModelWrapper);

impl VocabLookup for ModelVocab<'_> {
    fn model_token_to_id(&self, token: &str) -> Option<u32> {
        self.0.token_to_id(token)
    }
    fn model_vocab_size(&self) -> usize {
        self.0.vocab_size()
    }
}

/// Builds an [`Encoding`] from the tokens of one sequence.
struct EncodingSink<'a> {
    enc: Encoding,
    model: &'a ModelWrapper,
    type_id: u32,
    /// Pre-tokenized input: every token gets the index of its word.
    word: Option<u32>,
    offsets: OffsetType,
}

impl Sink for EncodingSink<'_> {
    fn token(&mut self, t: TokenAt<'_>) {
        if self.offsets == OffsetType::None {
            // HF's encode_fast: no strings, offsets or words.
            self.enc.push(t.id, "", (0, 0), None, self.type_id);
            return;
        }
        let word = self.word.unwrap_or(t.word);
        let offsets = t.offsets();
        if t.from_model {
            let tok = Token { id: t.id, start: t.range.start, end: t.range.end };
            if let ModelWrapper::WordPiece(wp) = self.model {
                let parts = wp.token_parts(&tok, t.text());
                self.enc.push_parts(t.id, parts, offsets, Some(word), self.type_id);
                return;
            }
            let value = self.model.token_value(&tok, t.text());
            self.enc.push(t.id, &value, offsets, Some(word), self.type_id);
        } else {
            self.enc.push(t.id, &t.text()[t.range.clone()], offsets, Some(word), self.type_id);
        }
    }
}

impl HfTokenizer {
    /// A tokenizer with only a model (HF's `Tokenizer::new(model)`).
    pub fn new(model: ModelWrapper) -> Self {
        HfTokenizer {
            normalizer: None,
            pre_tokenizer: None,
            model,
            post_processor: None,
            decoder: None,
            added: AddedVocabulary::new(),
            truncation: None,
            padding: None,
            fast: None,
            bert_fast: None,
            unigram_fast: None,
            tokens_per_kb: AtomicU32::new(256),
            id_strings: OnceLock::new(),
        }
    }

    /// Recomputes which fused fast paths apply (after the normalizer or pre-tokenizer changed).
    pub(crate) fn refresh_fast_paths(&mut self) {
        self.bert_fast = BertFast::detect(self.normalizer.as_ref(), self.pre_tokenizer.as_ref());
        self.unigram_fast =
            UnigramFast::detect(self.normalizer.as_ref(), self.pre_tokenizer.as_ref(), &self.model).map(Box::new);
    }

    /// Loads a `tokenizer.json` file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        crate::format::hf_json::load_file(path.as_ref())
    }

    /// Parses `tokenizer.json` text (HF's name; [`std::str::FromStr`] is implemented too).
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(json: &str) -> Result<Self> {
        crate::format::hf_json::load_str(json, "<string>")
    }

    /// The `tokenizer.json` text HF would write (`Tokenizer.to_str(pretty)`).
    pub fn to_string(&self, pretty: bool) -> Result<String> {
        crate::format::hf_json::to_string(self, pretty)
    }

    /// Writes the `tokenizer.json` (pretty, as HF's `save`).
    pub fn save(&self, path: impl AsRef<Path>, pretty: bool) -> Result<()> {
        let path = path.as_ref();
        let json = self.to_string(pretty)?;
        std::fs::write(path, json).map_err(|source| Error::Io { path: path.to_path_buf(), source })
    }

    // ------------------------------------------------------------------ components

    pub fn normalizer(&self) -> Option<&Normalizer> {
        self.normalizer.as_ref()
    }
    pub fn pre_tokenizer(&self) -> Option<&PreTokenizer> {
        self.pre_tokenizer.as_ref()
    }
    pub fn model(&self) -> &ModelWrapper {
        &self.model
    }
    pub fn post_processor(&self) -> Option<&PostProcessor> {
        self.post_processor.as_ref()
    }
    pub fn decoder(&self) -> Option<&Decoder> {
        self.decoder.as_ref()
    }
    pub fn added_vocabulary(&self) -> &AddedVocabulary {
        &self.added
    }
    /// True when the byte-level engine runs the pre-tokenizer and model stages.
    pub fn uses_byte_level_fast_path(&self) -> bool {
        self.fast.is_some()
    }

    pub fn with_normalizer(&mut self, n: Option<Normalizer>) -> &mut Self {
        self.normalizer = n;
        self.fast = None;
        self.refresh_fast_paths();
        self.refresh_added();
        self
    }
    pub fn with_pre_tokenizer(&mut self, p: Option<PreTokenizer>) -> &mut Self {
        self.pre_tokenizer = p;
        self.fast = None;
        self.refresh_fast_paths();
        self
    }
    pub fn with_post_processor(&mut self, p: Option<PostProcessor>) -> &mut Self {
        self.post_processor = p;
        self
    }
    pub fn with_decoder(&mut self, d: Option<Decoder>) -> &mut Self {
        self.decoder = d;
        self
    }

    /// Sets (or with `None` removes) truncation. As HF's `with_truncation`, refuses a stride not
    /// below the max length left after the post-processor's special tokens.
    pub fn with_truncation(&mut self, t: Option<TruncationParams>) -> Result<&mut Self> {
        if let Some(t) = &t {
            t.validate(self.post_processor.as_ref().map_or(0, |p| p.added_tokens(false)))?;
        }
        self.truncation = t;
        Ok(self)
    }
    pub fn with_padding(&mut self, p: Option<PaddingParams>) -> &mut Self {
        self.padding = p;
        self
    }
    pub fn truncation(&self) -> Option<&TruncationParams> {
        self.truncation.as_ref()
    }
    pub fn padding(&self) -> Option<&PaddingParams> {
        self.padding.as_ref()
    }

    // ------------------------------------------------------------------ vocabulary

    fn normalize_fn(&self) -> impl Fn(&str) -> String + '_ {
        move |s: &str| match &self.normalizer {
            Some(n) => n.normalize_str(s).unwrap_or_else(|_| s.to_string()),
            None => s.to_string(),
        }
    }

    fn refresh_added(&mut self) {
        let mut added = std::mem::take(&mut self.added);
        added.refresh(&ModelVocab(&self.model), &self.normalize_fn());
        self.added = added;
    }

    /// HF's `add_tokens`: how many tokens were taken (HF's count).
    pub fn add_tokens(&mut self, tokens: &[HfAddedToken]) -> usize {
        let mut added = std::mem::take(&mut self.added);
        let n = added.add_tokens(tokens, &ModelVocab(&self.model), &self.normalize_fn());
        self.added = added;
        n
    }

    /// HF's `add_special_tokens`: how many tokens were taken (HF's count).
    pub fn add_special_tokens(&mut self, tokens: &[HfAddedToken]) -> usize {
        let mut added = std::mem::take(&mut self.added);
        let n = added.add_special_tokens(tokens, &ModelVocab(&self.model), &self.normalize_fn());
        self.added = added;
        n
    }

    /// HF's `encode_special_tokens`: when true, special tokens in the text are encoded as text.
    pub fn set_encode_special_tokens(&mut self, on: bool) {
        self.added.encode_special_tokens = on;
    }

    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        self.added.token_to_id(token).or_else(|| self.model.token_to_id(token))
    }

    pub fn id_to_token(&self, id: u32) -> Option<&str> {
        self.added.id_to_token(id).or_else(|| self.model.id_to_token(id))
    }

    /// token → id, with the added tokens when asked.
    pub fn get_vocab(&self, with_added_tokens: bool) -> HashMap<String, u32> {
        let mut v: HashMap<String, u32> = self.model.vocab().into_iter().map(|(t, id)| (t.to_string(), id)).collect();
        if with_added_tokens {
            v.extend(self.added.vocab().map(|(t, id)| (t.to_string(), id)));
        }
        v
    }

    /// HF's `get_vocab_size`: with added tokens, the size of the union.
    pub fn get_vocab_size(&self, with_added_tokens: bool) -> usize {
        if !with_added_tokens {
            return self.model.vocab_size();
        }
        self.model.vocab_size() + self.added.vocab().filter(|(t, _)| self.model.token_to_id(t).is_none()).count()
    }

    /// The added tokens with their ids, sorted by id (`get_added_tokens_decoder`).
    pub fn added_tokens(&self) -> Vec<(u32, HfAddedToken)> {
        self.added.tokens_with_ids().into_iter().map(|t| (t.id, t.token)).collect()
    }

    // ------------------------------------------------------------------ encoding

    /// Encodes one sequence or a pair as HF's `Tokenizer::encode` (Byte) / Python `encode` (Char).
    /// With BPE dropout this is one encoding call (see [`crate::model::HfBpe::set_seed`]): after
    /// the same seed it gives what `encode_batch` gives for the same input at index 0.
    pub fn encode<'s>(
        &self,
        input: impl Into<EncodeInput<'s>>,
        add_special_tokens: bool,
        offsets: OffsetType,
    ) -> Result<Encoding> {
        self.encode_at(self.model.dropout_call(), 0, input, add_special_tokens, offsets)
    }

    /// [`HfTokenizer::encode`] within an encoding call (the caller chose the dropout stream).
    fn encode_one(&self, input: EncodeInput<'_>, add_special_tokens: bool, offsets: OffsetType) -> Result<Encoding> {
        let first = self.encode_input_sequence(&input.first, 0, offsets)?;
        let pair = input.pair.as_ref().map(|p| self.encode_input_sequence(p, 1, offsets)).transpose()?;
        self.post_process(first, pair, add_special_tokens)
    }

    /// Many inputs in parallel on `threads` threads (0 = default), then batch padding. With BPE
    /// dropout each input draws from its own stream (by its index), so the thread count does not
    /// change the result.
    pub fn encode_batch<'s, I: Into<EncodeInput<'s>> + Clone + Sync>(
        &self,
        inputs: &[I],
        add_special_tokens: bool,
        offsets: OffsetType,
        threads: usize,
    ) -> Result<Vec<Encoding>> {
        self.encode_batch_at(self.model.dropout_call(), 0, inputs, add_special_tokens, offsets, threads)
    }

    /// Begins one encoding call that the caller spreads over its own threads (the datasets
    /// tokenize map cuts a column into record batches): passed with each text's index to the
    /// `*_at` methods, it makes BPE dropout draw by (seed, call, index), whatever runs where.
    /// `None` when the model does not sample.
    pub fn dropout_call(&self) -> Option<DropoutCall> {
        self.model.dropout_call()
    }

    /// [`HfTokenizer::encode_batch`] as texts `first..first + inputs.len()` of `call`.
    pub fn encode_batch_at<'s, I: Into<EncodeInput<'s>> + Clone + Sync>(
        &self,
        call: Option<DropoutCall>,
        first: usize,
        inputs: &[I],
        add_special_tokens: bool,
        offsets: OffsetType,
        threads: usize,
    ) -> Result<Vec<Encoding>> {
        let mut encs = batch::map_indexed(inputs, threads, |i, x| {
            in_text_stream(call, first + i, || self.encode_one(x.clone().into(), add_special_tokens, offsets))
        })?
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
        if let Some(p) = &self.padding {
            pad_encodings(&mut encs, p);
        }
        Ok(encs)
    }

    /// HF's `encode_batch_fast`: full encodings without offsets, token strings or word ids.
    pub fn encode_batch_fast<'s, I: Into<EncodeInput<'s>> + Clone + Sync>(
        &self,
        inputs: &[I],
        add_special_tokens: bool,
        threads: usize,
    ) -> Result<Vec<Encoding>> {
        self.encode_batch(inputs, add_special_tokens, OffsetType::None, threads)
    }

    /// Ids of a text for corpus tokenization: added tokens, normalizer, pre-tokenizer and model,
    /// appended to `out` — no post-processor special tokens, no truncation, no padding, no
    /// strings or offsets (the cheapest path; the tiktoken engine for byte-level files).
    /// Each call is one encoding call for BPE dropout (as [`HfTokenizer::encode`]).
    pub fn encode_ids_into(&self, text: &str, out: &mut Vec<u32>) -> Result<()> {
        self.encode_ids_into_at(self.model.dropout_call(), 0, text, out)
    }

    /// [`HfTokenizer::encode_ids_into`] as text `index` of `call` (see [`HfTokenizer::dropout_call`]).
    pub fn encode_ids_into_at(
        &self,
        call: Option<DropoutCall>,
        index: usize,
        text: &str,
        out: &mut Vec<u32>,
    ) -> Result<()> {
        in_text_stream(call, index, || self.run_sequence(text, out))
    }

    /// [`HfTokenizer::encode`] as text `index` of `call` (see [`HfTokenizer::dropout_call`]).
    pub fn encode_at<'s>(
        &self,
        call: Option<DropoutCall>,
        index: usize,
        input: impl Into<EncodeInput<'s>>,
        add_special_tokens: bool,
        offsets: OffsetType,
    ) -> Result<Encoding> {
        in_text_stream(call, index, || self.encode_one(input.into(), add_special_tokens, offsets))
    }

    /// [`HfTokenizer::encode_ids_into`] into a new vector.
    pub fn encode_ids(&self, text: &str) -> Result<Vec<u32>> {
        in_text_stream(self.model.dropout_call(), 0, || self.ids_one(text))
    }

    /// [`HfTokenizer::encode_ids`] over many texts in parallel (one encoding call, each text in
    /// its own dropout stream, as [`HfTokenizer::encode_batch`]).
    pub fn encode_ids_batch<S: AsRef<str> + Sync>(&self, texts: &[S], threads: usize) -> Result<Vec<Vec<u32>>> {
        let call = self.model.dropout_call();
        batch::map_indexed(texts, threads, |i, t| in_text_stream(call, i, || self.ids_one(t.as_ref())))?
            .into_iter()
            .collect()
    }

    /// The ids of one text within an encoding call.
    fn ids_one(&self, text: &str) -> Result<Vec<u32>> {
        let mut out = Vec::with_capacity(text.len() / 4 + 1);
        self.run_sequence(text, &mut out)?;
        Ok(out)
    }

    /// Room for the tokens of a text of `bytes` bytes: what the recent ratio predicts, an eighth
    /// more, and special tokens.
    pub(crate) fn capacity_guess(&self, bytes: usize) -> usize {
        let guess = bytes * self.tokens_per_kb.load(Ordering::Relaxed) as usize / 1024;
        guess + guess / 8 + 4
    }

    /// Records that a text of `bytes` bytes gave `tokens` tokens (for [`Self::capacity_guess`]).
    pub(crate) fn observe_tokens(&self, bytes: usize, tokens: usize) {
        if bytes >= 64 {
            let per_kb = self.tokens_per_kb.load(Ordering::Relaxed);
            let seen = (tokens * 1024 / bytes).min(4096) as u32;
            // A moving average: one odd text does not resize everything after it.
            self.tokens_per_kb.store((per_kb * 7 + seen) / 8, Ordering::Relaxed);
        }
    }

    /// One sequence (raw or pre-tokenized) to an unprocessed encoding.
    fn encode_input_sequence(&self, seq: &InputSequence<'_>, type_id: u32, offsets: OffsetType) -> Result<Encoding> {
        match seq {
            InputSequence::Raw(text) => {
                let enc = Encoding::with_capacity(self.capacity_guess(text.len()));
                let enc = self.encode_text(text, type_id, None, offsets, enc)?;
                self.observe_tokens(text.len(), enc.len());
                Ok(enc)
            }
            InputSequence::PreTokenized(words) => {
                let mut enc = Encoding::default();
                for (i, w) in words.iter().enumerate() {
                    enc = self.encode_text(w, type_id, Some(i as u32), offsets, enc)?;
                }
                Ok(enc)
            }
        }
    }

    /// Appends the tokens of `text` to `enc` (offsets relative to `text`).
    fn encode_text(
        &self,
        text: &str,
        type_id: u32,
        word: Option<u32>,
        offsets: OffsetType,
        enc: Encoding,
    ) -> Result<Encoding> {
        let first = enc.len();
        if offsets == OffsetType::None {
            // HF's encode_fast gives ids only (empty tokens, no offsets or words): the stages
            // take their ids-only paths, and the other fields are filled after.
            let mut enc = enc;
            self.run_sequence(text, &mut enc.ids)?;
            enc.fill_plain(first, type_id);
            return Ok(enc);
        }
        let mut sink = EncodingSink { enc, model: &self.model, type_id, word, offsets };
        self.run_sequence(text, &mut sink)?;
        let mut enc = sink.enc;
        if offsets == OffsetType::Char && !text.is_ascii() {
            let conv = CharOffsets::new(text);
            for o in &mut enc.offsets[first..] {
                *o = conv.convert(*o);
            }
        }
        Ok(enc)
    }

    /// HF's `post_process`: truncation (leaving room for the special tokens), post-processor,
    /// then padding.
    pub fn post_process(&self, first: Encoding, pair: Option<Encoding>, add_special_tokens: bool) -> Result<Encoding> {
        crate::postprocessor::post_process(
            self.post_processor.as_ref(),
            self.truncation.as_ref(),
            self.padding.as_ref(),
            first,
            pair,
            add_special_tokens,
        )
    }

    // ------------------------------------------------------------------ decoding

    /// HF's `decode`: unknown ids are skipped, special tokens too when asked; the decoder joins
    /// the tokens (without one, they are joined with spaces).
    pub fn decode(&self, ids: &[u32], skip_special_tokens: bool) -> Result<String> {
        let tokens: Vec<String> = ids
            .iter()
            .filter_map(|&id| self.id_to_token(id))
            .filter(|t| !skip_special_tokens || !self.added.is_special_token(t))
            .map(str::to_string)
            .collect();
        match &self.decoder {
            Some(d) => d.decode(tokens),
            None => Ok(tokens.join(" ")),
        }
    }

    /// [`HfTokenizer::decode`] over many id lists in parallel.
    pub fn decode_batch<S: AsRef<[u32]> + Sync>(
        &self,
        ids: &[S],
        skip_special_tokens: bool,
        threads: usize,
    ) -> Result<Vec<String>> {
        batch::map(ids, threads, |i| self.decode(i.as_ref(), skip_special_tokens))?.into_iter().collect()
    }
}

impl std::str::FromStr for HfTokenizer {
    type Err = Error;
    fn from_str(json: &str) -> Result<Self> {
        HfTokenizer::from_str(json)
    }
}
