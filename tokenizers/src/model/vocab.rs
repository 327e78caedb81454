//! The string vocabulary shared by the `tokenizer.json` models: token → id for lookups and
//! id → token for values and decoding, loaded from HF's JSON shape with errors naming the entry.

use serde_json::Value;

use super::bpe::MAX_TOKEN_ID;
use super::hash::FastMap;
use super::table::ByteTable;
use crate::error::{Error, Result};

/// Token strings and their ids. Several tokens may share an id (HF allows it); `token(id)` then
/// returns the one inserted last.
#[derive(Debug, Clone)]
pub struct Vocab {
    ids: FastMap<Box<str>, u32>,
    tokens: Vec<Option<Box<str>>>,
    /// The same map as `ids` for lookups: short keys sit inline in the slots, so a lookup is
    /// one probe with no pointer to chase.
    table: ByteTable,
}

impl Default for Vocab {
    fn default() -> Self {
        Vocab { ids: FastMap::default(), tokens: Vec::new(), table: ByteTable::with_capacity(8) }
    }
}

impl Vocab {
    /// Builds from (token, id) pairs; a repeated token keeps its last id, as a JSON object does.
    pub fn from_pairs<S: AsRef<str>>(pairs: impl IntoIterator<Item = (S, u32)>) -> Result<Self> {
        let mut v = Vocab::default();
        for (tok, id) in pairs {
            v.insert(tok.as_ref(), id)?;
        }
        v.build_table();
        Ok(v)
    }

    fn insert(&mut self, tok: &str, id: u32) -> Result<()> {
        if id >= MAX_TOKEN_ID {
            return Err(Error::TokenIdTooLarge { id: id as u64, limit: MAX_TOKEN_ID as u64 });
        }
        if let Some(old) = self.ids.insert(tok.into(), id) {
            if old != id && self.tokens[old as usize].as_deref() == Some(tok) {
                self.tokens[old as usize] = None;
            }
        }
        if self.tokens.len() <= id as usize {
            self.tokens.resize(id as usize + 1, None);
        }
        self.tokens[id as usize] = Some(tok.into());
        Ok(())
    }

    /// Parses HF's `{"token": id, ...}` object found at `field` (e.g. `model.vocab`).
    pub fn from_json(value: &Value, field: &str, origin: &str) -> Result<Self> {
        let obj = value.as_object().ok_or_else(|| Error::json(origin, format!("{field} is not an object")))?;
        let mut v = Vocab::default();
        v.ids.reserve(obj.len());
        for (tok, id) in obj {
            let id = id.as_u64().filter(|&id| id < MAX_TOKEN_ID as u64).ok_or_else(|| {
                Error::json(origin, format!("{field}[{tok:?}] = {id} is not a token id below {MAX_TOKEN_ID}"))
            })?;
            v.insert(tok, id as u32)?;
        }
        v.build_table();
        Ok(v)
    }

    fn build_table(&mut self) {
        let mut t = ByteTable::with_capacity(self.ids.len());
        for (tok, &id) in &self.ids {
            t.insert(tok.as_bytes(), id);
        }
        self.table = t;
    }

    #[inline]
    pub fn get(&self, tok: &str) -> Option<u32> {
        self.table.get(tok.as_bytes())
    }

    #[inline]
    pub fn token(&self, id: u32) -> Option<&str> {
        self.tokens.get(id as usize).and_then(|t| t.as_deref())
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Every (token, id), ordered by id then token (HF serializes vocabularies in id order).
    pub fn sorted(&self) -> Vec<(&str, u32)> {
        let mut v: Vec<(&str, u32)> = self.ids.iter().map(|(t, &id)| (&**t, id)).collect();
        v.sort_unstable_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(b.0)));
        v
    }

    /// Ids of the byte-fallback pieces `<0x00>` … `<0xFF>` (`u32::MAX` when absent).
    pub fn byte_fallback_ids(&self) -> [u32; 256] {
        let mut ids = [u32::MAX; 256];
        for (b, slot) in ids.iter_mut().enumerate() {
            if let Some(id) = self.get(&format!("<0x{b:02X}>")) {
                *slot = id;
            }
        }
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_duplicate_wins_and_sorted_is_by_id() {
        let v = Vocab::from_pairs([("b", 1), ("a", 0), ("b", 2)]).unwrap();
        assert_eq!(v.get("b"), Some(2));
        assert_eq!(v.token(1), None);
        assert_eq!(v.token(2), Some("b"));
        assert_eq!(v.sorted(), vec![("a", 0), ("b", 2)]);
    }

    #[test]
    fn json_errors_name_the_entry() {
        let e = Vocab::from_json(&serde_json::json!({"x": -1}), "model.vocab", "f.json").unwrap_err();
        assert!(e.to_string().contains("model.vocab[\"x\"]"), "{e}");
        let e = Vocab::from_json(&serde_json::json!([1]), "model.vocab", "f.json").unwrap_err();
        assert!(e.to_string().contains("model.vocab is not an object"), "{e}");
    }

    #[test]
    fn byte_fallback_ids_use_uppercase_hex() {
        let v = Vocab::from_pairs([("<0x0A>", 5), ("<0xff>", 6)]).unwrap();
        let ids = v.byte_fallback_ids();
        assert_eq!(ids[10], 5);
        assert_eq!(ids[255], u32::MAX);
    }
}
