//! `--encoding NAME | --tokenizer FILE`, shared by every command, and the per-document encoder.

use std::path::PathBuf;
use std::sync::Arc;

use tokenmill_tokenizers::{format::hf_json, Tokenizer};

use crate::error::{Error, Result};

#[derive(clap::Args, Debug, Clone)]
#[group(required = true, multiple = false)]
pub struct TokenizerArg {
    /// A built-in tiktoken encoding: r50k_base, gpt2, p50k_base, p50k_edit, cl100k_base, o200k_base.
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,
    /// A Hugging Face tokenizer.json file (added tokens are always recognised, as in `tokenizers`).
    #[arg(long, value_name = "FILE")]
    pub tokenizer: Option<PathBuf>,
}

/// A loaded tokenizer plus the rule for encoding one document.
pub struct Encoder {
    pub tok: Arc<Tokenizer>,
    /// Hugging Face file: added tokens match (`encode_with_added`); tiktoken: `encode_ordinary`.
    pub with_added: bool,
    /// Appended after every document when set (`--append-eot`).
    pub eot: Option<u32>,
    /// For meta.json: the encoding name, or the tokenizer file's path.
    pub source: String,
    /// "tiktoken" or "huggingface".
    pub kind: &'static str,
}

impl TokenizerArg {
    pub fn load(&self) -> Result<Encoder> {
        if let Some(name) = &self.encoding {
            let tok = tokenmill_tokenizers::builtin(name)?;
            return Ok(Encoder { tok, with_added: false, eot: None, source: name.clone(), kind: "tiktoken" });
        }
        let path = self.tokenizer.as_ref().expect("clap group guarantees one of the two");
        let tok = hf_json::from_file(path)?;
        let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        Ok(Encoder {
            tok: Arc::new(tok),
            with_added: true,
            eot: None,
            source: abs.display().to_string(),
            kind: "huggingface",
        })
    }
}

impl Encoder {
    /// Turns on `--append-eot`: errors when the tokenizer has no `<|endoftext|>`.
    pub fn append_eot(&mut self) -> Result<()> {
        let id = self
            .tok
            .special_token_id("<|endoftext|>")
            .ok_or_else(|| Error::msg(format!("--append-eot: tokenizer {} has no <|endoftext|> token", self.source)))?;
        self.eot = Some(id);
        Ok(())
    }

    /// Appends the ids of one document (and the end-of-text id if asked) to `out`.
    #[inline]
    pub fn encode_doc(&self, text: &str, out: &mut Vec<u32>) {
        if self.with_added {
            self.tok.encode_with_added(text, out);
        } else {
            self.tok.encode_ordinary_into(text, out);
        }
        if let Some(eot) = self.eot {
            out.push(eot);
        }
    }
}
