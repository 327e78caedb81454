//! CSV / TSV via arrow-csv, typed as HF datasets 5.2 types them (it reads with pandas): int64, double,
//! bool and `large_string`; an int column with a missing value is double; an all-missing column is
//! double; dates stay strings. Missing values are pandas' defaults (empty, `NA`, `NaN`, `null`, ...).
//! The schema is inferred from the first `infer_rows` rows of the first file, or given.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_csv::reader::Format as CsvFormat;
use arrow_csv::ReaderBuilder;
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};

use super::csv_plain::Plain;
use super::{chain_files, chunked, files, projection, BatchIter, BatchSource, LoadOptions};
use crate::error::{Error, Result};

/// pandas' default missing-value spellings (`pandas.read_csv(na_values=None)`).
pub(crate) const NA_REGEX: &str =
    r"^(|#N/A|#N/A N/A|#NA|-1\.#IND|-1\.#QNAN|-NaN|-nan|1\.#IND|1\.#QNAN|<NA>|N/A|NA|NULL|NaN|None|n/a|nan|null)$";

fn format(opts: &LoadOptions) -> Result<CsvFormat> {
    let mut f = CsvFormat::default()
        .with_header(opts.header)
        .with_delimiter(opts.delimiter.unwrap_or(b','))
        .with_quote(opts.quote)
        // pandas reads a short row with the missing fields null (a long row is an error).
        .with_truncated_rows(true)
        .with_null_regex(na_regex()?);
    if let Some(e) = opts.escape {
        f = f.with_escape(e);
    }
    if let Some(c) = opts.comment {
        f = f.with_comment(c);
    }
    Ok(f)
}

fn na_regex() -> Result<regex::Regex> {
    regex::Regex::new(NA_REGEX).map_err(|e| Error::Invalid(e.to_string()))
}

pub fn source(paths: &[PathBuf], opts: &LoadOptions) -> Result<BatchSource> {
    let full = match &opts.schema {
        Some(s) => s.clone(),
        None => infer(&paths[0], opts)?,
    };
    let proj = match &opts.columns {
        Some(cols) => Some(projection(&full, cols)?),
        None => None,
    };
    let schema = match &proj {
        Some(p) => Arc::new(full.project(p)?),
        None => full.clone(),
    };
    let o = opts.clone();
    let open = Arc::new(move |p: &Path, _: &SchemaRef| open_file(p, &full, proj.clone(), &o));
    let first = open(&paths[0], &schema)?;
    Ok(BatchSource { schema: schema.clone(), batches: chain_files(schema, paths.to_vec(), first, open) })
}

/// HF's (pandas') types for the first `infer_rows` rows of `path`: csv_infer's fast pass when the
/// input is plain, else arrow-csv's inference (the same schema, slower).
pub fn infer(path: &Path, opts: &LoadOptions) -> Result<SchemaRef> {
    match super::csv_infer::infer(path, opts)? {
        Some(schema) => Ok(schema),
        None => infer_arrow(path, opts),
    }
}

/// [`infer`] by arrow-csv's inference and a decode of the sample's int columns.
pub(crate) fn infer_arrow(path: &Path, opts: &LoadOptions) -> Result<SchemaRef> {
    let fmt = format(opts)?;
    let (schema, _) = fmt
        .infer_schema(files::open_skipping(path, opts.skip_rows)?, Some(opts.infer_rows))
        .map_err(|e| parse_err(path, opts.skip_rows, e))?;
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let name = if opts.header { f.name().clone() } else { i.to_string() };
            let dt = match f.data_type() {
                DataType::Int64 | DataType::Float64 | DataType::Boolean => f.data_type().clone(),
                DataType::Null => DataType::Float64,
                _ => DataType::LargeUtf8,
            };
            Field::new(name, dt, true)
        })
        .collect();
    let mut schema = Schema::new(fields);
    // pandas reads an int column with a missing value as float64: decode the sample once to see.
    let ints: Vec<usize> =
        schema.fields().iter().enumerate().filter(|(_, f)| f.data_type() == &DataType::Int64).map(|(i, _)| i).collect();
    if !ints.is_empty() {
        let probe = ReaderBuilder::new(decodable(&Arc::new(schema.clone())))
            .with_format(fmt)
            .with_truncated_rows(true)
            .with_batch_size(opts.infer_rows.max(1))
            // Only the int columns are looked at: no copy of the (long) text columns.
            .with_projection(ints.clone())
            .build_buffered(files::open_skipping(path, opts.skip_rows)?)?;
        if let Some(batch) = probe.into_iter().next() {
            let batch = batch.map_err(|e| parse_err(path, opts.skip_rows, e))?;
            let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
            for (j, &i) in ints.iter().enumerate() {
                if batch.column(j).null_count() > 0 {
                    fields[i] = Field::new(fields[i].name(), DataType::Float64, true);
                }
            }
            schema = Schema::new(fields);
        }
    }
    Ok(Arc::new(schema))
}

