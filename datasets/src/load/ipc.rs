//! Arrow IPC inputs: the file format (`ARROW1` magic, random access) or the stream format (what HF's
//! cache and `save_to_disk` shards hold), read batch by batch. A stream may be `.gz`/`.zst`
//! compressed; the file format needs seeking and must not be.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_ipc::reader::{FileReader, StreamReader};
use arrow_schema::SchemaRef;

use super::files::{self, Compression};
use super::{chain_files, projection, BatchIter, BatchSource, LoadOptions};
use crate::error::{Error, Result};

pub fn source(paths: &[PathBuf], opts: &LoadOptions) -> Result<BatchSource> {
    let (schema, first) = open_file(&paths[0], opts)?;
    let o = opts.clone();
    let open = Arc::new(move |p: &Path, _: &SchemaRef| open_file(p, &o).map(|(_, it)| it));
    Ok(BatchSource { schema: schema.clone(), batches: chain_files(schema, paths.to_vec(), first, open) })
}

fn corrupt(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::CorruptShard { path: path.to_path_buf(), reason: e.to_string() }
}

/// The (projected) schema and batches of one IPC file or stream.
pub fn open_file(path: &Path, opts: &LoadOptions) -> Result<(SchemaRef, BatchIter)> {
    let mut magic = [0u8; 6];
    let is_file_format = Compression::of(path) == Compression::None && {
        let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
        f.read(&mut magic).map_err(|e| Error::io(path, e))? == 6 && &magic == b"ARROW1"
    };
    let (schema, batches): (SchemaRef, BatchIter) = if is_file_format {
        let f = BufReader::new(File::open(path).map_err(|e| Error::io(path, e))?);
        let r = FileReader::try_new(f, None).map_err(|e| corrupt(path, e))?;
        (r.schema(), Box::new(r.map(|b| b.map_err(Error::from))))
    } else {
        let r = StreamReader::try_new(files::open(path)?, None).map_err(|e| corrupt(path, e))?;
        (r.schema(), Box::new(r.map(|b| b.map_err(Error::from))))
    };
    let proj = match &opts.columns {
        Some(cols) => Some(projection(&schema, cols)?),
        None => None,
    };
    let out_schema = match &proj {
        Some(p) => Arc::new(schema.project(p)?),
        None => schema,
    };
    let path = path.to_path_buf();
    let mut failed = false;
    let it = batches.map_while(move |b| {
        if failed {
            return None;
        }
        let r = b.map_err(|e| corrupt(&path, e)).and_then(|b| match &proj {
            Some(p) => b.project(p).map_err(Error::from),
            None => Ok(b),
        });
        failed = r.is_err();
        Some(r)
    });
    Ok((out_schema, Box::new(it)))
}
