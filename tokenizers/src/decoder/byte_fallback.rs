//! The `ByteFallback` decoder: runs of `<0xAB>` tokens become the text of their bytes; an invalid
//! UTF-8 run becomes one U+FFFD per byte.

use serde::{Deserialize, Serialize};

use super::Decode;
use crate::error::Result;

/// `{"type": "ByteFallback"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByteFallback {}

/// The byte of a `<0xAB>` token (parsed like Rust's `u8::from_str_radix`, as Hugging Face does).
fn byte_of(token: &str) -> Option<u8> {
    if token.len() == 6 && token.starts_with("<0x") && token.ends_with('>') {
        u8::from_str_radix(token.get(3..5)?, 16).ok()
    } else {
        None
    }
}

fn flush(bytes: &mut Vec<u8>, out: &mut Vec<String>) {
    if bytes.is_empty() {
        return;
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => out.push(s.to_string()),
        Err(_) => out.extend(std::iter::repeat_n("\u{fffd}".to_string(), bytes.len())),
    }
    bytes.clear();
}

impl Decode for ByteFallback {
    fn decode_chain(&self, tokens: Vec<String>) -> Result<Vec<String>> {
        let mut out = Vec::with_capacity(tokens.len());
        let mut bytes = Vec::new();
        for token in tokens {
            match byte_of(&token) {
                Some(b) => bytes.push(b),
                None => {
                    flush(&mut bytes, &mut out);
                    out.push(token);
                }
            }
        }
        flush(&mut bytes, &mut out);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn bytes_to_text() {
        let d = ByteFallback::default();
        assert_eq!(
            d.decode_chain(toks(&["<0x61>", "b", "<0xE5>", "<0x8F>", "<0xAB>"])).unwrap(),
            toks(&["a", "b", "叫"])
        );
        assert_eq!(d.decode_chain(toks(&["<0xE5>", "<0x8F>", "x"])).unwrap(), toks(&["\u{fffd}", "\u{fffd}", "x"]));
        assert_eq!(d.decode_chain(toks(&["<0xZZ>"])).unwrap(), toks(&["<0xZZ>"]));
    }
}