/// `schema` with `large_string` read as `string` (arrow-csv decodes only the latter; batches are cast
/// back in [`open_file`]).
fn decodable(schema: &SchemaRef) -> SchemaRef {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::LargeUtf8 => Field::new(f.name(), DataType::Utf8, f.is_nullable()),
            _ => f.as_ref().clone(),
        })
        .collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

/// Casts the `string` columns arrow-csv produced to the `large_string` the schema asks for.
fn widen(batch: RecordBatch, target: &SchemaRef) -> std::result::Result<RecordBatch, ArrowError> {
    if batch.schema().fields() == target.fields() {
        return Ok(batch);
    }
    let cols = batch
        .columns()
        .iter()
        .zip(target.fields())
        .map(|(c, f)| if c.data_type() == f.data_type() { Ok(c.clone()) } else { arrow_cast::cast(c, f.data_type()) })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    RecordBatch::try_new(target.clone(), cols)
}

fn open_file(path: &Path, schema: &SchemaRef, proj: Option<Vec<usize>>, opts: &LoadOptions) -> Result<BatchIter> {
    let target = match &proj {
        Some(p) => Arc::new(schema.project(p)?),
        None => schema.clone(),
    };
    let fmt = format(opts)?;
    let decode_schema = decodable(schema);
    let batch_rows = opts.batch_rows.max(1);
    let delimiter = opts.delimiter.unwrap_or(b',');
    // The common chunk skips arrow-csv (see csv_plain); arrow-csv decodes the rest.
    let plain = Plain::new(opts.quote, delimiter, schema.fields().len(), proj.as_deref(), target.clone(), batch_rows);
    let builder = move |fmt: CsvFormat| {
        let mut b = ReaderBuilder::new(decode_schema.clone()).with_format(fmt).with_batch_size(batch_rows);
        if let Some(p) = &proj {
            b = b.with_projection(p.clone());
        }
        b
    };
    let path = path.to_path_buf();
    // Chunks are cut at a newline outside quotes, which a forward scan of the quotes tells only when
    // quotes are escaped by doubling and no line is a comment; other dialects decode in one stream.
    if opts.escape.is_none() && opts.comment.is_none() {
        let later = fmt.clone().with_header(false);
        let header = opts.header;
        let speculate = plain.is_some();
        let decode = move |i: usize, chunk: &[u8], cut: chunked::Cut| -> Option<chunked::Decoded<ArrowError>> {
            if let Some(batches) = plain.as_ref().and_then(|p| p.decode(chunk, header && i == 0)) {
                return Some((batches, None));
            }
            // A speculative cut is trusted only when the chunk is whole plain records (csv_plain
            // fails on a quoted field the cut left open); else it is cut again with the scan.
            if cut == chunked::Cut::Speculative {
                return None;
            }
            let rows = match builder(if i == 0 { fmt.clone() } else { later.clone() }).build_buffered(chunk) {
                Ok(r) => r,
                Err(e) => return Some((Vec::new(), Some(e))),
            };
            let mut out = Vec::new();
            for b in rows {
                match b.and_then(|b| widen(b, &target)) {
                    Ok(b) => out.push(b),
                    Err(e) => return Some((out, Some(e))),
                }
            }
            Some((out, None))
        };
        let p = path.clone();
        let header = usize::from(opts.header);
        let skip = opts.skip_rows;
        // Each chunk's reader counts records from its own start; chunk 0 holds the header.
        let fail = move |e, c: chunked::FailedChunk| {
            let before = skip + if c.index == 0 { 0 } else { header + c.rows_before };
            parse_err(&p, before, e)
        };
        let boundary = chunked::Boundary::Csv { quote: opts.quote, delimiter };
        let mut chunker = chunked::Chunker::open(&path, boundary, opts.chunk_bytes)?;
        chunker.skip_lines(opts.skip_rows).map_err(|e| Error::io(&path, e))?;
        chunker.speculate(speculate);
        return Ok(chunked::batches(chunker, decode, fail, move |e| Error::io(&path, e)));
    }
    let reader: Box<dyn BufRead + Send> = files::open_skipping(&path, opts.skip_rows)?;
    let skip = opts.skip_rows;
    let rows = builder(fmt).build_buffered(reader)?;
    let mut failed = false;
    Ok(Box::new(rows.map_while(move |r| {
        if failed {
            return None;
        }
        Some(match r.and_then(|b| widen(b, &target)) {
            Ok(b) => Ok(b),
            Err(e) => {
                failed = true;
                Err(parse_err(&path, skip, e))
            }
        })
    })))
}

