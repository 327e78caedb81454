//! `tokenmill count`: documents and tokens per input, encoded in parallel, nothing written.

use std::io::Write;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::input::{self, Opts};
use crate::tokenizer_arg::TokenizerArg;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Input files: .txt, .jsonl, .parquet, or - for stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub tok: TokenizerArg,
    /// JSONL field / Parquet column holding the text.
    #[arg(long, default_value = "text")]
    pub field: String,
    /// Encoding threads (0 = RAYON_NUM_THREADS or all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

/// Prints `FILE<TAB>documents<TAB>tokens` per input, then `total<TAB>documents<TAB>tokens`.
pub fn run(a: Args) -> Result<()> {
    let inputs = input::resolve(&a.inputs)?;
    let enc = a.tok.load()?;
    let mut stdout = std::io::stdout().lock();
    let (mut all_docs, mut all_tokens) = (0u64, 0u64);
    for (n, inp) in inputs.iter().enumerate() {
        let opts = Opts { enc: &enc, threads: a.threads, field: &a.field, doc_key: input::doc_key_base(n) };
        let (mut docs, mut tokens) = (0u64, 0u64);
        input::read(inp, &opts, &mut |c| {
            docs += c.docs;
            tokens += c.tokens;
            Ok(())
        })?;
        writeln!(stdout, "{}\t{docs}\t{tokens}", inp.display()).map_err(Error::Stdout)?;
        stdout.flush().map_err(Error::Stdout)?;
        all_docs += docs;
        all_tokens += tokens;
    }
    writeln!(stdout, "total\t{all_docs}\t{all_tokens}").map_err(Error::Stdout)?;
    stdout.flush().map_err(Error::Stdout)
}
