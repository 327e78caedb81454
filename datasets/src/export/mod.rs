//! Dataset → files other tools read: Parquet ([`parquet`]), CSV ([`csv`]), JSON Lines ([`jsonl`]).
//! Every writer streams the dataset batch by batch (bounded memory) into a temporary file next to
//! the target, fsyncs it and renames it into place: a crash never leaves a half-written file under
//! the target name. Reading these formats back is the loaders' job ([`crate::load`]).

pub mod csv;
pub mod jsonl;
pub mod parquet;

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::progress::Progress;

/// Rows per batch while exporting.
pub const EXPORT_BATCH_ROWS: usize = 10_000;

/// The export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Parquet,
    Csv,
    JsonLines,
}

impl std::str::FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Format> {
        match s.to_ascii_lowercase().as_str() {
            "parquet" => Ok(Format::Parquet),
            "csv" => Ok(Format::Csv),
            "jsonl" | "json" | "jsonlines" | "ndjson" => Ok(Format::JsonLines),
            other => Err(Error::Invalid(format!("unknown export format {other:?} (parquet, csv, jsonl)"))),
        }
    }
}

/// Writes `ds` to `path` in `format` (atomically). Returns the rows written.
pub fn export(ds: &Dataset, format: Format, path: impl AsRef<Path>, progress: &dyn Progress) -> Result<u64> {
    let path = path.as_ref();
    match format {
        Format::Parquet => parquet::write_parquet(ds, path, progress),
        Format::Csv => csv::write_csv(ds, path, &csv::CsvOptions::default(), progress),
        Format::JsonLines => jsonl::write_jsonl(ds, path, progress),
    }
}

/// A file being written under a temporary name next to its target; `commit` fsyncs and renames.
/// Dropped without commit (error, panic), it removes itself.
pub(crate) struct AtomicFile {
    tmp: Option<PathBuf>,
    target: PathBuf,
}

impl AtomicFile {
    pub(crate) fn create(target: &Path) -> Result<(AtomicFile, BufWriter<File>)> {
        let name = target
            .file_name()
            .ok_or_else(|| Error::Invalid(format!("{}: not a file name", target.display())))?
            .to_string_lossy()
            .into_owned();
        let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        let tmp = parent.join(format!(".{name}.tmp-{}-{}", std::process::id(), crate::cache::random_fingerprint()));
        let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        Ok((AtomicFile { tmp: Some(tmp), target: target.to_path_buf() }, BufWriter::with_capacity(1 << 20, file)))
    }

    pub(crate) fn path(&self) -> &Path {
        self.tmp.as_deref().unwrap_or(&self.target)
    }

    pub(crate) fn commit(mut self, writer: BufWriter<File>) -> Result<()> {
        let tmp = self.tmp.take().expect("committed once");
        let file = writer.into_inner().map_err(|e| Error::io(&tmp, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(&tmp, e))?;
        drop(file);
        std::fs::rename(&tmp, &self.target).map_err(|e| Error::io(&self.target, e))?;
        if let Some(parent) = self.target.parent().filter(|p| !p.as_os_str().is_empty()) {
            crate::shard_writer::sync_dir(parent)?;
        }
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// Maps an arrow error while writing `path` to a typed error naming it.
pub(crate) fn write_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Invalid(format!("{}: {e}", path.display()))
}
