//! `sort`: a stable sort of the rows by one or more columns, as an indices mapping. Nulls go last
//! (HF's default `null_placement="at_end"`); equal keys keep their order in both directions, as
//! pyarrow's stable `sort_indices` does.

use arrow_ord::ord::{make_comparator, DynComparator};
use arrow_schema::SortOptions;

use crate::dataset::Dataset;
use crate::error::Result;

/// `sort(column, reverse)`.
pub fn sort(ds: &Dataset, column: &str, reverse: bool) -> Result<Dataset> {
    sort_by(ds, &[(column.to_string(), reverse)])
}

/// `sort([columns], reverse=[...])`: by the first column, ties by the next, and so on.
pub fn sort_by(ds: &Dataset, keys: &[(String, bool)]) -> Result<Dataset> {
    let mut cmps: Vec<DynComparator> = Vec::with_capacity(keys.len());
    for (column, reverse) in keys {
        let values = ds.column(column)?;
        cmps.push(make_comparator(
            values.as_ref(),
            values.as_ref(),
            SortOptions { descending: *reverse, nulls_first: false },
        )?);
    }
    let mut rows: Vec<u64> = (0..ds.num_rows() as u64).collect();
    // slice::sort_by is a stable merge sort.
    rows.sort_by(|&a, &b| {
        cmps.iter().map(|c| c(a as usize, b as usize)).find(|o| o.is_ne()).unwrap_or(std::cmp::Ordering::Equal)
    });
    super::with_rows(ds, rows, "sort", serde_json::json!(keys))
}
