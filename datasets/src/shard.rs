//! One Arrow IPC shard: a memory-mapped `.arrow` file (IPC stream, as Hugging Face writes it, or IPC
//! file) whose record batches are decoded lazily and zero-copy over the map; or a few in-memory batches.
//!
//! Opening walks the message headers only (O(number of batches), a page or so per batch): the bodies
//! are neither read nor validated until a batch is first used, so opening a multi-GB shard costs
//! microseconds and touches almost no memory. A decoded batch is cached (it holds only references
//! into the map, so the cache costs page cache, not heap).

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::{Arc, OnceLock};

use arrow_array::{ArrayRef, RecordBatch};
use arrow_buffer::Buffer;
use arrow_ipc::reader::{read_dictionary_impl, RecordBatchDecoder};
use arrow_ipc::{MessageHeader, MetadataVersion};
use arrow_schema::SchemaRef;

use crate::error::{Error, Result};

/// Magic at both ends of an Arrow IPC *file* (the stream format has none).
const FILE_MAGIC: &[u8; 6] = b"ARROW1";
/// Stream messages begin with this marker (since format 0.15), then the metadata length.
const CONTINUATION: u32 = 0xFFFF_FFFF;

/// One shard of a dataset. Cheap to share (`Arc<Shard>`); all methods take `&self` and are thread-safe.
pub struct Shard {
    path: PathBuf,
    schema: SchemaRef,
    storage: Storage,
    /// Row index (within the shard) where each batch starts, plus the total row count at the end.
    row_starts: Vec<u64>,
    byte_len: u64,
}

enum Storage {
    Mapped(Mapped),
    Memory(Vec<RecordBatch>),
}

struct Mapped {
    /// The whole file as one Arrow buffer over the map (owning an `Arc<Mmap>`): slices are zero-copy.
    data: Buffer,
    dictionaries: HashMap<i64, ArrayRef>,
    batches: Vec<BatchLoc>,
    decoded: Vec<OnceLock<RecordBatch>>,
}

/// Where one record batch message lives in the file.
struct BatchLoc {
    meta_start: usize,
    meta_len: usize,
    body_start: usize,
    body_len: usize,
}

