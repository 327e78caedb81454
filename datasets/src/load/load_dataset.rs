//! `load_dataset`: resolve data files, stream every split through its loader into shards (HF's
//! `save_to_disk` layout: a `DatasetDict` folder with `dataset_dict.json` and one folder per split),
//! and open the result. Without an output folder the result goes to the cache, keyed by the input
//! files (path, size, mtime), the format and the options, and a second call reuses it.

use std::path::{Path, PathBuf};

use super::files::{self, DataFiles};
use super::hf_disk::{self, DatasetInfo, TempDir};
use super::split_spec::SplitSpec;
use super::{imdb, source, Format, LoadOptions};
use crate::cache;
use crate::dataset::Dataset;
use crate::dataset_dict::DatasetDict;
use crate::error::{Error, Result};
use crate::ordered_json::OrderedJson;
use crate::progress::Progress;
use crate::shard_writer::WriteOptions;

/// Loads every split of `data_files` into `out` (a DatasetDict folder, replaced atomically) or, when
/// `out` is `None`, into the cache. `format` `None` infers it from the file extensions.
pub fn load_dataset(
    format: Option<Format>,
    data_files: &DataFiles,
    opts: &LoadOptions,
    out: Option<&Path>,
    progress: &dyn Progress,
) -> Result<DatasetDict> {
    let plan = Plan::new(format, data_files, None)?;
    let (fp, entry) = plan.cache_entry(opts)?;
    let dir = match out {
        Some(d) => d.to_path_buf(),
        None => {
            if let Ok(s) = DatasetDict::load_from_disk(&entry) {
                return Ok(s);
            }
            entry
        }
    };
    let wopts = WriteOptions { fingerprint: Some(fp), ..Default::default() };
    let dict = if plan.format == Format::Imdb {
        plan.write_imdb_dict(&dir, opts, &wopts, progress)?;
        DatasetDict::load_from_disk(&dir)?
    } else {
        let sources =
            plan.splits.iter().map(|(name, _)| Ok((name.clone(), plan.source(name, opts)?))).collect::<Result<_>>()?;
        DatasetDict::from_sources(sources, &dir, &wopts, progress)?
    };
    // a loaded source is the root its derived cache entries record (no-op for an `out` folder)
    crate::lineage::record(&cache::cache_dir(), &dir, None)?;
    Ok(dict)
}

/// Loads one split as HF's `load_dataset(..., split="train[:10%]")`: `split` may slice (`[a:b]`,
/// percents) and join parts of the same split with `+`. Only the named split is read. With `out`,
/// the result is a single-dataset `save_to_disk` folder there; without, it lives in the cache (a
/// slice is then an indices mapping over the cached split, no copy).
pub fn load_split(
    format: Option<Format>,
    data_files: &DataFiles,
    split: &str,
    opts: &LoadOptions,
    out: Option<&Path>,
    progress: &dyn Progress,
) -> Result<Dataset> {
    let spec = SplitSpec::parse(split)?;
    let name = spec.parts[0].split.clone();
    if spec.splits().any(|s| s != name) {
        return Err(Error::Invalid(format!("split {split:?}: parts of different splits cannot be joined here")));
    }
    let plan = Plan::new(format, data_files, Some(&name))?;
    let whole = spec.parts.len() == 1 && spec.parts[0].from.is_none() && spec.parts[0].to.is_none();
    let (fp, entry) = plan.cache_entry(opts)?;
    let wopts = WriteOptions {
        fingerprint: Some(cache::update_fingerprint(&fp, "split", &serde_json::json!(name))),
        ..Default::default()
    };
    let full = match (out, whole) {
        (Some(dir), true) => {
            plan.write_split(&name, dir, opts, &wopts, progress)?;
            return Dataset::open(dir);
        }
        _ => {
            let d = entry.join(&name);
            match Dataset::open(&d) {
                Ok(ds) => ds,
                Err(_) => {
                    plan.write_split(&name, &d, opts, &wopts, progress)?;
                    crate::lineage::record(&cache::cache_dir(), &entry, None)?;
                    Dataset::open(&d)?
                }
            }
        }
    };
    let n = full.num_rows() as u64;
    let mut rows: Vec<u64> = Vec::new();
    for part in &spec.parts {
        let (a, b) = part.range(n);
        rows.extend(a..b);
    }
    let sliced = if whole { full } else { full.with_indices(rows.into())? };
    match out {
        Some(dir) => {
            sliced.save_to_disk(dir, &WriteOptions::default(), progress)?;
            Dataset::open(dir)
        }
        None => Ok(sliced),
    }
}

/// What to read: split name → files, and the format.
struct Plan {
    format: Format,
    splits: Vec<(String, Vec<PathBuf>)>,
}

impl Plan {
    fn new(format: Option<Format>, data_files: &DataFiles, only: Option<&str>) -> Result<Plan> {
        let mut splits = if format == Some(Format::Imdb) {
            let DataFiles::List(paths) = data_files else {
                return Err(Error::Invalid(
                    "imdb takes one path (the tarball or the aclImdb folder), not splits".into(),
                ));
            };
            let [path] = paths.as_slice() else {
                return Err(Error::Invalid("imdb takes exactly one path (the tarball or the aclImdb folder)".into()));
            };
            let p = PathBuf::from(path);
            if !p.exists() {
                return Err(Error::io(&p, std::io::Error::new(std::io::ErrorKind::NotFound, "no such file")));
            }
            imdb::SPLITS.iter().map(|s| (s.to_string(), vec![p.clone()])).collect()
        } else {
            files::resolve(data_files)?
        };
        if let Some(name) = only {
            let available = splits.iter().map(|s| s.0.as_str()).collect::<Vec<_>>().join(", ");
            splits.retain(|s| s.0 == name);
            if splits.is_empty() {
                return Err(Error::Invalid(format!("no split {name:?} (splits: {available})")));
            }
        }
        let format = match format {
            Some(f) => f,
            None => Format::infer(&splits.iter().flat_map(|s| s.1.iter().cloned()).collect::<Vec<_>>())?,
        };
        Ok(Plan { format, splits })
    }

