//! `tokenmill encode`: one JSON array of ids per record (a line, or a JSONL field).

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{io, Error, Result};
use crate::tokenizer_arg::TokenizerArg;
use crate::{input, jsonl};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub tok: TokenizerArg,
    /// Read from FILE instead of stdin; a .jsonl file is read as JSON objects.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// JSONL field holding the text.
    #[arg(long, default_value = "text")]
    pub field: String,
    /// Seed of a tokenizer.json's BPE dropout (as `tokenize --seed`: a line gets the tokens it
    /// gets there as the first input).
    #[arg(long)]
    pub seed: Option<u64>,
}

/// Stdin or a file, with the name used in error messages.
pub fn open_input(input: &Option<PathBuf>) -> Result<(Box<dyn BufRead>, String)> {
    Ok(match input {
        Some(p) if p.as_os_str() != "-" => {
            let f = File::open(p).map_err(io(p))?;
            (Box::new(BufReader::with_capacity(1 << 20, f)), p.display().to_string())
        }
        _ => (Box::new(BufReader::with_capacity(1 << 20, std::io::stdin())), "<stdin>".to_string()),
    })
}

/// Reads a line without its `\n` / `\r\n` into `buf`; false at the end of input.
pub fn next_line(r: &mut dyn BufRead, buf: &mut Vec<u8>, origin: &str) -> Result<bool> {
    Ok(next_line_len(r, buf, origin)? > 0)
}

/// [`next_line`], giving the bytes the line took in the input (0 at the end).
fn next_line_len(r: &mut dyn BufRead, buf: &mut Vec<u8>, origin: &str) -> Result<usize> {
    buf.clear();
    let n = r.read_until(b'\n', buf).map_err(io(Path::new(origin)))?;
    if n == 0 {
        return Ok(0);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(n)
}

pub fn run(a: Args) -> Result<()> {
    let mut enc = a.tok.load()?;
    if let Some(seed) = a.seed {
        enc.set_seed(seed)?;
    }
    let jsonl = a.input.as_ref().is_some_and(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("jsonl")));
    let (mut reader, origin) = open_input(&a.input)?;
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let (mut buf, mut ids, mut line_no) = (Vec::new(), Vec::new(), 0u64);
    // a document's key is its line's byte offset, as in `tokenize` (the same dropout draws)
    let (mut offset, mut len) = (0u64, 0u64);
    loop {
        offset += len;
        len = next_line_len(&mut *reader, &mut buf, &origin)? as u64;
        if len == 0 {
            break;
        }
        line_no += 1;
        let err = |m: String| Error::msg(format!("{origin}:{line_no}: {m}"));
        let field_text;
        let text: &str = if jsonl {
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue; // blank lines in JSONL hold no record
            }
            field_text = jsonl::extract(&buf, &a.field).map_err(err)?;
            &field_text
        } else {
            std::str::from_utf8(&buf).map_err(|e| err(format!("invalid UTF-8 at byte {}", e.valid_up_to())))?
        };
        ids.clear();
        enc.encode_doc(input::doc_key_base(0) + offset, text, &mut ids).map_err(err)?;
        write_ids(&mut out, &ids).map_err(Error::Stdout)?;
    }
    out.flush().map_err(Error::Stdout)
}

fn write_ids(out: &mut impl Write, ids: &[u32]) -> std::io::Result<()> {
    out.write_all(b"[")?;
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write!(out, "{id}")?;
    }
    out.write_all(b"]\n")
}
