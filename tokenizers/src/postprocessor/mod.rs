//! Post-processors: what Hugging Face does after the model — add special tokens around one sequence
//! or a pair, set type ids and sequence ranges, trim byte-level offsets — and [`post_process`], the
//! whole truncate → process → pad step of `Tokenizer.encode`.

pub mod bert;
pub mod byte_level;
pub mod roberta;
pub mod sequence;
pub mod template;

use serde::{Deserialize, Serialize};

pub use bert::BertProcessing;
pub use byte_level::{trim_offsets, ByteLevelProcessing};
pub use roberta::RobertaProcessing;
pub use sequence::SequenceProcessing;
pub use template::{Piece, SequenceId, SpecialToken, Template, TemplateProcessing};

use crate::encoding::Encoding;
use crate::error::Result;
use crate::padding::{pad_encodings, PaddingParams};
use crate::truncation::{truncate_encodings, TruncationParams};

/// One post-processing step.
pub trait PostProcess {
    /// How many tokens `process` adds to a single sequence or a pair (for truncation).
    fn added_tokens(&self, is_pair: bool) -> usize;

    /// Transforms the (one or two) encodings; the caller merges the result.
    fn process_encodings(&self, encodings: Vec<Encoding>, add_special_tokens: bool) -> Result<Vec<Encoding>>;

    /// Marks the sequences 0 and 1, processes them and merges the pieces into one encoding.
    fn process(&self, encoding: Encoding, pair: Option<Encoding>, add_special_tokens: bool) -> Result<Encoding> {
        merge_processed(self, encoding, pair, add_special_tokens)
    }
}

/// [`PostProcess::process`]'s general way (processors with an in-place shortcut fall back to it).
pub(crate) fn merge_processed<P: PostProcess + ?Sized>(
    processor: &P,
    encoding: Encoding,
    pair: Option<Encoding>,
    add_special_tokens: bool,
) -> Result<Encoding> {
    let mut encodings = Vec::with_capacity(2);
    encodings.push(encoding);
    encodings.extend(pair);
    for (i, e) in encodings.iter_mut().enumerate() {
        e.set_sequence_id(i);
    }
    let pieces = processor.process_encodings(encodings, add_special_tokens)?;
    Ok(Encoding::merge(pieces, false))
}

/// Any `tokenizer.json` `"post_processor"`, in Hugging Face's JSON shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum PostProcessor {
    TemplateProcessing(TemplateProcessing),
    BertProcessing(BertProcessing),
    RobertaProcessing(RobertaProcessing),
    ByteLevel(ByteLevelProcessing),
    Sequence(SequenceProcessing),
}

impl PostProcessor {
    /// True when processing one sequence only puts special tokens around it and sets type ids
    /// and sequence ranges — the same for any tokens — so its effect can be taken from one
    /// token's encoding ([`crate::tokenizer::compact`]). Offset trimming reads the token strings.
    pub fn frames_only(&self) -> bool {
        match self {
            PostProcessor::TemplateProcessing(_) | PostProcessor::BertProcessing(_) => true,
            PostProcessor::RobertaProcessing(p) => !p.trim_offsets,
            PostProcessor::ByteLevel(p) => !p.trim_offsets,
            PostProcessor::Sequence(p) => p.processors.iter().all(PostProcessor::frames_only),
        }
    }
}

impl PostProcess for PostProcessor {
    fn added_tokens(&self, is_pair: bool) -> usize {
        match self {
            PostProcessor::TemplateProcessing(p) => p.added_tokens(is_pair),
            PostProcessor::BertProcessing(p) => p.added_tokens(is_pair),
            PostProcessor::RobertaProcessing(p) => p.added_tokens(is_pair),
            PostProcessor::ByteLevel(p) => p.added_tokens(is_pair),
            PostProcessor::Sequence(p) => p.added_tokens(is_pair),
        }
    }

    fn process(&self, encoding: Encoding, pair: Option<Encoding>, add_special_tokens: bool) -> Result<Encoding> {
        match self {
            // The one with an in-place shortcut.
            PostProcessor::TemplateProcessing(p) => p.process(encoding, pair, add_special_tokens),
            _ => merge_processed(self, encoding, pair, add_special_tokens),
        }
    }

    fn process_encodings(&self, encodings: Vec<Encoding>, add_special_tokens: bool) -> Result<Vec<Encoding>> {
        match self {
            PostProcessor::TemplateProcessing(p) => p.process_encodings(encodings, add_special_tokens),
            PostProcessor::BertProcessing(p) => p.process_encodings(encodings, add_special_tokens),
            PostProcessor::RobertaProcessing(p) => p.process_encodings(encodings, add_special_tokens),
            PostProcessor::ByteLevel(p) => p.process_encodings(encodings, add_special_tokens),
            PostProcessor::Sequence(p) => p.process_encodings(encodings, add_special_tokens),
        }
    }
}

