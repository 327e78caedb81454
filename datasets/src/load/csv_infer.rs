//! Fast CSV schema inference for the inputs csv_plain decodes (quotes escaped by doubling, no escape
//! character, no comment lines), giving exactly the schema of csv.rs's arrow-csv inference.
//!
//! arrow-csv reads the first `infer_rows` records with the `csv` crate and types each column by the
//! first of its regexes a value matches (bool, int, decimal, dates and timestamps; anything else is a
//! string), then csv.rs decodes the sample's int columns once more to turn an int column holding a
//! missing value into double. Here the sample is cut into chunks at record boundaries, each chunk is
//! split into fields with csv_plain's splitter and its values are classified, chunks in parallel. A
//! chunk keeps, per column and class, the first record holding a value of that class, so the chunks'
//! results merge into the classes of exactly the first `infer_rows` records wherever the chunks end.
//!
//! Whenever a chunk of the sample is not plain (a short or long row, a blank line, a stray quote or
//! `\r`, a BOM, invalid UTF-8) or a value is one this module does not decide (a non-ASCII value that
//! may be a number or a bool), it returns `None` and the caller falls back to arrow-csv's inference.

use std::path::Path;
use std::sync::{Arc, LazyLock};

use arrow_schema::{DataType, Field, Schema, SchemaRef};
use rayon::prelude::*;

use super::chunked::{Boundary, Chunk, Chunker, Cut};
use super::csv_plain::{is_na, record, unescape, ANY_FIELDS};
use super::LoadOptions;
use crate::error::{Error, Result};

// Classes of one value (bit positions, and indices of `ChunkTypes::first`).
const BOOL: usize = 0;
const INT: usize = 1;
const FLOAT: usize = 2;
/// A string: what arrow-csv types Utf8, or a date or a timestamp (csv.rs reads those as strings too).
const STR: usize = 3;
/// A missing value (it turns an int column into double).
const NULL: usize = 4;
const CLASSES: usize = 5;
const NONE: usize = usize::MAX;

/// One chunk's classification: its record count and, per column and class, the index (in the chunk)
/// of the first record with a value of that class.
struct ChunkTypes {
    rows: usize,
    first: Vec<[usize; CLASSES]>,
}

/// The schema of the first `opts.infer_rows` records of `path`, as csv.rs's arrow-csv inference types
/// it; `Ok(None)` when the input is not one this path decides (the caller then asks arrow-csv).
pub(crate) fn infer(path: &Path, opts: &LoadOptions) -> Result<Option<SchemaRef>> {
    let (q, d) = (opts.quote, opts.delimiter.unwrap_or(b','));
    let special = |b: u8| matches!(b, b'\n' | b'\r') || !b.is_ascii();
    if opts.escape.is_some() || opts.comment.is_some() || q == d || special(q) || special(d) {
        return Ok(None);
    }
    let mut chunker = Chunker::open(path, Boundary::Csv { quote: q, delimiter: d }, opts.chunk_bytes)?;
    chunker.skip_lines(opts.skip_rows).map_err(|e| Error::io(path, e))?;
    chunker.speculate(true);
    let pool = tokenmill_tokenizers::tokenizer::batch::pool(0).ok();
    let width = pool.as_ref().map_or(1, |p| p.current_num_threads()).max(1) * 2;
    let (mut fields, mut names) = (0usize, Vec::new());
    let mut classes: Vec<u8> = Vec::new();
    let (mut index, mut taken) = (0usize, 0usize);
    while taken < opts.infer_rows {
        let mut window = Vec::with_capacity(width);
        while window.len() < width {
            match chunker.next_chunk().map_err(|e| Error::io(path, e))? {
                Some(c) => window.push(c),
                None => break,
            }
        }
        if window.is_empty() {
            break;
        }
        if index == 0 {
            let Some(head) = header(&window[0], q, d, opts.header) else { return Ok(None) };
            fields = head.len();
            names = head;
            classes = vec![0; fields];
        }
        let skip = |i: usize| opts.header && index + i == 0;
        let run = || window.par_iter().enumerate().map(|(i, c)| classify(c, skip(i), q, d, fields)).collect::<Vec<_>>();
        let typed = match &pool {
            Some(p) => p.install(run),
            None => run(),
        };
        let mut accepted = 0;
        for (t, chunk) in typed.into_iter().zip(&window) {
            // A chunk that is not plain: only the records before the sample's end matter, but which
            // those are is unknown here; arrow-csv decides. A speculative chunk (chunked.rs) that
            // is not plain may only be cut inside a quoted field: it is cut again exactly.
            let Some(t) = t else {
                match chunk {
                    Chunk::Mapped { range, cut: Cut::Speculative, .. } => {
                        chunker.recut_from(range.start);
                        break;
                    }
                    _ => return Ok(None),
                }
            };
            accepted += 1;
            let limit = opts.infer_rows - taken;
            for (bits, first) in classes.iter_mut().zip(&t.first) {
                for (k, &at) in first.iter().enumerate() {
                    if at < limit {
                        *bits |= 1 << k;
                    }
                }
            }
            taken += t.rows;
            if taken >= opts.infer_rows {
                break;
            }
        }
        index += accepted;
    }
    if index == 0 {
        return Ok(None); // an empty file: arrow-csv's answer
    }
    let fields: Vec<Field> =
        names.into_iter().zip(classes).map(|(n, bits)| Field::new(n, data_type(bits), true)).collect();
    Ok(Some(Arc::new(Schema::new(fields))))
}

