//! Fingerprints and the cache directory: every dataset state has a deterministic fingerprint
//! (its source's fingerprint + operation name + arguments), and operation outputs are stored under
//! `<cache dir>/<fingerprint>/` so running the same pipeline again reuses them.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::dataset::Dataset;
use crate::error::{Error, Result};

/// 64-bit FNV-1a: tiny, stable across runs, platforms and versions (unlike `std`'s `DefaultHasher`),
/// which is all a cache key needs.
#[derive(Clone, Copy)]
pub struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv64 {
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// Mixes a whole 64-bit word in one step (8x fewer multiplies than its bytes; for long integer
    /// sequences such as indices mappings).
    pub fn write_u64(&mut self, word: u64) {
        self.0 ^= word;
        self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        self.0 ^= self.0 >> 29;
    }

    /// Writes a length-prefixed field, so ("ab","c") and ("a","bc") hash differently.
    pub fn field(&mut self, bytes: &[u8]) {
        self.write(&(bytes.len() as u64).to_le_bytes());
        self.write(bytes);
    }

    pub fn finish(&self) -> u64 {
        self.0
    }
}

/// The fingerprint of `prev` transformed by operation `op` with arguments `args` (any
/// serialisable description of them): 16 lowercase hex digits, like HF's.
pub fn update_fingerprint(prev: &str, op: &str, args: &serde_json::Value) -> String {
    let mut h = Fnv64::default();
    h.field(prev.as_bytes());
    h.field(op.as_bytes());
    // serde_json's map is ordered (BTreeMap), so this text is canonical for equal values.
    h.field(args.to_string().as_bytes());
    format!("{:016x}", h.finish())
}

/// The fingerprint of input files: their paths, sizes and modification times (HF hashes the same
/// facts), so editing a file invalidates what was built from it.
pub fn files_fingerprint(kind: &str, files: &[PathBuf]) -> Result<String> {
    let mut h = Fnv64::default();
    h.field(kind.as_bytes());
    for f in files {
        let meta = std::fs::metadata(f).map_err(|e| Error::io(f, e))?;
        h.field(f.to_string_lossy().as_bytes());
        h.write(&meta.len().to_le_bytes());
        if let Ok(t) = meta.modified() {
            if let Ok(d) = t.duration_since(std::time::UNIX_EPOCH) {
                h.write(&d.as_nanos().to_le_bytes());
            }
        }
    }
    Ok(format!("{:016x}", h.finish()))
}

/// A fresh fingerprint for data with no reproducible origin (in-memory batches): unique per call.
pub fn random_fingerprint() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = Fnv64::default();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    h.write(&now.as_nanos().to_le_bytes());
    h.write(&std::process::id().to_le_bytes());
    h.write(&COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    format!("{:016x}", h.finish())
}

/// The cache root: `$TOKENMILL_CACHE`, else `$XDG_CACHE_HOME/tokenmill/datasets`, else
/// `~/.cache/tokenmill/datasets`.
pub fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("TOKENMILL_CACHE").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("tokenmill").join("datasets")
}

/// Where the output of the dataset state `fingerprint` lives under cache root `root`.
pub fn entry_dir(root: &Path, fingerprint: &str) -> PathBuf {
    root.join(fingerprint)
}

/// A cache root holding one save_to_disk directory per dataset state (named by fingerprint).
#[derive(Clone, Debug)]
pub struct Cache {
    root: PathBuf,
}

impl Default for Cache {
    /// The cache at [`cache_dir`].
    fn default() -> Self {
        Cache { root: cache_dir() }
    }
}

impl Cache {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Cache { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory for the dataset state `fingerprint`.
    pub fn entry(&self, fingerprint: &str) -> PathBuf {
        entry_dir(&self.root, fingerprint)
    }

    /// The cached dataset for `fingerprint` when a complete one is there; otherwise runs
    /// `compute(dir)`, which must write the dataset to `dir` (e.g. with [`Dataset::from_source`]
    /// and `WriteOptions::fingerprint = Some(fingerprint)`) and return it. An entry that no longer
    /// opens (deleted shard, corrupt file) is recomputed.
    pub fn get_or_compute(&self, fingerprint: &str, compute: impl FnOnce(&Path) -> Result<Dataset>) -> Result<Dataset> {
        if fingerprint.is_empty() || fingerprint.contains(['/', '\\']) || fingerprint.starts_with('.') {
            return Err(Error::Invalid(format!("bad fingerprint {fingerprint:?}")));
        }
        let dir = self.entry(fingerprint);
        if dir.join(crate::load::hf_disk::STATE_JSON).exists() {
            if let Ok(ds) = Dataset::open(&dir) {
                return Ok(ds);
            }
        }
        std::fs::create_dir_all(&self.root).map_err(|e| Error::io(&self.root, e))?;
        compute(&dir)
    }

