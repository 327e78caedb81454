//! Hugging Face's `AddedVocabulary`: tokens added on top of a model's vocabulary, with the flags
//! `single_word`, `lstrip`, `rstrip`, `normalized` and `special`, matched before the model sees
//! the text and never split by it.
//!
//! As HF tokenizers 0.23: tokens with `normalized: false` are matched on the raw text, the others
//! on the normalized text (their own content normalized the same way); each set is one
//! leftmost-longest Aho-Corasick automaton, so a text is scanned once per set. Ids come from the
//! model vocabulary when the content exists there, else the next id after the vocabulary.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

/// One added token with HF's flags (`tokenizers.AddedToken`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HfAddedToken {
    pub content: String,
    /// Matches only when not preceded or followed by a word character (`\w`).
    #[serde(default)]
    pub single_word: bool,
    /// Swallows the whitespace before it.
    #[serde(default)]
    pub lstrip: bool,
    /// Swallows the whitespace after it.
    #[serde(default)]
    pub rstrip: bool,
    /// Matched on the normalized text (true) or the raw text (false).
    #[serde(default = "yes")]
    pub normalized: bool,
    /// Skipped by `decode(skip_special_tokens=true)`; marked in `special_tokens_mask` only when a
    /// post-processor adds it.
    #[serde(default)]
    pub special: bool,
}

fn yes() -> bool {
    true
}

impl HfAddedToken {
    /// HF's `AddedToken::from(content, special)`: special tokens default to `normalized: false`.
    pub fn new(content: impl Into<String>, special: bool) -> Self {
        HfAddedToken {
            content: content.into(),
            single_word: false,
            lstrip: false,
            rstrip: false,
            normalized: !special,
            special,
        }
    }
}

/// The tokenizer.json form: the token plus its id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HfAddedTokenWithId {
    pub id: u32,
    #[serde(flatten)]
    pub token: HfAddedToken,
}

/// What the model offers the added vocabulary: its lookup and its size.
pub trait VocabLookup {
    fn model_token_to_id(&self, token: &str) -> Option<u32>;
    fn model_vocab_size(&self) -> usize;
}

/// Which automaton to match with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOn {
    /// Tokens with `normalized: false`, matched on the raw text.
    Raw,
    /// Tokens with `normalized: true`, matched on the normalized text.
    Normalized,
}

#[derive(Debug, Clone, Default)]
struct Trie {
    matcher: Option<AhoCorasick>,
    ids: Vec<u32>,
}

/// HF's `AddedVocabulary`.
#[derive(Debug, Clone, Default)]
pub struct AddedVocabulary {
    /// content → id.
    map: FxHashMap<String, u32>,
    /// id → token (the latest token given that id).
    map_r: FxHashMap<u32, HfAddedToken>,
    /// id → the string `id_to_token` reports: the content, normalized for normalized tokens.
    strings: FxHashMap<u32, String>,
    /// Non-special tokens in insertion order.
    added: Vec<HfAddedToken>,
    /// Special tokens in insertion order.
    special: Vec<HfAddedToken>,
    special_set: FxHashSet<String>,
    raw: Trie,
    normalized: Trie,
    /// HF's `encode_special_tokens`: special tokens are not matched (encoded as text).
    pub encode_special_tokens: bool,
}

impl AddedVocabulary {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// True when no token needs matching on the normalized text.
    pub fn has_normalized(&self) -> bool {
        self.normalized.matcher.is_some()
    }

    /// True when some token needs matching on the raw text.
    pub fn has_raw(&self) -> bool {
        self.raw.matcher.is_some()
    }

    /// The id of an added token's content.
    pub fn token_to_id(&self, content: &str) -> Option<u32> {
        self.map.get(content).copied()
    }

    /// The string HF reports for an added id: the content, normalized when the token is.
    pub fn id_to_token(&self, id: u32) -> Option<&str> {
        self.strings.get(&id).map(String::as_str)
    }

    pub fn get(&self, id: u32) -> Option<&HfAddedToken> {
        self.map_r.get(&id)
    }

    /// Whether `token` (a string as `id_to_token` reports it) is a special token's content.
    pub fn is_special_token(&self, token: &str) -> bool {
        self.special_set.contains(token)
    }

    /// content → id of every added token (HF's `get_added_vocab`).
    pub fn vocab(&self) -> impl Iterator<Item = (&str, u32)> {
        self.map.iter().map(|(k, &v)| (k.as_str(), v))
    }

    /// Every added token with its id, sorted by id (tokenizer.json's `added_tokens`).
    pub fn tokens_with_ids(&self) -> Vec<HfAddedTokenWithId> {
        let mut v: Vec<HfAddedTokenWithId> =
            self.map_r.iter().map(|(&id, t)| HfAddedTokenWithId { id, token: t.clone() }).collect();
        v.sort_by_key(|t| t.id);
        v
    }

