//! Test helpers: temporary directories removed when the test ends (also when it fails).

use std::path::{Path, PathBuf};

/// A fresh directory under the system temp dir, named after the test; removed on drop.
pub(crate) struct TestDir(PathBuf);

impl TestDir {
    pub(crate) fn new(name: &str) -> TestDir {
        let d = std::env::temp_dir().join(format!(
            "tokenmill-{name}-{}-{}",
            std::process::id(),
            crate::cache::random_fingerprint()
        ));
        std::fs::create_dir_all(&d).expect("create test dir");
        TestDir(d)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    pub(crate) fn join(&self, p: impl AsRef<Path>) -> PathBuf {
        self.0.join(p)
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
