//! Parallel decoding of a record-per-line text input (JSON Lines, CSV). The (decompressed) stream is
//! cut into chunks of about `chunk_bytes` that end at record boundaries; a window of chunks is decoded
//! on rayon's threads while the next window is read, and the batches come out in file order. Memory
//! stays bounded by two windows of chunks plus one window of batches.
//!
//! A mapped CSV file may be cut *speculatively* (see [`Chunker::speculate`]): at the first newline
//! after each `chunk_bytes`, with no serial scan of the quotes. A newline inside a quoted field
//! makes a wrong cut, which the decoder notices (the record before it does not close); a chunk is
//! trusted only when every chunk before it decoded as whole records, and a failing chunk is cut
//! again from its (verified) start with the quote scan. A wrong cut costs one window's work.
//!
//! A decode error keeps every batch before it; the caller turns it into an [`Error`] knowing the
//! failing chunk's bytes, the rows decoded before that chunk and the newlines before it, so a bad
//! record in a late chunk still reports its true place in the file.

use std::collections::VecDeque;
use std::io::{BufRead, Read};
use std::path::Path;
use std::sync::Arc;

use arrow_array::RecordBatch;
use rayon::prelude::*;

use super::files;
use crate::error::{Error, Result};

/// The UTF-8 byte order mark.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The file at `path` memory-mapped, when it is a non-empty uncompressed regular file (the common
/// case: its bytes are then read straight from the page cache, no copy); `None` otherwise.
pub(crate) fn map_plain(path: &Path) -> Result<Option<memmap2::Mmap>> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let plain = matches!(files::Compression::of(path), files::Compression::None);
    if !plain || !file.metadata().is_ok_and(|m| m.is_file() && m.len() > 0) {
        return Ok(None);
    }
    // SAFETY: the map is read only. A file truncated while it is read is the one hazard of any
    // map (SIGBUS); loaders of local data files (ripgrep, pyarrow's memory-mapped reads) accept
    // it, and a concurrently rewritten input gives garbage rows either way.
    Ok(unsafe { memmap2::Mmap::map(&file) }.ok())
}

/// The most memory reserved ahead of a read (a huge `chunk_bytes` must not allocate it up front).
const MAX_RESERVE: usize = 64 << 20;

/// Where a chunk may end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Boundary {
    /// After any newline (JSON Lines: a JSON string cannot hold a raw newline).
    Lines,
    /// After a newline outside a quoted field, for CSV whose quotes are escaped by doubling them
    /// (csv_core's default; not for an escape character or comment lines).
    Csv { quote: u8, delimiter: u8 },
}

/// The quoting state of a CSV scan, carried from one read to the next.
#[derive(Clone, Copy, Debug, Default)]
struct CsvState {
    /// Inside a quoted field.
    inside: bool,
    /// The position of the quote that last closed a quoted field (a quote right after it is the
    /// second half of an escaped `""`, so it reopens the field).
    closed_at: Option<usize>,
}

/// Cuts a stream into chunks that end at record boundaries (the last chunk ends at end of input).
/// Each byte is scanned once: the scan state survives refills, so a record longer than a chunk only
/// makes its chunk longer.
pub(crate) struct Chunker {
    reader: Box<dyn BufRead + Send>,
    /// An uncompressed file mapped whole: chunks are ranges of it (no read copies, no buffers), and
    /// `carry` stays empty; `pos` is where the next chunk starts.
    mapped: Option<Arc<memmap2::Mmap>>,
    pos: usize,
    boundary: Boundary,
    chunk_bytes: usize,
    carry: Vec<u8>,
    /// `carry[..scanned]` has been scanned; `last_end` is the end of its last complete record.
    scanned: usize,
    last_end: Option<usize>,
    csv: CsvState,
    eof: bool,
    /// Cut a mapped CSV input at plain newlines (see the module doc); `exact_next` cuts the next
    /// chunk with the quote scan once (after a speculative chunk failed to decode).
    speculate: bool,
    exact_next: bool,
    /// Speculative chunks that failed so far; at `max_wrong_cuts` speculation stops (quoted
    /// newlines are common in this input, or its rows are not plain: the scan is cheaper then).
    wrong_cuts: usize,
    max_wrong_cuts: usize,
}

