//! The Large Movie Review Dataset in its original layout — `aclImdb_v1.tar.gz` read as a stream
//! (gzip + tar, nothing extracted) or the extracted `aclImdb` folder — as HF's `imdb` dataset: splits
//! `train`, `test` (labelled `neg`=0 / `pos`=1) and `unsupervised` (`train/unsup`, label -1), columns
//! `text` (string) and `label` (int64, HF `ClassLabel(names=["neg", "pos"])`).
//!
//! Row order. HF's imdb script walks the archive once per split and yields, in archive order, the
//! files under `aclImdb/<split>/{neg,pos}` (`train/unsup` for unsupervised); we do the same, so a
//! tarball gives HF's order exactly (the archive holds `test/neg`, `test/pos`, `train/neg`,
//! `train/unsup`, `train/pos`, so `train` is every `neg` review then every `pos` one). A folder has no
//! archive order: there we read `neg` then `pos`, each sorted by the numeric review id of
//! `<id>_<rating>.txt` (documented difference; the rows are the same set).
//!
//! Gzip cannot be decompressed in parallel; each split makes its own pass and stops once it has left
//! its folder, and a skipped entry is never copied (tar skips its bytes).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use super::{files, BatchSource, LoadOptions};
use crate::error::{Error, Result};

/// HF's split names, in HF's order.
pub const SPLITS: [&str; 3] = ["train", "test", "unsupervised"];

/// HF's `features` for imdb (the `huggingface` schema metadata HF writes).
const HF_FEATURES: &str = r#"{"info": {"features": {"text": {"dtype": "string", "_type": "Value"}, "label": {"names": ["neg", "pos"], "_type": "ClassLabel"}}}}"#;

pub fn schema() -> SchemaRef {
    let fields = vec![Field::new("text", DataType::Utf8, true), Field::new("label", DataType::Int64, true)];
    let meta: std::collections::HashMap<String, String> =
        [("huggingface".to_string(), HF_FEATURES.to_string())].into_iter().collect();
    Arc::new(Schema::new_with_metadata(fields, meta))
}

/// Where a split's files live and which label each folder means.
fn folders(split: &str) -> Result<(&'static str, &'static [(&'static str, i64)])> {
    Ok(match split {
        "train" => ("train", &[("neg", 0), ("pos", 1)]),
        "test" => ("test", &[("neg", 0), ("pos", 1)]),
        "unsupervised" => ("train", &[("unsup", -1)]),
        other => return Err(Error::Invalid(format!("imdb has no split {other:?} (train, test, unsupervised)"))),
    })
}

/// One split of `input` (the tarball, or the `aclImdb` folder or its parent).
pub fn source(input: &Path, split: &str, opts: &LoadOptions) -> Result<BatchSource> {
    let (dir, labels) = folders(split)?;
    let rows: Box<dyn Iterator<Item = Result<(String, i64)>> + Send> = if input.is_dir() {
        let root = if input.join("aclImdb").is_dir() { input.join("aclImdb") } else { input.to_path_buf() };
        Box::new(folder_rows(root.join(dir), labels)?)
    } else {
        Box::new(tar_rows(input, dir, labels)?)
    };
    let all =
        BatchSource::new(schema(), Batcher { rows, batch_rows: opts.batch_rows.max(1), batch_bytes: opts.batch_bytes });
    super::project_source(all, opts)
}

/// Files of the extracted folder: each label folder in turn, by numeric review id.
fn folder_rows(
    dir: PathBuf,
    labels: &'static [(&'static str, i64)],
) -> Result<impl Iterator<Item = Result<(String, i64)>> + Send> {
    let mut all: Vec<(PathBuf, i64)> = Vec::new();
    for &(name, label) in labels {
        let sub = dir.join(name);
        let mut files: Vec<(u64, PathBuf)> = Vec::new();
        for e in std::fs::read_dir(&sub).map_err(|e| Error::io(&sub, e))? {
            let p = e.map_err(|e| Error::io(&sub, e))?.path();
            if p.extension().is_some_and(|x| x == "txt") {
                let id = p
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(|n| n.split('_').next())
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(u64::MAX);
                files.push((id, p));
            }
        }
        files.sort();
        all.extend(files.into_iter().map(|(_, p)| (p, label)));
    }
    Ok(all.into_iter().map(|(p, label)| {
        let bytes = std::fs::read(&p).map_err(|e| Error::io(&p, e))?;
        let text = String::from_utf8(bytes).map_err(|e| Error::parse(&p, "file", format!("invalid UTF-8: {e}")))?;
        Ok((text, label))
    }))
}

