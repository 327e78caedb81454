//! Arrow IPC inputs: the file format (`ARROW1` magic, random access) or the stream format (what HF's
//! cache and `save_to_disk` shards hold), read batch by batch. A stream may be `.gz`/`.zst`
//! compressed; the file format needs seeking and must not be.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use arrow_ipc::reader::{FileReader, StreamReader};
use arrow_schema::SchemaRef;

use super::files::{self, Compression};
use super::{chain_files, corrupt, project_batches, projection, BatchIter, BatchSource, LoadOptions};
use crate::error::{Error, Result};

pub fn source(paths: &[PathBuf], opts: &LoadOptions) -> Result<BatchSource> {
    let (schema, first) = open_file(&paths[0], opts)?;
    let o = opts.clone();
    let open = Arc::new(move |p: &Path, _: &SchemaRef| open_file(p, &o).map(|(_, it)| it));
    Ok(BatchSource { schema: schema.clone(), batches: chain_files(schema, paths.to_vec(), first, open) })
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
        let hit_eof = Arc::new(AtomicBool::new(false));
        let input = EofFlag { inner: files::open(path)?, hit: hit_eof.clone() };
        let r = StreamReader::try_new(input, None).map_err(|e| corrupt(path, e))?;
        let schema = r.schema();
        // arrow-ipc takes EOF between two messages as a valid end; a whole stream ends with its
        // end-of-stream marker, at which the reader stops before EOF. So EOF means truncated.
        let path = path.to_path_buf();
        let end_check = std::iter::once(()).filter_map(move |_| {
            hit_eof.load(Ordering::Relaxed).then(|| {
                Err(corrupt(&path, "the stream ends without its end-of-stream marker (truncated between two messages)"))
            })
        });
        (schema, Box::new(r.map(|b| b.map_err(Error::from)).chain(end_check)))
    };
    let proj = match &opts.columns {
        Some(cols) => Some(projection(&schema, cols)?),
        None => None,
    };
    project_batches(path, schema, batches, proj)
}

/// A reader that records whether a read reached end-of-file.
struct EofFlag<R> {
    inner: R,
    hit: Arc<AtomicBool>,
}

impl<R: Read> Read for EofFlag<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.hit.store(true, Ordering::Relaxed);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};

    fn batch(start: i64) -> RecordBatch {
        let a: ArrayRef = Arc::new(Int64Array::from_iter_values(start..start + 100));
        let b: ArrayRef = Arc::new(StringArray::from_iter_values((0..100).map(|i| format!("s{i}"))));
        RecordBatch::try_from_iter([("a", a), ("b", b)]).unwrap()
    }

    fn write(name: &str, file_format: bool) -> PathBuf {
        let p = std::env::temp_dir().join(format!("tm-ipc-{}-{name}", std::process::id()));
        let f = File::create(&p).unwrap();
        let b0 = batch(0);
        if file_format {
            let mut w = arrow_ipc::writer::FileWriter::try_new(f, &b0.schema()).unwrap();
            w.write(&b0).unwrap();
            w.write(&batch(100)).unwrap();
            w.finish().unwrap();
        } else {
            let mut w = arrow_ipc::writer::StreamWriter::try_new(f, &b0.schema()).unwrap();
            w.write(&b0).unwrap();
            w.write(&batch(100)).unwrap();
            w.finish().unwrap();
        }
        p
    }

    #[test]
    fn file_and_stream_formats_with_projection() {
        for file_format in [true, false] {
            let p = write(&format!("ok-{file_format}.arrow"), file_format);
            let opts = LoadOptions { columns: Some(vec!["b".into(), "a".into()]), ..Default::default() };
            let src = source(&[p], &opts).unwrap();
            assert_eq!(src.schema.field(0).name(), "b");
            let batches = src.collect().unwrap();
            let a: Vec<i64> =
                batches.iter().flat_map(|b| b.column(1).as_primitive::<Int64Type>().values().to_vec()).collect();
            assert_eq!(a, (0..200).collect::<Vec<_>>());
        }
    }

    #[test]
    fn truncated_or_garbage_is_corrupt() {
        for file_format in [true, false] {
            let p = write(&format!("trunc-{file_format}.arrow"), file_format);
            let bytes = std::fs::read(&p).unwrap();
            std::fs::write(&p, &bytes[..bytes.len() * 2 / 3]).unwrap();
            let r = source(std::slice::from_ref(&p), &LoadOptions::default()).and_then(|s| s.collect());
            let err = r.unwrap_err();
            assert!(matches!(err, Error::CorruptShard { .. }), "{err}");
            assert!(err.to_string().contains(p.to_str().unwrap()));
        }
        // Cut exactly between two messages (after the first batch, or before the end marker):
        // arrow-ipc alone would take either as a shorter, valid stream.
        let p = write("cut-between.arrow", false);
        let bytes = std::fs::read(&p).unwrap();
        let eos = 8;
        let one_batch = {
            let q = std::env::temp_dir().join(format!("tm-ipc-{}-one.arrow", std::process::id()));
            let mut w =
                arrow_ipc::writer::StreamWriter::try_new(File::create(&q).unwrap(), &batch(0).schema()).unwrap();
            w.write(&batch(0)).unwrap();
            w.finish().unwrap();
            std::fs::read(&q).unwrap().len() - eos
        };
        for cut in [one_batch, bytes.len() - eos] {
            std::fs::write(&p, &bytes[..cut]).unwrap();
            let err = source(std::slice::from_ref(&p), &LoadOptions::default()).and_then(|s| s.collect()).unwrap_err();
            assert!(matches!(err, Error::CorruptShard { .. }) && err.to_string().contains("end-of-stream"), "{err}");
        }
        std::fs::write(&p, &bytes).unwrap();
        assert_eq!(source(std::slice::from_ref(&p), &LoadOptions::default()).unwrap().collect().unwrap().len(), 2);
        let p = std::env::temp_dir().join(format!("tm-ipc-{}-garbage.arrow", std::process::id()));
        std::fs::write(&p, b"definitely not arrow").unwrap();
        assert!(matches!(source(&[p], &LoadOptions::default()), Err(Error::CorruptShard { .. })));
    }
}