impl Chunker {
    pub(crate) fn new(reader: Box<dyn BufRead + Send>, boundary: Boundary, chunk_bytes: usize) -> Self {
        Chunker {
            reader,
            mapped: None,
            pos: 0,
            boundary,
            chunk_bytes: chunk_bytes.max(1),
            carry: Vec::new(),
            scanned: 0,
            last_end: None,
            csv: CsvState::default(),
            eof: false,
            speculate: false,
            exact_next: false,
            wrong_cuts: 0,
            max_wrong_cuts: 2,
        }
    }

    /// Cuts a mapped CSV input speculatively from here on (no effect on JSON Lines, whose cuts
    /// need no scan, or on a read stream, whose scan runs beside the decoding). The caller's decoder
    /// must tell a chunk that is not whole records (`None` from [`batches`]' `decode` for a
    /// [`Cut::Speculative`] chunk) from one that is.
    pub(crate) fn speculate(&mut self, on: bool) {
        self.speculate = on && self.mapped.is_some() && matches!(self.boundary, Boundary::Csv { .. });
    }

    /// Restarts the cutting at `start`, a verified record boundary of a mapped input where a
    /// speculative chunk failed to decode: the next chunk is cut with the quote scan.
    pub(crate) fn recut_from(&mut self, start: usize) {
        debug_assert!(self.mapped.is_some());
        self.pos = start;
        self.scanned = start;
        self.last_end = None;
        self.csv = CsvState::default();
        self.exact_next = true;
        self.wrong_cuts += 1;
        if self.wrong_cuts >= self.max_wrong_cuts {
            self.speculate = false;
        }
    }

    /// A chunker over the file at `path`: mapped when it is an uncompressed regular file (the common
    /// case: chunks then are ranges of the page cache), else read through [`files::open`].
    pub(crate) fn open(path: &Path, boundary: Boundary, chunk_bytes: usize) -> Result<Self> {
        if let Some(map) = map_plain(path)? {
            let mut c = Chunker::new(Box::new(std::io::empty()), boundary, chunk_bytes);
            c.mapped = Some(Arc::new(map));
            return Ok(c);
        }
        Ok(Chunker::new(files::open(path)?, boundary, chunk_bytes))
    }

    /// Drops a UTF-8 byte order mark at the start of the input (before the first chunk).
    pub(crate) fn skip_bom(&mut self) -> std::io::Result<()> {
        debug_assert!(self.carry.is_empty() && self.scanned == self.pos);
        match &self.mapped {
            Some(map) => {
                if self.pos == 0 && map.starts_with(BOM) {
                    self.pos = BOM.len();
                    self.scanned = self.pos;
                }
            }
            None => {
                if self.reader.fill_buf()?.starts_with(BOM) {
                    self.reader.consume(BOM.len());
                }
            }
        }
        Ok(())
    }

    /// Drops the first `lines` lines of the input (pandas' `skiprows`); before the first chunk.
    pub(crate) fn skip_lines(&mut self, lines: usize) -> std::io::Result<()> {
        debug_assert!(self.carry.is_empty() && self.scanned == self.pos);
        match &self.mapped {
            Some(map) => {
                for _ in 0..lines {
                    self.pos = match memchr::memchr(b'\n', &map[self.pos..]) {
                        Some(i) => self.pos + i + 1,
                        None => map.len(),
                    };
                }
                self.scanned = self.pos;
                Ok(())
            }
            None => files::skip_lines(&mut self.reader, lines),
        }
    }

    /// The next chunk, or `None` at end of input.
    pub(crate) fn next_chunk(&mut self) -> std::io::Result<Option<Chunk>> {
        if let Some(map) = self.mapped.clone() {
            let cut =
                if self.speculate && !std::mem::take(&mut self.exact_next) { Cut::Speculative } else { Cut::Exact };
            let range = match cut {
                Cut::Speculative => self.next_speculative(&map),
                Cut::Exact => self.next_mapped(&map),
            };
            return Ok(range.map(|range| Chunk::Mapped { map, range, cut }));
        }
        Ok(self.next_read()?.map(Chunk::Owned))
    }

