//! Unit tests of [`HfBpe`](super::HfBpe); expectations are HF tokenizers 0.23.3 outputs.

use super::*;

fn vocab(tokens: &[&str]) -> Vocab {
    Vocab::from_pairs(tokens.iter().enumerate().map(|(i, t)| (*t, i as u32))).unwrap()
}

fn merges(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

fn run(m: &HfBpe, w: &str) -> Vec<(u32, usize, usize)> {
    let mut out = Vec::new();
    m.tokenize_word(w, &mut out).unwrap();
    out.iter().map(|t| (t.id, t.start, t.end)).collect()
}

fn unk() -> BpeOptions {
    BpeOptions { unk_token: Some("<unk>".into()), ..Default::default() }
}

#[test]
fn merges_lowest_rank_first_and_leftmost_among_equals() {
    let v = vocab(&["a", "b", "c", "ab", "bc", "abc", "aa", "aaa"]);
    let m = HfBpe::new(v.clone(), &merges(&[("b", "c"), ("a", "b"), ("a", "bc")]), unk()).unwrap();
    assert_eq!(run(&m, "abc"), vec![(5, 0, 3)]);
    let m = HfBpe::new(v, &merges(&[("a", "a"), ("aa", "a")]), unk()).unwrap();
    // aaaa → (aa)(aa): the left pair merges first, then (aa, a) has nothing on its right.
    assert_eq!(run(&m, "aaaa"), vec![(6, 0, 2), (6, 2, 4)]);
    assert_eq!(run(&m, "aaa"), vec![(7, 0, 3)]);
    // The cached answer is the same.
    assert_eq!(run(&m, "aaa"), vec![(7, 0, 3)]);
}

#[test]
fn unknowns_with_and_without_fusing() {
    let v = vocab(&["a", "b", "ab", "<unk>", "c"]);
    let ab = merges(&[("a", "b")]);
    let m = HfBpe::new(v.clone(), &ab, unk()).unwrap();
    assert_eq!(run(&m, "xyab"), vec![(3, 0, 1), (3, 1, 2), (2, 2, 4)]);
    let m = HfBpe::new(v.clone(), &ab, BpeOptions { fuse_unk: true, ..unk() }).unwrap();
    assert_eq!(run(&m, "xyabx"), vec![(3, 0, 2), (2, 2, 4), (3, 4, 5)]);
    // No unknown token: unknown characters vanish, offsets of the rest shift (HF).
    let m = HfBpe::new(v.clone(), &ab, BpeOptions::default()).unwrap();
    assert_eq!(run(&m, "xyabx"), vec![(2, 0, 2)]);
    // An unknown token missing from the vocabulary is an error only when needed.
    let m = HfBpe::new(v, &ab, BpeOptions { unk_token: Some("zz".into()), ..Default::default() }).unwrap();
    assert_eq!(run(&m, "ab"), vec![(2, 0, 2)]);
    assert!(m.tokenize_word("q", &mut Vec::new()).is_err());
}

#[test]
fn byte_fallback_as_hf() {
    let v = vocab(&["a", "b", "ab", "<unk>", "c", "<0x78>", "<0xC3>"]);
    let ab = merges(&[("a", "b")]);
    let m = HfBpe::new(v.clone(), &ab, BpeOptions { byte_fallback: true, ..unk() }).unwrap();
    assert_eq!(run(&m, "xéyab"), vec![(5, 0, 1), (3, 1, 3), (3, 3, 4), (2, 4, 6)]);
    let m = HfBpe::new(v, &ab, BpeOptions { byte_fallback: true, fuse_unk: true, ..unk() }).unwrap();
    assert_eq!(run(&m, "xéyéab"), vec![(5, 0, 1), (3, 1, 6), (2, 6, 8)]);
}

#[test]
fn prefix_and_suffix() {
    let v = vocab(&["a", "##b", "ab", "b</w>", "##b</w>", "ab</w>", "<unk>"]);
    let m = HfBpe::new(
        v,
        &merges(&[("a", "##b</w>")]),
        BpeOptions { continuing_subword_prefix: Some("##".into()), end_of_word_suffix: Some("</w>".into()), ..unk() },
    )
    .unwrap();
    assert_eq!(run(&m, "ab"), vec![(5, 0, 2)]);
    assert_eq!(run(&m, "b"), vec![(3, 0, 1)]);
    assert_eq!(run(&m, "abb"), vec![(0, 0, 1), (1, 1, 2), (4, 2, 3)]);
}

#[test]
fn ignore_merges_and_dropout() {
    let v = vocab(&["a", "b", "ab", "<unk>"]);
    let ab = merges(&[("a", "b")]);
    let m = HfBpe::new(v.clone(), &[], BpeOptions { ignore_merges: true, ..unk() }).unwrap();
    assert_eq!(run(&m, "ab"), vec![(2, 0, 2)]);
    // Full dropout: no merge happens, and HF skips the whole-word check on that path.
    let m = HfBpe::new(v.clone(), &ab, BpeOptions { ignore_merges: true, dropout: Some(1.0), ..unk() }).unwrap();
    assert_eq!(run(&m, "ab"), vec![(0, 0, 1), (1, 1, 2)]);
    let m = HfBpe::new(v.clone(), &ab, BpeOptions { dropout: Some(0.0), ..unk() }).unwrap();
    assert_eq!(run(&m, "ab"), vec![(2, 0, 2)]);
    // A seed makes partial dropout reproducible.
    let m = HfBpe::new(v, &ab, BpeOptions { dropout: Some(0.5), ..unk() }).unwrap();
    let w = "ab".repeat(64);
    m.set_seed(7);
    let first = run(&m, &w);
    m.set_seed(7);
    assert_eq!(run(&m, &w), first);
    assert!(first.len() > 64 && first.len() < 128, "{}", first.len());
    assert!(HfBpe::new(Vocab::default(), &[], BpeOptions { dropout: Some(1.5), ..Default::default() }).is_err());
}

/// Many short words in one stream: 40 words of 2 to 4 merges, so two streams giving the same
/// sample by chance is out of the question (a long word ends up mostly merged either way).
fn sample(m: &HfBpe, words: std::ops::Range<usize>) -> Vec<Vec<(u32, usize, usize)>> {
    words.map(|i| run(m, &"ab".repeat(2 + i % 3))).collect()
}

#[test]
fn dropout_streams_per_text() {
    let v = vocab(&["a", "b", "ab", "<unk>"]);
    let ab = merges(&[("a", "b")]);
    let m = HfBpe::new(v.clone(), &ab, BpeOptions { dropout: Some(0.5), ..unk() }).unwrap();
    let other = HfBpe::new(v.clone(), &ab, BpeOptions { dropout: Some(0.5), ..unk() }).unwrap();
    m.set_seed(7);
    let call = m.dropout_call().unwrap();
    let (t0, t1) = (call.run(0, || sample(&m, 0..40)), call.run(1, || sample(&m, 0..40)));
    assert_ne!(t0, t1);
    // A text's stream depends on its index only: a nested text, the other model's draws and the
    // shared stream leave it alone, and it is put back after the nested text.
    let again = call.run(0, || {
        let mut out = sample(&m, 0..20);
        assert_eq!(call.run(1, || sample(&m, 0..40)), t1);
        sample(&other, 0..40);
        out.extend(sample(&m, 20..40));
        out
    });
    assert_eq!(again, t0);
    assert_ne!(sample(&m, 0..40), t0);
    // Calls are numbered from the seed: the next call's text 0 differs, re-seeding repeats it.
    assert_ne!(m.dropout_call().unwrap().run(0, || sample(&m, 0..40)), t0);
    m.set_seed(7);
    assert_eq!(m.dropout_call().unwrap().run(0, || sample(&m, 0..40)), t0);
    m.set_seed(8);
    assert_ne!(m.dropout_call().unwrap().run(0, || sample(&m, 0..40)), t0);
    // No dropout: no call to begin.
    assert!(HfBpe::new(v.clone(), &ab, unk()).unwrap().dropout_call().is_none());
    assert!(HfBpe::new(v, &ab, BpeOptions { dropout: Some(0.0), ..unk() }).unwrap().dropout_call().is_none());
}

#[test]
fn bad_merges_are_errors_naming_them() {
    let v = vocab(&["a", "b"]);
    let e = HfBpe::new(v.clone(), &merges(&[("a", "b")]), BpeOptions::default()).unwrap_err();
    assert!(e.to_string().contains("merges[0]") && e.to_string().contains("\"ab\""), "{e}");
    let opts = BpeOptions { continuing_subword_prefix: Some("###".into()), ..Default::default() };
    let e = HfBpe::new(v, &merges(&[("a", "b")]), opts).unwrap_err();
    assert!(e.to_string().contains("shorter"), "{e}");
}

#[test]
fn long_word_merges_in_n_log_n() {
    let v = vocab(&["a", "aa", "aaaa", "aaaaaaaa"]);
    let m = HfBpe::new(v, &merges(&[("a", "a"), ("aa", "aa"), ("aaaa", "aaaa")]), BpeOptions::default()).unwrap();
    let w = "a".repeat(1 << 20);
    let t = run(&m, &w);
    assert_eq!(t.len(), (1 << 20) / 8);
    assert!(t.iter().all(|&(id, s, e)| id == 3 && e - s == 8));
}

#[test]
fn vocabulary_word_that_merges_apart_stays_apart() {
    // "ab" is a token but no merge builds it: BPE gives a, b, first call and later ones alike.
    let m = HfBpe::new(vocab(&["a", "b", "ab"]), &[], BpeOptions::default()).unwrap();
    for _ in 0..3 {
        assert_eq!(run(&m, "ab"), vec![(0, 0, 1), (1, 1, 2)]);
    }
    let m = HfBpe::new(vocab(&["a", "b", "ab"]), &merges(&[("a", "b")]), BpeOptions::default()).unwrap();
    for _ in 0..3 {
        assert_eq!(run(&m, "ab"), vec![(2, 0, 2)]);
    }
}
