//! `tokenmill dataset cache [--clear]`: where the datasets cache is, what it holds and how large it
//! is; `--clear` empties it. Loads with `--split` and packing keep intermediate results there (as HF
//! datasets does), so the cache is reported, never grown silently.

use std::path::Path;

use tokenmill_datasets::cache::Cache;

use crate::error::{Error, Result};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Remove every cached dataset.
    #[arg(long)]
    pub clear: bool,
}

pub fn run(a: Args) -> Result<()> {
    let cache = Cache::default();
    let (entries, bytes) = usage(&cache)?;
    println!("{}: {entries} cached datasets, {}", cache.root().display(), human(bytes));
    if a.clear {
        let removed = cache.clear().map_err(Error::from)?;
        println!("removed {removed} entries, {} freed", human(bytes - usage(&cache)?.1));
    }
    Ok(())
}

/// Entries (folders) and total bytes under the cache root.
fn usage(cache: &Cache) -> Result<(usize, u64)> {
    let entries = match std::fs::read_dir(cache.root()) {
        Ok(rd) => rd.filter_map(|e| e.ok()).filter(|e| e.path().is_dir()).count(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
        Err(e) => return Err(crate::error::io(cache.root())(e)),
    };
    Ok((entries, cache.cache_size().map_err(Error::from)?))
}

/// One stderr line after an operation that wrote to the cache: its size and how to empty it.
pub fn note_written(root: &Path) {
    if let Ok(bytes) = tokenmill_datasets::cache::dir_size(root) {
        eprintln!(
            "tokenmill: the datasets cache {} now holds {} (`tokenmill dataset cache --clear` empties it)",
            root.display(),
            human(bytes)
        );
    }
}

fn human(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.2} GB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} kB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}
