//! Dataset → Parquet (snappy, like pyarrow's default that HF's `to_parquet` uses), with the schema
//! (and HF's `huggingface` features metadata) stored in the file.

use std::path::Path;

use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use super::{write_error, AtomicFile, EXPORT_BATCH_ROWS};
use crate::dataset::Dataset;
use crate::error::Result;
use crate::progress::Progress;

/// Writes `ds` to `path` as Parquet. Returns the rows written.
pub fn write_parquet(ds: &Dataset, path: &Path, progress: &dyn Progress) -> Result<u64> {
    let (file, sink) = AtomicFile::create(path)?;
    let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
    let schema = std::sync::Arc::new(crate::features::with_hf_metadata(ds.schema())?);
    let mut writer =
        ArrowWriter::try_new(sink, schema.clone(), Some(props)).map_err(|e| write_error(file.path(), e))?;
    progress.start("Exporting to Parquet", Some(ds.num_rows() as u64));
    let mut rows = 0u64;
    for batch in ds.batches(EXPORT_BATCH_ROWS) {
        let batch = arrow_array::RecordBatch::try_new(schema.clone(), batch?.columns().to_vec())?;
        writer.write(&batch).map_err(|e| write_error(file.path(), e))?;
        rows += batch.num_rows() as u64;
        progress.advance(batch.num_rows() as u64);
    }
    let sink = writer.into_inner().map_err(|e| write_error(file.path(), e))?;
    file.commit(sink)?;
    progress.finish();
    Ok(rows)
}