    /// HF's `add_tokens`: returns how many tokens were taken (all but empty ones and exact
    /// duplicates of an added token, including contents the model already has). `normalize` is the tokenizer's
    /// normalizer applied to a string (identity when there is none).
    pub fn add_tokens(
        &mut self,
        tokens: &[HfAddedToken],
        model: &dyn VocabLookup,
        normalize: &dyn Fn(&str) -> String,
    ) -> usize {
        let mut added = 0;
        for token in tokens {
            if token.content.is_empty() || self.map_r.values().any(|t| t == token) {
                continue;
            }
            // HF counts every token it did not ignore, even one the model already has.
            added += 1;
            let id = match self.map.get(&token.content).copied().or_else(|| model.model_token_to_id(&token.content)) {
                Some(id) => id,
                None => {
                    let size = model.model_vocab_size() as u32;
                    match self.map.values().copied().max() {
                        Some(max) if max >= size || size == 0 => max + 1,
                        _ => size,
                    }
                }
            };
            self.map.insert(token.content.clone(), id);
            self.map_r.insert(id, token.clone());
            if !self.special_set.contains(&token.content) {
                self.added.push(token.clone());
            }
        }
        self.refresh(model, normalize);
        added
    }

    /// HF's `add_special_tokens`: marks them special, then adds them.
    pub fn add_special_tokens(
        &mut self,
        tokens: &[HfAddedToken],
        model: &dyn VocabLookup,
        normalize: &dyn Fn(&str) -> String,
    ) -> usize {
        for token in tokens {
            if !token.content.is_empty() && self.special_set.insert(token.content.clone()) {
                self.special.push(token.clone());
            }
        }
        self.add_tokens(tokens, model, normalize)
    }

    /// Rebuilds both automatons and the reported strings (after adding tokens or changing the
    /// normalizer).
    pub fn refresh(&mut self, model: &dyn VocabLookup, normalize: &dyn Fn(&str) -> String) {
        let mut raw: (Vec<String>, Vec<u32>) = Default::default();
        let mut norm: (Vec<String>, Vec<u32>) = Default::default();
        for t in self.special.iter().chain(self.added.iter()) {
            let Some(id) = self.map.get(&t.content).copied().or_else(|| model.model_token_to_id(&t.content)) else {
                continue;
            };
            if t.normalized {
                norm.0.push(normalize(&t.content));
                norm.1.push(id);
            } else {
                raw.0.push(t.content.clone());
                raw.1.push(id);
            }
        }
        self.raw = build(raw);
        self.normalized = build(norm);
        self.strings = self
            .map_r
            .iter()
            .map(|(&id, t)| (id, if t.normalized { normalize(&t.content) } else { t.content.clone() }))
            .collect();
    }

    /// HF's `find_matches`: splits `text` into `(Some(id), range)` for added tokens (widened by
    /// lstrip/rstrip) and `(None, range)` for the text between them. An empty text gives one
    /// empty text split.
    pub fn find_matches(&self, text: &str, on: MatchOn, out: &mut Vec<(Option<u32>, usize, usize)>) {
        if text.is_empty() {
            out.push((None, 0, 0));
            return;
        }
        let trie = match on {
            MatchOn::Raw => &self.raw,
            MatchOn::Normalized => &self.normalized,
        };
        let mut last = 0;
        if let Some(m) = &trie.matcher {
            for hit in m.find_iter(text) {
                let (mut start, mut stop) = (hit.start(), hit.end());
                let id = trie.ids[hit.pattern().as_usize()];
                let Some(tok) = self.map_r.get(&id) else { continue };
                if self.encode_special_tokens && self.special_set.contains(&tok.content) {
                    continue;
                }
                if tok.single_word {
                    let before_ok = start == 0 || !text[..start].chars().next_back().is_some_and(is_word_char);
                    let after_ok = stop == text.len() || !text[stop..].chars().next().is_some_and(is_word_char);
                    if !before_ok || !after_ok {
                        continue;
                    }
                }
                if tok.lstrip {
                    // Never reach back into the previous match.
                    start = leftmost_space_at_end(&text[..start]).max(last);
                }
                if tok.rstrip {
                    stop += space_len_at_start(&text[stop..]);
                }
                if last < start {
                    out.push((None, last, start));
                }
                out.push((Some(id), start, stop));
                last = stop;
            }
        }
        if last != text.len() {
            out.push((None, last, text.len()));
        }
    }
}

/// HF's word characters for `single_word`: alphanumeric or `_`.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Start of the whitespace run ending `s` (`s.len()` when `s` does not end with whitespace).
fn leftmost_space_at_end(s: &str) -> usize {
    let mut start = s.len();
    for (i, c) in s.char_indices().rev() {
        if !c.is_whitespace() {
            break;
        }
        start = i;
    }
    start
}

