//! Packing for language-model training: tokenized documents are concatenated (an optional EOT
//! after each one) and cut into rows of exactly `block_size` tokens. Runs as a stream over record
//! batches holding less than one block between batches, so memory does not grow with the dataset.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{UInt16Type, UInt32Type};
use arrow_array::{Array, ArrayRef, ListArray, RecordBatch, UInt16Array, UInt32Array};
use arrow_buffer::{OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use crate::error::{Error, Result};

#[derive(Debug, Clone, serde::Serialize)]
pub struct PackOptions {
    /// The ids column (`list<uint16>` or `list<uint32>`); the output has this one column.
    pub column: String,
    pub block_size: usize,
    /// Appended after every document (leave `None` when the ids already end with EOT).
    pub eot: Option<u32>,
    /// Keep the last, shorter block instead of dropping it (HF's `group_texts` drops it).
    pub keep_partial: bool,
}

/// Streaming packer: [`Packer::push`] each batch, then [`Packer::finish`].
pub struct Packer {
    opts: PackOptions,
    column_index: usize,
    u16_ids: bool,
    schema: SchemaRef,
    /// Tokens not yet in a full block (fewer than `block_size` between calls).
    pending: Vec<u32>,
}

impl Packer {
    pub fn new(input: &Schema, opts: &PackOptions) -> Result<Packer> {
        if opts.block_size == 0 {
            return Err(Error::Invalid("block_size must be at least 1".into()));
        }
        let column_index = input.index_of(&opts.column).map_err(|_| Error::MissingColumn {
            name: opts.column.clone(),
            available: input.fields().iter().map(|f| f.name().as_str()).collect::<Vec<_>>().join(", "),
        })?;
        let dt = input.field(column_index).data_type();
        let u16_ids = match dt {
            DataType::List(item) if item.data_type() == &DataType::UInt16 => true,
            DataType::List(item) if item.data_type() == &DataType::UInt32 => false,
            other => {
                return Err(Error::WrongType {
                    column: opts.column.clone(),
                    found: other.to_string(),
                    expected: "list<uint16> or list<uint32>".into(),
                })
            }
        };
        if u16_ids && opts.eot.is_some_and(|e| e > u16::MAX as u32) {
            return Err(Error::Invalid(format!("eot id {:?} does not fit the column's uint16 ids", opts.eot)));
        }
        let item = if u16_ids { DataType::UInt16 } else { DataType::UInt32 };
        let schema = Arc::new(Schema::new(vec![Field::new(&opts.column, DataType::new_list(item, true), true)]));
        Ok(Packer { opts: opts.clone(), column_index, u16_ids, schema, pending: Vec::new() })
    }

    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// Adds a batch of documents; returns the full blocks completed so far (None when none).
    /// Null rows are skipped (no EOT either).
    pub fn push(&mut self, batch: &RecordBatch) -> Result<Option<RecordBatch>> {
        let list = batch.column(self.column_index).as_list::<i32>();
        let offs = list.value_offsets();
        let eot = self.opts.eot;
        let append = |pending: &mut Vec<u32>, vals: &dyn Fn(usize, usize, &mut Vec<u32>)| {
            for i in 0..list.len() {
                if list.is_null(i) {
                    continue;
                }
                vals(offs[i] as usize, offs[i + 1] as usize, pending);
                if let Some(e) = eot {
                    pending.push(e);
                }
            }
        };
        let values = list.values();
        if self.u16_ids {
            let v = values.as_primitive::<UInt16Type>().values();
            append(&mut self.pending, &|s, e, out| out.extend(v[s..e].iter().map(|&x| x as u32)));
        } else {
            let v = values.as_primitive::<UInt32Type>().values();
            append(&mut self.pending, &|s, e, out| out.extend_from_slice(&v[s..e]));
        }
        let b = self.opts.block_size;
        let full = self.pending.len() / b * b;
        if full == 0 {
            return Ok(None);
        }
        let out = self.blocks(&self.pending[..full], full / b)?;
        // Less than one block remains: moving it to the front is cheap.
        self.pending.drain(..full);
        Ok(Some(out))
    }

    /// The last partial block when `keep_partial` (None otherwise or when nothing is left).
    pub fn finish(self) -> Result<Option<RecordBatch>> {
        if !self.opts.keep_partial || self.pending.is_empty() {
            return Ok(None);
        }
        let tail = self.pending.len();
        let offsets = OffsetBuffer::new(ScalarBuffer::from(vec![0i32, tail as i32]));
        self.batch(&self.pending, offsets).map(Some)
    }

    fn blocks(&self, vals: &[u32], rows: usize) -> Result<RecordBatch> {
        let b = self.opts.block_size;
        let offsets: Vec<i32> = (0..=rows)
            .map(|r| i32::try_from(r * b))
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| Error::Invalid("over 2^31 tokens in one record batch; use smaller batches".into()))?;
        self.batch(vals, OffsetBuffer::new(ScalarBuffer::from(offsets)))
    }

    fn batch(&self, vals: &[u32], offsets: OffsetBuffer<i32>) -> Result<RecordBatch> {
        // u16 input means every id (EOT included, checked in new) fits u16.
        let values: ArrayRef = if self.u16_ids {
            Arc::new(UInt16Array::from(vals.iter().map(|&x| x as u16).collect::<Vec<u16>>()))
        } else {
            Arc::new(UInt32Array::from(vals.to_vec()))
        };
        let DataType::List(item) = self.schema.field(0).data_type() else { unreachable!("Packer::new makes a list") };
        let list = ListArray::try_new(item.clone(), offsets, values, None)?;
        Ok(RecordBatch::try_new(self.schema.clone(), vec![Arc::new(list)])?)
    }
}

