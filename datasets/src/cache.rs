//! Fingerprints and the cache directory: every dataset state has a deterministic fingerprint
//! (its source's fingerprint + operation name + arguments), and operation outputs are stored under
//! `<cache dir>/<fingerprint>/` so running the same pipeline again reuses them.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

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
    fn random_fingerprints_differ() {
        assert_ne!(random_fingerprint(), random_fingerprint());
    }
}
