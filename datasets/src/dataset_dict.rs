//! [`DatasetDict`]: named splits (train/test/...) in order, saved as HF does: `dataset_dict.json`
//! (`{"splits": [...]}`) plus one save_to_disk folder per split.

use std::path::Path;

use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::load::hf_disk::{self, read_json, DatasetInfo, TempDir, DICT_JSON, STATE_JSON};
use crate::load::BatchSource;
use crate::ordered_json::OrderedJson;
use crate::progress::Progress;
use crate::shard_writer::{sync_dir, WriteOptions};

/// Split name → dataset, in insertion order. Cloning is cheap.
#[derive(Clone, Default, Debug)]
pub struct DatasetDict {
    splits: Vec<(String, Dataset)>,
}

/// What a save_to_disk directory holds.
#[derive(Clone, Debug)]
pub enum Saved {
    Dataset(Dataset),
    Dict(DatasetDict),
}

/// Opens a save_to_disk directory, whichever it holds (HF's `datasets.load_from_disk`).
pub fn load_from_disk(dir: impl AsRef<Path>) -> Result<Saved> {
    let dir = dir.as_ref();
    if dir.join(STATE_JSON).exists() {
        Ok(Saved::Dataset(Dataset::open(dir)?))
    } else if dir.join(DICT_JSON).exists() {
        Ok(Saved::Dict(DatasetDict::load_from_disk(dir)?))
    } else {
        Err(Error::Invalid(format!(
            "{}: neither a saved Dataset ({STATE_JSON}) nor a DatasetDict ({DICT_JSON})",
            dir.display()
        )))
    }
}

