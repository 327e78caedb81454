//! Native tokenize map: a text column becomes a `list<uint32>` (or `list<uint16>`) `input_ids`
//! column, with `attention_mask` and `offset_mapping` on request, truncation and padding, in
//! parallel over record batches — no per-row callback, no Python. Each batch's ids are encoded
//! straight into one values buffer plus one offsets buffer (the Arrow list layout), so there is no
//! `Vec` per row. [`pack`] turns tokenized documents into fixed-size blocks for LM training.

pub mod engine;
pub mod pack;

use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{FixedSizeListBuilder, UInt32Builder};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, Int8Array, ListArray, RecordBatch, UInt16Array, UInt32Array};
use arrow_buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use tokenmill_tokenizers::model::DropoutCall;
use tokenmill_tokenizers::OffsetType;

use crate::cache;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::ops::par::{ordered_work, WorkFn};
use crate::ops::{write_output, DataOpOptions};
use crate::progress::Progress;

pub use engine::TextTokenizer;
pub use pack::{pack_stream, PackOptions, Packer};

/// Element type of the ids column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum IdType {
    /// `u16` when every id of the tokenizer fits (n_vocab ≤ 65,536), else `u32`.
    Auto,
    U16,
    U32,
}

/// How rows are padded (on the right, with `pad_id`, attention mask 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Padding {
    None,
    /// To the longest row of each record batch (HF's `padding="longest"` in a batched map).
    Longest,
    /// To `max_length` (HF's `padding="max_length"`).
    MaxLength,
}

/// How text that spells a special/added token is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Specials {
    /// As ordinary text (tiktoken's `encode_ordinary`).
    Ordinary,
    /// Added tokens become their ids (Hugging Face `tokenizers`' `encode`).
    Added,
}

/// What [`tokenize`] and [`tokenize_batch`] do.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenizeOptions {
    /// The text column (string, large string or string view).
    pub column: String,
    /// Name of the ids column (replaces a column of that name).
    pub output: String,
    pub dtype: IdType,
    pub specials: Specials,
    /// Append the end-of-text token to every row (`eot_id`, else the tokenizer's `<|endoftext|>`).
    /// With truncation the text is cut first so the EOT always ends the row.
    pub add_eot: bool,
    pub eot_id: Option<u32>,
    /// Also write `attention_mask` (`list<int8>`, as HF stores it).
    pub attention_mask: bool,
    /// Also write `offset_mapping` (`list<fixed_size_list<uint32, 2>>`, char offsets as HF).
    pub offsets: bool,
    /// Truncate rows to this many tokens (from the right).
    pub max_length: Option<usize>,
    pub padding: Padding,
    /// Padding id; default: the EOT id if the tokenizer has one, else 0.
    pub pad_id: Option<u32>,
    /// A tokenizer.json's whole pipeline, as `tokenizer(batch["text"])` in a batched HF map: the
    /// post-processor's special tokens (`[CLS]`/`[SEP]`, ...) and the tokenizer's own truncation and
    /// padding settings (batch padding per record batch). Excludes `add_eot`, `max_length` and
    /// `padding` (set those on the tokenizer) and needs a tokenizer.json tokenizer.
    pub pipeline: bool,
    /// Keep the input columns next to the new ones (HF `map` keeps them unless removed).
    pub keep_columns: bool,
    /// Worker threads (0 = default: `RAYON_NUM_THREADS` or all cores).
    pub threads: usize,
    /// Rows per record batch handed to a worker.
    pub batch_size: usize,
}

impl Default for TokenizeOptions {
    fn default() -> Self {
        TokenizeOptions {
            column: "text".into(),
            output: "input_ids".into(),
            dtype: IdType::Auto,
            specials: Specials::Ordinary,
            add_eot: false,
            eot_id: None,
            attention_mask: false,
            offsets: false,
            max_length: None,
            padding: Padding::None,
            pad_id: None,
            pipeline: false,
            keep_columns: true,
            threads: 0,
            batch_size: 1000,
        }
    }
}

pub const EOT_TEXT: &str = "<|endoftext|>";

/// Options checked against one tokenizer and input schema: the concrete ids and output schema.
#[derive(Debug, Clone)]
pub struct Plan {
    pub opts: TokenizeOptions,
    pub column_index: usize,
    pub u16_ids: bool,
    pub eot: Option<u32>,
    pub pad: u32,
    pub schema: SchemaRef,
}

