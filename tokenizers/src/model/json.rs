//! Small helpers to read and write the models' fields in HF's `tokenizer.json` shape, with
//! errors that name the field (`model.unk_token`, `model.merges[3]`, ...).

use serde_json::{Map, Value};

use super::vocab::Vocab;
use crate::error::{Error, Result};

/// An optional string field; `null` and absent are both `None`.
pub fn opt_str<'a>(v: &'a Value, field: &str, origin: &str) -> Result<Option<&'a str>> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(Error::json(origin, format!("model.{field} = {other} is not a string"))),
    }
}

/// An optional boolean field; absent or `null` give `default`.
pub fn opt_bool(v: &Value, field: &str, default: bool, origin: &str) -> Result<bool> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(Error::json(origin, format!("model.{field} = {other} is not a boolean"))),
    }
}

/// The vocabulary as a JSON object in id order. serde_json's map sorts keys unless the
/// `preserve_order` feature is on, so order is only cosmetic; HF reads either.
pub fn vocab_object(vocab: &Vocab) -> Value {
    let mut m = Map::new();
    for (tok, id) in vocab.sorted() {
        m.insert(tok.to_string(), Value::from(id));
    }
    Value::Object(m)
}
