//! The runtime API against values HF tokenizers 0.23.3 gives for the same calls on
//! fixtures/pipeline/wordpiece.tokenizer.json: adding tokens with flags, vocabulary sizes,
//! id_to_token of normalized tokens, decode with and without special tokens, pre-tokenized input.

use tokenmill_tokenizers::added_vocab::hf::HfAddedToken;
use tokenmill_tokenizers::{EncodeInput, HfTokenizer, InputSequence, OffsetType};

const WP: &str = include_str!("fixtures/pipeline/wordpiece.tokenizer.json");

#[test]
fn added_tokens_at_runtime_as_hf() {
    let mut t = HfTokenizer::from_str(WP).unwrap();
    assert_eq!((t.get_vocab_size(true), t.get_vocab_size(false)), (400, 400));
    let abc = HfAddedToken { normalized: true, ..HfAddedToken::new("ÄBc", false) };
    let xyz = HfAddedToken { normalized: false, ..HfAddedToken::new("XyZ", false) };
    assert_eq!(t.add_tokens(&[abc, xyz, HfAddedToken::new("the", false)]), 3);
    let qq = HfAddedToken { normalized: true, ..HfAddedToken::new("Qq", true) };
    assert_eq!(t.add_special_tokens(&[qq, HfAddedToken::new("<X>", true)]), 2);
    assert_eq!((t.get_vocab_size(true), t.get_vocab_size(false)), (404, 400));
    let names: Vec<Option<&str>> = (400..405).map(|i| t.id_to_token(i)).collect();
    assert_eq!(names, vec![Some("abc"), Some("XyZ"), Some("qq"), Some("<X>"), None]);
    assert_eq!((t.token_to_id("ÄBc"), t.token_to_id("the")), (Some(400), Some(93)));

    let e = t.encode("x äbc ÄBC XyZ xyz qq <X> the", true, OffsetType::Char).unwrap();
    assert_eq!(e.ids, vec![53, 400, 400, 401, 53, 74, 79, 402, 403, 93]);
    assert_eq!(e.tokens, vec!["x", "abc", "abc", "XyZ", "x", "##y", "##z", "qq", "<X>", "the"]);
    assert_eq!(
        e.offsets,
        vec![(0, 1), (2, 5), (6, 9), (10, 13), (14, 15), (15, 16), (16, 17), (18, 20), (21, 24), (25, 28)]
    );
    let words: Vec<Option<u32>> = [0, 1, 2, 3, 4, 4, 4, 5, 6, 7].into_iter().map(Some).collect();
    assert_eq!(e.words, words);
    // "qq" is not skipped: the special set holds "Qq", the token reads "qq" (HF's behaviour).
    assert_eq!(t.decode(&e.ids, true).unwrap(), "x abc abc XyZ x ##y ##z qq the");
    assert_eq!(t.decode(&e.ids, false).unwrap(), "x abc abc XyZ x ##y ##z qq <X> the");
    // Unknown ids are skipped.
    assert_eq!(t.decode(&[53, 99_999], false).unwrap(), "x");

    let words = InputSequence::from(vec!["Hello", "wor ld", "x"]);
    let e = t.encode(EncodeInput::single(words), true, OffsetType::Char).unwrap();
    assert_eq!(e.ids, vec![132, 116, 58, 362, 41, 67, 53]);
    assert_eq!(e.offsets, vec![(0, 2), (2, 4), (4, 5), (0, 3), (4, 5), (5, 6), (0, 1)]);
    assert_eq!(e.words, [0, 0, 0, 1, 1, 1, 2].into_iter().map(Some).collect::<Vec<_>>());

    // Saved and reloaded, the added tokens keep their ids and flags.
    let back = HfTokenizer::from_str(&t.to_string(false).unwrap()).unwrap();
    assert_eq!(back.added_tokens(), t.added_tokens());
    assert_eq!(back.encode_ids("x äbc <X> qq").unwrap(), t.encode_ids("x äbc <X> qq").unwrap());
}

#[test]
fn batches_equal_single_calls() {
    let t = HfTokenizer::from_str(WP).unwrap();
    let texts = ["Hello there", "", "a, b; c!", "naïve café"];
    let batch = t.encode_batch(&texts, true, OffsetType::Char, 2).unwrap();
    let fast = t.encode_batch_fast(&texts, true, 2).unwrap();
    let ids = t.encode_ids_batch(&texts, 2).unwrap();
    for (i, text) in texts.iter().enumerate() {
        let one = t.encode(*text, true, OffsetType::Char).unwrap();
        assert_eq!(batch[i], one);
        assert_eq!(fast[i].ids, one.ids);
        assert!(fast[i].offsets.iter().all(|&o| o == (0, 0)));
        assert_eq!(ids[i], one.ids, "no post-processor in this file, so ids-only equals encode");
    }
    let decoded = t.decode_batch(&ids, false, 2).unwrap();
    assert_eq!(decoded[0], t.decode(&ids[0], false).unwrap());
}