    /// The fingerprint and cache folder of these inputs and options (all splits of them).
    fn cache_entry(&self, opts: &LoadOptions) -> Result<(String, PathBuf)> {
        let mut fp = format!("{:?}", self.format);
        for (name, files) in &self.splits {
            fp = cache::update_fingerprint(
                &fp,
                name,
                &serde_json::Value::String(cache::files_fingerprint("load", files)?),
            );
        }
        fp = cache::update_fingerprint(&fp, "options", &serde_json::Value::String(format!("{opts:?}")));
        let dir = cache::entry_dir(&cache::cache_dir(), &format!("load-{fp}"));
        Ok((fp, dir))
    }

    fn source(&self, name: &str, opts: &LoadOptions) -> Result<super::BatchSource> {
        let files =
            &self.splits.iter().find(|s| s.0 == name).ok_or_else(|| Error::Invalid(format!("no split {name}")))?.1;
        match self.format {
            Format::Imdb => imdb::source(&files[0], name, opts),
            f => source(f, files, opts),
        }
    }

    /// One split into a single-dataset folder.
    fn write_split(
        &self,
        name: &str,
        dir: &Path,
        opts: &LoadOptions,
        wopts: &WriteOptions,
        progress: &dyn Progress,
    ) -> Result<()> {
        let src = self.source(name, opts)?;
        hf_disk::write_dataset(dir, src, &DatasetInfo::default(), Some(name), wopts, progress)
    }

    /// IMDB's splits into a DatasetDict folder at `dir`, atomically, written in parallel (each split
    /// makes its own pass over the gzip stream, which cannot be decompressed in parallel).
    fn write_imdb_dict(
        &self,
        dir: &Path,
        opts: &LoadOptions,
        wopts: &WriteOptions,
        progress: &dyn Progress,
    ) -> Result<()> {
        let tmp = TempDir::next_to(dir)?;
        {
            let quiet = Quiet(progress);
            // The row count is unknown until the archive is read (100,000 only for the real one).
            progress.start("Loading imdb", None);
            let results: Vec<Result<()>> = std::thread::scope(|s| {
                let handles: Vec<_> = self
                    .splits
                    .iter()
                    .map(|(name, _)| {
                        let target = tmp.path().join(name);
                        let quiet = &quiet;
                        let mut o = wopts.clone();
                        o.fingerprint =
                            o.fingerprint.map(|f| cache::update_fingerprint(&f, "split", &serde_json::json!(name)));
                        s.spawn(move || self.write_split(name, &target, opts, &o, quiet))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|_| Err(Error::Invalid("imdb writer thread panicked".into()))))
                    .collect()
            });
            progress.finish();
            results.into_iter().collect::<Result<Vec<()>>>()?;
        }
        let names = self.splits.iter().map(|s| OrderedJson::String(s.0.clone())).collect();
        let dict = OrderedJson::Object(vec![("splits".into(), OrderedJson::Array(names))]);
        // HF writes dataset_dict.json on one line (json.dump), as DatasetDict::save_to_disk does.
        let path = tmp.path().join(hf_disk::DICT_JSON);
        std::fs::write(&path, dict.to_python_json()).map_err(|e| Error::io(&path, e))?;
        std::fs::File::open(&path).and_then(|f| f.sync_all()).map_err(|e| Error::io(&path, e))?;
        tmp.replace(dir)
    }
}

/// Forwards only `advance`: several writers share one bar started by the caller.
struct Quiet<'a>(&'a dyn Progress);

impl Progress for Quiet<'_> {
    fn advance(&self, n: u64) {
        self.0.advance(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::NoProgress;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("tm-loadds-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn dict_of_splits_and_sliced_split() {
        let d = tmp("dict");
        let mut train = String::new();
        for i in 0..25 {
            train.push_str(&format!("line {i}\n"));
        }
        std::fs::write(d.join("train.txt"), &train).unwrap();
        std::fs::write(d.join("test.txt"), "a\nb\n").unwrap();
        let files = DataFiles::Splits(vec![
            ("train".into(), vec![d.join("train.txt").to_string_lossy().into()]),
            ("test".into(), vec![d.join("test.txt").to_string_lossy().into()]),
        ]);
        let out = d.join("out");
        let splits = load_dataset(None, &files, &LoadOptions::default(), Some(&out), &NoProgress).unwrap();
        assert_eq!(splits.num_rows(), [("train".to_string(), 25), ("test".to_string(), 2)]);
        assert!(out.join("dataset_dict.json").is_file() && out.join("train/state.json").is_file());
        let one = d.join("one");
        let ds = load_split(None, &files, "train[:10%]+train[-2:]", &LoadOptions::default(), Some(&one), &NoProgress)
            .unwrap();
        assert_eq!(ds.num_rows(), 4); // round(2.5) = 2, then the last two
        let col = ds.column("text").unwrap();
        let col = arrow_array::cast::AsArray::as_string::<i32>(&col);
        assert_eq!(col.iter().flatten().collect::<Vec<_>>(), ["line 0", "line 1", "line 23", "line 24"]);
        assert!(load_split(None, &files, "validation", &LoadOptions::default(), None, &NoProgress).is_err());
    }
}
