//! WordLevel: a whole piece is one vocabulary entry, or the unknown token.

use serde_json::Value;

use super::vocab::Vocab;
use super::{Model, Token};
use crate::error::{Error, Result};

pub const DEFAULT_UNK: &str = "<unk>";

#[derive(Debug, Clone)]
pub struct WordLevel {
    vocab: Vocab,
    unk_token: String,
    unk_id: Option<u32>,
}

impl WordLevel {
    pub fn new(vocab: Vocab, unk_token: &str) -> Self {
        WordLevel { unk_id: vocab.get(unk_token), vocab, unk_token: unk_token.to_string() }
    }

    /// Parses HF's `{"type": "WordLevel", "vocab": {...}, "unk_token": ...}`.
    pub fn from_json(v: &Value, origin: &str) -> Result<Self> {
        let vocab = Vocab::from_json(v.get("vocab").unwrap_or(&Value::Null), "model.vocab", origin)?;
        let unk = super::json::opt_str(v, "unk_token", origin)?.unwrap_or(DEFAULT_UNK);
        Ok(Self::new(vocab, unk))
    }

    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "type": "WordLevel",
            "vocab": super::json::vocab_object(&self.vocab),
            "unk_token": self.unk_token,
        })
    }

    pub fn unk_token(&self) -> &str {
        &self.unk_token
    }

    /// One token for the piece (offsets cover it all, even when empty, as HF).
    pub fn tokenize_word(&self, piece: &str, out: &mut Vec<Token>) -> Result<()> {
        let id = match self.vocab.get(piece).or(self.unk_id) {
            Some(id) => id,
            None => {
                return Err(Error::Model {
                    model: "WordLevel",
                    reason: format!("unknown token {:?} is not in the vocabulary", self.unk_token),
                })
            }
        };
        out.push(Token { id, start: 0, end: piece.len() });
        Ok(())
    }
}

impl Model for WordLevel {
    fn tokenize(&self, piece: &str, out: &mut Vec<Token>) {
        let _ = self.tokenize_word(piece, out);
    }

    fn try_tokenize(&self, piece: &str, out: &mut Vec<Token>) -> Result<()> {
        self.tokenize_word(piece, out)
    }

    fn token_to_id(&self, token: &str) -> Option<u32> {
        self.vocab.get(token)
    }

    fn id_to_token(&self, id: u32) -> Option<&str> {
        self.vocab.token(id)
    }

    fn vocab_size(&self) -> usize {
        self.vocab.len()
    }

    fn vocab(&self) -> Vec<(&str, u32)> {
        self.vocab.sorted()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_unknown_and_missing_unknown() {
        let m = WordLevel::new(Vocab::from_pairs([("a", 0), ("<unk>", 1)]).unwrap(), "<unk>");
        let mut out = Vec::new();
        m.tokenize("a", &mut out);
        m.tokenize("zz", &mut out);
        m.tokenize("", &mut out);
        assert_eq!(
            out,
            vec![
                Token { id: 0, start: 0, end: 1 },
                Token { id: 1, start: 0, end: 2 },
                Token { id: 1, start: 0, end: 0 }
            ]
        );
        let m = WordLevel::new(Vocab::from_pairs([("a", 0)]).unwrap(), "<unk>");
        assert!(m.tokenize_word("b", &mut out).is_err());
    }
}
