//! Decoders: token strings back to text, as Hugging Face's `decoders` (each step maps the list of
//! token strings to a new list; [`Decode::decode`] joins the final list). [`byte_level`] also holds
//! GPT-2's byte alphabet used by the byte-level BPE fast path.

pub mod bpe;
pub mod byte_fallback;
pub mod byte_level;
pub mod ctc;
pub mod fuse;
pub mod metaspace;
pub mod replace;
pub mod sequence;
pub mod strip;
pub mod wordpiece;

use serde::{Deserialize, Serialize};

pub use bpe::BpeDecoder;
pub use byte_fallback::ByteFallback;
pub use byte_level::ByteLevelDecoder;
pub use ctc::Ctc;
pub use fuse::Fuse;
pub use metaspace::{MetaspaceDecoder, PrependScheme};
pub use replace::{Replace, ReplacePattern};
pub use sequence::DecoderSequence;
pub use strip::Strip;
pub use wordpiece::{cleanup, WordPieceDecoder};

use crate::error::Result;

/// One decoding step.
pub trait Decode {
    /// Maps token strings to new strings (the next step's input).
    fn decode_chain(&self, tokens: Vec<String>) -> Result<Vec<String>>;

    /// The decoded text: the chain's output, concatenated.
    fn decode(&self, tokens: Vec<String>) -> Result<String> {
        Ok(self.decode_chain(tokens)?.concat())
    }
}

/// Any `tokenizer.json` `"decoder"`, in Hugging Face's JSON shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Decoder {
    ByteLevel(ByteLevelDecoder),
    WordPiece(WordPieceDecoder),
    Metaspace(MetaspaceDecoder),
    #[serde(rename = "BPEDecoder")]
    Bpe(BpeDecoder),
    ByteFallback(ByteFallback),
    Fuse(Fuse),
    Strip(Strip),
    Replace(Replace),
    #[serde(rename = "CTC")]
    Ctc(Ctc),
    Sequence(DecoderSequence),
}

impl Decode for Decoder {
    fn decode_chain(&self, tokens: Vec<String>) -> Result<Vec<String>> {
        match self {
            Decoder::ByteLevel(d) => d.decode_chain(tokens),
            Decoder::WordPiece(d) => d.decode_chain(tokens),
            Decoder::Metaspace(d) => d.decode_chain(tokens),
            Decoder::Bpe(d) => d.decode_chain(tokens),
            Decoder::ByteFallback(d) => d.decode_chain(tokens),
            Decoder::Fuse(d) => d.decode_chain(tokens),
            Decoder::Strip(d) => d.decode_chain(tokens),
            Decoder::Replace(d) => d.decode_chain(tokens),
            Decoder::Ctc(d) => d.decode_chain(tokens),
            Decoder::Sequence(d) => d.decode_chain(tokens),
        }
    }
}

/// What `Tokenizer.decode` does with the token strings: the decoder's output, or, without a
/// decoder, the tokens joined by single spaces (Hugging Face's fallback).
pub fn decode_tokens(decoder: Option<&Decoder>, tokens: Vec<String>) -> Result<String> {
    match decoder {
        Some(d) => d.decode(tokens),
        None => Ok(tokens.join(" ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_decoder_joins_with_spaces() {
        assert_eq!(decode_tokens(None, vec!["a".into(), "##b".into()]).unwrap(), "a ##b");
        let fuse = Decoder::Fuse(Fuse {});
        assert_eq!(decode_tokens(Some(&fuse), vec!["a".into(), "##b".into()]).unwrap(), "a##b");
    }

    #[test]
    fn every_shape_round_trips() {
        for json in [
            r#"{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":true}"#,
            r###"{"type":"WordPiece","prefix":"##","cleanup":true}"###,
            r#"{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true}"#,
            r#"{"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":false}"#,
            r#"{"type":"BPEDecoder","suffix":"</w>"}"#,
            r#"{"type":"ByteFallback"}"#,
            r#"{"type":"Fuse"}"#,
            r#"{"type":"Strip","content":" ","start":1,"stop":0}"#,
            r#"{"type":"Replace","pattern":{"String":"▁"},"content":" "}"#,
            r#"{"type":"Replace","pattern":{"Regex":"\\s+"},"content":" "}"#,
            r#"{"type":"CTC","pad_token":"<pad>","word_delimiter_token":"|","cleanup":true}"#,
            r#"{"type":"Sequence","decoders":[{"type":"Fuse"}]}"#,
        ] {
            let d: Decoder = serde_json::from_str(json).unwrap();
            assert_eq!(serde_json::to_string(&d).unwrap(), json);
        }
    }

    #[test]
    fn unknown_type_is_named() {
        let err = serde_json::from_str::<Decoder>(r#"{"type":"Nope"}"#).unwrap_err().to_string();
        assert!(err.contains("Nope"), "{err}");
    }
}
