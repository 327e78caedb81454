//! The `Metaspace` decoder: the replacement char (`▁`) back to spaces; the first token's ones are
//! dropped unless the prepend scheme is `never` (they stand for the space SentencePiece added).

use serde::{Deserialize, Deserializer, Serialize};

use super::Decode;
use crate::error::Result;

/// When the Metaspace pre-tokenizer prepends the replacement char.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrependScheme {
    /// Only before the first piece of the text.
    First,
    Never,
    #[default]
    Always,
}

/// `{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true}`; older files
/// say `"add_prefix_space": bool` instead of `prepend_scheme`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetaspaceDecoder {
    pub replacement: char,
    pub prepend_scheme: PrependScheme,
    pub split: bool,
}

impl Default for MetaspaceDecoder {
    fn default() -> Self {
        MetaspaceDecoder { replacement: '\u{2581}', prepend_scheme: PrependScheme::Always, split: true }
    }
}

impl<'de> Deserialize<'de> for MetaspaceDecoder {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default = "default_replacement")]
            replacement: char,
            prepend_scheme: Option<PrependScheme>,
            add_prefix_space: Option<bool>,
            #[serde(default = "yes")]
            split: bool,
        }
        let raw = Raw::deserialize(d)?;
        let prepend_scheme = match (raw.prepend_scheme, raw.add_prefix_space) {
            (Some(s), _) => s,
            (None, Some(false)) => PrependScheme::Never,
            (None, _) => PrependScheme::Always,
        };
        Ok(MetaspaceDecoder { replacement: raw.replacement, prepend_scheme, split: raw.split })
    }
}

fn default_replacement() -> char {
    '\u{2581}'
}

fn yes() -> bool {
    true
}

impl Decode for MetaspaceDecoder {
    fn decode_chain(&self, tokens: Vec<String>) -> Result<Vec<String>> {
        let drop_first = self.prepend_scheme != PrependScheme::Never;
        Ok(tokens
            .into_iter()
            .enumerate()
            .map(|(i, token)| {
                if !token.contains(self.replacement) {
                    return token;
                }
                token
                    .chars()
                    .filter_map(|c| match c {
                        c if c != self.replacement => Some(c),
                        _ if i == 0 && drop_first => None,
                        _ => Some(' '),
                    })
                    .collect()
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn schemes() {
        let d = MetaspaceDecoder::default();
        assert_eq!(d.decode(toks(&["▁a▁b", "▁c▁", "▁"])).unwrap(), "ab c  ");
        let never = MetaspaceDecoder { prepend_scheme: PrependScheme::Never, ..Default::default() };
        assert_eq!(never.decode(toks(&["▁a▁b", "▁c▁"])).unwrap(), " a b c ");
        let legacy: MetaspaceDecoder = serde_json::from_str(r#"{"replacement":"▁","add_prefix_space":false}"#).unwrap();
        assert_eq!(legacy.prepend_scheme, PrependScheme::Never);
    }
}
