//! `data_files` resolution (a path, a glob, a list, a directory, or split → files) and opening a file
//! as a byte stream with `.gz` / `.zst` decompressed on the fly.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// What the caller names as inputs, as in HF `load_dataset(data_files=...)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataFiles {
    /// Paths, globs or directories; all rows go to one split ("train", as HF).
    List(Vec<String>),
    /// Split name → paths, globs or directories, in the caller's order (→ a DatasetDict).
    Splits(Vec<(String, Vec<String>)>),
}

impl DataFiles {
    pub fn one(path: impl Into<String>) -> Self {
        DataFiles::List(vec![path.into()])
    }
}

/// The default split name for a plain list of files (HF's).
pub const DEFAULT_SPLIT: &str = "train";

/// Resolved inputs: split name → existing files, in a deterministic order.
pub type ResolvedFiles = Vec<(String, Vec<PathBuf>)>;

/// Expands every pattern of every split. Within one pattern, matches are sorted by path (HF sorts too);
/// across patterns the caller's order is kept. A pattern that matches nothing is an error naming it.
pub fn resolve(spec: &DataFiles) -> Result<ResolvedFiles> {
    match spec {
        DataFiles::List(patterns) => Ok(vec![(DEFAULT_SPLIT.to_string(), expand_all(patterns)?)]),
        DataFiles::Splits(splits) => {
            if splits.is_empty() {
                return Err(Error::Invalid("data_files: no split given".into()));
            }
            splits.iter().map(|(name, patterns)| Ok((name.clone(), expand_all(patterns)?))).collect()
        }
    }
}

fn expand_all(patterns: &[String]) -> Result<Vec<PathBuf>> {
    if patterns.is_empty() {
        return Err(Error::Invalid("data_files: no file given".into()));
    }
    let mut out = Vec::new();
    for p in patterns {
        out.extend(expand(p)?);
    }
    Ok(out)
}

/// One pattern: an existing file, a directory (every data file under it, recursively, sorted; hidden
/// files and folders skipped as HF does), or a glob.
pub fn expand(pattern: &str) -> Result<Vec<PathBuf>> {
    let path = Path::new(pattern);
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    if path.is_dir() {
        let mut files = Vec::new();
        walk(path, &mut files)?;
        files.sort();
        if files.is_empty() {
            return Err(no_match(pattern, "the directory holds no file"));
        }
        return Ok(files);
    }
    // Hidden files are not matched by `*` (HF skips them too).
    let options = glob::MatchOptions { require_literal_leading_dot: true, ..Default::default() };
    let paths =
        glob::glob_with(pattern, options).map_err(|e| Error::Invalid(format!("bad glob pattern {pattern:?}: {e}")))?;
    let mut files = Vec::new();
    for entry in paths {
        let p = entry.map_err(|e| Error::io(e.path().to_path_buf(), e.into()))?;
        if p.is_file() {
            files.push(p);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(no_match(pattern, "no file matches"));
    }
    Ok(files)
}

fn no_match(pattern: &str, why: &str) -> Error {
    Error::io(pattern, std::io::Error::new(std::io::ErrorKind::NotFound, why.to_string()))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with(['.', '_']) {
            continue;
        }
        let p = entry.path();
        if p.is_dir() {
            walk(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

/// Compression recognised from the file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    pub fn of(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()).as_deref() {
            Some("gz") | Some("gzip") => Compression::Gzip,
            Some("zst") | Some("zstd") => Compression::Zstd,
            _ => Compression::None,
        }
    }
}

/// The extension that names the format, under any compression suffix: `a.jsonl.gz` → `jsonl`.
pub fn format_extension(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let stem = match Compression::of(path) {
        Compression::None => name.as_str(),
        _ => name.rsplit_once('.').map(|(s, _)| s).unwrap_or(&name),
    };
    stem.rsplit_once('.').map(|(_, e)| e.to_string())
}

/// A buffered reader over the decompressed bytes of `path`. Read errors later surface as
/// `std::io::Error`s; callers attach the path (see [`read_err`]).
pub fn open(path: &Path) -> Result<Box<dyn BufRead + Send>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    const BUF: usize = 1 << 20;
    Ok(match Compression::of(path) {
        Compression::None => Box::new(BufReader::with_capacity(BUF, file)),
        Compression::Gzip => {
            Box::new(BufReader::with_capacity(BUF, flate2::read::MultiGzDecoder::new(BufReader::new(file))))
        }
        Compression::Zstd => {
            let dec = zstd::stream::read::Decoder::new(file).map_err(|e| Error::io(path, e))?;
            Box::new(BufReader::with_capacity(BUF, dec))
        }
    })
}

