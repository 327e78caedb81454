//! JSON: JSON Lines streamed through arrow-json (schema inferred from the first `infer_rows` lines
//! with pyarrow's rules, keys in document order), or a whole JSON document — a top-level array, or
//! `{field: [...]}` with `field` — read at once as HF does. An array of non-objects becomes a `text`
//! column (HF). Invalid JSON is an error naming the file and line.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_json::ReaderBuilder;
use arrow_schema::{ArrowError, DataType, Fields, Schema, SchemaRef};
use rayon::prelude::*;

use super::json_value::{merge_fields, type_of, JVal, TypeOnly};
use super::{chain_files, chunked, files, projection, BatchIter, BatchSource, LoadOptions};
use crate::error::{Error, Result};

pub fn source(paths: &[PathBuf], opts: &LoadOptions) -> Result<BatchSource> {
    let first = &paths[0];
    let (schema, first_iter): (SchemaRef, BatchIter) = match open_kind(first, opts)? {
        Kind::Lines(reader) => {
            let schema = match &opts.schema {
                Some(s) => s.clone(),
                None => match infer_mapped(first, opts.infer_rows)? {
                    Some(schema) => schema,
                    None => infer_lines(first, reader, opts.infer_rows)?,
                },
            };
            let schema = project(schema, opts)?;
            (schema.clone(), lines_batches(first, schema, opts)?)
        }
        Kind::Document => {
            let (schema, rows) = read_document(first, opts)?;
            let schema = project(schema, opts)?;
            (schema.clone(), document_batches(first, schema, rows, opts))
        }
    };
    let o = opts.clone();
    let open = Arc::new(move |p: &Path, s: &SchemaRef| -> Result<BatchIter> {
        match open_kind(p, &o)? {
            Kind::Lines(_) => lines_batches(p, s.clone(), &o),
            Kind::Document => {
                let (_, rows) = read_document(p, &o)?;
                Ok(document_batches(p, s.clone(), rows, &o))
            }
        }
    });
    Ok(BatchSource { schema: schema.clone(), batches: chain_files(schema, paths.to_vec(), first_iter, open) })
}

fn project(schema: SchemaRef, opts: &LoadOptions) -> Result<SchemaRef> {
    match &opts.columns {
        Some(cols) => Ok(Arc::new(schema.project(&projection(&schema, cols)?)?)),
        None => Ok(schema),
    }
}

enum Kind {
    Lines(Box<dyn BufRead + Send>),
    Document,
}

/// JSON Lines unless `field` is set or the file starts with `[` (after a BOM and blanks), as HF.
fn open_kind(path: &Path, opts: &LoadOptions) -> Result<Kind> {
    if opts.field.is_some() {
        return Ok(Kind::Document);
    }
    let mut r = files::open(path)?;
    skip_bom(&mut r, path)?;
    let buf = r.fill_buf().map_err(files::read_err(path))?;
    let first = buf.iter().find(|b| !b.is_ascii_whitespace());
    Ok(if first == Some(&b'[') { Kind::Document } else { Kind::Lines(r) })
}

fn skip_bom(r: &mut Box<dyn BufRead + Send>, path: &Path) -> Result<()> {
    let buf = r.fill_buf().map_err(files::read_err(path))?;
    if buf.starts_with(b"\xEF\xBB\xBF") {
        r.consume(3);
    }
    Ok(())
}

