//! The datasets API's native half: `_`-prefixed classes and functions of `tokenmill._tokenmill`
//! over `tokenmill-datasets` (arrow exchange, `_Dataset`, `_Writer`, `_Iterable`, loaders,
//! native tokenize). The HF-shaped Python layer is `python/tokenmill/datasets/`.

mod arrow;
mod dataset;
mod errors;
mod load;
mod prefetch;
mod progress;
mod pylists;
mod stream;
mod tokenize;
mod writer;

use pyo3::prelude::*;

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("DatasetsError", py.get_type::<errors::DatasetsError>())?;
    m.add_class::<arrow::ArrowStream>()?;
    m.add_class::<dataset::PyDataset>()?;
    m.add_class::<writer::Writer>()?;
    m.add_class::<pylists::PyArrowArray>()?;
    m.add_class::<prefetch::Prefetch>()?;
    m.add_function(wrap_pyfunction!(pylists::_strings_to_list, m)?)?;
    m.add_function(wrap_pyfunction!(pylists::_strings_from_list, m)?)?;
    m.add_class::<stream::PyIterable>()?;
    m.add_class::<stream::PyStreamIter>()?;
    m.add_function(wrap_pyfunction!(dataset::_load_from_disk, m)?)?;
    m.add_function(wrap_pyfunction!(dataset::_save_dict, m)?)?;
    m.add_function(wrap_pyfunction!(dataset::_cache_dir, m)?)?;
    m.add_function(wrap_pyfunction!(dataset::_record_lineage, m)?)?;
    m.add_function(wrap_pyfunction!(dataset::_features_schema, m)?)?;
    m.add_function(wrap_pyfunction!(dataset::_schema_features, m)?)?;
    m.add_function(wrap_pyfunction!(load::_load_dataset, m)?)?;
    m.add_function(wrap_pyfunction!(load::_load_streaming, m)?)?;
    m.add_function(wrap_pyfunction!(load::_split_names, m)?)?;
    m.add_function(wrap_pyfunction!(tokenize::_is_native_tokenizer, m)?)?;
    m.add_function(wrap_pyfunction!(tokenize::_tokenize, m)?)?;
    m.add_function(wrap_pyfunction!(tokenize::_pack, m)?)?;
    m.add_function(wrap_pyfunction!(tokenize::_special_token_id, m)?)?;
    Ok(())
}