    /// The next range of a mapped file, ending at the first newline after `chunk_bytes` whether or
    /// not it is inside quotes.
    fn next_speculative(&mut self, map: &[u8]) -> Option<std::ops::Range<usize>> {
        let start = self.pos;
        if start >= map.len() {
            return None;
        }
        let to = start.saturating_add(self.chunk_bytes).min(map.len());
        // `to - 1` itself may be the newline: the chunk then ends right at `to`.
        let end = memchr::memchr(b'\n', &map[to - 1..]).map_or(map.len(), |i| to + i);
        self.pos = end;
        Some(start..end)
    }

    /// The next range of a mapped file: the scan runs over the whole map, positions are absolute.
    fn next_mapped(&mut self, map: &[u8]) -> Option<std::ops::Range<usize>> {
        let start = self.pos;
        if start >= map.len() {
            return None;
        }
        if self.scanned < start {
            // After speculative chunks: `start` ends a verified record, outside quotes.
            self.scanned = start;
            self.last_end = None;
            self.csv = CsvState::default();
        }
        let mut to = start.saturating_add(self.chunk_bytes).min(map.len());
        loop {
            if to == map.len() {
                self.pos = to;
                return Some(start..to);
            }
            if self.scanned < to {
                let from = self.scanned;
                self.last_end = scan(&map[..to], from, self.boundary, &mut self.csv).or(self.last_end);
                self.scanned = to;
            }
            match self.last_end.take() {
                Some(end) if end > start => {
                    self.pos = end;
                    return Some(start..end);
                }
                _ => to = to.saturating_add(self.chunk_bytes).min(map.len()),
            }
        }
    }

    fn next_read(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        let mut want = self.chunk_bytes;
        loop {
            if !self.eof && self.carry.len() < want {
                let need = want - self.carry.len();
                self.carry.reserve(need.min(MAX_RESERVE));
                let got = (&mut self.reader).take(need as u64).read_to_end(&mut self.carry)?;
                self.eof = got < need;
            }
            if self.eof {
                self.scanned = 0;
                self.last_end = None;
                return Ok((!self.carry.is_empty()).then(|| std::mem::take(&mut self.carry)));
            }
            self.scan();
            match self.last_end.take() {
                Some(end) => {
                    let mut rest = Vec::with_capacity(self.chunk_bytes.min(MAX_RESERVE).max(self.carry.len() - end));
                    rest.extend_from_slice(&self.carry[end..]);
                    let mut chunk = std::mem::replace(&mut self.carry, rest);
                    chunk.truncate(end);
                    // The rest was scanned already; its state is the state at the end of the carry.
                    self.scanned -= end;
                    self.csv.closed_at = self.csv.closed_at.and_then(|c| c.checked_sub(end));
                    return Ok(Some(chunk));
                }
                // Not one complete record yet: read another chunk's worth onto it.
                None => want = self.carry.len() + self.chunk_bytes,
            }
        }
    }

    /// Advances the scan over the bytes read since the last one.
    fn scan(&mut self) {
        let from = self.scanned;
        self.scanned = self.carry.len();
        if let Some(end) = scan(&self.carry, from, self.boundary, &mut self.csv) {
            self.last_end = Some(end);
        }
    }

    fn window(&mut self, n: usize) -> std::io::Result<Vec<Chunk>> {
        let mut w = Vec::with_capacity(n);
        while w.len() < n {
            match self.next_chunk()? {
                Some(c) => w.push(c),
                None => break,
            }
        }
        Ok(w)
    }
}

