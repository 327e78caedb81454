//! `Precompiled`: SentencePiece's compiled normalization rules (`precompiled_charsmap`).
//!
//! The charsmap blob is: a little-endian u32 `n`, then `n` bytes of a double-array trie (u32
//! units) over UTF-8 keys, then the replacement strings, each NUL-terminated; a trie leaf holds
//! the offset of its replacement in that string blob.
//!
//! Matching follows HF exactly (and so SentencePiece as HF reproduces it): the text is walked by
//! extended grapheme cluster; a cluster shorter than 6 bytes is first looked up whole, and if any
//! key is a prefix of it, the FIRST (shortest) such key's replacement replaces the whole cluster;
//! otherwise each char of the cluster is looked up on its own.

use super::{Normalize, NormalizedString};
use crate::error::{Error, Result};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

/// HF's JSON field (base64 of the spm blob).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PrecompiledFields {
    precompiled_charsmap: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "PrecompiledFields", into = "PrecompiledFields")]
pub struct Precompiled {
    blob: Vec<u8>,
    trie: Vec<u32>,
    /// Replacement strings, NUL-separated.
    replacements: Vec<u8>,
    /// Per ASCII byte: whether some key is a prefix of it (i.e. it has a replacement).
    ascii_mapped: [bool; 128],
}

impl TryFrom<PrecompiledFields> for Precompiled {
    type Error = Error;
    fn try_from(f: PrecompiledFields) -> Result<Self> {
        let blob = base64::engine::general_purpose::STANDARD
            .decode(f.precompiled_charsmap.as_bytes())
            .map_err(|e| Error::json("Precompiled normalizer", format!("precompiled_charsmap is not base64: {e}")))?;
        Precompiled::from_blob(blob)
    }
}

impl From<Precompiled> for PrecompiledFields {
    fn from(p: Precompiled) -> Self {
        PrecompiledFields { precompiled_charsmap: base64::engine::general_purpose::STANDARD.encode(&p.blob) }
    }
}

// Double-array unit fields (darts-clone layout, as SentencePiece stores it).
#[inline]
fn has_leaf(u: u32) -> bool {
    (u >> 8) & 1 == 1
}
#[inline]
fn value(u: u32) -> u32 {
    u & ((1 << 31) - 1)
}
#[inline]
fn label(u: u32) -> u32 {
    u & ((1 << 31) | 0xFF)
}
#[inline]
fn offset(u: u32) -> usize {
    ((u >> 10) << ((u & (1 << 9)) >> 6)) as usize
}

impl Precompiled {
    /// Parses the raw spm charsmap. An empty blob is a normalizer that changes nothing.
    pub fn from_blob(blob: Vec<u8>) -> Result<Self> {
        let bad = |reason: &str| Error::json("Precompiled normalizer", format!("precompiled_charsmap: {reason}"));
        if blob.is_empty() {
            return Ok(Precompiled { blob, trie: Vec::new(), replacements: Vec::new(), ascii_mapped: [false; 128] });
        }
        let size = blob.get(..4).ok_or_else(|| bad("shorter than its 4-byte header"))?;
        let size = u32::from_le_bytes([size[0], size[1], size[2], size[3]]) as usize;
        if !size.is_multiple_of(4) || 4 + size > blob.len() {
            return Err(bad(&format!("trie size {size} does not fit the {}-byte blob", blob.len())));
        }
        let trie = blob[4..4 + size].chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        let replacements = blob[4 + size..].to_vec();
        if std::str::from_utf8(&replacements).is_err() {
            return Err(bad("replacement strings are not UTF-8"));
        }
        let mut p = Precompiled { blob, trie, replacements, ascii_mapped: [false; 128] };
        for b in 0..128u8 {
            p.ascii_mapped[b as usize] = p.first_prefix_match(&[b]).is_some();
        }
        Ok(p)
    }

    /// Offset (in the replacement blob) of the first key that is a prefix of `key`.
    /// Which ASCII bytes the charsmap rewrites on their own (fused fast paths skip texts with any).
    pub(crate) fn ascii_mapped(&self) -> [bool; 128] {
        self.ascii_mapped
    }

