//! Open-addressing tables for the two lookups on the BPE hot path: piece bytes → token id, and
//! (left id, right id) → merge. Keys are stored inline in the slot, so a hit costs one cache line
//! and two integer compares: no pointer chase to a boxed key, no `memcmp` call.
//!
//! Byte keys of 1..=16 bytes are packed into two words without copying (see [`pack`]); the few
//! longer tokens live in an ordinary map beside the table.

use super::hash::FastMap;

const EMPTY: u32 = u32::MAX;
const K: u64 = 0x9E37_79B9_7F4A_7C15;
const K2: u64 = 0xD6E8_FEB8_6659_FD93;

#[inline(always)]
fn fold(a: u64, b: u64) -> u64 {
    let r = (a as u128).wrapping_mul(b as u128);
    (r as u64) ^ ((r >> 64) as u64)
}

#[inline(always)]
fn read8(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

/// Keeps the first `len` bytes of two little-endian words: `MASKS[len] = (mask0, mask1)`.
const MASKS: [(u64, u64); 17] = {
    let mut m = [(0u64, 0u64); 17];
    let mut len = 0;
    while len <= 16 {
        let lo = if len >= 8 { u64::MAX } else { (1u64 << (8 * len)) - 1 };
        let hi = if len <= 8 {
            0
        } else if len == 16 {
            u64::MAX
        } else {
            (1u64 << (8 * (len - 8))) - 1
        };
        m[len] = (lo, hi);
        len += 1;
    }
    m
};

/// Packs a key of 1..=16 bytes into two zero-padded little-endian words. Together with the length
/// (compared separately) the packing is injective.
#[inline(always)]
fn pack(b: &[u8]) -> (u64, u64) {
    let n = b.len();
    debug_assert!((1..=16).contains(&n));
    let mut buf = [0u8; 16];
    buf[..n].copy_from_slice(b);
    (read8(&buf, 0), read8(&buf, 8))
}

/// The same packing for `text[start..end]` when 16 bytes from `start` are readable: two plain
/// loads and two masks, no branch on the length (piece lengths vary randomly, so length
/// branches mispredict often).
#[inline(always)]
fn pack_in(text: &[u8], start: usize, len: usize) -> (u64, u64) {
    let (m0, m1) = MASKS[len];
    (read8(text, start) & m0, read8(text, start + 8) & m1)
}

#[inline(always)]
fn hash(k0: u64, k1: u64, len: usize) -> u64 {
    fold(k0 ^ (len as u64).wrapping_mul(K2), k1 ^ K)
}

/// A short key (1..=16 bytes) packed and hashed once.
pub struct Packed {
    k0: u64,
    k1: u64,
    len: usize,
    hash: u64,
}

impl Packed {
    /// `None` for keys outside 1..=16 bytes.
    #[inline(always)]
    pub fn try_new(key: &[u8]) -> Option<Packed> {
        (1..=16).contains(&key.len()).then(|| Packed::new(key))
    }

    #[inline(always)]
    fn new(key: &[u8]) -> Packed {
        let (k0, k1) = pack(key);
        Packed { k0, k1, len: key.len(), hash: hash(k0, k1, key.len()) }
    }

    /// `text[start..end]`, packed. Must have `1 <= end - start <= 16`.
    #[inline(always)]
    pub fn in_text(text: &[u8], start: usize, end: usize) -> Packed {
        let len = end - start;
        debug_assert!((1..=16).contains(&len));
        let (k0, k1) = if start + 16 <= text.len() { pack_in(text, start, len) } else { pack(&text[start..end]) };
        Packed { k0, k1, len, hash: hash(k0, k1, len) }
    }
}

#[derive(Clone, Copy, Debug)]
#[repr(C)]
struct ByteSlot {
    k0: u64,
    k1: u64,
    len: u32,
    id: u32,
}

/// Byte string → u32.
#[derive(Debug, Clone)]
pub struct ByteTable {
    slots: Vec<ByteSlot>,
    mask: usize,
    /// Blocked Bloom filter over the short keys (two bits in one word per key), or empty. Most
    /// lookups that miss (candidate pairs in the merge loop that are not tokens) are answered
    /// here from a table small enough for L2, instead of a cache miss into the multi-MB slots.
    filter: Vec<u64>,
    long: FastMap<Box<[u8]>, u32>,
    empty_key: Option<u32>,
}

impl ByteTable {
    pub fn with_capacity(n: usize) -> Self {
        // Load factor ≤ 0.5 keeps probe chains short.
        let size = (n.max(8) * 2).next_power_of_two();
        ByteTable {
            slots: vec![ByteSlot { k0: 0, k1: 0, len: EMPTY, id: 0 }; size],
            mask: size - 1,
            filter: Vec::new(),
            long: FastMap::default(),
            empty_key: None,
        }
    }

    #[inline(always)]
    fn home(&self, k0: u64, k1: u64, len: usize) -> usize {
        (hash(k0, k1, len) as usize) & self.mask
    }

    /// A table that also keeps a Bloom filter of its short keys (for large tables).
    pub fn with_filter(n: usize) -> Self {
        let mut t = Self::with_capacity(n);
        // ~20 bits per key: about 1% false positives with two bits per key.
        let words = (n.max(64) * 20 / 64).next_power_of_two();
        t.filter = vec![0; words];
        t
    }

    #[inline(always)]
    fn filter_bits(&self, hash: u64) -> (usize, u64) {
        let word = (hash >> 32) as usize & (self.filter.len() - 1);
        let bits = (1u64 << ((hash >> 20) & 63)) | (1u64 << ((hash >> 26) & 63));
        (word, bits)
    }

    /// Inserts (first insertion of a key wins is NOT assumed: a later insert overwrites).
    pub fn insert(&mut self, key: &[u8], id: u32) {
        let n = key.len();
        if n == 0 {
            self.empty_key = Some(id);
            return;
        }
        if n > 16 {
            self.long.insert(key.into(), id);
            return;
        }
        let (k0, k1) = pack(key);
        if !self.filter.is_empty() {
            let (w, bits) = self.filter_bits(hash(k0, k1, n));
            self.filter[w] |= bits;
        }
        let mut i = self.home(k0, k1, n);
        loop {
            let s = &mut self.slots[i];
            if s.len == EMPTY || (s.len == n as u32 && s.k0 == k0 && s.k1 == k1) {
                *s = ByteSlot { k0, k1, len: n as u32, id };
                return;
            }
            i = (i + 1) & self.mask;
        }
    }

    #[inline]
    pub fn get(&self, key: &[u8]) -> Option<u32> {
        let n = key.len();
        if n == 0 || n > 16 {
            return if n == 0 { self.empty_key } else { self.long.get(key).copied() };
        }
        self.get_packed(&Packed::new(key))
    }

    /// Lookup with a key packed once (to probe several tables with one hash).
    #[inline(always)]
    pub fn get_packed(&self, p: &Packed) -> Option<u32> {
        if !self.filter.is_empty() {
            let (w, bits) = self.filter_bits(p.hash);
            if self.filter[w] & bits != bits {
                return None;
            }
        }
        let (k0, k1, n) = (p.k0, p.k1, p.len);
        let mut i = p.hash as usize & self.mask;
        loop {
            let s = &self.slots[i];
            if s.len == n as u32 && s.k0 == k0 && s.k1 == k1 {
                return Some(s.id);
            }
            if s.len == EMPTY {
                return None;
            }
            i = (i + 1) & self.mask;
        }
    }
}

#[derive(Clone, Copy, Debug)]
#[repr(C)]
struct PairSlot {
    key: u64,
    rank: u32,
    id: u32,
}

/// (left id, right id) → (rank, merged id). Ranks are never `u32::MAX`, which marks a free slot.
#[derive(Debug, Clone)]
pub struct PairTable {
    slots: Vec<PairSlot>,
    mask: usize,
}

impl PairTable {
    pub fn with_capacity(n: usize) -> Self {
        let size = (n.max(8) * 2).next_power_of_two();
        PairTable { slots: vec![PairSlot { key: 0, rank: EMPTY, id: 0 }; size], mask: size - 1 }
    }

    #[inline(always)]
    fn home(&self, key: u64) -> usize {
        (fold(key ^ K, K2) as usize) & self.mask
    }

    pub fn insert(&mut self, a: u32, b: u32, rank: u32, id: u32) {
        debug_assert!(rank != EMPTY);
        let key = ((a as u64) << 32) | b as u64;
        let mut i = self.home(key);
        loop {
            let s = &mut self.slots[i];
            if s.rank == EMPTY || s.key == key {
                *s = PairSlot { key, rank, id };
                return;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// (rank, merged id), or (u32::MAX, u32::MAX) when the pair does not merge.
    #[inline(always)]
    pub fn get(&self, a: u32, b: u32) -> (u32, u32) {
        let key = ((a as u64) << 32) | b as u64;
        let mut i = self.home(key);
        loop {
            let s = &self.slots[i];
            if s.rank == EMPTY {
                return (EMPTY, EMPTY);
            }
            if s.key == key {
                return (s.rank, s.id);
            }
            i = (i + 1) & self.mask;
        }
    }

    pub fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.rank != EMPTY).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn byte_table_agrees_with_a_map() {
        // Every length 0..=24 and keys differing only in the middle or the overlap region.
        let mut keys: Vec<Vec<u8>> = Vec::new();
        for len in 0..=24usize {
            for v in 0..40u8 {
                let mut k: Vec<u8> = (0..len as u8).collect();
                if len > 0 {
                    k[len / 2] = v;
                    k[(len * 3) / 4] ^= v.wrapping_mul(3);
                }
                keys.push(k);
            }
        }
        let mut t = ByteTable::with_capacity(keys.len());
        let mut m = HashMap::new();
        for (i, k) in keys.iter().enumerate() {
            if i % 3 != 0 {
                t.insert(k, i as u32);
                m.insert(k.clone(), i as u32);
            }
        }
        for k in &keys {
            assert_eq!(t.get(k), m.get(k).copied(), "{k:?}");
        }
    }

    #[test]
    fn pair_table_agrees() {
        let mut t = PairTable::with_capacity(1000);
        for a in 0..30u32 {
            for b in 0..30u32 {
                if (a * 7 + b) % 3 == 0 {
                    t.insert(a, b, a * 100 + b, a + b);
                }
            }
        }
        for a in 0..31u32 {
            for b in 0..31u32 {
                let want =
                    if a < 30 && b < 30 && (a * 7 + b) % 3 == 0 { (a * 100 + b, a + b) } else { (u32::MAX, u32::MAX) };
                assert_eq!(t.get(a, b), want);
            }
        }
    }
}

impl ByteTable {
    /// Mean probe length over the stored short keys (diagnostics).
    pub fn mean_probe(&self) -> f64 {
        let (mut total, mut n) = (0usize, 0usize);
        for (i, s) in self.slots.iter().enumerate() {
            if s.len != EMPTY {
                let home = self.home(s.k0, s.k1, s.len as usize);
                total += (i.wrapping_sub(home)) & self.mask;
                n += 1;
            }
        }
        total as f64 / n.max(1) as f64
    }
}
