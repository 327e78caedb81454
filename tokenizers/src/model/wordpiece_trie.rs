//! The LinMaxMatch automaton behind [`WordPiece`](super::wordpiece::WordPiece): a byte trie with
//! two roots, and for every node its failure link and failure pops, precomputed at load.
//!
//! For a node `v` spelling `s`: if `s` is a token, `pops(v) = [s]` and `fail(v)` is the suffix
//! root (MaxMatch emits `s` and continues with `##`). Otherwise `pops(v)` is the list of tokens
//! MaxMatch emits from `s` before it is left with the remainder spelled by `fail(v)` (a suffix
//! trie node), or `fail(v)` is `NONE` when MaxMatch fails on `s`. Both follow from the parent's
//! by the usual Aho–Corasick breadth-first construction.

use std::collections::VecDeque;

use super::trie::{ByteTrie, TrieBuilder, NONE};
use super::vocab::Vocab;
use super::Token;

#[derive(Debug, Clone, Copy)]
pub struct State {
    fail: u32,
    pop_start: u32,
    pop_len: u32,
}

impl Default for State {
    fn default() -> Self {
        State { fail: NONE, pop_start: 0, pop_len: 0 }
    }
}

/// A token to emit: its id and how many bytes of the word it covers (prefix excluded).
#[derive(Debug, Clone, Copy)]
struct Pop {
    id: u32,
    len: u32,
}

#[derive(Debug, Clone)]
pub struct Automaton {
    /// Each node's failure link and pops live in its trie cell.
    trie: ByteTrie<State>,
    root: u32,
    suffix_root: u32,
    pops: Vec<Pop>,
}

impl Automaton {
    pub fn build(vocab: &Vocab, prefix: &str) -> Self {
        let mut b = TrieBuilder::default();
        let root = b.add_root();
        let suffix_root = b.add_root();
        // (node, id, covered length) for every token node.
        let mut marks: Vec<(u32, u32, u32)> = Vec::new();
        for (tok, id) in vocab.sorted() {
            // Several tokens may share an id; HF's lookup is by string, so use the string's id.
            let id = vocab.get(tok).unwrap_or(id);
            if tok.is_empty() {
                continue;
            }
            let n = b.insert(root, tok.as_bytes());
            marks.push((n, id, tok.len() as u32));
            if let Some(rest) = tok.strip_prefix(prefix).filter(|r| !r.is_empty()) {
                let n = b.insert(suffix_root, rest.as_bytes());
                marks.push((n, id, rest.len() as u32));
            }
        }
        let mut token = vec![NONE; b.len()];
        let mut depth = vec![0u32; b.len()];
        for (n, id, len) in marks {
            token[n as usize] = id;
            depth[n as usize] = len;
        }

        // Breadth-first over builder ids (every failure target is shallower than its node).
        let mut states = vec![State::default(); b.len()];
        let mut pops: Vec<Pop> = Vec::new();
        let mut queue = VecDeque::from([root, suffix_root]);
        let mut scratch: Vec<Pop> = Vec::new();
        while let Some(u) = queue.pop_front() {
            for &(c, v) in b.children(u) {
                let vi = v as usize;
                if token[vi] != NONE {
                    states[vi] = State { fail: suffix_root, pop_start: pops.len() as u32, pop_len: 1 };
                    pops.push(Pop { id: token[vi], len: depth[vi] });
                } else {
                    let su = states[u as usize];
                    scratch.clear();
                    scratch.extend_from_slice(&pops[su.pop_start as usize..(su.pop_start + su.pop_len) as usize]);
                    let mut z = su.fail;
                    while z != NONE && b.child(z, c).is_none() {
                        let sz = states[z as usize];
                        scratch.extend_from_slice(&pops[sz.pop_start as usize..(sz.pop_start + sz.pop_len) as usize]);
                        z = sz.fail;
                    }
                    let fail = if z == NONE { NONE } else { b.child(z, c).unwrap_or(NONE) };
                    if fail == NONE {
                        // MaxMatch fails on this prefix: the pops are never used.
                        scratch.clear();
                    }
                    states[vi] = State { fail, pop_start: pops.len() as u32, pop_len: scratch.len() as u32 };
                    pops.extend_from_slice(&scratch);
                }
                queue.push_back(v);
            }
        }

        // Re-index everything by double-array slot.
        let (mut trie, map) = b.finish::<State>();
        let slot = |n: u32| if n == NONE { NONE } else { map[n as usize] };
        for (n, s) in states.into_iter().enumerate() {
            trie.set_data(map[n], State { fail: slot(s.fail), ..s });
        }
        let (root, suffix_root) = (slot(root), slot(suffix_root));
        Automaton { trie, root, suffix_root, pops }
    }

    #[inline(always)]
    fn emit(&self, s: State, pos: &mut usize, out: &mut Vec<Token>) {
        for p in &self.pops[s.pop_start as usize..(s.pop_start + s.pop_len) as usize] {
            let end = *pos + p.len as usize;
            out.push(Token { id: p.id, start: *pos, end });
            *pos = end;
        }
    }

    /// Appends the MaxMatch tokens of `word`; false (with partial output) when MaxMatch fails.
    #[inline]
    pub fn tokenize(&self, word: &[u8], out: &mut Vec<Token>) -> bool {
        let mut pos = 0usize;
        let mut v = self.root;
        for &c in word {
            loop {
                let next = self.trie.child(v, c);
                if next != NONE {
                    v = next;
                    break;
                }
                let s = self.trie.data(v);
                if s.fail == NONE {
                    return false;
                }
                self.emit(s, &mut pos, out);
                v = s.fail;
            }
        }
        // End of word: flush until only the (empty) suffix root remains.
        while v != self.suffix_root && v != self.root {
            let s = self.trie.data(v);
            if s.fail == NONE {
                return false;
            }
            self.emit(s, &mut pos, out);
            v = s.fail;
        }
        debug_assert!(v == self.suffix_root || word.is_empty());
        true
    }
}
