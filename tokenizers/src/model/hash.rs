//! The hasher behind every byte-keyed table on the hot path.
//!
//! Keys are short byte strings (pieces, tokens) and packed id pairs. FxHash mixes too little for
//! them: hashbrown picks buckets and tag bits from different ends of the hash, and similar pieces
//! collided into long probe chains (≈120 ns a lookup on cl100k). This hasher reads 8 bytes at a
//! time and finishes with a folded 64×64→128 multiply, so every output bit depends on every input
//! bit, at a few cycles per word.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

const K: u64 = 0x9E37_79B9_7F4A_7C15;
const K2: u64 = 0xD6E8_FEB8_6659_FD93;

#[derive(Default, Clone, Copy)]
pub struct PieceHasher(u64);

#[inline(always)]
fn fold(a: u64, b: u64) -> u64 {
    let r = (a as u128).wrapping_mul(b as u128);
    (r as u64) ^ ((r >> 64) as u64)
}

impl Hasher for PieceHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            h = fold(h ^ u64::from_le_bytes(c.try_into().unwrap()), K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            h = fold(h ^ u64::from_le_bytes(buf), K2);
        }
        self.0 = h;
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.0 = fold(self.0 ^ n, K);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        // The length prefix of a slice: cheap xor, the data words do the mixing.
        self.0 ^= (n as u64).wrapping_mul(K2);
    }

    #[inline]
    fn finish(&self) -> u64 {
        fold(self.0, K2 ^ 0xA076_1D64_78BD_642F)
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<PieceHasher>>;
