//! The byte-level BPE fast path for `tokenizer.json` files that are exactly GPT-2 / cl100k style
//! (no normalizer; ByteLevel pre-tokenizer, or Split(regex, Isolated) + ByteLevel(use_regex =
//! false); a BPE model over the byte-level alphabet): the hand-written scanners and the
//! tiktoken-style [`BpeModel`](crate::model::BpeModel) replace the general pre-tokenizer and model
//! stages and give the same tokens (checked by the parity tests against HF).

use super::compact::Rec;
use super::rec_buf::RecBuf;
use super::sequence::{Sink, Split, TokenAt};
use super::{Flavor, Tokenizer};
use crate::model::cache::{self, MAX_PIECE_LEN};

/// The byte-level stages of a `tokenizer.json`, as the tiktoken engine runs them.
#[derive(Debug)]
pub struct ByteLevelFast {
    pub(crate) tok: Tokenizer,
    add_prefix_space: bool,
    keep_gaps: bool,
}

impl ByteLevelFast {
    pub(crate) fn new(tok: Tokenizer) -> Self {
        let (add_prefix_space, keep_gaps) = match tok.flavor() {
            Flavor::HuggingFace(hf) => (hf.add_prefix_space, hf.keep_gaps),
            Flavor::Tiktoken { .. } => (false, false),
        };
        ByteLevelFast { tok, add_prefix_space, keep_gaps }
    }

    /// Ids of `text` (no added tokens in it), appended to `out`: the tiktoken hot loop.
    pub(crate) fn ids_into(&self, text: &str, out: &mut Vec<u32>) {
        self.tok.encode_ordinary_into(text, out)
    }
}

/// Where [`run`] puts tokens.
enum Out<'a> {
    Recs(&'a mut RecBuf),
    Sink(&'a mut dyn Sink),
}

/// Encodes `text` (starting at byte `base` of the sequence), one word per regex piece.
pub(crate) fn run(fast: &ByteLevelFast, text: &str, base: usize, word: &mut u32, sink: &mut dyn Sink) {
    if let Some(out) = sink.ids_mut() {
        // Ids only: the tiktoken hot loop (per-thread piece cache, whole-piece lookups).
        fast.ids_into(text, out);
        return;
    }
    // HF's ByteLevel puts a space before a split not starting with one; that byte is aligned with
    // the split's first char.
    let spaced;
    let (scan, shift) = if fast.add_prefix_space && !text.starts_with(' ') && !text.is_empty() {
        spaced = format!(" {text}");
        (spaced.as_str(), 1usize)
    } else {
        (text, 0)
    };
    let first_char_len = text.chars().next().map_or(0, char::len_utf8);
    // Position in `scan` → position in `text`, the prefix byte mapping onto the first char.
    let start_of = |p: usize| p.saturating_sub(shift);
    let end_of = |p: usize| match p {
        0 => 0,
        _ if p <= shift => first_char_len,
        _ => p - shift,
    };
    let model = fast.tok.model();
    let bytes = scan.as_bytes();
    let mut ids: Vec<u32> = Vec::new();
    // The piece in the byte-level alphabet, and where each of its bytes starts there: a token's
    // string is a slice of it (the vocabulary entry is exactly that mapping of the token's bytes,
    // and reading it from a 50k+ entry vocabulary misses the cache on most tokens).
    let strings = sink.wants_strings();
    // A compact encoding takes the tokens as records (their strings are the vocabulary's).
    let direct = !strings && sink.recs_mut().is_some();
    let mut out = match sink.recs_mut() {
        Some(recs) if direct => Out::Recs(recs),
        _ => Out::Sink(sink),
    };
    let mut mapped = String::new();
    let mut mapped_at: Vec<usize> = Vec::new();
    // The per-thread piece cache is taken once for the whole text (as the ids path does), not
    // per piece: the thread-local lookup cost more than most pieces' own work.
    cache::with_cache(model.uid(), |cache| {
        let mut each = |s: usize, e: usize| {
            ids.clear();
            let piece = &bytes[s..e];
            if let Some(id) = model.whole_piece_at(bytes, s, e) {
                if let (Out::Recs(recs), 0) = (&mut out, shift) {
                    // Most pieces are one token. The splitter cuts `text` (no prefix space here) at
                    // char boundaries, so the token's alignment is the piece itself.
                    recs.push(Rec { id, start: (base + s) as u32, end: (base + e) as u32, word: *word });
                    *word += 1;
                    return;
                }
                ids.push(id);
            } else if piece.len() <= MAX_PIECE_LEN {
                if let Some(hit) = cache.get(piece) {
                    ids.extend_from_slice(hit);
                } else {
                    model.merge_at(bytes, s, e, &mut ids);
                    cache.insert(piece, &ids);
                }
            } else {
                model.merge_at(bytes, s, e, &mut ids);
            }
            mapped.clear();
            mapped_at.clear();
            if strings {
                for &b in &bytes[s..e] {
                    mapped_at.push(mapped.len());
                    mapped.push(crate::decoder::byte_level::byte_to_char(b));
                }
                mapped_at.push(mapped.len());
            }
            let mut at = s;
            for &id in &ids {
                // A single token is the whole piece; else its length is its byte string's.
                let len = if ids.len() == 1 { e - s } else { model.token_bytes(id).map_or(0, <[u8]>::len) };
                // Byte-level alignments: every byte of a char maps to the whole char, so a token
                // holding part of a char reports the whole char.
                let mut a = start_of(at);
                let mut b = end_of(at + len).max(a);
                while a > 0 && !text.is_char_boundary(a) {
                    a -= 1;
                }
                while b < text.len() && !text.is_char_boundary(b) {
                    b += 1;
                }
                match &mut out {
                    Out::Recs(recs) => {
                        recs.push(Rec { id, start: (base + a) as u32, end: (base + b) as u32, word: *word })
                    }
                    Out::Sink(sink) => {
                        // Without strings (the sink looks them up by id) every token gets the
                        // empty range.
                        let (ms, me) = if strings {
                            (mapped_at[(at - s).min(e - s)], mapped_at[(at + len - s).min(e - s)])
                        } else {
                            (0, 0)
                        };
                        sink.token(TokenAt {
                            id,
                            word: *word,
                            split: Split::Fused { piece: &mapped, offsets: (base + a, base + b) },
                            range: ms..me,
                            from_model: false,
                            vocab_string: true,
                        });
                    }
                }
                at += len;
            }
            *word += 1;
        };
        if fast.keep_gaps {
            fast.tok.splitter().for_each_isolated(scan, &mut each)
        } else {
            fast.tok.splitter().for_each_match(scan, &mut each)
        }
    })
}
