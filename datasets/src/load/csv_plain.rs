//! A fast decoder for the common CSV chunk, beside arrow-csv: every record has exactly the schema's
//! field count, each field is either unquoted (no quote, no `\r`) or wholly quoted with `""` escapes,
//! records end with `\n` or `\r\n`, the text is UTF-8 and every value parses as its column's type.
//! Fields are found with memchr (long quoted reviews are skipped quote to quote, not byte by byte) and
//! strings go straight into `large_string` buffers. Anything else — a short or long row, a blank line,
//! a stray quote or `\r`, a value that does not parse, a BOM — returns `None` and the caller decodes
//! the chunk with arrow-csv, which gives the same rows or the error with its message; so on every
//! input this path either agrees with arrow-csv or steps aside.
//!
//! Values follow arrow-csv's rules: pandas' missing-value spellings are null (an exact match of the
//! same list as csv.rs's regex), ints and floats use arrow-cast's parsers, booleans are
//! `true`/`false` in any case.

use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Float64Builder, Int64Builder};
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{ArrayRef, LargeStringArray, RecordBatch};
use arrow_buffer::{NullBufferBuilder, OffsetBuffer, ScalarBuffer};
use arrow_cast::parse::Parser;
use arrow_schema::{DataType, SchemaRef};

use crate::value_bytes::ValueBytes;

/// pandas' default missing values (the alternatives of csv.rs's `NA_REGEX`, which is anchored).
const NA: [&[u8]; 19] = [
    b"",
    b"#N/A",
    b"#N/A N/A",
    b"#NA",
    b"-1.#IND",
    b"-1.#QNAN",
    b"-NaN",
    b"-nan",
    b"1.#IND",
    b"1.#QNAN",
    b"<NA>",
    b"N/A",
    b"NA",
    b"NULL",
    b"NaN",
    b"None",
    b"n/a",
    b"nan",
    b"null",
];

pub(crate) fn is_na(s: &[u8]) -> bool {
    s.len() <= 8 && NA.contains(&s)
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Str,
    Int,
    Float,
    Bool,
}

/// What to decode: the file's field count, and per output column its field index and type.
#[derive(Clone, Debug)]
pub(crate) struct Plain {
    quote: u8,
    delimiter: u8,
    fields: usize,
    columns: Vec<(usize, Kind)>,
    target: SchemaRef,
    batch_rows: usize,
}

impl Plain {
    /// `None` when a column type is not one this path builds (a given schema with dates, ...).
    pub(crate) fn new(
        quote: u8,
        delimiter: u8,
        file_fields: usize,
        proj: Option<&[usize]>,
        target: SchemaRef,
        batch_rows: usize,
    ) -> Option<Self> {
        let indices: Vec<usize> = match proj {
            Some(p) => p.to_vec(),
            None => (0..file_fields).collect(),
        };
        let mut columns = Vec::with_capacity(indices.len());
        for (i, f) in indices.into_iter().zip(target.fields()) {
            let kind = match f.data_type() {
                DataType::LargeUtf8 => Kind::Str,
                DataType::Int64 => Kind::Int,
                DataType::Float64 => Kind::Float,
                DataType::Boolean => Kind::Bool,
                _ => return None,
            };
            columns.push((i, kind));
        }
        let special = |b: u8| matches!(b, b'\n' | b'\r') || !b.is_ascii();
        if file_fields == 0 || quote == delimiter || special(quote) || special(delimiter) {
            return None;
        }
        Some(Plain { quote, delimiter, fields: file_fields, columns, target, batch_rows: batch_rows.max(1) })
    }

    /// The batches of `chunk` (its first record skipped when it is the header), or `None` to let
    /// arrow-csv decode it.
    pub(crate) fn decode(&self, chunk: &[u8], skip_header: bool) -> Option<Vec<RecordBatch>> {
        // Spans of string values are kept as u32 (with two flag bits) until a batch is complete.
        if chunk.len() > SPAN_LEN as usize || chunk.starts_with(b"\xEF\xBB\xBF") {
            return None;
        }
        simdutf8::basic::from_utf8(chunk).ok()?;
        let mut out = Vec::new();
        let mut cols = self.builders();
        let mut ranges: Vec<(usize, usize, bool)> = Vec::with_capacity(self.fields);
        let mut scratch = Vec::new();
        let (mut p, mut rows, mut first) = (0usize, 0usize, true);
        while p < chunk.len() {
            ranges.clear();
            p = self.record(chunk, p, &mut ranges)?;
            if std::mem::take(&mut first) && skip_header {
                continue;
            }
            for (&(field, _), col) in self.columns.iter().zip(cols.iter_mut()) {
                col.push(chunk, ranges[field], self.quote, &mut scratch)?;
            }
            rows += 1;
            if rows == self.batch_rows {
                out.push(self.finish(&mut cols, chunk)?);
                rows = 0;
            }
        }
        if rows > 0 {
            out.push(self.finish(&mut cols, chunk)?);
        }
        Some(out)
    }

