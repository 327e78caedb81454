//! General Hugging Face BPE over characters (not bytes): every option `tokenizer.json` files carry
//! — `unk_token` + `fuse_unk`, `byte_fallback`, `continuing_subword_prefix`, `end_of_word_suffix`,
//! `ignore_merges`, `dropout` (seedable). Vocabulary strings are used as they are, so a byte-level
//! file works too (its strings are in the byte-level alphabet, its pre-tokenizer maps text into it).
//!
//! Dropout draws come from splitmix64 streams. The tokenizer pipeline gives every text of an
//! encoding call a stream of its own ([`DropoutCall`]), derived from the seed, the call's number
//! since the seed was set and the text's position in the call, so a batch gives the same tokens
//! on any number of threads. The model used on its own (`tokenize_word` outside such a call)
//! draws from one stream shared by all threads, reproducible only on one thread. Without
//! [`HfBpe::set_seed`] the seed is a fixed constant, so runs repeat too.
//!
//! The merge loop is HF's: a heap of (rank, position) candidates, lowest rank first, leftmost
//! among equals, stale entries skipped — O(n log n) for an n-character word. Results of the
//! deterministic path are kept in a per-thread cache keyed by the piece.

use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};

use super::cache::{with_cache, MAX_PIECE_LEN};
use super::table::PairTable;
use super::vocab::Vocab;
use super::{Model, Token};
use crate::error::{Error, Result};

const NONE: u32 = u32::MAX;
const WHOLE_UNKNOWN: u8 = 0;
const WHOLE_YES: u8 = 1;
const WHOLE_NO: u8 = 2;
/// Model uids for the shared per-thread cache; the high bit keeps them apart from `BpeModel`'s.
static NEXT_UID: AtomicU64 = AtomicU64::new(1 << 63);
/// The seed of a model whose seed was never set.
const DEFAULT_SEED: u64 = 0x853C_49E6_748F_EA9B;
/// splitmix64's increment (the golden ratio).
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The options of a BPE model besides its vocabulary and merges (HF's names and defaults).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BpeOptions {
    pub unk_token: Option<String>,
    pub fuse_unk: bool,
    pub byte_fallback: bool,
    pub continuing_subword_prefix: Option<String>,
    pub end_of_word_suffix: Option<String>,
    pub ignore_merges: bool,
    /// Probability to skip a merge; `None` or 0 is deterministic.
    pub dropout: Option<f32>,
}

#[derive(Debug)]
pub struct HfBpe {
    vocab: Vocab,
    /// (left, right) → (rank, merged id).
    merges: PairTable,
    /// The merge list as given (ids), for serialization.
    merge_list: Vec<(u32, u32)>,
    opts: BpeOptions,
    unk_id: Option<u32>,
    byte_ids: Box<[u32; 256]>,
    /// Id of each ASCII char as a symbol, per variant (bit 0: prefixed, bit 1: suffixed); `NONE`
    /// sends it to the general path. Saves a string hash per character.
    ascii: Box<[[u32; 4]; 128]>,
    /// Per id, once known: does the deterministic path turn the token's own string into just
    /// that token (`WHOLE_YES`)? Then a piece that is a vocabulary entry needs neither the cache
    /// nor the merge loop. Filled lazily (the answer is a pure function of the string).
    whole: Vec<AtomicU8>,
    /// The dropout stream shared by threads, for draws outside a [`DropoutCall`] (splitmix64
    /// state).
    rng: AtomicU64,
    /// The seed of the per-text streams.
    seed: AtomicU64,
    /// Encoding calls begun since the seed was set (numbers the calls' streams).
    calls: AtomicU64,
    uid: u64,
}

#[derive(Clone, Copy, Debug)]
struct Symbol {
    id: u32,
    prev: u32,
    next: u32,
    /// Bytes of the piece covered; 0 once merged into the left neighbour.
    len: u32,
}

#[derive(Default)]
struct Scratch {
    symbols: Vec<Symbol>,
    heap: BinaryHeap<Reverse<(u32, u32, u32)>>,
    skipped: Vec<Reverse<(u32, u32, u32)>>,
    text: String,
    cached: Vec<u32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
    /// The stream of the text this thread encodes: (model uid, splitmix64 state), set by
    /// [`DropoutCall::run`].
    static TEXT_STREAM: Cell<Option<(u64, u64)>> = const { Cell::new(None) };
}

