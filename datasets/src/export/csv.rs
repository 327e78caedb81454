//! Dataset → CSV (header row, `,` delimiter, RFC 4180 quoting, empty field for null, booleans as
//! `True`/`False`): what HF's `to_csv` writes through pandas.
//! Nested columns (lists, structs) have no CSV form: they are a typed error naming the column.

use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use std::sync::Arc;

use super::{write_error, AtomicFile, EXPORT_BATCH_ROWS};
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::progress::Progress;

#[derive(Clone, Debug)]
pub struct CsvOptions {
    pub delimiter: u8,
    pub header: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions { delimiter: b',', header: true }
    }
}

/// Writes `ds` to `path` as CSV. Returns the rows written.
pub fn write_csv(ds: &Dataset, path: &Path, opts: &CsvOptions, progress: &dyn Progress) -> Result<u64> {
    for f in ds.schema().fields() {
        if f.data_type().is_nested() {
            return Err(Error::WrongType {
                column: f.name().clone(),
                found: f.data_type().to_string(),
                expected: "a flat (non-list, non-struct) type for CSV".into(),
            });
        }
    }
    let (file, sink) = AtomicFile::create(path)?;
    let mut writer =
        arrow_csv::WriterBuilder::new().with_header(opts.header).with_delimiter(opts.delimiter).build(sink);
    progress.start("Exporting to CSV", Some(ds.num_rows() as u64));
    let mut rows = 0u64;
    let mut wrote_any = false;
    for batch in ds.batches(EXPORT_BATCH_ROWS) {
        let batch = python_bools(batch?)?;
        writer.write(&batch).map_err(|e| write_error(file.path(), e))?;
        wrote_any = true;
        rows += batch.num_rows() as u64;
        progress.advance(batch.num_rows() as u64);
    }
    if !wrote_any {
        // an empty dataset still gets its header line
        writer
            .write(&python_bools(RecordBatch::new_empty(ds.schema().clone()))?)
            .map_err(|e| write_error(file.path(), e))?;
    }
    file.commit(writer.into_inner())?;
    progress.finish();
    Ok(rows)
}

/// Boolean columns as pandas prints them (`True`/`False`), so the files equal HF's byte for byte.
fn python_bools(batch: RecordBatch) -> Result<RecordBatch> {
    if !batch.schema().fields().iter().any(|f| f.data_type() == &DataType::Boolean) {
        return Ok(batch);
    }
    let mut fields = Vec::with_capacity(batch.num_columns());
    let mut columns = Vec::with_capacity(batch.num_columns());
    for (f, c) in batch.schema().fields().iter().zip(batch.columns()) {
        if f.data_type() == &DataType::Boolean {
            let b = c.as_boolean();
            let s: StringArray =
                (0..b.len()).map(|i| b.is_valid(i).then(|| if b.value(i) { "True" } else { "False" })).collect();
            fields.push(Field::new(f.name(), DataType::Utf8, true));
            columns.push(Arc::new(s) as ArrayRef);
        } else {
            fields.push(f.as_ref().clone());
            columns.push(c.clone());
        }
    }
    Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)?)
}