/// Packs a whole stream of batches (lazy): full blocks as they complete, then the partial one.
pub fn pack_stream(
    packer: Packer,
    mut input: impl Iterator<Item = Result<RecordBatch>> + Send + 'static,
) -> impl Iterator<Item = Result<RecordBatch>> + Send + 'static {
    let mut state = Some(packer);
    let mut done = false;
    std::iter::from_fn(move || loop {
        if done {
            return None;
        }
        match input.next() {
            Some(Ok(batch)) => match state.as_mut()?.push(&batch) {
                Ok(Some(out)) => return Some(Ok(out)),
                Ok(None) => continue,
                Err(e) => {
                    done = true;
                    return Some(Err(e));
                }
            },
            Some(Err(e)) => {
                done = true;
                return Some(Err(e));
            }
            None => {
                done = true;
                return state.take()?.finish().transpose();
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::builder::{ListBuilder, UInt32Builder};

    fn docs(rows: &[Option<Vec<u32>>]) -> RecordBatch {
        let mut b = ListBuilder::new(UInt32Builder::new());
        for r in rows {
            match r {
                Some(v) => {
                    b.values().append_slice(v);
                    b.append(true)
                }
                None => b.append(false),
            }
        }
        RecordBatch::try_from_iter([("input_ids", Arc::new(b.finish()) as ArrayRef)]).unwrap()
    }

    fn rows(batches: &[RecordBatch]) -> Vec<Vec<u32>> {
        let mut out = Vec::new();
        for b in batches {
            for i in 0..b.num_rows() {
                out.push(crate::tokenize::row_ids(b.column(0).as_ref(), i).unwrap());
            }
        }
        out
    }

    #[test]
    fn blocks_across_batches_with_eot() {
        let opts = PackOptions { column: "input_ids".into(), block_size: 3, eot: Some(99), keep_partial: true };
        let a = docs(&[Some(vec![1, 2]), None, Some(vec![3, 4, 5, 6])]);
        let b = docs(&[Some(vec![7])]);
        let packer = Packer::new(&a.schema(), &opts).unwrap();
        let out: Vec<RecordBatch> = pack_stream(packer, vec![Ok(a), Ok(b)].into_iter()).collect::<Result<_>>().unwrap();
        // 1 2 99 | 3 4 5 | 6 99 7 | 99
        assert_eq!(rows(&out), vec![vec![1, 2, 99], vec![3, 4, 5], vec![6, 99, 7], vec![99]]);
    }

    #[test]
    fn drops_partial_block_and_checks_types() {
        let opts = PackOptions { column: "input_ids".into(), block_size: 4, eot: None, keep_partial: false };
        let a = docs(&[Some((0..10).collect())]);
        let packer = Packer::new(&a.schema(), &opts).unwrap();
        let out: Vec<RecordBatch> =
            pack_stream(packer, vec![Ok(a.clone())].into_iter()).collect::<Result<_>>().unwrap();
        assert_eq!(rows(&out), vec![vec![0, 1, 2, 3], vec![4, 5, 6, 7]]);
        let bad = PackOptions { column: "nope".into(), ..opts.clone() };
        assert!(matches!(Packer::new(&a.schema(), &bad), Err(Error::MissingColumn { .. })));
        let zero = PackOptions { block_size: 0, ..opts };
        assert!(Packer::new(&a.schema(), &zero).is_err());
    }
}