    fn first_prefix_match(&self, key: &[u8]) -> Option<usize> {
        let mut pos = offset(*self.trie.first()?);
        for &c in key {
            if c == 0 {
                break;
            }
            pos ^= c as usize;
            let u = *self.trie.get(pos)?;
            if label(u) != c as u32 {
                return None;
            }
            pos ^= offset(u);
            if has_leaf(u) {
                return Some(value(*self.trie.get(pos)?) as usize);
            }
        }
        None
    }

    /// The replacement for `chunk`, if some key is a prefix of it.
    pub fn transform(&self, chunk: &str) -> Option<&str> {
        let start = self.first_prefix_match(chunk.as_bytes())?;
        let rest = self.replacements.get(start..)?;
        let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        std::str::from_utf8(&rest[..end]).ok()
    }
}

/// Appends the replacement of `old` by `new` to the transformation list, HF's way: every new
/// char replaces (0), extra ones are insertions (1), missing ones are removed by the last entry.
fn push_replacement(t: &mut Vec<(char, isize)>, old: &str, new: &str) {
    let diff = new.chars().count() as isize - old.chars().count() as isize;
    t.extend(new.chars().map(|c| (c, 0)));
    if diff > 0 {
        let n = t.len();
        for e in &mut t[n - diff as usize..] {
            e.1 = 1;
        }
    } else if diff < 0 {
        if let Some(last) = t.last_mut() {
            last.1 += diff;
        }
    }
}

impl Precompiled {
    /// The grapheme cluster starting at byte `i` (a cluster boundary). Fast path: an ASCII char
    /// followed by an ASCII char (or the end) is a cluster of its own, except CR LF (the only
    /// ASCII pair the segmentation rules join); everything else asks the segmenter.
    #[inline]
    fn grapheme_at(text: &str, i: usize) -> &str {
        let b = text.as_bytes();
        if b[i] < 0x80 && b[i] != b'\r' && b.get(i + 1).is_none_or(|&n| n < 0x80) {
            return &text[i..i + 1];
        }
        text[i..].graphemes(true).next().unwrap_or(&text[i..])
    }
}

impl Precompiled {
    /// Walks `text` as the charsmap rewrites it: grapheme by grapheme, a grapheme shorter than 6
    /// bytes replaced whole when it is a key, else each of its chars that is a key. Calls
    /// `rewrite(at, old, new)` for each replaced piece (`old` = `text[at..]`'s start), in order,
    /// and stops when it returns false. Unmapped ASCII is skipped without a lookup.
    fn for_each_rewrite(&self, text: &str, mut rewrite: impl FnMut(usize, &str, &str) -> bool) {
        if self.trie.is_empty() {
            return;
        }
        let mut i = 0;
        while i < text.len() {
            let g = Self::grapheme_at(text, i);
            let end = i + g.len();
            if g.len() == 1 && !self.ascii_mapped[g.as_bytes()[0] as usize] {
                i = end;
                continue;
            }
            if g.len() < 6 {
                if let Some(rep) = self.transform(g) {
                    if !rewrite(i, g, rep) {
                        return;
                    }
                    i = end;
                    continue;
                }
            }
            for (k, c) in g.char_indices() {
                let part = &g[k..k + c.len_utf8()];
                if let Some(rep) = self.transform(part) {
                    if !rewrite(i + k, part, rep) {
                        return;
                    }
                }
            }
            i = end;
        }
    }

    /// The normalized text only (no alignments), appended to `out`, for paths that need ids but
    /// no offsets.
    pub(crate) fn normalize_to(&self, text: &str, out: &mut String) {
        let mut done = 0;
        self.for_each_rewrite(text, |at, old, new| {
            out.push_str(&text[done..at]);
            out.push_str(new);
            done = at + old.len();
            true
        });
        out.push_str(&text[done..]);
    }

    /// Where the first piece the charsmap changes starts (`None`: it leaves `text` as it is, and
    /// every char aligned with itself).
    pub(crate) fn first_change(&self, text: &str) -> Option<usize> {
        let mut first = None;
        self.for_each_rewrite(text, |at, old, new| {
            if old == new {
                return true;
            }
            first = Some(at);
            false
        });
        first
    }
}

