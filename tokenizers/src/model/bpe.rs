//! Byte-level BPE: the merge loop shared by tiktoken rank files and Hugging Face vocab + merges.
//!
//! Both formats follow one rule: an adjacent pair of parts may merge into one token with some
//! priority `rank`; the lowest rank merges first, the leftmost among equals. For a tiktoken rank
//! file any pair whose concatenated bytes are a token merges, with that token's rank (= its id):
//! the pair's bytes are a contiguous slice of the piece, so the rank is one lookup in the vocab
//! table, with no pair table at all. For Hugging Face the pairs are the `merges` list
//! (rank = line number), looked up by id pair in a [`PairTable`].

use super::hash::FastMap as FxHashMap;
use super::table::{ByteTable, Packed, PairTable};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

const NONE: u32 = u32::MAX;
/// Marks a part merged into its left neighbour (heap path); distinct from `NONE`, which is a
/// byte missing from the vocabulary.
const DEAD: u32 = u32::MAX - 1;
/// Ids below this go into the small hot table too.
const HOT: u32 = 16384;
/// Pieces up to this many bytes use the quadratic-but-tiny array merge; longer ones the heap.
const SMALL: usize = 48;

/// Ids index dense tables, so an absurd id in a file must be refused, not allocated for.
pub const MAX_TOKEN_ID: u32 = 1 << 26;

fn check_ids<'a>(ids: impl Iterator<Item = &'a u32>) -> Result<()> {
    match ids.copied().find(|&id| id >= MAX_TOKEN_ID) {
        Some(id) => Err(Error::TokenIdTooLarge { id: id as u64, limit: MAX_TOKEN_ID as u64 }),
        None => Ok(()),
    }
}

static NEXT_UID: AtomicU64 = AtomicU64::new(1);

#[derive(Debug)]
pub struct BpeModel {
    /// token bytes → id.
    vocab: ByteTable,
    /// The same for the `HOT` lowest ids only: a table small enough to stay in L2. Low ids are
    /// the early, frequent merges (" the", "ing"), which make up about 78% of English pieces;
    /// the full table is several MB and a lookup there is usually a cache miss.
    hot: ByteTable,
    n_tokens: usize,
    /// id → bytes, as one arena: token `i` is `arena[offsets[i]..offsets[i + 1]]`; holes are empty.
    arena: Vec<u8>,
    offsets: Vec<u32>,
    /// Hugging Face: (a, b) → (rank, merged id). `None` for tiktoken: concatenation rule.
    merges: Option<PairTable>,
    /// id of each single byte, `NONE` when the vocabulary lacks it.
    byte_ids: [u32; 256],
    /// For each id: does BPE on its bytes give exactly that one token? Then a whole-piece vocab
    /// hit is the answer without merging. Always true for tiktoken (it defines encoding that way).
    whole: Vec<bool>,
    /// Every entry of `whole` is true (tiktoken): skip reading it.
    all_whole: bool,
    uid: u64,
}

impl BpeModel {
    /// tiktoken semantics: `ranks` are (token bytes, rank) with id == rank.
    pub fn from_ranks(ranks: Vec<(Vec<u8>, u32)>) -> Result<Self> {
        check_ids(ranks.iter().map(|r| &r.1))?;
        let mut vocab = FxHashMap::default();
        vocab.reserve(ranks.len());
        for (bytes, rank) in ranks {
            vocab.insert(bytes.into_boxed_slice(), rank);
        }
        let mut model = Self::assemble(vocab, None);
        model.whole = vec![true; model.id_limit()];
        model.all_whole = true;
        Ok(model)
    }

