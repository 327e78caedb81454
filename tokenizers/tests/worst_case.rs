//! Inputs that make naive BPE quadratic: one 1 MB piece of a single letter, 1 MB of spaces,
//! 1 MB of punctuation without spaces, 1 MB of one emoji. They must encode (the merge loop is
//! O(n log n) on long pieces) and round-trip exactly. How long they take is measured in
//! `benches/` (never asserted here); this test only has to finish.

use tokenmill_tokenizers::builtin;

fn inputs() -> Vec<(&'static str, String)> {
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    let printable: String = (0..1_000_000)
        .map(|_| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            char::from(b'!' + (rng % 94) as u8)
        })
        .collect();
    vec![
        ("a x 1M", "a".repeat(1_000_000)),
        ("space x 1M", " ".repeat(1_000_000)),
        ("printable 1M", printable),
        ("emoji x 250k", "🦀".repeat(250_000)),
        ("newline x 1M", "\n".repeat(1_000_000)),
    ]
}

#[test]
fn worst_cases_round_trip() {
    for name in ["r50k_base", "cl100k_base", "o200k_base"] {
        let t = builtin(name).unwrap();
        for (label, text) in inputs() {
            let ids = t.encode_ordinary(&text);
            assert!(!ids.is_empty(), "{name} {label}");
            assert!(ids.len() <= text.len(), "{name} {label}");
            assert_eq!(t.decode_bytes(&ids).unwrap(), text.as_bytes(), "{name} {label}");
        }
    }
}
