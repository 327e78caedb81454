//! [`Dataset`]: an Arrow schema, an ordered list of shards (memory-mapped IPC files or in-memory
//! batches) and an optional indices mapping, so shuffle/select/split never copy data.
//!
//! Rows are addressed two ways: *logical* rows (what users see: through the indices mapping when
//! there is one) and *physical* rows (position in the concatenated shards). Every read goes through
//! [`Dataset::slice`]: a contiguous physical range is a zero-copy slice of a stored batch (a copy
//! only where the range crosses batches), scattered rows are gathered with arrow's `interleave`
//! kernel in one pass over the touched batches.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::SchemaRef;
use rustc_hash::FxHashMap;

use crate::cache;
use crate::error::{Error, Result};
use crate::features::Features;
use crate::load::hf_disk::{self, DatasetInfo};
use crate::load::BatchSource;
use crate::progress::Progress;
use crate::shard::Shard;
use crate::shard_writer::WriteOptions;

/// A table of rows over shards. Cloning is cheap (reference counts only).
#[derive(Clone)]
pub struct Dataset {
    schema: SchemaRef,
    shards: Arc<[Arc<Shard>]>,
    layout: Arc<Layout>,
    indices: Option<Arc<[u64]>>,
    fingerprint: Arc<str>,
    info: Arc<DatasetInfo>,
    split: Option<Arc<str>>,
}

/// Where every stored batch starts, across shards.
struct Layout {
    /// Physical row where each stored batch starts, then the physical row count.
    starts: Vec<u64>,
    /// (shard, batch within the shard) of each stored batch.
    locs: Vec<(u32, u32)>,
}

impl Dataset {
    /// A dataset over already opened shards (all with the same columns), in order. `schema` is the
    /// dataset's schema (its metadata may differ from the shards'); `None` takes the first shard's.
    pub fn from_shards(shards: Vec<Arc<Shard>>, schema: Option<SchemaRef>, fingerprint: String) -> Result<Dataset> {
        let schema = match schema {
            Some(s) => s,
            None => shards
                .first()
                .ok_or_else(|| Error::Invalid("a dataset needs at least one shard".into()))?
                .schema()
                .clone(),
        };
        let mut starts = Vec::new();
        let mut locs = Vec::new();
        let mut rows = 0u64;
        for (si, shard) in shards.iter().enumerate() {
            if shard.schema().fields() != schema.fields() {
                return Err(Error::Invalid(format!(
                    "{}: columns {:?} differ from the dataset's {:?}",
                    shard.path().display(),
                    shard.schema().fields(),
                    schema.fields()
                )));
            }
            for (b, &start) in shard.row_starts()[..shard.num_batches()].iter().enumerate() {
                starts.push(rows + start);
                locs.push((si as u32, b as u32));
            }
            rows += shard.num_rows();
        }
        starts.push(rows);
        Ok(Dataset {
            schema,
            shards: shards.into(),
            layout: Arc::new(Layout { starts, locs }),
            indices: None,
            fingerprint: fingerprint.into(),
            info: Arc::new(DatasetInfo::default()),
            split: None,
        })
    }

    /// An in-memory dataset (small data, tests). Its fingerprint is fresh (random).
    pub fn from_batches(schema: SchemaRef, batches: Vec<RecordBatch>) -> Result<Dataset> {
        let shard = Shard::from_batches(schema.clone(), batches)?;
        Dataset::from_shards(vec![Arc::new(shard)], Some(schema), cache::random_fingerprint())
    }

    /// Streams `source` into shards in `out_dir`, written as a complete HF `save_to_disk` directory
    /// (atomically: an existing `out_dir` is replaced only once everything is written), and opens it.
    pub fn from_source(
        source: BatchSource,
        out_dir: impl AsRef<Path>,
        opts: &WriteOptions,
        progress: &dyn Progress,
    ) -> Result<Dataset> {
        let info = DatasetInfo::default();
        hf_disk::write_dataset(out_dir.as_ref(), source, &info, None, opts, progress)?;
        Dataset::open(out_dir)
    }

    /// Opens a directory written by `save_to_disk` (HF's or ours): reads state.json, maps the shards
    /// and reads their headers; no data is read, so this is O(1) in the dataset's size.
    pub fn open(dir: impl AsRef<Path>) -> Result<Dataset> {
        hf_disk::load_from_disk(dir.as_ref())
    }

