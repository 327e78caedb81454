//! Fused fast path for the SentencePiece shape — Precompiled + Replace(`\A +| +\z` → "") +
//! Replace(` {2,}` → " ") normalizers, Metaspace (prepend always, split) and a Unigram model:
//! on ASCII text the normalizer leaves nothing to do but the space trimming, so the words are
//! the runs between spaces, each handed to the model as `▁word` with no `NormalizedString`.
//! Non-ASCII text the charsmap leaves as it is (accents, CJK, emoji: most of it) and that holds
//! no `▁` takes the same loop. For ids only, other text runs the charsmap on a plain string (no
//! alignments) and the same split follows. When offsets are wanted, other text is cut into
//! segments (see [`segments`]): the ASCII ones take the fused loop, the rest the general stages,
//! each segment on its own.
//!
//! Why it is exact: when Precompiled changes no char of the text (so every char stays aligned
//! with itself), the two Replace steps remove the leading/trailing spaces and keep one space per
//! run; Metaspace then turns each space into `▁`, prepends `▁` to the first word (the text does
//! not start with `▁`: it holds none) and splits before every `▁` — so the pieces are `▁` + each
//! non-empty run between spaces.
//!
//! Offsets follow HF's alignments: a word's own bytes map to themselves; its `▁` maps to the
//! space before it (the last space of a collapsed run, as HF's Replace aligns inserted text to
//! the last removed char), except the first word's prepended `▁`, which shares the alignment of
//! the word's first char.
//!
//! Why segments are exact: a segment boundary is a single ASCII space between two ASCII bytes
//! the charsmap leaves alone (neither a space). The charsmap works per grapheme, and no grapheme
//! crosses such a space; the space trimming only touches the text's ends, and no run of spaces
//! crosses it; Metaspace splits there anyway. So a segment normalizes, splits and tokenizes as it
//! would inside the whole text, except for how its first `▁` is aligned: alone, the general
//! stages prepend it (aligned to the segment's first char); in the text it is the boundary space.
//! [`SpaceBefore`] moves the first token's offsets onto that space.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::LocalKey;

use serde_json::Value;

use crate::model::{Model, ModelWrapper, Token};
use crate::normalizer::{Normalizer, Precompiled};
use crate::pretokenizer::PreTokenizer;

use super::compact::{CompactOut, Rec};
use super::pipeline::HfTokenizer;
use super::sequence::{Sink, Split, TokenAt};
use super::word_cache::WordCache;

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

static NEXT_UID: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// Word → tokens, per thread. Unigram's answer depends only on the piece, so a cached answer
    /// is the model's answer.
    static CACHE: RefCell<WordCache> = const { RefCell::new(WordCache::new()) };
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

    /// A byte the fused loop cannot take: non-ASCII, or ASCII the charsmap rewrites.
    #[inline]
    fn changed(&self, b: u8) -> bool {
        b >= 0x80 || self.mapped[b as usize]
    }

    /// True when the normalizer changes nothing in `text` but its spaces, and `text` holds no
    /// replacement char: then the fused loop is exact on it, ASCII or not (see the module docs;
    /// most non-ASCII text is such: accents, CJK, emoji are their own NFKC form).
    fn leaves_alone(&self, text: &str) -> bool {
        !text.contains(self.rep.as_str()) && self.charsmap.first_change(text).is_none()
    }

    /// The first byte of `text` the fused loop cannot take (`None`: ASCII that the normalizer
    /// leaves as it is but for spaces).
    #[inline]
    fn first_changed(&self, text: &str) -> Option<usize> {
        text.bytes().position(|b| self.changed(b))
    }
}

thread_local! {
    static NORMALIZED: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Runs `f` with this thread's buffer in `key`, or a fresh one when it is in use further up the
/// stack (a nested encode through a custom component).
fn with_local<T: Default + 'static, R>(key: &'static LocalKey<RefCell<T>>, f: impl FnOnce(&mut T) -> R) -> R {
    key.with(|cell| match cell.try_borrow_mut() {
        Ok(mut held) => f(&mut held),
        Err(_) => f(&mut T::default()),
    })
}

