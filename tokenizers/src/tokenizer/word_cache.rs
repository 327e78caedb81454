//! A per-thread cache of word → Unigram tokens for the fused SentencePiece path: a direct-mapped
//! table with one 64-byte entry per word, key and tokens inline.
//!
//! Why this shape: on running text most words repeat, so the lookup is the hot loop. A general
//! hash map of boxed keys and boxed token slices costs three or four cache misses a lookup (control
//! bytes, bucket, key, tokens) once it outgrows the L2 cache, which it does on any real corpus.
//! Here a lookup reads one cache line. A colliding word overwrites the slot (the frequent words
//! win it back at once), so there is no "full, clear everything" cliff either. Words longer than
//! [`KEY`] bytes, or with more than [`TOKENS`] tokens, or whose tokens do not cover the piece end
//! to end (byte fallback gives several tokens one range), are not cached.

use crate::model::hash::PieceHasher;
use crate::model::Token;
use std::hash::Hasher;

/// Longest cached word, in bytes.
pub(crate) const KEY: usize = 24;
/// Most tokens a cached word may have.
pub(crate) const TOKENS: usize = 6;
/// Slots in a table: 2^15 × 64 bytes = 2 MB a thread.
const SLOTS: usize = 1 << 15;
/// `klen` of an empty slot (no word has this length).
const EMPTY: u8 = u8::MAX;

#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Entry {
    hash: u64,
    key: [u8; KEY],
    klen: u8,
    n: u8,
    /// End of each token in the piece (`▁` + word); each starts where the previous one ends.
    ends: [u8; TOKENS],
    ids: [u32; TOKENS],
}

const _: () = assert!(std::mem::size_of::<Entry>() == 64);

const VACANT: Entry = Entry { hash: 0, key: [0; KEY], klen: EMPTY, n: 0, ends: [0; TOKENS], ids: [0; TOKENS] };

/// The cache of one thread, for the tokenizer `uid` (another tokenizer's words give other tokens).
pub(crate) struct WordCache {
    uid: u64,
    slots: Vec<Entry>,
}

impl WordCache {
    pub(crate) const fn new() -> Self {
        WordCache { uid: u64::MAX, slots: Vec::new() }
    }

    /// Makes the cache serve tokenizer `uid`, emptying it if it served another.
    pub(crate) fn serve(&mut self, uid: u64) {
        if self.uid != uid || self.slots.is_empty() {
            self.slots.clear();
            self.slots.resize(SLOTS, VACANT);
            self.uid = uid;
        }
    }

    fn hash(word: &[u8]) -> u64 {
        let mut h = PieceHasher::default();
        h.write(word);
        h.finish()
    }

    fn slot(&self, hash: u64) -> usize {
        // The high bits: the multiply in the hasher mixes them best.
        (hash >> 40) as usize & (self.slots.len() - 1)
    }

    /// The hash `get_hashed` takes for `word`, after asking the CPU to start loading the word's
    /// slot. Why: the table is larger than the L2 cache, so a lookup mostly waits for memory;
    /// hashing the next word and touching its slot while the current one is tokenized overlaps
    /// that wait with useful work (the caller looks one word ahead).
    #[inline]
    pub(crate) fn prefetch(&self, word: &[u8]) -> u64 {
        let hash = Self::hash(word);
        if word.len() <= KEY && !self.slots.is_empty() {
            prefetch_line(&self.slots[self.slot(hash)]);
        }
        hash
    }

    /// Appends the cached tokens of `word` (in the piece `▁` + word, `▁` being `rep_len` bytes) to
    /// `out`; false when the word is not cached. (The hot loop uses `prefetch` + `get_hashed`.)
    #[cfg(test)]
    pub(crate) fn get(&self, word: &[u8], out: &mut Vec<Token>) -> bool {
        self.get_hashed(word, Self::hash(word), out)
    }