/// Scans `buf[from..]` (the state `s` is the state at `from`) and returns the end of its last
/// complete record, if one ends there.
fn scan(buf: &[u8], from: usize, boundary: Boundary, s: &mut CsvState) -> Option<usize> {
    let mut last_end = None;
    match boundary {
        Boundary::Lines => {
            if let Some(i) = memchr::memrchr(b'\n', &buf[from..]) {
                last_end = Some(from + i + 1);
            }
        }
        Boundary::Csv { quote, delimiter } => {
            for i in memchr::memchr2_iter(quote, b'\n', &buf[from..]).map(|i| i + from) {
                if buf[i] == b'\n' {
                    if !s.inside {
                        last_end = Some(i + 1);
                    }
                } else if s.inside {
                    s.inside = false;
                    s.closed_at = Some(i);
                } else if i == 0
                    || s.closed_at == Some(i - 1)
                    || matches!(buf[i - 1], b'\n' | b'\r')
                    || buf[i - 1] == delimiter
                {
                    // A quote opens a field only at the field's start (or, right after a closing
                    // quote, it is an escaped quote and the field goes on); elsewhere it is a
                    // literal quote in an unquoted field, as csv_core reads it.
                    s.inside = true;
                }
            }
        }
    }
    last_end
}

/// How a chunk was cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cut {
    /// At record boundaries (a scan of the quotes, or any newline of JSON Lines).
    Exact,
    /// At a newline that may be inside a quoted field: the decoder must refuse the chunk unless
    /// it is whole records.
    Speculative,
}

/// A chunk of input: read into a buffer, or a range of a mapped file.
pub(crate) enum Chunk {
    Owned(Vec<u8>),
    Mapped { map: Arc<memmap2::Mmap>, range: std::ops::Range<usize>, cut: Cut },
}

impl Chunk {
    pub(crate) fn cut(&self) -> Cut {
        match self {
            Chunk::Owned(_) => Cut::Exact,
            Chunk::Mapped { cut, .. } => *cut,
        }
    }
}

impl std::ops::Deref for Chunk {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Chunk::Owned(v) => v,
            Chunk::Mapped { map, range, .. } => &map[range.clone()],
        }
    }
}

/// What decoding one chunk gave: its batches, and the error that stopped it, if any.
pub(crate) type Decoded<E> = (Vec<RecordBatch>, Option<E>);

/// Where a failing chunk sits in the file.
pub(crate) struct FailedChunk<'a> {
    /// Its index (0: the first chunk, which holds a CSV header).
    pub index: usize,
    pub bytes: &'a [u8],
    /// Rows decoded from the chunks before it.
    pub rows_before: usize,
    /// Newlines in the chunks before it (counted for [`Boundary::Lines`] only, else 0).
    pub lines_before: usize,
}

