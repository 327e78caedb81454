//! A JSON value that keeps object keys in document order (HF's features and dataset_info are
//! order-sensitive: key order is column order), printed like Python's `json.dumps`.

use std::fmt::Write as _;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::error::{Error, Result};

#[derive(Clone, Debug, PartialEq)]
pub enum OrderedJson {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<OrderedJson>),
    Object(Vec<(String, OrderedJson)>),
}

impl OrderedJson {
    pub fn parse(text: &str) -> Result<OrderedJson> {
        serde_json::from_str(text).map_err(|e| Error::Invalid(format!("invalid JSON: {e}")))
    }

    /// Member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&OrderedJson> {
        match self {
            OrderedJson::Object(e) => e.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            OrderedJson::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            OrderedJson::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// Sets (or appends) member `key` of an object; no-op on other values.
    pub fn set(&mut self, key: &str, value: OrderedJson) {
        if let OrderedJson::Object(e) = self {
            match e.iter_mut().find(|(k, _)| k == key) {
                Some((_, v)) => *v = value,
                None => e.push((key.to_string(), value)),
            }
        }
    }

    /// `json.dumps(v)` (separators ", " and ": ", ASCII-escaped).
    pub fn to_python_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, None, 0);
        out
    }

    /// `json.dumps(v, indent=2)`.
    pub fn to_pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, Some(2), 0);
        out
    }

    /// One line, as HF stores it in schema metadata (same text as [`Self::to_python_json`]).
    pub fn to_compact(&self) -> String {
        self.to_python_json()
    }

    fn write(&self, out: &mut String, indent: Option<usize>, depth: usize) {
        let newline = |out: &mut String, d: usize| {
            if let Some(n) = indent {
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', n * d));
            }
        };
        let item_sep = if indent.is_some() { "," } else { ", " };
        match self {
            OrderedJson::Null => out.push_str("null"),
            OrderedJson::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            OrderedJson::Number(n) => {
                let _ = write!(out, "{n}");
            }
            OrderedJson::String(s) => write_str(out, s),
            OrderedJson::Array(items) if items.is_empty() => out.push_str("[]"),
            OrderedJson::Object(items) if items.is_empty() => out.push_str("{}"),
            OrderedJson::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(item_sep);
                    }
                    newline(out, depth + 1);
                    v.write(out, indent, depth + 1);
                }
                newline(out, depth);
                out.push(']');
            }
            OrderedJson::Object(items) => {
                out.push('{');
                for (i, (k, v)) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(item_sep);
                    }
                    newline(out, depth + 1);
                    write_str(out, k);
                    out.push_str(": ");
                    v.write(out, indent, depth + 1);
                }
                newline(out, depth);
                out.push('}');
            }
        }
    }
}

/// A JSON string as Python writes it with `ensure_ascii=True`.
fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

impl From<serde_json::Value> for OrderedJson {
    fn from(v: serde_json::Value) -> Self {
        match v {
            serde_json::Value::Null => OrderedJson::Null,
            serde_json::Value::Bool(b) => OrderedJson::Bool(b),
            serde_json::Value::Number(n) => OrderedJson::Number(n),
            serde_json::Value::String(s) => OrderedJson::String(s),
            serde_json::Value::Array(a) => OrderedJson::Array(a.into_iter().map(Into::into).collect()),
            serde_json::Value::Object(o) => OrderedJson::Object(o.into_iter().map(|(k, v)| (k, v.into())).collect()),
        }
    }
}

impl<'de> Deserialize<'de> for OrderedJson {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(OrderedVisitor)
    }
}

struct OrderedVisitor;

impl<'de> Visitor<'de> for OrderedVisitor {
    type Value = OrderedJson;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> std::result::Result<OrderedJson, E> {
        Ok(OrderedJson::Null)
    }
    fn visit_none<E>(self) -> std::result::Result<OrderedJson, E> {
        Ok(OrderedJson::Null)
    }
    fn visit_bool<E>(self, v: bool) -> std::result::Result<OrderedJson, E> {
        Ok(OrderedJson::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<OrderedJson, E> {
        Ok(OrderedJson::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<OrderedJson, E> {
        Ok(OrderedJson::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> std::result::Result<OrderedJson, E> {
        Ok(serde_json::Number::from_f64(v).map(OrderedJson::Number).unwrap_or(OrderedJson::Null))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<OrderedJson, E> {
        Ok(OrderedJson::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<OrderedJson, E> {
        Ok(OrderedJson::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<OrderedJson, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element()? {
            items.push(v);
        }
        Ok(OrderedJson::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<OrderedJson, A::Error> {
        let mut items: Vec<(String, OrderedJson)> = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, OrderedJson>()? {
            // duplicate keys: the last one wins, as in Python
            match items.iter_mut().find(|(key, _)| *key == k) {
                Some(slot) => slot.1 = v,
                None => items.push((k, v)),
            }
        }
        Ok(OrderedJson::Object(items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_prints_like_python() {
        let text = r#"{"z": 1, "a": [true, null, 2.5], "m": {"é": "x\"y"}, "e": {}, "l": []}"#;
        let v = OrderedJson::parse(text).unwrap();
        // python: json.dumps(json.loads(text))
        assert_eq!(
            v.to_python_json(),
            r#"{"z": 1, "a": [true, null, 2.5], "m": {"\u00e9": "x\"y"}, "e": {}, "l": []}"#
        );
        // python: json.dumps({"a": [1, 2], "b": {}}, indent=2)
        let v = OrderedJson::parse(r#"{"a": [1, 2], "b": {}}"#).unwrap();
        assert_eq!(v.to_pretty(), "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}");
        assert!(OrderedJson::parse("{").is_err());
    }
}
