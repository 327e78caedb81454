//! `TemplateProcessing`: special tokens and sequences laid out by a template such as
//! `"[CLS] $A [SEP] $B:1 [SEP]:1"`, each piece with its type id.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{merge_processed, special_encoding, PostProcess};
use crate::encoding::surround::Special;
use crate::encoding::Encoding;
use crate::error::{Error, Result};

/// Which input a `Sequence` piece stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SequenceId {
    A,
    B,
}

/// One template piece: `{"Sequence": {"id": "A", "type_id": 0}}` or
/// `{"SpecialToken": {"id": "[CLS]", "type_id": 0}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Piece {
    Sequence { id: SequenceId, type_id: u32 },
    SpecialToken { id: String, type_id: u32 },
}

impl Piece {
    /// `$A`, `$B`, `$` (A), `$1` (A with type id 1), any other word is a special token; an optional
    /// `:type_id` suffix sets the type id.
    pub fn parse(s: &str) -> Result<Piece> {
        let err = || template_err(format!("Cannot build Piece from string \"{s}\""));
        let mut parts = s.split(':');
        let head = parts.next().unwrap_or_default();
        let type_id = match parts.next() {
            Some(t) => Some(t.parse::<u32>().map_err(|_| err())?),
            None => None,
        };
        if parts.next().is_some() {
            return Err(err());
        }
        let piece = match head.strip_prefix('$') {
            Some("" | "A" | "a") => Piece::Sequence { id: SequenceId::A, type_id: 0 },
            Some("B" | "b") => Piece::Sequence { id: SequenceId::B, type_id: 0 },
            Some(n) => Piece::Sequence { id: SequenceId::A, type_id: n.parse().map_err(|_| err())? },
            None => Piece::SpecialToken { id: head.to_string(), type_id: 0 },
        };
        Ok(match (piece, type_id) {
            (Piece::Sequence { id, .. }, Some(t)) => Piece::Sequence { id, type_id: t },
            (Piece::SpecialToken { id, .. }, Some(t)) => Piece::SpecialToken { id, type_id: t },
            (p, None) => p,
        })
    }
}

/// A list of pieces. Deserializes from HF's list of objects, a list of strings, or one string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TemplateIn")]
pub struct Template(pub Vec<Piece>);

