//! Hugging Face `features` ↔ Arrow schema.
//!
//! HF describes columns as a JSON object (`Features.to_dict()`): `{"dtype": "string", "_type":
//! "Value"}`, `{"names": [...], "_type": "ClassLabel"}` (stored as int64), `{"feature": ..., "_type":
//! "List"}` (optionally with `"length": n`: a fixed-size list), `LargeList`, nested plain objects for
//! structs, `Array2D`..`Array5D`, and more (`Image`, `Audio`, ... kept verbatim). The same JSON is
//! stored in `dataset_info.json` and, as `{"info": {"features": ...}}`, under the `huggingface` key
//! of the Arrow schema metadata. Key order is column order, so everything here keeps object keys in
//! document order (serde_json's own map would sort them).

use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields, Schema, TimeUnit};

use crate::error::{Error, Result};
use crate::ordered_json::OrderedJson;

/// The schema-metadata key HF stores its features under.
pub const HF_METADATA_KEY: &str = "huggingface";

/// One column's feature type.
#[derive(Clone, Debug, PartialEq)]
pub enum Feature {
    /// `Value(dtype)`: a primitive, with HF's dtype name (`"int64"`, `"string"`, `"timestamp[ms]"`).
    Value(String),
    /// `ClassLabel(names)`: int64 in Arrow.
    ClassLabel(Vec<String>),
    /// `List(feature, length)`; `length` is `Some(n)` for a fixed-size list.
    List(Box<Feature>, Option<i64>),
    LargeList(Box<Feature>),
    /// A struct: field names and types in order.
    Struct(Features),
    /// Any other HF feature (`Array2D`, `Image`, `Audio`, `Translation`, ...), kept verbatim.
    Other(OrderedJson),
}

/// Column name → feature, in column order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Features(pub Vec<(String, Feature)>);

impl Features {
    /// Features derived from the Arrow types alone (what HF's `Features.from_arrow_schema` gives
    /// without metadata).
    pub fn from_arrow(schema: &Schema) -> Result<Features> {
        Ok(Features(
            schema
                .fields()
                .iter()
                .map(|f| Ok((f.name().clone(), Feature::from_arrow(f.name(), f.data_type())?)))
                .collect::<Result<_>>()?,
        ))
    }

    /// The features of a schema: HF's metadata where it still describes the column (same name and
    /// a compatible type), derived from the Arrow type otherwise. Stale metadata left by an operation
    /// that changed columns can therefore never describe the wrong column.
    pub fn of_schema(schema: &Schema) -> Result<Features> {
        let stored = schema.metadata().get(HF_METADATA_KEY).and_then(|s| Features::from_hf_metadata(s).ok());
        let mut out = Vec::with_capacity(schema.fields().len());
        for field in schema.fields() {
            let derived = Feature::from_field(field.name(), field)?;
            let kept = stored
                .as_ref()
                .and_then(|s| s.get(field.name()))
                .filter(|f| f.compatible_with(field.data_type()))
                .cloned();
            out.push((field.name().clone(), kept.unwrap_or(derived)));
        }
        Ok(Features(out))
    }

    /// Parses the `huggingface` schema-metadata value (`{"info": {"features": {...}}}`).
    pub fn from_hf_metadata(text: &str) -> Result<Features> {
        let v = OrderedJson::parse(text)?;
        let f = v
            .get("info")
            .and_then(|i| i.get("features"))
            .ok_or_else(|| Error::Invalid("huggingface metadata without info.features".into()))?;
        Features::from_json(f)
    }

    /// The `huggingface` schema-metadata value for these features.
    pub fn to_hf_metadata(&self) -> String {
        let info = OrderedJson::Object(vec![("features".into(), self.to_json())]);
        OrderedJson::Object(vec![("info".into(), info)]).to_compact()
    }

