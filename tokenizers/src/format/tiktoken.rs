//! tiktoken `.tiktoken` rank files (`<base64 token> <rank>` per line) and the built-in OpenAI
//! encodings, whose rank files ship in `data/vocab/` and are compiled into the library so that
//! `builtin("cl100k_base")` needs no file and no network.

use base64::Engine;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use crate::added_vocab::{AddedToken, AddedVocab};
use crate::error::{Error, Result};
use crate::model::BpeModel;
use crate::pretokenizer::{Splitter, CL100K_PATTERN, GPT2_PATTERN, O200K_PATTERN};
use crate::tokenizer::{Flavor, Tokenizer};

pub const ENDOFTEXT: &str = "<|endoftext|>";
pub const FIM_PREFIX: &str = "<|fim_prefix|>";
pub const FIM_MIDDLE: &str = "<|fim_middle|>";
pub const FIM_SUFFIX: &str = "<|fim_suffix|>";
pub const ENDOFPROMPT: &str = "<|endofprompt|>";

/// One built-in encoding: its name, pattern, rank file and special tokens, as tiktoken 0.14
/// defines them in `tiktoken_ext/openai_public.py`.
pub struct Builtin {
    pub name: &'static str,
    pub pattern: &'static str,
    pub ranks: &'static [u8],
    pub specials: &'static [(&'static str, u32)],
    pub explicit_n_vocab: Option<usize>,
}

static R50K: &[u8] = include_bytes!("../../../data/vocab/r50k_base.tiktoken");
static P50K: &[u8] = include_bytes!("../../../data/vocab/p50k_base.tiktoken");
static CL100K: &[u8] = include_bytes!("../../../data/vocab/cl100k_base.tiktoken");
static O200K: &[u8] = include_bytes!("../../../data/vocab/o200k_base.tiktoken");

pub static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "r50k_base",
        pattern: GPT2_PATTERN,
        ranks: R50K,
        specials: &[(ENDOFTEXT, 50256)],
        explicit_n_vocab: Some(50257),
    },
    Builtin {
        name: "p50k_base",
        pattern: GPT2_PATTERN,
        ranks: P50K,
        specials: &[(ENDOFTEXT, 50256)],
        explicit_n_vocab: Some(50281),
    },
    Builtin {
        name: "p50k_edit",
        pattern: GPT2_PATTERN,
        ranks: P50K,
        specials: &[(ENDOFTEXT, 50256), (FIM_PREFIX, 50281), (FIM_MIDDLE, 50282), (FIM_SUFFIX, 50283)],
        explicit_n_vocab: None,
    },
    Builtin {
        name: "cl100k_base",
        pattern: CL100K_PATTERN,
        ranks: CL100K,
        specials: &[
            (ENDOFTEXT, 100257),
            (FIM_PREFIX, 100258),
            (FIM_MIDDLE, 100259),
            (FIM_SUFFIX, 100260),
            (ENDOFPROMPT, 100276),
        ],
        explicit_n_vocab: None,
    },
    Builtin {
        name: "o200k_base",
        pattern: O200K_PATTERN,
        ranks: O200K,
        specials: &[(ENDOFTEXT, 199999), (ENDOFPROMPT, 200018)],
        explicit_n_vocab: None,
    },
];

/// Aliases tiktoken accepts for built-in names.
fn canonical(name: &str) -> &str {
    match name {
        "gpt2" => "r50k_base",
        other => other,
    }
}

/// Names accepted by [`builtin`].
pub fn builtin_names() -> Vec<&'static str> {
    let mut v: Vec<&str> = BUILTINS.iter().map(|b| b.name).collect();
    v.push("gpt2");
    v
}

/// A built-in encoding by name. Loaded once per process and shared.
pub fn builtin(name: &str) -> Result<Arc<Tokenizer>> {
    // Keyed by the name asked for, so an alias (`gpt2`) reports its own name as tiktoken does.
    static LOADED: OnceLock<Mutex<Vec<(String, Arc<Tokenizer>)>>> = OnceLock::new();
    let canon = canonical(name);
    let spec = BUILTINS
        .iter()
        .find(|b| b.name == canon)
        .ok_or_else(|| Error::UnknownEncoding { name: name.to_string(), known: builtin_names().join(", ") })?;
    let cache = LOADED.get_or_init(|| Mutex::new(Vec::new()));
    if let Some((_, t)) = cache.lock().unwrap_or_else(|e| e.into_inner()).iter().find(|(n, _)| n == name) {
        return Ok(t.clone());
    }
    let ranks = parse_ranks(spec.ranks, spec.name)?;
    let specials = spec.specials.iter().map(|&(s, id)| (s.to_string(), id)).collect();
    let mut tok = from_ranks(name, spec.pattern, ranks, specials)?;
    if let Flavor::Tiktoken { explicit_n_vocab } = &mut tok.flavor_mut() {
        *explicit_n_vocab = spec.explicit_n_vocab;
    }
    let tok = Arc::new(tok);
    cache.lock().unwrap_or_else(|e| e.into_inner()).push((name.to_string(), tok.clone()));
    Ok(tok)
}

