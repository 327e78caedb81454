//! The hand-written scanners against `fancy_regex` `find_iter` on the reference patterns.

use super::{
    cl100k, gpt2, o200k, CL100K_PATTERN, CL100K_PATTERN_HF, GPT2_PATTERN, GPT2_PATTERN_ORIGINAL, O200K_PATTERN,
};
use proptest::prelude::*;
use std::sync::OnceLock;

type Scanner = fn(&str, usize) -> usize;

struct Case {
    name: &'static str,
    scanner: Scanner,
    patterns: &'static [&'static str],
}

const CASES: [Case; 3] = [
    Case { name: "gpt2", scanner: gpt2::next_piece, patterns: &[GPT2_PATTERN, GPT2_PATTERN_ORIGINAL] },
    Case { name: "cl100k", scanner: cl100k::next_piece, patterns: &[CL100K_PATTERN, CL100K_PATTERN_HF] },
    Case { name: "o200k", scanner: o200k::next_piece, patterns: &[O200K_PATTERN] },
];

fn regex(pattern: &'static str) -> &'static fancy_regex::Regex {
    static CACHE: OnceLock<std::sync::Mutex<Vec<(&'static str, &'static fancy_regex::Regex)>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap();
    if let Some((_, re)) = cache.iter().find(|(p, _)| *p == pattern) {
        return re;
    }
    let re = fancy_regex::RegexBuilder::new(pattern).backtrack_limit(usize::MAX / 2).build().unwrap();
    let re: &'static fancy_regex::Regex = Box::leak(Box::new(re));
    cache.push((pattern, re));
    re
}

fn reference(pattern: &'static str, text: &str) -> Vec<(usize, usize)> {
    regex(pattern).find_iter(text).map(|m| m.unwrap()).map(|m| (m.start(), m.end())).collect()
}

fn scanned(scanner: Scanner, text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let end = scanner(text, pos);
        assert!(end > pos && end <= text.len() && text.is_char_boundary(end), "bad end {end}");
        out.push((pos, end));
        pos = end;
    }
    out
}

fn show(text: &str, pieces: &[(usize, usize)]) -> Vec<String> {
    pieces.iter().map(|&(s, e)| format!("{:?}", &text[s..e])).collect()
}

/// Compares every scanner with every reference pattern on `text`; `Err` describes a mismatch.
fn compare_all(text: &str) -> Result<(), String> {
    for case in &CASES {
        let got = scanned(case.scanner, text);
        for &pattern in case.patterns {
            let want = reference(pattern, text);
            if got != want {
                return Err(format!(
                    "{} differs from {pattern:?} on {text:?}:\n  scanner: {:?}\n  regex:   {:?}",
                    case.name,
                    show(text, &got),
                    show(text, &want)
                ));
            }
        }
    }
    Ok(())
}

const EDGE_CASES: &[&str] = &[
    "",
    " ",
    "a",
    "  hello  world  ",
    "\n\n\r\n  \t x",
    "I'M DON'T we'll O'Neil 'S",
    "ſ'S",
    "'ſ 'ſa x'ſ X'ſ",
    "'s 'S 'sa 'Ll 'lL 'VE 've 'Re 'd 'D 'm 'M 't 'T 'x ' '' ''s",
    "don't'll've're",
    "123456789",
    "١٢٣٤",
    "12 345 6789 0",
    "Ⅻ½²³",
    "日本語テキスト",
    "العربية",
    "Привет, мир! ПРИВЕТ",
    "😀👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 x😀y",
    "e\u{301}",
    "\u{301}abc",
    " \u{301}",
    "\u{301}\u{302}",
    "A\u{301}B\u{302}c",
    "a\u{301}'s",
    "HelloWorld ABCdef aBC",
    "ǅemal ǅ ʰa aʰ ʰ Aʰb ABʰC ǅʰ",
    "a/b/\n",
    "x//\r\n/y",
    "x\u{85}y",
    "\u{a0}\u{3000}",
    "\u{a0}word",
    "\u{3000}語",
    "trailing   ",
    "trailing\n  ",
    "trailing \n",
    "\r",
    "\n",
    "\r\n",
    "a\r",
    " \r\n \t\n  x",
    "  \n  x",
    "\t\tx",
    "\t.",
    " .",
    "  .",
    " 1",
    "  1",
    "!!!abc",
    "!abc ?def",
    "x\u{2028}y\u{2029}",
    " \u{2028}",
    "\u{b}\u{c}x\u{1c}\u{1f} y",
    "...\n\n",
    "foo()\n    return bar\n\n\n",
    "tab\tsep\tvalues\n",
    "\u{200b}zero\u{200d}width\u{feff}",
    "a'b",
    "A'S",
    "'\u{301}s",
];