impl Shard {
    /// Memory-maps `path` (Arrow IPC stream or file format) and indexes its record batches.
    /// A truncated or corrupt file is `Error::CorruptShard` naming it: a stream must end with its
    /// end-of-stream marker and a file with its footer, so a half-written shard never opens.
    pub fn open(path: impl AsRef<Path>) -> Result<Shard> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
        if len == 0 {
            return Err(corrupt(path, "empty file"));
        }
        // SAFETY: the map is read-only; like every mmap reader we rely on nobody truncating or
        // rewriting the file while it is open (our writers only ever create new files and rename).
        let mmap = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
        let mmap = Arc::new(mmap);
        let ptr = NonNull::new(mmap.as_ptr() as *mut u8).ok_or_else(|| corrupt(path, "null map"))?;
        // SAFETY: `ptr` is valid for `mmap.len()` bytes for as long as the `Arc<Mmap>` owner lives,
        // and the buffer keeps that owner alive.
        let data = unsafe { Buffer::from_custom_allocation(ptr, mmap.len(), mmap.clone()) };
        guard(path, || Self::index(path, &file, data))
    }

    /// A shard over record batches already in memory (small data, tests, freshly computed results).
    pub fn from_batches(schema: SchemaRef, batches: Vec<RecordBatch>) -> Result<Shard> {
        let mut row_starts = Vec::with_capacity(batches.len() + 1);
        let mut rows = 0u64;
        let mut byte_len = 0u64;
        let mut out = Vec::with_capacity(batches.len());
        for b in batches {
            if b.schema().fields() != schema.fields() {
                return Err(Error::Invalid(format!(
                    "batch schema {:?} differs from dataset schema {:?}",
                    b.schema().fields(),
                    schema.fields()
                )));
            }
            if b.num_rows() == 0 {
                continue;
            }
            row_starts.push(rows);
            rows += b.num_rows() as u64;
            byte_len += b.get_array_memory_size() as u64;
            out.push(b);
        }
        row_starts.push(rows);
        Ok(Shard { path: PathBuf::new(), schema, storage: Storage::Memory(out), row_starts, byte_len })
    }

    fn index(path: &Path, file: &File, data: Buffer) -> Result<Shard> {
        let total = data.len();
        let mut ix = Indexer {
            path,
            file,
            scratch: Vec::new(),
            data: &data,
            schema: None,
            dictionaries: HashMap::new(),
            batches: Vec::new(),
            row_starts: Vec::new(),
            rows: 0,
        };
        // IPC file: "ARROW1" + padding + stream messages + footer + footer length (i32) + "ARROW1".
        let mut magic = Vec::new();
        ix.read_at(0, total.min(6), &mut magic)?;
        if magic == FILE_MAGIC {
            ix.file(total)?;
        } else {
            ix.stream(total)?;
        }
        let schema = ix.schema.ok_or_else(|| corrupt(path, "no schema message"))?;
        let mut row_starts = ix.row_starts;
        row_starts.push(ix.rows);
        let decoded = (0..ix.batches.len()).map(|_| OnceLock::new()).collect();
        Ok(Shard {
            path: path.to_path_buf(),
            schema,
            storage: Storage::Mapped(Mapped {
                data: data.clone(),
                dictionaries: ix.dictionaries,
                batches: ix.batches,
                decoded,
            }),
            row_starts,
            byte_len: total as u64,
        })
    }

    /// The file this shard maps (empty for an in-memory shard).
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn is_in_memory(&self) -> bool {
        matches!(self.storage, Storage::Memory(_))
    }

    /// The schema as stored (with its metadata, e.g. HF's `huggingface` key).
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    pub fn num_rows(&self) -> u64 {
        *self.row_starts.last().unwrap_or(&0)
    }

    /// Number of (non-empty) record batches.
    pub fn num_batches(&self) -> usize {
        self.row_starts.len() - 1
    }

    /// Row (within the shard) where each batch starts, then the total row count.
    pub fn row_starts(&self) -> &[u64] {
        &self.row_starts
    }

    /// File size for a mapped shard; Arrow memory size for an in-memory one.
    pub fn byte_len(&self) -> u64 {
        self.byte_len
    }

    /// Batch `i`, decoded zero-copy over the map on first use (and validated then).
    pub fn batch(&self, i: usize) -> Result<RecordBatch> {
        match &self.storage {
            Storage::Memory(b) => b.get(i).cloned().ok_or_else(|| self.out_of_range(i)),
            Storage::Mapped(m) => {
                let cell = m.decoded.get(i).ok_or_else(|| self.out_of_range(i))?;
                if let Some(b) = cell.get() {
                    return Ok(b.clone());
                }
                let b = guard(&self.path, || self.decode(m, i))?;
                Ok(cell.get_or_init(|| b).clone())
            }
        }
    }

    fn decode(&self, m: &Mapped, i: usize) -> Result<RecordBatch> {
        let loc = &m.batches[i];
        let bytes = &m.data.as_slice()[loc.meta_start..loc.meta_start + loc.meta_len];
        let err = |e: String| corrupt(&self.path, format!("record batch {i}: {e}"));
        let message = arrow_ipc::root_as_message(bytes).map_err(|e| err(e.to_string()))?;
        let fb = message.header_as_record_batch().ok_or_else(|| err("not a record batch".into()))?;
        let body = m.data.slice_with_length(loc.body_start, loc.body_len);
        let version: MetadataVersion = message.version();
        RecordBatchDecoder::try_new(&body, fb, self.schema.clone(), &m.dictionaries, &version)
            .and_then(|d| d.read_record_batch())
            .map_err(|e| err(e.to_string()))
    }

    /// The batch holding shard row `row` and the row's offset in it.
    pub fn locate(&self, row: u64) -> Option<(usize, usize)> {
        if row >= self.num_rows() {
            return None;
        }
        let b = self.row_starts.partition_point(|&s| s <= row) - 1;
        Some((b, (row - self.row_starts[b]) as usize))
    }

    fn out_of_range(&self, i: usize) -> Error {
        Error::Invalid(format!("{}: batch {i} out of range ({} batches)", self.path.display(), self.num_batches()))
    }
}

impl std::fmt::Debug for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shard")
            .field("path", &self.path)
            .field("rows", &self.num_rows())
            .field("batches", &self.num_batches())
            .field("bytes", &self.byte_len)
            .finish()
    }
}

