//! Reading documents from inputs and encoding them chunk by chunk on the thread pool.
//!
//! `.txt` (a document per line), `.jsonl` (a JSON object per line, one string field), `.parquet`
//! (one string column) and `-` (stdin, text). Files are memory-mapped and cut into chunks of whole
//! lines of about [`CHUNK_BYTES`]; each chunk is cut into groups of about [`GROUP_BYTES`] that the
//! pool encodes in parallel, in order. Consumed parts of a mapping are released so that resident
//! memory stays bounded whatever the file size.

use std::fs::File;
use std::io::BufRead;
use std::ops::Range;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use memmap2::Mmap;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use tokenmill_tokenizers::tokenizer::batch;

use crate::error::{io, Error, Result};
use crate::jsonl;
use crate::tokenizer_arg::Encoder;

/// Input bytes encoded per step (whole documents; a longer document makes a longer chunk).
pub const CHUNK_BYTES: usize = 16 << 20;
/// Bytes per parallel task inside a chunk.
const GROUP_BYTES: usize = 256 << 10;
/// Released ranges are multiples of this (a multiple of every usual page size).
const RELEASE_ALIGN: usize = 64 << 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Jsonl,
    Parquet,
    Stdin,
}

#[derive(Debug, Clone)]
pub struct Input {
    pub path: PathBuf,
    pub kind: Kind,
    /// File size in bytes (0 for stdin).
    pub size: u64,
}

impl Input {
    pub fn display(&self) -> String {
        match self.kind {
            Kind::Stdin => "<stdin>".to_string(),
            _ => self.path.display().to_string(),
        }
    }
}

/// Checks every input before any work starts: it exists, is a file, has a known extension.
pub fn resolve(paths: &[PathBuf]) -> Result<Vec<Input>> {
    let mut out = Vec::with_capacity(paths.len());
    let mut stdin_seen = false;
    for p in paths {
        if p.as_os_str() == "-" {
            if stdin_seen {
                return Err(Error::msg("stdin (-) given more than once"));
            }
            stdin_seen = true;
            out.push(Input { path: p.clone(), kind: Kind::Stdin, size: 0 });
            continue;
        }
        let meta = std::fs::metadata(p).map_err(io(p))?;
        if !meta.is_file() {
            return Err(Error::msg(format!("{}: not a regular file", p.display())));
        }
        let kind = match p.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()).as_deref() {
            Some("txt") => Kind::Text,
            Some("jsonl") => Kind::Jsonl,
            Some("parquet") => Kind::Parquet,
            _ => {
                return Err(Error::msg(format!(
                    "{}: unsupported input type (expected .txt, .jsonl, .parquet or - for stdin)",
                    p.display()
                )))
            }
        };
        out.push(Input { path: p.clone(), kind, size: meta.len() });
    }
    Ok(out)
}

/// The ids of consecutive documents: `tokens` is their concatenation, `lens` their lengths.
#[derive(Default)]
pub struct Group {
    pub tokens: Vec<u32>,
    pub lens: Vec<u32>,
}

/// One encoded chunk, in document order.
#[derive(Default)]
pub struct Chunk {
    pub groups: Vec<Group>,
    /// Input bytes this chunk accounts for (for progress and totals).
    pub bytes: u64,
    pub docs: u64,
    pub tokens: u64,
}

impl Chunk {
    fn new(groups: Vec<Group>, bytes: u64) -> Self {
        let docs = groups.iter().map(|g| g.lens.len() as u64).sum();
        let tokens = groups.iter().map(|g| g.tokens.len() as u64).sum();
        Chunk { groups, bytes, docs, tokens }
    }
}

pub struct Opts<'a> {
    pub enc: &'a Encoder,
    pub threads: usize,
    pub field: &'a str,
    /// Added to a document's place (byte offset of its line, or row) to make its key for
    /// [`Encoder::encode_doc`]; distinct per input (see [`doc_key_base`]).
    pub doc_key: u64,
}

