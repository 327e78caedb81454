//! `NormalizedString`: a piece of the input together with its normalized form and, for every byte
//! of the normalized form, the byte range of the original input it comes from (Hugging Face's
//! alignments), so that token offsets can always be given in the original text.
//!
//! Offsets are absolute: a string made with `NormalizedString::new(text, base)` reports original
//! ranges in the full input, `text` starting at byte `base` of it.
//!
//! Speed: while nothing changed the text, no alignment vector exists (`align == None` means "each
//! byte maps to its own char"); it is built on the first transformation that changes lengths.
//! Same-length char maps (ASCII lowercasing, whitespace → space) rewrite bytes in place and keep
//! the alignments, which is exactly what HF's general transform computes for them.
//!
//! Invariant (as in HF): all bytes of one normalized char share one alignment.

use super::pattern::{split_ranges, Pattern, SplitBehavior};
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedString {
    normalized: String,
    /// Per normalized byte, the original range relative to `base`; `None` = identity.
    align: Option<Vec<(usize, usize)>>,
    original_len: usize,
    base: usize,
}

/// Byte range of the char of `s` that contains byte `i` (`i < s.len()`).
fn char_range_at(s: &str, i: usize) -> (usize, usize) {
    let b = s.as_bytes();
    let mut start = i;
    while start > 0 && (b[start] & 0xC0) == 0x80 {
        start -= 1;
    }
    let mut end = i + 1;
    while end < b.len() && (b[end] & 0xC0) == 0x80 {
        end += 1;
    }
    (start, end)
}

/// Identity alignments of `s` (each byte → its char's range).
fn identity_alignments(s: &str) -> Vec<(usize, usize)> {
    let mut v = Vec::with_capacity(s.len());
    for (b, c) in s.char_indices() {
        let e = b + c.len_utf8();
        v.extend(std::iter::repeat_n((b, e), e - b));
    }
    v
}

impl NormalizedString {
    /// `text` unchanged, starting at byte `base` of the whole input.
    pub fn new(text: &str, base: usize) -> Self {
        Self::from_string(text.to_string(), base)
    }

    /// Like [`NormalizedString::new`], taking ownership of the text (no copy).
    pub fn from_string(text: String, base: usize) -> Self {
        let original_len = text.len();
        NormalizedString { normalized: text, align: None, original_len, base }
    }

    /// The normalized text.
    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    /// Byte length of the normalized text.
    pub fn len(&self) -> usize {
        self.normalized.len()
    }

    pub fn is_empty(&self) -> bool {
        self.normalized.is_empty()
    }

    /// Byte length of the original text this string covers.
    pub fn original_len(&self) -> usize {
        self.original_len
    }

    /// Absolute byte range of the original text this string covers (HF's `offsets_original`).
    pub fn original_offsets(&self) -> Range<usize> {
        self.base..self.base + self.original_len
    }

    /// Whether the normalized text is still byte-for-byte the original one with identity
    /// alignments (no transformation changed anything).
    pub fn is_identity(&self) -> bool {
        self.align.is_none()
    }

    /// Alignment of normalized byte `i` (relative original range), `None` past the end.
    fn align_at(&self, i: usize) -> Option<(usize, usize)> {
        match &self.align {
            Some(a) => a.get(i).copied(),
            None if i < self.normalized.len() => Some(char_range_at(&self.normalized, i)),
            None => None,
        }
    }

    /// The alignment vector, built now if the string was still identity.
    fn align_mut(&mut self) -> &mut Vec<(usize, usize)> {
        let s = &self.normalized;
        self.align.get_or_insert_with(|| identity_alignments(s))
    }

    /// Per normalized byte, the original range relative to the start of this string (HF's
    /// `alignments`); builds the vector (for tests and tools).
    pub fn alignments(&self) -> Vec<(usize, usize)> {
        match &self.align {
            Some(a) => a.clone(),
            None => identity_alignments(&self.normalized),
        }
    }

    /// Normalized byte range → original byte range relative to this string (HF's
    /// `convert_offsets(Range::Normalized(..))`): an empty range is returned unchanged, a range
    /// past the end gives `None`.
    pub fn convert_normalized(&self, r: Range<usize>) -> Option<Range<usize>> {
        if r.start == r.end {
            return Some(r);
        }
        if r.start > r.end || r.end > self.normalized.len() {
            return None;
        }
        let first = self.align_at(r.start)?;
        let last = self.align_at(r.end - 1)?;
        Some(first.0..last.1)
    }