    pub fn get(&self, name: &str) -> Option<&Feature> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, f)| f)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(n, _)| n.as_str())
    }

    /// Parses HF's `Features.to_dict()` JSON.
    pub fn from_json(v: &OrderedJson) -> Result<Features> {
        let OrderedJson::Object(entries) = v else {
            return Err(Error::Invalid(format!("features must be a JSON object, got {}", v.to_compact())));
        };
        Ok(Features(entries.iter().map(|(k, v)| Ok((k.clone(), Feature::from_json(k, v)?))).collect::<Result<_>>()?))
    }

    pub fn to_json(&self) -> OrderedJson {
        OrderedJson::Object(self.0.iter().map(|(k, f)| (k.clone(), f.to_json())).collect())
    }

    /// The Arrow schema HF would use for these features (with the `huggingface` metadata).
    pub fn to_arrow_schema(&self) -> Result<Schema> {
        let fields: Vec<Field> = self.0.iter().map(|(n, f)| f.to_field(n, n)).collect::<Result<_>>()?;
        let meta: std::collections::HashMap<String, String> =
            [(HF_METADATA_KEY.to_string(), self.to_hf_metadata())].into_iter().collect();
        Ok(Schema::new_with_metadata(fields, meta))
    }
}

/// `schema` with its `huggingface` metadata set to its (reconciled) features, as HF writes shards.
pub fn with_hf_metadata(schema: &Schema) -> Result<Schema> {
    let features = Features::of_schema(schema)?;
    let mut meta = schema.metadata().clone();
    meta.insert(HF_METADATA_KEY.to_string(), features.to_hf_metadata());
    Ok(Schema::new_with_metadata(schema.fields().clone(), meta))
}

/// The Arrow extension-type name HF gives `Array2D`..`Array5D` columns (its pyarrow extension types
/// `datasets.features.features.Array{N}DExtensionType`).
pub fn array_xd_extension_name(ndims: usize) -> String {
    format!("datasets.features.features.Array{ndims}DExtensionType")
}

/// The field-metadata keys of an Arrow extension type.
pub const EXTENSION_NAME_KEY: &str = "ARROW:extension:name";
pub const EXTENSION_METADATA_KEY: &str = "ARROW:extension:metadata";

/// `Array2D`..`Array5D`: HF's fixed-rank arrays (`shape`, the first dimension possibly `None`, and an
/// item `dtype`). HF stores them as an Arrow extension type over nested variable-size lists, one
/// level per dimension, serialized as `[shape, dtype]` JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct ArrayXD {
    pub shape: Vec<Option<i64>>,
    pub dtype: String,
}

impl ArrayXD {
    /// The `Array{N}D` feature in HF's JSON form, if `j` is one.
    pub fn from_json(j: &OrderedJson) -> Option<ArrayXD> {
        let ty = j.get("_type")?.as_str()?;
        let n: usize = ty.strip_prefix("Array")?.strip_suffix('D')?.parse().ok()?;
        let OrderedJson::Array(dims) = j.get("shape")? else { return None };
        if !(2..=5).contains(&n) || dims.len() != n {
            return None;
        }
        let shape = dims
            .iter()
            .map(|d| if matches!(d, OrderedJson::Null) { Some(None) } else { d.as_i64().map(Some) })
            .collect::<Option<Vec<_>>>()?;
        Some(ArrayXD { shape, dtype: j.get("dtype")?.as_str()?.to_string() })
    }

    /// From an extension field's `ARROW:extension:metadata` (`[[2, 3], "float32"]`).
    pub fn from_extension_metadata(name: &str, meta: &str) -> Option<ArrayXD> {
        let n: usize =
            name.strip_prefix("datasets.features.features.Array")?.strip_suffix("DExtensionType")?.parse().ok()?;
        let v = OrderedJson::parse(meta).ok()?;
        let OrderedJson::Array(parts) = v else { return None };
        let [OrderedJson::Array(dims), d] = parts.as_slice() else { return None };
        let shape = dims
            .iter()
            .map(|d| if matches!(d, OrderedJson::Null) { Some(None) } else { d.as_i64().map(Some) })
            .collect::<Option<Vec<_>>>()?;
        let dtype = d.as_str()?.to_string();
        (shape.len() == n && (2..=5).contains(&n)).then_some(ArrayXD { shape, dtype })
    }

    fn dims_json(&self) -> OrderedJson {
        OrderedJson::Array(
            self.shape.iter().map(|d| d.map(|d| OrderedJson::Number(d.into())).unwrap_or(OrderedJson::Null)).collect(),
        )
    }

    /// HF's JSON form (`{"shape": [2, 3], "dtype": "float32", "_type": "Array2D"}`).
    pub fn to_json(&self) -> OrderedJson {
        OrderedJson::Object(vec![
            ("shape".into(), self.dims_json()),
            ("dtype".into(), OrderedJson::String(self.dtype.clone())),
            ("_type".into(), OrderedJson::String(format!("Array{}D", self.shape.len()))),
        ])
    }