/// splitmix64's output function: a bijective mix of all 64 bits.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One encoding call of a model with dropout (from [`HfBpe::dropout_call`]): text `i` of the call
/// draws from a stream that depends only on the seed, the call's number and `i`.
#[derive(Debug, Clone, Copy)]
pub struct DropoutCall {
    uid: u64,
    /// Mix of the seed and the call's number.
    base: u64,
}

impl DropoutCall {
    /// Runs `f` (the encoding of text `index` of the call) with this thread's dropout draws taken
    /// from the text's own stream. The stream active before is restored after, also on a panic.
    pub fn run<R>(self, index: usize, f: impl FnOnce() -> R) -> R {
        /// Puts back the enclosing stream when dropped.
        struct Restore(Option<(u64, u64)>);
        impl Drop for Restore {
            fn drop(&mut self) {
                TEXT_STREAM.with(|c| c.set(self.0));
            }
        }
        let state = mix(self.base ^ mix((index as u64).wrapping_add(GOLDEN)));
        let _restore = Restore(TEXT_STREAM.with(|c| c.replace(Some((self.uid, state)))));
        f()
    }
}

impl HfBpe {
    /// Builds the model; `merges` are token pairs in rank order. A merge whose parts or result
    /// are missing from the vocabulary is an error naming it (HF refuses such files too).
    pub fn new(vocab: Vocab, merges: &[(String, String)], opts: BpeOptions) -> Result<Self> {
        if let Some(p) = opts.dropout {
            if !(0.0..=1.0).contains(&p) {
                return Err(Error::Model { model: "BPE", reason: format!("dropout {p} is not between 0 and 1") });
            }
        }
        let prefix_len = opts.continuing_subword_prefix.as_deref().map_or(0, str::len);
        let mut table = PairTable::with_capacity(merges.len());
        let mut merge_list = Vec::with_capacity(merges.len());
        for (rank, (a, b)) in merges.iter().enumerate() {
            let missing = |t: &str| Error::Model {
                model: "BPE",
                reason: format!("merges[{rank}] ({a:?}, {b:?}): token {t:?} is not in the vocabulary"),
            };
            let ia = vocab.get(a).ok_or_else(|| missing(a))?;
            let ib = vocab.get(b).ok_or_else(|| missing(b))?;
            // HF drops the continuation prefix of the right part (it panics when it cannot).
            let rest = b.get(prefix_len..).ok_or_else(|| Error::Model {
                model: "BPE",
                reason: format!("merges[{rank}]: {b:?} is shorter than the continuing_subword_prefix"),
            })?;
            let joined = format!("{a}{rest}");
            let id = vocab.get(&joined).ok_or_else(|| missing(&joined))?;
            // Later duplicates win, as in HF's map.
            table.insert(ia, ib, rank as u32, id);
            merge_list.push((ia, ib));
        }
        let mut ascii = Box::new([[NONE; 4]; 128]);
        let (pre, suf) =
            (opts.continuing_subword_prefix.as_deref().unwrap_or(""), opts.end_of_word_suffix.as_deref().unwrap_or(""));
        for (c, row) in ascii.iter_mut().enumerate() {
            let c = c as u8 as char;
            for (variant, slot) in row.iter_mut().enumerate() {
                let p = if variant & 1 != 0 { pre } else { "" };
                let x = if variant & 2 != 0 { suf } else { "" };
                *slot = vocab.get(&format!("{p}{c}{x}")).unwrap_or(NONE);
            }
        }
        let sorted = vocab.sorted();
        // With ids shared by several strings a per-id answer would not be per-string: skip it.
        let shared_ids = sorted.windows(2).any(|w| w[0].1 == w[1].1);
        let n_ids = if shared_ids { 0 } else { sorted.last().map_or(0, |&(_, id)| id as usize + 1) };
        drop(sorted);
        Ok(HfBpe {
            whole: (0..n_ids).map(|_| AtomicU8::new(WHOLE_UNKNOWN)).collect(),
            ascii,
            unk_id: opts.unk_token.as_deref().and_then(|u| vocab.get(u)),
            byte_ids: Box::new(vocab.byte_fallback_ids()),
            vocab,
            merges: table,
            merge_list,
            opts,
            rng: AtomicU64::new(DEFAULT_SEED),
            seed: AtomicU64::new(DEFAULT_SEED),
            calls: AtomicU64::new(0),
            uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// Parses HF's `{"type": "BPE", ...}` object (merges as `"a b"` or `["a", "b"]`).
    pub fn from_json(v: &Value, origin: &str) -> Result<Self> {
        use super::json::{opt_bool, opt_str};
        let vocab = Vocab::from_json(v.get("vocab").unwrap_or(&Value::Null), "model.vocab", origin)?;
        let list = v
            .get("merges")
            .and_then(Value::as_array)
            .ok_or_else(|| Error::json(origin, "model.merges is not a list"))?;
        let mut merges = Vec::with_capacity(list.len());
        for (i, m) in list.iter().enumerate() {
            let pair = match m {
                Value::String(s) => {
                    let mut parts = s.split(' ');
                    match (parts.next(), parts.next(), parts.next()) {
                        (Some(a), Some(b), None) => (a.to_string(), b.to_string()),
                        _ => return Err(Error::json(origin, format!("model.merges[{i}] = {s:?} is not \"a b\""))),
                    }
                }
                Value::Array(p) => match p.as_slice() {
                    [Value::String(a), Value::String(b)] => (a.clone(), b.clone()),
                    _ => return Err(Error::json(origin, format!("model.merges[{i}] = {m} is not a pair of strings"))),
                },
                _ => return Err(Error::json(origin, format!("model.merges[{i}] = {m} is neither \"a b\" nor [a, b]"))),
            };
            merges.push(pair);
        }
        let dropout = match v.get("dropout") {
            None | Some(Value::Null) => None,
            Some(d) => {
                Some(d.as_f64().ok_or_else(|| Error::json(origin, format!("model.dropout = {d} is not a number")))?
                    as f32)
            }
        };
        let opts = BpeOptions {
            unk_token: opt_str(v, "unk_token", origin)?.map(str::to_string),
            fuse_unk: opt_bool(v, "fuse_unk", false, origin)?,
            byte_fallback: opt_bool(v, "byte_fallback", false, origin)?,
            continuing_subword_prefix: opt_str(v, "continuing_subword_prefix", origin)?.map(str::to_string),
            end_of_word_suffix: opt_str(v, "end_of_word_suffix", origin)?.map(str::to_string),
            ignore_merges: opt_bool(v, "ignore_merges", false, origin)?,
            dropout,
        };
        Self::new(vocab, &merges, opts).map_err(|e| Error::json(origin, format!("model: {e}")))
    }

    pub fn to_json(&self) -> Value {
        // HF writes each distinct pair once, in rank order.
        let mut ranked: Vec<(u32, u32, u32)> = self
            .merge_list
            .iter()
            .enumerate()
            .filter(|&(i, &(a, b))| self.merges.get(a, b).0 == i as u32)
            .map(|(i, &(a, b))| (i as u32, a, b))
            .collect();
        ranked.sort_unstable();
        let tok = |id: u32| self.vocab.token(id).unwrap_or("");
        let merges: Vec<Value> = ranked.iter().map(|&(_, a, b)| serde_json::json!([tok(a), tok(b)])).collect();
        let o = &self.opts;
        serde_json::json!({
            "type": "BPE",
            "dropout": o.dropout,
            "unk_token": o.unk_token,
            "continuing_subword_prefix": o.continuing_subword_prefix,
            "end_of_word_suffix": o.end_of_word_suffix,
            "fuse_unk": o.fuse_unk,
            "byte_fallback": o.byte_fallback,
            "ignore_merges": o.ignore_merges,
            "vocab": super::json::vocab_object(&self.vocab),
            "merges": merges,
        })
    }

    pub fn options(&self) -> &BpeOptions {
        &self.opts
    }

    /// Number of distinct merge pairs.
    pub fn merge_count(&self) -> usize {
        self.merges.len()
    }

    /// Reseeds dropout for reproducible runs: the shared stream restarts from `seed`, and the
    /// encoding calls that follow are numbered from 0 again, so the same calls in the same order
    /// give the same tokens, whatever the thread count. (Calls begun concurrently from several
    /// threads are numbered in the order they begin.)
    pub fn set_seed(&self, seed: u64) {
        self.rng.store(seed, Ordering::Relaxed);
        self.seed.store(seed, Ordering::Relaxed);
        self.calls.store(0, Ordering::Relaxed);
    }

    /// Begins an encoding call: the per-text dropout streams of its texts ([`DropoutCall::run`]),
    /// or `None` when the model has no dropout (there is nothing to draw).
    pub fn dropout_call(&self) -> Option<DropoutCall> {
        self.dropout()?;
        let call = self.calls.fetch_add(1, Ordering::Relaxed);
        let seed = self.seed.load(Ordering::Relaxed);
        Some(DropoutCall { uid: self.uid, base: mix(mix(seed) ^ call.wrapping_mul(GOLDEN)) })
    }

    /// A uniform draw in [0, 1): the next of the text's stream inside this model's
    /// [`DropoutCall::run`], else the next of the shared stream.
    fn draw(&self) -> f32 {
        let z = TEXT_STREAM.with(|c| match c.get() {
            Some((uid, state)) if uid == self.uid => {
                let next = state.wrapping_add(GOLDEN);
                c.set(Some((uid, next)));
                next
            }
            _ => self.rng.fetch_add(GOLDEN, Ordering::Relaxed).wrapping_add(GOLDEN),
        });
        (mix(z) >> 40) as f32 / (1u64 << 24) as f32
    }

    fn dropout(&self) -> Option<f32> {
        self.opts.dropout.filter(|&p| p > 0.0)
    }

    /// Tokenizes one word; on error `out` is left as it was.
    pub fn tokenize_word(&self, piece: &str, out: &mut Vec<Token>) -> Result<()> {
        if piece.is_empty() {
            return Ok(());
        }
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut s) => self.tokenize_in(piece, &mut s, out),
            Err(_) => self.tokenize_in(piece, &mut Scratch::default(), out),
        })
    }

