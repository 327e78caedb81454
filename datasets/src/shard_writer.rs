//! Writes record batches into Hugging Face-named Arrow IPC stream shards
//! (`data-00000-of-00003.arrow`, ...) of bounded size.
//!
//! Each shard is written under a temporary name, flushed, fsynced and only then renamed; the
//! `-of-N` names are given once the last batch is written (N is unknown before). A crash therefore
//! leaves only `.tmp-*` files, never a file with a final name that is half written.
//!
//! The fsync is made cheap by starting the kernel's writeback early: every `WRITEBACK_STEP` bytes
//! the writer asks (without waiting) for the pages written so far to go to disk, so the disk works
//! while the producer computes the next batches and the closing fsync waits only for the tail.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use arrow_ipc::writer::StreamWriter;
use arrow_schema::SchemaRef;

use crate::error::{Error, Result};

/// Default maximum shard size, as HF's `save_to_disk` (`max_shard_size="500MB"`).
pub const DEFAULT_MAX_SHARD_BYTES: u64 = 500 * 1000 * 1000;

/// How datasets are written.
#[derive(Clone, Debug)]
pub struct WriteOptions {
    /// A new shard starts once the current one reaches this many bytes.
    pub max_shard_bytes: u64,
    /// Batches with more rows are split into batches of this many rows (HF writes 1000-row batches);
    /// `None` keeps the batches as they come.
    pub max_batch_rows: Option<usize>,
    /// The fingerprint recorded for the written dataset (`state.json`); `None` picks a fresh one.
    pub fingerprint: Option<String>,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions { max_shard_bytes: DEFAULT_MAX_SHARD_BYTES, max_batch_rows: None, fingerprint: None }
    }
}

/// The shard file name HF uses.
pub fn shard_file_name(index: usize, count: usize) -> String {
    format!("data-{index:05}-of-{count:05}.arrow")
}

/// Streams batches into shards in `dir` (which must exist).
pub struct ShardWriter {
    dir: PathBuf,
    schema: SchemaRef,
    opts: WriteOptions,
    current: Option<Open>,
    /// Finished temporary shard files, in order.
    done: Vec<PathBuf>,
    rows: u64,
}

struct Open {
    path: PathBuf,
    writer: StreamWriter<Counting<BufWriter<File>>>,
    rows: u64,
    /// Bytes whose writeback has been started (see `start_writeback`).
    kicked: u64,
}

/// Writeback is started once this many new bytes have been written.
const WRITEBACK_STEP: u64 = 8 << 20;

impl ShardWriter {
    pub fn new(dir: impl Into<PathBuf>, schema: SchemaRef, opts: &WriteOptions) -> Result<Self> {
        if opts.max_shard_bytes == 0 || opts.max_batch_rows == Some(0) {
            return Err(Error::Invalid("max_shard_bytes and max_batch_rows must be positive".into()));
        }
        Ok(ShardWriter { dir: dir.into(), schema, opts: opts.clone(), current: None, done: Vec::new(), rows: 0 })
    }

    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Appends a batch (its columns must match the writer's schema; the writer's schema, with its
    /// metadata, is what the shards record).
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        if batch.schema().fields() != self.schema.fields() {
            return Err(Error::Invalid(format!(
                "batch columns {:?} do not match the dataset schema {:?}",
                batch.schema().fields(),
                self.schema.fields()
            )));
        }
        let batch = RecordBatch::try_new(self.schema.clone(), batch.columns().to_vec())?;
        let n = batch.num_rows();
        if n == 0 {
            return Ok(());
        }
        // Split a batch that alone would overflow a shard, and honour max_batch_rows.
        let bytes = data_size(&batch).max(1);
        let parts_by_size = bytes.div_ceil(self.opts.max_shard_bytes) as usize;
        let mut rows_per = n.div_ceil(parts_by_size.max(1));
        if let Some(m) = self.opts.max_batch_rows {
            rows_per = rows_per.min(m);
        }
        let mut start = 0;
        while start < n {
            let len = rows_per.min(n - start);
            self.write_one(&batch.slice(start, len))?;
            start += len;
        }
        Ok(())
    }

