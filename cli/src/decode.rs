//! `tokenmill decode`: a JSON array of ids per line → the text (raw, or a JSON string).

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use crate::encode::{next_line, open_input};
use crate::error::{Error, Result};
use crate::tokenizer_arg::TokenizerArg;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub tok: TokenizerArg,
    /// Read from FILE instead of stdin.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Print each text as a JSON string (keeps one line per record even if the text has newlines).
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: Args) -> Result<()> {
    let enc = a.tok.load()?;
    let (mut reader, origin) = open_input(&a.input)?;
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let (mut buf, mut line_no) = (Vec::new(), 0u64);
    while next_line(&mut *reader, &mut buf, &origin)? {
        line_no += 1;
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let err = |m: String| Error::msg(format!("{origin}:{line_no}: {m}"));
        let ids: Vec<u32> =
            serde_json::from_slice(&buf).map_err(|e| err(format!("expected a JSON array of token ids: {e}")))?;
        let bytes = enc.decode_bytes(&ids).map_err(|e| err(e.to_string()))?;
        let text = String::from_utf8_lossy(&bytes);
        if a.json {
            serde_json::to_writer(&mut out, &*text).map_err(|e| Error::Stdout(e.into()))?;
        } else {
            out.write_all(text.as_bytes()).map_err(Error::Stdout)?;
        }
        out.write_all(b"\n").map_err(Error::Stdout)?;
    }
    out.flush().map_err(Error::Stdout)
}