    /// Normalized byte range → ABSOLUTE original byte range (what token offsets are made of):
    /// HF's `convert_offsets` plus the string's position in the input. Like HF, an empty range
    /// comes back as the same (empty) range shifted by the start of this string.
    pub fn original_range(&self, r: Range<usize>) -> Option<Range<usize>> {
        self.convert_normalized(r).map(|o| self.base + o.start..self.base + o.end)
    }

    /// Original byte range (relative) → normalized byte range (HF's
    /// `convert_offsets(Range::Original(..))`).
    pub fn convert_original(&self, r: Range<usize>) -> Option<Range<usize>> {
        if r.start == r.end {
            return Some(r);
        }
        if r.start > r.end {
            return None;
        }
        if self.align.is_none() {
            return (r.end <= self.normalized.len()).then_some(r);
        }
        let align = self.align.as_deref().unwrap_or(&[]);
        let (mut start, mut end) = (None, None);
        for (i, &(a, b)) in align.iter().enumerate() {
            if r.end < b {
                break;
            }
            if start.is_none() && r.start <= a && a != b {
                start = Some(i);
            }
            end = Some(i + 1);
        }
        match (start, end) {
            (Some(s), None) => Some(s..s),
            (None, Some(e)) => Some(e..e),
            (Some(s), Some(e)) => Some(s..e),
            (None, None) => None,
        }
    }

    /// Replaces the normalized bytes `range` by the chars of `dest` (HF's `transform_range`).
    /// Each produced char comes with a change: `0` replaces the next char of the range, `1` is
    /// inserted (aligned like the char before it), `-n` replaces the next char and removes the
    /// `n` after it. `initial_offset` chars at the start of the range are removed first.
    pub fn transform_range(
        &mut self,
        range: Range<usize>,
        dest: impl IntoIterator<Item = (char, isize)>,
        initial_offset: usize,
    ) {
        if range.start > range.end
            || range.end > self.normalized.len()
            || !self.normalized.is_char_boundary(range.start)
            || !self.normalized.is_char_boundary(range.end)
        {
            return;
        }
        self.align_mut();
        let align = self.align.as_deref().unwrap_or(&[]);
        let mut old = self.normalized[range.clone()].chars();
        let removed_first: usize = old.by_ref().take(initial_offset).map(char::len_utf8).sum();
        let mut offset = range.start + removed_first;
        let mut new_text = String::with_capacity(range.len());
        let mut new_align = Vec::with_capacity(range.len());
        for (c, change) in dest {
            let a = if change > 0 {
                if offset == 0 {
                    (0, 0)
                } else {
                    align[offset - 1]
                }
            } else {
                // A malformed transformation (more replacements than chars) must not panic:
                // extra chars borrow the alignment of the last byte.
                align.get(offset).or(align.last()).copied().unwrap_or((0, 0))
            };
            if change <= 0 {
                offset += old.next().map_or(0, char::len_utf8);
            }
            if change < 0 {
                offset += old.by_ref().take(change.unsigned_abs()).map(char::len_utf8).sum::<usize>();
            }
            new_align.extend(std::iter::repeat_n(a, c.len_utf8()));
            new_text.push(c);
        }
        if let Some(v) = self.align.as_mut() {
            v.splice(range.clone(), new_align);
        }
        self.normalized.replace_range(range, &new_text);
    }

    /// Transforms the whole string (HF's `transform`, i.e. over `Range::Original(..)`).
    pub fn transform(&mut self, dest: impl IntoIterator<Item = (char, isize)>, initial_offset: usize) {
        let Some(r) = self.convert_original(0..self.original_len) else { return };
        // `convert_original` of an empty original is the empty range at 0 (HF does the same).
        self.transform_range(r, dest, initial_offset)
    }

