//! A per-thread cache of pieces that needed the merge loop, keyed by the piece's bytes.
//!
//! Per-thread, so the parallel batch path takes no lock and a forked child inherits nothing it
//! could deadlock on. Bounded: when it grows past its limits it is simply emptied.

use super::hash::FastMap as FxHashMap;
use std::cell::RefCell;

const MAX_PIECES: usize = 1 << 18;
const MAX_IDS: usize = 1 << 22;
/// Pieces longer than this are rare and would crowd out useful entries.
pub const MAX_PIECE_LEN: usize = 64;

#[derive(Default)]
pub struct PieceCache {
    map: FxHashMap<Box<[u8]>, (u32, u32)>,
    ids: Vec<u32>,
}

impl PieceCache {
    #[inline]
    pub fn get(&self, piece: &[u8]) -> Option<&[u32]> {
        self.map.get(piece).map(|&(s, n)| &self.ids[s as usize..(s + n) as usize])
    }

    pub fn insert(&mut self, piece: &[u8], ids: &[u32]) {
        if self.map.len() >= MAX_PIECES || self.ids.len() + ids.len() > MAX_IDS {
            self.map.clear();
            self.ids.clear();
        }
        let start = self.ids.len() as u32;
        self.ids.extend_from_slice(ids);
        self.map.insert(piece.into(), (start, ids.len() as u32));
    }
}

thread_local! {
    static CACHES: RefCell<FxHashMap<u64, PieceCache>> = RefCell::new(FxHashMap::default());
}

/// Runs `f` with this thread's cache for the model `uid`.
pub fn with_cache<R>(uid: u64, f: impl FnOnce(&mut PieceCache) -> R) -> R {
    CACHES.with(|c| match c.try_borrow_mut() {
        Ok(mut map) => f(map.entry(uid).or_default()),
        // Re-entered (cannot happen in our own code paths); use a throwaway cache.
        Err(_) => f(&mut PieceCache::default()),
    })
}
