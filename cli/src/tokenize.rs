//! `tokenmill tokenize`: inputs → `DIR/shard-NNNNN.{bin,idx}` + `DIR/meta.json`.
//!
//! The main thread reads and encodes chunk after chunk on the pool while the writer thread
//! ([`crate::shards`]) writes the previous ones. `meta.json` is written last, atomically; a failed
//! run removes every file it created and leaves no `meta.json`.

use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::error::{io, Error, Result};
use crate::input::{self, Opts};
use crate::shards::{self, Dtype, Msg, ShardMeta};
use crate::tokenizer_arg::TokenizerArg;

pub const META: &str = "meta.json";
pub const FORMAT_VERSION: u32 = 1;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Input files: .txt (a document per line), .jsonl (a JSON object per line), .parquet, or - for stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub tok: TokenizerArg,
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// JSONL field / Parquet column holding the text.
    #[arg(long, default_value = "text")]
    pub field: String,
    /// Encoding threads (0 = RAYON_NUM_THREADS or all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Append the <|endoftext|> id after every document.
    #[arg(long)]
    pub append_eot: bool,
    /// Close a shard once it holds this many tokens (documents never span shards).
    #[arg(long, default_value_t = 100_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub shard_tokens: u64,
    /// Replace a dataset already in DIR.
    #[arg(long)]
    pub overwrite: bool,
    /// Seed of a tokenizer.json's BPE dropout. With dropout, a document's tokens depend only on
    /// the seed, the input and the document's place in it: never on threads or chunking.
    #[arg(long)]
    pub seed: Option<u64>,
}

/// `meta.json`, fields in this order.
#[derive(Serialize)]
struct Meta<'a> {
    format: &'static str,
    version: u32,
    tokenizer: TokenizerMeta<'a>,
    /// "uint16" or "uint32": the element type of the .bin files.
    dtype: &'static str,
    /// One past the largest id (tiktoken's n_vocab).
    vocab_size: usize,
    /// The id appended after every document (`--append-eot`), else null.
    eot_id: Option<u32>,
    inputs: Vec<String>,
    totals: TotalsMeta,
    shards: Vec<ShardMeta>,
}

#[derive(Serialize)]
struct TokenizerMeta<'a> {
    name: &'a str,
    /// The encoding name, or the tokenizer.json path.
    source: &'a str,
    /// "tiktoken" or "huggingface".
    kind: &'a str,
}

#[derive(Serialize)]
struct TotalsMeta {
    documents: u64,
    bytes: u64,
    tokens: u64,
    seconds: f64,
}

#[derive(Default)]
struct Totals {
    docs: u64,
    bytes: u64,
    tokens: u64,
}

pub fn run(a: Args) -> Result<()> {
    let inputs = input::resolve(&a.inputs)?;
    let mut enc = a.tok.load()?;
    if a.append_eot {
        enc.append_eot()?;
    }
    if let Some(seed) = a.seed {
        enc.set_seed(seed)?;
    }
    let dtype = Dtype::for_vocab(enc.n_vocab());
    prepare_dir(&a.out, a.overwrite)?;

    let start = Instant::now();
    let bar = progress_bar(inputs.iter().map(|i| i.size).sum());
    let (tx, writer) = shards::spawn(a.out.clone(), dtype, a.shard_tokens)?;
    let mut t = Totals::default();
    let mut writer_gone = false;
    let read_all = (|| -> Result<()> {
        for (n, inp) in inputs.iter().enumerate() {
            let opts = Opts { enc: &enc, threads: a.threads, field: &a.field, doc_key: input::doc_key_base(n) };
            input::read(inp, &opts, &mut |c| {
                t.docs += c.docs;
                t.bytes += c.bytes;
                t.tokens += c.tokens;
                bar.inc(c.bytes);
                bar.set_message(format!("{} tokens", t.tokens));
                tx.send(Msg::Chunk(c)).map_err(|_| {
                    writer_gone = true;
                    Error::msg("shard writer stopped")
                })
            })?;
        }
        Ok(())
    })();
    if read_all.is_ok() {
        let _ = tx.send(Msg::Finish);
    }
    drop(tx);
    let written = writer.join().unwrap_or_else(|_| Err(Error::msg("shard writer panicked")));
    bar.finish_and_clear();
    let out = match (read_all, written) {
        (Ok(()), Ok(out)) => out,
        // The writer's own failure is the real cause when it is why sending stopped.
        (Err(_), Err(we)) if writer_gone => return Err(we),
        (Err(e), _) | (Ok(()), Err(e)) => return Err(e), // the writer removed its files
    };
    let secs = start.elapsed().as_secs_f64();

    let meta = Meta {
        format: "tokenmill-shards",
        version: FORMAT_VERSION,
        tokenizer: TokenizerMeta { name: enc.name(), source: &enc.source, kind: enc.kind },
        dtype: dtype.name(),
        vocab_size: enc.n_vocab(),
        eot_id: enc.eot,
        inputs: inputs.iter().map(|i| i.display()).collect(),
        totals: TotalsMeta { documents: t.docs, bytes: t.bytes, tokens: t.tokens, seconds: secs },
        shards: out.shards,
    };
    if let Err(e) = write_meta(&a.out, &meta) {
        shards::remove_all(&out.created);
        return Err(e);
    }

    let s = secs.max(1e-9);
    println!(
        "tokenized {} documents, {} bytes, {} tokens in {:.2} s: {:.1} MB/s, {:.0} tokens/s",
        t.docs,
        t.bytes,
        t.tokens,
        secs,
        t.bytes as f64 / s / 1e6,
        t.tokens as f64 / s
    );
    Ok(())
}

/// Creates DIR; refuses one holding a dataset unless `overwrite`, which first removes it.
fn prepare_dir(dir: &Path, overwrite: bool) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let meta = dir.join(META);
    if !meta.exists() {
        return Ok(());
    }
    if !overwrite {
        return Err(Error::msg(format!(
            "{}: output already holds a tokenized dataset ({META}); pass --overwrite to replace it",
            dir.display()
        )));
    }
    // meta.json goes first: from here on the directory holds no dataset that claims to be valid.
    std::fs::remove_file(&meta).map_err(io(&meta))?;
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if is_shard_file(&name) {
            let p = entry.path();
            std::fs::remove_file(&p).map_err(io(&p))?;
        }
    }
    Ok(())
}

/// `shard-NNNNN.bin` / `shard-NNNNN.idx`, as this tool names them.
fn is_shard_file(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("shard-") else {
        return false;
    };
    let Some(num) = rest.strip_suffix(".bin").or_else(|| rest.strip_suffix(".idx")) else {
        return false;
    };
    !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit())
}

fn write_meta(dir: &Path, meta: &Meta) -> Result<()> {
    let tmp = shards::temp_name(dir, META);
    let res = (|| {
        let f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
        let mut w = BufWriter::new(f);
        serde_json::to_writer_pretty(&mut w, meta).map_err(|e| Error::msg(format!("{}: {e}", tmp.display())))?;
        w.write_all(b"\n").map_err(io(&tmp))?;
        shards::commit(w, &tmp, &dir.join(META))?;
        // Make the renames durable too.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res
}

fn progress_bar(total: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(4));
    let style =
        ProgressStyle::with_template("{elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {bytes_per_sec} {msg}")
            .expect("static template")
            .progress_chars("=> ");
    bar.set_style(style);
    bar
}
