//! CSV and JSON Lines are decoded in parallel chunks cut at record boundaries: any chunk size must give
//! the rows one stream gives (quoted newlines and doubled quotes at chunk edges, CRLF, no trailing
//! newline, gz input, empty files), and an error in a late chunk must name its true line.

use std::io::Write;
use std::path::PathBuf;

use arrow_array::RecordBatch;
use tokenmill_datasets::load::{source, Format, LoadOptions};

fn write(name: &str, content: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tm-chunked-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    if name.ends_with(".gz") {
        let mut enc = flate2::write::GzEncoder::new(std::fs::File::create(&p).unwrap(), flate2::Compression::fast());
        enc.write_all(content).unwrap();
        enc.finish().unwrap();
    } else {
        std::fs::write(&p, content).unwrap();
    }
    p
}

/// Every row of `path`, as one batch, decoded with chunks of `chunk_bytes`.
fn load(format: Format, path: &PathBuf, chunk_bytes: usize, batch_rows: usize) -> RecordBatch {
    let opts = LoadOptions { chunk_bytes, batch_rows, infer_rows: 1_000_000, ..Default::default() };
    let src = source(format, std::slice::from_ref(path), &opts).unwrap();
    let schema = src.schema.clone();
    let batches = src.collect().unwrap();
    arrow_select::concat::concat_batches(&schema, &batches).unwrap()
}

/// One stream (a chunk larger than the file) against many chunk sizes, including ones smaller than a
/// record.
fn same_as_one_stream(format: Format, path: &PathBuf, len: usize) {
    let whole = load(format, path, 1 << 40, 1 << 20);
    assert!(whole.num_rows() > 0);
    // Debug builds are slow and 1-byte chunks make one decoder per record: a spread of sizes.
    for size in [1, 2, 3, 8, 21, 55, 256, len / 3, len - 1] {
        for batch_rows in [3, 10_000].into_iter().filter(|&b| size >= 55 || b == 3) {
            let got = load(format, path, size.max(1), batch_rows);
            assert_eq!(got, whole, "{} chunk_bytes {size} batch_rows {batch_rows}", path.display());
        }
    }
}

fn tricky_csv(crlf: bool, trailing_newline: bool) -> Vec<u8> {
    let nl = if crlf { "\r\n" } else { "\n" };
    let mut s = format!("id,text,score{nl}");
    for i in 0..120 {
        let text = match i % 6 {
            0 => format!("\"quoted, with a newline\nin it {i}\""),
            1 => format!("\"doubled \"\"quotes\"\" {i}\""),
            2 => "\"\"".to_string(),
            3 => format!("5'1\" tall {i}"),
            4 => format!("\"ends with a quote\"\"{nl}and a line break\"\"\""),
            _ => "NA".to_string(),
        };
        let score = if i % 7 == 3 { String::new() } else { format!("{}.5", i) };
        s.push_str(&format!("{i},{text},{score}{nl}"));
    }
    if !trailing_newline {
        s.truncate(s.len() - nl.len());
    }
    s.into_bytes()
}

#[test]
fn csv_chunks_equal_one_stream() {
    for (crlf, trailing) in [(false, true), (true, true), (false, false), (true, false)] {
        let content = tricky_csv(crlf, trailing);
        let p = write(&format!("t-{crlf}-{trailing}.csv"), &content);
        same_as_one_stream(Format::Csv, &p, content.len());
    }
    // The rows themselves, not only their agreement: a quoted newline and doubled quotes survive.
    let p = write("check.csv", &tricky_csv(false, true));
    let b = load(Format::Csv, &p, 7, 10);
    assert_eq!(b.num_rows(), 120);
    let text = arrow_array::cast::AsArray::as_string::<i64>(b.column(1));
    assert_eq!(text.value(0), "quoted, with a newline\nin it 0");
    assert_eq!(text.value(1), "doubled \"quotes\" 1");
    assert_eq!(text.value(3), "5'1\" tall 3");
    assert_eq!(text.value(4), "ends with a quote\"\nand a line break\"");
    assert!(arrow_array::Array::is_null(text, 5));
}

