//! Loaders: every input format becomes a [`BatchSource`], a schema plus a lazy stream of record
//! batches with bounded memory. Writing a source into shards is [`crate::Dataset::from_source`];
//! iterating it without writing is [`crate::stream`].
//!
//! Per format there is one module with `source(files, &LoadOptions) -> Result<BatchSource>`;
//! [`source`] dispatches on [`Format`]. Several files are read one after the other, lazily, and must
//! share the first file's schema (a differing file is cast to it, as HF casts to its features).

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub mod hf_disk;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use crate::error::{Error, Result};

mod chunked;
pub mod csv;
mod csv_infer;
mod csv_plain;
pub mod files;
pub mod imdb;
pub mod ipc;
pub mod json;
mod json_value;
pub mod load_dataset;
pub mod parquet;
pub mod split_spec;
pub mod squad;
pub mod text;

pub use files::{DataFiles, ResolvedFiles};
pub use load_dataset::{load_dataset, load_split};
pub use split_spec::SplitSpec;

/// A schema and the record batches that follow it, produced lazily.
pub struct BatchSource {
    pub schema: SchemaRef,
    pub batches: Box<dyn Iterator<Item = Result<RecordBatch>> + Send>,
}

impl BatchSource {
    pub fn new(schema: SchemaRef, batches: impl Iterator<Item = Result<RecordBatch>> + Send + 'static) -> Self {
        BatchSource { schema, batches: Box::new(batches) }
    }

    /// Every batch, in memory (tests and small inputs).
    pub fn collect(self) -> Result<Vec<RecordBatch>> {
        self.batches.collect()
    }
}

/// A lazy stream of batches.
pub type BatchIter = Box<dyn Iterator<Item = Result<RecordBatch>> + Send>;

/// Input formats, named as HF's packaged builders (plus `squad` and `imdb`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Csv,
    Tsv,
    Json,
    Parquet,
    Text,
    Arrow,
    Squad,
    Imdb,
}

impl Format {
    pub fn parse(name: &str) -> Result<Self> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "csv" => Format::Csv,
            "tsv" => Format::Tsv,
            "json" | "jsonl" | "ndjson" => Format::Json,
            "parquet" => Format::Parquet,
            "text" | "txt" => Format::Text,
            "arrow" | "ipc" | "feather" => Format::Arrow,
            "squad" => Format::Squad,
            "imdb" => Format::Imdb,
            other => {
                return Err(Error::Invalid(format!(
                    "unknown format {other:?} (csv, tsv, json, parquet, text, arrow, squad, imdb)"
                )))
            }
        })
    }

    /// The format a file extension (under any `.gz`/`.zst`) stands for, as HF infers it for folders.
    pub fn from_path(path: &Path) -> Option<Self> {
        Some(match files::format_extension(path)?.as_str() {
            "csv" => Format::Csv,
            "tsv" => Format::Tsv,
            "json" | "jsonl" | "ndjson" => Format::Json,
            "parquet" => Format::Parquet,
            "txt" | "text" => Format::Text,
            "arrow" | "ipc" | "feather" => Format::Arrow,
            _ => return None,
        })
    }

    /// The format most files of `paths` have (ties: the first seen), or an error naming the first file.
    pub fn infer(paths: &[PathBuf]) -> Result<Self> {
        let mut counts: Vec<(Format, usize)> = Vec::new();
        for f in paths.iter().filter_map(|p| Format::from_path(p)) {
            match counts.iter_mut().find(|(g, _)| *g == f) {
                Some(c) => c.1 += 1,
                None => counts.push((f, 1)),
            }
        }
        let best = counts.iter().fold(None::<(Format, usize)>, |b, &(f, n)| match b {
            Some((_, m)) if m >= n => b,
            _ => Some((f, n)),
        });
        best.map(|(f, _)| f).ok_or_else(|| {
            let first = paths.first().map(|p| p.display().to_string()).unwrap_or_default();
            Error::Invalid(format!("cannot infer the format of {first}: give it explicitly"))
        })
    }
}

