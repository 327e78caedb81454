//! `BertProcessing`: `[CLS] A [SEP]` and `[CLS] A [SEP] B [SEP]`; the second `[SEP]` gets type id 1,
//! the sequences keep the type ids they were encoded with.

use serde::{Deserialize, Serialize};

use super::{wrap, PostProcess};
use crate::encoding::Encoding;
use crate::error::Result;

/// `{"type": "BertProcessing", "sep": ["[SEP]", 102], "cls": ["[CLS]", 101]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BertProcessing {
    pub sep: (String, u32),
    pub cls: (String, u32),
}

impl Default for BertProcessing {
    fn default() -> Self {
        BertProcessing { sep: ("[SEP]".into(), 102), cls: ("[CLS]".into(), 101) }
    }
}

impl BertProcessing {
    pub fn new(sep: (String, u32), cls: (String, u32)) -> Self {
        BertProcessing { sep, cls }
    }
}

impl PostProcess for BertProcessing {
    fn added_tokens(&self, is_pair: bool) -> usize {
        if is_pair {
            3
        } else {
            2
        }
    }

    fn process_encodings(&self, encodings: Vec<Encoding>, add_special_tokens: bool) -> Result<Vec<Encoding>> {
        if !add_special_tokens {
            return Ok(encodings);
        }
        let cls = (self.cls.0.as_str(), self.cls.1, 0);
        Ok(encodings
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                if i == 0 {
                    wrap(e, Some(cls), (self.sep.0.as_str(), self.sep.1, 0), 0, None)
                } else {
                    wrap(e, None, (self.sep.0.as_str(), self.sep.1, 1), i, None)
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::tests::seq;

    #[test]
    fn wraps_single_and_pair() {
        let p = BertProcessing::default();
        let e = p.process(seq(2, 0), Some(seq(1, 1)), true).unwrap();
        assert_eq!(e.ids, vec![101, 10, 11, 102, 10, 102]);
        assert_eq!(e.type_ids, vec![0, 0, 0, 0, 1, 1]);
        assert_eq!(e.special_tokens_mask, vec![1, 0, 0, 1, 0, 1]);
        assert_eq!(e.sequence_ids(), vec![None, Some(0), Some(0), None, Some(1), None]);
        let e = p.process(seq(2, 0), None, false).unwrap();
        assert_eq!(e.ids, vec![10, 11]);
    }
}
