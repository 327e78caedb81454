//! Pulls one string field out of a JSON object line without building a `serde_json::Value`:
//! other fields are skipped, and a string without escapes is borrowed from the line.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// The text of `field` in the JSON object `line`, or a message saying what is wrong.
pub fn extract<'a>(line: &'a [u8], field: &str) -> Result<Cow<'a, str>, String> {
    let mut de = serde_json::Deserializer::from_slice(line);
    let found = ObjectSeed { field }.deserialize(&mut de).map_err(|e| format!("invalid JSON: {e}"))?;
    de.end().map_err(|e| format!("invalid JSON: {e}"))?;
    match found {
        Some(Ok(s)) => Ok(s),
        Some(Err(kind)) => Err(format!("field {field:?} is {kind}, not a string")),
        None => Err(format!("missing field {field:?}")),
    }
}

type Found<'de> = Option<Result<Cow<'de, str>, &'static str>>;

struct ObjectSeed<'f> {
    field: &'f str,
}

impl<'de> DeserializeSeed<'de> for ObjectSeed<'_> {
    type Value = Found<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ObjectSeed<'_> {
    type Value = Found<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(is_field) = map.next_key_seed(KeySeed { field: self.field })? {
            if is_field {
                found = Some(map.next_value_seed(ValueSeed)?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// A key: whether it equals the wanted field.
struct KeySeed<'f> {
    field: &'f str,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        Ok(v == self.field)
    }
}

/// The wanted value: a string (borrowed when possible) or the name of what it is instead.
struct ValueSeed;

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Result<Cow<'de, str>, &'static str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed {
    type Value = Result<Cow<'de, str>, &'static str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Ok(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Ok(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Ok(Cow::Owned(v)))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Err("a boolean"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Err("null"))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Err("null"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Err("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Err("an object"))
    }
}

#[cfg(test)]
mod tests {
    use super::extract;

    #[test]
    fn fields() {
        assert_eq!(extract(br#"{"a":1,"text":"hi","b":[1,{"x":2}]}"#, "text").unwrap(), "hi");
        assert_eq!(extract(br#"{"text":"a\nb\u00e9"}"#, "text").unwrap(), "a\nb\u{e9}");
        assert!(extract(br#"{"text":3}"#, "text").unwrap_err().contains("a number"));
        assert!(extract(br#"{"t":"x"}"#, "text").unwrap_err().contains("missing field"));
        assert!(extract(br#"[1,2]"#, "text").unwrap_err().contains("invalid JSON"));
        assert!(extract(br#"{"text":"x"} junk"#, "text").unwrap_err().contains("invalid JSON"));
        assert!(extract(br#"{"text":"x""#, "text").unwrap_err().contains("invalid JSON"));
    }
}