    /// The storage type: one variable-size list level per dimension around the item type.
    pub fn storage_type(&self, column: &str) -> Result<DataType> {
        let mut t = dtype_to_arrow(&self.dtype)
            .ok_or_else(|| Error::Invalid(format!("column {column:?}: unknown HF dtype {:?}", self.dtype)))?;
        for _ in &self.shape {
            t = DataType::List(Arc::new(Field::new("item", t, true)));
        }
        Ok(t)
    }

    /// The extension-type field metadata HF's pyarrow type writes.
    pub fn extension_metadata(&self) -> std::collections::HashMap<String, String> {
        let meta = OrderedJson::Array(vec![self.dims_json(), OrderedJson::String(self.dtype.clone())]);
        [
            (EXTENSION_NAME_KEY.to_string(), array_xd_extension_name(self.shape.len())),
            (EXTENSION_METADATA_KEY.to_string(), meta.to_python_json()),
        ]
        .into_iter()
        .collect()
    }
}

impl Feature {
    /// The `Array{N}D` description of this feature, if it is one.
    pub fn array_xd(&self) -> Option<ArrayXD> {
        match self {
            Feature::Other(j) => ArrayXD::from_json(j),
            _ => None,
        }
    }

    /// The HF feature of an Arrow field: its extension type where HF has one (`Array2D`..`Array5D`),
    /// otherwise derived from the Arrow type.
    pub fn from_field(column: &str, field: &Field) -> Result<Feature> {
        let m = field.metadata();
        if let (Some(name), Some(meta)) = (m.get(EXTENSION_NAME_KEY), m.get(EXTENSION_METADATA_KEY)) {
            if let Some(a) = ArrayXD::from_extension_metadata(name, meta) {
                return Ok(Feature::Other(a.to_json()));
            }
        }
        if let DataType::Struct(fields) = field.data_type() {
            return Ok(Feature::Struct(Features(
                fields
                    .iter()
                    .map(|f| Ok((f.name().clone(), Feature::from_field(column, f)?)))
                    .collect::<Result<_>>()?,
            )));
        }
        Feature::from_arrow(column, field.data_type())
    }

    /// The Arrow field HF stores this feature as (with extension metadata for `Array{N}D`).
    pub fn to_field(&self, name: &str, column: &str) -> Result<Field> {
        if let Some(a) = self.array_xd() {
            return Ok(Field::new(name, a.storage_type(column)?, true).with_metadata(a.extension_metadata()));
        }
        if let Feature::Struct(fs) = self {
            let fields = fs.0.iter().map(|(n, f)| f.to_field(n, column)).collect::<Result<Vec<_>>>()?;
            return Ok(Field::new(name, DataType::Struct(Fields::from(fields)), true));
        }
        Ok(Field::new(name, self.to_arrow(column)?, true))
    }

    /// The HF feature for an Arrow type (HF's `generate_from_arrow_type`).
    pub fn from_arrow(column: &str, dt: &DataType) -> Result<Feature> {
        Ok(match dt {
            DataType::List(f) | DataType::ListView(f) => {
                Feature::List(Box::new(Feature::from_arrow(column, f.data_type())?), None)
            }
            DataType::LargeList(f) | DataType::LargeListView(f) => {
                Feature::LargeList(Box::new(Feature::from_arrow(column, f.data_type())?))
            }
            DataType::FixedSizeList(f, n) => {
                Feature::List(Box::new(Feature::from_arrow(column, f.data_type())?), Some(*n as i64))
            }
            DataType::Struct(fields) => Feature::Struct(Features(
                fields
                    .iter()
                    .map(|f| Ok((f.name().clone(), Feature::from_arrow(column, f.data_type())?)))
                    .collect::<Result<_>>()?,
            )),
            DataType::Dictionary(_, v) => Feature::from_arrow(column, v)?,
            other => Feature::Value(value_dtype(other).ok_or_else(|| Error::WrongType {
                column: column.to_string(),
                found: other.to_string(),
                expected: "a type Hugging Face datasets can describe".into(),
            })?),
        })
    }

