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
use crate::error::{Error, Result};
use crate::ordered_json::OrderedJson;
use crate::progress::Progress;
use crate::shard_writer::WriteOptions;

/// Named splits, in order (HF's `DatasetDict`).
pub type Splits = Vec<(String, Dataset)>;

/// Loads every split of `data_files` into `out` (a DatasetDict folder, replaced atomically) or, when
/// `out` is `None`, into the cache. `format` `None` infers it from the file extensions.
pub fn load_dataset(
    format: Option<Format>,
    data_files: &DataFiles,
    opts: &LoadOptions,
    out: Option<&Path>,
    progress: &dyn Progress,
) -> Result<Splits> {
    let plan = Plan::new(format, data_files, None)?;
    let dir = match out {
        Some(d) => d.to_path_buf(),
        None => {
            let d = plan.cache_entry(opts)?;
            if let Ok(s) = open_dict(&d, &plan.split_names()) {
                return Ok(s);
            }
            d
        }
    };
    plan.write_dict(&dir, opts, progress)?;
    open_dict(&dir, &plan.split_names())
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
    let full = match (out, whole) {
        (Some(dir), true) => {
            plan.write_split(&name, dir, opts, progress)?;
            return Dataset::open(dir);
        }
        _ => {
            let d = plan.cache_entry(opts)?.join(&name);
            match Dataset::open(&d) {
                Ok(ds) => ds,
                Err(_) => {
                    plan.write_split(&name, &d, opts, progress)?;
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

    fn split_names(&self) -> Vec<String> {
        self.splits.iter().map(|s| s.0.clone()).collect()
    }

    /// The cache folder for these inputs and options (all splits of them).
    fn cache_entry(&self, opts: &LoadOptions) -> Result<PathBuf> {
        let mut fp = format!("{:?}", self.format);
        for (name, files) in &self.splits {
            fp = cache::update_fingerprint(
                &fp,
                name,
                &serde_json::Value::String(cache::files_fingerprint("load", files)?),
            );
        }
        fp = cache::update_fingerprint(&fp, "options", &serde_json::Value::String(format!("{opts:?}")));
        Ok(cache::entry_dir(&cache::cache_dir(), &format!("load-{fp}")))
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
    fn write_split(&self, name: &str, dir: &Path, opts: &LoadOptions, progress: &dyn Progress) -> Result<()> {
        let src = self.source(name, opts)?;
        hf_disk::write_dataset(dir, src, &DatasetInfo::default(), Some(name), &WriteOptions::default(), progress)
    }

    /// Every split into a DatasetDict folder at `dir`, atomically. IMDB's splits are written in
    /// parallel (each makes its own pass over the gzip stream, which cannot be split).
    fn write_dict(&self, dir: &Path, opts: &LoadOptions, progress: &dyn Progress) -> Result<()> {
        let tmp = TempDir::next_to(dir)?;
        if self.format == Format::Imdb {
            let quiet = Quiet(progress);
            progress.start("Loading imdb", Some(100_000));
            let results: Vec<Result<()>> = std::thread::scope(|s| {
                let handles: Vec<_> = self
                    .splits
                    .iter()
                    .map(|(name, _)| {
                        let target = tmp.path().join(name);
                        let quiet = &quiet;
                        s.spawn(move || self.write_split(name, &target, opts, quiet))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|_| Err(Error::Invalid("imdb writer thread panicked".into()))))
                    .collect()
            });
            progress.finish();
            results.into_iter().collect::<Result<Vec<()>>>()?;
        } else {
            for (name, _) in &self.splits {
                self.write_split(name, &tmp.path().join(name), opts, progress)?;
            }
        }
        let names = self.split_names().into_iter().map(OrderedJson::String).collect();
        let dict = OrderedJson::Object(vec![("splits".into(), OrderedJson::Array(names))]);
        hf_disk::write_json(&tmp.path().join("dataset_dict.json"), &dict)?;
        tmp.replace(dir)
    }
}

/// Opens the splits of a DatasetDict folder.
fn open_dict(dir: &Path, names: &[String]) -> Result<Splits> {
    names.iter().map(|n| Ok((n.clone(), Dataset::open(dir.join(n))?))).collect()
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
        assert_eq!(
            splits.iter().map(|s| (s.0.as_str(), s.1.num_rows())).collect::<Vec<_>>(),
            [("train", 25), ("test", 2)]
        );
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