    /// Hugging Face semantics: a vocabulary and an ordered merge list over byte strings.
    /// `origin` names the file in errors.
    pub fn from_vocab_merges(
        vocab: Vec<(Vec<u8>, u32)>,
        merge_list: Vec<(Vec<u8>, Vec<u8>)>,
        ignore_merges: bool,
        origin: &str,
    ) -> Result<Self> {
        check_ids(vocab.iter().map(|r| &r.1))?;
        let mut map = FxHashMap::default();
        map.reserve(vocab.len());
        for (bytes, id) in vocab {
            map.insert(bytes.into_boxed_slice(), id);
        }
        let mut merges = FxHashMap::default();
        merges.reserve(merge_list.len());
        for (rank, (a, b)) in merge_list.into_iter().enumerate() {
            let lookup = |t: &[u8]| {
                map.get(t).copied().ok_or_else(|| {
                    Error::json(
                        origin,
                        format!("merge {rank}: token {:?} is not in the vocabulary", String::from_utf8_lossy(t)),
                    )
                })
            };
            let (ia, ib) = (lookup(&a)?, lookup(&b)?);
            let joined = [a.as_slice(), b.as_slice()].concat();
            let new_id = lookup(&joined)?;
            // Later duplicates win, as in Hugging Face tokenizers.
            merges.insert(key(ia, ib), (rank as u32, new_id));
        }
        let mut table = PairTable::with_capacity(merges.len());
        for (&k, &(rank, id)) in &merges {
            table.insert((k >> 32) as u32, k as u32, rank, id);
        }
        let mut model = Self::assemble(map, Some(table));
        let n = model.offsets.len() - 1;
        model.all_whole = ignore_merges;
        model.whole = if ignore_merges {
            vec![true; n]
        } else {
            // A token is "whole" when merging its own bytes reproduces it; only then may a
            // whole-piece hit skip the merge loop and still match Hugging Face exactly.
            let mut out = Vec::new();
            (0..n as u32)
                .map(|id| {
                    let bytes = model.token_bytes(id).unwrap_or(&[]);
                    if bytes.is_empty() {
                        return false;
                    }
                    out.clear();
                    model.merge(bytes, &mut out);
                    out.len() == 1 && out[0] == id
                })
                .collect()
        };
        Ok(model)
    }

