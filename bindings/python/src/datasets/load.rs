//! `_load_dataset` / `_load_streaming`: HF's `load_dataset` over the engine's loaders. Shards go to
//! the engine cache (`TOKENMILL_CACHE`, keyed by the input files' fingerprint and the options), so
//! a second identical load is a cache hit.

use std::path::PathBuf;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use tokenmill_datasets::load::{self, DataFiles, Format, LoadOptions, SampleBy};
use tokenmill_datasets::stream::IterableDataset;

use super::dataset::{feature_types, wrap};
use super::errors::IntoPy;
use super::progress::PyProgress;
use super::stream::PyIterable;

fn strings(obj: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if let Ok(s) = obj.extract::<PathBuf>() {
        return Ok(vec![s.display().to_string()]);
    }
    let mut out = Vec::new();
    for item in obj.try_iter()? {
        let p: PathBuf = item?.extract().map_err(|_| PyTypeError::new_err("data_files entries must be paths"))?;
        out.push(p.display().to_string());
    }
    Ok(out)
}

/// HF's `data_files`: a path, a list of paths, or a dict split → path(s).
pub(crate) fn data_files(obj: &Bound<'_, PyAny>) -> PyResult<DataFiles> {
    if let Ok(d) = obj.downcast::<PyDict>() {
        let mut splits = Vec::new();
        for (k, v) in d.iter() {
            splits.push((k.extract::<String>()?, strings(&v)?));
        }
        return Ok(DataFiles::Splits(splits));
    }
    Ok(DataFiles::List(strings(obj)?))
}

fn one_byte(name: &str, v: &Bound<'_, PyAny>) -> PyResult<Option<u8>> {
    if v.is_none() {
        return Ok(None);
    }
    let s: String = v.extract()?;
    match s.as_bytes() {
        [b] => Ok(Some(*b)),
        _ => Err(PyValueError::new_err(format!("{name} must be a single character, not {s:?}"))),
    }
}

/// pandas' `skiprows`: a number of lines at the top of each file, or the line numbers to skip when
/// they are the first ones (`[0, 1, 2]`); other lists and callables are not supported.
fn skip_rows(v: &Bound<'_, PyAny>) -> PyResult<usize> {
    if let Ok(n) = v.extract::<usize>() {
        return Ok(n);
    }
    let unsupported = || {
        PyValueError::new_err(format!(
            "skiprows must be a non-negative int or a list of the first line numbers (0, 1, ...), not {v}"
        ))
    };
    let mut lines: Vec<usize> = v.extract().map_err(|_| unsupported())?;
    lines.sort_unstable();
    lines.dedup();
    if lines.iter().enumerate().all(|(i, &l)| i == l) {
        Ok(lines.len())
    } else {
        Err(unsupported())
    }
}

/// Loader options from HF's keyword arguments.
pub(crate) fn load_options(kw: Option<&Bound<'_, PyDict>>) -> PyResult<LoadOptions> {
    let mut o = LoadOptions::default();
    let Some(kw) = kw else { return Ok(o) };
    for (k, v) in kw.iter() {
        let key: String = k.extract()?;
        if v.is_none() && key != "delimiter" && key != "sep" && key != "header" {
            continue;
        }
        match key.as_str() {
            "field" => o.field = Some(v.extract()?),
            "delimiter" | "sep" => o.delimiter = one_byte(&key, &v)?.or(o.delimiter),
            "quotechar" => o.quote = one_byte(&key, &v)?.unwrap_or(b'"'),
            "escapechar" => o.escape = one_byte(&key, &v)?,
            "comment" => o.comment = one_byte(&key, &v)?,
            "skiprows" => o.skip_rows = skip_rows(&v)?,
            "header" => {
                o.header = match v.extract::<Option<i64>>() {
                    Ok(Some(0)) => true,
                    Ok(None) => false,
                    _ => v.extract::<bool>().map_err(|_| PyValueError::new_err("header must be 0 or None"))?,
                }
            }
            "sample_by" => o.sample_by = SampleBy::parse(&v.extract::<String>()?).py_err()?,
            "keep_linebreaks" => o.keep_linebreaks = v.extract()?,
            "columns" => o.columns = Some(v.extract()?),
            "batch_rows" | "chunksize" | "batch_size" => o.batch_rows = v.extract::<usize>()?.max(1),
            "features_json" => {
                let types = feature_types(&v.extract::<String>()?)?;
                let fields: Vec<arrow_schema::Field> =
                    types.into_iter().map(|(n, t)| arrow_schema::Field::new(n, t, true)).collect();
                o.schema = Some(std::sync::Arc::new(arrow_schema::Schema::new(fields)));
            }
            other => {
                return Err(PyTypeError::new_err(format!(
                    "load_dataset() got an unexpected keyword argument '{other}'"
                )))
            }
        }
    }
    Ok(o)
}

