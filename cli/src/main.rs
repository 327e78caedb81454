//! `tokenmill`: tokenize corpora into binary shards, encode/decode/count from the command line.

mod count;
mod dataset;
mod decode;
mod encode;
mod error;
mod input;
mod jsonl;
mod shards;
mod tokenize;
mod tokenizer_arg;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "tokenmill", version, about = "Fast BPE tokenization of text corpora")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Tokenize .txt / .jsonl / .parquet files (or - for stdin) into binary shards.
    Tokenize(tokenize::Args),
    /// Print one JSON array of ids per input record.
    Encode(encode::Args),
    /// Turn JSON arrays of ids (one per line) back into text.
    Decode(decode::Args),
    /// Count documents and tokens per file.
    Count(count::Args),
    /// Datasets: load inputs into saved (HF save_to_disk) datasets, describe and export them.
    Dataset(dataset::Args),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Tokenize(a) => tokenize::run(a),
        Command::Encode(a) => encode::run(a),
        Command::Decode(a) => decode::run(a),
        Command::Count(a) => count::run(a),
        Command::Dataset(a) => dataset::run(a),
    };
    match result {
        Ok(()) => {}
        // `tokenmill encode ... | head`: the reader left, nothing more to say.
        Err(error::Error::Stdout(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => {
            let msg = e.to_string();
            // One line: multi-line library messages are folded.
            let line = msg.trim_end().replace('\n', " ");
            eprintln!("tokenmill: error: {line}");
            std::process::exit(1);
        }
    }
}
