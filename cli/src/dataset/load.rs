//! `tokenmill dataset load FORMAT FILES... --out DIR`: every split into a DatasetDict folder, or one
//! split (`--split`, HF slicing allowed: `train[:10%]`) into a Dataset folder. `FILES` are paths,
//! globs or folders; `split=PATTERN` assigns files to a split (`train=a.csv test=b.csv`).

use std::io::Write;
use std::path::PathBuf;

use tokenmill_datasets::load::{load_dataset, load_split, DataFiles, Format, LoadOptions, SampleBy};
use tokenmill_datasets::Dataset;

use super::bar::Bar;
use crate::error::{Error, Result};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// csv, tsv, json, parquet, text, arrow, squad, imdb (or auto: from the file extensions).
    pub format: String,
    /// Paths, globs or folders; `SPLIT=PATTERN` puts the files in split SPLIT (default: train).
    #[arg(required = true, value_name = "FILES")]
    pub files: Vec<String>,
    /// The folder to write (replaced atomically).
    #[arg(long)]
    pub out: PathBuf,
    /// Only this split, written as a single dataset (HF slicing: `train[:10%]`, `test[10:20]`).
    #[arg(long)]
    pub split: Option<String>,
    /// JSON: the key of the document holding the records.
    #[arg(long)]
    pub field: Option<String>,
    /// CSV: the field delimiter (one character; `\t` for a tab).
    #[arg(long)]
    pub delimiter: Option<String>,
    /// CSV: the first row is data, not column names.
    #[arg(long)]
    pub no_header: bool,
    /// Text: rows are lines, paragraphs or documents.
    #[arg(long, default_value = "line")]
    pub sample_by: String,
    /// Text: keep the line breaks at the end of lines.
    #[arg(long)]
    pub keep_linebreaks: bool,
    /// Only these columns (comma-separated, in this order).
    #[arg(long, value_delimiter = ',')]
    pub columns: Option<Vec<String>>,
    /// Rows per record batch while reading.
    #[arg(long, default_value_t = 10_000)]
    pub batch_rows: usize,
}

fn data_files(files: &[String]) -> DataFiles {
    let split_of = |f: &str| -> Option<(String, String)> {
        let (name, rest) = f.split_once('=')?;
        let ok = !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
        ok.then(|| (name.to_string(), rest.to_string()))
    };
    if !files.iter().any(|f| split_of(f).is_some()) {
        return DataFiles::List(files.to_vec());
    }
    let mut splits: Vec<(String, Vec<String>)> = Vec::new();
    for f in files {
        let (name, pattern) = split_of(f).unwrap_or_else(|| ("train".to_string(), f.clone()));
        match splits.iter_mut().find(|s| s.0 == name) {
            Some(s) => s.1.push(pattern),
            None => splits.push((name, vec![pattern])),
        }
    }
    DataFiles::Splits(splits)
}

fn delimiter(d: &str) -> Result<u8> {
    match d {
        "\\t" | "tab" => Ok(b'\t'),
        _ if d.len() == 1 => Ok(d.as_bytes()[0]),
        _ => Err(Error::msg(format!("--delimiter must be one ASCII character, not {d:?}"))),
    }
}

pub fn run(a: Args) -> Result<()> {
    let format = match a.format.as_str() {
        "auto" => None,
        f => Some(Format::parse(f)?),
    };
    let opts = LoadOptions {
        batch_rows: a.batch_rows.max(1),
        field: a.field.clone(),
        delimiter: a.delimiter.as_deref().map(delimiter).transpose()?,
        header: !a.no_header,
        sample_by: SampleBy::parse(&a.sample_by)?,
        keep_linebreaks: a.keep_linebreaks,
        columns: a.columns.clone(),
        ..Default::default()
    };
    let files = data_files(&a.files);
    let bar = Bar::new();
    let mut out = std::io::stdout().lock();
    let mut report = |name: &str, ds: &Dataset| -> Result<()> {
        let cols = ds.column_names().join(", ");
        writeln!(out, "{name}: {} rows, {} shards, columns: {cols}", ds.num_rows(), ds.shards().len())
            .map_err(Error::Stdout)
    };
    match &a.split {
        Some(split) => {
            let ds = load_split(format, &files, split, &opts, Some(&a.out), &bar)?;
            report(split, &ds)?;
            if split.contains(['[', '+']) {
                // A slice is cut from the whole split, which is kept in the cache (as HF does).
                super::cache::note_written(&tokenmill_datasets::cache::cache_dir());
            }
        }
        None => {
            let dict = load_dataset(format, &files, &opts, Some(&a.out), &bar)?;
            for (name, ds) in dict.iter() {
                report(name, ds)?;
            }
        }
    }
    Ok(())
}