    /// The Arrow type HF stores this feature as.
    pub fn to_arrow(&self, column: &str) -> Result<DataType> {
        let item = |f: &Feature| -> Result<Arc<Field>> { Ok(Arc::new(Field::new("item", f.to_arrow(column)?, true))) };
        Ok(match self {
            Feature::Value(d) => {
                dtype_to_arrow(d).ok_or_else(|| Error::Invalid(format!("column {column:?}: unknown HF dtype {d:?}")))?
            }
            Feature::ClassLabel(_) => DataType::Int64,
            Feature::List(f, None) => DataType::List(item(f)?),
            Feature::List(f, Some(n)) => DataType::FixedSizeList(item(f)?, *n as i32),
            Feature::LargeList(f) => DataType::LargeList(item(f)?),
            Feature::Struct(fs) => DataType::Struct(Fields::from(
                fs.0.iter().map(|(n, f)| f.to_field(n, column)).collect::<Result<Vec<_>>>()?,
            )),
            Feature::Other(j) if ArrayXD::from_json(j).is_some() => {
                ArrayXD::from_json(j).expect("checked").storage_type(column)?
            }
            Feature::Other(j) => {
                return Err(Error::Invalid(format!(
                    "column {column:?}: no Arrow type for HF feature {}",
                    j.get("_type").map(|t| t.to_compact()).unwrap_or_default()
                )))
            }
        })
    }

    /// Whether stored metadata `self` can describe a column of Arrow type `dt`.
    fn compatible_with(&self, dt: &DataType) -> bool {
        match (self, dt) {
            (Feature::Other(_), _) => true, // extension types (Array2D, Image...): trust HF's metadata
            (Feature::Struct(fs), DataType::Struct(fields)) => {
                fs.0.len() == fields.len()
                    && fs
                        .0
                        .iter()
                        .zip(fields.iter())
                        .all(|((n, f), fd)| n == fd.name() && f.compatible_with(fd.data_type()))
            }
            (Feature::List(f, None), DataType::List(i) | DataType::ListView(i))
            | (Feature::LargeList(f), DataType::LargeList(i) | DataType::LargeListView(i)) => {
                f.compatible_with(i.data_type())
            }
            (Feature::List(f, Some(n)), DataType::FixedSizeList(i, m)) => {
                *n == *m as i64 && f.compatible_with(i.data_type())
            }
            (Feature::ClassLabel(_), t) => t.is_integer(),
            (Feature::Value(_), DataType::Dictionary(_, v)) => self.compatible_with(v),
            (Feature::Value(d), t) => value_dtype(t).as_deref() == Some(d.as_str()),
            _ => false,
        }
    }

    fn from_json(column: &str, v: &OrderedJson) -> Result<Feature> {
        let bad = |why: &str| Error::Invalid(format!("column {column:?}: bad feature {}: {why}", v.to_compact()));
        let OrderedJson::Object(entries) = v else { return Err(bad("not an object")) };
        let Some(ty) = v.get("_type") else {
            // a plain object is a struct
            return Ok(Feature::Struct(Features(
                entries.iter().map(|(k, v)| Ok((k.clone(), Feature::from_json(column, v)?))).collect::<Result<_>>()?,
            )));
        };
        let feature =
            || -> Result<Feature> { Feature::from_json(column, v.get("feature").ok_or_else(|| bad("no feature"))?) };
        Ok(match ty.as_str() {
            Some("Value") => {
                Feature::Value(v.get("dtype").and_then(|d| d.as_str()).ok_or_else(|| bad("no dtype"))?.into())
            }
            Some("ClassLabel") => Feature::ClassLabel(match v.get("names") {
                Some(OrderedJson::Array(names)) => names
                    .iter()
                    .map(|n| n.as_str().map(str::to_string).ok_or_else(|| bad("non-string name")))
                    .collect::<Result<_>>()?,
                // `num_classes` only: HF names them "0".."n-1"
                _ => match v.get("num_classes").and_then(|n| n.as_i64()) {
                    Some(n) => (0..n).map(|i| i.to_string()).collect(),
                    None => return Err(bad("ClassLabel without names")),
                },
            }),
            Some("List") => {
                let len = v.get("length").and_then(|l| l.as_i64()).filter(|&l| l >= 0);
                Feature::List(Box::new(feature()?), len)
            }
            Some("LargeList") => Feature::LargeList(Box::new(feature()?)),
            // datasets < 4: Sequence(feature, length=-1); a Sequence of a dict is a dict of Sequences.
            Some("Sequence") => {
                let len = v.get("length").and_then(|l| l.as_i64()).filter(|&l| l >= 0);
                match feature()? {
                    Feature::Struct(fs) => Feature::Struct(Features(
                        fs.0.into_iter().map(|(n, f)| (n, Feature::List(Box::new(f), len))).collect(),
                    )),
                    f => Feature::List(Box::new(f), len),
                }
            }
            Some(_) => Feature::Other(v.clone()),
            None => return Err(bad("_type is not a string")),
        })
    }