/// Encodes `text` (starting at byte `base` of the sequence), continuing the word count, when
/// the fused path can; `Ok(false)` (nothing emitted) means the general stages must run.
pub(crate) fn run(
    fast: &UnigramFast,
    tok: &HfTokenizer,
    text: &str,
    base: usize,
    word: &mut u32,
    sink: &mut dyn Sink,
) -> crate::error::Result<bool> {
    let ModelWrapper::Unigram(model) = &tok.model else { return Ok(false) };
    let Some(first) = fast.first_changed(text) else {
        run_cached(fast, model, text, 0..text.len(), base, word, sink)?;
        return Ok(true);
    };
    if sink.ids_mut().is_none() {
        if fast.leaves_alone(text) {
            run_cached(fast, model, text, 0..text.len(), base, word, sink)?;
            return Ok(true);
        }
        for (range, ascii) in segments(fast, text, first) {
            if ascii {
                run_cached(fast, model, text, range, base, word, sink)?;
            } else if range.start == 0 {
                tok.run_general(&text[range], base, word, sink)?;
            } else {
                let space = base + range.start - 1;
                let mut fix = SpaceBefore { inner: &mut *sink, space, rep: &fast.rep, first_word: None };
                tok.run_general(&text[range.clone()], base + range.start, word, &mut fix)?;
            }
        }
        return Ok(true);
    }
    // Only ids are wanted: normalize to a plain string, then split it the same way — unless
    // the normalized text holds the replacement char itself, which Metaspace splits on too.
    with_local(&NORMALIZED, |norm| {
        norm.clear();
        fast.charsmap.normalize_to(text, norm);
        if norm.contains(fast.rep.as_str()) {
            return Ok(false);
        }
        run_cached(fast, model, norm, 0..norm.len(), base, word, sink)?;
        Ok(true)
    })
}

/// Cuts `text` at every single ASCII space between two ASCII non-space bytes the charsmap leaves
/// alone, and joins neighbouring pieces of the same kind: `(range, fused loop can take it)`, in
/// order, covering the text but for the cut spaces. Found from the bytes the fused loop cannot
/// take: each lies in the piece between the nearest cuts around it, and only those places are
/// looked at (most text between them is plain words, and used to be cut at every space).
/// `first` is the text's first such byte (the caller found it deciding to come here).
fn segments(fast: &UnigramFast, text: &str, first: usize) -> Vec<(std::ops::Range<usize>, bool)> {
    let bytes = text.as_bytes();
    let len = bytes.len();
    let bad = |b: u8| fast.changed(b);
    let plain = |b: u8| b != b' ' && !bad(b);
    let cut = |p: usize| p >= 1 && p + 1 < len && bytes[p] == b' ' && plain(bytes[p - 1]) && plain(bytes[p + 1]);
    let mut out: Vec<(std::ops::Range<usize>, bool)> = Vec::new();
    // Where the next piece starts (the text's start, or after a cut): everything from it to the
    // next bad byte is plain pieces.
    let mut start = 0;
    let mut next = Some(first);
    while let Some(q) = next {
        // The piece holding `q` starts after the last cut before it, and ends at the next cut.
        let from = (start..q).rev().find(|&p| cut(p)).map_or(start, |c| c + 1);
        let to = (q + 1..len).find(|&p| cut(p)).unwrap_or(len);
        match out.last_mut() {
            // Right after the previous piece of this kind (no plain piece between): joined.
            Some((last, false)) if from == start => last.end = to,
            _ => {
                if from > start {
                    out.push((start..from - 1, true));
                }
                out.push((from..to, false));
            }
        }
        start = to + 1;
        next = bytes[start.min(len)..].iter().position(|&b| bad(b)).map(|i| i + start);
    }
    if start <= len {
        out.push((start..len, true));
    }
    out
}

/// Passes tokens on, giving the tokens of the segment's first `▁` the alignment it has in the
/// whole text: the space before the segment. A token holding part of that `▁` starts at the
/// space; one holding nothing else (the `▁` alone, or one of its bytes) ends right after it.
struct SpaceBefore<'a> {
    inner: &'a mut dyn Sink,
    space: usize,
    rep: &'a str,
    /// The word (first split) the `▁` starts, once seen.
    first_word: Option<u32>,
}