impl Normalize for Precompiled {
    fn normalize(&self, s: &mut NormalizedString) -> Result<()> {
        let text = s.normalized();
        // The transformation list is only built once something changes: `done` is the byte up
        // to which the chars are still to be copied as unchanged `(c, 0)` entries.
        let mut t: Vec<(char, isize)> = Vec::new();
        let mut done = 0;
        let flush = |t: &mut Vec<(char, isize)>, done: &mut usize, upto: usize| {
            if t.capacity() == 0 {
                t.reserve(text.len());
            }
            t.extend(text[*done..upto].chars().map(|c| (c, 0)));
            *done = upto;
        };
        self.for_each_rewrite(text, |at, old, new| {
            flush(&mut t, &mut done, at);
            push_replacement(&mut t, old, new);
            done = at + old.len();
            true
        });
        if done > 0 {
            flush(&mut t, &mut done, text.len());
            s.transform(t, 0);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spm_charsmap() -> Option<String> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/data/vocab/sentencepiece/botchan_en_unigram_1000.tokenizer.json"
        );
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!("skipping: {path} not found");
            return None;
        };
        let v: serde_json::Value = serde_json::from_str(&text).ok()?;
        Some(v["normalizer"]["normalizers"][0]["precompiled_charsmap"].as_str()?.to_string())
    }

    #[test]
    fn nmt_nfkc_rules() {
        let Some(map) = spm_charsmap() else { return };
        let p: Precompiled = serde_json::from_value(serde_json::json!({ "precompiled_charsmap": map })).unwrap();
        let mut n = NormalizedString::new("ﬁ Ａ①\u{200B}x", 0);
        p.normalize(&mut n).unwrap();
        // As HF 0.23: the charsmap keeps U+200B (the NMT rules that drop it are the `Nmt` normalizer).
        assert_eq!(n.normalized(), "fi A1\u{200B}x");
        assert_eq!(n.original_range(0..2), Some(0..3));
        let back = serde_json::to_value(&p).unwrap();
        assert_eq!(back["precompiled_charsmap"].as_str().unwrap(), map);
    }

    /// `first_change` is `None` exactly when normalizing leaves the text and every alignment as
    /// they were, and else names the first changed piece; `normalize_to` gives `normalize`'s text.
    #[test]
    fn first_change_agrees_with_normalize() {
        let Some(map) = spm_charsmap() else { return };
        let p: Precompiled = serde_json::from_value(serde_json::json!({ "precompiled_charsmap": map })).unwrap();
        let texts = [
            ("", None),
            ("plain ascii", None),
            ("caf\u{e9} \u{65e5}\u{672c} \u{1f642} \u{627}\u{644}", None),
            ("ok \u{ff21}", Some(3)),
            ("a\u{301} b", Some(0)),
            ("x\u{2460}", Some(1)),
            ("\u{e9}\u{2026}", Some(2)),
            ("\u{2581}", None),
        ];
        for (text, want) in texts {
            assert_eq!(p.first_change(text), want, "{text:?}");
            let mut n = NormalizedString::new(text, 0);
            p.normalize(&mut n).unwrap();
            let mut plain = String::new();
            p.normalize_to(text, &mut plain);
            assert_eq!(plain, n.normalized(), "{text:?}");
            if want.is_none() {
                assert_eq!(n.normalized(), text);
                for (i, c) in text.char_indices() {
                    let r = i..i + c.len_utf8();
                    assert_eq!(n.original_range(r.clone()), Some(r), "{text:?}");
                }
            } else {
                assert_ne!(n.normalized(), text, "{text:?}");
            }
        }
    }

    #[test]
    fn bad_blobs_are_errors() {
        assert!(Precompiled::from_blob(vec![1, 2]).is_err());
        assert!(Precompiled::from_blob(vec![8, 0, 0, 0, 1]).is_err());
        assert!(Precompiled::from_blob(Vec::new()).is_ok());
    }
}
