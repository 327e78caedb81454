//! Column edits: rename, remove, select, add, cast, flatten (struct columns → `parent.child`).
//! Each rewrites the rows into new shards in parallel (the shards' schema must equal the dataset's),
//! under a cache directory keyed by the fingerprint. The per-batch kernels are public for streams.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{make_array, Array, ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_buffer::NullBuffer;
use arrow_schema::{DataType, Field, FieldRef, Schema, SchemaRef};

use crate::cache;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::progress::Progress;

use super::par::{ordered_work, WorkFn};
use super::{write_output, DataOpOptions};

type Kernel = Arc<dyn Fn(RecordBatch, usize) -> Result<RecordBatch> + Send + Sync>;

/// Rewrites every batch with `kernel` (given the batch and its first logical row) into `schema`.
fn rewrite(
    ds: &Dataset,
    op: &str,
    args: serde_json::Value,
    schema: SchemaRef,
    kernel: Kernel,
    opts: &DataOpOptions,
    progress: &dyn Progress,
) -> Result<Dataset> {
    let fp = cache::update_fingerprint(ds.fingerprint(), op, &args);
    if let Some(hit) = opts.cached(&fp) {
        return Ok(hit);
    }
    let n = ds.num_rows();
    let size = opts.batch_size.max(1);
    let src = ds.clone();
    let work: WorkFn<usize> =
        Arc::new(move |start: usize| kernel(src.slice(start, size.min(src.num_rows() - start))?, start));
    let batches = ordered_work((0..n).step_by(size), work, opts.threads);
    progress.start(op, Some(n as u64));
    let out = write_output(ds, schema, batches, fp, opts, progress);
    progress.finish();
    out
}

fn missing(ds_schema: &Schema, name: &str) -> Error {
    Error::MissingColumn {
        name: name.into(),
        available: ds_schema.fields().iter().map(|f| f.name().as_str()).collect::<Vec<_>>().join(", "),
    }
}

/// The batch's columns under a new schema (same arrays).
fn reschema(schema: &SchemaRef, cols: Vec<ArrayRef>, rows: usize) -> Result<RecordBatch> {
    let opts = RecordBatchOptions::new().with_row_count(Some(rows));
    Ok(RecordBatch::try_new_with_options(schema.clone(), cols, &opts)?)
}

/// Renames columns `(old, new)`; unknown old names and duplicate results are errors.
pub fn rename_columns(
    ds: &Dataset,
    renames: &[(String, String)],
    opts: &DataOpOptions,
    progress: &dyn Progress,
) -> Result<Dataset> {
    let schema = ds.schema();
    for (old, _) in renames {
        schema.index_of(old).map_err(|_| missing(schema, old))?;
    }
    let fields: Vec<FieldRef> = schema
        .fields()
        .iter()
        .map(|f| match renames.iter().find(|(o, _)| o == f.name()) {
            Some((_, new)) => Arc::new(f.as_ref().clone().with_name(new)),
            None => f.clone(),
        })
        .collect();
    let mut names: Vec<&str> = fields.iter().map(|f| f.name().as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(Error::Invalid(format!("rename: column {:?} would appear twice", w[0])));
    }
    let out = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
    let s = out.clone();
    let kernel: Kernel = Arc::new(move |b, _| reschema(&s, b.columns().to_vec(), b.num_rows()));
    rewrite(ds, "rename_columns", serde_json::json!(renames), out, kernel, opts, progress)
}

pub fn rename_column(ds: &Dataset, old: &str, new: &str, opts: &DataOpOptions, p: &dyn Progress) -> Result<Dataset> {
    rename_columns(ds, &[(old.to_string(), new.to_string())], opts, p)
}

/// Keeps only `columns`, in the dataset's order (HF's `select_columns`).
pub fn select_columns(ds: &Dataset, columns: &[String], opts: &DataOpOptions, p: &dyn Progress) -> Result<Dataset> {
    let schema = ds.schema();
    for c in columns {
        schema.index_of(c).map_err(|_| missing(schema, c))?;
    }
    let keep: Vec<usize> = (0..schema.fields().len()).filter(|&i| columns.contains(schema.field(i).name())).collect();
    project(ds, keep, "select_columns", serde_json::json!(columns), opts, p)
}

