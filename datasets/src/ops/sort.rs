//! `sort(column, reverse)`: a stable sort of the rows by one column, as an indices mapping. Nulls go
//! last (HF's default `null_placement="at_end"`); equal keys keep their order in both directions,
//! as pyarrow's stable `sort_indices` does.

use arrow_ord::ord::make_comparator;
use arrow_schema::SortOptions;

use crate::dataset::Dataset;
use crate::error::Result;

pub fn sort(ds: &Dataset, column: &str, reverse: bool) -> Result<Dataset> {
    let values = ds.column(column)?;
    let cmp =
        make_comparator(values.as_ref(), values.as_ref(), SortOptions { descending: reverse, nulls_first: false })?;
    let mut rows: Vec<u64> = (0..values.len() as u64).collect();
    // slice::sort_by is a stable merge sort.
    rows.sort_by(|&a, &b| cmp(a as usize, b as usize));
    super::with_rows(ds, rows, "sort", serde_json::json!({ "column": column, "reverse": reverse }))
}