/// The document-key base of the `n`-th input: its documents' places (bytes or rows) stay below
/// 2^48, so inputs never share a key.
pub fn doc_key_base(n: usize) -> u64 {
    (n as u64) << 48
}

/// Reads and encodes `input`, handing each chunk to `sink` in order.
pub fn read(input: &Input, opts: &Opts, sink: &mut dyn FnMut(Chunk) -> Result<()>) -> Result<()> {
    match input.kind {
        Kind::Text | Kind::Jsonl => read_mapped(input, opts, sink),
        Kind::Stdin => read_stdin(opts, sink),
        Kind::Parquet => read_parquet(input, opts, sink),
    }
}

// ------------------------------------------------------------------------------ line inputs

fn read_mapped(input: &Input, opts: &Opts, sink: &mut dyn FnMut(Chunk) -> Result<()>) -> Result<()> {
    let path = &input.path;
    let origin = input.display();
    let file = File::open(path).map_err(io(path))?;
    let len = file.metadata().map_err(io(path))?.len() as usize;
    if len == 0 {
        return Ok(()); // mapping an empty file fails; it has no documents anyway.
    }
    // SAFETY: a read-only mapping of a file we only read. As with any mmap, another process
    // truncating or rewriting the file while we run could change what we see (or raise SIGBUS);
    // corpora are not modified while being tokenized, and we never hand out the bytes as `&'static`.
    let map = unsafe { Mmap::map(&file) }.map_err(io(path))?;
    #[cfg(unix)]
    let _ = map.advise(memmap2::Advice::Sequential);
    let data: &[u8] = &map;
    let (mut pos, mut released, mut line_base) = (0usize, 0usize, 0u64);
    while pos < len {
        let end = chunk_end(data, pos);
        let (chunk, lines) = encode_lines(&data[pos..end], input.kind, line_base, pos as u64, &origin, opts)?;
        line_base += lines;
        sink(chunk)?;
        pos = end;
        let upto = pos / RELEASE_ALIGN * RELEASE_ALIGN;
        if upto > released {
            release(&map, released, upto - released);
            released = upto;
        }
    }
    Ok(())
}

/// Drops the pages of `map[offset..offset + len]` from this process.
#[cfg(unix)]
fn release(map: &Mmap, offset: usize, len: usize) {
    // SAFETY: MADV_DONTNEED is "unchecked" because on private *writable* mappings it discards
    // modifications, which would change memory under live references. This mapping is a read-only
    // view of a file: dropping its pages only unmaps them, and any later access would fault the
    // same bytes back in from the page cache / file. Besides, the range lies wholly before `pos`,
    // so it has been encoded already, and no borrow into it is alive (the chunk's documents were
    // dropped once encoded; the chunk's results own their ids). Failure is harmless (only memory).
    let _ = unsafe { map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, offset, len) };
}

#[cfg(not(unix))]
fn release(_: &Mmap, _: usize, _: usize) {}

/// End of the chunk starting at `pos`: about [`CHUNK_BYTES`] on, just past a newline.
fn chunk_end(data: &[u8], pos: usize) -> usize {
    let end = (pos + CHUNK_BYTES).min(data.len());
    if end == data.len() {
        return end;
    }
    memchr::memchr(b'\n', &data[end..]).map_or(data.len(), |i| end + i + 1)
}

fn read_stdin(opts: &Opts, sink: &mut dyn FnMut(Chunk) -> Result<()>) -> Result<()> {
    let stdin = std::io::stdin();
    let mut stdin = stdin.lock();
    let mut buf = Vec::with_capacity(CHUNK_BYTES + (64 << 10));
    let (mut line_base, mut byte_base) = (0u64, 0u64);
    let stdin_path = Path::new("<stdin>");
    loop {
        buf.clear();
        let mut eof = false;
        while buf.len() < CHUNK_BYTES {
            if stdin.read_until(b'\n', &mut buf).map_err(io(stdin_path))? == 0 {
                eof = true;
                break;
            }
        }
        if !buf.is_empty() {
            let (chunk, lines) = encode_lines(&buf, Kind::Text, line_base, byte_base, "<stdin>", opts)?;
            line_base += lines;
            byte_base += buf.len() as u64;
            sink(chunk)?;
        }
        if eof {
            return Ok(());
        }
    }
}