/// The column names of a chunk's first record: its values (with a header) or `0, 1, ...`.
fn header(chunk: &[u8], q: u8, d: u8, has_header: bool) -> Option<Vec<String>> {
    if chunk.starts_with(b"\xEF\xBB\xBF") {
        return None; // the csv crate drops a BOM from the header; left to it
    }
    let mut ranges = Vec::new();
    record(q, d, ANY_FIELDS, chunk, 0, &mut ranges)?;
    if !has_header {
        return Some((0..ranges.len()).map(|i| i.to_string()).collect());
    }
    let mut scratch = Vec::new();
    ranges
        .iter()
        .map(|&(s, e, escaped)| {
            let v = unescape(&chunk[s..e], escaped, q, &mut scratch);
            std::str::from_utf8(v).ok().map(str::to_string)
        })
        .collect()
}

/// The classes met in one chunk (its first record skipped when it is the header), or `None` when the
/// chunk is not plain or holds a value this module does not decide.
fn classify(chunk: &[u8], skip_header: bool, q: u8, d: u8, fields: usize) -> Option<ChunkTypes> {
    simdutf8::basic::from_utf8(chunk).ok()?;
    let mut first = vec![[NONE; CLASSES]; fields];
    // Columns with a string met: nothing later in the chunk changes what they merge into.
    let mut done = vec![false; fields];
    let mut open = fields;
    let mut ranges = Vec::with_capacity(fields);
    let mut scratch = Vec::new();
    let (mut p, mut rows) = (0usize, 0usize);
    if skip_header {
        p = record(q, d, fields, chunk, 0, &mut ranges)?;
    }
    while p < chunk.len() {
        ranges.clear();
        p = record(q, d, fields, chunk, p, &mut ranges)?;
        if open > 0 {
            for (c, &(s, e, escaped)) in ranges.iter().enumerate() {
                if done[c] {
                    continue;
                }
                let k = class(unescape(&chunk[s..e], escaped, q, &mut scratch))?;
                if first[c][k] == NONE {
                    first[c][k] = rows;
                }
                if k == STR {
                    done[c] = true;
                    open -= 1;
                }
            }
        }
        rows += 1;
    }
    Some(ChunkTypes { rows, first })
}

/// A value's class as arrow-csv's inference sees it (`None`: not decided here).
fn class(v: &[u8]) -> Option<usize> {
    if is_na(v) {
        return Some(NULL);
    }
    if v.first() == Some(&b'"') {
        return Some(STR); // arrow-csv: a value starting with a double quote is a string
    }
    if !v.is_ascii() {
        // arrow-csv's `\d` and `(?i)` are Unicode-aware: a value its number or bool patterns match
        // (other digits, a case-folded letter) is left to it.
        let s = std::str::from_utf8(v).ok()?;
        return if NUMBER_OR_BOOL.is_match(s) { None } else { Some(STR) };
    }
    if v.eq_ignore_ascii_case(b"true") || v.eq_ignore_ascii_case(b"false") {
        return Some(BOOL);
    }
    let sign = usize::from(matches!(v.first(), Some(b'+' | b'-')));
    if v.len() > sign && v[sign..].iter().all(u8::is_ascii_digit) {
        // An int too big for i64 is a string to arrow-csv.
        let fits = v.len() < 19 || std::str::from_utf8(v).ok()?.parse::<i64>().is_ok();
        return Some(if fits { INT } else { STR });
    }
    if is_decimal(v) || v == b"inf" || v == b"-inf" {
        return Some(FLOAT);
    }
    Some(STR)
}

