//! Fused fast path for the SentencePiece shape — Precompiled + Replace(`\A +| +\z` → "") +
//! Replace(` {2,}` → " ") normalizers, Metaspace (prepend always, split) and a Unigram model:
//! on ASCII text the normalizer leaves nothing to do but the space trimming, so the words are
//! the runs between spaces, each handed to the model as `▁word` with no `NormalizedString`.
//! Other text takes the general stages when offsets are wanted; for ids only, the charsmap runs
//! on a plain string (no alignments) and the same split follows.
//!
//! Why it is exact: when Precompiled maps no byte of the text, the two Replace steps remove the
//! leading/trailing spaces and keep one space per run; Metaspace then turns each space into `▁`,
//! prepends `▁` to the first word (the text cannot start with `▁`, it is ASCII) and splits
//! before every `▁` — so the pieces are `▁` + each non-empty run between spaces.
//!
//! Offsets follow HF's alignments: a word's own bytes map to themselves; its `▁` maps to the
//! space before it (the last space of a collapsed run, as HF's Replace aligns inserted text to
//! the last removed char), except the first word's prepended `▁`, which shares the alignment of
//! the word's first char.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;

use crate::model::hash::FastMap;
use crate::model::{ModelWrapper, Token};
use crate::normalizer::{Normalizer, Precompiled};
use crate::pretokenizer::PreTokenizer;

use super::sequence::{Sink, Split, TokenAt};

/// What the fused path needs from the detected file.
#[derive(Debug, Clone)]
pub(crate) struct UnigramFast {
    /// ASCII bytes the charsmap rewrites (such texts take the general stages).
    mapped: [bool; 128],
    /// Metaspace's replacement char, as a string.
    rep: String,
    /// The normalizer's charsmap, for the ids-only path on non-ASCII text.
    charsmap: Precompiled,
    /// Tells the thread-local word caches of different tokenizers apart.
    uid: u64,
}

/// Words longer than this are not cached (rare, and would bloat the cache).
const MAX_CACHED_WORD: usize = 48;
/// The cache is emptied when it holds this many words (bounds memory on huge corpora).
const MAX_CACHED_WORDS: usize = 1 << 17;

static NEXT_UID: AtomicU64 = AtomicU64::new(0);

/// Per-thread cache of word → tokens (ranges in `▁word`), for the tokenizer `uid`. Unigram's
/// answer depends only on the piece, so a cached answer is the model's answer.
struct WordCache {
    uid: u64,
    words: FastMap<Box<str>, Box<[Token]>>,
}

thread_local! {
    static CACHE: RefCell<WordCache> = RefCell::new(WordCache { uid: u64::MAX, words: FastMap::default() });
}

impl UnigramFast {
    /// `Some` for the SentencePiece shape described in the module docs with a Unigram model.
    pub(crate) fn detect(
        normalizer: Option<&Normalizer>,
        pre: Option<&PreTokenizer>,
        model: &ModelWrapper,
    ) -> Option<Self> {
        if !matches!(model, ModelWrapper::Unigram(_)) {
            return None;
        }
        let n = serde_json::to_value(normalizer?).ok()?;
        let p = serde_json::to_value(pre?).ok()?;
        if p.get("type")?.as_str()? != "Metaspace"
            || p.get("prepend_scheme")?.as_str()? != "always"
            || !p.get("split")?.as_bool()?
        {
            return None;
        }
        let mut rep_chars = p.get("replacement")?.as_str()?.chars();
        let rep = rep_chars.next()?;
        if rep_chars.next().is_some() || rep.is_ascii() {
            // An ASCII replacement could occur in the text and change the prepend rule.
            return None;
        }
        if n.get("type")?.as_str()? != "Sequence" {
            return None;
        }
        let items = n.get("normalizers")?.as_array()?;
        let [pc, strip, collapse] = items.as_slice() else { return None };
        let is_replace = |v: &Value, pattern: &str, content: &str| {
            v.get("type").and_then(Value::as_str) == Some("Replace")
                && v.get("pattern").and_then(|p| p.get("Regex")).and_then(Value::as_str) == Some(pattern)
                && v.get("content").and_then(Value::as_str) == Some(content)
        };
        if pc.get("type")?.as_str()? != "Precompiled"
            || !is_replace(strip, r"\A +| +\z", "")
            || !is_replace(collapse, " {2,}", " ")
        {
            return None;
        }
        let charsmap: Precompiled = serde_json::from_value(pc.clone()).ok()?;
        let mut mapped = charsmap.ascii_mapped();
        // `\r\n` is one grapheme; the charsmap could rewrite it as a whole.
        mapped[b'\r' as usize] = true;
        Some(UnigramFast { mapped, rep: rep.to_string(), charsmap, uid: NEXT_UID.fetch_add(1, Ordering::Relaxed) })
    }

