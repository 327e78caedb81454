//! Hugging Face's `save_to_disk` layout, both ways: `data-00000-of-0000N.arrow` (IPC stream shards),
//! `dataset_info.json` (features, description, ...) and `state.json` (`_data_files`,
//! `_fingerprint`, `_split`, ...). DatasetDicts add `dataset_dict.json` + one folder per split
//! ([`crate::dataset_dict`]).
//!
//! Writes are atomic: everything goes into a temporary sibling directory, files and directory are
//! fsynced, then it is renamed into place. A crash before the rename leaves the old dataset intact
//! (and a `.name.tmp-*` directory that never loads: it has no `state.json` until its shards are
//! complete, and is not at the target path). Replacing an existing directory takes two renames
//! (old → `.name.old-*`, new → name); only a crash between those two leaves the old copy under its
//! backup name instead of the target name.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::UInt64Type;
use rayon::prelude::*;

use crate::cache;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::features::{Features, HF_METADATA_KEY};
use crate::load::BatchSource;
use crate::ordered_json::OrderedJson;
use crate::progress::Progress;
use crate::shard::Shard;
use crate::shard_writer::{sync_dir, ShardWriter, Unsynced, WriteOptions};

pub const STATE_JSON: &str = "state.json";
pub const INFO_JSON: &str = "dataset_info.json";
pub const DICT_JSON: &str = "dataset_dict.json";

/// HF's `DatasetInfo` minus the features (which always come from the schema): description,
/// citation, homepage, license, and any other key HF wrote (builder_name, splits, ...), verbatim.
#[derive(Clone, Debug, PartialEq)]
pub struct DatasetInfo {
    pub entries: Vec<(String, OrderedJson)>,
}

impl Default for DatasetInfo {
    /// What HF writes for a dataset built in memory.
    fn default() -> Self {
        let empty = || OrderedJson::String(String::new());
        DatasetInfo {
            entries: ["citation", "description", "homepage", "license"]
                .iter()
                .map(|k| (k.to_string(), empty()))
                .collect(),
        }
    }
}

impl DatasetInfo {
    pub fn get(&self, key: &str) -> Option<&OrderedJson> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn description(&self) -> &str {
        self.get("description").and_then(|v| v.as_str()).unwrap_or("")
    }

    /// `dataset_info.json` content: every key sorted (as HF sorts them), features included.
    pub fn to_json(&self, features: &Features) -> OrderedJson {
        let mut entries: Vec<(String, OrderedJson)> =
            self.entries.iter().filter(|(k, _)| k != "features").cloned().collect();
        entries.push(("features".into(), features.to_json()));
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        OrderedJson::Object(entries)
    }

    /// Parses `dataset_info.json`; returns the info and the features it lists (if any).
    pub fn from_json(v: &OrderedJson) -> Result<(DatasetInfo, Option<Features>)> {
        let OrderedJson::Object(entries) = v else {
            return Err(Error::Invalid("dataset_info.json is not a JSON object".into()));
        };
        let features = match v.get("features") {
            None | Some(OrderedJson::Null) => None,
            Some(f) => Some(Features::from_json(f)?),
        };
        let entries = entries.iter().filter(|(k, _)| k != "features").cloned().collect();
        Ok((DatasetInfo { entries }, features))
    }
}

/// Streams `source` into a complete save_to_disk directory at `dir`, atomically replacing it.
/// `total_rows` (when known) only feeds the progress bar.
pub fn write_dataset(
    dir: &Path,
    source: BatchSource,
    info: &DatasetInfo,
    split: Option<&str>,
    opts: &WriteOptions,
    progress: &dyn Progress,
) -> Result<()> {
    write_dataset_with_total(dir, source, None, info, split, opts, progress)
}

/// [`write_dataset`] with a row total for the progress bar.
pub fn write_dataset_with_total(
    dir: &Path,
    source: BatchSource,
    total_rows: Option<u64>,
    info: &DatasetInfo,
    split: Option<&str>,
    opts: &WriteOptions,
    progress: &dyn Progress,
) -> Result<()> {
    let tmp = TempDir::next_to(dir)?;
    let schema = Arc::new(crate::features::with_hf_metadata(&source.schema)?);
    let features = Features::of_schema(&schema)?;
    let mut writer = ShardWriter::new(tmp.path(), schema, opts)?;
    progress.start("Saving the dataset", total_rows);
    let result = (|| {
        for batch in source.batches {
            let batch = batch?;
            writer.write(&batch)?;
            progress.advance(batch.num_rows() as u64);
        }
        // Everything is written before the first fsync, so one journal commit covers it all
        // (the folder is published by `replace` only after the fsyncs).
        let (names, last_shard) = writer.finish_unsynced()?;
        let info = Unsynced::create(&tmp.path().join(INFO_JSON), info.to_json(&features).to_pretty().as_bytes())?;
        let fingerprint = opts.fingerprint.clone().unwrap_or_else(cache::random_fingerprint);
        let state_text = state_json(&names, &fingerprint, split).to_pretty();
        let state = Unsynced::create(&tmp.path().join(STATE_JSON), state_text.as_bytes())?;
        for file in last_shard.into_iter().chain([info, state]) {
            file.sync()?;
        }
        sync_dir(tmp.path())?;
        tmp.replace(dir)
    })();
    progress.finish();
    result
}