#[test]
fn edge_cases() {
    for text in EDGE_CASES {
        if let Err(e) = compare_all(text) {
            panic!("{e}");
        }
    }
}

/// Characters the random strings are built from, grouped by kind.
const ALPHABET: &[&str] = &[
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZsSdDmMtTlLvVrReE",
    "0123456789",
    " ",
    "    \t\r\n\u{a0}\u{2028}\u{3000}\u{85}\u{b}\u{c}",
    ".,;:!?-_/\\()[]{}<>\"'`~@#$%^&*+=|",
    "''''",
    "\u{a1}\u{a9}\u{ab}\u{b2}\u{b5}\u{ba}\u{bc}\u{c0}\u{c9}\u{d7}\u{df}\u{e9}\u{f7}\u{ff}",
    "\u{300}\u{301}\u{308}\u{327}\u{36f}\u{64b}\u{93c}\u{20dd}\u{fe0f}",
    "日本語中文字テキストカタカナひらがな한국어",
    "العربيةالمغرب٠١٢٣٤٥٦٧٨٩",
    "😀👍🏽👨\u{200d}👩\u{200d}👧🏳\u{fe0f}\u{200d}🌈🎉",
    "ǅǈǋǲʰʱˆˇˠ々ーᴬ",
    "१२३੧੨੩๑๒๓Ⅻ½²",
    "ſK\u{17f}\u{212a}ßẞİıΣσςΩω",
    "\u{0}\u{1}\u{7f}\u{200b}\u{ad}\u{feff}",
];

fn text_strategy() -> impl Strategy<Value = String> {
    let groups: Vec<Vec<char>> = ALPHABET.iter().map(|s| s.chars().collect()).collect();
    let fragments = vec![
        "'s", "'S", "'ll", "'LL", "'ve", "'Re", "'d", "'m", "'t", "'ſ", "\r\n", "  ", "\n\n", " \n", "//", "e\u{301}",
        "Ab", "ABc",
    ];
    let piece = prop_oneof![
        6 => (0..groups.len()).prop_flat_map(move |g| {
            let chars = groups[g].clone();
            prop::sample::select(chars).prop_map(|c| c.to_string())
        }),
        2 => prop::sample::select(fragments).prop_map(|s| s.to_string()),
        1 => any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn check_scanner(case: &Case, text: &str) -> Result<(), TestCaseError> {
    let got = scanned(case.scanner, text);
    for &pattern in case.patterns {
        let want = reference(pattern, text);
        prop_assert_eq!(show(text, &got), show(text, &want), "{} vs {:?}", case.name, pattern);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_gpt2(text in text_strategy()) {
        check_scanner(&CASES[0], &text)?;
    }

    #[test]
    fn random_cl100k(text in text_strategy()) {
        check_scanner(&CASES[1], &text)?;
    }

    #[test]
    fn random_o200k(text in text_strategy()) {
        check_scanner(&CASES[2], &text)?;
    }
}

/// A few characters of every kind that matters to the patterns.
const REPRESENTATIVES: &str = "aAzsSlLdeE09 \t\r\n\u{a0}\u{2028}./'\"-\u{301}\u{fe0f}日ǅʰÉéß١Ⅻ😀\u{200d}\u{17f}";

/// Every triple of representative characters, bare and with some context, exhaustively (cheap,
/// and catches short interactions the random strings may miss).
///
/// To keep this fast, each triple is checked bare (short text: the scanners' byte-at-a-time paths
/// and the end of the text) and in one of two longer contexts (alternating, so each context still
/// sees every first/last char combination many times), and only against
/// each scanner's primary pattern: the equivalent variant patterns are compared on the edge cases,
/// the random strings and the conformance files.
#[test]
fn all_char_triples() {
    let chars: Vec<char> = REPRESENTATIVES.chars().collect();
    let mut text = String::new();
    let mut count = 0;
    for (ia, &a) in chars.iter().enumerate() {
        for (ib, &b) in chars.iter().enumerate() {
            for (ic, &c) in chars.iter().enumerate() {
                // The suffixes are long enough for the scanners' 8-bytes-at-a-time paths to run
                // at every position of the triple.
                let context = [("x", "y tail'S 12"), (" ", " Tail\n x")][(ia + ib + ic) % 2];
                for (prefix, suffix) in [("", ""), context] {
                    text.clear();
                    text.push_str(prefix);
                    text.extend([a, b, c]);
                    text.push_str(suffix);
                    for case in &CASES {
                        let got = scanned(case.scanner, &text);
                        let pattern = case.patterns[0];
                        let want = reference(pattern, &text);
                        assert!(
                            got == want,
                            "{} differs from {pattern:?} on {text:?}:\n  scanner: {:?}\n  regex:   {:?}",
                            case.name,
                            show(&text, &got),
                            show(&text, &want)
                        );
                    }
                    count += 1;
                }
            }
        }
    }
    eprintln!("compared {count} short strings");
}

#[test]
fn conformance_files() {
    let dir = std::path::Path::new("/work/shared/data/conformance");
    if !dir.is_dir() {
        eprintln!("skipping conformance_files: {} is absent", dir.display());
        return;
    }
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    paths.sort();
    let mut count = 0;
    for path in paths {
        let content = std::fs::read_to_string(&path).unwrap();
        for (line_no, line) in content.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), line_no + 1));
            let Some(text) = v.get("text").and_then(|t| t.as_str()) else { continue };
            if let Err(e) = compare_all(text) {
                panic!("{}:{}: {e}", path.display(), line_no + 1);
            }
            count += 1;
        }
    }
    eprintln!("conformance: compared {count} texts x 3 scanners");
}