    /// Maps every char through `f`. Same-length results are written in place (alignments
    /// unchanged, as the general transform would leave them); otherwise a full transform.
    pub fn map(&mut self, f: impl Fn(char) -> char) {
        if self.normalized.chars().all(|c| f(c).len_utf8() == c.len_utf8()) {
            let mut out = String::with_capacity(self.normalized.len());
            out.extend(self.normalized.chars().map(&f));
            self.normalized = out;
        } else {
            let t: Vec<(char, isize)> = self.normalized.chars().map(|c| (f(c), 0)).collect();
            self.transform(t, 0);
        }
    }

    /// Replaces every char by the chars `f` appends (at least one): all of them take the
    /// source char's alignment. This is what `transform` computes for the changes
    /// `[(c0, 0), (c1, 1), ...]` per char (the first replaces, the others are inserted after it
    /// and copy the alignment of the byte before, which is the same char's), in one pass.
    pub fn expand_chars(&mut self, mut f: impl FnMut(char, &mut String)) {
        let old = std::mem::take(&mut self.normalized);
        let old_align = self.align.take();
        let mut text = String::with_capacity(old.len() + old.len() / 2);
        let mut align = Vec::with_capacity(old.len() + old.len() / 2);
        for (b, c) in old.char_indices() {
            let a = match &old_align {
                Some(v) => v[b],
                None => (b, b + c.len_utf8()),
            };
            let before = text.len();
            f(c, &mut text);
            align.extend(std::iter::repeat_n(a, text.len() - before));
        }
        self.normalized = text;
        self.align = Some(align);
    }

    /// Keeps only the chars for which `keep` holds.
    pub fn filter(&mut self, keep: impl Fn(char) -> bool) {
        if self.normalized.chars().all(&keep) {
            return;
        }
        // Built back to front so that each kept char carries the removal of the chars after it.
        let mut removed = 0isize;
        let mut rev: Vec<(char, isize)> = Vec::with_capacity(self.normalized.len());
        for c in self.normalized.chars().rev() {
            if keep(c) {
                rev.push((c, -removed));
                removed = 0;
            } else {
                removed += 1;
            }
        }
        rev.reverse();
        self.transform(rev, removed as usize);
    }

    /// Puts `s` before the text (no-op on an empty string, as HF).
    pub fn prepend(&mut self, s: &str) {
        let Some(next) = self.normalized.chars().next() else { return };
        let t: Vec<(char, isize)> =
            s.chars().enumerate().map(|(i, c)| (c, if i == 0 { 0 } else { 1 })).chain([(next, 1)]).collect();
        self.transform_range(0..next.len_utf8(), t, 0);
    }

    /// Puts `s` after the text (no-op on an empty string, as HF).
    pub fn append(&mut self, s: &str) {
        let Some((b, prev)) = self.normalized.char_indices().next_back() else { return };
        let t: Vec<(char, isize)> = std::iter::once((prev, 0)).chain(s.chars().map(|c| (c, 1))).collect();
        let end = self.normalized.len();
        self.transform_range(b..end, t, 0);
    }

    /// Unicode lowercase (Rust's `char::to_lowercase`, as HF).
    pub fn lowercase(&mut self) {
        if self.normalized.is_ascii() {
            // ASCII lowercasing keeps lengths: in place, alignments unchanged.
            self.normalized.make_ascii_lowercase();
            return;
        }
        self.case_map(|c, out| out.extend(c.to_lowercase()));
    }

    /// Unicode uppercase.
    pub fn uppercase(&mut self) {
        if self.normalized.is_ascii() {
            self.normalized.make_ascii_uppercase();
            return;
        }
        self.case_map(|c, out| out.extend(c.to_uppercase()));
    }

    /// Case mapping (one char → one or more chars, HF's changes `[(c0, 0), (c1, 1), ...]`).
    fn case_map(&mut self, f: impl Fn(char, &mut Vec<char>)) {
        let mut buf = Vec::with_capacity(3);
        let same_shape = self.normalized.chars().all(|c| {
            buf.clear();
            f(c, &mut buf);
            buf.len() == 1 && buf[0].len_utf8() == c.len_utf8()
        });
        if same_shape {
            // Same lengths: alignments unchanged, only the text is rewritten.
            let mut out = String::with_capacity(self.normalized.len());
            for c in self.normalized.chars() {
                buf.clear();
                f(c, &mut buf);
                out.extend(buf.iter());
            }
            self.normalized = out;
        } else {
            self.expand_chars(|c, out| {
                buf.clear();
                f(c, &mut buf);
                out.extend(buf.iter());
            });
        }
    }

