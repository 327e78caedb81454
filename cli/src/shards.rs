//! The shard writer: a thread that receives encoded chunks over a bounded channel and writes
//! `shard-NNNNN.bin` (raw little-endian ids) and `shard-NNNNN.idx` (little-endian u64 token
//! offsets: every document start plus the final end) files.
//!
//! Every file is written under a temporary name, fsync'd, then renamed. A document never spans two
//! shards; a shard is closed once it holds at least `shard_tokens` tokens. If the run stops early
//! (an error here or in the reader), every file this writer created is removed.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use serde::Serialize;

use crate::error::{io, Error, Result};
use crate::input::Chunk;

/// Encoded chunks waiting for the writer (each ~16 MB of input): bounds memory, keeps overlap.
const QUEUE: usize = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    U16,
    U32,
}

impl Dtype {
    /// u16 when every id fits (`n_vocab <= 65536`), else u32.
    pub fn for_vocab(n_vocab: usize) -> Self {
        if n_vocab <= 1 << 16 {
            Dtype::U16
        } else {
            Dtype::U32
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Dtype::U16 => "uint16",
            Dtype::U32 => "uint32",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ShardMeta {
    pub file: String,
    pub index: String,
    pub documents: u64,
    pub tokens: u64,
}

pub enum Msg {
    Chunk(Chunk),
    /// All chunks sent: close the last shard. A channel closed without it means "abort".
    Finish,
}

/// What a finished writer leaves: the shards, and every path it made (for cleanup on a later error).
pub struct Output {
    pub shards: Vec<ShardMeta>,
    pub created: Vec<PathBuf>,
}

pub fn shard_names(n: usize) -> (String, String) {
    (format!("shard-{n:05}.bin"), format!("shard-{n:05}.idx"))
}

/// Starts the writer thread.
pub fn spawn(dir: PathBuf, dtype: Dtype, shard_tokens: u64) -> Result<(SyncSender<Msg>, JoinHandle<Result<Output>>)> {
    let (tx, rx) = sync_channel(QUEUE);
    let handle = std::thread::Builder::new()
        .name("tokenmill-writer".into())
        .spawn(move || run(rx, Writer::new(dir, dtype, shard_tokens)))
        .map_err(|e| Error::msg(format!("cannot start writer thread: {e}")))?;
    Ok((tx, handle))
}

fn run(rx: Receiver<Msg>, mut w: Writer) -> Result<Output> {
    let finished = (|| -> Result<bool> {
        loop {
            match rx.recv() {
                Ok(Msg::Chunk(c)) => w.write_chunk(&c)?,
                Ok(Msg::Finish) => {
                    w.close_shard()?;
                    return Ok(true);
                }
                Err(_) => return Ok(false),
            }
        }
    })();
    match finished {
        Ok(true) => Ok(Output { shards: w.shards, created: w.created }),
        Ok(false) => {
            remove_all(&w.abandon());
            Err(Error::msg("run aborted"))
        }
        Err(e) => {
            remove_all(&w.abandon());
            Err(e)
        }
    }
}

/// Removes files, ignoring those already gone (best effort: used on the error path).
pub fn remove_all(paths: &[PathBuf]) {
    for p in paths {
        let _ = std::fs::remove_file(p);
    }
}

/// Flushes, fsyncs and renames a temp file into place.
pub fn commit(w: BufWriter<File>, tmp: &Path, fin: &Path) -> Result<()> {
    let f = w.into_inner().map_err(|e| Error::Io { path: tmp.to_path_buf(), source: e.into_error() })?;
    f.sync_all().map_err(io(tmp))?;
    drop(f);
    std::fs::rename(tmp, fin).map_err(io(fin))
}

pub fn temp_name(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!(".{name}.tmp-{}", std::process::id()))
}

struct Open {
    bin: BufWriter<File>,
    idx: BufWriter<File>,
    bin_tmp: PathBuf,
    idx_tmp: PathBuf,
    docs: u64,
    tokens: u64,
}

struct Writer {
    dir: PathBuf,
    dtype: Dtype,
    limit: u64,
    cur: Option<Open>,
    shards: Vec<ShardMeta>,
    created: Vec<PathBuf>,
    scratch: Vec<u8>,
}

impl Writer {
    fn new(dir: PathBuf, dtype: Dtype, limit: u64) -> Self {
        Writer {
            dir,
            dtype,
            limit: limit.max(1),
            cur: None,
            shards: Vec::new(),
            created: Vec::new(),
            scratch: Vec::new(),
        }
    }

    fn write_chunk(&mut self, c: &Chunk) -> Result<()> {
        for g in &c.groups {
            let mut off = 0usize;
            for &len in &g.lens {
                let end = off + len as usize;
                self.write_doc(&g.tokens[off..end])?;
                off = end;
            }
        }
        Ok(())
    }

    fn write_doc(&mut self, doc: &[u32]) -> Result<()> {
        if self.cur.is_none() {
            self.open_shard()?;
        }
        let cur = self.cur.as_mut().expect("opened above");
        self.scratch.clear();
        match self.dtype {
            Dtype::U16 => {
                self.scratch.reserve(doc.len() * 2);
                for &t in doc {
                    debug_assert!(t <= u16::MAX as u32);
                    self.scratch.extend_from_slice(&(t as u16).to_le_bytes());
                }
            }
            Dtype::U32 => {
                self.scratch.reserve(doc.len() * 4);
                for &t in doc {
                    self.scratch.extend_from_slice(&t.to_le_bytes());
                }
            }
        }
        cur.bin.write_all(&self.scratch).map_err(io(&cur.bin_tmp))?;
        cur.tokens += doc.len() as u64;
        cur.docs += 1;
        cur.idx.write_all(&cur.tokens.to_le_bytes()).map_err(io(&cur.idx_tmp))?;
        if cur.tokens >= self.limit {
            self.close_shard()?;
        }
        Ok(())
    }

    fn open_shard(&mut self) -> Result<()> {
        let (bin_name, idx_name) = shard_names(self.shards.len());
        let bin_tmp = temp_name(&self.dir, &bin_name);
        let idx_tmp = temp_name(&self.dir, &idx_name);
        self.created.push(bin_tmp.clone());
        let bin = File::create(&bin_tmp).map_err(io(&bin_tmp))?;
        self.created.push(idx_tmp.clone());
        let idx = File::create(&idx_tmp).map_err(io(&idx_tmp))?;
        let mut idx = BufWriter::with_capacity(1 << 16, idx);
        idx.write_all(&0u64.to_le_bytes()).map_err(io(&idx_tmp))?;
        self.cur =
            Some(Open { bin: BufWriter::with_capacity(1 << 20, bin), idx, bin_tmp, idx_tmp, docs: 0, tokens: 0 });
        Ok(())
    }

    /// Closes the open shard, if any: fsync, rename into place, record it.
    fn close_shard(&mut self) -> Result<()> {
        let Some(cur) = self.cur.take() else {
            return Ok(());
        };
        let (bin_name, idx_name) = shard_names(self.shards.len());
        let (bin_fin, idx_fin) = (self.dir.join(&bin_name), self.dir.join(&idx_name));
        self.created.push(bin_fin.clone());
        self.created.push(idx_fin.clone());
        commit(cur.bin, &cur.bin_tmp, &bin_fin)?;
        commit(cur.idx, &cur.idx_tmp, &idx_fin)?;
        self.shards.push(ShardMeta { file: bin_name, index: idx_name, documents: cur.docs, tokens: cur.tokens });
        Ok(())
    }

    /// Closes files without committing them; returns every path to remove.
    fn abandon(&mut self) -> Vec<PathBuf> {
        self.cur = None;
        std::mem::take(&mut self.created)
    }
}
