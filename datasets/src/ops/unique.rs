//! `unique(column)`: the distinct values of a column in order of first appearance (HF's
//! `Dataset.unique`, i.e. pyarrow's `unique`), nulls included once.

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use rustc_hash::FxHashSet;

use crate::dataset::Dataset;
use crate::error::{Error, Result};

/// The distinct values, as an array of the column's type.
pub fn unique(ds: &Dataset, column: &str) -> Result<ArrayRef> {
    let values = ds.column(column)?;
    let first = first_occurrences(values.as_ref(), column)?;
    let idx = arrow_array::UInt64Array::from(first);
    Ok(arrow_select::take::take(values.as_ref(), &idx, None)?)
}

/// Positions of the first occurrence of each distinct value. Keys are the values' bytes (one
/// allocation per distinct value, none per row); floats compare by bit pattern as Arrow's hashing.
fn first_occurrences(a: &dyn Array, column: &str) -> Result<Vec<u64>> {
    let mut seen: FxHashSet<Vec<u8>> = FxHashSet::default();
    let mut null_seen = false;
    let mut out = Vec::new();
    let mut key = |i: usize, bytes: &[u8], out: &mut Vec<u64>| {
        if !seen.contains(bytes) {
            seen.insert(bytes.to_vec());
            out.push(i as u64);
        }
    };
    macro_rules! prim {
        ($t:ty) => {{
            let p = a.as_primitive::<$t>();
            for i in 0..p.len() {
                if p.is_null(i) {
                    if !std::mem::replace(&mut null_seen, true) {
                        out.push(i as u64);
                    }
                } else {
                    key(i, &p.value(i).to_le_bytes(), &mut out);
                }
            }
        }};
    }
    macro_rules! bytes {
        ($arr:expr) => {{
            let s = $arr;
            for i in 0..s.len() {
                if s.is_null(i) {
                    if !std::mem::replace(&mut null_seen, true) {
                        out.push(i as u64);
                    }
                } else {
                    key(i, AsRef::<[u8]>::as_ref(s.value(i)), &mut out);
                }
            }
        }};
    }
    use arrow_array::types::*;
    match a.data_type() {
        DataType::Int8 => prim!(Int8Type),
        DataType::Int16 => prim!(Int16Type),
        DataType::Int32 => prim!(Int32Type),
        DataType::Int64 => prim!(Int64Type),
        DataType::UInt8 => prim!(UInt8Type),
        DataType::UInt16 => prim!(UInt16Type),
        DataType::UInt32 => prim!(UInt32Type),
        DataType::UInt64 => prim!(UInt64Type),
        DataType::Float32 => prim!(Float32Type),
        DataType::Float64 => prim!(Float64Type),
        DataType::Boolean => {
            let b = a.as_boolean();
            for i in 0..b.len() {
                if b.is_null(i) {
                    if !std::mem::replace(&mut null_seen, true) {
                        out.push(i as u64);
                    }
                } else {
                    key(i, &[b.value(i) as u8], &mut out);
                }
            }
        }
        DataType::Utf8 => bytes!(a.as_string::<i32>()),
        DataType::LargeUtf8 => bytes!(a.as_string::<i64>()),
        DataType::Binary => bytes!(a.as_binary::<i32>()),
        DataType::LargeBinary => bytes!(a.as_binary::<i64>()),
        other => {
            return Err(Error::WrongType {
                column: column.into(),
                found: other.to_string(),
                expected: "integer, float, bool, string or binary".into(),
            })
        }
    }
    Ok(out)
}