    fn write_one(&mut self, batch: &RecordBatch) -> Result<()> {
        if let Some(cur) = &self.current {
            let size = cur.writer.get_ref().count + data_size(batch);
            if cur.rows > 0 && size > self.opts.max_shard_bytes {
                self.close_current()?;
            }
        }
        if self.current.is_none() {
            self.open_next()?;
        }
        let cur = self.current.as_mut().expect("opened above");
        cur.writer.write(batch).map_err(|e| arrow_io(&cur.path, e))?;
        cur.rows += batch.num_rows() as u64;
        self.rows += batch.num_rows() as u64;
        let count = cur.writer.get_ref().count;
        if count >= self.opts.max_shard_bytes {
            self.close_current()?;
        } else if count - cur.kicked >= WRITEBACK_STEP {
            // Hand the buffered bytes to the kernel, then let it start writing them out.
            let sink = cur.writer.get_mut();
            sink.flush().map_err(|e| Error::io(&cur.path, e))?;
            start_writeback(sink.inner.get_ref(), cur.kicked, count);
            cur.kicked = count;
        }
        Ok(())
    }

    fn open_next(&mut self) -> Result<()> {
        let path = self.dir.join(format!(".tmp-{}-shard-{:05}.arrow", std::process::id(), self.done.len()));
        let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
        let sink = Counting { inner: BufWriter::with_capacity(1 << 20, file), count: 0 };
        let writer = StreamWriter::try_new(sink, &self.schema).map_err(|e| arrow_io(&path, e))?;
        self.current = Some(Open { path, writer, rows: 0, kicked: 0 });
        Ok(())
    }

    fn close_current(&mut self) -> Result<()> {
        if let Some(file) = self.close_current_unsynced()? {
            file.sync()?;
        }
        Ok(())
    }

    /// Completes the open shard (if any) without waiting for the disk: its last bytes' writeback
    /// is started and the file returned for the caller to fsync.
    fn close_current_unsynced(&mut self) -> Result<Option<Unsynced>> {
        let Some(mut cur) = self.current.take() else { return Ok(None) };
        cur.writer.finish().map_err(|e| arrow_io(&cur.path, e))?;
        let sink = cur.writer.into_inner().map_err(|e| arrow_io(&cur.path, e))?;
        let count = sink.count;
        let file = sink.inner.into_inner().map_err(|e| Error::io(&cur.path, e.into_error()))?;
        start_writeback(&file, cur.kicked, count);
        self.done.push(cur.path.clone());
        Ok(Some(Unsynced { path: cur.path, file }))
    }

    /// Finishes the last shard, renames all of them to `data-XXXXX-of-YYYYY.arrow` and fsyncs the
    /// directory. Always writes at least one shard (an empty dataset is one shard with the schema),
    /// as HF does. Returns the final file names (relative to the directory), in order.
    pub fn finish(mut self) -> Result<Vec<String>> {
        self.close_current()?;
        let names = self.rename_all()?;
        sync_dir(&self.dir)?;
        Ok(names)
    }

    /// [`finish`](Self::finish) for a writer whose directory is itself temporary (published by a
    /// rename once everything in it is durable, as `save_to_disk` does): the last shard is renamed
    /// before it is fsynced, and the fsync is left to the caller, who issues it after writing its
    /// other files. One journal commit then covers them all (on ext4 each fsync of freshly
    /// written files otherwise waits for a commit of its own: 4 of the ~5 ms a small dataset's
    /// save took).
    pub fn finish_unsynced(mut self) -> Result<(Vec<String>, Option<Unsynced>)> {
        let last = self.close_current_unsynced()?;
        let names = self.rename_all()?;
        // the last shard is the last name now
        let last = last.map(|u| Unsynced { path: self.dir.join(names.last().expect("a shard")), file: u.file });
        Ok((names, last))
    }

    fn rename_all(&mut self) -> Result<Vec<String>> {
        if self.done.is_empty() {
            self.open_next()?;
            if let Some(file) = self.close_current_unsynced()? {
                file.sync()?;
            }
        }
        let count = self.done.len();
        let mut names = Vec::with_capacity(count);
        for (i, tmp) in self.done.iter().enumerate() {
            let name = shard_file_name(i, count);
            let dest = self.dir.join(&name);
            std::fs::rename(tmp, &dest).map_err(|e| Error::io(&dest, e))?;
            names.push(name);
        }
        self.done.clear();
        Ok(names)
    }
}