/// [`infer_lines`] on a memory-mapped file, the lines typed in parallel: `None` when the file
/// cannot be mapped or any line fails (then the serial pass runs and names the failing line).
///
/// Why it is the same schema: merging types is a join (null below everything, int64 below
/// float64, lists and structs merged field by field, struct fields in first-seen order), so merging
/// each group of lines and then the groups in order gives what merging line by line gives.
fn infer_mapped(path: &Path, max: usize) -> Result<Option<SchemaRef>> {
    let Some(map) = chunked::map_plain(path)? else { return Ok(None) };
    let body = map.strip_prefix(chunked::BOM).unwrap_or(&map);
    // The first `max` non-blank lines (a line is what `read_until(b'\n')` gives).
    let mut lines: Vec<&[u8]> = Vec::new();
    let mut at = 0;
    while lines.len() < max.max(1) && at < body.len() {
        let end = memchr::memchr(b'\n', &body[at..]).map_or(body.len(), |i| at + i + 1);
        let line = &body[at..end];
        if !line.iter().all(|b| b.is_ascii_whitespace()) {
            lines.push(line);
        }
        at = end;
    }
    let typed = |group: &[&[u8]]| -> Option<Fields> {
        let mut fields = Fields::empty();
        for line in group {
            let TypeOnly(t) = serde_json::from_slice(line).ok()?;
            let DataType::Struct(f) = t else { return None };
            fields = merge_fields(&fields, &f).ok()?;
        }
        Some(fields)
    };
    // tokenmill's fork-aware pool (rayon's global pool hangs in a forked child)
    let pool = tokenmill_tokenizers::tokenizer::batch::pool(0).ok();
    let threads = pool.as_ref().map_or(1, |p| p.current_num_threads());
    let per = lines.len().div_ceil(4 * threads).max(64);
    let run = || lines.par_chunks(per).map(typed).collect::<Vec<Option<Fields>>>();
    let groups = match &pool {
        Some(p) => p.install(run),
        None => run(),
    };
    let mut fields = Fields::empty();
    for g in groups {
        let Some(g) = g else { return Ok(None) };
        let Ok(merged) = merge_fields(&fields, &g) else { return Ok(None) };
        fields = merged;
    }
    Ok(Some(Arc::new(Schema::new(fields))))
}

/// Infers the schema of the first `max` non-blank lines.
fn infer_lines(path: &Path, mut r: Box<dyn BufRead + Send>, max: usize) -> Result<SchemaRef> {
    let mut fields = Fields::empty();
    let mut line = Vec::new();
    let (mut n, mut seen) = (0u64, 0usize);
    while seen < max.max(1) {
        line.clear();
        if r.read_until(b'\n', &mut line).map_err(files::read_err(path))? == 0 {
            break;
        }
        n += 1;
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        seen += 1;
        let v: JVal = serde_json::from_slice(&line)
            .map_err(|e| Error::parse(path, format!("line {n}"), format!("invalid JSON: {e}")))?;
        let DataType::Struct(f) = type_of(&v).map_err(|e| Error::parse(path, format!("line {n}"), e))? else {
            return Err(Error::parse(path, format!("line {n}"), "a JSON Lines record must be an object"));
        };
        fields = merge_fields(&fields, &f).map_err(|e| Error::parse(path, format!("line {n}"), e))?;
    }
    Ok(Arc::new(Schema::new(fields)))
}

fn lines_batches(path: &Path, schema: SchemaRef, opts: &LoadOptions) -> Result<BatchIter> {
    let batch_rows = opts.batch_rows.max(1);
    let s = schema.clone();
    // Chunks end at newlines; each is decoded by its own arrow-json decoder, in parallel.
    let decode = move |_: usize, chunk: &[u8], _: chunked::Cut| -> Option<chunked::Decoded<ArrowError>> {
        let reader = match ReaderBuilder::new(s.clone()).with_batch_size(batch_rows).build(chunk) {
            Ok(r) => r,
            Err(e) => return Some((Vec::new(), Some(e))),
        };
        let mut out = Vec::new();
        for b in reader {
            match b {
                Ok(b) => out.push(b),
                Err(e) => return Some((out, Some(e))),
            }
        }
        Some((out, None))
    };
    let p = path.to_path_buf();
    let fail = move |e, c: chunked::FailedChunk| locate(&p, &schema, e, &c);
    let p = path.to_path_buf();
    // Mapped when the file is plain (chunks are then page-cache ranges, no copy).
    let mut chunker = chunked::Chunker::open(path, chunked::Boundary::Lines, opts.chunk_bytes)?;
    chunker.skip_bom().map_err(files::read_err(path))?;
    Ok(chunked::batches(chunker, decode, fail, move |e| Error::io(&p, e)))
}

/// arrow-json's errors carry no line: the error path decodes the failing chunk's lines one by one and
/// names the first that is not valid JSON or does not fit the schema (its line in the whole file).
fn locate(path: &Path, schema: &SchemaRef, e: ArrowError, c: &chunked::FailedChunk) -> Error {
    for (i, line) in c.bytes.split(|&b| b == b'\n').enumerate() {
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let at = || format!("line {}", c.lines_before + i + 1);
        if let Err(j) = serde_json::from_slice::<serde::de::IgnoredAny>(line) {
            return Error::parse(path, at(), format!("invalid JSON: {j}"));
        }
        let fits = ReaderBuilder::new(schema.clone()).build_decoder().and_then(|mut d| {
            d.decode(line)?;
            d.flush()
        });
        if let Err(e) = fits {
            return Error::parse(path, at(), e.to_string());
        }
    }
    Error::parse(path, format!("after record {}", c.rows_before), e.to_string())
}