/// How the text loader cuts a file into rows (HF's `sample_by`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SampleBy {
    #[default]
    Line,
    Paragraph,
    Document,
}

impl SampleBy {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "line" => Ok(SampleBy::Line),
            "paragraph" => Ok(SampleBy::Paragraph),
            "document" => Ok(SampleBy::Document),
            _ => Err(Error::Invalid(format!("sample_by must be line, paragraph or document, not {s:?}"))),
        }
    }
}

/// Options of every loader; each reads the fields it knows.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Rows per record batch (memory per batch is also capped by `batch_bytes` where the loader
    /// controls the cut: text, squad, imdb).
    pub batch_rows: usize,
    /// Approximate cap of the bytes of one batch.
    pub batch_bytes: usize,
    /// Rows read to infer a CSV/JSON schema.
    pub infer_rows: usize,
    /// CSV / JSON Lines: the input is decoded in parallel in chunks of about this many bytes, cut at
    /// record boundaries (any size gives the same rows; small sizes are for tests).
    pub chunk_bytes: usize,
    /// A given schema (CSV, JSON): no inference, values parsed as these types.
    pub schema: Option<SchemaRef>,
    /// Only these columns, in this order (an unknown name is an error).
    pub columns: Option<Vec<String>>,
    /// CSV: field delimiter (`,`; `\t` for tsv), quote, escape, header row, comment prefix.
    pub delimiter: Option<u8>,
    pub quote: u8,
    pub escape: Option<u8>,
    pub header: bool,
    pub comment: Option<u8>,
    /// CSV: lines skipped at the top of each file, before the header (pandas' `skiprows=n`).
    pub skip_rows: usize,
    /// JSON: the key of a document holding the records (`{"data": [...]}`).
    pub field: Option<String>,
    /// Text: rows are lines, paragraphs or whole documents; keep the `\n` at line ends.
    pub sample_by: SampleBy,
    pub keep_linebreaks: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            batch_rows: 10_000,
            batch_bytes: 32 << 20,
            infer_rows: 10_000,
            chunk_bytes: 4 << 20,
            schema: None,
            columns: None,
            delimiter: None,
            quote: b'"',
            escape: None,
            header: true,
            comment: None,
            skip_rows: 0,
            field: None,
            sample_by: SampleBy::Line,
            keep_linebreaks: false,
        }
    }
}

/// A source over `files` in `format` (one split's files). IMDB is per split: see [`imdb`].
pub fn source(format: Format, files: &[PathBuf], opts: &LoadOptions) -> Result<BatchSource> {
    if files.is_empty() {
        return Err(Error::Invalid("no input file".into()));
    }
    match format {
        Format::Csv => csv::source(files, opts),
        Format::Tsv => {
            let mut o = opts.clone();
            o.delimiter.get_or_insert(b'\t');
            csv::source(files, &o)
        }
        Format::Json => json::source(files, opts),
        Format::Parquet => parquet::source(files, opts),
        Format::Text => project_source(text::source(files, opts)?, opts),
        Format::Arrow => ipc::source(files, opts),
        Format::Squad => project_source(squad::source(files, opts)?, opts),
        Format::Imdb => Err(Error::Invalid("imdb yields several splits: use load::imdb::sources".into())),
    }
}

/// Opens one file of a multi-file source; given the schema every file must produce.
pub(crate) type OpenFile = dyn Fn(&Path, &SchemaRef) -> Result<BatchIter> + Send + Sync;

/// Chains the batches of `files` lazily: the first file is opened by the caller (it gave the schema),
/// the others when reached. Batches of later files whose schema differs are cast to `schema`.
pub(crate) fn chain_files(schema: SchemaRef, files: Vec<PathBuf>, first: BatchIter, open: Arc<OpenFile>) -> BatchIter {
    let rest = files.into_iter().skip(1);
    let tail = rest.flat_map(move |path| {
        let s = schema.clone();
        let it: BatchIter = match open(&path, &s) {
            Ok(it) => Box::new(it.map(move |b| b.and_then(|b| conform(b, &s, &path)))),
            Err(e) => Box::new(std::iter::once(Err(e))),
        };
        it
    });
    Box::new(first.chain(tail))
}