impl Template {
    /// Parses `"[CLS] $A [SEP]"`.
    pub fn parse(s: &str) -> Result<Template> {
        s.split_whitespace().map(Piece::parse).collect::<Result<_>>().map(Template)
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum TemplateIn {
    Text(String),
    List(Vec<PieceIn>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum PieceIn {
    Text(String),
    Piece(Piece),
}

impl TryFrom<TemplateIn> for Template {
    type Error = Error;
    fn try_from(t: TemplateIn) -> Result<Template> {
        match t {
            TemplateIn::Text(s) => Template::parse(&s),
            TemplateIn::List(items) => items
                .into_iter()
                .map(|p| match p {
                    PieceIn::Text(s) => Piece::parse(&s),
                    PieceIn::Piece(p) => Ok(p),
                })
                .collect::<Result<_>>()
                .map(Template),
        }
    }
}

/// A special token of the template: its name in the template and the ids/tokens it inserts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialToken {
    pub id: String,
    pub ids: Vec<u32>,
    pub tokens: Vec<String>,
}

impl SpecialToken {
    pub fn new(id: String, ids: Vec<u32>, tokens: Vec<String>) -> Result<Self> {
        if ids.len() != tokens.len() {
            return Err(template_err("SpecialToken: ids and tokens must be of the same length"));
        }
        Ok(SpecialToken { id, ids, tokens })
    }

    /// The usual one-token case: `("[CLS]", 101)`.
    pub fn single(token: &str, id: u32) -> Self {
        SpecialToken { id: token.to_string(), ids: vec![id], tokens: vec![token.to_string()] }
    }
}

/// `{"type": "TemplateProcessing", "single": [...], "pair": [...], "special_tokens": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TemplateRaw")]
pub struct TemplateProcessing {
    single: Template,
    pair: Template,
    special_tokens: BTreeMap<String, SpecialToken>,
    #[serde(skip)]
    added_single: usize,
    #[serde(skip)]
    added_pair: usize,
}

#[derive(Deserialize)]
struct TemplateRaw {
    #[serde(default = "default_single")]
    single: Template,
    #[serde(default = "default_pair")]
    pair: Template,
    #[serde(default)]
    special_tokens: TokensIn,
}

#[derive(Deserialize, Default)]
#[serde(untagged)]
enum TokensIn {
    Map(BTreeMap<String, SpecialToken>),
    List(Vec<SpecialToken>),
    #[default]
    None,
}

fn default_single() -> Template {
    Template(vec![Piece::Sequence { id: SequenceId::A, type_id: 0 }])
}

fn default_pair() -> Template {
    Template(vec![Piece::Sequence { id: SequenceId::A, type_id: 0 }, Piece::Sequence { id: SequenceId::B, type_id: 1 }])
}

impl TryFrom<TemplateRaw> for TemplateProcessing {
    type Error = Error;
    fn try_from(raw: TemplateRaw) -> Result<Self> {
        let tokens = match raw.special_tokens {
            TokensIn::Map(m) => m.into_values().collect(),
            TokensIn::List(l) => l,
            TokensIn::None => Vec::new(),
        };
        TemplateProcessing::new(raw.single, raw.pair, tokens)
    }
}

impl TemplateProcessing {
    /// Checks that every special token of the templates is defined.
    pub fn new(single: Template, pair: Template, special_tokens: Vec<SpecialToken>) -> Result<Self> {
        let mut map = BTreeMap::new();
        for t in special_tokens {
            if t.ids.len() != t.tokens.len() {
                return Err(template_err(format!("SpecialToken {:?}: ids and tokens differ in length", t.id)));
            }
            map.insert(t.id.clone(), t);
        }
        let mut missing: Vec<&str> = Vec::new();
        for piece in single.0.iter().chain(&pair.0) {
            if let Piece::SpecialToken { id, .. } = piece {
                if !map.contains_key(id) && !missing.contains(&id.as_str()) {
                    missing.push(id);
                }
            }
        }
        if !missing.is_empty() {
            return Err(template_err(format!("Missing SpecialToken(s) with id(s) `{}`", missing.join(", "))));
        }
        let added = |t: &Template| {
            t.0.iter()
                .map(|p| match p {
                    Piece::SpecialToken { id, .. } => map[id].ids.len(),
                    Piece::Sequence { .. } => 0,
                })
                .sum()
        };
        let (added_single, added_pair) = (added(&single), added(&pair));
        Ok(TemplateProcessing { single, pair, special_tokens: map, added_single, added_pair })
    }

    /// From template strings and `(token, id)` special tokens, as Python's constructor.
    pub fn from_str_templates(single: &str, pair: Option<&str>, special_tokens: &[(&str, u32)]) -> Result<Self> {
        let pair = match pair {
            Some(p) => Template::parse(p)?,
            None => default_pair(),
        };
        let tokens = special_tokens.iter().map(|&(t, id)| SpecialToken::single(t, id)).collect();
        TemplateProcessing::new(Template::parse(single)?, pair, tokens)
    }

    pub fn single(&self) -> &Template {
        &self.single
    }

    pub fn pair(&self) -> &Template {
        &self.pair
    }

    pub fn special_tokens(&self) -> &BTreeMap<String, SpecialToken> {
        &self.special_tokens
    }
}

impl TemplateProcessing {
    /// The special tokens of `pieces` (each may stand for several ids), with their type ids.
    fn specials<'a>(&'a self, pieces: &'a [Piece], out: &mut Vec<Special<'a>>) {
        for piece in pieces {
            if let Piece::SpecialToken { id, type_id } = piece {
                if let Some(t) = self.special_tokens.get(id) {
                    out.extend(t.ids.iter().zip(&t.tokens).map(|(&i, tok)| (i, tok.as_str(), *type_id)));
                }
            }
        }
    }
}

impl PostProcess for TemplateProcessing {
    /// A single sequence without overflowing windows, under a template with one `$A`, is wrapped in
    /// place (the common case); everything else goes the general way of processed pieces merged.
    fn process(&self, mut encoding: Encoding, pair: Option<Encoding>, add_special_tokens: bool) -> Result<Encoding> {
        let pieces = &self.single.0;
        let mut seqs = pieces.iter().enumerate().filter(|(_, p)| matches!(p, Piece::Sequence { .. }));
        let (Some((k, &Piece::Sequence { id: SequenceId::A, type_id })), None) = (seqs.next(), seqs.next()) else {
            return merge_processed(self, encoding, pair, add_special_tokens);
        };
        if pair.is_some() || !encoding.overflowing.is_empty() {
            return merge_processed(self, encoding, pair, add_special_tokens);
        }
        encoding.set_type_ids(type_id);
        encoding.set_sequence_id(0);
        if add_special_tokens {
            let (mut before, mut after) = (Vec::new(), Vec::new());
            self.specials(&pieces[..k], &mut before);
            self.specials(&pieces[k + 1..], &mut after);
            encoding.surround(&before, &after);
        }
        Ok(encoding)
    }

    fn added_tokens(&self, is_pair: bool) -> usize {
        if is_pair {
            self.added_pair
        } else {
            self.added_single
        }
    }

    fn process_encodings(&self, mut encodings: Vec<Encoding>, add_special_tokens: bool) -> Result<Vec<Encoding>> {
        let template = match encodings.len() {
            1 => &self.single,
            2 => &self.pair,
            n => return Err(template_err(format!("expected 1 or 2 encodings, got {n}"))),
        };
        let mut out = Vec::with_capacity(template.0.len());
        // The last use of each sequence moves it instead of cloning (a clone copies every token string).
        let mut last_use = [usize::MAX; 2];
        for (k, piece) in template.0.iter().enumerate() {
            if let Piece::Sequence { id, .. } = piece {
                last_use[usize::from(*id == SequenceId::B)] = k;
            }
        }
        for (k, piece) in template.0.iter().enumerate() {
            match piece {
                Piece::Sequence { id, type_id } => {
                    let i = usize::from(*id == SequenceId::B);
                    let e =
                        encodings.get_mut(i).ok_or_else(|| template_err("template uses $B for a single sequence"))?;
                    // Only the encoding itself, not its overflowing windows (Hugging Face's behaviour).
                    e.set_type_ids(*type_id);
                    e.set_sequence_id(i);
                    out.push(if last_use[i] == k { std::mem::take(e) } else { e.clone() });
                }
                Piece::SpecialToken { id, type_id } => {
                    if add_special_tokens {
                        let t = &self.special_tokens[id]; // checked in `new`
                        out.push(special_encoding(&t.ids, &t.tokens, *type_id));
                    }
                }
            }
        }
        Ok(out)
    }
}

fn template_err(reason: impl Into<String>) -> Error {
    Error::Component { component: "TemplateProcessing", reason: reason.into() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::tests::seq;

    fn bert() -> TemplateProcessing {
        TemplateProcessing::from_str_templates(
            "[CLS] $0 [SEP]",
            Some("[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1"),
            &[("[CLS]", 1), ("[SEP]", 0)],
        )
        .unwrap()
    }

    #[test]
    fn pieces_parse() {
        assert_eq!(Piece::parse("$").unwrap(), Piece::Sequence { id: SequenceId::A, type_id: 0 });
        assert_eq!(Piece::parse("$B").unwrap(), Piece::Sequence { id: SequenceId::B, type_id: 0 });
        assert_eq!(Piece::parse("$1").unwrap(), Piece::Sequence { id: SequenceId::A, type_id: 1 });
        assert_eq!(Piece::parse("$B:2").unwrap(), Piece::Sequence { id: SequenceId::B, type_id: 2 });
        assert_eq!(Piece::parse("$:1").unwrap(), Piece::Sequence { id: SequenceId::A, type_id: 1 });
        assert_eq!(Piece::parse("[SEP]:1").unwrap(), Piece::SpecialToken { id: "[SEP]".into(), type_id: 1 });
        assert!(Piece::parse("$C:1").is_err());
        assert!(Piece::parse("$A:").is_err());
    }

    #[test]
    fn processes_like_bert() {
        let p = bert();
        assert_eq!((p.added_tokens(false), p.added_tokens(true)), (2, 3));
        let e = p.process(seq(2, 0), Some(seq(1, 0)), true).unwrap();
        assert_eq!(e.ids, vec![1, 10, 11, 0, 10, 0]);
        assert_eq!(e.type_ids, vec![0, 0, 0, 0, 1, 1]);
        assert_eq!(e.special_tokens_mask, vec![1, 0, 0, 1, 0, 1]);
        assert_eq!(e.sequence_ids(), vec![None, Some(0), Some(0), None, Some(1), None]);
        let e = p.process(seq(2, 0), None, false).unwrap();
        assert_eq!(e.ids, vec![10, 11]);
    }

    #[test]
    fn serde_forms() {
        let json = r#"{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"[CLS]","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"[SEP]","type_id":0}}],"pair":[{"SpecialToken":{"id":"[CLS]","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"[SEP]","type_id":0}},{"Sequence":{"id":"B","type_id":1}},{"SpecialToken":{"id":"[SEP]","type_id":1}}],"special_tokens":{"[CLS]":{"id":"[CLS]","ids":[1],"tokens":["[CLS]"]},"[SEP]":{"id":"[SEP]","ids":[0],"tokens":["[SEP]"]}}}"#;
        let p: crate::postprocessor::PostProcessor = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), json);
        assert_eq!(p, crate::postprocessor::PostProcessor::TemplateProcessing(bert()));
        let s: TemplateProcessing = serde_json::from_str(
            r#"{"single":"[CLS] $A [SEP]","pair":["[CLS]","$A","[SEP]","$B:1","[SEP]:1"],"special_tokens":{"[CLS]":{"id":"[CLS]","ids":[1],"tokens":["[CLS]"]},"[SEP]":{"id":"[SEP]","ids":[0],"tokens":["[SEP]"]}}}"#,
        )
        .unwrap();
        assert_eq!(s, bert());
        let err = serde_json::from_str::<TemplateProcessing>(r#"{"single":"[X] $A","special_tokens":{}}"#);
        assert!(err.unwrap_err().to_string().contains("Missing SpecialToken(s) with id(s) `[X]`"));
    }
}