    fn tokenize_in(&self, piece: &str, s: &mut Scratch, out: &mut Vec<Token>) -> Result<()> {
        let dropout = self.dropout();
        if dropout.is_none() {
            // HF checks the whole word only on its deterministic (cached) path.
            if self.opts.ignore_merges {
                if let Some(id) = self.vocab.get(piece) {
                    out.push(Token { id, start: 0, end: piece.len() });
                    return Ok(());
                }
            }
            if let Some(id) = self.vocab.get(piece) {
                match self.whole.get(id as usize).map(|w| w.load(Ordering::Relaxed)) {
                    Some(WHOLE_YES) => {
                        out.push(Token { id, start: 0, end: piece.len() });
                        return Ok(());
                    }
                    Some(WHOLE_UNKNOWN) => {
                        let base = out.len();
                        self.initial_symbols(piece, s)?;
                        self.merge_all(s, None);
                        self.emit_symbols(piece, s, out);
                        let yes = out.len() == base + 1 && out[base].id == id;
                        self.whole[id as usize].store(if yes { WHOLE_YES } else { WHOLE_NO }, Ordering::Relaxed);
                        return Ok(());
                    }
                    _ => {}
                }
            }
            if piece.len() <= MAX_PIECE_LEN {
                s.cached.clear();
                let hit = with_cache(self.uid, |c| c.get(piece.as_bytes()).map(|v| s.cached.extend_from_slice(v)));
                if hit.is_some() {
                    emit_pairs(&s.cached, piece.len(), out);
                    return Ok(());
                }
            }
        }
        self.initial_symbols(piece, s)?;
        self.merge_all(s, dropout);
        if dropout.is_none() && piece.len() <= MAX_PIECE_LEN {
            s.cached.clear();
            for sym in s.symbols.iter().filter(|x| x.len != 0) {
                s.cached.extend_from_slice(&[sym.id, sym.len]);
            }
            with_cache(self.uid, |c| c.insert(piece.as_bytes(), &s.cached));
        }
        self.emit_symbols(piece, s, out);
        Ok(())
    }