/// Batches of `chunker`'s chunks in file order. `decode(chunk_index, bytes, cut)` runs in parallel;
/// it returns `None` only for a [`Cut::Speculative`] chunk that is not whole records it can decode
/// (the chunk is then cut again exactly, see the module doc). `fail(err, chunk)` makes the error of
/// the first failing chunk (every batch before it is yielded first). `io_err` wraps a read error.
pub(crate) fn batches<E, D, F, I>(mut chunker: Chunker, decode: D, fail: F, io_err: I) -> super::BatchIter
where
    E: Send + 'static,
    D: Fn(usize, &[u8], Cut) -> Option<Decoded<E>> + Send + Sync + 'static,
    F: Fn(E, FailedChunk) -> Error + Send + 'static,
    I: Fn(std::io::Error) -> Error + Send + 'static,
{
    // tokenmill's pool, not rayon's global one: it is rebuilt in a forked child (a DataLoader
    // worker), where the global pool's threads do not exist and any use of it would hang.
    let pool = tokenmill_tokenizers::tokenizer::batch::pool(0).ok();
    let width = (pool.as_ref().map_or(1, |p| p.current_num_threads()) * 2).max(2);
    // Newlines place a JSON Lines error; a CSV error is placed by records (see FailedChunk).
    let count_lines = chunker.boundary == Boundary::Lines;
    let mut queue: VecDeque<Result<RecordBatch>> = VecDeque::new();
    let mut next: Option<std::io::Result<Vec<Chunk>>> = None;
    let (mut index, mut rows, mut lines, mut done) = (0usize, 0usize, 0usize, false);
    Box::new(std::iter::from_fn(move || loop {
        if let Some(b) = queue.pop_front() {
            return Some(b);
        }
        if done {
            return None;
        }
        let current = match next.take().unwrap_or_else(|| chunker.window(width)) {
            Ok(w) if w.is_empty() => {
                done = true;
                continue;
            }
            Ok(w) => w,
            Err(e) => {
                done = true;
                return Some(Err(io_err(e)));
            }
        };
        let first = index;
        // Decode this window while the next one is read (and decompressed) on the other side.
        let mut run = || {
            rayon::join(
                || {
                    current
                        .par_iter()
                        .enumerate()
                        .map(|(i, c)| {
                            (
                                decode(first + i, c, c.cut()),
                                if count_lines { memchr::memchr_iter(b'\n', c).count() } else { 0 },
                            )
                        })
                        .collect::<Vec<_>>()
                },
                || chunker.window(width),
            )
        };
        let (decoded, ahead) = match &pool {
            Some(p) => p.install(run),
            None => run(),
        };
        next = Some(ahead);
        for ((result, newlines), chunk) in decoded.into_iter().zip(&current) {
            // Every chunk before this one was whole records, so this one starts at a record: a
            // speculative chunk it refused is cut again from there (the later ones, and the window
            // read ahead, were cut after a wrong cut maybe, and go).
            let Some((batches, err)) = result else {
                next = None;
                match chunk {
                    Chunk::Mapped { range, cut: Cut::Speculative, .. } => chunker.recut_from(range.start),
                    _ => {
                        done = true;
                        let msg = format!("chunk {index}: the decoder refused a chunk cut at record boundaries");
                        queue.push_back(Err(Error::Invalid(msg)));
                    }
                }
                break;
            };
            let bytes: &[u8] = chunk;
            let rows_before = rows;
            for b in batches {
                rows += b.num_rows();
                queue.push_back(Ok(b));
            }
            if let Some(e) = err {
                queue.push_back(Err(fail(e, FailedChunk { index, bytes, rows_before, lines_before: lines })));
                done = true;
                next = None;
                break;
            }
            lines += newlines;
            index += 1;
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chunks of `input`, read from a stream (`mapped`: from a mapped file).
    fn chunks_of(input: &[u8], boundary: Boundary, size: usize, mapped: bool) -> Vec<Vec<u8>> {
        let mut c = if mapped {
            let path = std::env::temp_dir().join(format!("tm-chunked-{}-{size}-{}", std::process::id(), input.len()));
            std::fs::write(&path, input).unwrap();
            let c = Chunker::open(&path, boundary, size).unwrap();
            std::fs::remove_file(&path).unwrap();
            assert_eq!(c.mapped.is_some(), !input.is_empty(), "an empty file is read, others mapped");
            c
        } else {
            Chunker::new(Box::new(std::io::Cursor::new(input.to_vec())), boundary, size)
        };
        let mut out = Vec::new();
        while let Some(chunk) = c.next_chunk().unwrap() {
            out.push(chunk.to_vec());
        }
        out
    }

    /// Read and mapped chunkings of `input` (they may cut differently near the end: a mapped file
    /// knows where it ends).
    fn both(input: &[u8], boundary: Boundary, size: usize) -> [Vec<Vec<u8>>; 2] {
        [chunks_of(input, boundary, size, false), chunks_of(input, boundary, size, true)]
    }

    const CSV: Boundary = Boundary::Csv { quote: b'"', delimiter: b',' };

    #[test]
    fn csv_cuts_only_outside_quotes() {
        // Quoted newline, escaped quotes, a literal quote inside an unquoted field, CRLF.
        let input = b"a,\"x\ny\"\nb,\"\"\"\"\nc,5'1\"\nd,\"q\"\"\n\"\r\ne,f";
        for (size, got) in (1..input.len() + 2).flat_map(|size| both(input, CSV, size).map(|got| (size, got))) {
            assert_eq!(got.concat(), input, "size {size}");
            for c in &got[..got.len() - 1] {
                let s = String::from_utf8_lossy(c);
                let ok = ["a,\"x\ny\"\n", "b,\"\"\"\"\n", "c,5'1\"\n", "d,\"q\"\"\n\"\r\n"];
                let mut rest = &s[..];
                while let Some(r) = ok.iter().find(|r| rest.starts_with(*r)) {
                    rest = &rest[r.len()..];
                }
                assert!(rest.is_empty(), "size {size}: chunk {s:?} does not end at a record");
            }
        }
        for got in both(b"{}\n{}", Boundary::Lines, 2) {
            assert_eq!(got, [b"{}\n".to_vec(), b"{}".to_vec()]);
        }
        assert!(chunks_of(b"", Boundary::Lines, 4, false).is_empty());
        assert!(chunks_of(b"", Boundary::Lines, 4, true).is_empty());
    }

    /// Speculative cuts through `batches`: a decoder that refuses any chunk not made of whole
    /// records (as csv_plain does) sees, in the end, exactly the input's records in order, however
    /// many cuts land inside quoted fields.
    #[test]
    fn speculative_cuts_are_recut_where_wrong() {
        use super::super::csv_plain::{record, ANY_FIELDS};
        let mut input = b"h,t\n".to_vec();
        let mut seed = 7u64;
        for i in 0..400 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let lines = (seed >> 60) as usize; // 0..16 quoted newlines
            let body = (0..lines).map(|k| format!("l{k} \"\"q\"\"")).collect::<Vec<_>>().join("\n");
            input.extend_from_slice(format!("{i},\"{body}\"\n").as_bytes());
        }
        let path = std::env::temp_dir().join(format!("tm-spec-{}.csv", std::process::id()));
        std::fs::write(&path, &input).unwrap();
        for size in [1, 5, 17, 64, 300, 4096] {
            let mut c = Chunker::open(&path, CSV, size).unwrap();
            c.speculate(true);
            c.max_wrong_cuts = usize::MAX;
            let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
            let log = seen.clone();
            let refused = Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let refusals = refused.clone();
            let decode = move |i: usize, chunk: &[u8], cut: Cut| -> Option<Decoded<()>> {
                let mut p = 0;
                let mut ranges = Vec::new();
                while p < chunk.len() {
                    ranges.clear();
                    match record(b'"', b',', ANY_FIELDS, chunk, p, &mut ranges) {
                        Some(next) => p = next,
                        None if cut == Cut::Speculative => {
                            refusals.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            return None;
                        }
                        None => panic!("an exact chunk {i} is not whole records: {:?}", String::from_utf8_lossy(chunk)),
                    }
                }
                log.lock().unwrap().push((i, chunk.to_vec()));
                Some((Vec::new(), None))
            };
            let p = path.clone();
            let n = batches(c, decode, |_, _| Error::Invalid(String::new()), move |e| Error::io(&p, e)).count();
            assert_eq!(n, 0);
            // Chunks decoded after a wrong cut were dropped: keep, per index, the last one decoded.
            let mut by_index = std::collections::BTreeMap::new();
            for (i, bytes) in seen.lock().unwrap().drain(..) {
                by_index.insert(i, bytes);
            }
            let got: Vec<u8> = by_index.into_values().flatten().collect();
            assert_eq!(got, input, "size {size}");
            let wrong = refused.load(std::sync::atomic::Ordering::Relaxed);
            assert!(size > 300 || wrong > 10, "size {size}: only {wrong} wrong cuts exercised");
        }
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn long_records_span_chunks() {
        let mut input = Vec::new();
        for i in 0..300 {
            input.extend_from_slice(format!("{i},\"line\none {}\"\n", "x".repeat(i * 7)).as_bytes());
        }
        for got in both(&input, CSV, 64) {
            assert!(got.len() > 100);
            assert!(got.iter().all(|c| c.ends_with(b"\"\n")));
            assert_eq!(got.concat(), input);
        }
    }
}
