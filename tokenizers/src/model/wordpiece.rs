//! WordPiece as Hugging Face runs it (greedy longest-match-first, `##` continuation, a whole word
//! becomes the unknown token when any part fails or it is too long), computed in linear time by
//! LinMaxMatch (Song et al. 2021, "Fast WordPiece Tokenization").
//!
//! The automaton ([`wordpiece_trie`](super::wordpiece_trie)) has two roots: the word-start trie
//! holds every vocabulary token literally, the suffix trie holds the tokens that start with the
//! continuation prefix, prefix stripped. Walking a word byte by byte, a missing transition pops
//! the node's precomputed tokens and follows its failure link, so every byte is consumed once and
//! each failure link is followed at most once per emitted token.

use serde_json::Value;
use std::path::Path;

use super::vocab::Vocab;
use super::wordpiece_trie::Automaton;
use super::{Model, Token};
use crate::error::{Error, Result};

pub const DEFAULT_UNK: &str = "[UNK]";
pub const DEFAULT_PREFIX: &str = "##";
pub const DEFAULT_MAX_CHARS: usize = 100;

#[derive(Debug, Clone)]
pub struct WordPiece {
    vocab: Vocab,
    unk_token: String,
    unk_id: Option<u32>,
    prefix: String,
    max_chars: usize,
    automaton: Automaton,
}

impl WordPiece {
    /// A WordPiece model over `vocab` with HF's options.
    pub fn new(
        vocab: Vocab,
        unk_token: &str,
        continuing_subword_prefix: &str,
        max_input_chars_per_word: usize,
    ) -> Self {
        let automaton = Automaton::build(&vocab, continuing_subword_prefix);
        WordPiece {
            unk_id: vocab.get(unk_token),
            vocab,
            unk_token: unk_token.to_string(),
            prefix: continuing_subword_prefix.to_string(),
            max_chars: max_input_chars_per_word,
            automaton,
        }
    }

    /// Reads a BERT `vocab.txt` (one token a line, id = line number; trailing whitespace dropped,
    /// a repeated token keeps its last line) with HF's defaults for the options.
    pub fn from_vocab_txt(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
        let vocab = Vocab::from_pairs(text.lines().enumerate().map(|(i, l)| (l.trim_end(), i as u32)))?;
        Ok(Self::new(vocab, DEFAULT_UNK, DEFAULT_PREFIX, DEFAULT_MAX_CHARS))
    }

    /// Parses HF's `{"type": "WordPiece", ...}` object; missing options take HF's defaults.
    pub fn from_json(v: &Value, origin: &str) -> Result<Self> {
        let vocab = Vocab::from_json(v.get("vocab").unwrap_or(&Value::Null), "model.vocab", origin)?;
        let unk = super::json::opt_str(v, "unk_token", origin)?.unwrap_or(DEFAULT_UNK);
        let prefix = super::json::opt_str(v, "continuing_subword_prefix", origin)?.unwrap_or(DEFAULT_PREFIX);
        let max = match v.get("max_input_chars_per_word") {
            None | Some(Value::Null) => DEFAULT_MAX_CHARS,
            Some(m) => m.as_u64().ok_or_else(|| {
                Error::json(origin, format!("model.max_input_chars_per_word = {m} is not a non-negative integer"))
            })? as usize,
        };
        Ok(Self::new(vocab, unk, prefix, max))
    }

    /// HF's JSON object for this model (vocabulary in id order).
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "type": "WordPiece",
            "unk_token": self.unk_token,
            "continuing_subword_prefix": self.prefix,
            "max_input_chars_per_word": self.max_chars,
            "vocab": super::json::vocab_object(&self.vocab),
        })
    }

    pub fn unk_token(&self) -> &str {
        &self.unk_token
    }

    pub fn continuing_subword_prefix(&self) -> &str {
        &self.prefix
    }

    pub fn max_input_chars_per_word(&self) -> usize {
        self.max_chars
    }

    fn unk(&self, piece: &str, base: usize, out: &mut Vec<Token>) -> Result<()> {
        out.truncate(base);
        let id = self.unk_id.ok_or_else(|| Error::Model {
            model: "WordPiece",
            reason: format!("unknown token {:?} is not in the vocabulary", self.unk_token),
        })?;
        out.push(Token { id, start: 0, end: piece.len() });
        Ok(())
    }

    /// Tokenizes one word; on error `out` is left as it was.
    pub fn tokenize_word(&self, piece: &str, out: &mut Vec<Token>) -> Result<()> {
        let base = out.len();
        // Bytes ≥ chars, so counting chars is only needed for long words.
        if piece.len() > self.max_chars && piece.chars().count() > self.max_chars {
            return self.unk(piece, base, out);
        }
        // A word that is itself a token is its own longest first match: one table probe
        // instead of a walk (most words of running text).
        if let Some(id) = self.vocab.get(piece) {
            out.push(Token { id, start: 0, end: piece.len() });
            return Ok(());
        }
        if self.automaton.tokenize(piece.as_bytes(), out) {
            Ok(())
        } else {
            self.unk(piece, base, out)
        }
    }
}

impl WordPiece {
    /// The string of `token` (found in `piece`) as `(prefix, rest)`, without reading the
    /// vocabulary — on a 30k-entry vocabulary that read is a cache miss per token. A match is the
    /// piece's own bytes, after the continuing-subword prefix unless it starts the word (which is
    /// exactly the vocabulary entry it matched); an unknown word is `unk_token`.
    pub fn token_parts<'a>(&'a self, token: &Token, piece: &'a str) -> (&'a str, &'a str) {
        if Some(token.id) == self.unk_id {
            return ("", &self.unk_token);
        }
        match piece.get(token.start..token.end) {
            Some(s) if token.start == 0 => ("", s),
            Some(s) => (&self.prefix, s),
            None => ("", self.vocab.token(token.id).unwrap_or_default()),
        }
    }
}