impl Sink for SpaceBefore<'_> {
    fn token(&mut self, t: TokenAt<'_>) {
        let first_word = *self.first_word.get_or_insert(t.word);
        let r = self.rep.len();
        if t.word != first_word || t.range.start >= r {
            return self.inner.token(t);
        }
        let (_, end) = t.offsets();
        let end = if t.range.end <= r { self.space + 1 } else { end };
        let piece = t.text();
        self.inner.token(TokenAt {
            id: t.id,
            word: t.word,
            split: Split::Fused { piece, offsets: (self.space, end) },
            range: t.range.clone(),
            from_model: t.from_model,
            vocab_string: t.vocab_string,
        });
    }
}

fn run_cached(
    fast: &UnigramFast,
    model: &crate::model::unigram::Unigram,
    text: &str,
    range: std::ops::Range<usize>,
    base: usize,
    word: &mut u32,
    sink: &mut dyn Sink,
) -> crate::error::Result<()> {
    // The piece and token buffers are the thread's, not allocated per call: a text with non-ASCII
    // words calls this once per ASCII segment.
    with_local(&SCRATCH, |scratch| {
        CACHE.with(|cell| match cell.try_borrow_mut() {
            Ok(mut cache) => {
                cache.serve(fast.uid);
                run_words(fast, model, text, range, base, word, sink, Some(&mut cache), scratch)
            }
            Err(_) => run_words(fast, model, text, range, base, word, sink, None, scratch),
        })
    })
}