/// HF's state.json (keys sorted, as HF's `json.dump(..., sort_keys=True)`).
fn state_json(names: &[String], fingerprint: &str, split: Option<&str>) -> OrderedJson {
    let files =
        names.iter().map(|n| OrderedJson::Object(vec![("filename".into(), OrderedJson::String(n.clone()))])).collect();
    OrderedJson::Object(vec![
        ("_data_files".into(), OrderedJson::Array(files)),
        ("_fingerprint".into(), OrderedJson::String(fingerprint.into())),
        ("_format_columns".into(), OrderedJson::Null),
        ("_format_kwargs".into(), OrderedJson::Object(vec![])),
        ("_format_type".into(), OrderedJson::Null),
        ("_output_all_columns".into(), OrderedJson::Bool(false)),
        ("_split".into(), split.map(|s| OrderedJson::String(s.into())).unwrap_or(OrderedJson::Null)),
    ])
}

/// Writes JSON the way HF does (`indent=2`), fsynced.
pub fn write_json(path: &Path, value: &OrderedJson) -> Result<()> {
    let mut f = File::create(path).map_err(|e| Error::io(path, e))?;
    f.write_all(value.to_pretty().as_bytes()).map_err(|e| Error::io(path, e))?;
    f.sync_all().map_err(|e| Error::io(path, e))
}

pub fn read_json(path: &Path) -> Result<OrderedJson> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    OrderedJson::parse(&text).map_err(|e| Error::parse(path, "document", e.to_string()))
}

/// Opens a save_to_disk directory (HF's or ours) without reading any data.
pub fn load_from_disk(dir: &Path) -> Result<Dataset> {
    let state_path = dir.join(STATE_JSON);
    if !state_path.exists() {
        if dir.join(DICT_JSON).exists() {
            return Err(Error::Invalid(format!(
                "{}: is a DatasetDict (has {DICT_JSON}); open it with DatasetDict::load_from_disk",
                dir.display()
            )));
        }
        if !dir.exists() {
            return Err(Error::io(dir, std::io::Error::new(std::io::ErrorKind::NotFound, "no such directory")));
        }
        return Err(Error::Invalid(format!("{}: not a saved dataset (no {STATE_JSON})", dir.display())));
    }
    let state = read_json(&state_path)?;
    let bad = |why: &str| Error::parse(&state_path, "document", why.to_string());
    let Some(OrderedJson::Array(files)) = state.get("_data_files") else { return Err(bad("no _data_files list")) };
    if files.is_empty() {
        return Err(bad("_data_files is empty"));
    }
    let mut paths = Vec::with_capacity(files.len());
    for f in files {
        let name =
            f.get("filename").and_then(|n| n.as_str()).ok_or_else(|| bad("a _data_files entry has no filename"))?;
        paths.push(dir.join(safe_name(&state_path, name)?));
    }
    // Opening a shard is a few hundred small reads (one per record batch): shards in parallel.
    // tokenmill's fork-aware pool (rayon's global pool hangs in a forked child)
    let open = || paths.par_iter().map(|p| Shard::open(p).map(Arc::new)).collect::<Result<Vec<_>>>();
    let shards: Vec<Arc<Shard>> = match tokenmill_tokenizers::tokenizer::batch::pool(0) {
        Ok(pool) => pool.install(open)?,
        Err(_) => paths.iter().map(|p| Shard::open(p).map(Arc::new)).collect::<Result<_>>()?,
    };
    let fingerprint = state
        .get("_fingerprint")
        .and_then(|f| f.as_str())
        .map(str::to_string)
        .unwrap_or_else(cache::random_fingerprint);
    let split = state.get("_split").and_then(|s| s.as_str()).map(str::to_string);

    let info_path = dir.join(INFO_JSON);
    let (info, features) = if info_path.exists() {
        DatasetInfo::from_json(&read_json(&info_path)?)
            .map_err(|e| Error::parse(&info_path, "document", e.to_string()))?
    } else {
        (DatasetInfo::default(), None)
    };
    // dataset_info.json's features describe the columns (HF reads them from there); put them in
    // the schema metadata, where `Features::of_schema` checks them against the Arrow types.
    let mut schema = shards[0].schema().as_ref().clone();
    if let Some(f) = features {
        let mut meta = schema.metadata().clone();
        meta.insert(HF_METADATA_KEY.to_string(), f.to_hf_metadata());
        schema = schema.with_metadata(meta);
    }
    let mut ds =
        Dataset::from_shards(shards, Some(Arc::new(schema)), fingerprint)?.with_info(info).with_split(split.as_deref());

    // datasets < 2.?: an indices mapping saved next to the data.
    if let Some(OrderedJson::Array(ix_files)) = state.get("_indices_data_files") {
        let mut all = Vec::new();
        for f in ix_files {
            let name = f
                .get("filename")
                .and_then(|n| n.as_str())
                .ok_or_else(|| bad("an _indices_data_files entry has no filename"))?;
            let path = dir.join(safe_name(&state_path, name)?);
            let shard = Shard::open(&path)?;
            for b in 0..shard.num_batches() {
                let batch = shard.batch(b)?;
                let col = batch.column(0).as_primitive_opt::<UInt64Type>().ok_or_else(|| Error::WrongType {
                    column: format!("{}: indices", path.display()),
                    found: batch.column(0).data_type().to_string(),
                    expected: "uint64".into(),
                })?;
                all.extend_from_slice(col.values());
            }
        }
        if !ix_files.is_empty() {
            let fp = ds.fingerprint().to_string();
            ds = ds.with_indices(all.into())?.with_fingerprint(fp);
        }
    }
    Ok(ds)
}

