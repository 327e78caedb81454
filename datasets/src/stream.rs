//! Streaming: an [`IterableDataset`] runs the loaders (or a saved [`Dataset`]) lazily, as HF's
//! `load_dataset(..., streaming=True)`: nothing is written, memory stays bounded. Operations —
//! `map`, `filter`, `skip`, `take` — apply in the order they were called; `shuffle(seed,
//! buffer_size)` shuffles the source (the order of its files/shards with the seed, then a buffer of
//! rows, each output row drawn at random from it and replaced by the next input row, as HF); `batch(n)`
//! cuts the output into batches of exactly `n` rows (the last may be shorter).
//!
//! Resuming: [`StreamIter::state`] is a small serde-able [`StreamState`]; [`IterableDataset::iter_from`]
//! continues exactly after the last batch returned. Without shuffle the state names the source batch
//! holding the next row, the op counters as they were before it and how many of its output rows were
//! already returned, so replaying from there gives the same rows. With shuffle, as in HF, the rows
//! waiting in the shuffle buffer are lost on resume (the stream continues after them).

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{Array, BooleanArray, RecordBatch};
use arrow_schema::SchemaRef;
use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::load::files::{self, DataFiles};
use crate::load::{self, conform, imdb, BatchIter, Format, LoadOptions};

/// A batch → batch function (`map`).
pub type MapFn = Arc<dyn Fn(RecordBatch) -> Result<RecordBatch> + Send + Sync>;
/// A batch → keep-mask function (`filter`).
pub type FilterFn = Arc<dyn Fn(&RecordBatch) -> Result<BooleanArray> + Send + Sync>;

/// Opens source unit `unit` (a file, a split of a tarball, a saved dataset) from row `start` on.
type OpenUnit = dyn Fn(usize, u64) -> Result<BatchIter> + Send + Sync;

#[derive(Clone)]
enum Op {
    Map(MapFn),
    Filter(FilterFn),
    Skip(u64),
    Take(u64),
}

/// A lazily read dataset. Cloning is cheap; every `iter` starts a fresh pass.
#[derive(Clone)]
pub struct IterableDataset {
    schema: SchemaRef,
    units: usize,
    open: Arc<OpenUnit>,
    ops: Vec<Op>,
    shuffle: Option<(u64, usize)>,
    batch: Option<usize>,
    mapped: bool,
}

/// Where a stream stands (see the module doc). `epoch` is kept for callers that reshuffle per epoch.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamState {
    /// Index into the (possibly shuffled) unit order, and rows of that unit already read.
    pub unit: usize,
    pub row: u64,
    /// Counters of the skip/take ops (rows skipped / let through), in op order.
    pub counters: Vec<u64>,
    /// Output rows of the batch at (unit, row) already returned.
    pub drop: u64,
    /// Shuffle: how many times the buffer RNG was drawn (replayed on resume).
    pub draws: u64,
}

impl IterableDataset {
    /// A stream over arbitrary units; `open(i, start_row)` reads unit `i` from row `start_row`.
    pub fn from_units(
        schema: SchemaRef,
        units: usize,
        open: impl Fn(usize, u64) -> Result<BatchIter> + Send + Sync + 'static,
    ) -> Self {
        IterableDataset {
            schema,
            units,
            open: Arc::new(open),
            ops: Vec::new(),
            shuffle: None,
            batch: None,
            mapped: false,
        }
    }

    /// Streams `files` in `format`, one unit per file (the schema is the first file's).
    pub fn from_files(format: Format, files: Vec<PathBuf>, opts: LoadOptions) -> Result<Self> {
        if format == Format::Imdb {
            return Err(Error::Invalid("imdb: use IterableDataset::imdb".into()));
        }
        let schema = load::source(format, &files[..1.min(files.len())], &opts)?.schema;
        let s = schema.clone();
        let n = files.len();
        Ok(Self::from_units(schema, n, move |i, start| {
            let src = load::source(format, &files[i..=i], &opts)?;
            let s = s.clone();
            let path = files[i].clone();
            let it = src.batches.map(move |b| b.and_then(|b| conform(b, &s, &path)));
            Ok(skip_rows(Box::new(it), start))
        }))
    }

