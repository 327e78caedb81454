//! Ordered parallel map over a stream of record batches: windows of batches run on a rayon pool,
//! results come out in input order. Memory stays bounded by one window (`threads * 2` batches).

use arrow_array::RecordBatch;

use crate::error::{Error, Result};

/// Shared batch function of the data ops (map, filter, tokenize...).
pub type BatchFn = std::sync::Arc<dyn Fn(RecordBatch) -> Result<RecordBatch> + Send + Sync>;

/// Applies `f` to every batch of `input` on `threads` threads (0 = default), lazily, keeping order.
/// The first error ends the stream.
pub fn ordered_map(
    input: impl Iterator<Item = Result<RecordBatch>> + Send + 'static,
    f: BatchFn,
    threads: usize,
) -> impl Iterator<Item = Result<RecordBatch>> + Send + 'static {
    let g: WorkFn<Result<RecordBatch>> = std::sync::Arc::new(move |b: Result<RecordBatch>| b.and_then(|b| f(b)));
    ordered_work(input, g, threads)
}

/// Work item function of [`ordered_work`].
pub type WorkFn<T> = std::sync::Arc<dyn Fn(T) -> Result<RecordBatch> + Send + Sync>;

/// Like [`ordered_map`] over any work items (e.g. row ranges a worker reads itself, so reading
/// runs in parallel too).
pub fn ordered_work<T: Send + 'static>(
    input: impl Iterator<Item = T> + Send + 'static,
    f: WorkFn<T>,
    threads: usize,
) -> impl Iterator<Item = Result<RecordBatch>> + Send + 'static {
    let threads = if threads == 0 { tokenmill_tokenizers::tokenizer::batch::default_threads() } else { threads };
    let window = (threads * 2).max(1);
    OrderedMap { input, f, threads, window, ready: std::collections::VecDeque::new(), failed: false }
}

struct OrderedMap<I, T> {
    input: I,
    f: WorkFn<T>,
    threads: usize,
    window: usize,
    ready: std::collections::VecDeque<Result<RecordBatch>>,
    failed: bool,
}

impl<T: Send, I: Iterator<Item = T>> Iterator for OrderedMap<I, T> {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        if self.ready.is_empty() {
            let mut todo = Vec::with_capacity(self.window);
            for item in self.input.by_ref().take(self.window) {
                todo.push(item);
            }
            if todo.is_empty() {
                return None;
            }
            let f = &self.f;
            let out: Vec<Result<RecordBatch>> = if self.threads <= 1 || todo.len() == 1 {
                todo.into_iter().map(|t| f(t)).collect()
            } else {
                use rayon::prelude::*;
                match tokenmill_tokenizers::tokenizer::batch::pool(self.threads) {
                    Ok(pool) => pool.install(|| todo.into_par_iter().map(|t| f(t)).collect()),
                    Err(e) => vec![Err(Error::from(e))],
                }
            };
            self.ready.extend(out);
        }
        let item = self.ready.pop_front()?;
        if item.is_err() {
            self.failed = true;
            self.ready.clear();
        }
        Some(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Array, Int64Array};
    use std::sync::Arc;

    fn batch(v: Vec<i64>) -> RecordBatch {
        RecordBatch::try_from_iter([("x", Arc::new(Int64Array::from(v)) as _)]).unwrap()
    }

    #[test]
    fn keeps_order_and_stops_at_first_error() {
        let input: Vec<Result<RecordBatch>> = (0..20).map(|i| Ok(batch(vec![i]))).collect();
        let f: BatchFn = Arc::new(|b: RecordBatch| {
            let x = b.column(0).as_any().downcast_ref::<Int64Array>().unwrap().value(0);
            if x == 13 {
                return Err(Error::Invalid("thirteen".into()));
            }
            Ok(batch(vec![x * 10]))
        });
        let out: Vec<_> = ordered_map(input.into_iter(), f, 3).collect();
        assert_eq!(out.len(), 14);
        for (i, b) in out[..13].iter().enumerate() {
            let b = b.as_ref().unwrap();
            assert_eq!(b.column(0).as_any().downcast_ref::<Int64Array>().unwrap().value(0), i as i64 * 10);
            assert_eq!(b.column(0).len(), 1);
        }
        assert!(out[13].is_err());
    }
}