#[test]
fn tsv_and_gz_chunks_equal_one_stream() {
    let content = String::from_utf8(tricky_csv(false, true)).unwrap().replace(',', "\t").into_bytes();
    let p = write("t.tsv", &content);
    same_as_one_stream(Format::Tsv, &p, content.len());
    let content = tricky_csv(true, false);
    let gz = write("t.csv.gz", &content);
    let plain = write("plain.csv", &content);
    assert_eq!(load(Format::Csv, &gz, 50, 7), load(Format::Csv, &plain, 1 << 40, 1 << 20));
}

fn jsonl(crlf: bool, trailing_newline: bool) -> Vec<u8> {
    let nl = if crlf { "\r\n" } else { "\n" };
    let mut s = String::new();
    for i in 0..150 {
        match i % 5 {
            0 => s.push_str(&format!("{{\"id\": {i}, \"text\": \"a \\\"quote\\\" and \\n escaped\"}}{nl}")),
            1 => s.push_str(nl), // a blank line
            2 => s.push_str(&format!("{{\"id\": {i}, \"text\": null, \"x\": [1, 2]}}{nl}")),
            _ => s.push_str(&format!("  {{\"text\": \"é{i}\", \"id\": {i}}}  {nl}")),
        }
    }
    if !trailing_newline {
        s.truncate(s.len() - nl.len());
    }
    s.into_bytes()
}

#[test]
fn jsonl_chunks_equal_one_stream() {
    for (crlf, trailing) in [(false, true), (true, true), (false, false), (true, false)] {
        let content = jsonl(crlf, trailing);
        let p = write(&format!("t-{crlf}-{trailing}.jsonl"), &content);
        same_as_one_stream(Format::Json, &p, content.len());
    }
    let content = jsonl(false, true);
    let gz = write("t.jsonl.gz", &content);
    let plain = write("plain.jsonl", &content);
    let b = load(Format::Json, &gz, 33, 4);
    assert_eq!(b, load(Format::Json, &plain, 1 << 40, 1 << 20));
    assert_eq!(b.num_rows(), 120);
}

#[test]
fn empty_files_give_no_rows() {
    for (format, name) in [(Format::Csv, "empty.csv"), (Format::Json, "empty.jsonl")] {
        let p = write(name, b"");
        for chunk_bytes in [1, 1 << 20] {
            let opts = LoadOptions { chunk_bytes, ..Default::default() };
            let rows: usize = match source(format, std::slice::from_ref(&p), &opts) {
                Ok(src) => src.collect().unwrap().iter().map(|b| b.num_rows()).sum(),
                // No header to name the columns: an error is fine, a panic is not.
                Err(e) => {
                    assert!(e.to_string().contains("empty.csv"), "{e}");
                    0
                }
            };
            assert_eq!(rows, 0, "{name}");
        }
    }
    // A header and nothing else.
    let p = write("header.csv", b"a,b\n");
    let src = source(Format::Csv, &[p], &LoadOptions { chunk_bytes: 2, ..Default::default() }).unwrap();
    assert_eq!(src.schema.fields().len(), 2);
    assert_eq!(src.collect().unwrap().iter().map(|b| b.num_rows()).sum::<usize>(), 0);
}