    fn assemble(vocab: FxHashMap<Box<[u8]>, u32>, merges: Option<PairTable>) -> Self {
        let n = vocab.values().copied().max().map_or(0, |m| m as usize + 1);
        let mut slots: Vec<Option<&[u8]>> = vec![None; n];
        for (bytes, &id) in &vocab {
            slots[id as usize] = Some(bytes);
        }
        let mut arena = Vec::new();
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0u32);
        for s in &slots {
            if let Some(b) = s {
                arena.extend_from_slice(b);
            }
            offsets.push(arena.len() as u32);
        }
        let mut byte_ids = [NONE; 256];
        for (b, slot) in byte_ids.iter_mut().enumerate() {
            if let Some(&id) = vocab.get(&[b as u8][..]) {
                *slot = id;
            }
        }
        let mut table = ByteTable::with_filter(vocab.len());
        let mut hot = ByteTable::with_capacity(HOT as usize);
        for (bytes, &id) in &vocab {
            table.insert(bytes, id);
            if id < HOT && bytes.len() <= 16 {
                hot.insert(bytes, id);
            }
        }
        BpeModel {
            n_tokens: vocab.len(),
            vocab: table,
            hot,
            arena,
            offsets,
            merges,
            byte_ids,
            whole: Vec::new(),
            all_whole: false,
            uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// Mean probe lengths of the (full, hot) vocabulary tables (diagnostics).
    pub fn probe_stats(&self) -> (f64, f64) {
        (self.vocab.mean_probe(), self.hot.mean_probe())
    }

    /// A process-unique id (keys per-thread caches).
    pub fn uid(&self) -> u64 {
        self.uid
    }

    /// One past the highest token id.
    pub fn id_limit(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Number of tokens in the vocabulary.
    pub fn len(&self) -> usize {
        self.n_tokens
    }

    pub fn is_empty(&self) -> bool {
        self.n_tokens == 0
    }

    #[inline]
    pub fn token_bytes(&self, id: u32) -> Option<&[u8]> {
        let i = id as usize;
        if i + 1 >= self.offsets.len() {
            return None;
        }
        let (s, e) = (self.offsets[i] as usize, self.offsets[i + 1] as usize);
        (e > s || self.vocab.get(&[]) == Some(id)).then(|| &self.arena[s..e])
    }

    #[inline]
    pub fn token_id(&self, bytes: &[u8]) -> Option<u32> {
        self.vocab.get(bytes)
    }

    /// All (bytes, id) pairs, in id order.
    pub fn vocab(&self) -> impl Iterator<Item = (&[u8], u32)> {
        (0..self.id_limit() as u32).filter_map(|id| self.token_bytes(id).map(|b| (b, id)))
    }

    /// A piece that is itself a token whose merge reproduces it: its id, without merging.
    #[inline]
    pub fn whole_piece(&self, piece: &[u8]) -> Option<u32> {
        if piece.len() == 1 {
            // Single bytes: a direct array read (a seventh of all pieces). A byte token merges
            // to itself trivially, so no `whole` check is needed.
            let id = self.byte_ids[piece[0] as usize];
            return (id != NONE).then_some(id);
        }
        let found = match Packed::try_new(piece) {
            Some(p) => self.hot.get_packed(&p).or_else(|| self.vocab.get_packed(&p)),
            None => self.vocab.get(piece),
        };
        match found {
            Some(id) if self.all_whole || self.whole[id as usize] => Some(id),
            _ => None,
        }
    }

    /// [`BpeModel::whole_piece`] for `text[start..end]`, reading the key straight out of `text`.
    #[inline(always)]
    pub fn whole_piece_at(&self, text: &[u8], start: usize, end: usize) -> Option<u32> {
        let len = end - start;
        if len == 1 {
            let id = self.byte_ids[text[start] as usize];
            return (id != NONE).then_some(id);
        }
        match self.lookup(text, start, end) {
            Some(id) if self.all_whole || self.whole[id as usize] => Some(id),
            _ => None,
        }
    }

    /// The id of the token spelled by `text[start..end]` (2 or more bytes), hot table first.
    #[inline(always)]
    fn lookup(&self, text: &[u8], start: usize, end: usize) -> Option<u32> {
        if end - start <= 16 {
            let p = Packed::in_text(text, start, end);
            self.hot.get_packed(&p).or_else(|| self.vocab.get_packed(&p))
        } else {
            self.vocab.get(&text[start..end])
        }
    }

    /// Encodes one piece, appending its ids.
    #[inline]
    pub fn encode_piece(&self, piece: &[u8], out: &mut Vec<u32>) {
        if let Some(id) = self.whole_piece(piece) {
            out.push(id);
        } else {
            self.merge(piece, out);
        }
    }

    /// Merge of two adjacent parts: `(rank, merged id)`, or `(NONE, NONE)`. The parts are ids
    /// `a` and `b`, spelled together by `piece[start..end]`.
    #[inline(always)]
    fn pair(&self, piece: &[u8], start: usize, end: usize, a: u32, b: u32) -> (u32, u32) {
        match &self.merges {
            Some(t) => t.get(a, b),
            None => match self.lookup(piece, start, end) {
                Some(id) => (id, id),
                None => (NONE, NONE),
            },
        }
    }

    /// Runs the merge loop on `piece` (no whole-piece shortcut), appending the ids.
    pub fn merge(&self, piece: &[u8], out: &mut Vec<u32>) {
        self.merge_at(piece, 0, piece.len(), out)
    }

    /// [`BpeModel::merge`] of `text[start..end]`. Passing the whole text lets pair lookups read
    /// 16-byte keys straight out of it (see [`Packed::in_text`]).
    #[inline]
    pub fn merge_at(&self, text: &[u8], start: usize, end: usize, out: &mut Vec<u32>) {
        if end - start <= SMALL {
            self.merge_small(text, start, end, out)
        } else {
            self.merge_heap(&text[start..end], out)
        }
    }

    /// Initial parts: one per byte. Under the concatenation rule every byte stays a part (its
    /// position matters); with a merge list a byte missing from the vocabulary is dropped, as
    /// Hugging Face does.
    #[inline(always)]
    fn keep_missing_bytes(&self) -> bool {
        self.merges.is_none()
    }

    /// Short pieces: parts in a linked list over arrays on the stack, rescanning for the lowest
    /// rank after each merge. With at most `SMALL` parts this beats any heap; nothing is
    /// allocated and nothing is shifted.
    fn merge_small(&self, text: &[u8], from: usize, to: usize, out: &mut Vec<u32>) {
        const END: u8 = SMALL as u8;
        let mut ids = [0u32; SMALL];
        // start[i]: byte offset of part i in `text`; next[i]: the following part (END: none).
        let mut start = [0usize; SMALL + 1];
        let mut next = [END; SMALL];
        let mut n = 0;
        for i in from..to {
            let id = self.byte_ids[text[i] as usize];
            if id != NONE || self.keep_missing_bytes() {
                ids[n] = id;
                start[n] = i;
                next[n] = n as u8 + 1;
                n += 1;
            }
        }
        if n == 0 {
            return;
        }
        next[n - 1] = END;
        start[SMALL] = to;
        let end_of = |next: &[u8; SMALL], start: &[usize; SMALL + 1], i: usize| start[next[i] as usize];
        // rank[i] / merged[i]: the merge of part i with the part after it.
        let mut rank = [NONE; SMALL];
        let mut merged = [NONE; SMALL];
        for i in 0..n - 1 {
            (rank[i], merged[i]) = self.pair(text, start[i], end_of(&next, &start, i + 1), ids[i], ids[i + 1]);
        }
        loop {
            // Lowest rank, leftmost among equals; remember its predecessor.
            let (mut best, mut best_prev, mut best_rank) = (END as usize, END as usize, NONE);
            let (mut i, mut prev) = (0usize, END as usize);
            while i != END as usize {
                if rank[i] < best_rank {
                    (best, best_prev, best_rank) = (i, prev, rank[i]);
                }
                prev = i;
                i = next[i] as usize;
            }
            if best_rank == NONE {
                break;
            }
            let q = next[best] as usize;
            ids[best] = merged[best];
            next[best] = next[q];
            (rank[best], merged[best]) = match next[best] {
                END => (NONE, NONE),
                r => self.pair(text, start[best], end_of(&next, &start, r as usize), ids[best], ids[r as usize]),
            };
            if best_prev != END as usize {
                let p = best_prev;
                (rank[p], merged[p]) = self.pair(text, start[p], end_of(&next, &start, best), ids[p], ids[best]);
            }
        }
        let mut i = 0usize;
        while i != END as usize {
            if ids[i] != NONE {
                out.push(ids[i]);
            }
            i = next[i] as usize;
        }
    }

    /// Long pieces: a doubly linked list of parts and a min-heap of candidate merges keyed by
    /// (rank, position), so a 1 MB run of one letter costs O(n log n), not O(n²). Stale heap
    /// entries are recognised on pop by re-checking the pair they describe.
    fn merge_heap(&self, piece: &[u8], out: &mut Vec<u32>) {
        // Part i starts at byte start[i]; parts are linked in order through next/prev.
        let mut ids = Vec::with_capacity(piece.len());
        let mut start = Vec::with_capacity(piece.len() + 1);
        for (i, &b) in piece.iter().enumerate() {
            let id = self.byte_ids[b as usize];
            if id != NONE || self.keep_missing_bytes() {
                ids.push(id);
                start.push(i);
            }
        }
        let n = ids.len();
        if n == 0 {
            return;
        }
        start.push(piece.len());
        let mut next: Vec<u32> = (1..=n as u32).collect();
        let mut prev: Vec<u32> = (0..n as u32).map(|i| i.wrapping_sub(1)).collect();
        // A part's end is the start of the part after it (or of the sentinel).
        let end_of = |next: &[u32], q: usize| start[next[q] as usize];
        let mut heap = BinaryHeap::with_capacity(n);
        for i in 0..n - 1 {
            let (rank, _) = self.pair(piece, start[i], start[i + 2], ids[i], ids[i + 1]);
            if rank != NONE {
                heap.push(Reverse((rank, i as u32)));
            }
        }
        while let Some(Reverse((rank, pos))) = heap.pop() {
            let p = pos as usize;
            if ids[p] == DEAD || next[p] as usize >= n {
                continue;
            }
            let q = next[p] as usize;
            let (r, new_id) = self.pair(piece, start[p], end_of(&next, q), ids[p], ids[q]);
            if r != rank {
                continue;
            }
            ids[p] = new_id;
            ids[q] = DEAD;
            next[p] = next[q];
            let after = next[q] as usize;
            if after < n {
                prev[after] = pos;
                let (r2, _) = self.pair(piece, start[p], end_of(&next, after), new_id, ids[after]);
                if r2 != NONE {
                    heap.push(Reverse((r2, pos)));
                }
            }
            if prev[p] != NONE {
                let lp = prev[p] as usize;
                let (r0, _) = self.pair(piece, start[lp], end_of(&next, p), ids[lp], new_id);
                if r0 != NONE {
                    heap.push(Reverse((r0, lp as u32)));
                }
            }
        }
        let mut i = 0usize;
        while i < n {
            if ids[i] != NONE {
                out.push(ids[i]);
            }
            i = next[i] as usize;
        }
    }
}

#[inline(always)]
fn key(a: u32, b: u32) -> u64 {
    ((a as u64) << 32) | b as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> BpeModel {
        // bytes a, b, c plus merges ab (rank 3), bc (rank 4), abc (rank 5).
        let ranks = vec![
            (b"a".to_vec(), 0),
            (b"b".to_vec(), 1),
            (b"c".to_vec(), 2),
            (b"ab".to_vec(), 3),
            (b"bc".to_vec(), 4),
            (b"abc".to_vec(), 5),
            (b"aa".to_vec(), 6),
            (b"aaaa".to_vec(), 7),
        ];
        BpeModel::from_ranks(ranks).unwrap()
    }

    fn enc(m: &BpeModel, s: &[u8]) -> Vec<u32> {
        let mut v = Vec::new();
        m.encode_piece(s, &mut v);
        v
    }

    #[test]
    fn lowest_rank_first_then_leftmost() {
        let m = toy();
        assert_eq!(enc(&m, b"abc"), vec![5]);
        assert_eq!(enc(&m, b"abcab"), vec![5, 3]);
        assert_eq!(enc(&m, b"aaaaa"), vec![7, 0]);
        assert_eq!(enc(&m, b"aaa"), vec![6, 0]);
    }

    #[test]
    fn heap_and_small_agree() {
        let m = toy();
        let text: Vec<u8> = (0..5000u32).map(|i| b"abca"[(i * 7 % 11 % 4) as usize]).collect();
        for len in [1usize, 2, 3, 10, 47, 48, 49, 100, 1000, 5000] {
            let piece = &text[..len];
            let (mut a, mut b) = (Vec::new(), Vec::new());
            m.merge_small_or_heap_for_test(piece, &mut a, true);
            m.merge_small_or_heap_for_test(piece, &mut b, false);
            assert_eq!(a, b, "len {len}");
        }
    }

    #[test]
    fn heap_and_small_agree_on_real_vocab() {
        // Every window of up to SMALL bytes of mixed text, merged both ways with cl100k's table.
        let t = crate::builtin("cl100k_base").unwrap();
        let m = t.model();
        let text =
            "The quick brown fox — jumps over 12345 lazy dogs; naïve café 日本語テキスト 🎉🎉 aaaaaaaaaaaa \n\t\r  ";
        let b = text.as_bytes();
        for start in 0..b.len() {
            for len in 1..=SMALL.min(b.len() - start) {
                let piece = &b[start..start + len];
                let (mut a, mut h) = (Vec::new(), Vec::new());
                m.merge_small(piece, 0, piece.len(), &mut a);
                m.merge_heap(piece, &mut h);
                assert_eq!(a, h, "{piece:?}");
            }
        }
    }

    #[test]
    fn long_run_is_fast_enough_to_finish() {
        let m = toy();
        let piece = vec![b'a'; 1 << 20];
        let out = enc(&m, &piece);
        assert_eq!(out.len(), 1 << 18);
        assert!(out.iter().all(|&i| i == 7));
    }

    impl BpeModel {
        fn merge_small_or_heap_for_test(&self, piece: &[u8], out: &mut Vec<u32>, heap: bool) {
            if heap || piece.len() > SMALL {
                self.merge_heap(piece, out)
            } else {
                self.merge_small(piece, 0, piece.len(), out)
            }
        }
    }
}