/// Walks the messages of a mapped file, collecting schema, dictionaries and batch locations.
///
/// Headers are read with `pread`, not through the map: a fault on a mapped page also maps its
/// cached neighbours (fault-around, 64 KB), so touching one header per batch through the map made
/// merely opening a 2 GB dataset cost ~70 MB of RSS. With reads it costs a few KB.
struct Indexer<'a> {
    path: &'a Path,
    file: &'a File,
    scratch: Vec<u8>,
    data: &'a Buffer,
    schema: Option<SchemaRef>,
    dictionaries: HashMap<i64, ArrayRef>,
    batches: Vec<BatchLoc>,
    row_starts: Vec<u64>,
    rows: u64,
}

impl Indexer<'_> {
    /// Stream format: messages until the end-of-stream marker, which must be there (a stream cut
    /// exactly between two messages would otherwise look complete).
    fn stream(&mut self, end: usize) -> Result<()> {
        let mut pos = 0;
        loop {
            match self.message_at(pos, end)? {
                None => return Ok(()),
                Some(next) => pos = next,
            }
        }
    }

    /// File format: the footer lists the dictionary and record batch blocks.
    fn file(&mut self, total: usize) -> Result<()> {
        let mut buf = Vec::new();
        if total < 18 {
            return Err(corrupt(self.path, "IPC file shorter than its magic and footer"));
        }
        self.read_at(total - 10, 10, &mut buf)?;
        if &buf[4..] != FILE_MAGIC {
            return Err(corrupt(self.path, "IPC file without its trailing ARROW1 magic (truncated?)"));
        }
        let footer_len = i32::from_le_bytes(read4(&buf, 0)) as i64;
        let footer_start = total as i64 - 10 - footer_len;
        if footer_len <= 0 || footer_start < 8 {
            return Err(corrupt(self.path, format!("bad footer length {footer_len}")));
        }
        let footer_start = footer_start as usize;
        self.read_at(footer_start, footer_len as usize, &mut buf)?;
        let footer = arrow_ipc::root_as_footer(&buf).map_err(|e| corrupt(self.path, format!("bad footer: {e}")))?;
        let fb_schema = footer.schema().ok_or_else(|| corrupt(self.path, "footer without schema"))?;
        let schema = arrow_ipc::convert::try_fb_to_schema(fb_schema).map_err(|e| corrupt(self.path, e.to_string()))?;
        self.schema = Some(Arc::new(schema));
        let blocks: Vec<i64> = footer
            .dictionaries()
            .into_iter()
            .flatten()
            .chain(footer.recordBatches().into_iter().flatten())
            .map(|b| b.offset())
            .collect();
        for offset in blocks {
            let offset = usize::try_from(offset).map_err(|_| corrupt(self.path, "negative block offset"))?;
            self.message_at(offset, footer_start)?;
        }
        Ok(())
    }

    /// Reads `len` bytes at `pos` into `buf` (replacing its content).
    fn read_at(&self, pos: usize, len: usize, buf: &mut Vec<u8>) -> Result<()> {
        use std::os::unix::fs::FileExt;
        buf.resize(len, 0);
        self.file.read_exact_at(buf, pos as u64).map_err(|e| Error::io(self.path, e))
    }

    /// Indexes the message at `pos` (`end` bounds it). Returns the position after it, or `None`
    /// at the end-of-stream marker.
    fn message_at(&mut self, mut pos: usize, end: usize) -> Result<Option<usize>> {
        /// One read usually gets the prefix and the whole metadata flatbuffer (~200-600 bytes).
        const PREFETCH: usize = 1024;
        let path = self.path;
        if pos + 4 > end {
            return Err(corrupt(path, format!("no end-of-stream marker (truncated at byte {pos})")));
        }
        let mut buf = std::mem::take(&mut self.scratch);
        self.read_at(pos, (end - pos).min(PREFETCH), &mut buf)?;
        let mut word = u32::from_le_bytes(read4(&buf, 0));
        let mut off = 4;
        if word == CONTINUATION {
            if pos + 8 > end {
                return Err(corrupt(path, format!("truncated message header at byte {}", pos + 4)));
            }
            word = u32::from_le_bytes(read4(&buf, 4));
            off = 8;
        }
        pos += off;
        let meta_len = word as usize;
        if meta_len == 0 {
            self.scratch = buf;
            return Ok(None); // end-of-stream marker
        }
        if pos + meta_len > end {
            return Err(corrupt(path, format!("message at byte {pos} runs past the end of the file")));
        }
        let meta: &[u8] = if off + meta_len <= buf.len() {
            &buf[off..off + meta_len]
        } else {
            self.read_at(pos, meta_len, &mut buf)?;
            &buf
        };
        let message =
            arrow_ipc::root_as_message(meta).map_err(|e| corrupt(path, format!("bad message at byte {pos}: {e}")))?;
        let body_start = pos + meta_len;
        let body_len = usize::try_from(message.bodyLength())
            .ok()
            .filter(|&n| body_start.checked_add(n).is_some_and(|e| e <= end))
            .ok_or_else(|| corrupt(path, format!("message body at byte {body_start} runs past the end")))?;
        match message.header_type() {
            MessageHeader::Schema => {
                let fb = message.header_as_schema().ok_or_else(|| corrupt(path, "unreadable schema"))?;
                let s = arrow_ipc::convert::try_fb_to_schema(fb).map_err(|e| corrupt(path, e.to_string()))?;
                match &self.schema {
                    None => self.schema = Some(Arc::new(s)),
                    Some(_) => return Err(corrupt(path, format!("second schema message at byte {pos}"))),
                }
            }
            MessageHeader::DictionaryBatch => {
                let s = self.schema.as_ref().ok_or_else(|| corrupt(path, "dictionary before schema"))?;
                if !self.batches.is_empty() {
                    // Replacing a dictionary between batches would make a batch's decoding depend
                    // on history; HF and arrow-rs writers never do it.
                    return Err(corrupt(path, "dictionary replacement after a record batch is not supported"));
                }
                let dict = message.header_as_dictionary_batch().ok_or_else(|| corrupt(path, "bad dictionary"))?;
                let body = self.data.slice_with_length(body_start, body_len);
                read_dictionary_impl(
                    &body,
                    dict,
                    s,
                    &mut self.dictionaries,
                    &message.version(),
                    false,
                    Default::default(),
                )
                .map_err(|e| corrupt(path, format!("dictionary at byte {pos}: {e}")))?;
            }
            MessageHeader::RecordBatch => {
                if self.schema.is_none() {
                    return Err(corrupt(path, "record batch before schema"));
                }
                let rb = message.header_as_record_batch().ok_or_else(|| corrupt(path, "bad record batch"))?;
                let n = u64::try_from(rb.length()).map_err(|_| corrupt(path, "negative batch length"))?;
                if n > 0 {
                    self.row_starts.push(self.rows);
                    self.rows += n;
                    self.batches.push(BatchLoc { meta_start: pos, meta_len, body_start, body_len });
                }
            }
            MessageHeader::NONE => {}
            other => return Err(corrupt(path, format!("unsupported message {other:?} at byte {pos}"))),
        }
        self.scratch = buf;
        Ok(Some(body_start + body_len))
    }
}

