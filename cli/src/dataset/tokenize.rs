//! `tokenmill dataset tokenize DIR --encoding NAME | --tokenizer FILE --out DIR2`: the native
//! parallel tokenize map over a saved dataset (or every split of a DatasetDict), optionally packed
//! into `--block-size` rows; a progress bar, then one summary line (rows, tokens, MB/s).

use std::path::{Path, PathBuf};
use std::time::Instant;

use arrow_array::Array;
use tokenmill_datasets::dataset_dict::{self, Saved};
use tokenmill_datasets::tokenize::{pack, tokenize, IdType, PackOptions, Specials, TextTokenizer, TokenizeOptions};
use tokenmill_datasets::Dataset;

use super::bar::Bar;

use crate::error::{Error, Result};
use crate::tokenizer_arg::{Backend, Encoder, TokenizerArg};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A dataset saved by `dataset load`, `save_to_disk` (tokenmill or HF), or a DatasetDict.
    pub dir: PathBuf,
    #[command(flatten)]
    pub tokenizer: TokenizerArg,
    /// The text column.
    #[arg(long, default_value = "text")]
    pub column: String,
    /// Output directory (HF save_to_disk layout; replaced atomically).
    #[arg(long)]
    pub out: PathBuf,
    /// Pack the ids into rows of exactly N tokens (the last partial block is dropped unless
    /// --keep-partial); the output then has the single column input_ids.
    #[arg(long, value_name = "N")]
    pub block_size: Option<usize>,
    /// Keep the last, shorter block when packing.
    #[arg(long, requires = "block_size")]
    pub keep_partial: bool,
    /// Append <|endoftext|> to every document.
    #[arg(long)]
    pub eot: bool,
    /// Truncate documents to N tokens (EOT included).
    #[arg(long, value_name = "N")]
    pub max_length: Option<usize>,
    /// Also write attention_mask.
    #[arg(long)]
    pub attention_mask: bool,
    /// A tokenizer.json's whole pipeline, as `tokenizer(texts)`: the post-processor's special
    /// tokens ([CLS]/[SEP], ...) and the file's own truncation and padding.
    #[arg(long, conflicts_with_all = ["eot", "max_length", "block_size"])]
    pub pipeline: bool,
    /// Drop the input columns (only the new ones are written).
    #[arg(long)]
    pub drop_columns: bool,
    /// Ids as uint32 even when the vocabulary fits uint16.
    #[arg(long)]
    pub u32: bool,
    /// Worker threads (0 = all cores or RAYON_NUM_THREADS).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Rows per batch handed to a worker.
    #[arg(long, default_value_t = 1000)]
    pub batch_size: usize,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

fn ds_err(e: tokenmill_datasets::Error) -> Error {
    Error::from(e)
}