/// Reads a whole JSON document: the records under `field`, or a top-level array.
fn read_document(path: &Path, opts: &LoadOptions) -> Result<(SchemaRef, Vec<JVal>)> {
    let bytes = files::read_all(path)?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let doc: JVal = serde_json::from_slice(body).map_err(|e| {
        Error::parse(path, format!("line {} column {}", e.line(), e.column()), format!("invalid JSON: {e}"))
    })?;
    let records = match (&opts.field, doc) {
        (Some(field), JVal::Obj(entries)) => match entries.into_iter().find(|(k, _)| k == field) {
            Some((_, JVal::Arr(a))) => a,
            Some(_) => return Err(Error::parse(path, format!("field {field:?}"), "is not a list of records")),
            None => return Err(Error::parse(path, format!("field {field:?}"), "no such key in the document")),
        },
        (Some(field), _) => {
            return Err(Error::parse(path, format!("field {field:?}"), "the document is not an object"));
        }
        (None, JVal::Arr(a)) => a,
        (None, _) => return Err(Error::parse(path, "document", "expected a list of records")),
    };
    // Records that are not objects (a list of strings, ...) become a `text` column, as HF.
    let records: Vec<JVal> = records
        .into_iter()
        .map(|r| match r {
            JVal::Obj(_) => r,
            other => JVal::Obj(vec![("text".to_string(), other)]),
        })
        .collect();
    let schema = match &opts.schema {
        Some(s) => s.clone(),
        None => {
            let mut fields = Fields::empty();
            for (i, r) in records.iter().enumerate() {
                let at = || format!("record {i}");
                let DataType::Struct(f) = type_of(r).map_err(|e| Error::parse(path, at(), e))? else {
                    unreachable!("records were wrapped into objects above")
                };
                fields = merge_fields(&fields, &f).map_err(|e| Error::parse(path, at(), e))?;
            }
            Arc::new(Schema::new(fields))
        }
    };
    Ok((schema, records))
}