    pub fn to_json(&self) -> OrderedJson {
        let s = |x: &str| OrderedJson::String(x.to_string());
        let ty = |t: &str| ("_type".to_string(), s(t));
        match self {
            Feature::Value(d) => OrderedJson::Object(vec![("dtype".into(), s(d)), ty("Value")]),
            Feature::ClassLabel(names) => OrderedJson::Object(vec![
                ("names".into(), OrderedJson::Array(names.iter().map(|n| s(n)).collect())),
                ty("ClassLabel"),
            ]),
            Feature::List(f, len) => {
                let mut e = vec![("feature".to_string(), f.to_json())];
                if let Some(n) = len {
                    e.push(("length".into(), OrderedJson::Number((*n).into())));
                }
                e.push(ty("List"));
                OrderedJson::Object(e)
            }
            Feature::LargeList(f) => OrderedJson::Object(vec![("feature".into(), f.to_json()), ty("LargeList")]),
            Feature::Struct(fs) => fs.to_json(),
            Feature::Other(j) => j.clone(),
        }
    }
}

fn unit(u: &TimeUnit) -> &'static str {
    match u {
        TimeUnit::Second => "s",
        TimeUnit::Millisecond => "ms",
        TimeUnit::Microsecond => "us",
        TimeUnit::Nanosecond => "ns",
    }
}

fn parse_unit(s: &str) -> Option<TimeUnit> {
    Some(match s {
        "s" => TimeUnit::Second,
        "ms" => TimeUnit::Millisecond,
        "us" => TimeUnit::Microsecond,
        "ns" => TimeUnit::Nanosecond,
        _ => return None,
    })
}

/// HF's dtype name of a primitive Arrow type (pyarrow's `str(type)` with HF's renames).
pub fn value_dtype(dt: &DataType) -> Option<String> {
    Some(match dt {
        DataType::Null => "null".into(),
        DataType::Boolean => "bool".into(),
        DataType::Int8 => "int8".into(),
        DataType::Int16 => "int16".into(),
        DataType::Int32 => "int32".into(),
        DataType::Int64 => "int64".into(),
        DataType::UInt8 => "uint8".into(),
        DataType::UInt16 => "uint16".into(),
        DataType::UInt32 => "uint32".into(),
        DataType::UInt64 => "uint64".into(),
        DataType::Float16 => "float16".into(),
        DataType::Float32 => "float32".into(),
        DataType::Float64 => "float64".into(),
        DataType::Utf8 => "string".into(),
        DataType::LargeUtf8 => "large_string".into(),
        DataType::Utf8View => "string_view".into(),
        DataType::Binary => "binary".into(),
        DataType::LargeBinary => "large_binary".into(),
        DataType::BinaryView => "binary_view".into(),
        DataType::FixedSizeBinary(n) => format!("fixed_size_binary[{n}]"),
        DataType::Date32 => "date32".into(),
        DataType::Date64 => "date64".into(),
        DataType::Time32(u) => format!("time32[{}]", unit(u)),
        DataType::Time64(u) => format!("time64[{}]", unit(u)),
        DataType::Duration(u) => format!("duration[{}]", unit(u)),
        DataType::Timestamp(u, None) => format!("timestamp[{}]", unit(u)),
        DataType::Timestamp(u, Some(tz)) => format!("timestamp[{}, tz={tz}]", unit(u)),
        DataType::Decimal128(p, s) => format!("decimal128({p}, {s})"),
        DataType::Decimal256(p, s) => format!("decimal256({p}, {s})"),
        _ => return None,
    })
}