    /// Reads the record at `p` into `ranges` (value start, end, holds doubled quotes); returns where
    /// the next record starts.
    fn record(&self, b: &[u8], p: usize, ranges: &mut Vec<(usize, usize, bool)>) -> Option<usize> {
        record(self.quote, self.delimiter, self.fields, b, p, ranges)
    }

    fn builders(&self) -> Vec<Col> {
        let n = self.batch_rows.min(1 << 16);
        self.columns
            .iter()
            .map(|&(_, k)| match k {
                Kind::Str => Col::Str(Vec::with_capacity(n)),
                Kind::Int => Col::Int(Int64Builder::with_capacity(n)),
                Kind::Float => Col::Float(Float64Builder::with_capacity(n)),
                Kind::Bool => Col::Bool(BooleanBuilder::with_capacity(n)),
            })
            .collect()
    }

    fn finish(&self, cols: &mut [Col], chunk: &[u8]) -> Option<RecordBatch> {
        let arrays: Vec<ArrayRef> = cols.iter_mut().map(|c| c.finish(chunk, self.quote)).collect();
        RecordBatch::try_new(self.target.clone(), arrays).ok()
    }
}

/// `raw` with each doubled quote read as one (when `escaped`; `scratch` holds the result).
pub(crate) fn unescape<'a>(raw: &'a [u8], escaped: bool, quote: u8, scratch: &'a mut Vec<u8>) -> &'a [u8] {
    if !escaped {
        return raw;
    }
    scratch.clear();
    unescape_into(raw, quote, |piece| scratch.extend_from_slice(piece));
    scratch
}

/// Appends `raw` to `out` with each doubled quote read as one (`out` takes the pieces).
fn unescape_into(raw: &[u8], quote: u8, mut out: impl FnMut(&[u8])) {
    let mut rest = raw;
    while let Some(i) = memchr::memchr(quote, rest) {
        out(&rest[..=i]);
        rest = &rest[(i + 2).min(rest.len())..];
    }
    out(rest);
}

/// [`record`]'s `fields` for a record of any field count.
pub(crate) const ANY_FIELDS: usize = usize::MAX;

/// Reads the record at `p` of `b` into `ranges` (value start, end, holds doubled quotes) and returns
/// where the next record starts; `None` unless it is a plain record (see the module doc) of exactly
/// `fields` fields.
pub(crate) fn record(
    q: u8,
    d: u8,
    fields: usize,
    b: &[u8],
    mut p: usize,
    ranges: &mut Vec<(usize, usize, bool)>,
) -> Option<usize> {
    let complete = |n: usize| fields == ANY_FIELDS || n == fields;
    if b[p] == b'\n' || b[p] == b'\r' {
        return None; // a blank line: csv_core's handling is arrow-csv's business
    }
    loop {
        let end; // the byte after the field (delimiter, newline) or b.len()
        if b.get(p) == Some(&q) {
            let start = p + 1;
            let mut i = start;
            let mut escaped = false;
            let close = loop {
                let k = i + memchr::memchr(q, &b[i..])?;
                if b.get(k + 1) == Some(&q) {
                    escaped = true;
                    i = k + 2;
                } else {
                    break k;
                }
            };
            ranges.push((start, close, escaped));
            end = close + 1;
        } else {
            let len = memchr::memchr3(d, b'\n', q, &b[p..]).unwrap_or(b.len() - p);
            let mut e = p + len;
            if b.get(e) == Some(&q) {
                return None; // a quote inside an unquoted field
            }
            if b.get(e) == Some(&b'\n') && e > p && b[e - 1] == b'\r' {
                e -= 1;
            }
            if memchr::memchr(b'\r', &b[p..e]).is_some() {
                return None; // a lone `\r` ends a record for csv_core
            }
            ranges.push((p, e, false));
            end = p + len;
        }
        if ranges.len() > fields {
            return None;
        }
        match b.get(end) {
            None => break complete(ranges.len()).then_some(end),
            Some(&c) if c == d => p = end + 1,
            Some(b'\n') => break complete(ranges.len()).then_some(end + 1),
            Some(b'\r') if b.get(end + 1) == Some(&b'\n') => break complete(ranges.len()).then_some(end + 2),
            Some(_) => return None, // text after a closing quote
        }
    }
}