/// Encodes the whole lines in `chunk` (at byte `byte_base` of its input) in parallel; returns
/// the chunk and how many lines it had.
fn encode_lines(
    chunk: &[u8],
    kind: Kind,
    line_base: u64,
    byte_base: u64,
    origin: &str,
    opts: &Opts,
) -> Result<(Chunk, u64)> {
    let ranges = split_groups(chunk);
    let results = batch::map(&ranges, opts.threads, |r| {
        encode_group(&chunk[r.clone()], kind, opts.doc_key + byte_base + r.start as u64, opts)
    })?;
    let mut groups = Vec::with_capacity(results.len());
    let mut lines = 0u64;
    for r in results {
        match r {
            Ok((g, n)) => {
                lines += n;
                groups.push(g);
            }
            Err((local, msg)) => return Err(Error::msg(format!("{origin}:{}: {msg}", line_base + lines + local + 1))),
        }
    }
    Ok((Chunk::new(groups, chunk.len() as u64), lines))
}

/// Cuts `chunk` into ranges of about [`GROUP_BYTES`], each ending just past a newline.
fn split_groups(chunk: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::with_capacity(chunk.len() / GROUP_BYTES + 1);
    let mut pos = 0;
    while pos < chunk.len() {
        let mut end = (pos + GROUP_BYTES).min(chunk.len());
        if end < chunk.len() {
            end = memchr::memchr(b'\n', &chunk[end..]).map_or(chunk.len(), |i| end + i + 1);
        }
        out.push(pos..end);
        pos = end;
    }
    out
}

/// Encodes every line of `bytes`, whose first byte has document key `key`. Err is (line index
/// within the group, message).
fn encode_group(bytes: &[u8], kind: Kind, key: u64, opts: &Opts) -> Result<(Group, u64), (u64, String)> {
    let mut g = Group { tokens: Vec::with_capacity(bytes.len() / 4 + 16), lens: Vec::new() };
    let (mut pos, mut line) = (0usize, 0u64);
    while pos < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        let doc = key + pos as u64;
        let mut l = &bytes[pos..end];
        if let [rest @ .., b'\r'] = l {
            l = rest;
        }
        pos = end + 1;
        let start = g.tokens.len();
        match kind {
            Kind::Jsonl => {
                if l.iter().all(u8::is_ascii_whitespace) {
                    line += 1; // blank lines in JSONL hold no record
                    continue;
                }
                let text = jsonl::extract(l, opts.field).map_err(|m| (line, m))?;
                opts.enc.encode_doc(doc, &text, &mut g.tokens).map_err(|m| (line, m))?;
            }
            _ => {
                let text =
                    std::str::from_utf8(l).map_err(|e| (line, format!("invalid UTF-8 at byte {}", e.valid_up_to())))?;
                opts.enc.encode_doc(doc, text, &mut g.tokens).map_err(|m| (line, m))?;
            }
        }
        g.lens.push((g.tokens.len() - start) as u32);
        line += 1;
    }
    Ok((g, line))
}

// ------------------------------------------------------------------------------ parquet

