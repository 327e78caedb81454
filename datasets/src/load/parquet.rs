//! Parquet: streamed one row group at a time by parquet's Arrow reader (bounded memory: one batch of
//! `batch_rows` rows decoded at a time), with column projection. The schema is the file's own Arrow
//! schema (HF reads Parquet with pyarrow and keeps it). Parquet needs seeking, so compressed
//! (`.gz`/`.zst`) Parquet files are refused.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::RecordBatchReader;
use arrow_schema::SchemaRef;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;

use super::files::Compression;
use super::{chain_files, corrupt, project_batches, projection, BatchIter, BatchSource, LoadOptions};
use crate::error::{Error, Result};

pub fn source(paths: &[PathBuf], opts: &LoadOptions) -> Result<BatchSource> {
    let (schema, first) = open_file(&paths[0], opts)?;
    let o = opts.clone();
    let open = Arc::new(move |p: &Path, _: &SchemaRef| open_file(p, &o).map(|(_, it)| it));
    Ok(BatchSource { schema: schema.clone(), batches: chain_files(schema, paths.to_vec(), first, open) })
}

/// The (projected) schema and batches of one file.
pub fn open_file(path: &Path, opts: &LoadOptions) -> Result<(SchemaRef, BatchIter)> {
    if Compression::of(path) != Compression::None {
        return Err(Error::Invalid(format!(
            "{}: compressed Parquet cannot be read (it needs seeking)",
            path.display()
        )));
    }
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| corrupt(path, e))?;
    let full = builder.schema().clone();
    // Columns come out in file order whatever the mask; `order` puts them in the caller's order.
    let mut order = None;
    if let Some(cols) = &opts.columns {
        let idx = projection(&full, cols)?;
        let mut sorted = idx.clone();
        sorted.sort_unstable();
        order = Some(idx.iter().map(|i| sorted.binary_search(i).unwrap_or(0)).collect::<Vec<usize>>());
        let mask = ProjectionMask::roots(builder.parquet_schema(), idx.iter().copied());
        builder = builder.with_projection(mask);
    }
    let reader = builder.with_batch_size(opts.batch_rows.max(1)).build().map_err(|e| corrupt(path, e))?;
    let schema = reader.schema();
    project_batches(path, schema, reader, order)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    use parquet::arrow::ArrowWriter;
    use parquet::file::properties::WriterProperties;

    fn write(name: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("tm-pq-{}-{name}", std::process::id()));
        let a: ArrayRef = Arc::new(Int64Array::from_iter_values(0..1000));
        let b: ArrayRef = Arc::new(StringArray::from_iter_values((0..1000).map(|i| format!("row {i}"))));
        let batch = RecordBatch::try_from_iter([("a", a), ("b", b)]).unwrap();
        let props = WriterProperties::builder().set_max_row_group_row_count(Some(300)).build();
        let mut w = ArrowWriter::try_new(File::create(&p).unwrap(), batch.schema(), Some(props)).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        p
    }

    #[test]
    fn row_groups_stream_in_batches_with_projection() {
        let p = write("ok.parquet");
        let opts = LoadOptions { batch_rows: 128, columns: Some(vec!["b".into(), "a".into()]), ..Default::default() };
        let src = source(&[p.clone(), p], &opts).unwrap();
        assert_eq!(src.schema.field(0).name(), "b");
        let batches = src.collect().unwrap();
        assert!(batches.iter().all(|b| b.num_rows() <= 128));
        let a: Vec<i64> =
            batches.iter().flat_map(|b| b.column(1).as_primitive::<Int64Type>().values().to_vec()).collect();
        assert_eq!(a.len(), 2000);
        assert_eq!(&a[..1000], (0..1000).collect::<Vec<_>>().as_slice());
        let bad = LoadOptions { columns: Some(vec!["nope".into()]), ..Default::default() };
        assert!(matches!(source(&[write("ok2.parquet")], &bad), Err(Error::MissingColumn { .. })));
    }

    #[test]
    fn truncated_file_is_corrupt() {
        let p = write("trunc.parquet");
        let bytes = std::fs::read(&p).unwrap();
        std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
        let err = source(std::slice::from_ref(&p), &LoadOptions::default()).and_then(|s| s.collect()).unwrap_err();
        assert!(matches!(err, Error::CorruptShard { .. }) && err.to_string().contains(p.to_str().unwrap()), "{err}");
    }
}
