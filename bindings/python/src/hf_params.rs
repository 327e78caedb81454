//! Padding and truncation settings between Python and Rust, in HF Python's shape: the keyword
//! arguments of `enable_padding` / `enable_truncation`, the dicts of the `padding` / `truncation`
//! properties, and HF's error messages for bad values.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use tokenmill_tokenizers::padding::{PaddingDirection, PaddingParams, PaddingStrategy};
use tokenmill_tokenizers::truncation::{TruncationDirection, TruncationParams, TruncationStrategy};

pub(crate) fn padding_params(
    direction: &str,
    pad_id: u32,
    pad_type_id: u32,
    pad_token: String,
    length: Option<usize>,
    pad_to_multiple_of: Option<usize>,
) -> PyResult<PaddingParams> {
    let direction = match direction {
        "left" => PaddingDirection::Left,
        "right" => PaddingDirection::Right,
        other => {
            return Err(PyValueError::new_err(format!("Unknown `direction`: `{other}`. Use one of `left` or `right`")))
        }
    };
    Ok(PaddingParams {
        strategy: match length {
            Some(n) => PaddingStrategy::Fixed(n),
            None => PaddingStrategy::BatchLongest,
        },
        direction,
        pad_to_multiple_of,
        pad_id,
        pad_type_id,
        pad_token,
    })
}

pub(crate) fn padding_dict<'py>(py: Python<'py>, p: &PaddingParams) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item(
        "length",
        match p.strategy {
            PaddingStrategy::Fixed(n) => Some(n),
            PaddingStrategy::BatchLongest => None,
        },
    )?;
    d.set_item("pad_to_multiple_of", p.pad_to_multiple_of)?;
    d.set_item("pad_id", p.pad_id)?;
    d.set_item("pad_token", &p.pad_token)?;
    d.set_item("pad_type_id", p.pad_type_id)?;
    d.set_item(
        "direction",
        match p.direction {
            PaddingDirection::Left => "left",
            PaddingDirection::Right => "right",
        },
    )?;
    Ok(d)
}

/// HF's checks: known strategy and direction; the stride must stay below the length left once the
/// post-processor's special tokens (`added`, for a single sequence) are counted.
pub(crate) fn truncation_params(
    max_length: usize,
    stride: usize,
    strategy: &str,
    direction: &str,
    added: usize,
) -> PyResult<TruncationParams> {
    let strategy = match strategy {
        "longest_first" => TruncationStrategy::LongestFirst,
        "only_first" => TruncationStrategy::OnlyFirst,
        "only_second" => TruncationStrategy::OnlySecond,
        other => {
            return Err(PyValueError::new_err(format!(
                "Unknown `strategy`: `{other}`. Use one of `longest_first`, `only_first`, or `only_second`"
            )))
        }
    };
    let direction = match direction {
        "left" => TruncationDirection::Left,
        "right" => TruncationDirection::Right,
        other => {
            return Err(PyValueError::new_err(format!("Unknown `direction`: `{other}`. Use one of `left` or `right`")))
        }
    };
    let effective = max_length.saturating_sub(added);
    if effective < stride {
        return Err(PyValueError::new_err(format!(
            "tokenizer stride set to {stride}, which is greater than or equal to its effective max length of \
             {effective} (= {max_length} original max length - {added} added special tokens), "
        )));
    }
    Ok(TruncationParams { direction, max_length, strategy, stride })
}

pub(crate) fn truncation_dict<'py>(py: Python<'py>, t: &TruncationParams) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("max_length", t.max_length)?;
    d.set_item("stride", t.stride)?;
    d.set_item(
        "strategy",
        match t.strategy {
            TruncationStrategy::LongestFirst => "longest_first",
            TruncationStrategy::OnlyFirst => "only_first",
            TruncationStrategy::OnlySecond => "only_second",
        },
    )?;
    d.set_item(
        "direction",
        match t.direction {
            TruncationDirection::Left => "left",
            TruncationDirection::Right => "right",
        },
    )?;
    Ok(d)
}