fn read_parquet(input: &Input, opts: &Opts, sink: &mut dyn FnMut(Chunk) -> Result<()>) -> Result<()> {
    let path = &input.path;
    let origin = input.display();
    let perr = |e: parquet::errors::ParquetError| Error::msg(format!("{origin}: {e}"));
    let file = File::open(path).map_err(io(path))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(perr)?;
    let schema = builder.schema().clone();
    let Some((idx, field)) = schema.column_with_name(opts.field) else {
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        return Err(Error::msg(format!("{origin}: no column {:?} (columns: {})", opts.field, names.join(", "))));
    };
    match field.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {}
        other => return Err(Error::msg(format!("{origin}: column {:?} has type {other}, not a string", opts.field))),
    }
    let total_rows = builder.metadata().file_metadata().num_rows().max(0) as u64;
    let mask = ProjectionMask::roots(builder.parquet_schema(), [idx]);
    let reader = builder.with_projection(mask).with_batch_size(8192).build().map_err(perr)?;

    let mut pending: Vec<ArrayRef> = Vec::new();
    let (mut pending_bytes, mut rows_done, mut bytes_reported) = (0usize, 0u64, 0u64);
    let mut flush = |pending: &mut Vec<ArrayRef>, rows_done: u64, last: bool, bytes_reported: &mut u64| -> Result<()> {
        let first_row = rows_done - pending.iter().map(|a| a.len() as u64).sum::<u64>();
        let mut docs: Vec<&str> = Vec::new();
        for a in pending.iter() {
            // On a null, `docs` holds exactly the rows before it.
            strings(a, &mut docs).map_err(|_| {
                Error::msg(format!(
                    "{origin}: row {}: column {:?} is null",
                    first_row + docs.len() as u64 + 1,
                    opts.field
                ))
            })?;
        }
        let ranges = split_docs(&docs);
        let groups = batch::map(&ranges, opts.threads, |r| {
            let mut g = Group::default();
            for (i, d) in docs[r.clone()].iter().enumerate() {
                let start = g.tokens.len();
                let doc = opts.doc_key + first_row + (r.start + i) as u64;
                opts.enc.encode_doc(doc, d, &mut g.tokens).map_err(|m| (r.start + i, m))?;
                g.lens.push((g.tokens.len() - start) as u32);
            }
            Ok(g)
        })?
        .into_iter()
        .collect::<std::result::Result<Vec<Group>, (usize, String)>>()
        .map_err(|(row, m)| Error::msg(format!("{origin}: row {}: {m}", first_row + row as u64 + 1)))?;
        // Progress in file bytes, by the share of rows read; the last chunk takes the remainder.
        let upto =
            if last || total_rows == 0 { input.size } else { input.size * rows_done.min(total_rows) / total_rows };
        let bytes = upto.saturating_sub(*bytes_reported);
        *bytes_reported += bytes;
        pending.clear();
        sink(Chunk::new(groups, bytes))
    };
    for batch in reader {
        let batch = batch.map_err(|e| Error::msg(format!("{origin}: {e}")))?;
        let col = batch.column(0).clone();
        rows_done += col.len() as u64;
        pending_bytes += value_bytes(&col);
        pending.push(col);
        if pending_bytes >= CHUNK_BYTES {
            flush(&mut pending, rows_done, false, &mut bytes_reported)?;
            pending_bytes = 0;
        }
    }
    flush(&mut pending, rows_done, true, &mut bytes_reported)
}

/// Appends the strings of a string array, stopping with Err(i) at a null in row `i`.
fn strings<'a>(a: &'a ArrayRef, out: &mut Vec<&'a str>) -> Result<(), usize> {
    fn push<'a>(it: impl Iterator<Item = Option<&'a str>>, out: &mut Vec<&'a str>) -> Result<(), usize> {
        for (i, s) in it.enumerate() {
            out.push(s.ok_or(i)?);
        }
        Ok(())
    }
    if let Some(s) = a.as_string_opt::<i32>() {
        push(s.iter(), out)
    } else if let Some(s) = a.as_string_opt::<i64>() {
        push(s.iter(), out)
    } else {
        push(a.as_string_view().iter(), out)
    }
}

fn value_bytes(a: &ArrayRef) -> usize {
    if let Some(s) = a.as_string_opt::<i32>() {
        s.values().len()
    } else if let Some(s) = a.as_string_opt::<i64>() {
        s.values().len()
    } else {
        a.get_buffer_memory_size()
    }
}

/// Ranges of documents of about [`GROUP_BYTES`] of text each.
fn split_docs(docs: &[&str]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, d) in docs.iter().enumerate() {
        bytes += d.len() + 1;
        if bytes >= GROUP_BYTES {
            out.push(start..i + 1);
            start = i + 1;
            bytes = 0;
        }
    }
    if start < docs.len() {
        out.push(start..docs.len());
    }
    out
}