    /// Replaces every match of `pattern` by `content` (HF's `replace`).
    ///
    /// HF runs one `transform_range` per match (quadratic on texts with many matches); this is
    /// the same result in one pass: a match's chars are removed and each char of `content` is an
    /// insertion, so it takes the alignment of the byte before the match's end (the last char
    /// of the match, or for an empty match the char before it; `(0, 0)` at the very start).
    pub fn replace(&mut self, pattern: impl Pattern, content: &str) {
        let mut pieces = Vec::new();
        pattern.find_matches(&self.normalized, &mut pieces);
        if !pieces.iter().any(|p| p.2) {
            return;
        }
        self.align_mut();
        let old_align = self.align.take().unwrap_or_default();
        let old = std::mem::take(&mut self.normalized);
        let mut text = String::with_capacity(old.len());
        let mut align = Vec::with_capacity(old_align.len());
        for &(s, e, m) in &pieces {
            if !m {
                text.push_str(&old[s..e]);
                align.extend_from_slice(&old_align[s..e]);
                continue;
            }
            let a = if e == 0 { (0, 0) } else { old_align[e - 1] };
            text.push_str(content);
            align.extend(std::iter::repeat_n(a, content.len()));
        }
        self.normalized = text;
        self.align = Some(align);
    }

    /// Removes everything (HF's `clear`); returns the removed byte length.
    pub fn clear(&mut self) -> usize {
        let len = self.normalized.len();
        let n = self.normalized.chars().count();
        self.transform(std::iter::empty(), n);
        len
    }

    pub fn lstrip(&mut self) {
        self.strip_sides(true, false)
    }

    pub fn rstrip(&mut self) {
        self.strip_sides(false, true)
    }

    pub fn strip(&mut self) {
        self.strip_sides(true, true)
    }

    /// Removes leading and/or trailing whitespace (`char::is_whitespace`).
    pub fn strip_sides(&mut self, left: bool, right: bool) {
        let s = &self.normalized;
        let lead = if left { s.chars().take_while(|c| c.is_whitespace()).count() } else { 0 };
        let trail = if right { s.chars().rev().take_while(|c| c.is_whitespace()).count() } else { 0 };
        if lead == 0 && trail == 0 {
            return;
        }
        let n = s.chars().count();
        let t: Vec<(char, isize)> = s
            .chars()
            .enumerate()
            .filter_map(|(i, c)| {
                if i < lead || i + trail >= n {
                    None
                } else if i + trail + 1 == n {
                    Some((c, -(trail as isize)))
                } else {
                    Some((c, 0))
                }
            })
            .collect();
        self.transform(t, lead);
    }

    /// Canonical decomposition (NFD).
    pub fn nfd(&mut self) {
        super::unicode_forms::apply(self, super::unicode_forms::Form::Nfd)
    }

    /// Compatibility decomposition (NFKD).
    pub fn nfkd(&mut self) {
        super::unicode_forms::apply(self, super::unicode_forms::Form::Nfkd)
    }

    /// Canonical composition (NFC).
    pub fn nfc(&mut self) {
        super::unicode_forms::apply(self, super::unicode_forms::Form::Nfc)
    }

    /// Compatibility composition (NFKC).
    pub fn nfkc(&mut self) {
        super::unicode_forms::apply(self, super::unicode_forms::Form::Nfkc)
    }

    /// The part of the string whose normalized bytes are `r` (HF's `slice(Range::Normalized)`):
    /// `None` if `r` is out of bounds or not on char boundaries.
    pub fn slice(&self, r: Range<usize>) -> Option<NormalizedString> {
        if r.start > r.end
            || r.end > self.normalized.len()
            || !self.normalized.is_char_boundary(r.start)
            || !self.normalized.is_char_boundary(r.end)
        {
            return None;
        }
        let orig = self.convert_normalized(r.clone())?;
        let shift = orig.start;
        // Saturating: a char aligned before the slice's start (only odd transformations make
        // one) must not underflow; HF would wrap around there.
        let align = self
            .align
            .as_ref()
            .map(|a| a[r.clone()].iter().map(|&(s, e)| (s.saturating_sub(shift), e.saturating_sub(shift))).collect());
        Some(NormalizedString {
            normalized: self.normalized[r].to_string(),
            align,
            original_len: orig.end.saturating_sub(orig.start),
            base: self.base + shift,
        })
    }