pub fn run(a: Args) -> Result<()> {
    let enc = a.tokenizer.load()?;
    let started = Instant::now();
    let bar = if a.quiet { Bar::hidden() } else { Bar::new() };
    let saved = dataset_dict::load_from_disk(&a.dir).map_err(ds_err)?;
    let (mut rows, mut tokens, mut bytes) = (0usize, 0u64, 0u64);
    match saved {
        Saved::Dataset(ds) => {
            let out = one(&a, &enc, &ds, &a.out, &bar)?;
            rows += out.num_rows();
            tokens += count_tokens(&out)?;
            bytes += text_bytes(&ds, &a.column)?;
        }
        Saved::Dict(dd) => {
            // Every split into one temporary folder renamed into place: a failed or killed run
            // leaves the previous output whole.
            let mut failed: Option<Error> = None;
            let written = dd.write_splits(&a.out, |_, ds, dir| {
                let out = one(&a, &enc, ds, dir, &bar).and_then(|out| {
                    rows += out.num_rows();
                    tokens += count_tokens(&out)?;
                    bytes += text_bytes(ds, &a.column)?;
                    Ok(())
                });
                out.map_err(|e| {
                    let msg = e.to_string();
                    failed = Some(e);
                    tokenmill_datasets::Error::Invalid(msg)
                })
            });
            if let Some(e) = failed {
                return Err(e);
            }
            written.map_err(ds_err)?;
        }
    }
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    let what = if a.block_size.is_some() { "blocks" } else { "rows" };
    println!(
        "{}: {rows} {what}, {tokens} tokens, {:.1} MB of text in {secs:.2} s ({:.1} MB/s) -> {}",
        a.dir.display(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs,
        a.out.display()
    );
    Ok(())
}

/// Tokenizes (and packs) one dataset into `out`.
fn one(a: &Args, enc: &Encoder, ds: &Dataset, out: &Path, bar: &Bar) -> Result<Dataset> {
    let packing = a.block_size.is_some();
    let opts = TokenizeOptions {
        column: a.column.clone(),
        dtype: if a.u32 { IdType::U32 } else { IdType::Auto },
        // tiktoken encodings: special-token text is ordinary text (as `tokenize`); a tokenizer.json
        // pipeline always recognises its added tokens, as HF does.
        specials: match enc.backend {
            Backend::Tiktoken(_) => Specials::Ordinary,
            Backend::HuggingFace(_) => Specials::Added,
        },
        add_eot: a.eot,
        attention_mask: a.attention_mask && !packing,
        max_length: a.max_length,
        pipeline: a.pipeline,
        keep_columns: !a.drop_columns && !packing,
        threads: a.threads,
        batch_size: a.batch_size,
        ..TokenizeOptions::default()
    };
    let tok = match &enc.backend {
        Backend::Tiktoken(t) => TextTokenizer::from(t),
        Backend::HuggingFace(t) => TextTokenizer::from(t),
    };
    let Some(block_size) = a.block_size else {
        return tokenize(ds, &tok, &opts, Some(out), bar).map_err(ds_err);
    };
    // Packing reads the ids once more: they go to the cache (reused by a rerun), the blocks to out.
    let ids = tokenize(ds, &tok, &opts, None, bar).map_err(ds_err)?;
    let popts = PackOptions { column: "input_ids".into(), block_size, eot: None, keep_partial: a.keep_partial };
    let packed = pack(&ids, &popts, Some(out), bar).map_err(ds_err)?;
    super::cache::note_written(&tokenmill_datasets::cache::cache_dir());
    Ok(packed)
}

/// Total ids of a tokenized dataset: list offsets only, no values read.
fn count_tokens(ds: &Dataset) -> Result<u64> {
    let mut n = 0u64;
    for b in ds.batches(64 * 1024) {
        let b = b.map_err(ds_err)?;
        let col = b.column_by_name("input_ids").ok_or_else(|| Error::msg("output has no input_ids column"))?;
        let list = col
            .as_any()
            .downcast_ref::<arrow_array::ListArray>()
            .ok_or_else(|| Error::msg("input_ids is not a list"))?;
        let offs = list.value_offsets();
        n += (offs[offs.len() - 1] - offs[0]) as u64;
    }
    Ok(n)
}

/// UTF-8 bytes of the text column (for the MB/s figure).
fn text_bytes(ds: &Dataset, column: &str) -> Result<u64> {
    let mut n = 0u64;
    for b in ds.batches(64 * 1024) {
        let b = b.map_err(ds_err)?;
        let Some(col) = b.column_by_name(column) else { return Ok(0) };
        n += match col.as_any().downcast_ref::<arrow_array::StringArray>() {
            Some(s) => (s.value_offsets()[s.len()] - s.value_offsets()[0]) as u64,
            None => match col.as_any().downcast_ref::<arrow_array::LargeStringArray>() {
                Some(s) => (s.value_offsets()[s.len()] - s.value_offsets()[0]) as u64,
                None => 0,
            },
        };
    }
    Ok(n)
}