/// An arrow-csv error as [`Error::Parse`] naming the record's line. arrow-csv counts the records its
/// reader saw, the header included: "for line N" (a wrong field count) is 1-based, "at line N" (a
/// value that does not parse) is 0-based. `records_before` is the number of records before the
/// reader's input (0 for a whole file; the header and the rows of earlier chunks for a later chunk).
/// A line is a record: a quoted newline inside a record does not move the count.
fn parse_err(path: &Path, records_before: usize, e: ArrowError) -> Error {
    let msg = e.to_string();
    let msg = msg.strip_prefix("Parser error: ").unwrap_or(&msg).to_string();
    let number = |after: &str| {
        msg.split(after)
            .nth(1)
            .and_then(|t| t.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse::<usize>().ok())
    };
    let line = number("for line ").or_else(|| number("at line ").map(|n| n + 1));
    let at = match line {
        Some(n) => format!("line {}", records_before + n),
        None => format!("after record {records_before}"),
    };
    Error::parse(path, at, msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int64Type};
    use arrow_array::Array;

    fn write(name: &str, content: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("tm-csv-{}-{name}", std::process::id()));
        std::fs::write(&p, content).unwrap();
        p
    }

    // The expected schema and values are HF datasets 5.2's for the same file (checked in the venv).
    #[test]
    fn types_and_missing_values_as_hf() {
        let p = write("t.csv", "a,b,c,d,e,f\n1,x,True,1.5,,2020-01-01\n,NA,false,2,,2020-01-02\n3,,TRUE,3,,x\n");
        let src = source(&[p], &LoadOptions { batch_rows: 2, ..Default::default() }).unwrap();
        let types: Vec<_> = src.schema.fields().iter().map(|f| f.data_type().clone()).collect();
        use DataType::*;
        assert_eq!(types, [Float64, LargeUtf8, Boolean, Float64, Float64, LargeUtf8]);
        let batches = src.collect().unwrap();
        assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 3);
        let a = batches[0].column(0).as_primitive::<Float64Type>();
        assert_eq!((a.value(0), a.is_null(1)), (1.0, true));
        let b = batches[0].column(1).as_string::<i64>();
        assert_eq!((b.value(0), b.is_null(1)), ("x", true));
    }

    #[test]
    fn tsv_projection_and_ints() {
        let p = write("t.tsv", "id\ttext\n1\thello, world\n2\t\"quoted\ttab\"\n");
        let opts = LoadOptions {
            delimiter: Some(b'\t'),
            columns: Some(vec!["text".into(), "id".into()]),
            ..Default::default()
        };
        let src = source(&[p], &opts).unwrap();
        assert_eq!(src.schema.field(0).name(), "text");
        let b = &src.collect().unwrap()[0];
        assert_eq!(b.column(0).as_string::<i64>().value(1), "quoted\ttab");
        assert_eq!(b.column(1).as_primitive::<Int64Type>().value(1), 2);
    }

    #[test]
    fn bad_row_names_file_and_line() {
        let p = write("bad.csv", "a,b\n1,2\n3,4\n5,6,7\n");
        let err = source(std::slice::from_ref(&p), &LoadOptions::default()).and_then(|s| s.collect()).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, Error::Parse { .. }), "{msg}");
        assert!(msg.contains(p.to_str().unwrap()) && msg.contains("line"), "{msg}");
        // A value that does not parse as the inferred type.
        let p = write("bad2.csv", "n\n1\n2\nxyz\n");
        let opts = LoadOptions { infer_rows: 2, batch_rows: 2, ..Default::default() };
        let msg = source(&[p], &opts).unwrap().collect().unwrap_err().to_string();
        assert!(msg.contains("xyz") && msg.contains("line 4"), "{msg}");
        // A short row found while decoding (past the inference window).
        let p = write("bad3.csv", "a,b\n1,2\n3,4\n5,6\n7,8,9\n");
        let opts = LoadOptions { infer_rows: 1, batch_rows: 2, ..Default::default() };
        let msg = source(&[p], &opts).unwrap().collect().unwrap_err().to_string();
        assert!(msg.contains("line 5"), "{msg}");
    }

    #[test]
    fn skip_rows_drops_lines_before_the_header() {
        let text = "# a comment, with \"a quote\nsecond junk line\nn,s\n1,x\n2,\"y\nz\"\n";
        let plain = write("skip.csv", text);
        let gz = std::env::temp_dir().join(format!("tm-csv-{}-skip.csv.gz", std::process::id()));
        let mut enc = flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), Default::default());
        std::io::Write::write_all(&mut enc, text.as_bytes()).unwrap();
        enc.finish().unwrap();
        for p in [plain, gz] {
            for chunk_bytes in [1, 5, 1 << 20] {
                // The fast path (mapped or read) and arrow-csv (an escape char forces it) agree.
                for escape in [None, Some(b'\\')] {
                    let opts = LoadOptions { skip_rows: 2, chunk_bytes, escape, ..Default::default() };
                    let src = source(std::slice::from_ref(&p), &opts).unwrap();
                    let names: Vec<_> = src.schema.fields().iter().map(|f| f.name().clone()).collect();
                    assert_eq!(names, ["n", "s"], "{p:?}");
                    assert_eq!(src.schema.field(0).data_type(), &DataType::Int64);
                    let b = arrow_select::concat::concat_batches(&src.schema.clone(), &src.collect().unwrap()).unwrap();
                    assert_eq!(b.num_rows(), 2);
                    assert_eq!(b.column(1).as_string::<i64>().value(1), "y\nz");
                }
            }
        }
        // A bad row's line counts the skipped lines.
        let p = write("skipbad.csv", "junk\na,b\n1,2\n3,4,5\n");
        let opts = LoadOptions { skip_rows: 1, ..Default::default() };
        let msg = source(&[p], &opts).and_then(|s| s.collect()).unwrap_err().to_string();
        assert!(msg.contains("line 4"), "{msg}");
    }

    /// Pseudo-random CSV files mixing every value class, quoting, escapes, CRLF, quoted newlines and
    /// missing values: the fast inference gives arrow-csv's schema (or steps aside) for every sample
    /// size and chunk size, and the decoded rows do not depend on the chunk size.
    #[test]
    fn fast_inference_and_chunked_decode_agree_with_arrow_csv() {
        let values: &[&str] = &[
            "1",
            "-7",
            "+3",
            "0",
            "2.5",
            ".5",
            "1e3",
            "inf",
            "NA",
            "",
            "nan",
            "None",
            "true",
            "FALSE",
            "2020-01-02",
            "x",
            "caf\u{e9}",
            "\"q\"\"x\"",
            "\"a,b\"",
            "\"line\nbreak\"",
            "\"\"",
            "\"NA\"",
            "99999999999999999999",
            "\"\"\"lead\"",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut fast_used = 0;
        for case in 0..24 {
            let cols = 1 + next(4);
            // Per column, a few allowed values: columns come out of every type.
            let pools: Vec<Vec<&str>> =
                (0..cols).map(|_| (0..1 + next(3)).map(|_| values[next(values.len())]).collect()).collect();
            let mut text = (0..cols).map(|c| format!("c{c}")).collect::<Vec<_>>().join(",");
            let eol = if case % 3 == 0 { "\r\n" } else { "\n" };
            for _ in 0..1 + next(30) {
                text.push_str(eol);
                let row: Vec<&str> = pools.iter().map(|p| p[next(p.len())]).collect();
                text.push_str(&row.join(","));
            }
            if next(2) == 0 {
                text.push_str(eol);
            }
            let p = write(&format!("fuzz{case}.csv"), &text);
            for infer_rows in [1, 2, 5, 1000] {
                for chunk_bytes in [1, 9, 64, 1 << 20] {
                    let opts = LoadOptions { infer_rows, chunk_bytes, batch_rows: 7, ..Default::default() };
                    let want = infer_arrow(&p, &opts);
                    match super::super::csv_infer::infer(&p, &opts).unwrap() {
                        Some(got) => {
                            fast_used += 1;
                            assert_eq!(got, want.unwrap(), "case {case} infer_rows {infer_rows}: {text:?}");
                        }
                        None => continue,
                    }
                }
                // Rows: the same whatever the chunk size (chunk 1: every record its own chunk). An
                // error may name another bad value: arrow-csv checks a batch column by column.
                let rows = |chunk_bytes| {
                    let opts = LoadOptions { infer_rows, chunk_bytes, batch_rows: 1 << 20, ..Default::default() };
                    let src = source(std::slice::from_ref(&p), &opts).unwrap();
                    let schema = src.schema.clone();
                    src.collect().map(|b| arrow_select::concat::concat_batches(&schema, &b).unwrap()).ok()
                };
                let whole = rows(1 << 20);
                for chunk_bytes in [1, 9, 64] {
                    assert_eq!(rows(chunk_bytes), whole, "case {case} chunk {chunk_bytes}: {text:?}");
                }
            }
        }
        assert!(fast_used > 100, "the fast inference decided only {fast_used} cases");
    }
}