    /// HF's `load_dataset(format, data_files=..., split=name, streaming=True)`.
    pub fn from_data_files(
        format: Option<Format>,
        data_files: &DataFiles,
        split: &str,
        opts: LoadOptions,
    ) -> Result<Self> {
        let resolved = files::resolve(data_files)?;
        let available = resolved.iter().map(|s| s.0.as_str()).collect::<Vec<_>>().join(", ");
        let files = resolved
            .into_iter()
            .find(|s| s.0 == split)
            .ok_or_else(|| Error::Invalid(format!("no split {split:?} (splits: {available})")))?
            .1;
        let format = match format {
            Some(f) => f,
            None => Format::infer(&files)?,
        };
        Self::from_files(format, files, opts)
    }

    /// One IMDB split (tarball or folder), streamed.
    pub fn imdb(input: PathBuf, split: &str, opts: LoadOptions) -> Result<Self> {
        // Validates the split name, the input and the columns.
        let schema = imdb::source(&input, split, &opts)?.schema;
        let split = split.to_string();
        Ok(Self::from_units(schema, 1, move |_, start| {
            Ok(skip_rows(imdb::source(&input, &split, &opts)?.batches, start))
        }))
    }

    /// A saved dataset streamed (HF's `to_iterable_dataset`), each shard a unit; resuming seeks
    /// directly to the row.
    pub fn from_dataset(ds: &Dataset, batch_rows: usize) -> Self {
        let ds = ds.clone();
        let n = ds.num_rows() as u64;
        let units = ds.shards().len().max(1) as u64;
        // Units are equal row ranges of the dataset (shards when there is no indices mapping).
        let per = n.div_ceil(units).max(1);
        Self::from_units(ds.schema().clone(), units as usize, move |i, start| {
            let a = (i as u64 * per + start).min(n) as usize;
            let b = ((i as u64 + 1) * per).min(n) as usize;
            Ok(Box::new(ds.batches_in(a, b, batch_rows.max(1))))
        })
    }

    /// The same stream over only the units `keep` (in that order): a worker's share of the files
    /// (HF gives DataLoader worker `w` the shards `w, w + n, ...`).
    pub fn select_units(&self, keep: Vec<usize>) -> Result<Self> {
        if let Some(bad) = keep.iter().find(|&&u| u >= self.units) {
            return Err(Error::Invalid(format!("unit {bad} out of range ({} units)", self.units)));
        }
        let open = self.open.clone();
        let units = keep.len();
        Ok(IterableDataset { units, open: Arc::new(move |i, start| open(keep[i], start)), ..self.clone() })
    }

    /// The schema of the rows, `None` after a `map` (as HF's `features` after map).
    pub fn schema(&self) -> Option<&SchemaRef> {
        (!self.mapped).then_some(&self.schema)
    }

    pub fn num_units(&self) -> usize {
        self.units
    }

    pub fn map(mut self, f: impl Fn(RecordBatch) -> Result<RecordBatch> + Send + Sync + 'static) -> Self {
        self.ops.push(Op::Map(Arc::new(f)));
        self.mapped = true;
        self
    }

    pub fn filter(mut self, f: impl Fn(&RecordBatch) -> Result<BooleanArray> + Send + Sync + 'static) -> Self {
        self.ops.push(Op::Filter(Arc::new(f)));
        self
    }

    pub fn skip(mut self, n: u64) -> Self {
        self.ops.push(Op::Skip(n));
        self
    }

    pub fn take(mut self, n: u64) -> Self {
        self.ops.push(Op::Take(n));
        self
    }

    /// Shuffles the source: unit order by `seed`, then a buffer of `buffer_size` rows.
    pub fn shuffle(mut self, seed: u64, buffer_size: usize) -> Self {
        self.shuffle = Some((seed, buffer_size.max(1)));
        self
    }

    /// Output batches of exactly `n` rows (the last may be shorter).
    pub fn batch(mut self, n: usize) -> Self {
        self.batch = Some(n.max(1));
        self
    }

    pub fn iter(&self) -> StreamIter {
        self.iter_from(&StreamState::default())
    }

    /// Continues a stream from a state returned by [`StreamIter::state`].
    pub fn iter_from(&self, state: &StreamState) -> StreamIter {
        let n_counters = self.ops.iter().filter(|o| matches!(o, Op::Skip(_) | Op::Take(_))).count();
        let mut counters = state.counters.clone();
        counters.resize(n_counters, 0);
        let mut order: Vec<usize> = (0..self.units).collect();
        let mut rng = SplitMix(0);
        if let Some((seed, _)) = self.shuffle {
            rng = SplitMix(seed);
            // Fisher–Yates over the units with the seed.
            for i in (1..order.len()).rev() {
                order.swap(i, rng.below(i as u64 + 1) as usize);
            }
            for _ in 0..state.draws {
                rng.next();
            }
        }
        StreamIter {
            ds: self.clone(),
            order,
            unit: state.unit,
            row: state.row,
            reader: None,
            counters,
            pending: VecDeque::new(),
            drop: state.drop,
            buffer: Vec::new(),
            held: Vec::new(),
            rng,
            draws: state.draws,
            done: false,
        }
    }
}

