//! Cutting one encoding to `max_len` tokens; what is cut off becomes `overflowing` windows of
//! `max_len` tokens that overlap by `stride`, walked from the kept side (Hugging Face's rules).

use serde::{Deserialize, Serialize};

use super::Encoding;
use crate::error::{Error, Result};

/// Which end truncation keeps: `Right` keeps the start and cuts the end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TruncationDirection {
    Left,
    #[default]
    Right,
}

impl Encoding {
    /// Keeps `max_len` tokens; the rest becomes overflowing windows (`stride` tokens of overlap).
    /// `max_len == 0` moves everything into one overflowing window. Errors when `stride >= max_len`
    /// (Hugging Face panics there).
    pub fn truncate(&mut self, max_len: usize, stride: usize, direction: TruncationDirection) -> Result<()> {
        let len = self.len();
        if max_len >= len {
            return Ok(());
        }
        if max_len == 0 {
            let all = std::mem::take(self);
            self.overflowing.push(all);
            return Ok(());
        }
        if stride >= max_len {
            return Err(Error::Truncation(format!(
                "`stride` must be strictly less than `max_len={max_len}` (note that `max_len` may be shorter \
                 than the max length of the original model, as it subtracts the number of special characters"
            )));
        }
        let ranges = windows(len, max_len, max_len - stride, direction);
        let mut first = self.slice(ranges[0].0..ranges[0].1);
        first.overflowing = ranges[1..].iter().map(|&(s, e)| self.slice(s..e)).collect();
        // Truncation loses the sequence ranges, as in Hugging Face.
        *self = first;
        Ok(())
    }
}

/// `[start, end)` windows of `max_len` tokens stepping by `step`, the kept one first; stops at the
/// first window that reaches the far end.
fn windows(len: usize, max_len: usize, step: usize, direction: TruncationDirection) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(len / step + 1);
    match direction {
        TruncationDirection::Right => {
            let mut start = 0;
            loop {
                let stop = (start + max_len).min(len);
                out.push((start, stop));
                if stop == len {
                    break;
                }
                start += step;
            }
        }
        TruncationDirection::Left => {
            let mut stop = len;
            loop {
                let start = stop.saturating_sub(max_len);
                out.push((start, stop));
                if start == 0 || stop <= step {
                    break;
                }
                stop -= step;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::seq;
    use super::*;

    #[test]
    fn right_windows_with_stride() {
        assert_eq!(windows(10, 4, 3, TruncationDirection::Right), vec![(0, 4), (3, 7), (6, 10)]);
        assert_eq!(windows(5, 4, 4, TruncationDirection::Right), vec![(0, 4), (4, 5)]);
    }

    #[test]
    fn left_windows_with_stride() {
        assert_eq!(windows(10, 4, 3, TruncationDirection::Left), vec![(6, 10), (3, 7), (0, 4)]);
        assert_eq!(windows(5, 4, 4, TruncationDirection::Left), vec![(1, 5), (0, 1)]);
    }

    #[test]
    fn truncate_keeps_first_window() {
        let mut e = seq(5, 0);
        e.set_sequence_id(0);
        e.truncate(2, 1, TruncationDirection::Right).unwrap();
        assert_eq!(e.ids, vec![10, 11]);
        assert!(e.sequence_ranges.is_empty());
        let rest: Vec<Vec<u32>> = e.overflowing.iter().map(|o| o.ids.clone()).collect();
        assert_eq!(rest, vec![vec![11, 12], vec![12, 13], vec![13, 14]]);
        assert!(seq(5, 0).truncate(2, 2, TruncationDirection::Right).is_err());
    }

    proptest::proptest! {
        /// Windows have `max_len` tokens (the last may be shorter), start at the kept end, overlap
        /// by exactly `stride`, and the last one reaches the far end.
        #[test]
        fn windows_tile_the_encoding(len in 1usize..3000, max_len in 1usize..200, stride_frac in 0.0f64..1.0, left: bool) {
            let stride = ((max_len as f64) * stride_frac) as usize % max_len;
            proptest::prop_assume!(max_len < len);
            let dir = if left { TruncationDirection::Left } else { TruncationDirection::Right };
            let w = windows(len, max_len, max_len - stride, dir);
            let (first, last) = (w[0], w[w.len() - 1]);
            if left {
                proptest::prop_assert_eq!(first, (len - max_len, len));
                proptest::prop_assert_eq!(last.0, 0);
            } else {
                proptest::prop_assert_eq!(first, (0, max_len));
                proptest::prop_assert_eq!(last.1, len);
            }
            for pair in w.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                proptest::prop_assert_eq!(a.1 - a.0, max_len);
                let overlap = if left { b.1 - a.0 } else { a.1 - b.0 };
                proptest::prop_assert_eq!(overlap, stride);
            }
        }
    }

    #[test]
    fn truncate_to_zero_overflows_everything() {
        let mut e = seq(3, 0);
        e.truncate(0, 0, TruncationDirection::Left).unwrap();
        assert!(e.is_empty());
        assert_eq!(e.overflowing.len(), 1);
        assert_eq!(e.overflowing[0].ids, vec![10, 11, 12]);
    }
}
