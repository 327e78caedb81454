//! The result of encoding one text with offsets, as Hugging Face's `Encoding` presents it.

/// Ids plus what a user needs to map them back onto the input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Encoding {
    pub ids: Vec<u32>,
    /// Token strings (byte-level alphabet for byte-level BPE, e.g. `"Ġworld"`).
    pub tokens: Vec<String>,
    /// Byte offsets `(start, end)` into the input text.
    pub byte_offsets: Vec<(usize, usize)>,
    /// Char offsets (what Python sees), derived from `byte_offsets`.
    pub offsets: Vec<(usize, usize)>,
    pub type_ids: Vec<u32>,
    pub attention_mask: Vec<u32>,
    pub special_tokens_mask: Vec<u32>,
}

impl Encoding {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// Maps byte offsets in `text` to char offsets. A range that starts or ends inside a multi-byte
/// char widens to the whole char, as Hugging Face's byte-level alignment does.
pub fn byte_to_char_offsets(text: &str, byte_offsets: &[(usize, usize)]) -> Vec<(usize, usize)> {
    if text.is_ascii() {
        return byte_offsets.to_vec();
    }
    // char index of the char containing each byte; one extra slot for the end.
    let mut at = vec![0usize; text.len() + 1];
    let mut n = 0;
    for (i, c) in text.char_indices() {
        for slot in &mut at[i..i + c.len_utf8()] {
            *slot = n;
        }
        n += 1;
    }
    at[text.len()] = n;
    byte_offsets.iter().map(|&(s, e)| if e > s { (at[s], at[e - 1] + 1) } else { (at[s], at[s]) }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widens_partial_chars() {
        let t = "aé€b"; // bytes: a(0) é(1..3) €(3..6) b(6)
        assert_eq!(byte_to_char_offsets(t, &[(0, 1), (1, 2), (2, 4), (6, 7)]), vec![(0, 1), (1, 2), (1, 3), (3, 4)]);
    }
}