/// A tokenizer from any rank table, split pattern and special tokens (tiktoken's `Encoding(...)`).
pub fn from_ranks(
    name: &str,
    pattern: &str,
    ranks: Vec<(Vec<u8>, u32)>,
    specials: Vec<(String, u32)>,
) -> Result<Tokenizer> {
    let splitter = Splitter::new(pattern)?;
    let model = BpeModel::from_ranks(ranks)?;
    let added = AddedVocab::new(
        specials.into_iter().map(|(content, id)| AddedToken { content, id, special: true }).collect(),
        true,
    );
    Ok(Tokenizer::new(name, splitter, model, added, Flavor::Tiktoken { explicit_n_vocab: None }))
}

/// Reads a `.tiktoken` rank file.
pub fn load_rank_file(path: &Path) -> Result<Vec<(Vec<u8>, u32)>> {
    let data = std::fs::read(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    parse_ranks(&data, &path.display().to_string())
}

/// Parses rank-file text; `origin` names it in errors (with the 1-based line).
pub fn parse_ranks(data: &[u8], origin: &str) -> Result<Vec<(Vec<u8>, u32)>> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut out = Vec::with_capacity(data.len() / 12);
    for (i, line) in data.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let err = |reason: String| Error::RankFile { origin: origin.to_string(), line: i + 1, reason };
        let sp = line.iter().position(|&b| b == b' ').ok_or_else(|| err("expected `<base64 token> <rank>`".into()))?;
        let token = b64.decode(&line[..sp]).map_err(|e| err(format!("bad base64: {e}")))?;
        let rank = std::str::from_utf8(&line[sp + 1..])
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
            .ok_or_else(|| err(format!("bad rank {:?}", String::from_utf8_lossy(&line[sp + 1..]))))?;
        out.push((token, rank));
    }
    if out.is_empty() {
        return Err(Error::RankFile { origin: origin.to_string(), line: 0, reason: "no ranks".into() });
    }
    Ok(out)
}

/// Writes a rank table in `.tiktoken` form (sorted by rank).
pub fn write_ranks(ranks: &[(Vec<u8>, u32)]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut sorted: Vec<&(Vec<u8>, u32)> = ranks.iter().collect();
    sorted.sort_by_key(|r| r.1);
    let mut s = String::new();
    for (t, r) in sorted {
        s.push_str(&b64.encode(t));
        s.push(' ');
        s.push_str(&r.to_string());
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_rank_files_name_the_line() {
        let e = parse_ranks(b"IQ== 0\nnot-base64!! 1\n", "x.tiktoken").unwrap_err().to_string();
        assert!(e.contains("x.tiktoken:2"), "{e}");
        let e = parse_ranks(b"IQ== 0\nIQ==\n", "y").unwrap_err().to_string();
        assert!(e.contains("y:2"), "{e}");
        let e = parse_ranks(b"IQ== zero\n", "z").unwrap_err().to_string();
        assert!(e.contains("z:1") && e.contains("bad rank"), "{e}");
    }

    #[test]
    fn builtins_load_and_round_trip() {
        for name in ["r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base", "gpt2"] {
            let t = builtin(name).unwrap();
            let text = "Hello, world! 日本語 🎉 <|endoftext|>  ";
            let ids = t.encode_ordinary(text);
            assert_eq!(t.decode(&ids).unwrap(), text, "{name}");
        }
        assert!(builtin("nope").is_err());
        assert_eq!(builtin("cl100k_base").unwrap().n_vocab(), 100277);
        assert_eq!(builtin("o200k_base").unwrap().n_vocab(), 200019);
        assert_eq!(builtin("r50k_base").unwrap().n_vocab(), 50257);
        assert_eq!(builtin("p50k_base").unwrap().n_vocab(), 50281);
        assert_eq!(builtin("gpt2").unwrap().name(), "gpt2");
        assert_eq!(builtin("r50k_base").unwrap().name(), "r50k_base");
    }
}