/// [`run_words`]' buffers.
#[derive(Default)]
struct Scratch {
    piece: String,
    toks: Vec<Token>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// The words of `text[range]` (ASCII the charsmap leaves alone); before a range that does not
/// start the text lies a space, which the first word's `▁` comes from.
#[allow(clippy::too_many_arguments)]
fn run_words(
    fast: &UnigramFast,
    model: &crate::model::unigram::Unigram,
    text: &str,
    range: std::ops::Range<usize>,
    base: usize,
    word: &mut u32,
    sink: &mut dyn Sink,
    mut cache: Option<&mut WordCache>,
    scratch: &mut Scratch,
) -> crate::error::Result<()> {
    let r = fast.rep.len();
    let Scratch { piece, toks } = scratch;
    let bytes = &text.as_bytes()[..range.end];
    let mut first = range.start == 0;
    // The word starting at or after `from` (skipping spaces), as a byte range.
    let word_at = |mut from: usize| -> Option<(usize, usize)> {
        while from < bytes.len() && bytes[from] == b' ' {
            from += 1;
        }
        if from == bytes.len() {
            return None;
        }
        let a = from;
        while from < bytes.len() && bytes[from] != b' ' {
            from += 1;
        }
        Some((a, from))
    };
    // Where tokens go, decided once (not a call through the sink's vtable per word): ids only,
    // a compact encoding's records (strings kept for unknown pieces only), or the sink.
    let (wants_strings, unk) = (sink.wants_strings(), model.unk_id());
    let ids_only = sink.ids_mut().is_some();
    let compact = !ids_only && !wants_strings && sink.compact_mut().is_some();
    let mut out = match (sink.ids_mut(), ids_only) {
        (Some(ids), true) => Out::Ids(ids),
        _ => match sink.compact_mut() {
            Some(c) if compact => Out::Compact(c),
            _ => Out::Sink(sink),
        },
    };
    // One word ahead: its slot is being loaded while the current word is looked up / tokenized.
    let mut next = word_at(range.start);
    let mut next_hash = match (&cache, next) {
        (Some(c), Some((a, e))) => c.prefetch(&bytes[a..e]),
        _ => 0,
    };
    while let Some((a, i)) = next {
        let hash = next_hash;
        next = word_at(i);
        if let (Some(c), Some((na, ne))) = (&cache, next) {
            next_hash = c.prefetch(&bytes[na..ne]);
        }
        let w = &text[a..i];
        // The piece `▁` + word: what the model sees, and the token strings' source (built only
        // when needed: a cache hit on the ids path never reads it).
        let mut built = false;
        let mut build = |piece: &mut String| {
            if !built {
                piece.clear();
                piece.push_str(&fast.rep);
                piece.push_str(w);
                built = true;
            }
        };
        toks.clear();
        match cache.as_deref_mut() {
            Some(c) => {
                if !c.get_hashed(w.as_bytes(), hash, toks) {
                    build(piece);
                    model.tokenize_word(piece, toks)?;
                    c.insert(w.as_bytes(), toks);
                }
            }
            None => {
                build(piece);
                model.tokenize_word(piece, toks)?
            }
        }
        // Where the `▁` came from: the word's first char (prepended) or the space before it.
        let (ms, me) = if first { (a, a + w.chars().next().map_or(1, char::len_utf8)) } else { (a - 1, a) };
        let span = |t: &Token| {
            let s = if t.start < r { ms } else { a + t.start - r };
            let e = if t.end <= r { me } else { a + t.end - r };
            (base + s, base + e)
        };
        // Read only by the arms that keep strings (not a pass over the tokens for ids).
        let has_unk = || unk.is_some() && toks.iter().any(|t| Some(t.id) == unk);
        match &mut out {
            Out::Ids(ids) => ids.extend(toks.iter().map(|t| t.id)),
            Out::Compact(c) => {
                c.recs.extend(toks.iter().map(|t| {
                    let (s, e) = span(t);
                    Rec { id: t.id, start: s as u32, end: e as u32, word: *word }
                }));
                if has_unk() {
                    // An unknown piece's string is its text, not the vocabulary's.
                    build(piece);
                    for (k, t) in toks.iter().enumerate() {
                        if Some(t.id) == unk {
                            c.keep_string(toks.len() - 1 - k, &model.token_value(t, piece));
                        }
                    }
                }
            }
            Out::Sink(sink) => {
                // A sink that looks strings up by id reads the text of unknown pieces only.
                let strings = wants_strings || has_unk();
                if strings {
                    build(piece);
                }
                for t in toks.iter() {
                    let (s, e) = span(t);
                    sink.token(TokenAt {
                        id: t.id,
                        word: *word,
                        split: Split::Fused { piece: if strings { piece.as_str() } else { "" }, offsets: (s, e) },
                        range: if strings { t.start..t.end } else { 0..0 },
                        from_model: true,
                        vocab_string: false,
                    });
                }
            }
        }
        *word += 1;
        first = false;
    }
    Ok(())
}

/// Where [`run_words`] puts tokens.
enum Out<'a> {
    Ids(&'a mut Vec<u32>),
    Compact(CompactOut<'a>),
    Sink(&'a mut dyn Sink),
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

    /// The cutting rule, read literally: cut at every qualifying space, classify each piece, join
    /// neighbours of the same kind.
    fn segments_reference(fast: &UnigramFast, text: &str) -> Vec<(std::ops::Range<usize>, bool)> {
        let bytes = text.as_bytes();
        let plain = |b: u8| b < 0x80 && b != b' ' && !fast.mapped[b as usize];
        let mut out: Vec<(std::ops::Range<usize>, bool)> = Vec::new();
        let mut push = |range: std::ops::Range<usize>| {
            let ascii = fast.first_changed(&text[range.clone()]).is_none();
            match out.last_mut() {
                Some((last, kind)) if *kind == ascii => last.end = range.end,
                _ => out.push((range, ascii)),
            }
        };
        let mut start = 0;
        for p in 1..bytes.len().saturating_sub(1) {
            if bytes[p] == b' ' && plain(bytes[p - 1]) && plain(bytes[p + 1]) {
                push(start..p);
                start = p + 1;
            }
        }
        push(start..bytes.len());
        out
    }

    #[test]
    fn segments_follow_the_cutting_rule() {
        let Some(tok) = load("botchan_en_unigram_1000") else { return };
        let Some(fast) = tok.unigram_fast.as_ref() else { panic!("the SentencePiece file takes the fused path") };
        let alphabet =
            ["a", "b", " ", " ", "  ", "\u{e9}", "\u{301}", "\u{65e5}", ",", "\t", "\r", "\u{ff21}", "\u{1f600}"];
        let mut seed = 0x2545_f491u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for round in 0..3000 {
            let text: String = (0..next(24)).map(|_| alphabet[next(alphabet.len())]).collect();
            let want = segments_reference(fast, &text);
            match fast.first_changed(&text) {
                Some(first) => assert_eq!(segments(fast, &text, first), want, "round {round}: {text:?}"),
                None => assert_eq!(want, [(0..text.len(), true)], "round {round}: {text:?}"),
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
            // Segment boundaries next to text the charsmap rewrites or merges into graphemes.
            "café au lait, naïve résumé",
            "x \u{301}y z",
            "ab \u{3000} cd ef",
            "ab\u{3000}cd ef gh",
            "a b\u{3000}",
            "\u{3000}a b",
            "a \u{600} b",
            "ab \u{600}cd ef",
            "ﬁx ﬁ x ﬁ",
            "x ▁ y",
            "x ▁y z",
            "東京 a 東京 b",
            "a  é  b",
            "a é\tb c",
            "Ａ b Ｃ d",
            // Non-ASCII the charsmap leaves alone: the whole text takes the fused loop.
            "é",
            "éa  b ",
            "  日本語 テキスト  ",
            "🙂x y🙂 \u{1F468}\u{200D}\u{1F469}",
            "مرحبا بالعالم",
            "naïve\r\nline",
            "ab\u{e9}\u{301} c",
        ];
        // Mixed-script texts: every conformance record, and the first lines of the enwiki corpus.
        let shared = dir.replace("/vocab/sentencepiece/", "");
        let mut mixed: Vec<String> = Vec::new();
        for f in ["multilingual", "edge", "emoji", "tweets", "code"] {
            if let Ok(body) = std::fs::read_to_string(format!("{shared}/conformance/{f}.jsonl")) {
                for line in body.lines() {
                    if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
                        mixed.extend(v.get("text").and_then(|t| t.as_str()).map(str::to_string));
                    }
                }
            }
        }
        if let Ok(body) = std::fs::read_to_string(format!("{shared}/corpora/enwiki.txt")) {
            mixed.extend(body.lines().take(3000).map(str::to_string));
        }
        for name in ["botchan_en_unigram_1000", "kyoto_ja_unigram_8000"] {
            let Some(tok) = load(name) else { return };
            let fast = tok.unigram_fast.as_deref().expect("the SentencePiece shape is detected");
            let mut fused_ascii = 0;
            for pass in 0..2 {
                for text in corpus.lines().chain(edge.iter().copied()).chain(mixed.iter().map(String::as_str)) {
                    let (mut w1, mut w2) = (0, 0);
                    let mut want = Rec::default();
                    tok.run_general(text, 0, &mut w1, &mut want).unwrap();
                    let mut got = Rec::default();
                    if run(fast, &tok, text, 0, &mut w2, &mut got).unwrap() {
                        fused_ascii += 1;
                        assert_eq!(got.0, want.0, "{name} pass {pass}: {text:?}");
                        assert_eq!(w1, w2, "{text:?}");
                    }
                    let want_ids: Vec<u32> = want.0.iter().map(|t| t.0).collect();
                    let mut ids: Vec<u32> = Vec::new();
                    let mut w3 = 0;
                    if run(fast, &tok, text, 0, &mut w3, &mut ids).unwrap() {
                        assert_eq!(ids, want_ids, "{name} ids pass {pass}: {text:?}");
                    } else {
                        assert!(ids.is_empty());
                    }
                }
            }
            assert!(fused_ascii > 1000, "{name}: the fused path ran on {fused_ascii} texts");
            // The compact encoding (records straight from the fused loop, strings of unknown
            // pieces kept) expands to the full encoding, on both passes of the word cache.
            let texts: Vec<&str> =
                corpus.lines().chain(edge.iter().copied()).chain(mixed.iter().map(String::as_str)).collect();
            for _pass in 0..2 {
                let compact = tok
                    .encode_batch_compact(&texts, true, crate::tokenizer::OffsetType::Char, 1)
                    .unwrap()
                    .expect("no truncation or padding in these files");
                for (text, c) in texts.iter().zip(&compact) {
                    let want = tok.encode(*text, true, crate::tokenizer::OffsetType::Char).unwrap();
                    assert_eq!(c.to_encoding(), want, "{name} compact: {text:?}");
                }
            }
        }
    }
}
