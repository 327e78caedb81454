//! Models turn one pre-tokenized piece into tokens: byte-level BPE over raw bytes ([`bpe`], the
//! tiktoken/GPT-2 hot path), and the `tokenizer.json` models behind the [`Model`] trait.

pub mod bpe;
pub mod cache;
pub mod hash;
pub mod hf_bpe;
mod json;
pub mod table;
pub mod trie;
pub mod unigram;
pub mod vocab;
pub mod wordlevel;
pub mod wordpiece;
pub mod wordpiece_trie;
pub mod wrapper;

pub use bpe::BpeModel;
pub use hf_bpe::{BpeOptions, DropoutCall, HfBpe};
pub use unigram::Unigram;
pub use vocab::Vocab;
pub use wordlevel::WordLevel;
pub use wordpiece::WordPiece;
pub use wrapper::ModelWrapper;

/// One token produced by a model for a piece: its id and its byte range within the piece.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub id: u32,
    pub start: usize,
    pub end: usize,
}

/// A `tokenizer.json` model (WordPiece, Unigram, WordLevel, BPE with its options).
pub trait Model: Send + Sync {
    /// Appends the tokens of `piece` to `out`; offsets are byte offsets within `piece`.
    /// Must not allocate per token on the hot path.
    fn tokenize(&self, piece: &str, out: &mut Vec<Token>);

    /// As [`tokenize`](Model::tokenize), but reports what HF reports as an error (an unknown
    /// token missing from the vocabulary); on error `out` is left unchanged. `tokenize` itself
    /// then appends nothing for the piece.
    fn try_tokenize(&self, piece: &str, out: &mut Vec<Token>) -> crate::error::Result<()> {
        self.tokenize(piece, out);
        Ok(())
    }

    /// The string Hugging Face reports for `token` (usually the vocabulary entry of its id; for
    /// Unigram's unknown token, the piece's own text).
    fn token_value<'a>(&'a self, token: &Token, piece: &'a str) -> std::borrow::Cow<'a, str> {
        match self.id_to_token(token.id) {
            Some(s) => std::borrow::Cow::Borrowed(s),
            None => std::borrow::Cow::Borrowed(&piece[token.start..token.end]),
        }
    }

    fn token_to_id(&self, token: &str) -> Option<u32>;
    fn id_to_token(&self, id: u32) -> Option<&str>;
    /// Number of entries in the vocabulary.
    fn vocab_size(&self) -> usize;
    /// (token, id) for every vocabulary entry.
    fn vocab(&self) -> Vec<(&str, u32)>;
}