impl Plan {
    pub fn new(tok: &TextTokenizer, input: &Schema, opts: &TokenizeOptions) -> Result<Plan> {
        let column_index = input.index_of(&opts.column).map_err(|_| Error::MissingColumn {
            name: opts.column.clone(),
            available: input.fields().iter().map(|f| f.name().as_str()).collect::<Vec<_>>().join(", "),
        })?;
        let dt = input.field(column_index).data_type();
        if !matches!(dt, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) {
            return Err(Error::WrongType {
                column: opts.column.clone(),
                found: dt.to_string(),
                expected: "string".into(),
            });
        }
        let default_eot = tok.special_token_id(EOT_TEXT);
        let eot = if opts.add_eot {
            Some(opts.eot_id.or(default_eot).ok_or_else(|| {
                Error::Invalid(format!("add_eot: tokenizer {} has no {EOT_TEXT} token; give eot_id", tok.name()))
            })?)
        } else {
            None
        };
        if opts.pipeline {
            if !matches!(tok, TextTokenizer::HuggingFace(_)) {
                return Err(Error::Invalid(format!(
                    "pipeline: {} is a tiktoken encoding; the full pipeline needs a tokenizer.json",
                    tok.name()
                )));
            }
            if opts.add_eot || opts.max_length.is_some() || opts.padding != Padding::None {
                return Err(Error::Invalid(
                    "pipeline uses the tokenizer's own special tokens, truncation and padding: \
                     set them on the tokenizer, not add_eot/max_length/padding"
                        .into(),
                ));
            }
        }
        if opts.padding == Padding::MaxLength && opts.max_length.is_none() {
            return Err(Error::Invalid("padding to max_length needs max_length".into()));
        }
        if opts.add_eot && opts.max_length == Some(0) {
            return Err(Error::Invalid("max_length 0 leaves no room for the EOT token".into()));
        }
        let pad = opts.pad_id.or(default_eot).unwrap_or(0);
        let max_id = tok.max_token_id().max(eot.unwrap_or(0)).max(if opts.padding == Padding::None { 0 } else { pad });
        let u16_ids = match opts.dtype {
            IdType::Auto => max_id <= u16::MAX as u32,
            IdType::U16 if max_id > u16::MAX as u32 => {
                return Err(Error::Invalid(format!("ids of {} go up to {max_id}: they do not fit u16", tok.name())))
            }
            IdType::U16 => true,
            IdType::U32 => false,
        };
        let id_type = if u16_ids { DataType::UInt16 } else { DataType::UInt32 };
        let mut new_fields = vec![Field::new(&opts.output, DataType::new_list(id_type, true), true)];
        if opts.attention_mask {
            new_fields.push(Field::new("attention_mask", DataType::new_list(DataType::Int8, true), true));
        }
        if opts.offsets {
            new_fields.push(Field::new("offset_mapping", offsets_type(), true));
        }
        let mut fields: Vec<Field> = Vec::new();
        if opts.keep_columns {
            for f in input.fields() {
                if !new_fields.iter().any(|n| n.name() == f.name()) {
                    fields.push(f.as_ref().clone());
                }
            }
        }
        fields.extend(new_fields);
        let schema = Arc::new(Schema::new_with_metadata(fields, input.metadata().clone()));
        Ok(Plan { opts: opts.clone(), column_index, u16_ids, eot, pad, schema })
    }
}

fn offsets_type() -> DataType {
    DataType::new_list(DataType::new_fixed_size_list(DataType::UInt32, 2, true), true)
}