#[test]
fn errors_in_late_chunks_name_their_true_line() {
    // CSV: 500 data rows after the header, then a value that is not an int on line 502.
    let mut csv = String::from("n,t\n");
    for i in 0..500 {
        csv.push_str(&format!("{i},row {i}\n"));
    }
    csv.push_str("oops,x\n3,y\n");
    let p = write("late.csv", csv.as_bytes());
    for chunk_bytes in [16, 100, 1 << 20] {
        let opts = LoadOptions { chunk_bytes, infer_rows: 100, batch_rows: 64, ..Default::default() };
        let src = source(Format::Csv, std::slice::from_ref(&p), &opts).unwrap();
        let mut rows = 0;
        let mut err = None;
        for b in src.batches {
            match b {
                Ok(b) => rows += b.num_rows(),
                Err(e) => {
                    err = Some(e.to_string());
                    break;
                }
            }
        }
        let err = err.expect("the bad value must fail");
        assert!(err.contains("line 502") && err.contains("oops"), "chunk_bytes {chunk_bytes}: {err}");
        assert!(rows <= 500, "rows after the bad one were yielded: {rows}");
    }
    // A row with too many fields.
    let mut csv = String::from("n,t\n");
    for i in 0..300 {
        csv.push_str(&format!("{i},r\n"));
    }
    csv.push_str("1,2,3\n");
    let p = write("late-fields.csv", csv.as_bytes());
    let opts = LoadOptions { chunk_bytes: 40, infer_rows: 10, ..Default::default() };
    let err = source(Format::Csv, &[p], &opts).unwrap().collect().unwrap_err().to_string();
    assert!(err.contains("line 302"), "{err}");

    // JSON Lines: invalid JSON on line 401, and a type that does not fit on line 402 of another file.
    let mut good = String::new();
    for i in 0..400 {
        good.push_str(&format!("{{\"a\": {i}}}\n"));
    }
    for (name, bad, line) in [("late.jsonl", "{\"a\": tru}\n", 401), ("late-type.jsonl", "\n{\"a\": \"s\"}\n", 402)] {
        let p = write(name, format!("{good}{bad}{{\"a\": 1}}\n").as_bytes());
        for chunk_bytes in [10, 333, 1 << 20] {
            let opts = LoadOptions { chunk_bytes, infer_rows: 5, ..Default::default() };
            let err = source(Format::Json, std::slice::from_ref(&p), &opts).unwrap().collect().unwrap_err();
            let msg = err.to_string();
            assert!(msg.contains(&format!("line {line}")), "{name} chunk_bytes {chunk_bytes}: {msg}");
        }
    }
}

#[test]
fn inference_over_chunks_equals_one_stream() {
    // Column kinds change along the file: an int column that turns float, one with a late NA, a bool
    // column that turns string, a date column, an all-missing one; the sample limit cuts through it.
    let mut csv = String::from("i,f,na,b,d,e\n");
    for r in 0..200 {
        let f = if r == 150 { "2.5".to_string() } else { r.to_string() };
        let na = if r == 120 { "NA".to_string() } else { r.to_string() };
        let b = if r == 90 { "maybe" } else { "true" };
        csv.push_str(&format!("{r},{f},{na},{b},2020-01-0{},\n", r % 9 + 1));
    }
    let p = write("infer.csv", csv.as_bytes());
    let jl: String = (0..200)
        .map(|r| match r {
            150 => "{\"a\": 2.5, \"late\": \"x\"}\n".to_string(),
            _ => format!("{{\"a\": {r}, \"n\": null}}\n"),
        })
        .collect();
    let pj = write("infer.jsonl", jl.as_bytes());
    for (format, path) in [(Format::Csv, &p), (Format::Json, &pj)] {
        for infer_rows in [1, 89, 91, 119, 121, 149, 151, 1000] {
            let schema = |chunk_bytes| {
                let opts = LoadOptions { chunk_bytes, infer_rows, ..Default::default() };
                source(format, std::slice::from_ref(path), &opts).unwrap().schema
            };
            let whole = schema(1 << 40);
            for chunk_bytes in [1, 40, 333] {
                assert_eq!(schema(chunk_bytes), whole, "{format:?} infer_rows {infer_rows} chunk_bytes {chunk_bytes}");
            }
        }
    }
    // And the types are pandas' (HF's): the float, NA and "maybe" rows change them only once seen.
    let types = |infer_rows| {
        let opts = LoadOptions { chunk_bytes: 50, infer_rows, ..Default::default() };
        let s = source(Format::Csv, std::slice::from_ref(&p), &opts).unwrap().schema;
        s.fields().iter().map(|f| f.data_type().to_string()).collect::<Vec<_>>().join(" ")
    };
    assert_eq!(types(80), "Int64 Int64 Int64 Boolean LargeUtf8 Float64");
    assert_eq!(types(1000), "Int64 Float64 Float64 LargeUtf8 LargeUtf8 Float64");
}