    /// Whether a complete entry exists for `fingerprint`.
    pub fn contains(&self, fingerprint: &str) -> bool {
        self.entry(fingerprint).join(crate::load::hf_disk::STATE_JSON).exists()
    }

    /// Removes the cache entries derived from the same source as `ds` (see
    /// [`crate::lineage::cleanup`]), except those `ds` and `keep` use; returns how many were removed.
    /// This is HF's `Dataset.cleanup_cache_files`: entries of unrelated datasets, which other live
    /// datasets (or data loader workers) may still read, are left alone.
    pub fn cleanup_cache_files(&self, ds: &Dataset, keep: &[&Dataset]) -> Result<usize> {
        crate::lineage::cleanup(&self.root, ds, keep)
    }

    /// Removes every folder under the cache root (entries of all datasets, loads and leftover
    /// temporary directories; `tokenmill dataset cache --clear`); returns how many were removed.
    pub fn clear(&self) -> Result<usize> {
        let entries = match std::fs::read_dir(&self.root) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(Error::io(&self.root, e)),
        };
        let mut removed = 0;
        for entry in entries {
            let path = entry.map_err(|e| Error::io(&self.root, e))?.path();
            if !path.is_dir() {
                continue;
            }
            std::fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
            removed += 1;
        }
        Ok(removed)
    }

    /// Total bytes of the files under the cache root.
    pub fn cache_size(&self) -> Result<u64> {
        dir_size(&self.root)
    }
}

/// Total size of the files under `dir` (0 when it does not exist).
pub fn dir_size(dir: &Path) -> Result<u64> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut total = 0;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let meta = entry.metadata().map_err(|e| Error::io(entry.path(), e))?;
        total += if meta.is_dir() { dir_size(&entry.path())? } else { meta.len() };
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_deterministic_and_sensitive() {
        let a = update_fingerprint("abc", "map", &serde_json::json!({"batch_size": 10}));
        assert_eq!(a, update_fingerprint("abc", "map", &serde_json::json!({"batch_size": 10})));
        assert_ne!(a, update_fingerprint("abc", "map", &serde_json::json!({"batch_size": 11})));
        assert_ne!(a, update_fingerprint("abd", "map", &serde_json::json!({"batch_size": 10})));
        assert_ne!(a, update_fingerprint("abc", "filter", &serde_json::json!({"batch_size": 10})));
        assert_eq!(a.len(), 16);
        // FNV-1a reference value: the empty input hashes to the offset basis.
        assert_eq!(Fnv64::default().finish(), 0xcbf29ce484222325);
        let mut h = Fnv64::default();
        h.write(b"a");
        assert_eq!(h.finish(), 0xaf63dc4c8601ec8c);
    }

    #[test]
    fn cache_reuses_then_cleans_up() {
        use crate::progress::NoProgress;
        use crate::shard_writer::WriteOptions;
        use arrow_array::{Int64Array, RecordBatch};
        use arrow_schema::{DataType, Field, Schema};
        use std::sync::Arc;

        let guard = crate::test_util::TestDir::new("cache");
        let root = guard.join("cache");
        let cache = Cache::new(&root);
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Int64, true)]));
        let b = RecordBatch::try_new(schema.clone(), vec![Arc::new(Int64Array::from(vec![1, 2, 3]))]).unwrap();
        let src = Dataset::from_batches(schema, vec![b]).unwrap();
        let runs = std::cell::Cell::new(0);
        let build = |fp: &str| {
            cache
                .get_or_compute(fp, |dir| {
                    runs.set(runs.get() + 1);
                    let opts = WriteOptions { fingerprint: Some(fp.to_string()), ..Default::default() };
                    Dataset::from_source(src.to_source(10), dir, &opts, &NoProgress)
                })
                .unwrap()
        };
        let a = build("aaaa000000000000");
        let again = build("aaaa000000000000");
        let _other = build("bbbb000000000000");
        assert_eq!(runs.get(), 2, "the second call must reuse the cached entry");
        assert_eq!(again.fingerprint(), "aaaa000000000000");
        assert!(cache.contains("bbbb000000000000"));
        assert!(cache.cache_size().unwrap() > 0);
        // entries without a lineage marker (as caches written before markers) are never cleaned up
        assert_eq!(cache.cleanup_cache_files(&a, &[]).unwrap(), 0);
        assert!(cache.contains("aaaa000000000000") && cache.contains("bbbb000000000000"));
        assert_eq!(cache.clear().unwrap(), 2);
        assert!(!cache.contains("aaaa000000000000") && !cache.contains("bbbb000000000000"));
        assert!(cache.get_or_compute("../x", |_| unreachable!()).is_err());
    }

    #[test]
    fn random_fingerprints_differ() {
        assert_ne!(random_fingerprint(), random_fingerprint());
    }
}