/// A data file name from state.json must stay inside the dataset directory.
fn safe_name<'a>(state_path: &Path, name: &'a str) -> Result<&'a str> {
    if name.is_empty() || name.contains('/') || name.contains('\\') || name == "." || name == ".." {
        return Err(Error::parse(state_path, "_data_files", format!("bad file name {name:?}")));
    }
    Ok(name)
}

/// A temporary directory next to a target, removed on drop unless renamed into place.
pub struct TempDir {
    path: Option<PathBuf>,
}

impl TempDir {
    /// Creates `.NAME.tmp-PID-RANDOM` next to `target` (creating target's parent if needed).
    pub fn next_to(target: &Path) -> Result<TempDir> {
        let (parent, name) = split_target(target)?;
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        remove_stale(&parent, &name);
        let path = parent.join(format!(".{name}.tmp-{}-{}", std::process::id(), cache::random_fingerprint()));
        std::fs::create_dir(&path).map_err(|e| Error::io(&path, e))?;
        Ok(TempDir { path: Some(path) })
    }

    pub fn path(&self) -> &Path {
        self.path.as_deref().expect("TempDir used after replace")
    }

    /// Renames this directory to `target`, replacing whatever is there, and fsyncs the parent.
    pub fn replace(mut self, target: &Path) -> Result<()> {
        let tmp = self.path.take().expect("TempDir replaced twice");
        let (parent, name) = split_target(target)?;
        let result = replace_dir(&tmp, target, &parent, &name);
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&tmp);
        }
        result
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Some(p) = self.path.take() {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}

/// Removes `.NAME.tmp-PID-*` / `.NAME.old-PID-*` directories left by writers that died (their PID
/// no longer runs; checked through /proc, so only on Linux — elsewhere they stay, harmlessly: they
/// never load as datasets). Best effort: errors are ignored.
fn remove_stale(parent: &Path, name: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for e in entries.flatten() {
        let file_name = e.file_name().to_string_lossy().into_owned();
        let rest = file_name
            .strip_prefix(&format!(".{name}.tmp-"))
            .or_else(|| file_name.strip_prefix(&format!(".{name}.old-")));
        let Some(pid) = rest.and_then(|r| r.split('-').next()).and_then(|p| p.parse::<u32>().ok()) else { continue };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

fn split_target(target: &Path) -> Result<(PathBuf, String)> {
    let name = target
        .file_name()
        .ok_or_else(|| Error::Invalid(format!("{}: not a directory name to write to", target.display())))?
        .to_string_lossy()
        .into_owned();
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((parent, name))
}

fn replace_dir(tmp: &Path, target: &Path, parent: &Path, name: &str) -> Result<()> {
    if target.exists() {
        if !target.is_dir() {
            return Err(Error::Invalid(format!("{}: exists and is not a directory", target.display())));
        }
        let old = parent.join(format!(".{name}.old-{}-{}", std::process::id(), cache::random_fingerprint()));
        std::fs::rename(target, &old).map_err(|e| Error::io(target, e))?;
        if let Err(e) = std::fs::rename(tmp, target) {
            let _ = std::fs::rename(&old, target);
            return Err(Error::io(target, e));
        }
        sync_dir(parent)?;
        // Open datasets keep their maps of the old files: unlinking them is safe on Unix.
        std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    } else {
        std::fs::rename(tmp, target).map_err(|e| Error::io(target, e))?;
        sync_dir(parent)?;
    }
    Ok(())
}