    /// Same as [`Dataset::open`] (HF's name).
    pub fn load_from_disk(dir: impl AsRef<Path>) -> Result<Dataset> {
        Dataset::open(dir)
    }

    /// Writes the dataset (indices flattened) to `dir` in HF's layout, atomically.
    pub fn save_to_disk(&self, dir: impl AsRef<Path>, opts: &WriteOptions, progress: &dyn Progress) -> Result<()> {
        let opts = WriteOptions {
            fingerprint: Some(opts.fingerprint.clone().unwrap_or_else(|| self.fingerprint.to_string())),
            ..opts.clone()
        };
        let source = self.to_source(DEFAULT_WRITE_BATCH_ROWS);
        let total = Some(self.num_rows() as u64);
        hf_disk::write_dataset_with_total(
            dir.as_ref(),
            source,
            total,
            &self.info,
            self.split.as_deref(),
            &opts,
            progress,
        )
    }

    /// The rows as a [`BatchSource`] (for writers and exporters), `batch_size` rows per batch.
    pub fn to_source(&self, batch_size: usize) -> BatchSource {
        BatchSource::new(self.schema.clone(), self.batches(batch_size))
    }

    pub fn num_rows(&self) -> usize {
        match &self.indices {
            Some(ix) => ix.len(),
            None => self.physical_rows() as usize,
        }
    }

    /// Rows stored in the shards (ignoring the indices mapping).
    pub fn physical_rows(&self) -> u64 {
        *self.layout.starts.last().unwrap_or(&0)
    }

    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    pub fn column_names(&self) -> Vec<String> {
        self.schema.fields().iter().map(|f| f.name().clone()).collect()
    }

    /// HF features of the columns (HF metadata where it still applies, derived from Arrow otherwise).
    pub fn features(&self) -> Result<Features> {
        Features::of_schema(&self.schema)
    }

    pub fn shards(&self) -> &[Arc<Shard>] {
        &self.shards
    }

    /// The shard files (empty paths for in-memory shards).
    pub fn data_files(&self) -> Vec<&Path> {
        self.shards.iter().map(|s| s.path()).collect()
    }

    pub fn indices(&self) -> Option<&Arc<[u64]>> {
        self.indices.as_ref()
    }

    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    pub fn with_fingerprint(&self, fingerprint: impl Into<String>) -> Dataset {
        Dataset { fingerprint: fingerprint.into().into(), ..self.clone() }
    }

    /// HF's DatasetInfo (description, citation, ...) kept from the loaded directory.
    pub fn info(&self) -> &DatasetInfo {
        &self.info
    }

    pub fn with_info(&self, info: DatasetInfo) -> Dataset {
        Dataset { info: Arc::new(info), ..self.clone() }
    }

    pub fn split(&self) -> Option<&str> {
        self.split.as_deref()
    }

    pub fn with_split(&self, split: Option<&str>) -> Dataset {
        Dataset { split: split.map(Arc::from), ..self.clone() }
    }

    /// Same rows and shards under a schema with the same columns but other metadata (e.g. features).
    pub fn with_schema_metadata(&self, schema: SchemaRef) -> Result<Dataset> {
        if schema.fields() != self.schema.fields() {
            return Err(Error::Invalid("with_schema_metadata cannot change columns".into()));
        }
        Ok(Dataset { schema, ..self.clone() })
    }

    /// A view of the rows `indices` (positions in *this* dataset's logical rows, any order, repeats
    /// allowed), composed with an existing mapping. No data is copied. The fingerprint is updated
    /// from the indices' content; ops should then set their own with [`Dataset::with_fingerprint`].
    pub fn with_indices(&self, indices: Arc<[u64]>) -> Result<Dataset> {
        let n = self.num_rows() as u64;
        if let Some(bad) = indices.iter().find(|&&i| i >= n) {
            return Err(Error::Invalid(format!("index {bad} out of range for a dataset of {n} rows")));
        }
        let composed: Arc<[u64]> = match &self.indices {
            None => indices,
            Some(old) => indices.iter().map(|&i| old[i as usize]).collect(),
        };
        let mut h = cache::Fnv64::default();
        h.field(self.fingerprint.as_bytes());
        h.write_u64(composed.len() as u64);
        for &i in composed.iter() {
            h.write_u64(i);
        }
        Ok(Dataset { indices: Some(composed), fingerprint: format!("{:016x}", h.finish()).into(), ..self.clone() })
    }