    /// `get` with the word's hash already computed (by [`WordCache::prefetch`]).
    #[inline]
    pub(crate) fn get_hashed(&self, word: &[u8], hash: u64, out: &mut Vec<Token>) -> bool {
        if word.len() > KEY || self.slots.is_empty() {
            return false;
        }
        let e = &self.slots[self.slot(hash)];
        if e.hash != hash || e.klen as usize != word.len() || &e.key[..word.len()] != word {
            return false;
        }
        let mut start = 0;
        for k in 0..e.n as usize {
            let end = e.ends[k] as usize;
            out.push(Token { id: e.ids[k], start, end });
            start = end;
        }
        true
    }

    /// Remembers `tokens` (the model's answer for the piece `▁` + `word`), when they fit.
    pub(crate) fn insert(&mut self, word: &[u8], tokens: &[Token]) {
        if word.len() > KEY || tokens.len() > TOKENS || tokens.is_empty() || self.slots.is_empty() {
            return;
        }
        let mut e = VACANT;
        let mut start = 0;
        for (k, t) in tokens.iter().enumerate() {
            if t.start != start || t.end <= t.start || t.end > u8::MAX as usize {
                return;
            }
            e.ends[k] = t.end as u8;
            e.ids[k] = t.id;
            start = t.end;
        }
        e.hash = Self::hash(word);
        e.key[..word.len()].copy_from_slice(word);
        e.klen = word.len() as u8;
        e.n = tokens.len() as u8;
        let slot = self.slot(e.hash);
        self.slots[slot] = e;
    }
}

/// A hint to load the cache line holding `e` (no effect on the program's results).
#[inline(always)]
fn prefetch_line(e: &Entry) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetching reads nothing and cannot fault, even for a bad address; SSE is part of
    // the x86_64 baseline.
    #[allow(unused_unsafe)]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>((e as *const Entry).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = e;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(id: u32, start: usize, end: usize) -> Token {
        Token { id, start, end }
    }

    #[test]
    fn remembers_what_fits_and_nothing_else() {
        let mut c = WordCache::new();
        let mut out = Vec::new();
        assert!(!c.get(b"word", &mut out), "an unused cache holds nothing");
        c.serve(1);
        let toks = [t(5, 0, 4), t(9, 4, 7)];
        c.insert(b"word", &toks);
        assert!(c.get(b"word", &mut out));
        assert_eq!(out, toks);
        assert!(!c.get(b"wore", &mut out) && !c.get(b"wor", &mut out) && !c.get(b"words", &mut out));

        // Not cached: too long, too many tokens, tokens sharing a range (byte fallback), empty.
        c.insert(&[b'x'; KEY + 1], &[t(1, 0, KEY + 4)]);
        assert!(!c.get(&[b'x'; KEY + 1], &mut out));
        let many: Vec<Token> = (0..TOKENS + 1).map(|i| t(1, i, i + 1)).collect();
        c.insert(b"many", &many);
        assert!(!c.get(b"many", &mut out));
        c.insert(b"bytes", &[t(1, 0, 3), t(2, 3, 5), t(3, 3, 5)]);
        assert!(!c.get(b"bytes", &mut out));
        c.insert(b"none", &[]);
        assert!(!c.get(b"none", &mut out));

        // Another tokenizer empties it.
        c.serve(1);
        assert!(c.get(b"word", &mut out));
        c.serve(2);
        assert!(!c.get(b"word", &mut out));
    }

    #[test]
    fn colliding_words_replace_each_other_and_stay_correct() {
        let mut c = WordCache::new();
        c.serve(7);
        let words: Vec<String> = (0..4 * SLOTS).map(|i| format!("w{i}")).collect();
        for (i, w) in words.iter().enumerate() {
            c.insert(w.as_bytes(), &[t(i as u32, 0, w.len() + 3)]);
        }
        let mut hits = 0;
        for (i, w) in words.iter().enumerate() {
            let mut out = Vec::new();
            if c.get(w.as_bytes(), &mut out) {
                hits += 1;
                assert_eq!(out, [t(i as u32, 0, w.len() + 3)], "{w}");
            }
        }
        assert!(hits > 0 && hits <= SLOTS, "{hits}");
    }
}