/// Skips the first `n` rows of a batch stream.
fn skip_rows(it: BatchIter, mut n: u64) -> BatchIter {
    if n == 0 {
        return it;
    }
    Box::new(it.filter_map(move |b| match b {
        Err(e) => Some(Err(e)),
        Ok(b) => {
            let len = b.num_rows() as u64;
            if n >= len {
                n -= len;
                None
            } else {
                let out = b.slice(n as usize, (len - n) as usize);
                n = 0;
                Some(Ok(out))
            }
        }
    }))
}

/// A batch on its way out, with what is needed to resume before it.
struct Pending {
    batch: RecordBatch,
    /// Rows of `batch` already returned.
    taken: usize,
    /// State to replay this batch from.
    state: StreamState,
}

/// One pass over an [`IterableDataset`].
pub struct StreamIter {
    ds: IterableDataset,
    order: Vec<usize>,
    unit: usize,
    row: u64,
    reader: Option<BatchIter>,
    counters: Vec<u64>,
    pending: VecDeque<Pending>,
    /// Output rows to drop first (resuming inside a batch).
    drop: u64,
    /// Shuffle buffer: (index into `held`, row) of every buffered row.
    buffer: Vec<(usize, usize)>,
    held: Vec<RecordBatch>,
    rng: SplitMix,
    draws: u64,
    done: bool,
}

impl StreamIter {
    /// The state to resume after the last batch returned.
    pub fn state(&self) -> StreamState {
        match self.pending.front() {
            Some(p) if self.ds.shuffle.is_none() => StreamState { drop: p.taken as u64, ..p.state.clone() },
            _ => StreamState {
                unit: self.unit,
                row: self.row,
                counters: self.counters.clone(),
                drop: 0,
                draws: self.draws,
            },
        }
    }

    /// The next source batch (shuffled when asked) with the state before it, or None at the end.
    fn next_source(&mut self) -> Result<Option<(RecordBatch, StreamState)>> {
        let before =
            StreamState { unit: self.unit, row: self.row, counters: self.counters.clone(), drop: 0, draws: self.draws };
        let Some((_, size)) = self.ds.shuffle else {
            return Ok(self.read()?.map(|b| (b, before)));
        };
        // Fill the buffer, then draw: each output row is a random buffered row, replaced by the next
        // input row (HF's buffer shuffle). Output batches are cut at the source batch size.
        while self.buffer.len() < size {
            match self.read()? {
                Some(b) => {
                    let id = self.held.len();
                    self.buffer.extend((0..b.num_rows()).map(|r| (id, r)));
                    self.held.push(b);
                }
                None => break,
            }
        }
        if self.buffer.is_empty() {
            return Ok(None);
        }
        let want = self.buffer.len().min(1024);
        let mut picked = Vec::with_capacity(want);
        for _ in 0..want {
            let i = self.rng.below(self.buffer.len() as u64) as usize;
            self.draws += 1;
            picked.push(self.buffer.swap_remove(i));
        }
        let out = gather(&self.held, &picked)?;
        self.compact();
        Ok(Some((out, before)))
    }

    /// Drops held batches no buffered row refers to any more (renumbering the rest).
    fn compact(&mut self) {
        let mut used = vec![false; self.held.len()];
        for &(b, _) in &self.buffer {
            used[b] = true;
        }
        if used.iter().all(|&u| u) {
            return;
        }
        let mut new_id = vec![0usize; self.held.len()];
        let mut kept = Vec::new();
        for (i, b) in std::mem::take(&mut self.held).into_iter().enumerate() {
            if used[i] {
                new_id[i] = kept.len();
                kept.push(b);
            }
        }
        self.held = kept;
        for e in &mut self.buffer {
            e.0 = new_id[e.0];
        }
    }