/// Runs arrow's IPC decoding, turning a panic into `CorruptShard`: arrow-ipc validates most
/// corrupt input, but some buffer-length mismatches still panic (a slice out of bounds), and bad
/// bytes in a data file must be an error, never a crash (nor a panic crossing into Python).
fn guard<T>(path: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|p| {
        let msg =
            p.downcast_ref::<String>().map(String::as_str).or_else(|| p.downcast_ref::<&str>().copied()).unwrap_or("");
        Err(corrupt(path, format!("undecodable data: {msg}")))
    })
}

fn read4(bytes: &[u8], at: usize) -> [u8; 4] {
    [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]
}

fn corrupt(path: &Path, reason: impl Into<String>) -> Error {
    Error::CorruptShard { path: path.to_path_buf(), reason: reason.into() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Int64Array, StringArray};
    use arrow_ipc::writer::{FileWriter, StreamWriter};
    use arrow_schema::{DataType, Field, Schema};

    fn sample(n: i64, start: i64) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, true),
            Field::new("text", DataType::Utf8, true),
        ]));
        let ids: Vec<i64> = (start..start + n).collect();
        let texts: Vec<String> = ids.iter().map(|i| format!("row {i}")).collect();
        RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from(ids)), Arc::new(StringArray::from(texts))]).unwrap()
    }

    fn stream_bytes(batches: &[RecordBatch]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut w = StreamWriter::try_new(&mut out, &batches[0].schema()).unwrap();
        for b in batches {
            w.write(b).unwrap();
        }
        w.finish().unwrap();
        drop(w);
        out
    }

    fn tmp(name: &str) -> (crate::test_util::TestDir, PathBuf) {
        let dir = crate::test_util::TestDir::new(&format!("shard-{name}"));
        let p = dir.join("s.arrow");
        (dir, p)
    }

    #[test]
    fn opens_stream_and_reads_batches() {
        let batches = [sample(3, 0), sample(0, 3), sample(5, 3)];
        let (_dir, p) = tmp("stream");
        std::fs::write(&p, stream_bytes(&batches)).unwrap();
        let s = Shard::open(&p).unwrap();
        assert_eq!(s.num_rows(), 8);
        assert_eq!(s.num_batches(), 2, "empty batches are skipped");
        assert_eq!(s.batch(1).unwrap(), batches[2]);
        assert_eq!(s.locate(4), Some((1, 1)));
        assert_eq!(s.locate(8), None);
    }

    #[test]
    fn opens_ipc_file_format() {
        let (_dir, p) = tmp("file");
        let b = sample(4, 10);
        let mut out = Vec::new();
        let mut w = FileWriter::try_new(&mut out, &b.schema()).unwrap();
        w.write(&b).unwrap();
        w.write(&b).unwrap();
        w.finish().unwrap();
        drop(w);
        std::fs::write(&p, &out).unwrap();
        let s = Shard::open(&p).unwrap();
        assert_eq!(s.num_rows(), 8);
        assert_eq!(s.batch(0).unwrap(), b);
        // cut the footer: must not open
        std::fs::write(&p, &out[..out.len() - 3]).unwrap();
        assert!(matches!(Shard::open(&p), Err(Error::CorruptShard { .. })));
    }

    #[test]
    fn open_reads_headers_only() {
        // Corrupting a batch body does not affect open (nothing but headers is read), only the
        // first use of that batch: opening is independent of the data size.
        let b = sample(50, 0);
        let mut bytes = stream_bytes(&[b.clone(), b.clone()]);
        let (_dir, p) = tmp("lazy");
        let s = Shard::open({
            std::fs::write(&p, &bytes).unwrap();
            &p
        })
        .unwrap();
        let Storage::Mapped(m) = &s.storage else { panic!("mapped") };
        let body = m.batches[1].body_start;
        drop(s);
        // the text column's offsets come after the id values: make them point far away
        for x in &mut bytes[body + 50 * 8..body + 50 * 8 + 64] {
            *x = 0xff;
        }
        std::fs::write(&p, &bytes).unwrap();
        let s = Shard::open(&p).unwrap();
        assert_eq!(s.num_rows(), 100);
        assert_eq!(s.batch(0).unwrap(), b);
        assert!(matches!(s.batch(1), Err(Error::CorruptShard { .. })));
    }

    #[test]
    fn every_truncation_is_an_error() {
        let bytes = stream_bytes(&[sample(3, 0), sample(4, 3)]);
        let (_dir, p) = tmp("trunc");
        for cut in [0, 1, 4, 8, 20, bytes.len() / 2, bytes.len() - 8, bytes.len() - 1] {
            std::fs::write(&p, &bytes[..cut]).unwrap();
            match Shard::open(&p) {
                Err(Error::CorruptShard { path, .. }) => assert_eq!(path, p),
                other => panic!("cut at {cut}: expected CorruptShard, got {other:?}"),
            }
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let (_dir, p) = tmp("garbage");
        let mut bytes = stream_bytes(&[sample(3, 0)]);
        for i in (0..bytes.len()).step_by(7) {
            bytes[i] ^= 0x5a;
        }
        std::fs::write(&p, &bytes).unwrap();
        if let Ok(s) = Shard::open(&p) {
            let _ = s.batch(0); // may fail, must not panic
        }
    }
}