fn document_batches(path: &Path, schema: SchemaRef, rows: Vec<JVal>, opts: &LoadOptions) -> BatchIter {
    let path = path.to_path_buf();
    let size = opts.batch_rows.max(1);
    let mut rows = rows.into_iter();
    let mut at = 0usize;
    let mut failed = false;
    Box::new(std::iter::from_fn(move || {
        if failed {
            return None;
        }
        let chunk: Vec<JVal> = rows.by_ref().take(size).collect();
        if chunk.is_empty() {
            return None;
        }
        let start = at;
        at += chunk.len();
        let r = (|| -> Result<RecordBatch> {
            let mut dec = ReaderBuilder::new(schema.clone()).with_batch_size(chunk.len()).build_decoder()?;
            dec.serialize(&chunk)?;
            Ok(dec.flush()?.unwrap_or_else(|| RecordBatch::new_empty(schema.clone())))
        })();
        if r.is_err() {
            failed = true;
        }
        Some(r.map_err(|e| Error::parse(&path, format!("records {start}..{at}"), e.to_string())))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int64Type};

    fn write(name: &str, content: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("tm-json-{}-{name}", std::process::id()));
        std::fs::write(&p, content).unwrap();
        p
    }

    /// The parallel inference over the mapped file gives the serial pass's schema (types that
    /// widen only in late groups, fields that first appear late, a BOM, blank lines), the rows
    /// load, and a bad line still gets the serial pass's message with its line number.
    #[test]
    fn mapped_inference_matches_serial() {
        let mut text = String::from("\u{feff}");
        for i in 0..3000 {
            match i {
                0 => text.push_str(r#"{"n": 1, "s": null, "l": []}"#),
                1500 => text.push_str(r#"{"n": 2.5, "s": "x", "late": {"a": 1}}"#),
                2999 => text.push_str(r#"{"n": 3, "l": [null, 1.5], "last": true}"#),
                _ if i % 7 == 0 => text.push_str("   "),
                _ => text.push_str(&format!(r#"{{"n": {i}, "l": [{i}]}}"#)),
            }
            text.push('\n');
        }
        let p = write("mapped-infer.jsonl", &text);
        let serial = infer_lines(
            &p,
            files::open(&p)
                .map(|mut r| {
                    skip_bom(&mut r, &p).unwrap();
                    r
                })
                .unwrap(),
            10_000,
        )
        .unwrap();
        let mapped = infer_mapped(&p, 10_000).unwrap().expect("a plain file maps");
        assert_eq!(mapped, serial);
        assert_eq!(names(&mapped), ["n", "s", "l", "late", "last"]);
        assert_eq!(mapped.field(0).data_type(), &DataType::Float64);
        let src = source(&[p.clone()], &LoadOptions::default()).unwrap();
        let rows: usize = src.batches.map(|b| b.unwrap().num_rows()).sum();
        assert_eq!(rows, 3000 - (1..3000).filter(|i| i % 7 == 0 && *i != 1500).count());

        let bad = text.replacen(r#"{"n": 2.5"#, r#"{"n": "2.5""#, 1);
        std::fs::write(&p, bad).unwrap();
        assert!(infer_mapped(&p, 10_000).unwrap().is_none());
        let err = source(&[p.clone()], &LoadOptions::default()).err().expect("a type conflict").to_string();
        assert!(err.contains("line 1501"), "{err}");
        std::fs::remove_file(&p).ok();
    }

    fn names(s: &SchemaRef) -> Vec<String> {
        s.fields().iter().map(|f| f.name().clone()).collect()
    }

    // Expected schemas/rows: HF datasets 5.2 `load_dataset("json", ...)` on the same files.
    #[test]
    fn lines_as_hf() {
        let p = write(
            "t.jsonl",
            "{\"z\": 1, \"a\": [1, null], \"m\": {\"y\": null, \"b\": \"s\"}}\n\n{\"z\": 2.5, \"a\": [], \"m\": {\"y\": true}, \"new\": \"x\"}\n",
        );
        let src = source(&[p], &LoadOptions::default()).unwrap();
        assert_eq!(names(&src.schema), ["z", "a", "m", "new"]);
        let b = &src.collect().unwrap()[0];
        assert_eq!(b.num_rows(), 2);
        assert_eq!(b.column(0).as_primitive::<Float64Type>().values(), &[1.0, 2.5]);
        assert_eq!(b.column(3).as_string::<i32>().value(1), "x");
    }

    #[test]
    fn documents_with_field_and_arrays() {
        let p = write("doc.json", r#"{"version":1,"data":[{"b":1,"a":"x"},{"b":2,"a":null}]}"#);
        let opts = LoadOptions { field: Some("data".into()), ..Default::default() };
        let src = source(std::slice::from_ref(&p), &opts).unwrap();
        assert_eq!(names(&src.schema), ["b", "a"]);
        let b = &src.collect().unwrap()[0];
        assert_eq!(b.column(0).as_primitive::<Int64Type>().values(), &[1, 2]);
        let p2 = write("arr.json", r#"["s1","s2"]"#);
        let b = &source(&[p2], &LoadOptions::default()).unwrap().collect().unwrap()[0];
        assert_eq!(b.column(0).as_string::<i32>().value(1), "s2");
        let opts = LoadOptions { field: Some("nope".into()), ..Default::default() };
        let err = source(&[p], &opts).err().unwrap().to_string();
        assert!(err.contains("nope"), "{err}");
    }

    #[test]
    fn invalid_json_names_the_line() {
        let mut content = String::new();
        for i in 0..30 {
            content.push_str(&format!("{{\"a\": {i}}}\n"));
        }
        content.push_str("{\"a\": tru}\n");
        let p = write("bad.jsonl", &content);
        // Within the inference window.
        let err = source(std::slice::from_ref(&p), &LoadOptions::default()).err().unwrap().to_string();
        assert!(err.contains("line 31") && err.contains("invalid JSON"), "{err}");
        // Past it: found while decoding.
        let opts = LoadOptions { infer_rows: 5, batch_rows: 4, ..Default::default() };
        let err = source(&[p], &opts).unwrap().collect().unwrap_err().to_string();
        assert!(err.contains("line 31"), "{err}");
        let p = write("bad.json", "[{\"a\": 1},\n {\"a\": }]");
        let err = source(&[p], &LoadOptions::default()).err().unwrap().to_string();
        assert!(err.contains("line 2"), "{err}");
        let p = write("mixed.jsonl", "{\"a\": 1}\n{\"a\": \"s\"}\n");
        let err = source(&[p], &LoadOptions::default()).err().unwrap().to_string();
        assert!(err.contains("line 2"), "{err}");
    }
}