    /// Drops the indices mapping, keeping the physical rows as they are stored.
    pub fn without_indices(&self) -> Dataset {
        Dataset { indices: None, ..self.clone() }
    }

    /// Writes the rows in logical order into new shards in `out_dir` (HF's `flatten_indices`).
    /// Without an indices mapping this is a cheap clone.
    pub fn flatten_indices(
        &self,
        out_dir: impl AsRef<Path>,
        opts: &WriteOptions,
        progress: &dyn Progress,
    ) -> Result<Dataset> {
        if self.indices.is_none() {
            return Ok(self.clone());
        }
        let fp = cache::update_fingerprint(&self.fingerprint, "flatten_indices", &serde_json::Value::Null);
        let opts = WriteOptions { fingerprint: Some(opts.fingerprint.clone().unwrap_or(fp)), ..opts.clone() };
        hf_disk::write_dataset_with_total(
            out_dir.as_ref(),
            self.to_source(DEFAULT_WRITE_BATCH_ROWS),
            Some(self.num_rows() as u64),
            &self.info,
            self.split.as_deref(),
            &opts,
            progress,
        )?;
        Ok(Dataset::open(out_dir)?.with_split(self.split.as_deref()))
    }

    /// Logical rows `start..start+len` as one batch (zero-copy when they are contiguous inside one
    /// stored batch).
    pub fn slice(&self, start: usize, len: usize) -> Result<RecordBatch> {
        let end = start.checked_add(len).filter(|&e| e <= self.num_rows()).ok_or_else(|| {
            Error::Invalid(format!(
                "rows {start}..{} out of range for a dataset of {} rows",
                start.saturating_add(len),
                self.num_rows()
            ))
        })?;
        match &self.indices {
            None => self.physical_slice(start as u64, len),
            Some(ix) => self.take_physical(&ix[start..end]),
        }
    }

    /// Logical row `i` as a one-row batch.
    pub fn row(&self, i: usize) -> Result<RecordBatch> {
        self.slice(i, 1)
    }

    /// The logical rows at `rows` (any order), gathered into one batch.
    pub fn take(&self, rows: &[u64]) -> Result<RecordBatch> {
        let n = self.num_rows() as u64;
        if let Some(bad) = rows.iter().find(|&&i| i >= n) {
            return Err(Error::Invalid(format!("row {bad} out of range for a dataset of {n} rows")));
        }
        match &self.indices {
            None => self.take_physical(rows),
            Some(ix) => {
                let phys: Vec<u64> = rows.iter().map(|&i| ix[i as usize]).collect();
                self.take_physical(&phys)
            }
        }
    }

    /// One whole column in logical order, concatenated.
    pub fn column(&self, name: &str) -> Result<ArrayRef> {
        let idx = self
            .schema
            .index_of(name)
            .map_err(|_| Error::MissingColumn { name: name.to_string(), available: self.column_names().join(", ") })?;
        let parts: Vec<ArrayRef> = match &self.indices {
            None => (0..self.layout.locs.len())
                .map(|g| Ok(self.stored_batch(g)?.column(idx).clone()))
                .collect::<Result<_>>()?,
            Some(_) => self
                .batches(DEFAULT_WRITE_BATCH_ROWS.max(64 * 1024))
                .map(|b| Ok(b?.column(idx).clone()))
                .collect::<Result<_>>()?,
        };
        if parts.is_empty() {
            return Ok(arrow_array::new_empty_array(self.schema.field(idx).data_type()));
        }
        if parts.len() == 1 {
            return Ok(parts.into_iter().next().expect("one part"));
        }
        let refs: Vec<&dyn arrow_array::Array> = parts.iter().map(|a| a.as_ref()).collect();
        Ok(arrow_select::concat::concat(&refs)?)
    }

    /// Iterates the logical rows in batches of exactly `batch_size` rows (the last may be shorter).
    pub fn batches(&self, batch_size: usize) -> Batches {
        self.batches_in(0, self.num_rows(), batch_size)
    }

