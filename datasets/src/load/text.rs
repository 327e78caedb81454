//! Text files → one `text` column, as HF's `text` builder: rows are lines (`sample_by="line"`, line
//! breaks stripped unless `keep_linebreaks`), paragraphs (split on blank lines, empty pieces dropped)
//! or whole documents. Newlines are universal as Python's text mode reads them: `\r\n` and a lone
//! `\r` both end a line and read as `\n`. Invalid UTF-8 is an error naming the line.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{ArrayBuilder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use super::{chain_files, files, BatchIter, BatchSource, LoadOptions, SampleBy};
use crate::error::{Error, Result};

/// The schema of every text source: one nullable `text: string` column (HF's `Value("string")`).
pub fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![Field::new("text", DataType::Utf8, true)]))
}

pub fn source(paths: &[PathBuf], opts: &LoadOptions) -> Result<BatchSource> {
    let schema = schema();
    let first = open_file(&paths[0], opts)?;
    let o = opts.clone();
    let open = Arc::new(move |p: &Path, _: &SchemaRef| open_file(p, &o));
    Ok(BatchSource { schema: schema.clone(), batches: chain_files(schema, paths.to_vec(), first, open) })
}

/// The batches of one file.
pub fn open_file(path: &Path, opts: &LoadOptions) -> Result<BatchIter> {
    let reader = files::open(path)?;
    Ok(Box::new(TextBatches {
        reader,
        path: path.to_path_buf(),
        mode: opts.sample_by,
        keep_linebreaks: opts.keep_linebreaks,
        batch_rows: opts.batch_rows.max(1),
        batch_bytes: opts.batch_bytes.max(1),
        carry: Vec::new(),
        line: 1,
        done: false,
    }))
}

struct TextBatches {
    reader: Box<dyn BufRead + Send>,
    path: PathBuf,
    mode: SampleBy,
    keep_linebreaks: bool,
    batch_rows: usize,
    batch_bytes: usize,
    /// Paragraph mode: the text after the last blank line, not yet emitted (holds no "\n\n").
    carry: Vec<u8>,
    /// 1-based line number of the next unread line (for errors).
    line: u64,
    done: bool,
}

/// Size of one read; a read always runs on to the end of the line it stops in.
const CHUNK: usize = 1 << 20;

impl TextBatches {
    /// Reads about [`CHUNK`] bytes ending at a line end (or EOF), universal newlines applied.
    fn read_chunk(&mut self) -> Result<Vec<u8>> {
        let mut buf = Vec::with_capacity(CHUNK + 256);
        while buf.len() < CHUNK {
            let n = self.reader.read_until(b'\n', &mut buf).map_err(files::read_err(&self.path))?;
            if n == 0 {
                break;
            }
        }
        universal_newlines(&mut buf);
        if let Err(e) = std::str::from_utf8(&buf) {
            let at = self.line + memchr::memchr_iter(b'\n', &buf[..e.valid_up_to()]).count() as u64;
            return Err(Error::parse(&self.path, format!("line {at}"), format!("invalid UTF-8: {e}")));
        }
        self.line += memchr::memchr_iter(b'\n', &buf).count() as u64;
        Ok(buf)
    }