/// `path` opened as [`open`] does, its first `lines` lines (up to each `\n`) read and dropped.
pub fn open_skipping(path: &Path, lines: usize) -> Result<Box<dyn BufRead + Send>> {
    let mut r = open(path)?;
    skip_lines(&mut r, lines).map_err(|e| Error::io(path, e))?;
    Ok(r)
}

/// Reads and drops `lines` lines (fewer at end of input).
pub(crate) fn skip_lines(r: &mut dyn BufRead, lines: usize) -> std::io::Result<()> {
    let mut left = lines;
    while left > 0 {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        let used = match memchr::memchr(b'\n', buf) {
            Some(i) => {
                left -= 1;
                i + 1
            }
            None => buf.len(),
        };
        r.consume(used);
    }
    Ok(())
}

/// Reads the whole decompressed file (for formats that HF also reads whole: a JSON document, a text
/// document).
pub fn read_all(path: &Path) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    open(path)?.read_to_end(&mut buf).map_err(|e| Error::io(path, e))?;
    Ok(buf)
}

/// Wraps an I/O error met while reading `path`.
pub fn read_err(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io(path, e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("tm-files-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn globs_dirs_and_splits_resolve_sorted() {
        let d = tmp("glob");
        for n in ["b.csv", "a.csv", "c.json", ".hidden.csv"] {
            std::fs::write(d.join(n), "x\n").unwrap();
        }
        let pat = d.join("*.csv").to_string_lossy().into_owned();
        let got = resolve(&DataFiles::List(vec![pat])).unwrap();
        assert_eq!(got[0].0, "train");
        let names: Vec<_> = got[0].1.iter().map(|p| p.file_name().unwrap().to_str().unwrap()).collect();
        assert_eq!(names, ["a.csv", "b.csv"]);
        let dir = resolve(&DataFiles::one(d.to_string_lossy())).unwrap();
        assert_eq!(dir[0].1.len(), 3, "hidden files skipped");
        let splits = DataFiles::Splits(vec![
            ("test".into(), vec![d.join("c.json").to_string_lossy().into()]),
            ("train".into(), vec![d.join("a.csv").to_string_lossy().into()]),
        ]);
        let got = resolve(&splits).unwrap();
        assert_eq!(got.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(), ["test", "train"]);
    }

    #[test]
    fn no_match_is_an_error_naming_the_pattern() {
        let d = tmp("nomatch");
        let pat = d.join("*.parquet").to_string_lossy().into_owned();
        let err = resolve(&DataFiles::List(vec![pat.clone()])).unwrap_err().to_string();
        assert!(err.contains(&pat) && err.contains("no file matches"), "{err}");
    }

    #[test]
    fn gz_and_zst_decompress_on_the_fly() {
        let d = tmp("comp");
        let gz = d.join("a.txt.gz");
        let mut enc = flate2::write::GzEncoder::new(File::create(&gz).unwrap(), flate2::Compression::fast());
        enc.write_all(b"hello\nworld\n").unwrap();
        enc.finish().unwrap();
        let zs = d.join("a.jsonl.zst");
        std::fs::write(&zs, zstd::encode_all(&b"{\"a\":1}\n"[..], 1).unwrap()).unwrap();
        assert_eq!(read_all(&gz).unwrap(), b"hello\nworld\n");
        assert_eq!(read_all(&zs).unwrap(), b"{\"a\":1}\n");
        assert_eq!(format_extension(&gz).as_deref(), Some("txt"));
        assert_eq!(format_extension(&zs).as_deref(), Some("jsonl"));
        // A truncated gzip stream is a read error, not silent truncation.
        let bytes = std::fs::read(&gz).unwrap();
        std::fs::write(&gz, &bytes[..bytes.len() - 6]).unwrap();
        assert!(read_all(&gz).is_err());
    }
}