impl Model for WordPiece {
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

    fn wp(tokens: &[&str]) -> WordPiece {
        let vocab = Vocab::from_pairs(tokens.iter().enumerate().map(|(i, t)| (*t, i as u32))).unwrap();
        WordPiece::new(vocab, "[UNK]", "##", 100)
    }

    /// HF's quadratic reference loop, to check the automaton against.
    fn reference(m: &WordPiece, w: &str) -> Vec<Token> {
        if w.chars().count() > m.max_chars {
            return vec![Token { id: m.unk_id.unwrap(), start: 0, end: w.len() }];
        }
        let mut out = Vec::new();
        let mut start = 0;
        while start < w.len() {
            let mut end = w.len();
            let mut found = None;
            while start < end {
                let sub = if start > 0 { format!("##{}", &w[start..end]) } else { w[start..end].to_string() };
                if let Some(id) = m.vocab.get(&sub) {
                    found = Some(id);
                    break;
                }
                end -= w[start..end].chars().last().unwrap().len_utf8();
            }
            match found {
                Some(id) => out.push(Token { id, start, end }),
                None => return vec![Token { id: m.unk_id.unwrap(), start: 0, end: w.len() }],
            }
            start = end;
        }
        out
    }

    fn run(m: &WordPiece, w: &str) -> Vec<Token> {
        let mut out = Vec::new();
        m.tokenize(w, &mut out);
        out
    }

    #[test]
    fn greedy_longest_match_with_prefix() {
        let m = wp(&["[UNK]", "un", "##aff", "##able", "una", "##ffa", "##b", "##le", "é", "##é"]);
        for w in ["unaffable", "unaffa", "una", "unb", "x", "unble", "éé", "", "##b", "un##b"] {
            assert_eq!(run(&m, w), reference(&m, w), "{w:?}");
        }
        // "una" is the longest first match, so "##aff" is never tried.
        let t = run(&m, "unaffable");
        assert_eq!(t.iter().map(|t| (t.start, t.end)).collect::<Vec<_>>(), vec![(0, 3), (3, 6), (6, 7), (7, 9)]);
    }

    #[test]
    fn matches_reference_on_exhaustive_small_words() {
        let m =
            wp(&["[UNK]", "a", "ab", "abc", "abcd", "##b", "##bc", "##c", "##cd", "##d", "b", "bcd", "##a", "##abc"]);
        let alphabet = ['a', 'b', 'c', 'd', 'e'];
        let mut words = vec![String::new()];
        for _ in 0..6 {
            let mut next = Vec::new();
            for w in &words {
                for c in alphabet {
                    next.push(format!("{w}{c}"));
                }
            }
            for w in &next {
                let got = run(&m, w);
                assert_eq!(got, reference(&m, w), "{w:?}");
                // The token strings read off the word are the vocabulary entries.
                for t in &got {
                    let (p, rest) = m.token_parts(t, w);
                    assert_eq!(format!("{p}{rest}"), m.id_to_token(t.id).unwrap(), "{w:?} {t:?}");
                }
            }
            words = next;
        }
    }

    #[test]
    fn too_long_word_is_one_unknown() {
        let m = WordPiece::new(Vocab::from_pairs([("a", 0), ("[UNK]", 1), ("##a", 2)]).unwrap(), "[UNK]", "##", 3);
        assert_eq!(run(&m, "aaa").len(), 3);
        assert_eq!(run(&m, "aaaa"), vec![Token { id: 1, start: 0, end: 4 }]);
        // Chars, not bytes: three 2-byte chars fit.
        let m = WordPiece::new(Vocab::from_pairs([("é", 0), ("[UNK]", 1), ("##é", 2)]).unwrap(), "[UNK]", "##", 3);
        assert_eq!(run(&m, "ééé").len(), 3);
    }

    #[test]
    fn missing_unknown_token_is_an_error_not_a_panic() {
        let m = WordPiece::new(Vocab::from_pairs([("a", 0)]).unwrap(), "[UNK]", "##", 100);
        let mut out = vec![Token { id: 9, start: 0, end: 0 }];
        let e = m.tokenize_word("ab", &mut out).unwrap_err();
        assert!(e.to_string().contains("[UNK]"), "{e}");
        assert_eq!(out.len(), 1);
        assert!(m.tokenize_word("a", &mut out).is_ok());
    }

    #[test]
    fn empty_prefix_works() {
        let vocab = Vocab::from_pairs([("[UNK]", 0), ("ab", 1), ("c", 2), ("abc", 3), ("bc", 4), ("a", 5)]).unwrap();
        let m = WordPiece::new(vocab, "[UNK]", "", 100);
        let ids: Vec<u32> = run(&m, "abcab").iter().map(|t| t.id).collect();
        assert_eq!(ids, vec![3, 1]);
    }

    #[test]
    fn long_word_without_unknowns_is_linear() {
        // 1 MB of "a": every step pops one token; the quadratic loop would take ~10^12 steps.
        let m = WordPiece::new(
            Vocab::from_pairs([("[UNK]", 0), ("a", 1), ("##a", 2), ("##aa", 3)]).unwrap(),
            "[UNK]",
            "##",
            usize::MAX,
        );
        let w = "a".repeat(1 << 20);
        let t = run(&m, &w);
        assert_eq!(t.len(), 1 + ((1 << 20) - 1) / 2 + 1);
        assert_eq!(t.last().unwrap().end, w.len());
    }
}
