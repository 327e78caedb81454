//! Parallel batches on rayon thread pools that survive `fork()`.
//!
//! rayon's global pool lives in threads that a forked child (a PyTorch DataLoader worker) does not
//! have, so waiting on it there deadlocks. We keep our own pools, remember the process id that
//! built them, and build fresh ones when we find ourselves in a different process.

use rayon::prelude::*;
use rayon::ThreadPool;
use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex};

use crate::error::{Error, Result};

struct Pools {
    pid: u32,
    by_size: HashMap<usize, Arc<ThreadPool>>,
}

static POOLS: Mutex<Option<Pools>> = Mutex::new(None);

/// Threads to use when the caller says 0: `RAYON_NUM_THREADS`, else the available cores.
pub fn default_threads() -> usize {
    std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// A pool with `threads` workers (0 = default), shared by all callers asking for that size.
pub fn pool(threads: usize) -> Result<Arc<ThreadPool>> {
    let threads = if threads == 0 { default_threads() } else { threads };
    let pid = std::process::id();
    let mut guard = POOLS.lock().unwrap_or_else(|e| e.into_inner());
    if guard.as_ref().is_some_and(|p| p.pid != pid) {
        // Forked: the old pools' threads do not exist here. Dropping would try to signal them;
        // leaking is harmless (the memory belongs to the parent's copy anyway).
        std::mem::forget(guard.take());
    }
    let pools = guard.get_or_insert_with(|| Pools { pid, by_size: HashMap::new() });
    if let Some(p) = pools.by_size.get(&threads) {
        return Ok(p.clone());
    }
    // Rayon returns from `build` before its workers have started. Wait until every worker runs
    // (a named thread that exists), so a caller counting threads right after sees the whole pool.
    let started = Arc::new((Mutex::new(0usize), Condvar::new()));
    let signal = started.clone();
    let p = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("tokenmill-{i}"))
            .start_handler(move |_| {
                let (count, cv) = &*signal;
                *count.lock().unwrap_or_else(|e| e.into_inner()) += 1;
                cv.notify_all();
            })
            .build()
            .map_err(|e| Error::ThreadPool(e.to_string()))?,
    );
    let (count, cv) = &*started;
    let mut n = count.lock().unwrap_or_else(|e| e.into_inner());
    while *n < threads {
        n = cv.wait(n).unwrap_or_else(|e| e.into_inner());
    }
    drop(n);
    pools.by_size.insert(threads, p.clone());
    Ok(p)
}

/// Maps `f` over `items` on `threads` threads (0 = default), keeping order. One thread runs inline.
pub fn map<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync + Send) -> Result<Vec<R>> {
    map_indexed(items, threads, |_, x| f(x))
}

/// [`map`] handing `f` each item's index too (what a per-item result may depend on, rather than
/// on which thread ran it when).
pub fn map_indexed<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(usize, &T) -> R + Sync + Send,
) -> Result<Vec<R>> {
    let n = if threads == 0 { default_threads() } else { threads };
    if n <= 1 || items.len() <= 1 {
        return Ok(items.iter().enumerate().map(|(i, x)| f(i, x)).collect());
    }
    Ok(pool(n)?.install(|| items.par_iter().enumerate().with_min_len(1).map(|(i, x)| f(i, x)).collect()))
}