/// What a tokenizer without a post-processor does: a pair is marked as sequences 0 and 1 and merged;
/// a single encoding is returned as is.
pub fn default_process(encoding: Encoding, pair: Option<Encoding>) -> Encoding {
    match pair {
        None => encoding,
        Some(mut pair) => {
            // Unlike `set_sequence_id`, only the encodings themselves are marked, not their
            // overflowing windows: HF 0.23 reports `None` sequence ids for an unmarked window here.
            let mut encoding = encoding;
            encoding.sequence_ranges.insert(0, 0..encoding.len());
            pair.sequence_ranges.insert(1, 0..pair.len());
            Encoding::merge([encoding, pair], false)
        }
    }
}

/// Hugging Face's `Tokenizer::post_process`: truncate (leaving room for the special tokens the
/// processor adds when `add_special_tokens`), post-process (or [`default_process`]), then pad.
pub fn post_process(
    processor: Option<&PostProcessor>,
    truncation: Option<&TruncationParams>,
    padding: Option<&PaddingParams>,
    encoding: Encoding,
    pair: Option<Encoding>,
    add_special_tokens: bool,
) -> Result<Encoding> {
    let (encoding, pair) = match truncation {
        Some(trunc) => {
            let added = processor.map_or(0, |p| p.added_tokens(pair.is_some()));
            if add_special_tokens && added > 0 {
                match trunc.max_length.checked_sub(added) {
                    Some(max_length) => truncate_encodings(encoding, pair, &TruncationParams { max_length, ..*trunc })?,
                    // HF computes `max_length - added` unchecked; in its release builds the
                    // subtraction wraps to a huge limit, i.e. nothing is truncated.
                    None => (encoding, pair),
                }
            } else {
                truncate_encodings(encoding, pair, trunc)?
            }
        }
        None => (encoding, pair),
    };
    let encoding = match processor {
        Some(p) => p.process(encoding, pair, add_special_tokens)?,
        None => default_process(encoding, pair),
    };
    Ok(match padding {
        Some(params) => {
            let mut one = [encoding];
            pad_encodings(&mut one, params);
            let [encoding] = one;
            encoding
        }
        None => encoding,
    })
}

/// An encoding of special tokens only (type `type_id`, special mask 1, offsets (0, 0), no word).
pub(crate) fn special_encoding(ids: &[u32], tokens: &[String], type_id: u32) -> Encoding {
    let n = ids.len();
    Encoding {
        ids: ids.to_vec(),
        type_ids: vec![type_id; n],
        tokens: tokens.iter().collect(),
        words: vec![None; n],
        offsets: vec![(0, 0); n],
        special_tokens_mask: vec![1; n],
        attention_mask: vec![1; n],
        ..Encoding::default()
    }
}

/// `before + encoding + after` with `encoding`'s tokens as sequence `seq`, and the same for each
/// overflowing window (Bert/Roberta style wrapping). `type_id` replaces the sequence's type ids.
/// Specials are `(token, id, type_id)`. Done in place (see [`Encoding::surround`]).
pub(crate) fn wrap(
    encoding: Encoding,
    before: Option<(&str, u32, u32)>,
    after: (&str, u32, u32),
    seq: usize,
    type_id: Option<u32>,
) -> Encoding {
    let mut encoding = encoding;
    let overflowing = encoding.take_overflowing();
    let len = encoding.len();
    if let Some(t) = type_id {
        encoding.set_type_ids(t);
    }
    // The sequence's own tokens are ordinary and attended, whatever they were marked before.
    encoding.special_tokens_mask.fill(0);
    encoding.attention_mask.fill(1);
    encoding.sequence_ranges.clear();
    encoding.sequence_ranges.insert(seq, 0..len);
    let before = before.map(|(tok, id, type_id)| (id, tok, type_id));
    encoding.surround(before.as_slice(), &[(after.1, after.0, after.2)]);
    encoding.overflowing = overflowing
        .into_iter()
        .map(|o| wrap(o, before.map(|(id, tok, ty)| (tok, id, ty)), after, seq, type_id))
        .collect();
    encoding
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_type_is_named() {
        let err = serde_json::from_str::<PostProcessor>(r#"{"type":"Nope"}"#).unwrap_err().to_string();
        assert!(err.contains("Nope"), "{err}");
    }

    #[test]
    fn sequence_of_processors_round_trips() {
        let json = r#"{"type":"Sequence","processors":[{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":true},{"type":"BertProcessing","sep":["[SEP]",102],"cls":["[CLS]",101]}]}"#;
        let p: PostProcessor = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), json);
        assert_eq!(p.added_tokens(false), 2);
        assert_eq!(p.added_tokens(true), 3);
    }
}