fn format_of(format: Option<&str>) -> PyResult<Option<Format>> {
    format.map(Format::parse).transpose().py_err()
}

/// Every split (→ list of (name, `_Dataset`)), or one split with HF slicing (→ `_Dataset`).
#[pyfunction]
#[pyo3(signature = (format, data_files, split=None, options=None, progress=None))]
pub(crate) fn _load_dataset(
    py: Python<'_>,
    format: Option<&str>,
    data_files: &Bound<'_, PyAny>,
    split: Option<&str>,
    options: Option<Bound<'_, PyDict>>,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let format = format_of(format)?;
    let files = self::data_files(data_files)?;
    let opts = load_options(options.as_ref())?;
    let p = PyProgress::new(progress);
    match split {
        Some(split) => {
            let ds = py.detach(|| load::load_split(format, &files, split, &opts, None, &p)).py_err()?;
            Ok(Py::new(py, wrap(ds.with_split(Some(split))))?.into_any())
        }
        None => {
            let dd = py.detach(|| load::load_dataset(format, &files, &opts, None, &p)).py_err()?;
            let list = PyList::empty(py);
            for (name, d) in dd.iter() {
                list.append((name, Py::new(py, wrap(d.with_split(Some(name))))?))?;
            }
            Ok(list.into_any().unbind())
        }
    }
}

/// HF's `load_dataset(..., streaming=True)` for one split.
#[pyfunction]
#[pyo3(signature = (format, data_files, split, options=None))]
pub(crate) fn _load_streaming(
    py: Python<'_>,
    format: Option<&str>,
    data_files: &Bound<'_, PyAny>,
    split: &str,
    options: Option<Bound<'_, PyDict>>,
) -> PyResult<PyIterable> {
    let format = format_of(format)?;
    let files = self::data_files(data_files)?;
    let opts = load_options(options.as_ref())?;
    let it = py
        .detach(|| {
            if format == Some(Format::Imdb) {
                let DataFiles::List(paths) = &files else {
                    return Err(tokenmill_datasets::Error::Invalid("imdb takes one path".into()));
                };
                let [p] = paths.as_slice() else {
                    return Err(tokenmill_datasets::Error::Invalid("imdb takes exactly one path".into()));
                };
                let p = PathBuf::from(p);
                if !p.exists() {
                    return Err(tokenmill_datasets::Error::io(
                        &p,
                        std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory"),
                    ));
                }
                IterableDataset::imdb(p, split, opts)
            } else {
                IterableDataset::from_data_files(format, &files, split, opts)
            }
        })
        .py_err()?;
    Ok(PyIterable::new(it))
}

/// The split names `data_files` resolves to (streaming without a split).
#[pyfunction]
pub(crate) fn _split_names(format: Option<&str>, data_files: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if format_of(format)? == Some(Format::Imdb) {
        return Ok(load::imdb::SPLITS.iter().map(|s| s.to_string()).collect());
    }
    let files = self::data_files(data_files)?;
    Ok(load::files::resolve(&files).py_err()?.into_iter().map(|s| s.0).collect())
}