/// Length of the whitespace run starting `s`.
fn space_len_at_start(s: &str) -> usize {
    s.char_indices().find(|(_, c)| !c.is_whitespace()).map_or(s.len(), |(i, _)| i)
}

fn build((pats, ids): (Vec<String>, Vec<u32>)) -> Trie {
    // Empty patterns would match everywhere; HF never stores empty contents, and a normalizer
    // that erases a whole token makes it unmatchable, not universal.
    let (pats, ids): (Vec<String>, Vec<u32>) = pats.into_iter().zip(ids).filter(|(p, _)| !p.is_empty()).unzip();
    if pats.is_empty() {
        return Trie::default();
    }
    let matcher = AhoCorasickBuilder::new().match_kind(MatchKind::LeftmostLongest).build(&pats).ok();
    Trie { matcher, ids }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Vocab;
    impl VocabLookup for Vocab {
        fn model_token_to_id(&self, token: &str) -> Option<u32> {
            ["a", "b", "hello"].iter().position(|t| *t == token).map(|i| i as u32)
        }
        fn model_vocab_size(&self) -> usize {
            3
        }
    }

    fn lower(s: &str) -> String {
        s.to_lowercase()
    }

    fn matches(v: &AddedVocabulary, text: &str, on: MatchOn) -> Vec<(Option<u32>, &'static str)> {
        let mut out = Vec::new();
        v.find_matches(text, on, &mut out);
        out.into_iter().map(|(id, s, e)| (id, &*text[s..e].to_string().leak())).collect()
    }

    #[test]
    fn ids_flags_and_strings_as_hf() {
        let mut v = AddedVocabulary::new();
        let hello = HfAddedToken { lstrip: true, rstrip: true, ..HfAddedToken::new("Hello", false) };
        let zz = HfAddedToken { single_word: true, ..HfAddedToken::new("zz", false) };
        let raw = HfAddedToken { normalized: false, ..HfAddedToken::new("wOrLd", false) };
        // "Hello" is new (id 3), "hello" is in the model (id 2): HF counts both.
        assert_eq!(v.add_tokens(&[hello, zz, raw, HfAddedToken::new("hello", false)], &Vocab, &lower), 4);
        assert_eq!(v.token_to_id("Hello"), Some(3));
        assert_eq!(v.token_to_id("hello"), Some(2));
        assert_eq!(v.id_to_token(3), Some("hello"), "normalized tokens report their normalized content");
        assert_eq!(v.id_to_token(5), Some("wOrLd"));
        assert_eq!(v.add_special_tokens(&[HfAddedToken::new("<X>", true)], &Vocab, &lower), 1);
        assert_eq!(v.token_to_id("<X>"), Some(6));
        assert!(v.is_special_token("<X>") && !v.is_special_token("zz"));

        assert_eq!(
            matches(&v, "x   <X> wOrLd", MatchOn::Raw),
            vec![(None, "x   "), (Some(6), "<X>"), (None, " "), (Some(5), "wOrLd")]
        );
        assert_eq!(
            matches(&v, "a  hello  b zz azz zz_ zz", MatchOn::Normalized),
            vec![
                (None, "a"),
                // "Hello" and "hello" both normalize to "hello": the first added wins, as in HF.
                (Some(3), "  hello  "),
                (None, "b "),
                (Some(4), "zz"),
                (None, " azz zz_ "),
                (Some(4), "zz")
            ]
        );
        assert_eq!(matches(&v, "", MatchOn::Raw), vec![(None, "")]);
        let saved = v.tokens_with_ids();
        assert_eq!(saved.iter().map(|t| t.id).collect::<Vec<_>>(), vec![2, 3, 4, 5, 6]);
        let json = serde_json::to_string(&saved[4]).unwrap();
        assert_eq!(
            json,
            r#"{"id":6,"content":"<X>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}"#
        );
    }

    #[test]
    fn lstrip_never_reaches_into_previous_match() {
        let mut v = AddedVocabulary::new();
        let a = HfAddedToken { rstrip: true, ..HfAddedToken::new("<a>", true) };
        let b = HfAddedToken { lstrip: true, ..HfAddedToken::new("<b>", true) };
        v.add_special_tokens(&[a, b], &Vocab, &lower);
        assert_eq!(matches(&v, "<a>  <b>", MatchOn::Raw), vec![(Some(3), "<a>  "), (Some(4), "<b>")]);
        v.encode_special_tokens = true;
        assert_eq!(matches(&v, "<a>  <b>", MatchOn::Raw), vec![(None, "<a>  <b>")]);
    }
}