/// Reviews of one split, streamed out of the tarball in archive order. A reader thread owns the
/// archive (entries borrow it) and sends rows through a bounded channel, so decompression overlaps
/// with whatever consumes the rows and memory stays bounded; dropping the receiver stops it.
fn tar_rows(
    path: &Path,
    dir: &str,
    labels: &'static [(&'static str, i64)],
) -> Result<impl Iterator<Item = Result<(String, i64)>> + Send> {
    let reader = files::open(path)?;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<(String, i64)>>(256);
    let path = path.to_path_buf();
    let prefix = format!("aclImdb/{dir}/");
    std::thread::Builder::new()
        .name("imdb-tar".into())
        .spawn(move || {
            // A panic would close the channel like a finished walk and end the split silently
            // short: it becomes an error row instead.
            let walked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                walk_tar(reader, &path, &prefix, labels, &tx)
            }));
            let failed = match walked {
                Ok(r) => r.err(),
                Err(panic) => {
                    let what = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    Some(Error::parse(&path, "archive", format!("the tar reader failed: {what}")))
                }
            };
            if let Some(e) = failed {
                let _ = tx.send(Err(e));
            }
        })
        .map_err(|e| Error::io("imdb reader thread", e))?;
    Ok(rx.into_iter())
}

/// Sends the split's rows; returns early (Ok) when the receiver is gone.
fn walk_tar(
    reader: Box<dyn std::io::BufRead + Send>,
    path: &Path,
    prefix: &str,
    labels: &[(&str, i64)],
    tx: &std::sync::mpsc::SyncSender<Result<(String, i64)>>,
) -> Result<()> {
    let mut archive = tar::Archive::new(reader);
    let bad = |index: u64, what: String| Error::parse(path, format!("tar entry {index}"), what);
    let entries = archive.entries().map_err(|e| bad(0, format!("bad tar archive: {e}")))?;
    let mut seen_split = false;
    for (i, entry) in entries.enumerate() {
        let index = i as u64 + 1;
        let mut entry = entry.map_err(|e| bad(index, format!("bad tar archive: {e}")))?;
        let name = entry.path().map_err(|e| bad(index, format!("bad entry name: {e}")))?.to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(prefix) else {
            // The archive groups each folder: once past ours, nothing of the split follows.
            if seen_split {
                break;
            }
            continue;
        };
        seen_split = true;
        let Some((folder, file)) = rest.split_once('/') else { continue };
        let Some(&(_, label)) = labels.iter().find(|(f, _)| *f == folder) else { continue };
        if file.is_empty() || entry.header().entry_type().is_dir() {
            continue;
        }
        // The header's size is only a hint: a corrupt one must not allocate gigabytes up front.
        let mut bytes = Vec::with_capacity(entry.size().min(1 << 20) as usize);
        entry.read_to_end(&mut bytes).map_err(|e| bad(index, format!("{name}: {e}")))?;
        let text = String::from_utf8(bytes).map_err(|e| bad(index, format!("{name}: invalid UTF-8: {e}")))?;
        if tx.send(Ok((text, label))).is_err() {
            return Ok(());
        }
    }
    if !seen_split {
        return Err(Error::parse(path, "archive", format!("no entry under {prefix} (not the aclImdb layout)")));
    }
    Ok(())
}

/// Groups rows into record batches of at most `batch_rows` rows / about `batch_bytes` bytes.
struct Batcher {
    rows: Box<dyn Iterator<Item = Result<(String, i64)>> + Send>,
    batch_rows: usize,
    batch_bytes: usize,
}

