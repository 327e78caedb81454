//! Truncating an encoding or a pair to a maximum length (Hugging Face's `truncate_encodings` and the
//! `"truncation"` object of `tokenizer.json`).

use serde::{Deserialize, Serialize};

use crate::encoding::Encoding;
pub use crate::encoding::TruncationDirection;
use crate::error::{Error, Result};

/// Which sequence of a pair loses tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TruncationStrategy {
    /// Shorten the longer sequence first, down to an even split.
    #[default]
    LongestFirst,
    OnlyFirst,
    OnlySecond,
}

/// `"truncation": {"direction": "Right", "max_length": 128, "strategy": "LongestFirst", "stride": 0}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruncationParams {
    #[serde(default)]
    pub direction: TruncationDirection,
    pub max_length: usize,
    #[serde(default)]
    pub strategy: TruncationStrategy,
    #[serde(default)]
    pub stride: usize,
}

impl Default for TruncationParams {
    fn default() -> Self {
        TruncationParams {
            direction: TruncationDirection::Right,
            max_length: 512,
            strategy: TruncationStrategy::LongestFirst,
            stride: 0,
        }
    }
}

impl TruncationParams {
    /// HF's check when truncation is enabled: the stride must fit in the length left once the
    /// post-processor's special tokens for a single sequence (`added_single`) are accounted for.
    /// Like HF, a `max_length` below `added_single` passes (its subtraction wraps).
    pub fn validate(&self, added_single: usize) -> Result<()> {
        match self.max_length.checked_sub(added_single) {
            Some(effective) if effective < self.stride => Err(Error::TruncationParams(format!(
                "tokenizer stride set to {}, which is greater than or equal to its effective max length of {} \
                 (= {} original max length - {} added special tokens), ",
                self.stride, effective, self.max_length, added_single
            ))),
            _ => Ok(()),
        }
    }
}

/// Truncates `encoding` (and `pair`) so that together they hold at most `params.max_length` tokens.
/// The caller subtracts what the post-processor will add (`PostProcess::added_tokens`) first.
pub fn truncate_encodings(
    mut encoding: Encoding,
    mut pair: Option<Encoding>,
    params: &TruncationParams,
) -> Result<(Encoding, Option<Encoding>)> {
    let (stride, dir) = (params.stride, params.direction);
    if params.max_length == 0 {
        encoding.truncate(0, stride, dir)?;
        if let Some(p) = pair.as_mut() {
            p.truncate(0, stride, dir)?;
        }
        return Ok((encoding, pair));
    }
    let total = encoding.len() + pair.as_ref().map_or(0, |p| p.len());
    if total <= params.max_length {
        return Ok((encoding, pair));
    }
    let to_remove = total - params.max_length;
    match params.strategy {
        TruncationStrategy::LongestFirst => match pair.as_mut() {
            Some(p) => {
                let (n1, n2) = longest_first(encoding.len(), p.len(), params.max_length);
                encoding.truncate(n1, stride, dir)?;
                p.truncate(n2, stride, dir)?;
            }
            None => encoding.truncate(total - to_remove, stride, dir)?,
        },
        TruncationStrategy::OnlyFirst | TruncationStrategy::OnlySecond => {
            let target = if params.strategy == TruncationStrategy::OnlyFirst {
                &mut encoding
            } else {
                pair.as_mut().ok_or_else(|| Error::Truncation("Second sequence not provided".into()))?
            };
            let len = target.len();
            if len <= to_remove {
                return Err(Error::Truncation(
                    "Sequence to truncate too short to respect the provided max_length".into(),
                ));
            }
            target.truncate(len - to_remove, stride, dir)?;
        }
    }
    Ok((encoding, pair))
}

/// Target lengths of a pair of lengths `a`, `b` under LongestFirst: the shorter one is kept whole
/// when the longer one can absorb the cut, otherwise both get half of `max` (the first gets the
/// smaller half unless it is the longer one).
fn longest_first(a: usize, b: usize, max: usize) -> (usize, usize) {
    let swap = a > b;
    let mut n1 = a.min(b);
    // The longer one may keep what the shorter leaves (at least as much as the shorter).
    let mut n2 = if n1 > max { n1 } else { n1.max(max - n1) };
    if n1 + n2 > max {
        n1 = max / 2;
        n2 = n1 + max % 2;
    }
    if swap {
        (n2, n1)
    } else {
        (n1, n2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::tests::seq;

    fn params(max_length: usize, strategy: TruncationStrategy, stride: usize) -> TruncationParams {
        TruncationParams { max_length, strategy, stride, direction: TruncationDirection::Right }
    }

    #[test]
    fn longest_first_splits() {
        assert_eq!(longest_first(2, 10, 6), (2, 4));
        assert_eq!(longest_first(10, 2, 6), (4, 2));
        assert_eq!(longest_first(5, 5, 7), (3, 4));
        assert_eq!(longest_first(8, 9, 5), (2, 3));
        assert_eq!(longest_first(9, 8, 5), (3, 2));
    }

    #[test]
    fn strategies() {
        let (a, b) =
            truncate_encodings(seq(5, 0), Some(seq(3, 1)), &params(6, TruncationStrategy::OnlyFirst, 0)).unwrap();
        assert_eq!((a.len(), b.unwrap().len()), (3, 3));
        assert_eq!(a.overflowing.len(), 1);
        let (a, b) =
            truncate_encodings(seq(5, 0), Some(seq(3, 1)), &params(6, TruncationStrategy::OnlySecond, 0)).unwrap();
        assert_eq!((a.len(), b.unwrap().len()), (5, 1));
        let err = truncate_encodings(seq(5, 0), Some(seq(3, 1)), &params(3, TruncationStrategy::OnlySecond, 0));
        assert!(err.unwrap_err().to_string().contains("too short"));
        let err = truncate_encodings(seq(5, 0), None, &params(3, TruncationStrategy::OnlySecond, 0));
        assert!(err.unwrap_err().to_string().contains("Second sequence not provided"));
        let (a, b) = truncate_encodings(seq(5, 0), None, &params(3, TruncationStrategy::LongestFirst, 0)).unwrap();
        assert_eq!((a.len(), b), (3, None));
    }

    #[test]
    fn validate_like_enable_truncation() {
        let p = |max_length, stride| TruncationParams { max_length, stride, ..Default::default() };
        let err = p(3, 2).validate(2).unwrap_err().to_string();
        assert_eq!(
            err,
            "tokenizer stride set to 2, which is greater than or equal to its effective max length of 1 \
             (= 3 original max length - 2 added special tokens), "
        );
        assert!(p(4, 2).validate(2).is_ok());
        assert!(p(1, 5).validate(2).is_ok());
        assert!(p(3, 3).validate(0).is_ok());
        assert!(p(3, 4).validate(0).is_err());
    }

    #[test]
    fn serde_shape() {
        let p: TruncationParams =
            serde_json::from_str(r#"{"max_length": 128, "strategy": "LongestFirst", "stride": 0}"#).unwrap();
        assert_eq!(p.max_length, 128);
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"direction":"Right","max_length":128,"strategy":"LongestFirst","stride":0}"#
        );
    }
}