/// A string span's flag: the value holds doubled quotes.
const SPAN_ESCAPED: u32 = 1 << 31;
/// A string span's flag: the value is missing.
const SPAN_NULL: u32 = 1 << 30;
/// The length bits of a span (also the largest chunk decoded here).
const SPAN_LEN: u32 = SPAN_NULL - 1;

enum Col {
    /// The batch's values as spans of the chunk (start, length and flags): the bytes are copied once,
    /// into a buffer of their exact total size, when the batch is finished.
    Str(Vec<(u32, u32)>),
    Int(Int64Builder),
    Float(Float64Builder),
    Bool(BooleanBuilder),
}

impl Col {
    /// Appends the value at `range` of `chunk` (`None`: it does not parse; arrow-csv will report it).
    fn push(&mut self, chunk: &[u8], range: (usize, usize, bool), quote: u8, scratch: &mut Vec<u8>) -> Option<()> {
        let (s, e, escaped) = range;
        if let Col::Str(spans) = self {
            // A value with a doubled quote holds a quote: never a missing-value spelling.
            let flag = if escaped {
                SPAN_ESCAPED
            } else if is_na(&chunk[s..e]) {
                SPAN_NULL
            } else {
                0
            };
            spans.push((s as u32, (e - s) as u32 | flag));
            return Some(());
        }
        let v = unescape(&chunk[s..e], escaped, quote, scratch);
        if is_na(v) {
            match self {
                Col::Str(_) => unreachable!("handled above"),
                Col::Int(b) => b.append_null(),
                Col::Float(b) => b.append_null(),
                Col::Bool(b) => b.append_null(),
            }
            return Some(());
        }
        // The chunk is valid UTF-8 and fields are cut at ASCII bytes, so every field is too.
        let s = std::str::from_utf8(v).ok()?;
        match self {
            Col::Str(_) => unreachable!("handled above"),
            Col::Int(b) => b.append_value(Int64Type::parse(s)?),
            Col::Float(b) => b.append_value(Float64Type::parse(s)?),
            Col::Bool(b) => b.append_value(if s.eq_ignore_ascii_case("true") {
                true
            } else if s.eq_ignore_ascii_case("false") {
                false
            } else {
                return None;
            }),
        }
        Some(())
    }