/// Keeps only `columns`, in the order given (HF 5's `select_columns` returns them in that order).
pub fn select_columns_in_order(
    ds: &Dataset,
    columns: &[String],
    opts: &DataOpOptions,
    p: &dyn Progress,
) -> Result<Dataset> {
    let schema = ds.schema();
    let mut keep = Vec::with_capacity(columns.len());
    for c in columns {
        let i = schema.index_of(c).map_err(|_| missing(schema, c))?;
        if keep.contains(&i) {
            return Err(Error::Invalid(format!("select_columns: column {c:?} given twice")));
        }
        keep.push(i);
    }
    project(ds, keep, "select_columns_in_order", serde_json::json!(columns), opts, p)
}

/// Drops `columns`.
pub fn remove_columns(ds: &Dataset, columns: &[String], opts: &DataOpOptions, p: &dyn Progress) -> Result<Dataset> {
    let schema = ds.schema();
    for c in columns {
        schema.index_of(c).map_err(|_| missing(schema, c))?;
    }
    let keep: Vec<usize> = (0..schema.fields().len()).filter(|&i| !columns.contains(schema.field(i).name())).collect();
    project(ds, keep, "remove_columns", serde_json::json!(columns), opts, p)
}

fn project(
    ds: &Dataset,
    keep: Vec<usize>,
    op: &str,
    args: serde_json::Value,
    opts: &DataOpOptions,
    p: &dyn Progress,
) -> Result<Dataset> {
    let schema = Arc::new(ds.schema().project(&keep)?);
    let s = schema.clone();
    let kernel: Kernel =
        Arc::new(move |b, _| reschema(&s, keep.iter().map(|&i| b.column(i).clone()).collect(), b.num_rows()));
    rewrite(ds, op, args, schema, kernel, opts, p)
}

/// Appends column `name` with `values` (one per row, in logical order).
pub fn add_column(
    ds: &Dataset,
    name: &str,
    values: ArrayRef,
    opts: &DataOpOptions,
    p: &dyn Progress,
) -> Result<Dataset> {
    if values.len() != ds.num_rows() {
        return Err(Error::Invalid(format!("add_column {name:?}: {} values for {} rows", values.len(), ds.num_rows())));
    }
    if ds.schema().index_of(name).is_ok() {
        return Err(Error::Invalid(format!("add_column: column {name:?} already exists")));
    }
    let schema = ds.schema();
    let mut fields: Vec<FieldRef> = schema.fields().iter().cloned().collect();
    fields.push(Arc::new(Field::new(name, values.data_type().clone(), true)));
    let out = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
    // The values have no stable origin: their content is the cache key.
    let mut h = cache::Fnv64::default();
    h.field(name.as_bytes());
    for buf in values.to_data().buffers() {
        h.write(buf.as_slice());
    }
    let s = out.clone();
    let kernel: Kernel = Arc::new(move |b, start| {
        let mut cols = b.columns().to_vec();
        cols.push(values.slice(start, b.num_rows()));
        reschema(&s, cols, b.num_rows())
    });
    rewrite(ds, "add_column", serde_json::json!({ "name": name, "hash": h.finish() }), out, kernel, opts, p)
}

/// Casts columns to new types; a value that does not convert is an error naming the column.
pub fn cast(ds: &Dataset, casts: &[(String, DataType)], opts: &DataOpOptions, p: &dyn Progress) -> Result<Dataset> {
    let schema = ds.schema();
    let mut fields = Vec::with_capacity(casts.len());
    for (c, t) in casts {
        let i = schema.index_of(c).map_err(|_| missing(schema, c))?;
        fields.push(schema.field(i).clone().with_data_type(t.clone()));
    }
    cast_fields(ds, &fields, opts, p)
}

