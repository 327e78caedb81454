//! GPT-2's byte-level alphabet: every byte is shown as a printable char so that vocab files can be
//! JSON text. Bytes 33..=126, 161..=172 and 174..=255 stand for themselves; the other 68 bytes map
//! to U+0100 and up, in byte order.

use std::sync::OnceLock;

struct Tables {
    to_char: [char; 256],
    /// Indexed by codepoint (< 324).
    to_byte: [i16; 324],
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut to_char = ['\0'; 256];
        let mut to_byte = [-1i16; 324];
        let mut extra = 0u32;
        for b in 0..256u32 {
            let printable = (33..=126).contains(&b) || (161..=172).contains(&b) || (174..=255).contains(&b);
            let c = if printable {
                b
            } else {
                extra += 1;
                255 + extra
            };
            to_char[b as usize] = char::from_u32(c).unwrap();
            to_byte[c as usize] = b as i16;
        }
        Tables { to_char, to_byte }
    })
}

/// The byte-level char for a byte.
#[inline]
pub fn byte_to_char(b: u8) -> char {
    tables().to_char[b as usize]
}

/// Bytes → byte-level string (e.g. b" hi" → "Ġhi").
pub fn encode_str(bytes: &[u8]) -> String {
    let t = tables();
    bytes.iter().map(|&b| t.to_char[b as usize]).collect()
}

/// Byte-level string → bytes; `None` when a char is outside the alphabet.
pub fn decode_str(s: &str) -> Option<Vec<u8>> {
    let t = tables();
    s.chars().map(|c| t.to_byte.get(c as usize).copied().filter(|&b| b >= 0).map(|b| b as u8)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(decode_str(&encode_str(&all)).unwrap(), all);
        assert_eq!(encode_str(b" hi\n"), "\u{120}hi\u{10a}");
        assert_eq!(decode_str("<|endoftext|>").unwrap(), b"<|endoftext|>");
        assert!(decode_str("\u{4e00}").is_none());
    }
}

/// The `ByteLevel` decoder: maps byte-level chars back to bytes and the bytes to text (invalid
/// UTF-8 becomes U+FFFD). A token with a char outside the alphabet contributes its own UTF-8 bytes.
/// HF's one `ByteLevel` settings object serves the pre-tokenizer, this decoder and the others.
pub type ByteLevelDecoder = crate::pretokenizer::ByteLevel;

impl super::Decode for ByteLevelDecoder {
    fn decode_chain(&self, tokens: Vec<String>) -> crate::error::Result<Vec<String>> {
        let t = tables();
        let mut bytes = Vec::with_capacity(tokens.iter().map(|s| s.len()).sum());
        for token in &tokens {
            let start = bytes.len();
            for c in token.chars() {
                match t.to_byte.get(c as usize).copied().filter(|&b| b >= 0) {
                    Some(b) => bytes.push(b as u8),
                    None => {
                        bytes.truncate(start);
                        bytes.extend_from_slice(token.as_bytes());
                        break;
                    }
                }
            }
        }
        Ok(vec![String::from_utf8_lossy(&bytes).into_owned()])
    }
}

#[cfg(test)]
mod decoder_tests {
    use super::super::Decode;
    use super::*;

    #[test]
    fn decodes_bytes_and_foreign_tokens() {
        let d = ByteLevelDecoder::default();
        let toks = vec!["Hello".to_string(), "Ġmy".into(), "Ġfriend".into(), "Ċ".into(), "日本".into()];
        assert_eq!(d.decode(toks).unwrap(), "Hello my friend\n日本");
        // "æĹ" is the first two bytes of "日": an incomplete char becomes U+FFFD.
        assert_eq!(d.decode(vec!["æĹ".into()]).unwrap(), "\u{fffd}");
    }
}