impl DatasetDict {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces split `name` (a replaced split keeps its position).
    pub fn insert(&mut self, name: impl Into<String>, ds: Dataset) {
        let name = name.into();
        match self.splits.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = ds,
            None => self.splits.push((name, ds)),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Dataset> {
        self.splits.iter().find(|(n, _)| n == name).map(|(_, d)| d)
    }

    /// Split `name`, or an error listing the splits there are.
    pub fn split(&self, name: &str) -> Result<&Dataset> {
        self.get(name).ok_or_else(|| {
            Error::Invalid(format!("no split {name:?} (splits: {})", self.names().collect::<Vec<_>>().join(", ")))
        })
    }

    pub fn remove(&mut self, name: &str) -> Option<Dataset> {
        let i = self.splits.iter().position(|(n, _)| n == name)?;
        Some(self.splits.remove(i).1)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.splits.iter().map(|(n, _)| n.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Dataset)> {
        self.splits.iter().map(|(n, d)| (n.as_str(), d))
    }

    pub fn len(&self) -> usize {
        self.splits.len()
    }

    pub fn is_empty(&self) -> bool {
        self.splits.is_empty()
    }

    /// Rows per split.
    pub fn num_rows(&self) -> Vec<(String, usize)> {
        self.splits.iter().map(|(n, d)| (n.clone(), d.num_rows())).collect()
    }

    /// Applies `f` to every split (in order), e.g. `dd.map_splits(|_, ds| ops::shuffle(ds, 42))`.
    pub fn map_splits(&self, mut f: impl FnMut(&str, &Dataset) -> Result<Dataset>) -> Result<DatasetDict> {
        let splits = self.splits.iter().map(|(n, d)| Ok((n.clone(), f(n, d)?))).collect::<Result<_>>()?;
        Ok(DatasetDict { splits })
    }

    /// Writes the splits under `dir` (HF layout), atomically as a whole.
    pub fn save_to_disk(&self, dir: impl AsRef<Path>, opts: &WriteOptions, progress: &dyn Progress) -> Result<()> {
        let dir = dir.as_ref();
        let tmp = TempDir::next_to(dir)?;
        for (name, ds) in &self.splits {
            ds.save_to_disk(tmp.path().join(safe_split(name)?), opts, progress)?;
        }
        let names: Vec<String> = self.splits.iter().map(|(n, _)| n.clone()).collect();
        finish_dir(&names, tmp, dir)
    }

    /// Streams one source per split into `dir` (HF layout, atomically) and opens the result. Each
    /// split's `_split` is its name.
    pub fn from_sources(
        sources: Vec<(String, BatchSource)>,
        dir: impl AsRef<Path>,
        opts: &WriteOptions,
        progress: &dyn Progress,
    ) -> Result<DatasetDict> {
        let dir = dir.as_ref();
        let tmp = TempDir::next_to(dir)?;
        let mut names = Vec::with_capacity(sources.len());
        for (name, source) in sources {
            let sub = tmp.path().join(safe_split(&name)?);
            let mut o = opts.clone();
            if let Some(fp) = &opts.fingerprint {
                o.fingerprint = Some(crate::cache::update_fingerprint(fp, "split", &serde_json::json!(name)));
            }
            hf_disk::write_dataset(&sub, source, &DatasetInfo::default(), Some(&name), &o, progress)?;
            names.push(name);
        }
        finish_dir(&names, tmp, dir)?;
        DatasetDict::load_from_disk(dir)
    }

    /// Builds a DatasetDict folder atomically from `write(split, folder)` calls, one per split of
    /// `self` in order (the folder does not exist yet), then opens it: a crash or an error leaves
    /// whatever was at `dir` before. For operations that write each split themselves (the native
    /// tokenize map).
    pub fn write_splits(
        &self,
        dir: impl AsRef<Path>,
        mut write: impl FnMut(&str, &Dataset, &Path) -> Result<()>,
    ) -> Result<DatasetDict> {
        let dir = dir.as_ref();
        let tmp = TempDir::next_to(dir)?;
        for (name, ds) in &self.splits {
            write(name, ds, &tmp.path().join(safe_split(name)?))?;
        }
        let names: Vec<String> = self.splits.iter().map(|(n, _)| n.clone()).collect();
        finish_dir(&names, tmp, dir)?;
        DatasetDict::load_from_disk(dir)
    }

    /// Opens a saved DatasetDict (O(1) per split, like [`Dataset::open`]).
    pub fn load_from_disk(dir: impl AsRef<Path>) -> Result<DatasetDict> {
        let dir = dir.as_ref();
        let path = dir.join(DICT_JSON);
        let doc = read_json(&path)?;
        let Some(OrderedJson::Array(names)) = doc.get("splits") else {
            return Err(Error::parse(&path, "document", "no \"splits\" list"));
        };
        let mut dd = DatasetDict::new();
        for n in names {
            let name = n.as_str().ok_or_else(|| Error::parse(&path, "splits", "split names must be strings"))?;
            let split_dir = dir.join(safe_split(name).map_err(|e| Error::parse(&path, "splits", e.to_string()))?);
            dd.insert(name, Dataset::open(split_dir)?);
        }
        Ok(dd)
    }
}

/// Writes dataset_dict.json into `tmp` and renames it over `dir`.
fn finish_dir(names: &[String], tmp: TempDir, dir: &Path) -> Result<()> {
    let splits = OrderedJson::Array(names.iter().map(|n| OrderedJson::String(n.clone())).collect());
    let doc = OrderedJson::Object(vec![("splits".into(), splits)]);
    // HF writes it with a plain json.dump (one line)
    let path = tmp.path().join(DICT_JSON);
    std::fs::write(&path, doc.to_python_json()).map_err(|e| Error::io(&path, e))?;
    std::fs::File::open(&path).and_then(|f| f.sync_all()).map_err(|e| Error::io(&path, e))?;
    sync_dir(tmp.path())?;
    tmp.replace(dir)
}

/// A split name is a folder name: no separators, not `.`/`..`, not empty.
fn safe_split(name: &str) -> Result<&str> {
    if name.is_empty() || name == "." || name == ".." || name.contains('/') || name.contains('\\') {
        return Err(Error::Invalid(format!("bad split name {name:?}")));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::NoProgress;
    use arrow_array::{Int64Array, RecordBatch};
    use arrow_schema::{DataType, Field, Schema};
    use std::sync::Arc;

    fn ds(n: i64) -> Dataset {
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Int64, true)]));
        let b =
            RecordBatch::try_new(schema.clone(), vec![Arc::new(Int64Array::from((0..n).collect::<Vec<_>>()))]).unwrap();
        Dataset::from_batches(schema, vec![b]).unwrap()
    }

    #[test]
    fn save_load_keeps_order_and_rows() {
        let guard = crate::test_util::TestDir::new("dd");
        let dir = guard.join("dd");
        let mut dd = DatasetDict::new();
        dd.insert("train", ds(5));
        dd.insert("test", ds(2));
        dd.insert("train", ds(4));
        dd.save_to_disk(&dir, &WriteOptions::default(), &NoProgress).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join(DICT_JSON)).unwrap(), r#"{"splits": ["train", "test"]}"#);
        let back = DatasetDict::load_from_disk(&dir).unwrap();
        assert_eq!(back.num_rows(), vec![("train".to_string(), 4), ("test".to_string(), 2)]);
        assert!(matches!(load_from_disk(&dir).unwrap(), Saved::Dict(_)));
        assert!(matches!(load_from_disk(dir.join("test")).unwrap(), Saved::Dataset(_)));
        assert!(Dataset::open(&dir).is_err());
        assert!(back.split("validation").unwrap_err().to_string().contains("train, test"));
        let doubled = back
            .map_splits(|_, d| d.with_indices((0..d.num_rows() as u64).chain(0..1).collect::<Vec<_>>().into()))
            .unwrap();
        assert_eq!(doubled.get("test").unwrap().num_rows(), 3);
    }

    #[test]
    fn from_sources_sets_split_names() {
        let guard = crate::test_util::TestDir::new("dd-src");
        let dir = guard.join("dd");
        let src = |n| ds(n).to_source(2);
        let dd = DatasetDict::from_sources(
            vec![("train".into(), src(3)), ("validation".into(), src(1))],
            &dir,
            &WriteOptions::default(),
            &NoProgress,
        )
        .unwrap();
        assert_eq!(dd.names().collect::<Vec<_>>(), ["train", "validation"]);
        assert_eq!(dd.get("validation").unwrap().split(), Some("validation"));
        assert!(DatasetDict::from_sources(vec![("../x".into(), src(1))], &dir, &WriteOptions::default(), &NoProgress)
            .is_err());
        assert_eq!(DatasetDict::load_from_disk(&dir).unwrap().len(), 2, "a failed write keeps the old dict");
    }
}
