//! Loaders: every input format becomes a [`BatchSource`], a schema plus a lazy stream of record
//! batches with bounded memory. Writing a source into shards is [`crate::Dataset::from_source`];
//! iterating it without writing is [`crate::stream`].

pub mod hf_disk;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use crate::error::Result;

/// A schema and the record batches that follow it, produced lazily.
pub struct BatchSource {
    pub schema: SchemaRef,
    pub batches: Box<dyn Iterator<Item = Result<RecordBatch>> + Send>,
}

impl BatchSource {
    pub fn new(schema: SchemaRef, batches: impl Iterator<Item = Result<RecordBatch>> + Send + 'static) -> Self {
        BatchSource { schema, batches: Box::new(batches) }
    }
}
