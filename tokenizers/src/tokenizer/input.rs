//! What `HfTokenizer::encode` takes: one sequence or a pair, each raw text or a list of words
//! (`is_pretokenized`), and which offsets to report.

use std::borrow::Cow;

/// One input sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSequence<'s> {
    /// A text.
    Raw(Cow<'s, str>),
    /// Words already split by the caller (HF's `is_pretokenized=True`): each word is encoded
    /// on its own, its word id is its index and its offsets are relative to the word.
    PreTokenized(Vec<Cow<'s, str>>),
}

impl<'s> From<&'s str> for InputSequence<'s> {
    fn from(s: &'s str) -> Self {
        InputSequence::Raw(Cow::Borrowed(s))
    }
}

impl From<String> for InputSequence<'_> {
    fn from(s: String) -> Self {
        InputSequence::Raw(Cow::Owned(s))
    }
}

impl<'s> From<&'s [&'s str]> for InputSequence<'s> {
    fn from(words: &'s [&'s str]) -> Self {
        InputSequence::PreTokenized(words.iter().map(|w| Cow::Borrowed(*w)).collect())
    }
}

impl<'s> From<Vec<&'s str>> for InputSequence<'s> {
    fn from(words: Vec<&'s str>) -> Self {
        InputSequence::PreTokenized(words.into_iter().map(Cow::Borrowed).collect())
    }
}

impl From<Vec<String>> for InputSequence<'_> {
    fn from(words: Vec<String>) -> Self {
        InputSequence::PreTokenized(words.into_iter().map(Cow::Owned).collect())
    }
}

/// A single sequence or a pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeInput<'s> {
    pub first: InputSequence<'s>,
    pub pair: Option<InputSequence<'s>>,
}

impl<'s> EncodeInput<'s> {
    pub fn single(first: impl Into<InputSequence<'s>>) -> Self {
        EncodeInput { first: first.into(), pair: None }
    }

    pub fn pair(first: impl Into<InputSequence<'s>>, second: impl Into<InputSequence<'s>>) -> Self {
        EncodeInput { first: first.into(), pair: Some(second.into()) }
    }
}

impl<'s> From<&'s str> for EncodeInput<'s> {
    fn from(s: &'s str) -> Self {
        EncodeInput::single(s)
    }
}

impl<'s> From<(&'s str, &'s str)> for EncodeInput<'s> {
    fn from((a, b): (&'s str, &'s str)) -> Self {
        EncodeInput::pair(a, b)
    }
}

impl<'s> From<InputSequence<'s>> for EncodeInput<'s> {
    fn from(first: InputSequence<'s>) -> Self {
        EncodeInput { first, pair: None }
    }
}

/// Which offsets an encoding reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OffsetType {
    /// Byte offsets into the input (HF's Rust `encode`).
    #[default]
    Byte,
    /// Char (Unicode scalar) offsets: what HF's Python `encode` reports.
    Char,
    /// No offsets, no token strings, no word ids (HF's `encode_batch_fast`): cheaper.
    None,
}
