//! Cache-entry lineage: every entry directory written under the cache root records (in a small
//! `lineage` file) the *root* it derives from, so `cleanup_cache_files` can remove only the cache
//! entries of datasets derived from the same source as the dataset it is called on (HF's "cache
//! files in the dataset's cache directory") and never those of unrelated datasets.
//!
//! A root id is the name of a cache entry (a loaded source such as `load-…`, or an entry made from
//! in-memory data) or, for data that lives outside the cache (a `save_to_disk` folder), the
//! absolute path of the folder holding its first file. An entry made from a dataset whose first
//! data file lives in cache entry E gets E's recorded root, or E's own name when E has no marker.
//! Only the first data file counts, like HF, whose cache directory is that of `cache_files[0]`.

use std::collections::HashSet;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

use crate::cache;
use crate::dataset::Dataset;
use crate::error::{Error, Result};

/// The marker file in a cache entry directory: its root id, as UTF-8 text.
pub const LINEAGE_FILE: &str = "lineage";

/// The cache entry (a direct child of `root`, which must be canonical) holding `file`.
fn entry_of(root: &Path, file: &Path) -> Option<PathBuf> {
    let file = file.canonicalize().ok()?;
    let rel = file.strip_prefix(root).ok()?;
    let mut parts = rel.components();
    match (parts.next(), parts.next()) {
        // a file inside an entry (possibly in a split subfolder), not one lying in the root
        (Some(Component::Normal(name)), Some(_)) => Some(root.join(name)),
        _ => None,
    }
}

/// The root id recorded in `entry`, if it has a readable marker.
pub fn recorded(entry: &Path) -> Option<String> {
    let text = std::fs::read_to_string(entry.join(LINEAGE_FILE)).ok()?;
    let id = text.trim_end_matches('\n');
    (!id.is_empty()).then(|| id.to_string())
}

/// The root id of `ds` under the canonical cache root `root`; `None` when it has no data files
/// (in memory: HF's dataset without cache files).
fn root_of(root: &Path, ds: &Dataset) -> Option<String> {
    let first = ds.data_files().into_iter().find(|p| !p.as_os_str().is_empty())?;
    if let Some(entry) = entry_of(root, first) {
        return recorded(&entry).or_else(|| Some(entry.file_name()?.to_string_lossy().into_owned()));
    }
    let dir = first.canonicalize().ok()?.parent()?.to_path_buf();
    Some(dir.to_string_lossy().into_owned())
}

/// Records in `entry` that it was made from `parent` (`None`: from no dataset, e.g. a load or
/// in-memory data, so the entry is its own root). Does nothing when `entry` is not a directory
/// directly under the cache root `cache_root` (an explicit output folder is no cache entry). The
/// marker is written to a temporary name and renamed, so readers never see a partial id.
pub fn record(cache_root: &Path, entry: &Path, parent: Option<&Dataset>) -> Result<()> {
    let (Ok(root), Ok(entry)) = (cache_root.canonicalize(), entry.canonicalize()) else { return Ok(()) };
    if entry.parent() != Some(root.as_path()) || !entry.is_dir() {
        return Ok(());
    }
    let own = || entry.file_name().map(|n| n.to_string_lossy().into_owned());
    let Some(id) = parent.and_then(|p| root_of(&root, p)).or_else(own) else { return Ok(()) };
    let tmp = entry.join(format!(".{LINEAGE_FILE}.tmp-{}-{}", std::process::id(), cache::random_fingerprint()));
    std::fs::write(&tmp, format!("{id}\n")).map_err(|e| Error::io(&tmp, e))?;
    let target = entry.join(LINEAGE_FILE);
    std::fs::rename(&tmp, &target).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(&target, e)
    })
}