/// The text column of a batch as one accessor, whatever its string layout.
enum Texts<'a> {
    Utf8(&'a arrow_array::StringArray),
    Large(&'a arrow_array::LargeStringArray),
    View(&'a arrow_array::StringViewArray),
}

impl Texts<'_> {
    fn get(&self, i: usize) -> Option<&str> {
        match self {
            Texts::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            Texts::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Texts::View(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}

/// Tokenizes one record batch according to `plan`. A null text gives a null row.
pub fn tokenize_batch(tok: &TextTokenizer, plan: &Plan, batch: &RecordBatch) -> Result<RecordBatch> {
    tokenize_batch_at(tok, plan, batch, tok.begin_run(), 0)
}

/// [`tokenize_batch`] for the batch starting at row `first_row` of the run `call` (see
/// [`TextTokenizer::begin_run`]): with BPE dropout, row `i` draws from the run's stream `i`.
pub fn tokenize_batch_at(
    tok: &TextTokenizer,
    plan: &Plan,
    batch: &RecordBatch,
    call: Option<DropoutCall>,
    first_row: usize,
) -> Result<RecordBatch> {
    let opts = &plan.opts;
    let col = batch.column(plan.column_index);
    let texts = match col.data_type() {
        DataType::Utf8 => Texts::Utf8(col.as_string::<i32>()),
        DataType::LargeUtf8 => Texts::Large(col.as_string::<i64>()),
        DataType::Utf8View => Texts::View(col.as_string_view()),
        other => {
            return Err(Error::WrongType {
                column: opts.column.clone(),
                found: other.to_string(),
                expected: "string".into(),
            })
        }
    };
    if let (true, TextTokenizer::HuggingFace(hf)) = (opts.pipeline, tok) {
        return pipeline_batch(hf, plan, batch, &texts, call, first_row);
    }
    let n = batch.num_rows();
    let limit = opts.max_length.unwrap_or(usize::MAX);
    // Room for content when the EOT must end a truncated row.
    let content_limit = if plan.eot.is_some() { limit.saturating_sub(1) } else { limit };
    let mut values: Vec<u32> = Vec::with_capacity(estimate_tokens(&texts, n));
    let mut ends: Vec<usize> = Vec::with_capacity(n);
    let mut offs = opts.offsets.then(|| FixedSizeListBuilder::new(UInt32Builder::new(), 2));
    let mut offs_rows: Vec<usize> = Vec::new();
    for i in 0..n {
        let start = values.len();
        if let Some(text) = texts.get(i) {
            if let Some(ob) = offs.as_mut() {
                let (ids, offsets) =
                    tok.encode_offsets_at(call, first_row + i, text, opts.specials == Specials::Added)?;
                let keep = ids.len().min(content_limit);
                values.extend_from_slice(&ids[..keep]);
                for &(s, e) in &offsets[..keep] {
                    ob.values().append_value(s as u32);
                    ob.values().append_value(e as u32);
                    ob.append(true);
                }
            } else {
                tok.encode_into_at(call, first_row + i, text, opts.specials == Specials::Added, &mut values)?;
                values.truncate(start + (values.len() - start).min(content_limit));
            }
            if let Some(eot) = plan.eot {
                values.push(eot);
                if let Some(ob) = offs.as_mut() {
                    append_zero_pair(ob);
                }
            }
        }
        ends.push(values.len());
        if opts.offsets {
            offs_rows.push(values.len());
        }
    }
    let nulls = col.logical_nulls();
    // Padding: widen every non-null row to the target length; the mask marks real tokens.
    let target = match opts.padding {
        Padding::None => None,
        Padding::MaxLength => opts.max_length,
        Padding::Longest => {
            Some(ends.iter().scan(0, |prev, &e| Some(e - std::mem::replace(prev, e))).max().unwrap_or(0))
        }
    };
    let (values, mask, ends) = match target {
        None => {
            let mask = opts.attention_mask.then(|| vec![1i8; values.len()]);
            (values, mask, ends)
        }
        Some(t) => {
            let (values, mask, ends) = pad_rows(values, &ends, t, plan.pad, nulls.as_ref(), Some(&mut offs));
            (values, mask.filter(|_| opts.attention_mask), ends)
        }
    };
    finish_batch(plan, batch, values, mask, offs.map(|mut ob| ob.finish()), &ends)
}

/// [`tokenize_batch`] with a tokenizer.json's whole pipeline ([`TokenizeOptions::pipeline`]):
/// `HfTokenizer::encode_batch` over the batch's non-null texts, on this worker's thread.
fn pipeline_batch(
    hf: &tokenmill_tokenizers::HfTokenizer,
    plan: &Plan,
    batch: &RecordBatch,
    texts: &Texts<'_>,
    call: Option<DropoutCall>,
    first_row: usize,
) -> Result<RecordBatch> {
    let opts = &plan.opts;
    let n = batch.num_rows();
    let inputs: Vec<&str> = (0..n).filter_map(|i| texts.get(i)).collect();
    let offset_type = if opts.offsets { OffsetType::Char } else { OffsetType::None };
    // One thread: the map already runs record batches in parallel. With BPE dropout the batch's
    // k-th text draws from the run's stream `first_row + k` (distinct across batches: k < rows).
    let encs = hf.encode_batch_at(call, first_row, &inputs, true, offset_type, 1)?;
    let tokens: usize = encs.iter().map(|e| e.ids.len()).sum();
    let mut values = Vec::with_capacity(tokens);
    let mut mask = opts.attention_mask.then(|| Vec::with_capacity(tokens));
    let mut offs = opts.offsets.then(|| FixedSizeListBuilder::new(UInt32Builder::new(), 2));
    let mut ends = Vec::with_capacity(n);
    let mut encs = encs.into_iter();
    for i in 0..n {
        if texts.get(i).is_some() {
            let Some(e) = encs.next() else { unreachable!("one encoding per non-null text") };
            values.extend_from_slice(&e.ids);
            if let Some(m) = mask.as_mut() {
                m.extend(e.attention_mask.iter().map(|&v| v as i8));
            }
            if let Some(ob) = offs.as_mut() {
                for &(s, e) in &e.offsets {
                    ob.values().append_value(s as u32);
                    ob.values().append_value(e as u32);
                    ob.append(true);
                }
            }
        }
        ends.push(values.len());
    }
    finish_batch(plan, batch, values, mask, offs.map(|mut ob| ob.finish()), &ends)
}

/// The output batch: the kept input columns, then ids, mask and offsets as lists cut at `ends`
/// (null rows where the text is null).
fn finish_batch(
    plan: &Plan,
    batch: &RecordBatch,
    values: Vec<u32>,
    mask: Option<Vec<i8>>,
    pairs: Option<arrow_array::FixedSizeListArray>,
    ends: &[usize],
) -> Result<RecordBatch> {
    let opts = &plan.opts;
    let nulls = batch.column(plan.column_index).logical_nulls();
    let offsets = list_offsets(ends, &opts.column)?;
    let id_values: ArrayRef = if plan.u16_ids {
        // Plan::new checked that every id the tokenizer (and EOT/pad) can produce fits.
        Arc::new(UInt16Array::from(values.iter().map(|&v| v as u16).collect::<Vec<u16>>()))
    } else {
        Arc::new(UInt32Array::from(values))
    };
    let mut new_cols: Vec<ArrayRef> = Vec::new();
    let id_field = plan.schema.field_with_name(&opts.output)?;
    let DataType::List(id_item) = id_field.data_type() else { unreachable!("Plan::new makes a list field") };
    new_cols.push(Arc::new(ListArray::try_new(id_item.clone(), offsets.clone(), id_values, nulls.clone())?));
    if let Some(mask) = mask {
        let f = Arc::new(Field::new("item", DataType::Int8, true));
        new_cols.push(Arc::new(ListArray::try_new(
            f,
            offsets.clone(),
            Arc::new(Int8Array::from(mask)),
            nulls.clone(),
        )?));
    }
    if let Some(pairs) = pairs {
        let f = Arc::new(Field::new("item", pairs.data_type().clone(), true));
        new_cols.push(Arc::new(ListArray::try_new(f, offsets.clone(), Arc::new(pairs), nulls.clone())?));
    }
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(plan.schema.fields().len());
    let n_new = new_cols.len();
    if opts.keep_columns {
        for (f, c) in batch.schema().fields().iter().zip(batch.columns()) {
            if plan.schema.fields()[..plan.schema.fields().len() - n_new].iter().any(|k| k.name() == f.name()) {
                columns.push(c.clone());
            }
        }
    }
    columns.extend(new_cols);
    Ok(RecordBatch::try_new(plan.schema.clone(), columns)?)
}

fn append_zero_pair(ob: &mut FixedSizeListBuilder<UInt32Builder>) {
    ob.values().append_value(0);
    ob.values().append_value(0);
    ob.append(true);
}

/// A capacity guess (≈ 4 bytes per token for English BPE) so the values buffer rarely regrows.
fn estimate_tokens(texts: &Texts<'_>, n: usize) -> usize {
    let bytes = match texts {
        Texts::Utf8(a) => a.value_data().len(),
        Texts::Large(a) => a.value_data().len(),
        Texts::View(a) => a.total_buffer_bytes_used(),
    };
    bytes / 4 + n
}

/// Pads every non-null row to `target` tokens with `pad`; returns the new values, the mask and the
/// new row ends. Rows are already truncated to at most `target` when padding to max_length; with
/// `Longest` the target is the longest row, so no row is longer.
#[allow(clippy::type_complexity)]
fn pad_rows(
    values: Vec<u32>,
    ends: &[usize],
    target: usize,
    pad: u32,
    nulls: Option<&NullBuffer>,
    offs: Option<&mut Option<FixedSizeListBuilder<UInt32Builder>>>,
) -> (Vec<u32>, Option<Vec<i8>>, Vec<usize>) {
    let mut out = Vec::with_capacity(ends.len() * target);
    let mut mask = Vec::with_capacity(ends.len() * target);
    let mut new_ends = Vec::with_capacity(ends.len());
    // Offsets were appended row by row without padding; rebuild them with (0, 0) pairs for pads.
    let old_offs = offs.and_then(|o| o.as_mut()).map(|b| {
        let arr = b.finish();
        let vals = arr.values().as_primitive::<arrow_array::types::UInt32Type>().values().to_vec();
        (b, vals)
    });
    let mut old_offs = old_offs;
    let mut start = 0;
    for (i, &end) in ends.iter().enumerate() {
        let row = &values[start..end];
        let is_null = nulls.is_some_and(|n| n.is_null(i));
        out.extend_from_slice(row);
        mask.extend(std::iter::repeat_n(1i8, row.len()));
        if let Some((b, vals)) = old_offs.as_mut() {
            for k in start..end {
                b.values().append_value(vals[2 * k]);
                b.values().append_value(vals[2 * k + 1]);
                b.append(true);
            }
        }
        if !is_null {
            let pads = target.saturating_sub(row.len());
            out.extend(std::iter::repeat_n(pad, pads));
            mask.extend(std::iter::repeat_n(0i8, pads));
            if let Some((b, _)) = old_offs.as_mut() {
                for _ in 0..pads {
                    append_zero_pair(b);
                }
            }
        }
        new_ends.push(out.len());
        start = end;
    }
    (out, Some(mask), new_ends)
}

/// Arrow `i32` list offsets from row ends; a batch over 2^31 tokens is an error, never a wrap.
fn list_offsets(ends: &[usize], column: &str) -> Result<OffsetBuffer<i32>> {
    let mut offs = Vec::with_capacity(ends.len() + 1);
    offs.push(0i32);
    for &e in ends {
        offs.push(i32::try_from(e).map_err(|_| {
            Error::Invalid(format!("column {column:?}: a record batch of over 2^31 tokens; use a smaller batch_size"))
        })?);
    }
    Ok(OffsetBuffer::new(ScalarBuffer::from(offs)))
}

/// Per-row ids of a tokenized column as plain slices (u16 or u32 lists), for tests and packing.
pub fn row_ids(col: &dyn Array, row: usize) -> Result<Vec<u32>> {
    let list = col.as_list_opt::<i32>().ok_or_else(|| Error::WrongType {
        column: "ids".into(),
        found: col.data_type().to_string(),
        expected: "list".into(),
    })?;
    let v = list.value(row);
    match v.data_type() {
        DataType::UInt16 => {
            Ok(v.as_primitive::<arrow_array::types::UInt16Type>().values().iter().map(|&x| x as u32).collect())
        }
        DataType::UInt32 => Ok(v.as_primitive::<arrow_array::types::UInt32Type>().values().to_vec()),
        other => Err(Error::WrongType {
            column: "ids".into(),
            found: other.to_string(),
            expected: "list<uint16|uint32>".into(),
        }),
    }
}

/// Tokenizes column `opts.column` of `ds` into a new dataset in `out_dir` (or the cache dir keyed
/// by the fingerprint when `None`; a previous identical run is reused). Batches of
/// `opts.batch_size` rows run in parallel on `opts.threads` threads; output order is input order.
pub fn tokenize(
    ds: &Dataset,
    tok: impl Into<TextTokenizer>,
    opts: &TokenizeOptions,
    out_dir: Option<&Path>,
    progress: &dyn Progress,
) -> Result<Dataset> {
    let tok: TextTokenizer = tok.into();
    let plan = Arc::new(Plan::new(&tok, ds.schema(), opts)?);
    let args = serde_json::json!({
        "tokenizer": tok.name(),
        // Same name, different files (a tokenizer.json edited in place) must not share outputs.
        "vocab": tok.n_vocab(),
        "pattern": tok.identity(),
        "options": opts,
    });
    let fp = cache::update_fingerprint(ds.fingerprint(), "tokenize", &args);
    let data = DataOpOptions {
        out_dir: out_dir.map(Path::to_path_buf),
        batch_size: opts.batch_size.max(1),
        threads: opts.threads,
        ..DataOpOptions::default()
    };
    if let Some(hit) = data.cached(&fp) {
        return Ok(hit);
    }
    let n = ds.num_rows();
    let size = data.batch_size;
    let src = ds.clone();
    let p = plan.clone();
    // One run for BPE dropout: rows draw by index, whichever thread takes their batch.
    let call = tok.begin_run();
    let work: WorkFn<usize> = Arc::new(move |start: usize| {
        let batch = src.slice(start, size.min(src.num_rows() - start))?;
        tokenize_batch_at(&tok, &p, &batch, call, start)
    });
    let batches = ordered_work((0..n).step_by(size), work, opts.threads);
    progress.start("tokenize", Some(n as u64));
    let out = write_output(ds, plan.schema.clone(), batches, fp, &data, progress);
    progress.finish();
    out
}

/// Packs the ids column of `ds` into rows of `opts.block_size` tokens (see [`pack::Packer`]),
/// written to `out_dir` (or the cache dir).
pub fn pack(ds: &Dataset, opts: &PackOptions, out_dir: Option<&Path>, progress: &dyn Progress) -> Result<Dataset> {
    // Validates the column against the whole schema (the error lists every column); the packer
    // itself reads the projected batches below, where the ids are column 0.
    Packer::new(ds.schema(), opts)?;
    let packer = Packer::new(&ds.schema().project(&[ds.schema().index_of(&opts.column)?])?, opts)?;
    let fp = cache::update_fingerprint(ds.fingerprint(), "pack", &serde_json::json!(opts));
    let data = DataOpOptions { out_dir: out_dir.map(Path::to_path_buf), ..DataOpOptions::default() };
    if let Some(hit) = data.cached(&fp) {
        return Ok(hit);
    }
    let schema = packer.schema().clone();
    // Only the ids column is read; packing is a memory copy, one thread keeps up with the disk.
    let col = ds.schema().index_of(&opts.column)?;
    let input = ds.batches(crate::dataset::DEFAULT_WRITE_BATCH_ROWS).map(move |b| Ok(b?.project(&[col])?));
    progress.start("pack", Some(ds.num_rows() as u64));
    let out = write_output(ds, schema, pack_stream(packer, input), fp, &data, &BlocksProgress);
    progress.advance(ds.num_rows() as u64);
    progress.finish();
    out
}

/// The writer counts output blocks, not input documents: not forwarded.
struct BlocksProgress;

impl Progress for BlocksProgress {}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::StringArray;

    fn texts(v: Vec<Option<&str>>) -> RecordBatch {
        RecordBatch::try_from_iter([("text", Arc::new(StringArray::from(v)) as ArrayRef)]).unwrap()
    }

    fn gpt2() -> TextTokenizer {
        tokenmill_tokenizers::builtin("gpt2").unwrap().into()
    }

    #[test]
    fn ids_equal_encode_ordinary_per_row() {
        let tok = gpt2();
        let rows = vec![Some("Hello world"), Some(""), None, Some("ünïcode   spaces\n\nand <|endoftext|> text")];
        let batch = texts(rows.clone());
        let plan = Plan::new(&tok, &batch.schema(), &TokenizeOptions::default()).unwrap();
        assert!(plan.u16_ids, "gpt2 ids fit u16");
        let out = tokenize_batch(&tok, &plan, &batch).unwrap();
        assert_eq!(out.schema().field(0).name(), "text");
        let ids = out.column_by_name("input_ids").unwrap();
        assert_eq!(ids.data_type(), &DataType::new_list(DataType::UInt16, true));
        for (i, r) in rows.iter().enumerate() {
            match r {
                Some(t) => assert_eq!(row_ids(ids.as_ref(), i).unwrap(), tok.encode_ordinary(t).unwrap()),
                None => assert!(ids.is_null(i)),
            }
        }
    }

    #[test]
    fn eot_truncation_padding_and_mask() {
        let tok = gpt2();
        let text = "one two three four five six";
        let batch = texts(vec![Some(text), Some("one")]);
        let full = tok.encode_ordinary(text).unwrap();
        let eot = tok.special_token_id(EOT_TEXT).unwrap();
        let opts = TokenizeOptions {
            add_eot: true,
            max_length: Some(4),
            padding: Padding::MaxLength,
            attention_mask: true,
            pad_id: Some(7),
            keep_columns: false,
            dtype: IdType::U32,
            ..Default::default()
        };
        let plan = Plan::new(&tok, &batch.schema(), &opts).unwrap();
        let out = tokenize_batch(&tok, &plan, &batch).unwrap();
        assert_eq!(out.num_columns(), 2);
        let ids = out.column(0);
        assert_eq!(row_ids(ids.as_ref(), 0).unwrap(), [&full[..3], &[eot][..]].concat());
        let one = tok.encode_ordinary("one").unwrap();
        assert_eq!(row_ids(ids.as_ref(), 1).unwrap(), [one.clone(), vec![eot, 7, 7]].concat());
        let mask = out.column(1).as_list::<i32>();
        assert_eq!(mask.value(1).as_primitive::<arrow_array::types::Int8Type>().values().to_vec(), vec![1, 1, 0, 0]);
        assert_eq!(mask.value(0).as_primitive::<arrow_array::types::Int8Type>().values().to_vec(), vec![1, 1, 1, 1]);
    }

    #[test]
    fn longest_padding_and_offsets() {
        let tok = gpt2();
        let batch = texts(vec![Some("héllo wörld"), Some("a")]);
        let opts = TokenizeOptions { padding: Padding::Longest, offsets: true, ..Default::default() };
        let plan = Plan::new(&tok, &batch.schema(), &opts).unwrap();
        let out = tokenize_batch(&tok, &plan, &batch).unwrap();
        let ids = out.column_by_name("input_ids").unwrap();
        let n0 = tok.encode_ordinary("héllo wörld").unwrap().len();
        assert_eq!(row_ids(ids.as_ref(), 1).unwrap().len(), n0);
        let offs = out.column_by_name("offset_mapping").unwrap().as_list::<i32>();
        let (_, enc_offsets) = tok.encode_offsets("héllo wörld", false).unwrap();
        let row0 = offs.value(0);
        let pairs = row0.as_fixed_size_list();
        assert_eq!(pairs.len(), n0);
        for (k, &(s, e)) in enc_offsets.iter().enumerate() {
            let p = pairs.value(k);
            let p = p.as_primitive::<arrow_array::types::UInt32Type>();
            assert_eq!((p.value(0) as usize, p.value(1) as usize), (s, e));
        }
        // The padded row's pads have (0, 0) offsets.
        let row1 = offs.value(1);
        assert_eq!(row1.len(), n0);
    }

    #[test]
    fn offsets_never_change_the_ids() {
        // Text that spells a special token: with offsets requested, the ids must still follow the
        // `specials` setting (ordinary text by default, the token's id with Specials::Added).
        let tok = gpt2();
        let batch = texts(vec![Some("a<|endoftext|>b héllo"), Some("<|endoftext|>")]);
        for specials in [Specials::Ordinary, Specials::Added] {
            let plain = TokenizeOptions { specials, ..Default::default() };
            let with_offsets = TokenizeOptions { specials, offsets: true, ..Default::default() };
            let a = tokenize_batch(&tok, &Plan::new(&tok, &batch.schema(), &plain).unwrap(), &batch).unwrap();
            let b = tokenize_batch(&tok, &Plan::new(&tok, &batch.schema(), &with_offsets).unwrap(), &batch).unwrap();
            let (ia, ib) = (a.column_by_name("input_ids").unwrap(), b.column_by_name("input_ids").unwrap());
            for row in 0..2 {
                assert_eq!(
                    row_ids(ia.as_ref(), row).unwrap(),
                    row_ids(ib.as_ref(), row).unwrap(),
                    "{specials:?} row {row}"
                );
            }
            let eot = tok.special_token_id(EOT_TEXT).unwrap();
            let row1 = row_ids(ib.as_ref(), 1).unwrap();
            assert_eq!(row1 == [eot], specials == Specials::Added, "{specials:?}: {row1:?}");
        }
    }

    #[test]
    fn typed_errors_for_bad_columns() {
        let tok = gpt2();
        let batch = texts(vec![Some("x")]);
        let opts = TokenizeOptions { column: "body".into(), ..Default::default() };
        assert!(matches!(Plan::new(&tok, &batch.schema(), &opts), Err(Error::MissingColumn { .. })));
        let ints = RecordBatch::try_from_iter([("text", Arc::new(UInt32Array::from(vec![1])) as ArrayRef)]).unwrap();
        assert!(matches!(Plan::new(&tok, &ints.schema(), &TokenizeOptions::default()), Err(Error::WrongType { .. })));
        let cl: TextTokenizer = tokenmill_tokenizers::builtin("cl100k_base").unwrap().into();
        let opts = TokenizeOptions { dtype: IdType::U16, ..Default::default() };
        assert!(matches!(Plan::new(&cl, &batch.schema(), &opts), Err(Error::Invalid(_))));
        let auto = Plan::new(&cl, &batch.schema(), &TokenizeOptions::default()).unwrap();
        assert!(!auto.u16_ids, "cl100k needs u32");
    }

    /// With a BPE-dropout tokenizer.json and a seed, the tokenized rows do not depend on the thread
    /// count (each row draws from the run's stream of its index), on the ids, offsets and whole
    /// pipeline paths; another seed gives other rows.
    #[test]
    fn dropout_rows_do_not_depend_on_threads() {
        use tokenmill_tokenizers::model::ModelWrapper;
        let json = include_str!("../../tokenizers/tests/fixtures/pipeline/bpe_suffix.tokenizer.json");
        let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
        v["model"]["dropout"] = serde_json::json!(0.5);
        let hf = Arc::new(tokenmill_tokenizers::HfTokenizer::from_str(&v.to_string()).unwrap());
        let words = ["the", "another", "understanding", "without", "wonderful", "thread", "ordering", "café"];
        let rows: Vec<Option<String>> = (0..240usize)
            .map(|i| {
                (i % 37 != 5)
                    .then(|| (0..1 + i % 9).map(|k| words[(i * 7 + k * 3) % words.len()]).collect::<Vec<_>>().join(" "))
            })
            .collect();
        let batch = texts(rows.iter().map(|r| r.as_deref()).collect());
        let ds = Dataset::from_batches(batch.schema(), vec![batch]).unwrap();
        let t = crate::test_util::TestDir::new("dropout-rows");
        let mut n = 0;
        let mut run = |seed: u64, threads: usize, pipeline: bool, offsets: bool| -> Vec<Option<Vec<u32>>> {
            match hf.model() {
                ModelWrapper::BPE(m) => m.set_seed(seed),
                _ => unreachable!("a BPE fixture"),
            }
            let opts = TokenizeOptions { threads, batch_size: 16, pipeline, offsets, ..Default::default() };
            n += 1;
            let out =
                tokenize(&ds, TextTokenizer::from(&hf), &opts, Some(&t.join(&format!("r{n}"))), &crate::NoProgress)
                    .unwrap();
            let b = out.slice(0, out.num_rows()).unwrap();
            let col = b.column(b.schema().index_of("input_ids").unwrap());
            (0..b.num_rows()).map(|i| col.is_valid(i).then(|| row_ids(col.as_ref(), i).unwrap())).collect()
        };
        for (pipeline, offsets) in [(false, false), (false, true), (true, false)] {
            let one = run(7, 1, pipeline, offsets);
            assert_eq!(one.iter().filter(|r| r.is_none()).count(), 7, "null rows stay null");
            for threads in [2, 4, 1] {
                assert_eq!(run(7, threads, pipeline, offsets), one, "{threads} threads, pipeline {pipeline}");
            }
            assert_ne!(run(8, 2, pipeline, offsets), one, "another seed, pipeline {pipeline}");
        }
    }

    #[test]
    fn pack_reads_an_ids_column_that_is_not_the_first() {
        let tok = gpt2();
        let batch = texts(vec![Some("one two three"), Some("four five six seven")]);
        let ds = Dataset::from_batches(batch.schema(), vec![batch]).unwrap();
        let t = crate::test_util::TestDir::new("pack-col");
        let tokd =
            tokenize(&ds, tok.clone(), &TokenizeOptions::default(), Some(&t.join("tok")), &crate::NoProgress).unwrap();
        assert_eq!(tokd.column_names(), ["text", "input_ids"]);
        let opts = PackOptions { column: "input_ids".into(), block_size: 2, eot: None, keep_partial: true };
        let packed = pack(&tokd, &opts, Some(&t.join("pack")), &crate::NoProgress).unwrap();
        let n: usize =
            ["one two three", "four five six seven"].iter().map(|s| tok.encode_ordinary(s).unwrap().len()).sum();
        assert_eq!(packed.num_rows(), n.div_ceil(2));
    }
}
