//! Progress reporting for long operations: the CLI turns it into an indicatif bar, Python into tqdm.

/// Receives progress of one operation. Implementations must be cheap: `advance` is called once per
/// record batch or file, from any thread.
pub trait Progress: Sync {
    /// A new operation `desc` begins; `total` units (rows, bytes or files) when known.
    fn start(&self, _desc: &str, _total: Option<u64>) {}
    /// `n` more units are done.
    fn advance(&self, _n: u64) {}
    /// The operation ended (successfully or not).
    fn finish(&self) {}
}

/// Reports nothing.
pub struct NoProgress;

impl Progress for NoProgress {}
