//! Special and added tokens: strings that are cut out of the text before pre-tokenization and map
//! straight to one id, found in one pass with Aho-Corasick. This file serves the tiktoken path; [`hf`] is
//! Hugging Face's `AddedVocabulary` with its per-token flags.

pub mod hf;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rustc_hash::FxHashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedToken {
    pub content: String,
    pub id: u32,
    /// A special token (tiktoken's special tokens; HF `special: true`).
    pub special: bool,
}

#[derive(Debug, Clone)]
pub struct AddedVocab {
    tokens: Vec<AddedToken>,
    by_content: FxHashMap<String, usize>,
    by_id: FxHashMap<u32, usize>,
    kind: MatchKind,
    matcher: Option<AhoCorasick>,
}

/// A match of an added token in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    pub id: u32,
}

impl AddedVocab {
    /// `leftmost_first`: tiktoken's rule (earlier tokens win at the same position); otherwise
    /// leftmost-longest, as Hugging Face does.
    pub fn new(tokens: Vec<AddedToken>, leftmost_first: bool) -> Self {
        let kind = if leftmost_first { MatchKind::LeftmostFirst } else { MatchKind::LeftmostLongest };
        let mut v = AddedVocab {
            tokens: Vec::new(),
            by_content: FxHashMap::default(),
            by_id: FxHashMap::default(),
            kind,
            matcher: None,
        };
        for t in tokens {
            v.push(t);
        }
        v.rebuild();
        v
    }

    fn push(&mut self, t: AddedToken) {
        // Empty contents can never match; keeping them out keeps pattern indices == token indices.
        if t.content.is_empty() || self.by_content.contains_key(&t.content) {
            return;
        }
        self.by_content.insert(t.content.clone(), self.tokens.len());
        self.by_id.insert(t.id, self.tokens.len());
        self.tokens.push(t);
    }

    fn rebuild(&mut self) {
        self.matcher = build(self.kind, self.tokens.iter().map(|t| t.content.as_str()));
    }

    /// Adds tokens (ignoring contents already present).
    pub fn extend(&mut self, tokens: impl IntoIterator<Item = AddedToken>) {
        for t in tokens {
            self.push(t);
        }
        self.rebuild();
    }

    pub fn tokens(&self) -> &[AddedToken] {
        &self.tokens
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    pub fn id_of(&self, content: &str) -> Option<u32> {
        self.by_content.get(content).map(|&i| self.tokens[i].id)
    }

    pub fn get(&self, id: u32) -> Option<&AddedToken> {
        self.by_id.get(&id).map(|&i| &self.tokens[i])
    }

    /// Every match of any added token, left to right, non-overlapping.
    pub fn find_all(&self, text: &str, mut f: impl FnMut(Found)) {
        if let Some(m) = &self.matcher {
            for hit in m.find_iter(text) {
                let t = &self.tokens[hit.pattern().as_usize()];
                f(Found { start: hit.start(), end: hit.end(), id: t.id });
            }
        }
    }

    /// Every match of the tokens accepted by `keep` (matching only among those, so a rejected
    /// token never hides an accepted one).
    pub fn find_subset(&self, text: &str, keep: &dyn Fn(&AddedToken) -> bool, mut f: impl FnMut(Found)) {
        let chosen: Vec<&AddedToken> = self.tokens.iter().filter(|t| keep(t)).collect();
        if chosen.len() == self.tokens.len() {
            return self.find_all(text, f);
        }
        if let Some(m) = build(self.kind, chosen.iter().map(|t| t.content.as_str())) {
            for hit in m.find_iter(text) {
                let t = chosen[hit.pattern().as_usize()];
                f(Found { start: hit.start(), end: hit.end(), id: t.id });
            }
        }
    }
}

/// The candidate occurring leftmost in `text` (ties: the longest), as tiktoken reports the
/// disallowed special token it found.
pub fn find_leftmost<'a>(text: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if let Some(at) = text.find(c) {
            if best.is_none_or(|(p, b)| at < p || (at == p && c.len() > b.len())) {
                best = Some((at, c));
            }
        }
    }
    best.map(|(_, c)| c)
}

fn build<'a>(kind: MatchKind, pats: impl Iterator<Item = &'a str>) -> Option<AhoCorasick> {
    let pats: Vec<&str> = pats.filter(|p| !p.is_empty()).collect();
    if pats.is_empty() {
        return None;
    }
    AhoCorasickBuilder::new().match_kind(kind).build(pats).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(c: &str, id: u32) -> AddedToken {
        AddedToken { content: c.into(), id, special: true }
    }

    #[test]
    fn leftmost_then_longest() {
        assert_eq!(find_leftmost("ab<|x|>cd<|y|>", ["<|y|>", "<|x|>"]), Some("<|x|>"));
        assert_eq!(find_leftmost("<|xx|>", ["<|x", "<|xx|>"]), Some("<|xx|>"));
        assert_eq!(find_leftmost("plain", ["<|x|>"]), None);
    }

    #[test]
    fn finds_in_order_and_subsets() {
        let v = AddedVocab::new(vec![tok("<|a|>", 1), tok("<|b|>", 2)], true);
        let mut hits = Vec::new();
        v.find_all("x<|b|>y<|a|>", |f| hits.push(f.id));
        assert_eq!(hits, vec![2, 1]);
        let mut starts = Vec::new();
        v.find_subset("x<|b|>y<|a|>", &|t| t.id == 1, |f| starts.push(f.start));
        assert_eq!(starts, vec![7]);
    }
}
