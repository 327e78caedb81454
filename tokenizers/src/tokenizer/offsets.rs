//! Byte offsets → char offsets, exactly as HF's `BytesToCharOffsetConverter`: every byte maps to
//! the index of the char containing it; an end offset equal to the text length maps past the
//! last char; offsets it cannot map stay in bytes, as in HF.

/// Converts byte offsets of one text to char offsets.
pub struct CharOffsets {
    /// Char index of the char containing each byte; empty when the text is ASCII (identity).
    at: Vec<u32>,
}

impl CharOffsets {
    pub fn new(text: &str) -> Self {
        if text.is_ascii() {
            return CharOffsets { at: Vec::new() };
        }
        let mut at = Vec::with_capacity(text.len());
        for (n, c) in text.chars().enumerate() {
            at.extend(std::iter::repeat_n(n as u32, c.len_utf8()));
        }
        CharOffsets { at }
    }

    /// HF's `convert`: `(start, end)` in bytes → chars; offsets outside the text stay as given.
    pub fn convert(&self, (s, e): (usize, usize)) -> (usize, usize) {
        if self.at.is_empty() {
            return (s, e);
        }
        match (self.at.get(s), self.at.get(e)) {
            (Some(&a), Some(&b)) => (a as usize, b as usize),
            // The end is the text length (or past it): one past the char of the last byte.
            (Some(&a), None) => {
                let last = e.checked_sub(1).and_then(|i| self.at.get(i)).map_or(a + 1, |&l| l + 1);
                (a as usize, last as usize)
            }
            // HF keeps such offsets (e.g. an empty range at the very end) in bytes.
            _ => (s, e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_as_hf() {
        let c = CharOffsets::new("aé€b"); // bytes: a(0) é(1..3) €(3..6) b(6)
        assert_eq!(c.convert((0, 1)), (0, 1));
        assert_eq!(c.convert((1, 3)), (1, 2));
        assert_eq!(c.convert((1, 7)), (1, 4));
        // An end inside a char maps to that char (not widened).
        assert_eq!(c.convert((1, 2)), (1, 1));
        assert_eq!(CharOffsets::new("abc").convert((1, 3)), (1, 3));
    }
}