    /// Iterates logical rows `start..end` in batches of `batch_size` (for splitting work by ranges).
    pub fn batches_in(&self, start: usize, end: usize, batch_size: usize) -> Batches {
        let end = end.min(self.num_rows());
        Batches { ds: self.clone(), pos: start.min(end), end, size: batch_size.max(1) }
    }

    /// Number of stored batches (across shards).
    pub fn num_stored_batches(&self) -> usize {
        self.layout.locs.len()
    }

    /// Stored batch `g` (across shards; physical order), zero-copy.
    pub fn stored_batch(&self, g: usize) -> Result<RecordBatch> {
        self.conform(self.raw_batch(g)?)
    }

    /// Stored batch `g` under its shard's schema (gathers conform only their output: a shuffled
    /// read touches hundreds of stored batches per output batch).
    fn raw_batch(&self, g: usize) -> Result<RecordBatch> {
        let &(s, b) =
            self.layout.locs.get(g).ok_or_else(|| Error::Invalid(format!("stored batch {g} out of range")))?;
        self.shards[s as usize].batch(b as usize)
    }

    /// Physical rows `start..start+len`.
    fn physical_slice(&self, start: u64, len: usize) -> Result<RecordBatch> {
        if len == 0 {
            return Ok(RecordBatch::new_empty(self.schema.clone()));
        }
        let starts = &self.layout.starts;
        let end = start + len as u64;
        let mut g = starts.partition_point(|&s| s <= start) - 1;
        let mut pos = start;
        let mut pieces = Vec::new();
        while pos < end {
            let batch = self.raw_batch(g)?;
            let stop = end.min(starts[g + 1]);
            pieces.push(batch.slice((pos - starts[g]) as usize, (stop - pos) as usize));
            pos = stop;
            g += 1;
        }
        if pieces.len() == 1 {
            return self.conform(pieces.pop().expect("one piece"));
        }
        if self.schema.fields().is_empty() {
            return no_columns(&self.schema, len);
        }
        Ok(arrow_select::concat::concat_batches(&self.schema, &pieces)?)
    }

    /// Physical rows at `idx` (validated by the caller), in that order.
    fn take_physical(&self, idx: &[u64]) -> Result<RecordBatch> {
        let Some(&first) = idx.first() else { return Ok(RecordBatch::new_empty(self.schema.clone())) };
        // A run of consecutive rows (select(range), unshuffled splits) is a plain slice.
        if idx.iter().enumerate().all(|(k, &v)| v == first + k as u64) {
            return self.physical_slice(first, idx.len());
        }
        if self.schema.fields().is_empty() {
            return no_columns(&self.schema, idx.len());
        }
        let starts = &self.layout.starts;
        let mut slot_of: FxHashMap<usize, usize> = FxHashMap::default();
        let mut used: Vec<usize> = Vec::new();
        let mut pairs = Vec::with_capacity(idx.len());
        let (mut last_g, mut last_slot) = (usize::MAX, 0);
        for &i in idx {
            // Sorted or clustered indices mostly stay in the previous batch: skip the search then.
            let g = if last_g != usize::MAX && starts[last_g] <= i && i < starts[last_g + 1] {
                last_g
            } else {
                starts.partition_point(|&s| s <= i) - 1
            };
            if g != last_g {
                last_slot = *slot_of.entry(g).or_insert_with(|| {
                    used.push(g);
                    used.len() - 1
                });
                last_g = g;
            }
            pairs.push((last_slot, (i - starts[g]) as usize));
        }
        let batches: Vec<RecordBatch> = used.iter().map(|&g| self.raw_batch(g)).collect::<Result<_>>()?;
        let refs: Vec<&RecordBatch> = batches.iter().collect();
        let out = arrow_select::interleave::interleave_record_batch(&refs, &pairs)?;
        self.conform(out)
    }

    /// A batch under the dataset's schema (same columns; the dataset's metadata).
    fn conform(&self, batch: RecordBatch) -> Result<RecordBatch> {
        if Arc::ptr_eq(&batch.schema(), &self.schema) {
            return Ok(batch);
        }
        let opts = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
        Ok(RecordBatch::try_new_with_options(self.schema.clone(), batch.columns().to_vec(), &opts)?)
    }
}

