//! The tokenizer behind the native tokenize map: a tiktoken-style encoding ([`Tokenizer`]) or any
//! Hugging Face `tokenizer.json` pipeline ([`HfTokenizer`]), behind one small enum so the map's
//! hot loop stays the same for both.

use std::sync::Arc;

use tokenmill_tokenizers::model::DropoutCall;
use tokenmill_tokenizers::{HfTokenizer, OffsetType, Tokenizer};

use crate::error::Result;

/// A text's ids and their char offsets.
pub type IdsOffsets = (Vec<u32>, Vec<(usize, usize)>);

/// Either engine, cheap to clone (both are `Arc`s).
#[derive(Clone)]
pub enum TextTokenizer {
    Tiktoken(Arc<Tokenizer>),
    HuggingFace(Arc<HfTokenizer>),
}

impl TextTokenizer {
    pub fn name(&self) -> String {
        match self {
            TextTokenizer::Tiktoken(t) => t.name().to_string(),
            TextTokenizer::HuggingFace(_) => "tokenizer.json".to_string(),
        }
    }

    pub fn special_token_id(&self, text: &str) -> Option<u32> {
        match self {
            TextTokenizer::Tiktoken(t) => t.special_token_id(text),
            TextTokenizer::HuggingFace(t) => t.token_to_id(text),
        }
    }

    /// One past the largest id the tokenizer can produce.
    pub fn n_vocab(&self) -> usize {
        match self {
            TextTokenizer::Tiktoken(t) => t.n_vocab(),
            TextTokenizer::HuggingFace(t) => t.get_vocab(true).values().map(|&id| id as usize + 1).max().unwrap_or(0),
        }
    }

    pub fn max_token_id(&self) -> u32 {
        self.n_vocab().saturating_sub(1) as u32
    }

    /// What identifies the tokenizer's behaviour in a cache fingerprint: the pattern of a tiktoken
    /// encoding, the whole serialized pipeline of a tokenizer.json.
    pub fn identity(&self) -> String {
        match self {
            TextTokenizer::Tiktoken(t) => t.pattern().to_string(),
            TextTokenizer::HuggingFace(t) => t.to_string(false).unwrap_or_default(),
        }
    }

    /// Begins one tokenize run: a tokenizer.json with BPE dropout then draws for row `i` from the
    /// run's stream `i` (the `*_at` methods), so the output does not depend on how rows were spread
    /// over threads. `None` for tokenizers that do not sample.
    pub fn begin_run(&self) -> Option<DropoutCall> {
        match self {
            TextTokenizer::Tiktoken(_) => None,
            TextTokenizer::HuggingFace(t) => t.dropout_call(),
        }
    }

    /// Appends the ids of `text`. `with_added`: special tokens spelled in the text become their ids
    /// (a tokenizer.json pipeline always recognises its added tokens, as HF does); no
    /// post-processor specials, truncation or padding.
    pub fn encode_into(&self, text: &str, with_added: bool, out: &mut Vec<u32>) -> Result<()> {
        self.encode_into_at(self.begin_run(), 0, text, with_added, out)
    }

    /// [`Self::encode_into`] as row `row` of the run `call` (see [`Self::begin_run`]).
    pub fn encode_into_at(
        &self,
        call: Option<DropoutCall>,
        row: usize,
        text: &str,
        with_added: bool,
        out: &mut Vec<u32>,
    ) -> Result<()> {
        match self {
            TextTokenizer::Tiktoken(t) if with_added => t.encode_with_added(text, out),
            TextTokenizer::Tiktoken(t) => t.encode_ordinary_into(text, out),
            TextTokenizer::HuggingFace(t) => t.encode_ids_into_at(call, row, text, out)?,
        }
        Ok(())
    }

    /// Ids with char offsets (HF's `offset_mapping`); `with_added` as in [`Self::encode_into`], so
    /// asking for offsets never changes the ids.
    pub fn encode_offsets(&self, text: &str, with_added: bool) -> Result<IdsOffsets> {
        self.encode_offsets_at(self.begin_run(), 0, text, with_added)
    }

    /// [`Self::encode_offsets`] as row `row` of the run `call` (see [`Self::begin_run`]).
    pub fn encode_offsets_at(
        &self,
        call: Option<DropoutCall>,
        row: usize,
        text: &str,
        with_added: bool,
    ) -> Result<IdsOffsets> {
        let enc = match self {
            TextTokenizer::Tiktoken(t) => t.encode_full_with(text, with_added),
            TextTokenizer::HuggingFace(t) => t.encode_at(call, row, text, false, OffsetType::Char)?,
        };
        Ok((enc.ids, enc.offsets))
    }

    /// The ids of `text`, special-token text as ordinary text.
    pub fn encode_ordinary(&self, text: &str) -> Result<Vec<u32>> {
        let mut out = Vec::new();
        self.encode_into(text, false, &mut out)?;
        Ok(out)
    }
}

impl From<Arc<Tokenizer>> for TextTokenizer {
    fn from(t: Arc<Tokenizer>) -> Self {
        TextTokenizer::Tiktoken(t)
    }
}

impl From<&Arc<Tokenizer>> for TextTokenizer {
    fn from(t: &Arc<Tokenizer>) -> Self {
        TextTokenizer::Tiktoken(t.clone())
    }
}

impl From<Arc<HfTokenizer>> for TextTokenizer {
    fn from(t: Arc<HfTokenizer>) -> Self {
        TextTokenizer::HuggingFace(t)
    }
}

impl From<&Arc<HfTokenizer>> for TextTokenizer {
    fn from(t: &Arc<HfTokenizer>) -> Self {
        TextTokenizer::HuggingFace(t.clone())
    }
}

impl From<&TextTokenizer> for TextTokenizer {
    fn from(t: &TextTokenizer) -> Self {
        t.clone()
    }
}
