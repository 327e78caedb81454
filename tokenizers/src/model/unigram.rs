//! Unigram (SentencePiece) as Hugging Face runs it: Viterbi over the lattice of vocabulary pieces
//! found by common-prefix search in a byte trie, an unknown character scored `min score − 10`,
//! consecutive unknowns fused into one token, optional byte fallback to `<0xXX>` pieces.
//!
//! Tie rules follow HF exactly: start positions left to right, candidate pieces shortest first,
//! a later candidate wins only with a strictly higher score, scores summed in `f64`.

use serde_json::Value;
use std::cell::RefCell;

use super::hash::FastMap;
use super::trie::{ByteTrie, TrieBuilder, NONE};
use super::{Model, Token};
use crate::error::{Error, Result};

/// HF's penalty for an unknown character below the lowest piece score.
const UNK_PENALTY: f64 = 10.0;

#[derive(Debug, Clone)]
pub struct Unigram {
    pieces: Vec<(Box<str>, f64)>,
    /// piece → id; a repeated piece keeps its last id (HF's map).
    ids: FastMap<Box<str>, u32>,
    unk_id: Option<u32>,
    byte_fallback: bool,
    byte_ids: Box<[u32; 256]>,
    min_score: f64,
    /// Each node holds its piece (id `NONE` for inner nodes) and score.
    trie: ByteTrie<Piece>,
    root: u32,
}

#[derive(Debug, Clone, Copy)]
struct Piece {
    id: u32,
    score: f64,
}

impl Default for Piece {
    fn default() -> Self {
        Piece { id: NONE, score: 0.0 }
    }
}

/// Best path ending at a byte position.
#[derive(Clone, Copy)]
struct Best {
    score: f64,
    start: u32,
    id: u32,
}

thread_local! {
    static LATTICE: RefCell<Vec<Best>> = const { RefCell::new(Vec::new()) };
}

impl Unigram {
    /// `pieces` in id order with their log-probabilities.
    pub fn new(pieces: Vec<(String, f64)>, unk_id: Option<usize>, byte_fallback: bool) -> Result<Self> {
        if let Some(u) = unk_id {
            if pieces.is_empty() {
                return Err(Error::Model { model: "Unigram", reason: "the vocabulary is empty".into() });
            }
            if u >= pieces.len() {
                return Err(Error::Model {
                    model: "Unigram",
                    reason: format!("unk_id {u} is not in the vocabulary ({} pieces)", pieces.len()),
                });
            }
        }
        if pieces.len() >= super::bpe::MAX_TOKEN_ID as usize {
            return Err(Error::TokenIdTooLarge { id: pieces.len() as u64, limit: super::bpe::MAX_TOKEN_ID as u64 });
        }
        let mut ids = FastMap::default();
        ids.reserve(pieces.len());
        let mut b = TrieBuilder::default();
        let root = b.add_root();
        let mut ends = Vec::with_capacity(pieces.len());
        let mut min_score = f64::INFINITY;
        for (i, (p, score)) in pieces.iter().enumerate() {
            ids.insert(p.as_str().into(), i as u32);
            ends.push(b.insert(root, p.as_bytes()));
            if *score < min_score {
                min_score = *score;
            }
        }
        let (mut trie, map) = b.finish::<Piece>();
        for (i, &n) in ends.iter().enumerate() {
            if n != root {
                // The trie answers with the piece's map id, as HF looks the string up again.
                let id = ids[pieces[i].0.as_str()];
                trie.set_data(map[n as usize], Piece { id, score: pieces[id as usize].1 });
            }
        }
        let mut byte_ids = [NONE; 256];
        for (b, slot) in byte_ids.iter_mut().enumerate() {
            if let Some(&id) = ids.get(format!("<0x{b:02X}>").as_str()) {
                *slot = id;
            }
        }
        Ok(Unigram {
            pieces: pieces.into_iter().map(|(p, s)| (p.into_boxed_str(), s)).collect(),
            ids,
            unk_id: unk_id.map(|u| u as u32),
            byte_fallback,
            byte_ids: Box::new(byte_ids),
            min_score,
            trie,
            root: map[root as usize],
        })
    }

    /// Parses HF's `{"type": "Unigram", "unk_id": ..., "vocab": [[piece, score], ...], "byte_fallback": ...}`.
    pub fn from_json(v: &Value, origin: &str) -> Result<Self> {
        let list = v
            .get("vocab")
            .and_then(Value::as_array)
            .ok_or_else(|| Error::json(origin, "model.vocab is not a list of [piece, score]"))?;
        let mut pieces = Vec::with_capacity(list.len());
        for (i, e) in list.iter().enumerate() {
            match e.as_array().map(|a| a.as_slice()) {
                Some([Value::String(p), s]) if s.is_number() => pieces.push((p.clone(), s.as_f64().unwrap_or(0.0))),
                _ => return Err(Error::json(origin, format!("model.vocab[{i}] = {e} is not [piece, score]"))),
            }
        }
        let unk_id = match v.get("unk_id") {
            None | Some(Value::Null) => None,
            Some(u) => Some(
                u.as_u64().ok_or_else(|| Error::json(origin, format!("model.unk_id = {u} is not a piece index")))?
                    as usize,
            ),
        };
        let byte_fallback = super::json::opt_bool(v, "byte_fallback", false, origin)?;
        Self::new(pieces, unk_id, byte_fallback).map_err(|e| Error::json(origin, format!("model: {e}")))
    }