/// Batch size used when a dataset is rewritten (HF's `writer_batch_size`).
pub const DEFAULT_WRITE_BATCH_ROWS: usize = 1000;

fn no_columns(schema: &SchemaRef, rows: usize) -> Result<RecordBatch> {
    Ok(RecordBatch::try_new_with_options(
        schema.clone(),
        vec![],
        &RecordBatchOptions::new().with_row_count(Some(rows)),
    )?)
}

impl std::fmt::Debug for Dataset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dataset")
            .field("columns", &self.column_names())
            .field("num_rows", &self.num_rows())
            .field("shards", &self.shards.len())
            .field("indices", &self.indices.as_ref().map(|i| i.len()))
            .field("fingerprint", &self.fingerprint)
            .finish()
    }
}

/// Iterator over a dataset's rows in fixed-size batches (owns a cheap clone of the dataset, so it
/// is `Send + 'static`).
pub struct Batches {
    ds: Dataset,
    pos: usize,
    end: usize,
    size: usize,
}

impl Iterator for Batches {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.end {
            return None;
        }
        let len = self.size.min(self.end - self.pos);
        let out = self.ds.slice(self.pos, len);
        self.pos += len;
        if out.is_err() {
            self.pos = self.end; // stop after an error
        }
        Some(out)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = (self.end - self.pos).div_ceil(self.size);
        (n, Some(n))
    }
}

impl ExactSizeIterator for Batches {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::NoProgress;
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    use arrow_array::{Int64Array, StringArray};
    use arrow_schema::{DataType, Field, Schema};

