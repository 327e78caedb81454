//! A byte trie (several roots allowed) frozen into a double array, for WordPiece's LinMaxMatch
//! automaton and Unigram's common-prefix search: one transition is one byte (no UTF-8 decoding)
//! and costs one array read — the child of slot `s` along byte `b` is slot `base[s] + b` when that
//! slot's `check` is `s`. `base` and `check` sit side by side, so the read that confirms a
//! transition also fetches the next step's `base`: one cache miss per byte at most.

pub const NONE: u32 = u32::MAX;
/// `check` of a free slot and of a root slot (no parent).
const FREE: u32 = u32::MAX - 1;
const ROOT: u32 = u32::MAX - 2;

/// A slot: the double-array pair plus the caller's per-node data `T`, stored inline so that
/// reaching a node also brings its data into cache.
#[derive(Debug, Clone, Copy)]
struct Cell<T> {
    base: u32,
    check: u32,
    data: T,
}

/// The frozen trie; node ids are slots (see [`TrieBuilder::finish`] for the mapping).
#[derive(Debug, Clone)]
pub struct ByteTrie<T> {
    cells: Vec<Cell<T>>,
}

impl<T: Copy + Default> Default for ByteTrie<T> {
    fn default() -> Self {
        ByteTrie { cells: Vec::new() }
    }
}

impl<T: Copy + Default> ByteTrie<T> {
    /// The data of slot `node`.
    #[inline(always)]
    pub fn data(&self, node: u32) -> T {
        self.cells[node as usize].data
    }

    pub fn set_data(&mut self, node: u32, data: T) {
        self.cells[node as usize].data = data;
    }

    /// The child of `node` along byte `b`, or `NONE`.
    #[inline(always)]
    pub fn child(&self, node: u32, b: u8) -> u32 {
        let t = self.cells[node as usize].base as usize + b as usize;
        // In bounds: `finish` pads the array by 256 cells past the largest base.
        match self.cells.get(t) {
            Some(c) if c.check == node => t as u32,
            _ => NONE,
        }
    }

    /// Number of slots (an upper bound on node ids).
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}

/// Builds a trie: add roots, insert byte strings below them, then `finish`.
#[derive(Debug, Default)]
pub struct TrieBuilder {
    children: Vec<Vec<(u8, u32)>>,
    roots: Vec<u32>,
}

impl TrieBuilder {
    /// A new root node.
    pub fn add_root(&mut self) -> u32 {
        self.children.push(Vec::new());
        let id = (self.children.len() - 1) as u32;
        self.roots.push(id);
        id
    }

    /// Inserts `bytes` below `root`; returns the node where it ends (`root` for empty input).
    pub fn insert(&mut self, root: u32, bytes: &[u8]) -> u32 {
        let mut node = root;
        for &b in bytes {
            node = match self.child(node, b) {
                Some(c) => c,
                None => {
                    let id = self.children.len() as u32;
                    self.children.push(Vec::new());
                    self.children[node as usize].push((b, id));
                    id
                }
            };
        }
        node
    }

    /// The child of `node` along `b` (build time, linear search).
    pub fn child(&self, node: u32, b: u8) -> Option<u32> {
        self.children[node as usize].iter().find(|e| e.0 == b).map(|e| e.1)
    }

    /// (byte, child) for every edge of `node`, in insertion order.
    pub fn children(&self, node: u32) -> &[(u8, u32)] {
        &self.children[node as usize]
    }

    pub fn len(&self) -> usize {
        self.children.len()
    }

    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }

    /// Freezes the trie. Returns it with the slot of every builder node (`map[node]`).
    pub fn finish<T: Copy + Default>(self) -> (ByteTrie<T>, Vec<u32>) {
        let mut map = vec![NONE; self.children.len()];
        let mut cells = vec![Cell { base: 0, check: FREE, data: T::default() }; self.children.len() * 2 + 512];
        let n_cells = cells.len();
        for (slot, &r) in self.roots.iter().enumerate() {
            map[r as usize] = slot as u32;
            cells[slot].check = ROOT;
        }
        // `next[i]` leads to the first free cell ≥ i (union-find with path halving), so the
        // search for a base skips occupied cells in amortized constant time.
        // One extra entry past the end, always "free", ends every search.
        let mut next: Vec<u32> = (0..=n_cells as u32).collect();
        for (slot, n) in next.iter_mut().enumerate().take(self.roots.len()) {
            *n = slot as u32 + 1;
        }
        fn find(next: &mut [u32], mut i: usize) -> usize {
            while next[i] as usize != i {
                let j = next[i] as usize;
                next[i] = next[j];
                i = j;
            }
            i
        }
        let mut queue: std::collections::VecDeque<u32> = self.roots.iter().copied().collect();
        let mut labels: Vec<(u8, u32)> = Vec::new();
        let mut top = 0usize;
        while let Some(u) = queue.pop_front() {
            let slot = map[u as usize] as usize;
            labels.clear();
            labels.extend_from_slice(&self.children[u as usize]);
            if labels.is_empty() {
                continue;
            }
            labels.sort_unstable_by_key(|e| e.0);
            let l0 = labels[0].0 as usize;
            // Free cells p (for the lowest label) in order, until every label's cell is free.
            let mut p = l0 + 1;
            let base = loop {
                if cells.len() < p + 257 {
                    let old = cells.len();
                    let new = p + 257 + old / 2;
                    cells.resize(new, Cell { base: 0, check: FREE, data: T::default() });
                    // `next[old]` was the sentinel (itself); the new cells and sentinel follow.
                    next.extend(old as u32 + 1..=new as u32);
                }
                p = find(&mut next, p);
                if p + 257 > cells.len() {
                    continue;
                }
                let b = p - l0;
                if labels.iter().all(|&(l, _)| cells[b + l as usize].check == FREE) {
                    break b;
                }
                p += 1;
            };
            cells[slot].base = base as u32;
            for &(l, c) in &labels {
                let t = base + l as usize;
                cells[t].check = slot as u32;
                next[t] = t as u32 + 1;
                map[c as usize] = t as u32;
                top = top.max(t);
                queue.push_back(c);
            }
        }
        cells.truncate(top.max(self.roots.len()) + 257);
        for c in cells.iter_mut() {
            if c.check == FREE || c.check == ROOT {
                c.check = NONE;
            }
        }
        (ByteTrie { cells }, map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_inserted_path_and_nothing_else() {
        let mut b = TrieBuilder::default();
        let root = b.add_root();
        let words: Vec<Vec<u8>> = (0u8..40).map(|i| vec![b'a' + (i % 26), i, 255 - i]).collect();
        let ends: Vec<u32> = words.iter().map(|w| b.insert(root, w)).collect();
        let other = b.add_root();
        let x = b.insert(other, b"xy");
        let (t, map) = b.finish::<u32>();
        let walk = |start: u32, w: &[u8]| w.iter().try_fold(start, |n, &c| Some(t.child(n, c)).filter(|&n| n != NONE));
        for (w, &end) in words.iter().zip(&ends) {
            assert_eq!(walk(map[root as usize], w), Some(map[end as usize]));
            assert_eq!(walk(map[root as usize], &[w[0], w[1], w[2], 0]), None);
        }
        assert_eq!(t.child(map[root as usize], b'~'), NONE);
        assert_eq!(walk(map[other as usize], b"xy"), Some(map[x as usize]));
        assert_eq!(t.child(map[other as usize], b'a'), NONE);
        // No transition out of a leaf, whatever byte.
        for c in 0..=255u8 {
            assert_eq!(t.child(map[x as usize], c), NONE);
        }
    }
}
