//! `tokenmill dataset export DIR --to parquet|csv|jsonl --out FILE`: one saved dataset (or one split
//! of a DatasetDict, `--split`) to a file, written atomically.

use std::io::Write;
use std::path::PathBuf;

use tokenmill_datasets::dataset_dict::{load_from_disk, Saved};
use tokenmill_datasets::export::{export, Format};

use super::bar::Bar;
use crate::error::{Error, Result};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A folder written by `save_to_disk` (a Dataset or a DatasetDict).
    pub dir: PathBuf,
    /// parquet, csv or jsonl.
    #[arg(long)]
    pub to: String,
    /// The file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// The split to export, when DIR is a DatasetDict with several splits.
    #[arg(long)]
    pub split: Option<String>,
}

pub fn run(a: Args) -> Result<()> {
    let format: Format = a.to.parse()?;
    let ds = match load_from_disk(&a.dir)? {
        Saved::Dataset(ds) => ds,
        Saved::Dict(dict) => match &a.split {
            Some(s) => dict.split(s)?.clone(),
            None if dict.len() == 1 => dict.iter().next().map(|(_, d)| d.clone()).ok_or_else(|| Error::msg("empty"))?,
            None => {
                let names: Vec<&str> = dict.names().collect();
                return Err(Error::msg(format!(
                    "{} holds splits {}: choose one with --split",
                    a.dir.display(),
                    names.join(", ")
                )));
            }
        },
    };
    let rows = export(&ds, format, &a.out, &Bar::new())?;
    writeln!(std::io::stdout().lock(), "{rows} rows -> {}", a.out.display()).map_err(Error::Stdout)
}