    fn emit_symbols(&self, piece: &str, s: &Scratch, out: &mut Vec<Token>) {
        let mut pos = 0usize;
        for sym in s.symbols.iter().filter(|x| x.len != 0) {
            let end = pos + sym.len as usize;
            // Byte fallback of a prefixed/suffixed char counts those bytes too (HF); keep the
            // offsets inside the piece.
            out.push(Token { id: sym.id, start: pos.min(piece.len()), end: end.min(piece.len()) });
            pos = end;
        }
    }

    fn push(symbols: &mut Vec<Symbol>, id: u32, len: usize) {
        let i = symbols.len() as u32;
        if let Some(last) = symbols.last_mut() {
            last.next = i;
        }
        symbols.push(Symbol { id, prev: if i == 0 { NONE } else { i - 1 }, next: NONE, len: len as u32 });
    }

    /// One symbol per character (with prefix/suffix as HF adds them), unknowns and byte fallback
    /// as HF's `merge_word`.
    fn initial_symbols(&self, piece: &str, s: &mut Scratch) -> Result<()> {
        s.symbols.clear();
        let prefix = self.opts.continuing_subword_prefix.as_deref();
        let suffix = self.opts.end_of_word_suffix.as_deref();
        let mut unk: Option<(u32, usize)> = None;
        let mut chars = piece.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let end = chars.peek().map_or(piece.len(), |&(j, _)| j);
            let byte_len = end - i;
            let (first, last) = (i == 0, end == piece.len());
            if c.is_ascii() {
                let variant = (!first && prefix.is_some()) as usize | ((last && suffix.is_some()) as usize) << 1;
                let id = self.ascii[c as usize][variant];
                if id != NONE {
                    if let Some((uid, ulen)) = unk.take() {
                        Self::push(&mut s.symbols, uid, ulen);
                    }
                    Self::push(&mut s.symbols, id, 1);
                    continue;
                }
            }
            let key: &str = match (prefix.filter(|_| !first), suffix.filter(|_| last)) {
                (None, None) => &piece[i..end],
                (p, x) => {
                    s.text.clear();
                    s.text.push_str(p.unwrap_or(""));
                    s.text.push(c);
                    s.text.push_str(x.unwrap_or(""));
                    &s.text
                }
            };
            if let Some(id) = self.vocab.get(key) {
                if let Some((uid, ulen)) = unk.take() {
                    Self::push(&mut s.symbols, uid, ulen);
                }
                Self::push(&mut s.symbols, id, byte_len);
                continue;
            }
            if self.opts.byte_fallback && key.bytes().all(|b| self.byte_ids[b as usize] != NONE) {
                // HF adds these without flushing a pending unknown first.
                for b in key.bytes() {
                    Self::push(&mut s.symbols, self.byte_ids[b as usize], 1);
                }
                continue;
            }
            if let Some(unk_token) = &self.opts.unk_token {
                let unk_id = self.unk_id.ok_or_else(|| Error::Model {
                    model: "BPE",
                    reason: format!("unknown token {unk_token:?} is not in the vocabulary"),
                })?;
                unk = match unk {
                    Some((u, l)) if self.opts.fuse_unk => Some((u, l + byte_len)),
                    Some((u, l)) => {
                        Self::push(&mut s.symbols, u, l);
                        Some((unk_id, byte_len))
                    }
                    None => Some((unk_id, byte_len)),
                };
            }
            // Without an unknown token the character is dropped, as HF does.
        }
        if let Some((u, l)) = unk {
            Self::push(&mut s.symbols, u, l);
        }
        Ok(())
    }

    #[inline]
    fn pair(&self, a: u32, b: u32) -> Option<(u32, u32)> {
        let (rank, id) = self.merges.get(a, b);
        (rank != u32::MAX).then_some((rank, id))
    }

    /// HF's `Word::merge_all`: heap entries are (rank, left position, merged id).
    fn merge_all(&self, s: &mut Scratch, dropout: Option<f32>) {
        let Scratch { symbols, heap, skipped, .. } = s;
        heap.clear();
        skipped.clear();
        for i in 1..symbols.len() {
            if let Some((rank, id)) = self.pair(symbols[i - 1].id, symbols[i].id) {
                heap.push(Reverse((rank, (i - 1) as u32, id)));
            }
        }
        while let Some(top) = heap.pop() {
            let Reverse((_, pos, new_id)) = top;
            if let Some(p) = dropout {
                if self.draw() < p {
                    skipped.push(top);
                    continue;
                }
                heap.extend(skipped.drain(..));
            }
            let p = pos as usize;
            if symbols[p].len == 0 || symbols[p].next == NONE {
                continue;
            }
            let next = symbols[p].next as usize;
            let right = symbols[next];
            // A stale entry: the pair at this position changed since it was queued.
            if self.pair(symbols[p].id, right.id).map(|x| x.1) != Some(new_id) {
                continue;
            }
            symbols[p].id = new_id;
            symbols[p].len += right.len;
            symbols[p].next = right.next;
            symbols[next].len = 0;
            if right.next != NONE {
                symbols[right.next as usize].prev = pos;
            }
            let cur = symbols[p];
            if cur.prev != NONE {
                if let Some((rank, id)) = self.pair(symbols[cur.prev as usize].id, cur.id) {
                    heap.push(Reverse((rank, cur.prev, id)));
                }
            }
            if cur.next != NONE {
                if let Some((rank, id)) = self.pair(cur.id, symbols[cur.next as usize].id) {
                    heap.push(Reverse((rank, pos, id)));
                }
            }
        }
    }
}

/// Cached results are (id, length) pairs.
fn emit_pairs(pairs: &[u32], piece_len: usize, out: &mut Vec<Token>) {
    let mut pos = 0usize;
    for p in pairs.chunks_exact(2) {
        let end = pos + p[1] as usize;
        out.push(Token { id: p[0], start: pos.min(piece_len), end: end.min(piece_len) });
        pos = end;
    }
}

impl Model for HfBpe {
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
#[path = "hf_bpe_tests.rs"]
mod tests;