    fn finish(&mut self, chunk: &[u8], quote: u8) -> ArrayRef {
        match self {
            Col::Str(spans) => {
                let total: usize =
                    spans.iter().filter(|s| s.1 & SPAN_NULL == 0).map(|s| (s.1 & SPAN_LEN) as usize).sum();
                // Not a Vec: see value_bytes (freed batches' pages are reused, not faulted anew).
                let mut values = ValueBytes::with_capacity(total);
                let mut offsets: Vec<i64> = Vec::with_capacity(spans.len() + 1);
                offsets.push(0);
                let mut nulls = NullBufferBuilder::new(spans.len());
                for &(start, len) in spans.iter() {
                    if len & SPAN_NULL != 0 {
                        nulls.append_null();
                    } else {
                        let raw = &chunk[start as usize..][..(len & SPAN_LEN) as usize];
                        if len & SPAN_ESCAPED != 0 {
                            unescape_into(raw, quote, |piece| values.extend_from_slice(piece));
                        } else {
                            values.extend_from_slice(raw);
                        }
                        nulls.append_non_null();
                    }
                    offsets.push(values.len() as i64);
                }
                spans.clear();
                // SAFETY: the offsets start at 0 and never decrease, the last is `values.len()`, and
                // each value is valid UTF-8: the chunk is (checked in `decode`), values are cut at
                // ASCII bytes (the quote, the delimiter, a newline) and unescaping drops ASCII quotes.
                Arc::new(unsafe {
                    LargeStringArray::new_unchecked(
                        OffsetBuffer::new_unchecked(ScalarBuffer::from(offsets)),
                        values.into_buffer(),
                        nulls.finish(),
                    )
                })
            }
            Col::Int(b) => Arc::new(b.finish()),
            Col::Float(b) => Arc::new(b.finish()),
            Col::Bool(b) => Arc::new(b.finish()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_csv::reader::Format;
    use arrow_schema::{Field, Schema};

    fn schema(types: &[DataType]) -> SchemaRef {
        let fields: Vec<Field> =
            types.iter().enumerate().map(|(i, t)| Field::new(format!("c{i}"), t.clone(), true)).collect();
        Arc::new(Schema::new(fields))
    }

    /// arrow-csv's rows for `input` (strings read as `string`, then widened as csv.rs does).
    fn arrow(input: &[u8], target: &SchemaRef, header: bool) -> Vec<RecordBatch> {
        let decodable: Vec<Field> = target
            .fields()
            .iter()
            .map(|f| match f.data_type() {
                DataType::LargeUtf8 => Field::new(f.name(), DataType::Utf8, true),
                t => Field::new(f.name(), t.clone(), true),
            })
            .collect();
        let fmt = Format::default()
            .with_header(header)
            .with_truncated_rows(true)
            .with_null_regex(regex::Regex::new(super::super::csv::NA_REGEX).unwrap());
        let r = arrow_csv::ReaderBuilder::new(Arc::new(Schema::new(decodable)))
            .with_format(fmt)
            .with_batch_size(1 << 20)
            .build_buffered(input)
            .unwrap();
        r.map(|b| {
            let b = b.unwrap();
            let cols =
                b.columns().iter().zip(target.fields()).map(|(c, f)| arrow_cast::cast(c, f.data_type()).unwrap());
            RecordBatch::try_new(target.clone(), cols.collect()).unwrap()
        })
        .collect()
    }

    #[test]
    fn agrees_with_arrow_csv_or_steps_aside() {
        use DataType::*;
        let t = schema(&[Int64, LargeUtf8, Float64, Boolean]);
        let plain = Plain::new(b'"', b',', 4, None, t.clone(), 1 << 20).unwrap();
        let clean: &[&[u8]] = &[
            b"a,b,c,d\n1,x,1.5,true\n2,\"q \"\"x\"\"\ny\",NaN,FALSE\r\n,NA,,\n-3,\"\",1e3,True",
            b"a,b,c,d\n7,\"\xc3\xa9, \"\"\",-0.0,false\n8,null,None,\n",
        ];
        for input in clean {
            let got = plain.decode(input, true).expect("a clean chunk is decoded here");
            let want = arrow(input, &t, true);
            let cat = |b: &[RecordBatch]| arrow_select::concat::concat_batches(&t, b).unwrap();
            assert_eq!(cat(&got), cat(&want), "{}", String::from_utf8_lossy(input));
        }
        // Inputs arrow-csv reads differently or rejects: this path must decline them.
        let declined: &[&[u8]] = &[
            b"1,x,1.5\n",                     // short row (arrow: nulls)
            b"1,x,1.5,true,9\n",              // long row (arrow: error)
            b"1,x,1.5,true\n\n2,y,2,false\n", // blank line
            b"1,a\"b,1.5,true\n",             // quote inside an unquoted field
            b"1,\"a\"b,1.5,true\n",           // text after a closing quote
            b"1,a\rb,1.5,true\n",             // a lone CR ends a record
            b"x,a,1.5,true\n",                // not an int
            b"1,a,1.5,yes\n",                 // not a bool
            b"1,\"open,1.5,true\n",           // unterminated quote
            b"\xEF\xBB\xBF1,a,1.5,true\n",    // BOM
            b"1,\xff,1.5,true\n",             // not UTF-8
        ];
        for input in declined {
            assert!(plain.decode(input, false).is_none(), "{}", String::from_utf8_lossy(input));
        }
        // Projection: only the chosen fields, in the chosen order.
        let t2 = schema(&[Float64, Int64]);
        let p2 = Plain::new(b'"', b',', 4, Some(&[2, 0]), t2, 1).unwrap();
        let got = p2.decode(b"1,x,2.5,true\n3,y,4,false\n", false).unwrap();
        assert_eq!(got.len(), 2, "one batch per batch_rows rows");
        assert_eq!(got[1].column(1).as_any().downcast_ref::<arrow_array::Int64Array>().unwrap().value(0), 3);
    }
}
