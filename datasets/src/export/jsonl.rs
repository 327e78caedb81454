//! Dataset → JSON Lines: one object per row, keys in column order, nulls written as `null` (as
//! HF's `to_json`, which defaults to `orient="records", lines=True`). Lists become arrays and
//! structs objects.

use std::path::Path;

use super::{write_error, AtomicFile, EXPORT_BATCH_ROWS};
use crate::dataset::Dataset;
use crate::error::Result;
use crate::progress::Progress;

/// Writes `ds` to `path` as JSON Lines. Returns the rows written.
pub fn write_jsonl(ds: &Dataset, path: &Path, progress: &dyn Progress) -> Result<u64> {
    let (file, sink) = AtomicFile::create(path)?;
    let mut writer =
        arrow_json::WriterBuilder::new().with_explicit_nulls(true).build::<_, arrow_json::writer::LineDelimited>(sink);
    progress.start("Exporting to JSON Lines", Some(ds.num_rows() as u64));
    let mut rows = 0u64;
    for batch in ds.batches(EXPORT_BATCH_ROWS) {
        let batch = batch?;
        writer.write(&batch).map_err(|e| write_error(file.path(), e))?;
        rows += batch.num_rows() as u64;
        progress.advance(batch.num_rows() as u64);
    }
    writer.finish().map_err(|e| write_error(file.path(), e))?;
    file.commit(writer.into_inner())?;
    progress.finish();
    Ok(rows)
}
