//! `map`: a Rust closure over record batches (HF's `map(batched=True)`), run in parallel on a
//! rayon pool with the output order kept, written to new shards. The closure returns the columns
//! it adds or replaces; the input columns stay (in place when replaced) unless removed, exactly as
//! HF merges a batched function's output into the batch.

use std::ops::Range;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{Field, Schema, SchemaRef};

use crate::cache;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::progress::Progress;

use super::par::{ordered_work, WorkFn};
use super::{write_output, DataOpOptions};

#[derive(Debug, Clone, Default)]
pub struct MapOptions {
    pub data: DataOpOptions,
    /// Input columns to drop from the output (HF's `remove_columns`).
    pub remove_columns: Vec<String>,
    /// Names the closure for the cache key (HF hashes the function; a closure cannot be hashed).
    /// `None`: a fresh fingerprint, so the output is never reused.
    pub fingerprint: Option<String>,
}

/// `map(f, batched=True)`.
pub fn map<F>(ds: &Dataset, f: F, opts: &MapOptions, progress: &dyn Progress) -> Result<Dataset>
where
    F: Fn(RecordBatch) -> Result<RecordBatch> + Send + Sync + 'static,
{
    map_with_indices(ds, move |b, _| f(b), opts, progress)
}

/// `map(f, batched=True, with_indices=True)`: `f` also gets the batch's logical row range.
pub fn map_with_indices<F>(ds: &Dataset, f: F, opts: &MapOptions, progress: &dyn Progress) -> Result<Dataset>
where
    F: Fn(RecordBatch, Range<usize>) -> Result<RecordBatch> + Send + Sync + 'static,
{
    for c in &opts.remove_columns {
        if ds.schema().index_of(c).is_err() {
            return Err(Error::MissingColumn { name: c.clone(), available: ds.column_names().join(", ") });
        }
    }
    let args = serde_json::json!({
        "fn": opts.fingerprint.clone().unwrap_or_else(cache::random_fingerprint),
        "remove_columns": opts.remove_columns,
        "batch_size": opts.data.batch_size,
    });
    let fp = cache::update_fingerprint(ds.fingerprint(), "map", &args);
    if let Some(hit) = opts.data.cached(&fp) {
        return Ok(hit);
    }
    let remove = opts.remove_columns.clone();
    let apply = Arc::new(move |batch: RecordBatch, rows: Range<usize>| -> Result<RecordBatch> {
        let out = f(batch.clone(), rows)?;
        merge(&batch, out, &remove)
    });
    // The output schema is the first batch's (an empty input runs `f` on an empty batch).
    let n = ds.num_rows();
    let schema: SchemaRef = if n == 0 {
        apply(RecordBatch::new_empty(ds.schema().clone()), 0..0)?.schema()
    } else {
        let len = opts.data.batch_size.max(1).min(n);
        apply(ds.slice(0, len)?, 0..len)?.schema()
    };
    let starts: Vec<usize> = (0..n).step_by(opts.data.batch_size.max(1)).collect();
    let size = opts.data.batch_size.max(1);
    let src = ds.clone();
    let want = schema.clone();
    // Progress is borrowed and the stream is 'static: the writer reports rows as it pulls them.
    let work: WorkFn<usize> = Arc::new(move |start: usize| {
        let len = size.min(src.num_rows() - start);
        let out = apply(src.slice(start, len)?, start..start + len)?;
        if out.schema().fields() != want.fields() {
            return Err(Error::Invalid(format!(
                "map: the function returned columns {:?} for rows {start}.., {:?} before",
                out.schema().fields(),
                want.fields()
            )));
        }
        Ok(out)
    });
    let batches = ordered_work(starts.into_iter(), work, opts.data.threads);
    progress.start("map", Some(n as u64));
    let out = write_output(ds, schema, batches, fp, &opts.data, progress);
    progress.finish();
    out
}

/// HF's merge of a batched function's output into its input batch: input columns (minus
/// `remove`) in order, replaced in place by same-named outputs, then the new output columns.
pub fn merge(input: &RecordBatch, out: RecordBatch, remove: &[String]) -> Result<RecordBatch> {
    let out_schema = out.schema();
    let mut fields: Vec<Arc<Field>> = Vec::new();
    let mut cols: Vec<ArrayRef> = Vec::new();
    let mut kept_input = false;
    for (f, c) in input.schema().fields().iter().zip(input.columns()) {
        if remove.contains(f.name()) {
            continue;
        }
        match out_schema.index_of(f.name()) {
            Ok(j) => {
                fields.push(out_schema.fields()[j].clone());
                cols.push(out.column(j).clone());
            }
            Err(_) => {
                kept_input = true;
                fields.push(f.clone());
                cols.push(c.clone());
            }
        }
    }
    for (f, c) in out_schema.fields().iter().zip(out.columns()) {
        if input.schema().index_of(f.name()).is_err() || remove.contains(f.name()) {
            fields.push(f.clone());
            cols.push(c.clone());
        }
    }
    if kept_input && out.num_rows() != input.num_rows() && out.num_columns() > 0 {
        return Err(Error::Invalid(format!(
            "map: the function returned {} rows for a batch of {}; remove the input columns to change the row count",
            out.num_rows(),
            input.num_rows()
        )));
    }
    let rows = if out.num_columns() > 0 { out.num_rows() } else { input.num_rows() };
    let opts = arrow_array::RecordBatchOptions::new().with_row_count(Some(rows));
    Ok(RecordBatch::try_new_with_options(
        Arc::new(Schema::new_with_metadata(fields, input.schema().metadata().clone())),
        cols,
        &opts,
    )?)
}