/// `columns` projects every loader, the ones without a native projection too (text, squad, imdb);
/// an unknown column is a MissingColumn error naming what exists.
#[test]
fn columns_project_text_squad_and_imdb() {
    use tokenmill_datasets::load::{self, Format, LoadOptions};
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/samples/datasets");
    let only = |cols: &[&str]| LoadOptions {
        columns: Some(cols.iter().map(|c| c.to_string()).collect()),
        ..Default::default()
    };
    let squad = load::source(Format::Squad, &[samples.join("tiny_squad.json")], &only(&["question", "id"])).unwrap();
    let names: Vec<String> = squad.schema.fields().iter().map(|f| f.name().clone()).collect();
    assert_eq!(names, ["question", "id"]);
    let batches = squad.collect().unwrap();
    assert!(batches.iter().all(|b| b.num_columns() == 2 && b.schema().field(0).name() == "question"));
    let text = load::source(Format::Text, &[samples.join("lines.txt")], &only(&["text"])).unwrap();
    assert_eq!(text.collect().unwrap()[0].num_columns(), 1);
    let imdb = load::imdb::source(&samples.join("tiny_aclImdb_v1.tar.gz"), "train", &only(&["label"])).unwrap();
    let b = imdb.collect().unwrap();
    assert!(!b.is_empty() && b.iter().all(|b| b.num_columns() == 1 && b.schema().field(0).name() == "label"));
    let err = load::source(Format::Squad, &[samples.join("tiny_squad.json")], &only(&["nope"])).err().unwrap();
    assert!(
        matches!(err, tokenmill_datasets::Error::MissingColumn { .. }) && err.to_string().contains("context"),
        "{err}"
    );
}

/// CSV options other than the defaults: no header row (columns "0", "1", ... as pandas' integer
/// names become in HF), a comment prefix, an escape character, and a given schema (no inference:
/// digits stay strings when the schema says so).
#[test]
fn csv_header_comment_escape_and_given_schema() {
    use arrow_array::cast::AsArray;
    use arrow_schema::{DataType, Field, Schema};
    use tokenmill_datasets::load::{self, Format, LoadOptions};
    let dir = std::env::temp_dir().join(format!("tm-csvopts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("opts.csv");
    std::fs::write(&p, "# a comment line\n1,\"a \"\"quoted\"\" text\"\n2,\"b\\\"c\"\n").unwrap();
    let opts = LoadOptions { header: false, comment: Some(b'#'), escape: Some(b'\\'), ..Default::default() };
    let src = load::source(Format::Csv, std::slice::from_ref(&p), &opts).unwrap();
    let names: Vec<String> = src.schema.fields().iter().map(|f| f.name().clone()).collect();
    assert_eq!(names, ["0", "1"]);
    assert_eq!(src.schema.field(0).data_type(), &DataType::Int64);
    let b = arrow_select::concat::concat_batches(&src.schema.clone(), &src.collect().unwrap()).unwrap();
    assert_eq!(b.num_rows(), 2);
    let texts: Vec<&str> = b.column(1).as_string::<i64>().iter().map(|v| v.unwrap()).collect();
    assert_eq!(texts, ["a \"quoted\" text", "b\"c"]);

    let given = std::sync::Arc::new(Schema::new(vec![
        Field::new("id", DataType::LargeUtf8, true),
        Field::new("body", DataType::LargeUtf8, true),
    ]));
    let opts = LoadOptions { schema: Some(given.clone()), ..opts };
    let src = load::source(Format::Csv, std::slice::from_ref(&p), &opts).unwrap();
    assert_eq!(src.schema, given);
    let b = &src.collect().unwrap()[0];
    assert_eq!(b.column(0).as_string::<i64>().value(1), "2");
    let _ = std::fs::remove_dir_all(&dir);
}