    /// Splits on `pattern`, keeping delimiters per `behavior` (HF's `split`). Empty pieces are
    /// returned too; `PreTokenizedString::split` drops them.
    pub fn split(&self, pattern: impl Pattern, behavior: SplitBehavior) -> Vec<NormalizedString> {
        let mut pieces = Vec::new();
        pattern.find_matches(&self.normalized, &mut pieces);
        let mut ranges = Vec::new();
        split_ranges(&pieces, behavior, &mut ranges);
        ranges.into_iter().filter_map(|(s, e)| self.slice(s..e)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(s: &str) -> NormalizedString {
        NormalizedString::new(s, 0)
    }

    #[test]
    fn nfd_adds_chars_aligned_to_their_source() {
        let mut n = ns("élégant");
        n.nfd();
        assert_eq!(
            n.alignments(),
            [(0, 2), (0, 2), (0, 2), (2, 3), (3, 5), (3, 5), (3, 5), (5, 6), (6, 7), (7, 8), (8, 9)]
        );
        n.filter(|c| !super::super::char_class::is_combining_mark(c));
        assert_eq!(n.normalized(), "elegant");
        assert_eq!(n.alignments(), [(0, 2), (2, 3), (3, 5), (5, 6), (6, 7), (7, 8), (8, 9)]);
    }

    #[test]
    fn filter_removes_and_keeps_offsets() {
        let mut n = ns("élégant");
        n.filter(|c| c != 'n');
        assert_eq!(n.normalized(), "élégat");
        assert_eq!(n.alignments(), [(0, 2), (0, 2), (2, 3), (3, 5), (3, 5), (5, 6), (6, 7), (8, 9)]);
    }

    #[test]
    fn range_conversion() {
        let mut n = ns("    __Hello__   ");
        n.filter(|c| !c.is_whitespace());
        n.lowercase();
        assert_eq!(n.normalized(), "__hello__");
        assert_eq!(n.convert_original(6..11), Some(2..7));
        assert_eq!(n.convert_normalized(2..7), Some(6..11));
        assert_eq!(n.original_range(2..7), Some(6..11));
        assert_eq!(n.convert_normalized(3..3), Some(3..3));
        assert_eq!(n.convert_normalized(3..30), None);
    }

    #[test]
    fn absolute_offsets_and_slices() {
        let n = NormalizedString::new("ab cd", 100);
        let parts = n.split(' ', SplitBehavior::Removed);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1].normalized(), "cd");
        assert_eq!(parts[1].original_offsets(), 103..105);
        assert_eq!(parts[1].original_range(1..2), Some(104..105));
        assert!(parts[1].is_identity());
    }

    #[test]
    fn prepend_append_replace_strip() {
        let mut n = ns("  hi there ");
        n.strip();
        assert_eq!(n.normalized(), "hi there");
        assert_eq!(n.original_range(0..2), Some(2..4));
        n.replace(' ', "▁");
        n.prepend("▁");
        n.append("!");
        assert_eq!(n.normalized(), "▁hi▁there!");
        // The prepended char takes the first char's alignment, the appended one the last's.
        assert_eq!(n.original_range(0..3), Some(2..3));
        assert_eq!(n.original_range(5..8), Some(4..5));
        assert_eq!(n.original_range(13..14), Some(9..10));
    }

    #[test]
    fn lowercase_non_ascii_growth() {
        let mut n = ns("İa");
        n.lowercase();
        assert_eq!(n.normalized(), "i\u{307}a");
        assert_eq!(n.original_range(0..3), Some(0..2));
        assert_eq!(n.original_range(3..4), Some(2..3));
    }

    #[test]
    fn clear_and_slice_bounds() {
        let mut n = ns("abc");
        assert!(n.slice(1..5).is_none());
        assert_eq!(n.clear(), 3);
        assert_eq!(n.normalized(), "");
        let n = ns("é");
        assert!(n.slice(1..2).is_none());
    }
}
