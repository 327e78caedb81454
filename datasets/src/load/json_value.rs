//! A JSON value that keeps object keys in document order (serde_json's `Value` sorts them unless its
//! `preserve_order` feature is on, which would change every crate that shares the build), and Arrow
//! type inference over such values as pyarrow's JSON reader does it (int + double → double, null
//! merges with anything, struct fields in first-seen order, lists of the merged item type).

use std::fmt;
use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

#[derive(Clone, Debug, PartialEq)]
pub enum JVal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Arr(Vec<JVal>),
    Obj(Vec<(String, JVal)>),
}

impl<'de> Deserialize<'de> for JVal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = JVal;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> Result<JVal, E> {
                Ok(JVal::Null)
            }
            fn visit_none<E>(self) -> Result<JVal, E> {
                Ok(JVal::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<JVal, E> {
                Ok(JVal::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<JVal, E> {
                Ok(JVal::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<JVal, E> {
                Ok(i64::try_from(v).map(JVal::Int).unwrap_or(JVal::Float(v as f64)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<JVal, E> {
                Ok(JVal::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<JVal, E> {
                Ok(JVal::Str(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<JVal, E> {
                Ok(JVal::Str(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<JVal, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = s.next_element()? {
                    v.push(x);
                }
                Ok(JVal::Arr(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<JVal, A::Error> {
                let mut v: Vec<(String, JVal)> = Vec::new();
                while let Some((k, x)) = m.next_entry::<String, JVal>()? {
                    // A repeated key: the last value wins, as in Python's json.
                    match v.iter_mut().find(|(k2, _)| *k2 == k) {
                        Some(e) => e.1 = x,
                        None => v.push((k, x)),
                    }
                }
                Ok(JVal::Obj(v))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for JVal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            JVal::Null => s.serialize_unit(),
            JVal::Bool(b) => s.serialize_bool(*b),
            JVal::Int(i) => s.serialize_i64(*i),
            JVal::Float(f) => s.serialize_f64(*f),
            JVal::Str(x) => s.serialize_str(x),
            JVal::Arr(a) => {
                let mut q = s.serialize_seq(Some(a.len()))?;
                for x in a {
                    q.serialize_element(x)?;
                }
                q.end()
            }
            JVal::Obj(o) => {
                let mut m = s.serialize_map(Some(o.len()))?;
                for (k, x) in o {
                    m.serialize_entry(k, x)?;
                }
                m.end()
            }
        }
    }
}

/// The Arrow type of a JSON value read straight from its text: what [`type_of`] gives for the
/// parsed [`JVal`], without building it (no string is copied). A type conflict inside an array is
/// an error (the caller re-reads with [`JVal`] for the message).
pub struct TypeOnly(pub DataType);

impl<'de> Deserialize<'de> for TypeOnly {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DataType;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> Result<DataType, E> {
                Ok(DataType::Null)
            }
            fn visit_none<E>(self) -> Result<DataType, E> {
                Ok(DataType::Null)
            }
            fn visit_bool<E>(self, _: bool) -> Result<DataType, E> {
                Ok(DataType::Boolean)
            }
            fn visit_i64<E>(self, _: i64) -> Result<DataType, E> {
                Ok(DataType::Int64)
            }
            fn visit_u64<E>(self, v: u64) -> Result<DataType, E> {
                // As JVal: an integer past i64 is a float.
                Ok(if i64::try_from(v).is_ok() { DataType::Int64 } else { DataType::Float64 })
            }
            fn visit_f64<E>(self, _: f64) -> Result<DataType, E> {
                Ok(DataType::Float64)
            }
            fn visit_str<E>(self, _: &str) -> Result<DataType, E> {
                Ok(DataType::Utf8)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<DataType, A::Error> {
                let mut t = DataType::Null;
                while let Some(TypeOnly(x)) = s.next_element()? {
                    t = merge(&t, &x).map_err(serde::de::Error::custom)?;
                }
                Ok(DataType::List(Arc::new(Field::new("item", t, true))))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<DataType, A::Error> {
                let mut fields: Vec<Field> = Vec::new();
                while let Some((k, TypeOnly(x))) = m.next_entry::<String, TypeOnly>()? {
                    // A repeated key: the last value's type, at the first key's place (as JVal).
                    match fields.iter_mut().find(|f| *f.name() == k) {
                        Some(f) => *f = Field::new(k, x, true),
                        None => fields.push(Field::new(k, x, true)),
                    }
                }
                Ok(DataType::Struct(Fields::from(fields)))
            }
        }
        d.deserialize_any(V).map(TypeOnly)
    }
}

/// The Arrow type of one value.
pub fn type_of(v: &JVal) -> Result<DataType, String> {
    Ok(match v {
        JVal::Null => DataType::Null,
        JVal::Bool(_) => DataType::Boolean,
        JVal::Int(_) => DataType::Int64,
        JVal::Float(_) => DataType::Float64,
        JVal::Str(_) => DataType::Utf8,
        JVal::Arr(a) => {
            let mut t = DataType::Null;
            for x in a {
                t = merge(&t, &type_of(x)?)?;
            }
            DataType::List(Arc::new(Field::new("item", t, true)))
        }
        JVal::Obj(o) => {
            let mut fields: Vec<Field> = Vec::with_capacity(o.len());
            for (k, x) in o {
                fields.push(Field::new(k, type_of(x)?, true));
            }
            DataType::Struct(Fields::from(fields))
        }
    })
}

/// The type both `a` and `b` values fit in, or why there is none.
pub fn merge(a: &DataType, b: &DataType) -> Result<DataType, String> {
    use DataType::*;
    Ok(match (a, b) {
        (x, y) if x == y => x.clone(),
        (Null, x) | (x, Null) => x.clone(),
        (Int64, Float64) | (Float64, Int64) => Float64,
        (List(x), List(y)) => List(Arc::new(Field::new("item", merge(x.data_type(), y.data_type())?, true))),
        (Struct(x), Struct(y)) => Struct(merge_fields(x, y)?),
        (x, y) => return Err(format!("a value of type {y} where earlier values are {x}")),
    })
}

/// Struct fields of both, in first-seen order, each merged.
pub fn merge_fields(a: &Fields, b: &Fields) -> Result<Fields, String> {
    let mut out: Vec<Field> = a.iter().map(|f| f.as_ref().clone()).collect();
    for f in b.iter() {
        match out.iter_mut().find(|g| g.name() == f.name()) {
            Some(g) => {
                let t = merge(g.data_type(), f.data_type()).map_err(|e| format!("field {:?}: {e}", f.name()))?;
                *g = Field::new(f.name(), t, true);
            }
            None => out.push(f.as_ref().clone()),
        }
    }
    Ok(Fields::from(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_key_order_and_merges_like_pyarrow() {
        let a: JVal = serde_json::from_str(r#"{"z": 1, "a": [1, null], "m": {"y": null, "b": "s"}}"#).unwrap();
        let b: JVal = serde_json::from_str(r#"{"z": 2.5, "a": [], "m": {"y": true}, "new": "x"}"#).unwrap();
        let t = merge(&type_of(&a).unwrap(), &type_of(&b).unwrap()).unwrap();
        let DataType::Struct(f) = t else { panic!("struct expected") };
        let names: Vec<_> = f.iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, ["z", "a", "m", "new"]);
        assert_eq!(f[0].data_type(), &DataType::Float64);
        assert_eq!(serde_json::to_string(&a).unwrap(), r#"{"z":1,"a":[1,null],"m":{"y":null,"b":"s"}}"#);
        assert!(merge(&DataType::Utf8, &DataType::Int64).is_err());
    }

    /// Typing straight from the text agrees with typing the parsed value.
    #[test]
    fn type_only_equals_type_of_parsed() {
        for text in [
            r#"{"z": 1, "a": [1, null, 2.5], "m": {"y": null, "b": "s\"q"}, "n": null}"#,
            r#"{"k": 1, "k": "last wins", "big": 18446744073709551615, "e": [], "t": true}"#,
            r#"[[1], [], [null, 2]]"#,
            r#"{"nested": [{"a": 1}, {"b": [1.5]}, {"a": null}]}"#,
            r#""just a string""#,
        ] {
            let v: JVal = serde_json::from_str(text).unwrap();
            let TypeOnly(t) = serde_json::from_str(text).unwrap();
            assert_eq!(t, type_of(&v).unwrap(), "{text}");
        }
        for conflict in [r#"[1, "a"]"#, r#"{"a": [{"x": 1}, {"x": "s"}]}"#] {
            let v: JVal = serde_json::from_str(conflict).unwrap();
            assert!(type_of(&v).is_err());
            assert!(serde_json::from_str::<TypeOnly>(conflict).is_err(), "{conflict}");
        }
    }
}
