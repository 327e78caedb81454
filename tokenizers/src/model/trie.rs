//! A compact byte trie (several roots allowed) for WordPiece's LinMaxMatch automaton and
//! Unigram's common-prefix search: one transition is one byte, so matching never decodes UTF-8.
//!
//! Nodes with many children (the roots, frequent prefixes) get a dense 256-entry row; the rest
//! keep their edges sorted in one shared array and are searched linearly (they have few edges).

pub const NONE: u32 = u32::MAX;

/// Nodes with more children than this get a dense row.
const DENSE_FROM: usize = 12;

#[derive(Debug, Clone, Copy)]
struct Node {
    first: u32,
    count: u32,
    /// Start of this node's row in `dense`, or `NONE`.
    dense: u32,
}

/// The frozen trie. Node ids are those the builder handed out.
#[derive(Debug, Clone, Default)]
pub struct ByteTrie {
    nodes: Vec<Node>,
    labels: Vec<u8>,
    targets: Vec<u32>,
    dense: Vec<u32>,
}

impl ByteTrie {
    /// The child of `node` along byte `b`, or `NONE`.
    #[inline(always)]
    pub fn child(&self, node: u32, b: u8) -> u32 {
        let n = self.nodes[node as usize];
        if n.dense != NONE {
            return self.dense[n.dense as usize + b as usize];
        }
        let (s, e) = (n.first as usize, (n.first + n.count) as usize);
        for i in s..e {
            let l = self.labels[i];
            if l == b {
                return self.targets[i];
            }
            if l > b {
                break;
            }
        }
        NONE
    }

    /// (byte, child) for every edge of `node`, in byte order.
    pub fn children(&self, node: u32) -> impl Iterator<Item = (u8, u32)> + '_ {
        let n = self.nodes[node as usize];
        let (s, e) = (n.first as usize, (n.first + n.count) as usize);
        self.labels[s..e].iter().copied().zip(self.targets[s..e].iter().copied())
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

/// Builds a [`ByteTrie`]: add roots, insert byte strings below them, then `finish`.
#[derive(Debug, Default)]
pub struct TrieBuilder {
    children: Vec<Vec<(u8, u32)>>,
}

impl TrieBuilder {
    /// A new root node.
    pub fn add_root(&mut self) -> u32 {
        self.children.push(Vec::new());
        (self.children.len() - 1) as u32
    }

    /// Inserts `bytes` below `root`; returns the node where it ends (`root` for empty input).
    pub fn insert(&mut self, root: u32, bytes: &[u8]) -> u32 {
        let mut node = root;
        for &b in bytes {
            let next = match self.children[node as usize].iter().find(|e| e.0 == b) {
                Some(e) => e.1,
                None => {
                    let id = self.children.len() as u32;
                    self.children.push(Vec::new());
                    self.children[node as usize].push((b, id));
                    id
                }
            };
            node = next;
        }
        node
    }

    pub fn len(&self) -> usize {
        self.children.len()
    }

    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }

    pub fn finish(self) -> ByteTrie {
        let mut t = ByteTrie::default();
        t.nodes.reserve(self.children.len());
        for mut edges in self.children {
            edges.sort_unstable_by_key(|e| e.0);
            let first = t.labels.len() as u32;
            let dense = if edges.len() > DENSE_FROM {
                let start = t.dense.len();
                t.dense.resize(start + 256, NONE);
                for &(b, c) in &edges {
                    t.dense[start + b as usize] = c;
                }
                start as u32
            } else {
                NONE
            };
            for &(b, c) in &edges {
                t.labels.push(b);
                t.targets.push(c);
            }
            t.nodes.push(Node { first, count: edges.len() as u32, dense });
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_and_dense_nodes_find_their_children() {
        let mut b = TrieBuilder::default();
        let root = b.add_root();
        let words: Vec<Vec<u8>> = (0u8..40).map(|i| vec![b'a' + (i % 26), i]).collect();
        let ends: Vec<u32> = words.iter().map(|w| b.insert(root, w)).collect();
        let other = b.add_root();
        let x = b.insert(other, b"xy");
        let t = b.finish();
        for (w, &end) in words.iter().zip(&ends) {
            let n = t.child(root, w[0]);
            assert_ne!(n, NONE);
            assert_eq!(t.child(n, w[1]), end);
        }
        assert_eq!(t.child(root, b'~'), NONE);
        assert_eq!(t.child(t.child(other, b'x'), b'y'), x);
        assert_eq!(t.child(other, b'a'), NONE);
        assert_eq!(t.children(other).count(), 1);
    }
}