    pub fn to_json(&self) -> Value {
        let vocab: Vec<Value> = self.pieces.iter().map(|(p, s)| serde_json::json!([p, s])).collect();
        serde_json::json!({
            "type": "Unigram",
            "unk_id": self.unk_id,
            "vocab": vocab,
            "byte_fallback": self.byte_fallback,
        })
    }

    pub fn unk_id(&self) -> Option<u32> {
        self.unk_id
    }

    pub fn byte_fallback(&self) -> bool {
        self.byte_fallback
    }

    /// The score of piece `id`.
    pub fn score(&self, id: u32) -> Option<f64> {
        self.pieces.get(id as usize).map(|p| p.1)
    }

    fn missing_unk() -> Error {
        Error::Model { model: "Unigram", reason: "encountered an unknown token but unk_id is missing".into() }
    }

    /// Tokenizes one piece; on error `out` is left as it was.
    pub fn tokenize_word(&self, piece: &str, out: &mut Vec<Token>) -> Result<()> {
        if piece.is_empty() {
            return Ok(());
        }
        LATTICE.with(|cell| match cell.try_borrow_mut() {
            Ok(mut lattice) => self.viterbi(piece, &mut lattice, out),
            Err(_) => self.viterbi(piece, &mut Vec::new(), out),
        })
    }

    fn viterbi(&self, piece: &str, best: &mut Vec<Best>, out: &mut Vec<Token>) -> Result<()> {
        let bytes = piece.as_bytes();
        let n = bytes.len();
        best.clear();
        best.resize(n + 1, Best { score: 0.0, start: NONE, id: 0 });
        let unk_score = self.min_score - UNK_PENALTY;
        let mut s = 0;
        while s < n {
            let here = best[s].score;
            let char_len = utf8_len(bytes[s]);
            let mut single = false;
            let mut v = self.root;
            for (k, &b) in bytes[s..].iter().enumerate() {
                v = self.trie.child(v, b);
                if v == NONE {
                    break;
                }
                let Piece { id, score } = self.trie.data(v);
                if id == NONE {
                    continue;
                }
                let end = s + k + 1;
                let cand = score + here;
                let t = &mut best[end];
                if t.start == NONE || cand > t.score {
                    *t = Best { score: cand, start: s as u32, id };
                }
                single |= k + 1 == char_len;
            }
            if !single {
                let cand = unk_score + here;
                let t = &mut best[s + char_len];
                // HF fails only when the unknown candidate would be recorded.
                if t.start == NONE || cand > t.score {
                    let unk = self.unk_id.ok_or_else(Self::missing_unk)?;
                    *t = Best { score: cand, start: s as u32, id: unk };
                }
            }
            s += char_len;
        }

        // Walk back from the end; tokens come out reversed and are flipped at the end.
        let base = out.len();
        let mut end = n;
        let mut unk_run: Option<(usize, usize)> = None;
        while end > 0 {
            let node = best[end];
            let start = node.start as usize;
            if Some(node.id) == self.unk_id {
                unk_run = Some((start, unk_run.map_or(end, |r| r.1)));
            } else {
                if let Some((a, b)) = unk_run.take() {
                    self.push_unknown(piece, a, b, out);
                }
                out.push(Token { id: node.id, start, end });
            }
            end = start;
        }
        if let Some((a, b)) = unk_run {
            self.push_unknown(piece, a, b, out);
        }
        out[base..].reverse();
        Ok(())
    }

    /// A fused run of unknowns: its own id if the text is a piece, else byte pieces (all with
    /// the run's offsets, as HF), else the unknown id. Pushed reversed, like the caller's list.
    fn push_unknown(&self, piece: &str, a: usize, b: usize, out: &mut Vec<Token>) {
        let text = &piece[a..b];
        if let Some(&id) = self.ids.get(text) {
            out.push(Token { id, start: a, end: b });
            return;
        }
        if self.byte_fallback && text.bytes().all(|x| self.byte_ids[x as usize] != NONE) {
            for x in text.bytes().rev() {
                out.push(Token { id: self.byte_ids[x as usize], start: a, end: b });
            }
            return;
        }
        // The run exists only because unk_id is set.
        out.push(Token { id: self.unk_id.unwrap_or(0), start: a, end: b });
    }
}

#[inline(always)]
fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

