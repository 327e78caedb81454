//! Padding a batch of encodings to one length (Hugging Face's `pad_encodings` and the `"padding"`
//! object of `tokenizer.json`).

use serde::{Deserialize, Serialize};

use crate::encoding::Encoding;
pub use crate::encoding::PaddingDirection;

/// `"BatchLongest"` or `{"Fixed": n}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaddingStrategy {
    #[default]
    BatchLongest,
    Fixed(usize),
}

/// `"padding": {"strategy": {"Fixed": 128}, "direction": "Right", "pad_to_multiple_of": null,
/// "pad_id": 0, "pad_type_id": 0, "pad_token": "[PAD]"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaddingParams {
    #[serde(default)]
    pub strategy: PaddingStrategy,
    #[serde(default)]
    pub direction: PaddingDirection,
    #[serde(default)]
    pub pad_to_multiple_of: Option<usize>,
    #[serde(default)]
    pub pad_id: u32,
    #[serde(default)]
    pub pad_type_id: u32,
    #[serde(default = "default_pad_token")]
    pub pad_token: String,
}

fn default_pad_token() -> String {
    "[PAD]".into()
}

impl Default for PaddingParams {
    fn default() -> Self {
        PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            direction: PaddingDirection::Right,
            pad_to_multiple_of: None,
            pad_id: 0,
            pad_type_id: 0,
            pad_token: default_pad_token(),
        }
    }
}

/// The length every encoding of the batch is padded to.
pub fn padded_length(encodings: &[Encoding], params: &PaddingParams) -> usize {
    let mut n = match params.strategy {
        PaddingStrategy::Fixed(n) => n,
        PaddingStrategy::BatchLongest => encodings.iter().map(|e| e.len()).max().unwrap_or(0),
    };
    if let Some(m) = params.pad_to_multiple_of {
        if m > 0 && n % m > 0 {
            n += m - n % m;
        }
    }
    n
}

/// Pads every encoding (and its overflowing windows) to [`padded_length`].
pub fn pad_encodings(encodings: &mut [Encoding], params: &PaddingParams) {
    if encodings.is_empty() {
        return;
    }
    let n = padded_length(encodings, params);
    for e in encodings {
        e.pad(n, params.pad_id, params.pad_type_id, &params.pad_token, params.direction);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::tests::seq;

    #[test]
    fn batch_longest_and_multiple() {
        let mut batch = vec![seq(3, 0), seq(5, 0)];
        let p = PaddingParams { pad_to_multiple_of: Some(4), ..Default::default() };
        pad_encodings(&mut batch, &p);
        assert_eq!(batch[0].len(), 8);
        assert_eq!(batch[1].len(), 8);
        let mut batch = vec![seq(3, 0)];
        pad_encodings(&mut batch, &PaddingParams { strategy: PaddingStrategy::Fixed(2), ..Default::default() });
        assert_eq!(batch[0].len(), 3);
    }

    #[test]
    fn serde_shape() {
        let json = r#"{"strategy":{"Fixed":128},"direction":"Right","pad_to_multiple_of":null,"pad_id":0,"pad_type_id":0,"pad_token":"[PAD]"}"#;
        let p: PaddingParams = serde_json::from_str(json).unwrap();
        assert_eq!(p.strategy, PaddingStrategy::Fixed(128));
        assert_eq!(serde_json::to_string(&p).unwrap(), json);
        let p: PaddingParams = serde_json::from_str(r#"{"strategy":"BatchLongest","direction":"Left"}"#).unwrap();
        assert_eq!((p.strategy, p.direction), (PaddingStrategy::BatchLongest, PaddingDirection::Left));
    }
}