impl Iterator for Batcher {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        let (mut text, mut label) = (StringBuilder::new(), Int64Builder::new());
        let (mut n, mut bytes) = (0usize, 0usize);
        while n < self.batch_rows && bytes < self.batch_bytes {
            match self.rows.next() {
                None => break,
                Some(Err(e)) => return Some(Err(e)),
                Some(Ok((t, l))) => {
                    bytes += t.len();
                    text.append_value(&t);
                    label.append_value(l);
                    n += 1;
                }
            }
        }
        if n == 0 {
            return None;
        }
        let cols: Vec<ArrayRef> = vec![Arc::new(text.finish()), Arc::new(label.finish())];
        Some(RecordBatch::try_new(schema(), cols).map_err(Error::from))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;

    /// A tiny archive in the real layout and order (test before train, unsup between neg and pos).
    fn tiny_tar(dir: &Path) -> PathBuf {
        let p = dir.join("aclImdb_v1.tar.gz");
        let gz = flate2::write::GzEncoder::new(std::fs::File::create(&p).unwrap(), flate2::Compression::fast());
        let mut b = tar::Builder::new(gz);
        for (name, body) in [
            ("aclImdb/imdb.vocab", "the\n"),
            ("aclImdb/test/neg/1_2.txt", "bad test"),
            ("aclImdb/test/pos/2_9.txt", "good test"),
            ("aclImdb/train/neg/3_1.txt", "bad train"),
            ("aclImdb/train/urls_neg.txt", "http://x"),
            ("aclImdb/train/unsup/4_0.txt", "unsup one"),
            ("aclImdb/train/pos/5_10.txt", "good train"),
            ("aclImdb/train/pos/0_8.txt", "good train 2"),
        ] {
            let mut h = tar::Header::new_gnu();
            h.set_size(body.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, body.as_bytes()).unwrap();
        }
        b.into_inner().unwrap().finish().unwrap();
        p
    }

    fn rows(input: &Path, split: &str) -> Vec<(String, i64)> {
        let batches =
            source(input, split, &LoadOptions { batch_rows: 2, ..Default::default() }).unwrap().collect().unwrap();
        batches
            .iter()
            .flat_map(|b| {
                let t = b.column(0).as_string::<i32>();
                let l = b.column(1).as_primitive::<Int64Type>();
                (0..b.num_rows()).map(|i| (t.value(i).to_string(), l.value(i))).collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn tarball_splits_in_archive_order() {
        let d = std::env::temp_dir().join(format!("tm-imdb-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let p = tiny_tar(&d);
        let train = rows(&p, "train");
        assert_eq!(train, [("bad train".into(), 0), ("good train".into(), 1), ("good train 2".into(), 1)]);
        assert_eq!(rows(&p, "test").len(), 2);
        assert_eq!(rows(&p, "unsupervised"), [("unsup one".to_string(), -1)]);
        // Extracted folder: same rows, numeric id order within each label.
        let root = d.join("aclImdb");
        for (sub, name, body) in [("train/neg", "3_1.txt", "bad train"), ("train/pos", "5_10.txt", "good train")] {
            std::fs::create_dir_all(root.join(sub)).unwrap();
            std::fs::write(root.join(sub).join(name), body).unwrap();
        }
        std::fs::write(root.join("train/pos/0_8.txt"), "good train 2").unwrap();
        let folder = rows(&d, "train");
        assert_eq!(folder[1], ("good train 2".to_string(), 1));
        assert_eq!(folder.len(), 3);
    }

    #[test]
    fn bad_archive_is_an_error() {
        let d = std::env::temp_dir().join(format!("tm-imdb-bad-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let p = tiny_tar(&d);
        let bytes = std::fs::read(&p).unwrap();
        std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
        let r = source(&p, "train", &LoadOptions::default()).and_then(|s| s.collect());
        assert!(r.is_err());
        std::fs::write(&p, b"this is not gzip at all").unwrap();
        let err = source(&p, "test", &LoadOptions::default()).and_then(|s| s.collect()).unwrap_err().to_string();
        assert!(err.contains(p.to_str().unwrap()), "{err}");
        assert!(source(&p, "validation", &LoadOptions::default()).is_err());
    }
}