impl Model for Unigram {
    fn tokenize(&self, piece: &str, out: &mut Vec<Token>) {
        let _ = self.tokenize_word(piece, out);
    }

    fn try_tokenize(&self, piece: &str, out: &mut Vec<Token>) -> Result<()> {
        self.tokenize_word(piece, out)
    }

    /// HF reports an unknown token's own text (fused runs included), not `<unk>`. Without byte
    /// fallback every token is the piece's own text (a match is the vocabulary entry's bytes), so
    /// the vocabulary is not read at all.
    fn token_value<'a>(&'a self, token: &Token, piece: &'a str) -> std::borrow::Cow<'a, str> {
        if !self.byte_fallback || Some(token.id) == self.unk_id {
            if let Some(s) = piece.get(token.start..token.end) {
                return std::borrow::Cow::Borrowed(s);
            }
        }
        std::borrow::Cow::Borrowed(self.id_to_token(token.id).unwrap_or(""))
    }

    fn token_to_id(&self, token: &str) -> Option<u32> {
        self.ids.get(token).copied()
    }

    fn id_to_token(&self, id: u32) -> Option<&str> {
        self.pieces.get(id as usize).map(|p| &*p.0)
    }

    fn vocab_size(&self) -> usize {
        self.pieces.len()
    }

    fn vocab(&self) -> Vec<(&str, u32)> {
        self.pieces.iter().enumerate().map(|(i, p)| (&*p.0, i as u32)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(pieces: &[(&str, f64)], unk: Option<usize>, bf: bool) -> Unigram {
        Unigram::new(pieces.iter().map(|(p, s)| (p.to_string(), *s)).collect(), unk, bf).unwrap()
    }

    fn run(m: &Unigram, w: &str) -> Vec<(u32, String, usize, usize)> {
        let mut out = Vec::new();
        m.tokenize_word(w, &mut out).unwrap();
        out.iter().map(|t| (t.id, m.token_value(t, w).into_owned(), t.start, t.end)).collect()
    }

    #[test]
    fn viterbi_picks_best_path() {
        let m = model(
            &[("<unk>", 0.0), ("a", -1.0), ("b", -1.0), ("ab", -1.5), ("abc", -4.0), ("c", -1.0)],
            Some(0),
            false,
        );
        assert_eq!(run(&m, "ab"), vec![(3, "ab".into(), 0, 2)]);
        // abc (-4) loses to ab + c (-2.5).
        assert_eq!(run(&m, "abc").iter().map(|t| t.0).collect::<Vec<_>>(), vec![3, 5]);
    }

    /// Expectations from HF tokenizers 0.23.3 `models.Unigram(...).tokenize(...)`.
    #[test]
    fn unknowns_fuse_and_fall_back_to_bytes_as_hf() {
        let w = "xxaéa<unk>x";
        let m = model(&[("<unk>", 0.0), ("a", -1.0)], Some(0), false);
        assert_eq!(
            run(&m, w),
            vec![
                (0, "xx".into(), 0, 2),
                (1, "a".into(), 2, 3),
                (0, "é".into(), 3, 5),
                (1, "a".into(), 5, 6),
                (0, "<unk>x".into(), 6, 12)
            ]
        );
        let m = model(&[("<unk>", 0.0), ("a", -1.0), ("<0x78>", -2.0)], Some(0), true);
        let got = run(&m, w);
        assert_eq!(got[0], (2, "<0x78>".into(), 0, 2));
        assert_eq!(got[1], (2, "<0x78>".into(), 0, 2));
        assert_eq!(got[3], (0, "é".into(), 3, 5));
        assert_eq!(got.len(), 6);
    }

    #[test]
    fn missing_unk_id_is_an_error() {
        let m = model(&[("a", -1.0)], None, false);
        let mut out = Vec::new();
        assert!(m.tokenize_word("a", &mut out).is_ok());
        assert!(m.tokenize_word("qa", &mut out).is_err());
        assert_eq!(out.len(), 1);
        // "y" alone is unknown but "ty" covers it better: no error (HF).
        let m = model(&[("t", -1.0), ("ty", -1.0)], None, false);
        out.clear();
        m.tokenize_word("ty", &mut out).unwrap();
        assert_eq!(out, vec![Token { id: 1, start: 0, end: 2 }]);
        assert!(Unigram::new(vec![("a".into(), 0.0)], Some(1), false).is_err());
    }

    #[test]
    fn long_piece_stays_linear_with_bounded_pieces() {
        let m = model(&[("<unk>", 0.0), ("a", -1.0), ("aa", -1.5), ("aaa", -2.5)], Some(0), false);
        let w = "a".repeat(1 << 20);
        let mut out = Vec::new();
        m.tokenize_word(&w, &mut out).unwrap();
        assert_eq!(out.iter().map(|t| t.end - t.start).sum::<usize>(), w.len());
    }
}
