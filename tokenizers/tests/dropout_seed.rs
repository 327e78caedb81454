//! BPE dropout with a seed is reproducible across parallel batches: after the same `set_seed`, a
//! batch gives the same tokens on 1, 2 or 4 threads, run after run; a single `encode` repeats and
//! equals the batch's first text; other seeds, later calls and no dropout give other tokens.
//!
//! Fixtures: the general (character) BPE file with prefix/suffix, and the byte-level file (with
//! dropout it leaves the tiktoken engine for the general pipeline), both set to dropout 0.5.

use tokenmill_tokenizers::model::ModelWrapper;
use tokenmill_tokenizers::{HfTokenizer, OffsetType};

const SUFFIX: &str = include_str!("fixtures/pipeline/bpe_suffix.tokenizer.json");
const BYTE_LEVEL: &str = include_str!("fixtures/pipeline/bytelevel.tokenizer.json");

/// The fixture with `model.dropout` replaced.
fn with_dropout(json: &str, dropout: Option<f64>) -> HfTokenizer {
    let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["model"]["dropout"] = serde_json::json!(dropout);
    HfTokenizer::from_str(&v.to_string()).unwrap()
}

fn set_seed(t: &HfTokenizer, seed: u64) {
    match t.model() {
        ModelWrapper::BPE(m) => m.set_seed(seed),
        other => panic!("not BPE: {}", other.kind()),
    }
}

/// A few hundred varied texts (a fixed pseudo-random mix of words, punctuation, digits and
/// non-ASCII), many words long enough to take several merges.
fn texts() -> Vec<String> {
    let words: Vec<&str> = "the and that was with there another nothing understanding into without \
        whether ordering thread seeded tokenizer wonderful café naïve straße 3.14 x-ray it's ?!"
        .split(' ')
        .collect();
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..300)
        .map(|i| {
            let n = 1 + (next() % 24) as usize;
            let mut s = String::new();
            for j in 0..n {
                if j > 0 {
                    s.push(if next() % 7 == 0 { '\n' } else { ' ' });
                }
                s.push_str(words[(next() % words.len() as u64) as usize]);
            }
            if i % 50 == 0 {
                s.clear();
            }
            s
        })
        .collect()
}

fn batch_ids(t: &HfTokenizer, texts: &[&str], threads: usize) -> Vec<Vec<u32>> {
    t.encode_batch(texts, false, OffsetType::Char, threads).unwrap().into_iter().map(|e| e.ids).collect()
}

/// Every batch entry point, after `set_seed(seed)`, on `threads` threads.
fn all_batches(t: &HfTokenizer, texts: &[&str], seed: u64, threads: usize) -> Vec<Vec<Vec<u32>>> {
    let mut runs = Vec::new();
    set_seed(t, seed);
    runs.push(batch_ids(t, texts, threads));
    set_seed(t, seed);
    runs.push(t.encode_batch_fast(texts, false, threads).unwrap().into_iter().map(|e| e.ids).collect());
    set_seed(t, seed);
    runs.push(t.encode_ids_batch(texts, threads).unwrap());
    set_seed(t, seed);
    let compact = t.encode_batch_compact(texts, false, OffsetType::Char, threads).unwrap().expect("compact applies");
    runs.push(compact.iter().map(|e| e.ids()).collect());
    runs
}

#[test]
fn same_seed_same_batch_on_any_thread_count() {
    let owned = texts();
    let texts: Vec<&str> = owned.iter().map(String::as_str).collect();
    for json in [SUFFIX, BYTE_LEVEL] {
        let t = with_dropout(json, Some(0.5));
        assert!(!t.uses_byte_level_fast_path());
        let one = all_batches(&t, &texts, 7, 1);
        // The entry points agree with each other too: the same call, the same streams.
        assert!(one.iter().all(|r| *r == one[0]));
        for threads in [2, 4, 2, 4] {
            assert_eq!(all_batches(&t, &texts, 7, threads), one, "{threads} threads");
        }
    }
}

#[test]
fn single_encode_repeats_and_equals_the_batch_head() {
    let owned = texts();
    let texts: Vec<&str> = owned.iter().map(String::as_str).collect();
    let t = with_dropout(SUFFIX, Some(0.5));
    let text = texts[1];
    set_seed(&t, 11);
    let first = t.encode(text, false, OffsetType::Char).unwrap();
    for _ in 0..3 {
        set_seed(&t, 11);
        assert_eq!(t.encode(text, false, OffsetType::Char).unwrap(), first);
        set_seed(&t, 11);
        assert_eq!(t.encode_ids(text).unwrap(), first.ids);
        set_seed(&t, 11);
        let mut out = vec![9999];
        t.encode_ids_into(text, &mut out).unwrap();
        assert_eq!(out[1..], first.ids[..]);
    }
    set_seed(&t, 11);
    assert_eq!(batch_ids(&t, &texts[1..], 2)[0], first.ids);
    // Calls after the first draw other streams: the same text comes out differently.
    set_seed(&t, 11);
    let calls: Vec<Vec<u32>> = (0..8).map(|_| t.encode_ids(text).unwrap()).collect();
    assert!(calls[1..].iter().any(|c| *c != calls[0]), "{calls:?}");
}

#[test]
fn seeds_calls_and_dropout_change_the_tokens() {
    let owned = texts();
    let texts: Vec<&str> = owned.iter().map(String::as_str).collect();
    for json in [SUFFIX, BYTE_LEVEL] {
        let t = with_dropout(json, Some(0.5));
        set_seed(&t, 1);
        let a = batch_ids(&t, &texts, 2);
        let a_next = batch_ids(&t, &texts, 2);
        set_seed(&t, 2);
        let b = batch_ids(&t, &texts, 2);
        // Thousands of draws: equal by chance is out of the question.
        assert_ne!(a, b);
        assert_ne!(a, a_next);
        // Re-seeding restarts the calls' numbering.
        set_seed(&t, 1);
        assert_eq!((batch_ids(&t, &texts, 4), batch_ids(&t, &texts, 1)), (a.clone(), a_next));

        // No dropout: fewer tokens, and the seed plays no part.
        let plain = with_dropout(json, None);
        let p = batch_ids(&plain, &texts, 2);
        set_seed(&plain, 5);
        assert_eq!(batch_ids(&plain, &texts, 1), p);
        let count = |r: &[Vec<u32>]| r.iter().map(Vec::len).sum::<usize>();
        assert!(count(&a) > count(&p), "{} vs {}", count(&a), count(&p));
        let zero = with_dropout(json, Some(0.0));
        assert_eq!(batch_ids(&zero, &texts, 2), p);
    }
}

#[test]
fn pairs_and_pre_tokenized_inputs_are_reproducible() {
    use tokenmill_tokenizers::{EncodeInput, InputSequence};
    let owned = texts();
    let texts: Vec<&str> = owned.iter().map(String::as_str).collect();
    let t = with_dropout(SUFFIX, Some(0.5));
    let inputs: Vec<EncodeInput<'_>> = texts
        .chunks(2)
        .enumerate()
        .map(|(i, p)| {
            if i % 3 == 0 {
                EncodeInput::single(InputSequence::from(p[0].split(' ').collect::<Vec<_>>()))
            } else {
                EncodeInput::from((p[0], p[1]))
            }
        })
        .collect();
    set_seed(&t, 3);
    let one = t.encode_batch(&inputs, true, OffsetType::Byte, 1).unwrap();
    for threads in [2, 4] {
        set_seed(&t, 3);
        assert_eq!(t.encode_batch(&inputs, true, OffsetType::Byte, threads).unwrap(), one);
    }
}
