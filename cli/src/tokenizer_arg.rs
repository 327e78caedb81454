//! `--encoding NAME | --tokenizer FILE`, shared by every command, and the per-document encoder.

use std::path::PathBuf;
use std::sync::Arc;

use tokenmill_tokenizers::model::{DropoutCall, ModelWrapper};
use tokenmill_tokenizers::{HfTokenizer, Tokenizer};

use crate::error::{Error, Result};

#[derive(clap::Args, Debug, Clone)]
#[group(required = true, multiple = false)]
pub struct TokenizerArg {
    /// A built-in tiktoken encoding: r50k_base, gpt2, p50k_base, p50k_edit, cl100k_base, o200k_base.
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,
    /// Any Hugging Face tokenizer.json (BPE, WordPiece, Unigram, WordLevel with their normalizers
    /// and pre-tokenizers). Documents get the ids of their text only: added tokens in the text are
    /// recognised, as in `tokenizers`, but the post-processor's special tokens ([CLS], [SEP], <s>,
    /// ...), truncation and padding are NOT applied (corpus tokenization, not model input).
    #[arg(long, value_name = "FILE")]
    pub tokenizer: Option<PathBuf>,
}

/// The tokenizer behind an [`Encoder`].
pub enum Backend {
    Tiktoken(Arc<Tokenizer>),
    HuggingFace(Arc<HfTokenizer>),
}

/// A loaded tokenizer plus the rule for encoding one document.
pub struct Encoder {
    pub backend: Backend,
    /// Appended after every document when set (`--append-eot`).
    pub eot: Option<u32>,
    /// For meta.json: the encoding name, or the tokenizer file's path.
    pub source: String,
    /// "tiktoken" or "huggingface".
    pub kind: &'static str,
    name: String,
    n_vocab: usize,
    /// A tokenizer.json with BPE dropout: the run's one encoding call, whose document `key` draws
    /// from its own stream (so the output does not depend on threads or chunking).
    dropout: Option<DropoutCall>,
}

impl TokenizerArg {
    pub fn load(&self) -> Result<Encoder> {
        if let Some(name) = &self.encoding {
            let tok = tokenmill_tokenizers::builtin(name)?;
            return Ok(Encoder {
                name: tok.name().to_string(),
                n_vocab: tok.n_vocab(),
                backend: Backend::Tiktoken(tok),
                eot: None,
                source: name.clone(),
                kind: "tiktoken",
                dropout: None,
            });
        }
        let path = self.tokenizer.as_ref().expect("clap group guarantees one of the two");
        let tok = HfTokenizer::from_file(path)?;
        let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        let name = path.file_name().map_or_else(|| abs.display().to_string(), |n| n.to_string_lossy().into_owned());
        // One past the largest id, so the shard dtype holds every id.
        let n_vocab = tok.get_vocab(true).values().map(|&id| id as usize + 1).max().unwrap_or(0);
        let dropout = tok.dropout_call();
        Ok(Encoder {
            dropout,
            backend: Backend::HuggingFace(Arc::new(tok)),
            eot: None,
            source: abs.display().to_string(),
            kind: "huggingface",
            name,
            n_vocab,
        })
    }
}

impl Encoder {
    /// The encoding name or the tokenizer file's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// One past the largest token id.
    pub fn n_vocab(&self) -> usize {
        self.n_vocab
    }

    /// Turns on `--append-eot`: errors when the tokenizer has no `<|endoftext|>`.
    pub fn append_eot(&mut self) -> Result<()> {
        let id = match &self.backend {
            Backend::Tiktoken(t) => t.special_token_id("<|endoftext|>"),
            Backend::HuggingFace(t) => t.token_to_id("<|endoftext|>"),
        };
        let id = id
            .ok_or_else(|| Error::msg(format!("--append-eot: tokenizer {} has no <|endoftext|> token", self.source)))?;
        self.eot = Some(id);
        Ok(())
    }

    /// `--seed`: the BPE dropout seed (the default seed is a constant, so runs repeat without
    /// it too). Errors when the tokenizer has no dropout, where a seed would change nothing.
    pub fn set_seed(&mut self, seed: u64) -> Result<()> {
        let Backend::HuggingFace(t) = &self.backend else {
            return Err(Error::msg(
                "--seed: tiktoken encodings have no randomness (BPE dropout needs a tokenizer.json)",
            ));
        };
        let (ModelWrapper::BPE(bpe), Some(_)) = (t.model(), self.dropout) else {
            return Err(Error::msg(format!(
                "--seed: {} has no BPE dropout, so a seed would change nothing",
                self.source
            )));
        };
        bpe.set_seed(seed);
        self.dropout = t.dropout_call();
        Ok(())
    }

    /// Appends the ids of one document (and the end-of-text id if asked) to `out`. `key` names
    /// the document by its place in the input (see `Opts::doc_key`): with BPE dropout it picks
    /// the document's random stream.
    #[inline]
    pub fn encode_doc(&self, key: u64, text: &str, out: &mut Vec<u32>) -> std::result::Result<(), String> {
        match &self.backend {
            Backend::Tiktoken(t) => t.encode_ordinary_into(text, out),
            Backend::HuggingFace(t) => {
                t.encode_ids_into_at(self.dropout, key as usize, text, out).map_err(|e| e.to_string())?
            }
        }
        if let Some(eot) = self.eot {
            out.push(eot);
        }
        Ok(())
    }

    /// The bytes of `ids` (an unknown id is an error).
    pub fn decode_bytes(&self, ids: &[u32]) -> Result<Vec<u8>> {
        match &self.backend {
            Backend::Tiktoken(t) => Ok(t.decode_bytes(ids)?),
            Backend::HuggingFace(t) => {
                if let Some(&bad) = ids.iter().find(|&&id| t.id_to_token(id).is_none()) {
                    return Err(tokenmill_tokenizers::Error::InvalidTokenId(bad).into());
                }
                Ok(t.decode(ids, false)?.into_bytes())
            }
        }
    }
}