/// Removes the cache entries under `cache_root` derived from the same root as `ds`, except those
/// `ds` or `keep` use; returns how many were removed (0 when `ds` has no data files).
///
/// HF deletes every `cache-*.arrow` file in the dataset's cache directory except the dataset's own
/// cache files (data and indices); one of our entries corresponds to one such file (a num_proc
/// map writes one entry per rank, as HF writes one file per rank). Never removed here:
/// - entries with another root or no marker (unrelated datasets, caches older than markers);
/// - the root entry itself and every `load-*` entry: they hold loaded data, HF's
///   `<builder>-<split>.arrow` files, which HF's cleanup leaves (it only removes `cache-*` files);
/// - the entries holding the data files of `ds` and `keep`, and the entries named by their
///   fingerprints (a filter's cached indices: HF keeps the indices file a dataset uses);
/// - dot-named folders (temporary directories of writers that may still be running).
pub fn cleanup(cache_root: &Path, ds: &Dataset, keep: &[&Dataset]) -> Result<usize> {
    let Ok(root) = cache_root.canonicalize() else { return Ok(0) };
    let Some(id) = root_of(&root, ds) else { return Ok(0) };
    let mut kept: HashSet<OsString> = HashSet::from([OsString::from(&id)]);
    for d in std::iter::once(ds).chain(keep.iter().copied()) {
        kept.insert(OsString::from(d.fingerprint()));
        kept.extend(d.data_files().into_iter().filter_map(|f| entry_of(&root, f)?.file_name().map(OsString::from)));
    }
    let entries = std::fs::read_dir(&root).map_err(|e| Error::io(&root, e))?;
    let mut removed = 0;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(&root, e))?;
        let name = entry.file_name();
        let text = name.to_string_lossy();
        // file_type does not follow symlinks: a link to a folder elsewhere is never walked into
        if !entry.file_type().is_ok_and(|t| t.is_dir())
            || text.starts_with('.')
            || text.starts_with("load-")
            || kept.contains(&name)
        {
            continue;
        }
        let path = entry.path();
        if recorded(&path).as_deref() != Some(id.as_str()) {
            continue;
        }
        match std::fs::remove_dir_all(&path) {
            Ok(()) => removed += 1,
            // another process cleaned it up first
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&path, e)),
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::Cache;
    use crate::progress::NoProgress;
    use crate::shard_writer::WriteOptions;
    use arrow_array::{Int64Array, RecordBatch};
    use arrow_schema::{DataType, Field, Schema};
    use std::sync::Arc;

    /// Writes a 3-row dataset into entry `name` of `cache`, recording `parent` as its origin.
    fn entry(cache: &Cache, name: &str, parent: Option<&Dataset>) -> Dataset {
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Int64, true)]));
        let b = RecordBatch::try_new(schema.clone(), vec![Arc::new(Int64Array::from(vec![1, 2, 3]))]).unwrap();
        let src = Dataset::from_batches(schema, vec![b]).unwrap();
        let dir = cache.entry(name);
        let opts = WriteOptions { fingerprint: Some(name.to_string()), ..Default::default() };
        let ds = Dataset::from_source(src.to_source(10), &dir, &opts, &NoProgress).unwrap();
        record(cache.root(), &dir, parent).unwrap();
        ds
    }

    #[test]
    fn cleanup_removes_only_relatives_of_the_same_source() {
        let guard = crate::test_util::TestDir::new("lineage");
        let cache = Cache::new(guard.join("cache"));
        std::fs::create_dir_all(cache.root()).unwrap();
        let a = entry(&cache, "load-a", None);
        let a1 = entry(&cache, "a1", Some(&a));
        let a2 = entry(&cache, "a2", Some(&a1));
        let a3 = entry(&cache, "a3", Some(&a));
        let b = entry(&cache, "load-b", None);
        let b1 = entry(&cache, "b1", Some(&b));
        let b2 = entry(&cache, "b2", Some(&b1));
        // an entry written before lineage was recorded, and a writer's temporary folder
        let old = cache.entry("old");
        std::fs::create_dir_all(&old).unwrap();
        let tmp = cache.entry(".a4.tmp-1-2");
        std::fs::create_dir_all(&tmp).unwrap();
        std::fs::write(tmp.join(LINEAGE_FILE), "load-a\n").unwrap();

        assert_eq!(recorded(&cache.entry("load-a")).as_deref(), Some("load-a"));
        assert_eq!(recorded(&cache.entry("a2")).as_deref(), Some("load-a"), "the root passes down the chain");
        assert_eq!(recorded(&cache.entry("b2")).as_deref(), Some("load-b"));

        // a3 is kept because the caller still uses it (HF has no such list; ours for DataLoaders)
        assert_eq!(cache.cleanup_cache_files(&a2, &[&a3]).unwrap(), 1);
        assert!(!cache.entry("a1").exists(), "a1 derives from load-a: it should be removed");
        for kept in ["load-a", "a2", "a3", "load-b", "b1", "b2", "old", ".a4.tmp-1-2"] {
            assert!(cache.entry(kept).exists(), "{kept} should be kept");
        }
        assert_eq!(b2.num_rows(), 3);
        assert_eq!(Dataset::open(cache.entry("b1")).unwrap().num_rows(), 3);
        // cleaning up from the source itself removes every derived entry but never the source
        assert_eq!(cache.cleanup_cache_files(&a, &[]).unwrap(), 2);
        assert!(cache.entry("load-a").exists() && !cache.entry("a3").exists());
        assert_eq!(cache.cleanup_cache_files(&b1, &[]).unwrap(), 1);
        assert!(cache.entry("b1").exists() && !cache.entry("b2").exists() && cache.entry("load-b").exists());
        // in-memory data has no cache files: nothing to clean
        let mem = Dataset::from_batches(a.schema().clone(), vec![]).unwrap();
        assert_eq!(cache.cleanup_cache_files(&mem, &[]).unwrap(), 0);
    }

    #[test]
    fn record_ignores_folders_outside_the_cache() {
        let guard = crate::test_util::TestDir::new("lineage-out");
        let cache = Cache::new(guard.join("cache"));
        std::fs::create_dir_all(cache.root()).unwrap();
        let elsewhere = guard.join("saved");
        std::fs::create_dir_all(&elsewhere).unwrap();
        record(cache.root(), &elsewhere, None).unwrap();
        assert!(!elsewhere.join(LINEAGE_FILE).exists());
        // an entry derived from data outside the cache records that data's folder as its root
        let saved = entry(&Cache::new(&elsewhere), "d", None);
        let derived = entry(&cache, "e", Some(&saved));
        let want = elsewhere.join("d").canonicalize().unwrap();
        assert_eq!(recorded(&cache.entry("e")), Some(want.to_string_lossy().into_owned()));
        assert_eq!(cache.cleanup_cache_files(&derived, &[]).unwrap(), 0);
        assert_eq!(cache.cleanup_cache_files(&saved, &[]).unwrap(), 1);
    }
}
