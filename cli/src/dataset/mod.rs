//! `tokenmill dataset ...`: load inputs into HF `save_to_disk` folders, describe them, export them,
//! tokenize them.

mod bar;
mod cache;
mod export;
mod info;
mod load;
mod tokenize;

use clap::Subcommand;

use crate::error::Result;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Load csv/tsv/json/parquet/text/arrow/squad/imdb inputs into a saved dataset (HF layout).
    Load(load::Args),
    /// Describe a saved dataset or DatasetDict: splits, rows, columns, shards, size on disk.
    Info(info::Args),
    /// Write a saved dataset to Parquet, CSV or JSON Lines.
    Export(export::Args),
    /// Tokenize a text column into input_ids (native, parallel), optionally packed into blocks.
    Tokenize(tokenize::Args),
    /// Show where the datasets cache is and how large; --clear empties it.
    Cache(cache::Args),
}

pub fn run(a: Args) -> Result<()> {
    match a.command {
        Command::Load(a) => load::run(a),
        Command::Info(a) => info::run(a),
        Command::Export(a) => export::run(a),
        Command::Tokenize(a) => tokenize::run(a),
        Command::Cache(a) => cache::run(a),
    }
}