    fn fill(&mut self, out: &mut StringBuilder) -> Result<()> {
        let push = |out: &mut StringBuilder, s: &[u8]| {
            // Chunks were validated as UTF-8 and are cut only at ASCII '\n': never fails.
            out.append_value(std::str::from_utf8(s).unwrap_or_default());
        };
        while !self.done && out.len() < self.batch_rows && out.values_slice().len() < self.batch_bytes {
            let chunk = self.read_chunk()?;
            if chunk.is_empty() {
                self.done = true;
                match self.mode {
                    SampleBy::Paragraph if !self.carry.is_empty() => {
                        let c = std::mem::take(&mut self.carry);
                        push(out, &c);
                    }
                    // HF reads a whole (even empty) file as one document.
                    SampleBy::Document if self.line == 1 => push(out, b""),
                    _ => {}
                }
                break;
            }
            match self.mode {
                SampleBy::Line => {
                    let mut start = 0;
                    for nl in memchr::memchr_iter(b'\n', &chunk) {
                        let end = if self.keep_linebreaks { nl + 1 } else { nl };
                        push(out, &chunk[start..end]);
                        start = nl + 1;
                    }
                    if start < chunk.len() {
                        push(out, &chunk[start..]);
                    }
                }
                SampleBy::Paragraph => {
                    // Search only where a new "\n\n" can be: from the carry's last byte on, so a long
                    // text without blank lines stays linear.
                    let from = self.carry.len().saturating_sub(1);
                    self.carry.extend_from_slice(&chunk);
                    let text = std::mem::take(&mut self.carry);
                    let mut start = 0;
                    let mut pos = from;
                    while let Some(i) = memchr::memmem::find(&text[pos..], b"\n\n") {
                        let at = pos + i;
                        if at > start {
                            push(out, &text[start..at]);
                        }
                        start = at + 2;
                        pos = start;
                    }
                    self.carry = text[start..].to_vec();
                }
                SampleBy::Document => {
                    let mut all = chunk;
                    loop {
                        let more = self.read_chunk()?;
                        if more.is_empty() {
                            break;
                        }
                        all.extend_from_slice(&more);
                    }
                    push(out, &all);
                    self.done = true;
                }
            }
        }
        Ok(())
    }
}

impl Iterator for TextBatches {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut out = StringBuilder::new();
        if let Err(e) = self.fill(&mut out) {
            self.done = true;
            return Some(Err(e));
        }
        let col: ArrayRef = Arc::new(out.finish());
        if col.is_empty() {
            return None;
        }
        Some(RecordBatch::try_new(schema(), vec![col]).map_err(Error::from))
    }
}

/// `\r\n` → `\n` and a lone `\r` → `\n`, in place (Python's universal newlines).
fn universal_newlines(buf: &mut Vec<u8>) {
    if memchr::memchr(b'\r', buf).is_none() {
        return;
    }
    let mut w = 0;
    let mut r = 0;
    while r < buf.len() {
        let b = buf[r];
        if b == b'\r' {
            buf[w] = b'\n';
            if buf.get(r + 1) == Some(&b'\n') {
                r += 1;
            }
        } else {
            buf[w] = b;
        }
        w += 1;
        r += 1;
    }
    buf.truncate(w);
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;

    fn rows(content: &[u8], mode: SampleBy, keep: bool) -> Vec<String> {
        let p = std::env::temp_dir().join(format!("tm-text-{}-{:?}-{keep}.txt", std::process::id(), mode));
        std::fs::write(&p, content).unwrap();
        let opts = LoadOptions { sample_by: mode, keep_linebreaks: keep, batch_rows: 2, ..Default::default() };
        let batches = source(&[p], &opts).unwrap().collect().unwrap();
        batches
            .iter()
            .flat_map(|b| b.column(0).as_string::<i32>().iter().map(|s| s.unwrap().to_string()).collect::<Vec<_>>())
            .collect()
    }

    // Expected values are what HF datasets 5.2 `load_dataset("text", ...)` gives (checked in the venv).
    #[test]
    fn lines_as_hf() {
        assert_eq!(rows(b"a\r\nb\rc\n\nd", SampleBy::Line, false), ["a", "b", "c", "", "d"]);
        assert_eq!(rows(b"a\r\nb\n", SampleBy::Line, true), ["a\n", "b\n"]);
        assert!(rows(b"", SampleBy::Line, false).is_empty());
    }

    #[test]
    fn paragraphs_as_hf() {
        assert_eq!(rows(b"a\nb\n\n\nc\n\nd\n", SampleBy::Paragraph, false), ["a\nb", "\nc", "d\n"]);
        assert_eq!(rows(b"\n\nx", SampleBy::Paragraph, false), ["x"]);
    }

    #[test]
    fn documents_as_hf() {
        assert_eq!(rows(b"a\r\nb\n", SampleBy::Document, false), ["a\nb\n"]);
        assert_eq!(rows(b"", SampleBy::Document, false), [""]);
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let p = std::env::temp_dir().join(format!("tm-text-bad-{}.txt", std::process::id()));
        std::fs::write(&p, b"ok\nfine\nbad \xff here\n").unwrap();
        let err = source(&[p], &LoadOptions::default()).unwrap().collect().unwrap_err().to_string();
        assert!(err.contains("line 3") && err.contains("UTF-8"), "{err}");
    }
}
