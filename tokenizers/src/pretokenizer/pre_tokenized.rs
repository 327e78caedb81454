//! `PreTokenizedString`: the input cut into splits (future "words"), each a
//! [`NormalizedString`] that still knows where it comes from in the original input. Pre-tokenizers
//! refine the splits with [`PreTokenizedString::split`]; the model then tokenizes each split.

use crate::error::Result;
use crate::normalizer::NormalizedString;
use std::ops::Range;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreTokenizedString {
    splits: Vec<NormalizedString>,
}

impl PreTokenizedString {
    /// One split holding `text` unchanged, `text` starting at byte `base` of the whole input.
    pub fn new(text: &str, base: usize) -> Self {
        Self::from_normalized(NormalizedString::new(text, base))
    }

    /// One split holding an (already normalized) string.
    pub fn from_normalized(n: NormalizedString) -> Self {
        PreTokenizedString { splits: vec![n] }
    }

    /// Several splits at once (e.g. the pieces between added tokens, each with its own base).
    pub fn from_splits(splits: Vec<NormalizedString>) -> Self {
        PreTokenizedString { splits }
    }

    /// Replaces every split `s` (its index `i`) by the pieces `f(i, s)` returns, dropping the
    /// empty ones (HF's rule). `f` must return pieces of `s` (slices), in order.
    pub fn split(&mut self, mut f: impl FnMut(usize, NormalizedString) -> Result<Vec<NormalizedString>>) -> Result<()> {
        let mut out = Vec::with_capacity(self.splits.len());
        for (i, s) in std::mem::take(&mut self.splits).into_iter().enumerate() {
            out.extend(f(i, s)?.into_iter().filter(|p| !p.is_empty()));
        }
        self.splits = out;
        Ok(())
    }

    /// Applies `f` to every split in place.
    pub fn normalize(&mut self, f: impl FnMut(&mut NormalizedString) -> Result<()>) -> Result<()> {
        self.splits.iter_mut().try_for_each(f)
    }

    pub fn splits(&self) -> &[NormalizedString] {
        &self.splits
    }

    pub fn into_splits(self) -> Vec<NormalizedString> {
        self.splits
    }

    /// Each split's normalized text with the absolute ORIGINAL byte range it covers (HF's
    /// `get_splits(OffsetReferential.ORIGINAL, OffsetType.BYTE)`).
    pub fn splits_with_offsets(&self) -> Vec<(&str, Range<usize>)> {
        self.splits.iter().map(|s| (s.normalized(), s.original_offsets())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalizer::SplitBehavior;

    #[test]
    fn split_drops_empty_pieces() {
        let mut p = PreTokenizedString::new("a  b", 10);
        p.split(|_, s| Ok(s.split(' ', SplitBehavior::Removed))).unwrap();
        assert_eq!(p.splits_with_offsets(), vec![("a", 10..11), ("b", 13..14)]);
    }
}