/// `batch` with exactly `schema`'s fields: same names in order, cast where types differ.
pub(crate) fn conform(batch: RecordBatch, schema: &SchemaRef, path: &Path) -> Result<RecordBatch> {
    if batch.schema().fields() == schema.fields() {
        return batch.with_schema(schema.clone()).map_err(Error::from);
    }
    let mut cols = Vec::with_capacity(schema.fields().len());
    for f in schema.fields() {
        let col = batch.column_by_name(f.name()).ok_or_else(|| {
            Error::parse(path, "schema", format!("column {:?} missing (the first file has it)", f.name()))
        })?;
        let col = if col.data_type() == f.data_type() {
            col.clone()
        } else {
            arrow_cast::cast(col, f.data_type()).map_err(|e| {
                Error::parse(path, format!("column {:?}", f.name()), format!("cannot cast to {}: {e}", f.data_type()))
            })?
        };
        cols.push(col);
    }
    if batch.num_columns() != schema.fields().len() {
        let extra: Vec<_> = batch
            .schema()
            .fields()
            .iter()
            .filter(|f| schema.field_with_name(f.name()).is_err())
            .map(|f| f.name().clone())
            .collect();
        return Err(Error::parse(path, "schema", format!("columns {extra:?} not in the first file's schema")));
    }
    RecordBatch::try_new(schema.clone(), cols).map_err(|e| Error::parse(path, "schema", e.to_string()))
}

/// Projects `schema` on `columns` (in that order); an unknown name is [`Error::MissingColumn`].
pub(crate) fn projection(schema: &arrow_schema::Schema, columns: &[String]) -> Result<Vec<usize>> {
    columns
        .iter()
        .map(|c| {
            schema.index_of(c).map_err(|_| Error::MissingColumn {
                name: c.clone(),
                available: schema.fields().iter().map(|f| f.name().as_str()).collect::<Vec<_>>().join(", "),
            })
        })
        .collect()
}

/// `src` with only `opts.columns`, in that order (for loaders whose readers cannot project: text,
/// squad, imdb); unchanged without `columns`.
pub(crate) fn project_source(src: BatchSource, opts: &LoadOptions) -> Result<BatchSource> {
    let Some(cols) = &opts.columns else { return Ok(src) };
    let idx = projection(&src.schema, cols)?;
    let schema = Arc::new(src.schema.project(&idx)?);
    let s = schema.clone();
    let batches = src.batches.map(move |b| {
        let b = b?.project(&idx)?;
        b.with_schema(s.clone()).map_err(Error::from)
    });
    Ok(BatchSource { schema, batches: Box::new(batches) })
}

/// A corrupt or truncated Arrow-native input (IPC, Parquet), named by its path.
pub(crate) fn corrupt(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::CorruptShard { path: path.to_path_buf(), reason: e.to_string() }
}

/// The batches of one Arrow-native reader, projected onto `proj` (the caller's column order). The
/// first read error is reported as a corrupt `path` and ends the stream.
pub(crate) fn project_batches<E: std::fmt::Display>(
    path: &Path,
    schema: SchemaRef,
    batches: impl Iterator<Item = std::result::Result<RecordBatch, E>> + Send + 'static,
    proj: Option<Vec<usize>>,
) -> Result<(SchemaRef, BatchIter)> {
    let out_schema = match &proj {
        Some(p) => Arc::new(schema.project(p)?),
        None => schema,
    };
    let path = path.to_path_buf();
    let mut failed = false;
    let it = batches.map_while(move |b| {
        if failed {
            return None;
        }
        let r = b.map_err(|e| corrupt(&path, e)).and_then(|b| match &proj {
            Some(p) => b.project(p).map_err(Error::from),
            None => Ok(b),
        });
        failed = r.is_err();
        Some(r)
    });
    Ok((out_schema, Box::new(it)))
}