    /// Reads the next raw batch, moving across units.
    fn read(&mut self) -> Result<Option<RecordBatch>> {
        loop {
            if self.unit >= self.order.len() {
                return Ok(None);
            }
            if self.reader.is_none() {
                self.reader = Some((self.ds.open)(self.order[self.unit], self.row)?);
            }
            match self.reader.as_mut().and_then(|r| r.next()) {
                Some(b) => {
                    let b = b?;
                    self.row += b.num_rows() as u64;
                    if b.num_rows() > 0 {
                        return Ok(Some(b));
                    }
                }
                None => {
                    self.reader = None;
                    self.unit += 1;
                    self.row = 0;
                }
            }
        }
    }

    /// Runs the ops over one source batch; `None` once a `take` is exhausted for good.
    fn apply(&mut self, mut b: RecordBatch) -> Result<Option<RecordBatch>> {
        let mut c = 0;
        for op in &self.ds.ops {
            match op {
                Op::Map(f) => b = f(b)?,
                Op::Filter(f) => {
                    let mask = f(&b)?;
                    if mask.len() != b.num_rows() {
                        return Err(Error::Invalid(format!(
                            "filter returned {} values for {} rows",
                            mask.len(),
                            b.num_rows()
                        )));
                    }
                    b = arrow_select::filter::filter_record_batch(&b, &mask)?;
                }
                Op::Skip(n) => {
                    let left = n.saturating_sub(self.counters[c]);
                    let k = left.min(b.num_rows() as u64);
                    self.counters[c] += k;
                    b = b.slice(k as usize, b.num_rows() - k as usize);
                    c += 1;
                }
                Op::Take(n) => {
                    let left = n.saturating_sub(self.counters[c]);
                    if left == 0 {
                        return Ok(None);
                    }
                    let k = left.min(b.num_rows() as u64);
                    self.counters[c] += k;
                    b = b.slice(0, k as usize);
                    c += 1;
                }
            }
        }
        Ok(Some(b))
    }

    /// Pulls source batches until `rows` output rows are pending (or the end).
    fn fill(&mut self, rows: usize) -> Result<()> {
        while !self.done && self.pending.iter().map(|p| p.batch.num_rows() - p.taken).sum::<usize>() < rows {
            let Some((b, state)) = self.next_source()? else {
                self.done = true;
                break;
            };
            match self.apply(b)? {
                None => self.done = true,
                Some(out) => {
                    // Resuming inside this batch: its first `drop` rows were returned before.
                    let d = (self.drop as usize).min(out.num_rows());
                    self.drop -= d as u64;
                    let p = Pending { batch: out, taken: d, state };
                    if p.taken < p.batch.num_rows() {
                        self.pending.push_back(p);
                    }
                }
            }
        }
        Ok(())
    }

    fn next_batch(&mut self) -> Result<Option<RecordBatch>> {
        let want = self.ds.batch.unwrap_or(1);
        self.fill(want)?;
        if self.pending.is_empty() {
            return Ok(None);
        }
        if self.ds.batch.is_none() {
            // Whole batches as they come.
            let p = self.pending.pop_front().ok_or_else(|| Error::Invalid("empty queue".into()))?;
            return Ok(Some(p.batch.slice(p.taken, p.batch.num_rows() - p.taken)));
        }
        let mut parts = Vec::new();
        let mut need = want;
        while need > 0 {
            let Some(p) = self.pending.front_mut() else { break };
            let k = need.min(p.batch.num_rows() - p.taken);
            parts.push(p.batch.slice(p.taken, k));
            p.taken += k;
            need -= k;
            if p.taken == p.batch.num_rows() {
                self.pending.pop_front();
            }
        }
        let schema = parts[0].schema();
        Ok(Some(arrow_select::concat::concat_batches(&schema, &parts)?))
    }
}

impl Iterator for StreamIter {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_batch() {
            Ok(Some(b)) => Some(Ok(b)),
            Ok(None) => None,
            Err(e) => {
                self.done = true;
                self.pending.clear();
                Some(Err(e))
            }
        }
    }
}

/// Rows `(batch, row)` of `held` gathered into one batch.
fn gather(held: &[RecordBatch], picked: &[(usize, usize)]) -> Result<RecordBatch> {
    let schema = held[0].schema();
    let mut cols = Vec::with_capacity(schema.fields().len());
    for c in 0..schema.fields().len() {
        let arrays: Vec<&dyn Array> = held.iter().map(|b| b.column(c).as_ref()).collect();
        cols.push(arrow_select::interleave::interleave(&arrays, picked)?);
    }
    Ok(RecordBatch::try_new(schema, cols)?)
}

/// SplitMix64: a small, well-mixed deterministic generator (seeded shuffles must repeat exactly).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; the tiny bias is irrelevant for shuffling).
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }
}