/// The Arrow type of an HF dtype name (inverse of [`value_dtype`], plus HF's aliases).
pub fn dtype_to_arrow(d: &str) -> Option<DataType> {
    let simple = match d {
        "null" => Some(DataType::Null),
        "bool" => Some(DataType::Boolean),
        "int8" => Some(DataType::Int8),
        "int16" => Some(DataType::Int16),
        "int32" => Some(DataType::Int32),
        "int64" => Some(DataType::Int64),
        "uint8" => Some(DataType::UInt8),
        "uint16" => Some(DataType::UInt16),
        "uint32" => Some(DataType::UInt32),
        "uint64" => Some(DataType::UInt64),
        "float16" | "half" => Some(DataType::Float16),
        "float32" | "float" => Some(DataType::Float32),
        "float64" | "double" => Some(DataType::Float64),
        "string" | "utf8" => Some(DataType::Utf8),
        "large_string" => Some(DataType::LargeUtf8),
        "string_view" => Some(DataType::Utf8View),
        "binary" => Some(DataType::Binary),
        "large_binary" => Some(DataType::LargeBinary),
        "binary_view" => Some(DataType::BinaryView),
        "date32" => Some(DataType::Date32),
        "date64" => Some(DataType::Date64),
        _ => None,
    };
    if simple.is_some() {
        return simple;
    }
    let inner = |prefix: &str| d.strip_prefix(prefix).and_then(|r| r.strip_suffix(']'));
    if let Some(n) = inner("fixed_size_binary[") {
        return n.parse().ok().map(DataType::FixedSizeBinary);
    }
    if let Some(u) = inner("time32[") {
        return parse_unit(u).map(DataType::Time32);
    }
    if let Some(u) = inner("time64[") {
        return parse_unit(u).map(DataType::Time64);
    }
    if let Some(u) = inner("duration[") {
        return parse_unit(u).map(DataType::Duration);
    }
    if let Some(rest) = inner("timestamp[") {
        let (u, tz) = match rest.split_once(", tz=") {
            Some((u, tz)) => (u, Some(Arc::from(tz))),
            None => (rest, None),
        };
        return parse_unit(u).map(|u| DataType::Timestamp(u, tz));
    }
    for (prefix, wide) in [("decimal128(", false), ("decimal256(", true)] {
        if let Some((p, s)) = d.strip_prefix(prefix).and_then(|r| r.strip_suffix(')')).and_then(|r| r.split_once(',')) {
            let (p, s) = (p.trim().parse().ok()?, s.trim().parse().ok()?);
            return Some(if wide { DataType::Decimal256(p, s) } else { DataType::Decimal128(p, s) });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// HF datasets 5.2: `Features({...}).to_dict()` for the types below (json.dumps output).
    const HF_FEATURES: &str = r#"{"a": {"dtype": "int32", "_type": "Value"}, "s": {"feature": {"dtype": "string", "_type": "Value"}, "_type": "List"}, "fl": {"feature": {"dtype": "float32", "_type": "Value"}, "length": 3, "_type": "List"}, "ll": {"feature": {"dtype": "int8", "_type": "Value"}, "_type": "LargeList"}, "st": {"x": {"dtype": "bool", "_type": "Value"}, "y": {"feature": {"dtype": "string", "_type": "Value"}, "_type": "List"}}, "c": {"names": ["a", "b"], "_type": "ClassLabel"}, "arr": {"shape": [2, 3], "dtype": "float32", "_type": "Array2D"}, "ts": {"dtype": "timestamp[us, tz=UTC]", "_type": "Value"}, "e": {"dtype": "decimal128(10, 2)", "_type": "Value"}}"#;

    #[test]
    fn hf_json_round_trips_in_order() {
        let f = Features::from_json(&OrderedJson::parse(HF_FEATURES).unwrap()).unwrap();
        assert_eq!(f.names().collect::<Vec<_>>(), ["a", "s", "fl", "ll", "st", "c", "arr", "ts", "e"]);
        assert_eq!(f.get("c"), Some(&Feature::ClassLabel(vec!["a".into(), "b".into()])));
        assert_eq!(f.to_json().to_python_json(), HF_FEATURES);
    }

    #[test]
    fn arrow_types_match_hf() {
        let f = Features::from_json(&OrderedJson::parse(HF_FEATURES).unwrap()).unwrap();
        let no_arr = Features(f.0.into_iter().filter(|(n, _)| n != "arr").collect());
        let schema = no_arr.to_arrow_schema().unwrap();
        // pyarrow: a int32, s list<item: string>, fl fixed_size_list<item: float>[3], c int64, ...
        assert_eq!(
            schema.field(2).data_type(),
            &DataType::FixedSizeList(Arc::new(Field::new("item", DataType::Float32, true)), 3)
        );
        assert_eq!(schema.field(5).data_type(), &DataType::Int64);
        // the metadata wins for ClassLabel; plain derivation for the rest gives back the same features
        let back = Features::of_schema(&schema).unwrap();
        assert_eq!(back, no_arr);
        let plain = Features::from_arrow(&Schema::new(schema.fields().clone())).unwrap();
        assert_eq!(plain.get("c"), Some(&Feature::Value("int64".into())));
        assert_eq!(plain.get("st"), no_arr.get("st"));
    }

    #[test]
    fn array_xd_is_hf_extension_type() {
        // HF 5.2: Features({"m": Array2D(shape=(None, 3), dtype="int32")}); its pyarrow field is the
        // extension type `datasets.features.features.Array2DExtensionType` over list<list<int32>>,
        // serialized as json.dumps((shape, dtype)).
        let j = r#"{"m": {"shape": [null, 3], "dtype": "int32", "_type": "Array2D"}, "s": {"a": {"shape": [1, 2, 2], "dtype": "float32", "_type": "Array3D"}}}"#;
        let f = Features::from_json(&OrderedJson::parse(j).unwrap()).unwrap();
        assert_eq!(f.to_json().to_python_json(), j);
        let schema = f.to_arrow_schema().unwrap();
        let m = schema.field(0);
        let list = |t: DataType| DataType::List(Arc::new(Field::new("item", t, true)));
        assert_eq!(m.data_type(), &list(list(DataType::Int32)));
        assert_eq!(m.metadata()[EXTENSION_NAME_KEY], "datasets.features.features.Array2DExtensionType");
        assert_eq!(m.metadata()[EXTENSION_METADATA_KEY], r#"[[null, 3], "int32"]"#);
        let DataType::Struct(inner) = schema.field(1).data_type() else { panic!() };
        assert_eq!(inner[0].data_type(), &list(list(list(DataType::Float32))));
        assert_eq!(inner[0].metadata()[EXTENSION_NAME_KEY], "datasets.features.features.Array3DExtensionType");
        // without HF's schema metadata the extension fields alone give back the features
        let plain = Schema::new(schema.fields().clone());
        assert_eq!(Features::of_schema(&plain).unwrap(), f);
        // a wrong rank is not an ArrayXD
        let bad = OrderedJson::parse(r#"{"shape": [2], "dtype": "int32", "_type": "Array2D"}"#).unwrap();
        assert!(ArrayXD::from_json(&bad).is_none());
    }

    #[test]
    fn stale_metadata_is_ignored() {
        let f = Features(vec![("label".into(), Feature::ClassLabel(vec!["neg".into(), "pos".into()]))]);
        let meta: std::collections::HashMap<String, String> =
            [(HF_METADATA_KEY.to_string(), f.to_hf_metadata())].into_iter().collect();
        // same name, now a string column: the ClassLabel must not survive
        let s = Schema::new_with_metadata(vec![Field::new("label", DataType::Utf8, true)], meta);
        assert_eq!(Features::of_schema(&s).unwrap().get("label"), Some(&Feature::Value("string".into())));
    }

    #[test]
    fn old_sequence_of_dict_is_dict_of_lists() {
        let j = r#"{"answers": {"feature": {"text": {"dtype": "string", "_type": "Value"}, "answer_start": {"dtype": "int32", "_type": "Value"}}, "length": -1, "_type": "Sequence"}}"#;
        let f = Features::from_json(&OrderedJson::parse(j).unwrap()).unwrap();
        // HF 5.2 to_dict of the same feature:
        let hf = r#"{"answers": {"text": {"feature": {"dtype": "string", "_type": "Value"}, "_type": "List"}, "answer_start": {"feature": {"dtype": "int32", "_type": "Value"}, "_type": "List"}}}"#;
        assert_eq!(f.to_json().to_python_json(), hf);
    }

    #[test]
    fn dtype_names_round_trip() {
        for d in [
            "int8",
            "uint64",
            "float16",
            "string",
            "large_string",
            "binary",
            "date32",
            "time64[us]",
            "duration[s]",
            "timestamp[ms]",
            "timestamp[ns, tz=Europe/Paris]",
            "decimal128(10, 2)",
            "fixed_size_binary[4]",
            "null",
        ] {
            assert_eq!(value_dtype(&dtype_to_arrow(d).unwrap()).unwrap(), d);
        }
        assert!(dtype_to_arrow("int128").is_none());
        assert!(Feature::from_json("x", &OrderedJson::parse(r#"{"_type": "Value"}"#).unwrap()).is_err());
    }
}