    fn schema() -> SchemaRef {
        Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, true), Field::new("text", DataType::Utf8, true)]))
    }

    fn batch(start: i64, n: i64) -> RecordBatch {
        let ids: Vec<i64> = (start..start + n).collect();
        let texts: Vec<String> = ids.iter().map(|i| format!("t{i}")).collect();
        RecordBatch::try_new(schema(), vec![Arc::new(Int64Array::from(ids)), Arc::new(StringArray::from(texts))])
            .unwrap()
    }

    /// 0..25 in batches of 10, 5, 10.
    fn ds() -> Dataset {
        Dataset::from_batches(schema(), vec![batch(0, 10), batch(10, 5), batch(15, 10)]).unwrap()
    }

    fn ids(b: &RecordBatch) -> Vec<i64> {
        b.column(0).as_primitive::<Int64Type>().values().to_vec()
    }

    /// A not-yet-existing target path inside a test directory (removed with the guard).
    fn tmpdir(name: &str) -> (crate::test_util::TestDir, std::path::PathBuf) {
        let t = crate::test_util::TestDir::new(&format!("ds-{name}"));
        let p = t.join("out");
        (t, p)
    }

    #[test]
    fn handles_cross_threads() {
        // rayon workers and the Python binding share datasets and move iterators across threads
        fn send_sync<T: Send + Sync + 'static>() {}
        fn send<T: Send + 'static>() {}
        send_sync::<Dataset>();
        send_sync::<Shard>();
        send::<Batches>();
    }

    #[test]
    fn slices_within_and_across_batches() {
        let d = ds();
        assert_eq!(d.num_rows(), 25);
        assert_eq!(ids(&d.slice(2, 3).unwrap()), [2, 3, 4]);
        assert_eq!(ids(&d.slice(8, 10).unwrap()), (8..18).collect::<Vec<_>>());
        assert_eq!(d.slice(25, 0).unwrap().num_rows(), 0);
        assert!(d.slice(20, 6).is_err());
        assert_eq!(ids(&d.row(24).unwrap()), [24]);
    }

    #[test]
    fn batches_have_exact_sizes() {
        let sizes: Vec<usize> = ds().batches(7).map(|b| b.unwrap().num_rows()).collect();
        assert_eq!(sizes, [7, 7, 7, 4]);
        let all: Vec<i64> = ds().batches(7).flat_map(|b| ids(&b.unwrap())).collect();
        assert_eq!(all, (0..25).collect::<Vec<_>>());
        assert_eq!(ds().batches_in(20, 100, 3).map(|b| b.unwrap().num_rows()).sum::<usize>(), 5);
    }

    #[test]
    fn indices_gather_and_compose() {
        let d = ds();
        let perm: Vec<u64> = (0..25).map(|i| (i * 7) % 25).collect();
        let s = d.with_indices(perm.clone().into()).unwrap();
        let got: Vec<i64> = s.batches(4).flat_map(|b| ids(&b.unwrap())).collect();
        assert_eq!(got, perm.iter().map(|&i| i as i64).collect::<Vec<_>>());
        assert_ne!(s.fingerprint(), d.fingerprint());
        // select on top of the shuffle: rows 3, 3, 0 of the shuffled view
        let t = s.with_indices(vec![3, 3, 0].into()).unwrap();
        assert_eq!(ids(&t.slice(0, 3).unwrap()), [21, 21, 0]);
        assert_eq!(t.column("text").unwrap().as_string::<i32>().value(0), "t21");
        assert!(s.with_indices(vec![25].into()).is_err());
        assert_eq!(ids(&s.take(&[1, 0]).unwrap()), [7, 0]);
    }

    #[test]
    fn column_and_missing_column() {
        let d = ds();
        assert_eq!(d.column("id").unwrap().len(), 25);
        assert!(matches!(d.column("nope"), Err(Error::MissingColumn { .. })));
    }

    #[test]
    fn save_open_round_trip_and_flatten() {
        let (_g_dir, dir) = tmpdir("rt");
        let d = ds().with_indices((0..25u64).rev().collect::<Vec<_>>().into()).unwrap();
        d.save_to_disk(&dir, &WriteOptions::default(), &NoProgress).unwrap();
        let back = Dataset::open(&dir).unwrap();
        assert_eq!(back.num_rows(), 25);
        assert!(back.indices().is_none());
        assert_eq!(back.fingerprint(), d.fingerprint());
        assert_eq!(ids(&back.slice(0, 25).unwrap()), (0..25).rev().collect::<Vec<_>>());
        assert_eq!(back.data_files().len(), 1);
        // overwrite in place while `back` still maps the old files
        ds().save_to_disk(&dir, &WriteOptions::default(), &NoProgress).unwrap();
        assert_eq!(ids(&back.slice(0, 2).unwrap()), [24, 23]);
        assert_eq!(ids(&Dataset::open(&dir).unwrap().slice(0, 2).unwrap()), [0, 1]);
        // a dataset saved over its own directory (HF refuses; here the old maps stay valid)
        let cur = Dataset::open(&dir).unwrap().with_indices(vec![3, 1].into()).unwrap();
        cur.save_to_disk(&dir, &WriteOptions::default(), &NoProgress).unwrap();
        assert_eq!(ids(&Dataset::open(&dir).unwrap().slice(0, 2).unwrap()), [3, 1]);
        let (_g_flat, flat_dir) = tmpdir("flat");
        let flat = d.flatten_indices(flat_dir, &WriteOptions::default(), &NoProgress).unwrap();
        assert!(flat.indices().is_none());
        assert_eq!(ids(&flat.row(0).unwrap()), [24]);
    }

    #[test]
    fn from_source_writes_bounded_shards() {
        let (_g_dir, dir) = tmpdir("src");
        let source = BatchSource::new(schema(), (0..20).map(|i| Ok(batch(i * 100, 100))));
        let opts = WriteOptions { max_shard_bytes: 8_000, ..Default::default() };
        let d = Dataset::from_source(source, &dir, &opts, &NoProgress).unwrap();
        assert_eq!(d.num_rows(), 2000);
        assert!(d.shards().len() > 2);
        assert_eq!(ids(&d.slice(1995, 5).unwrap()), [1995, 1996, 1997, 1998, 1999]);
        assert!(dir.join("state.json").exists() && dir.join("dataset_info.json").exists());
        // a failing source leaves no directory behind
        let (_g_dir2, dir2) = tmpdir("src-fail");
        let bad = BatchSource::new(schema(), vec![Ok(batch(0, 3)), Err(Error::Invalid("boom".into()))].into_iter());
        assert!(Dataset::from_source(bad, &dir2, &WriteOptions::default(), &NoProgress).is_err());
        assert!(!dir2.exists());
        let parent = dir2.parent().unwrap();
        let name = format!(".{}.tmp", dir2.file_name().unwrap().to_string_lossy());
        assert!(!std::fs::read_dir(parent).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(&name)));
    }
}