    /// ASCII that the normalizer leaves as it is but for spaces.
    #[inline]
    fn unchanged(&self, text: &str) -> bool {
        text.bytes().all(|b| b < 0x80 && !self.mapped[b as usize])
    }
}

thread_local! {
    static NORMALIZED: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Encodes `text` (starting at byte `base` of the sequence), continuing the word count, when
/// the fused path can; `Ok(false)` (nothing emitted) means the general stages must run.
pub(crate) fn run(
    fast: &UnigramFast,
    model: &ModelWrapper,
    text: &str,
    base: usize,
    word: &mut u32,
    sink: &mut dyn Sink,
) -> crate::error::Result<bool> {
    let ModelWrapper::Unigram(model) = model else { return Ok(false) };
    if fast.unchanged(text) {
        run_cached(fast, model, text, base, word, sink)?;
        return Ok(true);
    }
    if sink.ids_mut().is_none() {
        return Ok(false);
    }
    // Only ids are wanted: normalize to a plain string, then split it the same way — unless
    // the normalized text holds the replacement char itself, which Metaspace splits on too.
    NORMALIZED.with(|cell| {
        let mut own = String::new();
        let mut borrowed = cell.try_borrow_mut();
        let norm = match borrowed.as_deref_mut() {
            Ok(n) => n,
            Err(_) => &mut own,
        };
        norm.clear();
        fast.charsmap.normalize_to(text, norm);
        if norm.contains(fast.rep.as_str()) {
            return Ok(false);
        }
        run_cached(fast, model, norm, base, word, sink)?;
        Ok(true)
    })
}

fn run_cached(
    fast: &UnigramFast,
    model: &crate::model::unigram::Unigram,
    text: &str,
    base: usize,
    word: &mut u32,
    sink: &mut dyn Sink,
) -> crate::error::Result<()> {
    CACHE.with(|cell| match cell.try_borrow_mut() {
        Ok(mut cache) => {
            if cache.uid != fast.uid {
                cache.words.clear();
                cache.uid = fast.uid;
            }
            run_words(fast, model, text, base, word, sink, Some(&mut cache.words))
        }
        Err(_) => run_words(fast, model, text, base, word, sink, None),
    })
}

fn run_words(
    fast: &UnigramFast,
    model: &crate::model::unigram::Unigram,
    text: &str,
    base: usize,
    word: &mut u32,
    sink: &mut dyn Sink,
    mut cache: Option<&mut FastMap<Box<str>, Box<[Token]>>>,
) -> crate::error::Result<()> {
    let r = fast.rep.len();
    let mut piece = String::with_capacity(64);
    let mut toks: Vec<Token> = Vec::new();
    let bytes = text.as_bytes();
    let mut first = true;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b' ' {
            i += 1;
            continue;
        }
        let a = i;
        while i < bytes.len() && bytes[i] != b' ' {
            i += 1;
        }
        let w = &text[a..i];
        piece.clear();
        piece.push_str(&fast.rep);
        piece.push_str(w);
        toks.clear();
        let cached = match cache.as_deref_mut() {
            Some(c) if w.len() <= MAX_CACHED_WORD => {
                if let Some(t) = c.get(w) {
                    toks.extend_from_slice(t);
                } else {
                    model.tokenize_word(&piece, &mut toks)?;
                    if c.len() >= MAX_CACHED_WORDS {
                        c.clear();
                    }
                    c.insert(w.into(), toks.as_slice().into());
                }
                true
            }
            _ => false,
        };
        if !cached {
            model.tokenize_word(&piece, &mut toks)?;
        }
        if let Some(ids) = sink.ids_mut() {
            ids.extend(toks.iter().map(|t| t.id));
        } else {
            // Where the `▁` came from: the word's first char (prepended) or the space before it.
            let (ms, me) = if first { (a, a + 1) } else { (a - 1, a) };
            for t in &toks {
                let s = if t.start < r { ms } else { a + t.start - r };
                let e = if t.end <= r { me } else { a + t.end - r };
                sink.token(TokenAt {
                    id: t.id,
                    word: *word,
                    split: Split::Fused { piece: &piece, offsets: (base + s, base + e) },
                    range: t.start..t.end,
                    from_model: true,
                });
            }
        }
        *word += 1;
        first = false;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::pipeline::HfTokenizer;
    use super::*;

    /// Every token as (id, word, offsets, token text).
    #[derive(Default)]
    struct Rec(Vec<(u32, u32, (usize, usize), String)>);
    impl Sink for Rec {
        fn token(&mut self, t: TokenAt<'_>) {
            self.0.push((t.id, t.word, t.offsets(), t.text()[t.range.clone()].to_string()));
        }
    }

    /// ../shared/data relative to the repository root (TOKENMILL_SHARED overrides it).
    fn dir() -> String {
        match std::env::var("TOKENMILL_SHARED") {
            Ok(d) => format!("{d}/vocab/sentencepiece/"),
            Err(_) => concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/vocab/sentencepiece/").to_string(),
        }
    }

    fn load(name: &str) -> Option<HfTokenizer> {
        let dir = dir();
        match HfTokenizer::from_file(format!("{dir}{name}.tokenizer.json")) {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("skipping: {dir}{name}.tokenizer.json not loaded ({e})");
                None
            }
        }
    }

    /// The fused path gives what the general stages give: tokens, words, offsets, and ids (also
    /// from the word cache, on the second pass).
    #[test]
    fn fused_matches_general() {
        let dir = dir();
        let Ok(corpus) = std::fs::read_to_string(format!("{dir}botchan.txt")) else {
            eprintln!("skipping: {dir}botchan.txt not found");
            return;
        };
        let edge = [
            "",
            " ",
            "   ",
            "a",
            "  a  b  ",
            "x  y",
            "Hello,   world! ",
            "é a",
            "▁a b",
            "a▁b",
            "\tq",
            "a\r\nb",
            "東京  は ｶﾀｶﾅ ＡＢＣ",
            "ﬁ ①",
            "\u{200B}x y",
            "a\u{301} b",
        ];
        for name in ["botchan_en_unigram_1000", "kyoto_ja_unigram_8000"] {
            let Some(tok) = load(name) else { return };
            let fast = tok.unigram_fast.as_deref().expect("the SentencePiece shape is detected");
            let mut fused_ascii = 0;
            for pass in 0..2 {
                for text in corpus.lines().chain(edge.iter().copied()) {
                    let (mut w1, mut w2) = (0, 0);
                    let mut want = Rec::default();
                    tok.run_general(text, 0, &mut w1, &mut want).unwrap();
                    let mut got = Rec::default();
                    if run(fast, &tok.model, text, 0, &mut w2, &mut got).unwrap() {
                        fused_ascii += 1;
                        assert_eq!(got.0, want.0, "{name} pass {pass}: {text:?}");
                        assert_eq!(w1, w2, "{text:?}");
                    }
                    let want_ids: Vec<u32> = want.0.iter().map(|t| t.0).collect();
                    let mut ids: Vec<u32> = Vec::new();
                    let mut w3 = 0;
                    if run(fast, &tok.model, text, 0, &mut w3, &mut ids).unwrap() {
                        assert_eq!(ids, want_ids, "{name} ids pass {pass}: {text:?}");
                    } else {
                        assert!(ids.is_empty());
                    }
                }
            }
            assert!(fused_ascii > 1000, "{name}: the fused path ran on {fused_ascii} texts");
        }
    }
}