/// A written file whose data may not be on disk yet (its writeback started): [`sync`](Self::sync)
/// makes it durable.
pub struct Unsynced {
    path: PathBuf,
    file: File,
}

impl Unsynced {
    /// Writes `bytes` to a new file at `path` and starts its writeback, without waiting.
    pub fn create(path: &Path, bytes: &[u8]) -> Result<Unsynced> {
        let mut file = File::create(path).map_err(|e| Error::io(path, e))?;
        file.write_all(bytes).map_err(|e| Error::io(path, e))?;
        start_writeback(&file, 0, bytes.len() as u64);
        Ok(Unsynced { path: path.to_path_buf(), file })
    }

    /// fsync.
    pub fn sync(self) -> Result<()> {
        self.file.sync_all().map_err(|e| Error::io(&self.path, e))
    }
}

impl Drop for ShardWriter {
    /// An abandoned writer (error or panic upstream) removes its temporary files.
    fn drop(&mut self) {
        if let Some(cur) = self.current.take() {
            let path = cur.path.clone();
            drop(cur);
            let _ = std::fs::remove_file(path);
        }
        for p in self.done.drain(..) {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Bytes a batch's rows take (its slice of the buffers, not the buffers' whole capacity: a
/// zero-copy slice of a big batch would otherwise count the entire batch).
pub fn data_size(batch: &RecordBatch) -> u64 {
    batch.columns().iter().map(|c| c.to_data().get_slice_memory_size().unwrap_or(0) as u64).sum()
}

/// Starts writing bytes `from..to` of `file` to disk without waiting for it (Linux
/// `sync_file_range(SYNC_FILE_RANGE_WRITE)`). Only a hint: durability still comes from the fsync
/// when the shard is closed, so a failure here is ignored (the fsync reports real I/O errors).
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, from: u64, to: u64) {
    use std::os::fd::AsRawFd;
    // SAFETY: a plain syscall on a descriptor this writer owns for the call's duration; it reads no
    // memory of ours.
    unsafe {
        libc::sync_file_range(
            file.as_raw_fd(),
            from as libc::off64_t,
            (to - from) as libc::off64_t,
            libc::SYNC_FILE_RANGE_WRITE,
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &File, _from: u64, _to: u64) {}

/// fsync a directory so renames in it are durable.
pub fn sync_dir(dir: &Path) -> Result<()> {
    let d = File::open(dir).map_err(|e| Error::io(dir, e))?;
    d.sync_all().map_err(|e| Error::io(dir, e))
}

fn arrow_io(path: &Path, e: arrow_schema::ArrowError) -> Error {
    match e {
        arrow_schema::ArrowError::IoError(_, io) => Error::io(path, io),
        other => Error::Invalid(format!("{}: {other}", path.display())),
    }
}

/// Counts bytes on their way to the file (the shard size without a syscall).
struct Counting<W> {
    inner: W,
    count: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shard::Shard;
    use arrow_array::Int64Array;
    use arrow_schema::{DataType, Field, Schema};
    use std::sync::Arc;

    fn batch(n: i64) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Int64, true)]));
        RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from((0..n).collect::<Vec<_>>()))]).unwrap()
    }

    fn tmpdir(name: &str) -> crate::test_util::TestDir {
        crate::test_util::TestDir::new(&format!("sw-{name}"))
    }

    #[test]
    fn early_writeback_keeps_every_byte() {
        // Past WRITEBACK_STEP the writer flushes and starts writeback mid-shard; what it reads back
        // must still be exactly what was written, in order.
        let dir = tmpdir("writeback");
        let d = dir.path();
        let b = batch(300_000); // 2.4 MB of values per batch
        let mut w = ShardWriter::new(d, b.schema(), &WriteOptions::default()).unwrap();
        for _ in 0..5 {
            w.write(&b).unwrap();
        }
        let names = w.finish().unwrap();
        assert_eq!(names, vec!["data-00000-of-00001.arrow".to_string()]);
        let s = Shard::open(d.join(&names[0])).unwrap();
        assert!(s.byte_len() > WRITEBACK_STEP, "{}", s.byte_len());
        assert_eq!(s.num_rows(), 1_500_000);
        let mut seen = 0i64;
        for i in 0..s.num_batches() {
            let col = s.batch(i).unwrap().column(0).clone();
            let col = col.as_any().downcast_ref::<Int64Array>().unwrap();
            for v in col.values() {
                assert_eq!(*v, seen % 300_000);
                seen += 1;
            }
        }
        assert_eq!(seen, 1_500_000);
    }

    #[test]
    fn splits_into_bounded_shards_with_hf_names() {
        let dir = tmpdir("split");
        let d = dir.path();
        let b = batch(10_000); // 80 KB of values
        let opts = WriteOptions { max_shard_bytes: 30_000, max_batch_rows: Some(1000), fingerprint: None };
        let mut w = ShardWriter::new(d, b.schema(), &opts).unwrap();
        w.write(&b).unwrap();
        let names = w.finish().unwrap();
        assert!(names.len() >= 3, "{names:?}");
        assert_eq!(names[0], format!("data-00000-of-{:05}.arrow", names.len()));
        let mut total = 0;
        for n in &names {
            let s = Shard::open(d.join(n)).unwrap();
            assert!(s.byte_len() < 30_000 + 10_000, "{n}: {}", s.byte_len());
            assert!(s.row_starts().windows(2).all(|w| w[1] - w[0] <= 1000));
            total += s.num_rows();
        }
        assert_eq!(total, 10_000);
        let leftovers: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn empty_dataset_is_one_schema_only_shard() {
        let dir = tmpdir("empty");
        let d = dir.path();
        let w = ShardWriter::new(d, batch(0).schema(), &WriteOptions::default()).unwrap();
        assert_eq!(w.finish().unwrap(), vec!["data-00000-of-00001.arrow".to_string()]);
        let s = Shard::open(d.join("data-00000-of-00001.arrow")).unwrap();
        assert_eq!(s.num_rows(), 0);
        assert_eq!(s.schema().field(0).name(), "x");
    }

    #[test]
    fn unsynced_finish_hands_over_the_last_shard() {
        // Several shards: the earlier ones are fsynced as they close, the last one is returned
        // (under its final name) for the caller's fsync; every row is there either way.
        let dir = tmpdir("unsynced");
        let d = dir.path();
        let b = batch(10_000);
        let opts = WriteOptions { max_shard_bytes: 30_000, max_batch_rows: Some(1000), fingerprint: None };
        let mut w = ShardWriter::new(d, b.schema(), &opts).unwrap();
        w.write(&b).unwrap();
        w.write(&batch(7)).unwrap();
        let (names, last) = w.finish_unsynced().unwrap();
        let last = last.expect("the open shard is handed over");
        assert_eq!(last.path, d.join(names.last().unwrap()));
        last.sync().unwrap();
        let rows: u64 = names.iter().map(|n| Shard::open(d.join(n)).unwrap().num_rows()).sum();
        assert_eq!(rows, 10_007);
        assert_eq!(std::fs::read_dir(d).unwrap().count(), names.len(), "no temporary files left");

        // Nothing written: one schema-only shard, already durable.
        let empty = tmpdir("unsynced-empty");
        let w = ShardWriter::new(empty.path(), batch(0).schema(), &WriteOptions::default()).unwrap();
        let (names, last) = w.finish_unsynced().unwrap();
        assert_eq!(names, vec!["data-00000-of-00001.arrow".to_string()]);
        assert!(last.is_none());
        assert_eq!(Shard::open(empty.path().join(&names[0])).unwrap().num_rows(), 0);
    }

    #[test]
    fn dropped_writer_leaves_no_files() {
        let dir = tmpdir("drop");
        let d = dir.path();
        let mut w = ShardWriter::new(d, batch(1).schema(), &WriteOptions::default()).unwrap();
        w.write(&batch(5)).unwrap();
        drop(w);
        assert_eq!(std::fs::read_dir(d).unwrap().count(), 0);
    }
}