/// Casts the columns named by `fields` to those fields (type and field metadata, e.g. the extension
/// type HF gives `Array2D` columns); a value that does not convert is an error naming the column.
pub fn cast_fields(ds: &Dataset, new_fields: &[Field], opts: &DataOpOptions, p: &dyn Progress) -> Result<Dataset> {
    let schema = ds.schema();
    let mut fields: Vec<FieldRef> = schema.fields().iter().cloned().collect();
    let mut targets: Vec<(usize, DataType)> = Vec::new();
    let casts: Vec<(String, DataType)> = new_fields.iter().map(|f| (f.name().clone(), f.data_type().clone())).collect();
    for (nf, (c, t)) in new_fields.iter().zip(casts.iter()) {
        let i = schema.index_of(c).map_err(|_| missing(schema, c))?;
        if !arrow_cast::can_cast_types(schema.field(i).data_type(), t) {
            return Err(Error::WrongType {
                column: c.clone(),
                found: schema.field(i).data_type().to_string(),
                expected: format!("a type castable to {t}"),
            });
        }
        fields[i] = Arc::new(nf.clone());
        targets.push((i, t.clone()));
    }
    let out = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
    let s = out.clone();
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let kernel: Kernel = Arc::new(move |b, start| {
        let mut cols = b.columns().to_vec();
        for (i, t) in &targets {
            let strict = arrow_cast::CastOptions { safe: false, ..Default::default() };
            cols[*i] = arrow_cast::cast_with_options(&cols[*i], t, &strict).map_err(|e| {
                Error::Invalid(format!("cast column {:?} (rows {start}..{}): {e}", names[*i], start + b.num_rows()))
            })?;
        }
        reschema(&s, cols, b.num_rows())
    });
    let mut args = serde_json::json!(casts.iter().map(|(c, t)| (c.clone(), t.to_string())).collect::<Vec<_>>());
    // field metadata (an extension type) is part of the result: key the cache on it too
    let marked: Vec<String> = new_fields
        .iter()
        .filter(|f| **f != Field::new(f.name(), f.data_type().clone(), true))
        .map(|f| format!("{f:?}"))
        .collect();
    if !marked.is_empty() {
        args = serde_json::json!({ "casts": args, "fields": marked });
    }
    rewrite(ds, "cast", args, out, kernel, opts, p)
}

/// Struct columns become one column per field, named `parent.child`, recursively (HF's
/// `flatten`); a null struct makes its children null, as pyarrow's flatten does.
pub fn flatten(ds: &Dataset, opts: &DataOpOptions, p: &dyn Progress) -> Result<Dataset> {
    let schema = Arc::new(flatten_schema(ds.schema()));
    if schema.fields() == ds.schema().fields() {
        return Ok(ds.clone());
    }
    let s = schema.clone();
    let kernel: Kernel = Arc::new(move |b, _| flatten_batch(&b, &s));
    rewrite(ds, "flatten", serde_json::Value::Null, schema, kernel, opts, p)
}

fn flatten_fields(prefix: &str, f: &Field, out: &mut Vec<Field>) {
    let name = if prefix.is_empty() { f.name().clone() } else { format!("{prefix}.{}", f.name()) };
    match f.data_type() {
        DataType::Struct(children) => {
            for c in children {
                flatten_fields(&name, c, out)
            }
        }
        _ => out.push(f.clone().with_name(name).with_nullable(true)),
    }
}

pub fn flatten_schema(schema: &Schema) -> Schema {
    let mut fields = Vec::new();
    for f in schema.fields() {
        flatten_fields("", f, &mut fields);
    }
    Schema::new_with_metadata(fields, schema.metadata().clone())
}

fn flatten_array(a: &ArrayRef, parent: Option<&NullBuffer>, out: &mut Vec<ArrayRef>) -> Result<()> {
    let nulls = NullBuffer::union(parent, a.logical_nulls().as_ref());
    match a.data_type() {
        DataType::Struct(_) => {
            for c in a.as_struct().columns() {
                flatten_array(c, nulls.as_ref(), out)?;
            }
        }
        _ if parent.is_some() => out.push(make_array(a.to_data().into_builder().nulls(nulls).build()?)),
        _ => out.push(a.clone()),
    }
    Ok(())
}

pub fn flatten_batch(b: &RecordBatch, flat: &SchemaRef) -> Result<RecordBatch> {
    let mut cols = Vec::with_capacity(flat.fields().len());
    for c in b.columns() {
        flatten_array(c, None, &mut cols)?;
    }
    reschema(flat, cols, b.num_rows())
}