/// Throughput on the first 20 MB of enwiki (run with `--ignored --nocapture` in release mode).
#[test]
#[ignore]
fn throughput_enwiki() {
    let path = "/work/shared/data/corpora/enwiki.txt";
    let Ok(data) = std::fs::read(path) else {
        eprintln!("skipping throughput_enwiki: {path} is absent");
        return;
    };
    let mut cut = data.len().min(20 << 20);
    while cut < data.len() && (data[cut] & 0xC0) == 0x80 {
        cut -= 1;
    }
    let text = std::str::from_utf8(&data[..cut]).unwrap();
    // Monomorphised per scanner so the scanner inlines into the loop, as in `Splitter`.
    bench(&CASES[0], text, |t, p| gpt2::next_piece(t, p));
    bench(&CASES[1], text, |t, p| cl100k::next_piece(t, p));
    bench(&CASES[2], text, |t, p| o200k::next_piece(t, p));
}

fn bench(case: &Case, text: &str, scanner: impl Fn(&str, usize) -> usize) {
    let mb = text.len() as f64 / 1e6;
    let mut best = f64::INFINITY;
    let mut best_cpu = f64::INFINITY;
    let mut pieces = 0usize;
    for _ in 0..5 {
        let cpu = thread_cpu_seconds();
        let t = std::time::Instant::now();
        pieces = 0;
        let mut pos = 0;
        while pos < text.len() {
            pos = scanner(std::hint::black_box(text), pos);
            pieces += 1;
        }
        best = best.min(t.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (cpu, thread_cpu_seconds()) {
            best_cpu = best_cpu.min(b - a);
        }
    }
    std::hint::black_box(pieces);
    // The reference regex on the first 2 MB, for comparison (and a correctness check).
    let small = &text[..text.floor_char_boundary_compat(2 << 20)];
    let t = std::time::Instant::now();
    let want = reference(case.patterns[0], small);
    let re_time = t.elapsed().as_secs_f64();
    assert_eq!(scanned(case.scanner, small), want, "{} on enwiki prefix", case.name);
    eprintln!(
        "{:7} {:8.1} MB/s wall, {:8.1} MB/s on-CPU ({pieces} pieces in {mb:.1} MB); fancy-regex {:6.1} MB/s",
        case.name,
        mb / best,
        mb / best_cpu,
        small.len() as f64 / 1e6 / re_time
    );
}

/// On-CPU time of the current thread (Linux `schedstat`), to see past a busy machine.
fn thread_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

trait FloorCharBoundary {
    fn floor_char_boundary_compat(&self, i: usize) -> usize;
}

impl FloorCharBoundary for str {
    fn floor_char_boundary_compat(&self, mut i: usize) -> usize {
        if i >= self.len() {
            return self.len();
        }
        while !self.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}
