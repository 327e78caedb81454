//! Concatenating encodings (a post-processor's pieces, or a pair), overflowing windows included:
//! every window of one side is combined with the other side and each of its windows, in Hugging
//! Face's order.

use super::Encoding;

impl Encoding {
    /// Concatenates `encodings` in order. With `growing_offsets`, each one's offsets continue after
    /// the previous one's last end.
    pub fn merge<I: IntoIterator<Item = Encoding>>(encodings: I, growing_offsets: bool) -> Encoding {
        // Sized once: a template puts a one-token [CLS] piece first, and growing from it would
        // reallocate and copy the long sequence's vectors several times.
        let mut encodings: Vec<Encoding> = encodings.into_iter().collect();
        if encodings.len() == 1 {
            // Merging one encoding into nothing gives it back unchanged: no copy.
            return encodings.pop().unwrap_or_default();
        }
        let mut out = Encoding::with_capacity(encodings.iter().map(Encoding::len).sum());
        for e in encodings {
            out.merge_with(e, growing_offsets);
        }
        out
    }

    /// Appends `pair` to `self`. Overflowing windows combine as Hugging Face does: each of ours with
    /// `pair` and then with each of `pair`'s windows, then ourselves with each of `pair`'s windows.
    pub fn merge_with(&mut self, pair: Encoding, growing_offsets: bool) {
        let mut overflowing = Vec::with_capacity((self.overflowing.len() + 1) * (pair.overflowing.len() + 1) - 1);
        for mine in &self.overflowing {
            let mut joined = mine.clone();
            joined.merge_with(pair.clone(), growing_offsets);
            overflowing.push(joined);
            for theirs in &pair.overflowing {
                let mut joined = mine.clone();
                joined.merge_with(theirs.clone(), growing_offsets);
                overflowing.push(joined);
            }
        }
        for theirs in &pair.overflowing {
            // `self` still carries its own windows here, so they nest (Hugging Face does the same).
            let mut joined = self.clone();
            joined.merge_with(theirs.clone(), growing_offsets);
            overflowing.push(joined);
        }

        let base = self.len();
        for (seq, range) in pair.sequence_ranges {
            self.sequence_ranges.insert(seq, base + range.start..base + range.end);
        }
        self.ids.extend(pair.ids);
        self.type_ids.extend(pair.type_ids);
        self.tokens.extend_from(&pair.tokens);
        self.words.extend(pair.words);
        let shift = if growing_offsets { self.offsets.last().map_or(0, |o| o.1) } else { 0 };
        self.offsets.extend(pair.offsets.into_iter().map(|(s, e)| (s + shift, e + shift)));
        self.special_tokens_mask.extend(pair.special_tokens_mask);
        self.attention_mask.extend(pair.attention_mask);
        self.overflowing = overflowing;
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::seq;
    use super::*;

    /// The single-encoding shortcut gives what appending it to an empty encoding gives.
    #[test]
    fn merging_one_is_identity() {
        let mut e = seq(3, 1);
        e.set_sequence_id(0);
        let mut w = seq(2, 1);
        w.overflowing.push(seq(1, 0));
        e.overflowing.push(w);
        let mut slow = Encoding::default();
        slow.merge_with(e.clone(), false);
        assert_eq!(Encoding::merge([e.clone()], false), slow);
        assert_eq!(Encoding::merge([e.clone()], true), e);
    }

    #[test]
    fn merges_pairs_and_ranges() {
        let mut a = seq(2, 0);
        a.set_sequence_id(0);
        let mut b = seq(1, 1);
        b.set_sequence_id(1);
        let m = Encoding::merge([a, b], false);
        assert_eq!(m.ids, vec![10, 11, 10]);
        assert_eq!(m.type_ids, vec![0, 0, 1]);
        assert_eq!(m.sequence_ids(), vec![Some(0), Some(0), Some(1)]);
        assert_eq!(m.n_sequences(), 2);
        assert_eq!(m.offsets, vec![(0, 1), (2, 3), (0, 1)]);
    }

    #[test]
    fn growing_offsets_shift() {
        let m = Encoding::merge([seq(2, 0), seq(2, 0)], true);
        assert_eq!(m.offsets, vec![(0, 1), (2, 3), (3, 4), (5, 6)]);
    }

    #[test]
    fn overflowing_windows_cross() {
        let mut a = seq(2, 0);
        a.overflowing = vec![seq(1, 0)];
        let mut b = seq(1, 1);
        b.overflowing = vec![seq(2, 1)];
        let m = Encoding::merge([a, b], false);
        // ours×pair, ours×pair's window, self×pair's window
        let lens: Vec<usize> = m.overflowing.iter().map(|o| o.len()).collect();
        assert_eq!(lens, vec![2, 3, 4]);
        let nested: Vec<Vec<usize>> =
            m.overflowing.iter().map(|o| o.overflowing.iter().map(|n| n.len()).collect()).collect();
        assert_eq!(nested, vec![vec![3], vec![], vec![3]]);
    }
}
