//! `RobertaProcessing`: `<s> A </s>` and `<s> A </s> </s> B </s>`, every type id 0, with optional
//! byte-level offset trimming first.

use serde::{Deserialize, Serialize};

use super::{byte_level::trim_offsets, wrap, PostProcess};
use crate::encoding::Encoding;
use crate::error::Result;

/// `{"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0], "trim_offsets": true,
/// "add_prefix_space": true}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RobertaProcessing {
    pub sep: (String, u32),
    pub cls: (String, u32),
    #[serde(default = "yes")]
    pub trim_offsets: bool,
    #[serde(default = "yes")]
    pub add_prefix_space: bool,
}

fn yes() -> bool {
    true
}

impl Default for RobertaProcessing {
    fn default() -> Self {
        RobertaProcessing {
            sep: ("</s>".into(), 2),
            cls: ("<s>".into(), 0),
            trim_offsets: true,
            add_prefix_space: true,
        }
    }
}

impl PostProcess for RobertaProcessing {
    fn added_tokens(&self, is_pair: bool) -> usize {
        if is_pair {
            4
        } else {
            2
        }
    }

    fn process_encodings(&self, mut encodings: Vec<Encoding>, add_special_tokens: bool) -> Result<Vec<Encoding>> {
        if self.trim_offsets {
            for e in &mut encodings {
                trim_offsets(e, self.add_prefix_space);
                for o in &mut e.overflowing {
                    trim_offsets(o, self.add_prefix_space);
                }
            }
        }
        // RoBERTa has no segment embeddings: every type id is 0. Without special tokens the
        // overflowing windows keep theirs; with them, HF rebuilds the windows with type id 0 too.
        for e in &mut encodings {
            e.set_type_ids(0);
        }
        if !add_special_tokens {
            return Ok(encodings);
        }
        let cls = (self.cls.0.as_str(), self.cls.1, 0);
        let sep = (self.sep.0.as_str(), self.sep.1, 0);
        Ok(encodings
            .into_iter()
            .enumerate()
            .map(
                |(i, e)| if i == 0 { wrap(e, Some(cls), sep, 0, Some(0)) } else { wrap(e, Some(sep), sep, i, Some(0)) },
            )
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::tests::seq;

    #[test]
    fn wraps_pair_with_double_sep() {
        let p = RobertaProcessing::default();
        let e = p.process(seq(1, 0), Some(seq(1, 1)), true).unwrap();
        assert_eq!(e.ids, vec![0, 10, 2, 2, 10, 2]);
        assert_eq!(e.type_ids, vec![0; 6]);
        assert_eq!(e.sequence_ids(), vec![None, Some(0), None, None, Some(1), None]);
        assert_eq!(p.added_tokens(true), 4);
    }
}