/// arrow-csv's bool, int and decimal patterns (its regexes, for non-ASCII values only).
static NUMBER_OR_BOOL: LazyLock<regex::RegexSet> = LazyLock::new(|| {
    regex::RegexSet::new([
        r"(?i)^(true)$|^(false)$(?-i)",
        r"^[+-]?(\d+)$",
        r"^[+-]?((\d*\.\d+|\d+\.\d*)([eE][-+]?\d+)?|\d+([eE][-+]?\d+))$",
    ])
    .expect("valid patterns")
});

/// arrow-csv's decimal pattern `^[+-]?((\d*\.\d+|\d+\.\d*)([eE][-+]?\d+)?|\d+([eE][-+]?\d+))$` on
/// ASCII text.
fn is_decimal(v: &[u8]) -> bool {
    let mut i = usize::from(matches!(v.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while v.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let whole = digits(&mut i);
    let dot = v.get(i) == Some(&b'.');
    if dot {
        i += 1;
        if whole + digits(&mut i) == 0 {
            return false;
        }
    } else if whole == 0 {
        return false;
    }
    if matches!(v.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(v.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    } else if !dot {
        return false; // digits alone are an int
    }
    i == v.len()
}

/// The column type of the classes met, as csv.rs maps arrow-csv's inferred type: bool, int (double
/// with a missing value), double for ints and decimals or nothing but missing values, else string.
fn data_type(bits: u8) -> DataType {
    let values = bits & !(1 << NULL);
    match values {
        0 => DataType::Float64,
        b if b == 1 << BOOL => DataType::Boolean,
        b if b == 1 << INT && bits & (1 << NULL) == 0 => DataType::Int64,
        b if b & !((1 << INT) | (1 << FLOAT)) == 0 => DataType::Float64,
        _ => DataType::LargeUtf8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_classified_as_arrow_csv_patterns() {
        let cases: &[(&str, Option<usize>)] = &[
            ("", Some(NULL)),
            ("NA", Some(NULL)),
            ("#N/A N/A", Some(NULL)),
            ("TRUE", Some(BOOL)),
            ("fAlSe", Some(BOOL)),
            ("truex", Some(STR)),
            ("0", Some(INT)),
            ("-12", Some(INT)),
            ("+7", Some(INT)),
            ("9223372036854775807", Some(INT)),
            ("9223372036854775808", Some(STR)),
            ("-", Some(STR)),
            ("1.", Some(FLOAT)),
            (".5", Some(FLOAT)),
            ("-1.5e-3", Some(FLOAT)),
            ("2E10", Some(FLOAT)),
            ("1e", Some(STR)),
            (".", Some(STR)),
            ("e5", Some(STR)),
            ("1.5.2", Some(STR)),
            ("inf", Some(FLOAT)),
            ("-inf", Some(FLOAT)),
            ("Inf", Some(STR)),
            ("2020-01-01", Some(STR)),
            ("\"quoted\"", Some(STR)),
            ("caf\u{e9}", Some(STR)),
            ("\u{663}", None), // an Arabic-Indic digit: arrow-csv's `\d` matches it
        ];
        for &(v, want) in cases {
            assert_eq!(class(v.as_bytes()), want, "{v:?}");
        }
        // The ASCII decimal check is the regex's.
        let re = regex::Regex::new(r"^[+-]?((\d*\.\d+|\d+\.\d*)([eE][-+]?\d+)?|\d+([eE][-+]?\d+))$").unwrap();
        let alphabet = [b'1', b'.', b'e', b'-', b'+', b'E', b'x'];
        let mut v = Vec::new();
        for n in 0..=5u32 {
            for mut code in 0..alphabet.len().pow(n) {
                v.clear();
                for _ in 0..n {
                    v.push(alphabet[code % alphabet.len()]);
                    code /= alphabet.len();
                }
                let s = std::str::from_utf8(&v).unwrap();
                assert_eq!(is_decimal(&v), re.is_match(s), "{s:?}");
            }
        }
    }
}
