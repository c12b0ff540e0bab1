//! Strict JSON parsing for documents that will be verified (SPEC.md §2 "Documents").
//!
//! `serde_json` on its own keeps the last of two equal keys. A verifier must not: two
//! parsers that disagree on which duplicate wins can be shown different content under
//! one signature. So every document Probity reads goes through [`parse_strict`], which
//! refuses duplicate keys, bounds the input size, and relies on `serde_json`'s nesting
//! limit (128 levels) so that deeply nested input fails fast instead of overflowing the
//! stack.

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// The largest document Probity reads: 1 MiB. A credential is a few kilobytes; a
/// status list credential about 20 KB; a registry of 1,000 members fits comfortably.
pub const MAX_DOCUMENT_BYTES: usize = 1 << 20;

/// Why a document could not be read as JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonError {
    /// The input is larger than the limit.
    #[error("document is {size} bytes, over the {limit}-byte limit")]
    TooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The limit that applied.
        limit: usize,
    },
    /// The input is not valid UTF-8.
    #[error("document is not valid UTF-8 (first bad byte at offset {offset})")]
    NotUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// The same key appears twice in one object.
    #[error("duplicate key \"{key}\" in a JSON object (line {line}, column {column})")]
    DuplicateKey {
        /// The repeated key.
        key: String,
        /// 1-based line of the second occurrence.
        line: usize,
        /// 1-based column just after the second occurrence.
        column: usize,
    },
    /// Objects and arrays are nested deeper than the parser allows.
    #[error("JSON is nested too deeply (line {line}, column {column})")]
    TooDeep {
        /// 1-based line where the limit was reached.
        line: usize,
        /// 1-based column where the limit was reached.
        column: usize,
    },
    /// Anything else: truncated input, a stray character, a bad escape.
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Syntax {
        /// What the parser expected or found.
        message: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
}

/// Parses `bytes` as one JSON value, refusing duplicate keys, input over
/// [`MAX_DOCUMENT_BYTES`], invalid UTF-8 and nesting beyond 128 levels.
pub fn parse_strict(bytes: &[u8]) -> Result<Value, JsonError> {
    parse_strict_with_limit(bytes, MAX_DOCUMENT_BYTES)
}

/// [`parse_strict`] with a caller-chosen size limit.
pub fn parse_strict_with_limit(bytes: &[u8], limit: usize) -> Result<Value, JsonError> {
    if bytes.len() > limit {
        return Err(JsonError::TooLarge {
            size: bytes.len(),
            limit,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| JsonError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    let mut de = serde_json::Deserializer::from_str(text);
    let value = StrictSeed.deserialize(&mut de).map_err(classify)?;
    de.end().map_err(classify)?;
    Ok(value)
}

/// Marker the visitor puts in front of a duplicate-key message so that [`classify`]
/// can tell it from serde_json's own errors.
const DUPLICATE_MARK: &str = "\u{0}duplicate:";

fn classify(err: serde_json::Error) -> JsonError {
    let (line, column) = (err.line(), err.column());
    let message = err.to_string();
    if let Some(rest) = message.strip_prefix(DUPLICATE_MARK) {
        // serde_json appends " at line L column C"; keep only the key.
        let key = rest
            .rsplit_once(" at line ")
            .map_or(rest, |(key, _)| key)
            .to_string();
        return JsonError::DuplicateKey { key, line, column };
    }
    if message.starts_with("recursion limit exceeded") {
        return JsonError::TooDeep { line, column };
    }
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m)
        .to_string();
    JsonError::Syntax {
        message,
        line,
        column,
    }
}

struct StrictSeed;

impl<'de> DeserializeSeed<'de> for StrictSeed {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number is not finite"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(StrictSeed)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!("{DUPLICATE_MARK}{key}")));
            }
            let value = map.next_value_seed(StrictSeed)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ordinary_json() {
        let v = parse_strict(br#"{"a":[1,2.5,"x",null,true],"b":{"c":-3}}"#).unwrap();
        assert_eq!(v["a"][1], 2.5);
        assert_eq!(v["b"]["c"], -3);
    }

    #[test]
    fn refuses_duplicate_keys_anywhere() {
        let err = parse_strict(br#"{"a":1,"b":{"x":1,"x":2}}"#).unwrap_err();
        assert!(
            matches!(&err, JsonError::DuplicateKey { key, .. } if key == "x"),
            "{err:?}"
        );
        assert!(err.to_string().contains("duplicate key \"x\""));
    }

    #[test]
    fn refuses_truncated_input_and_trailing_garbage() {
        assert!(matches!(
            parse_strict(br#"{"a":"#),
            Err(JsonError::Syntax { .. })
        ));
        assert!(matches!(
            parse_strict(br#"{"a":1} x"#),
            Err(JsonError::Syntax { .. })
        ));
    }

    #[test]
    fn refuses_non_utf8() {
        assert_eq!(
            parse_strict(b"{\"a\":\"\xff\"}"),
            Err(JsonError::NotUtf8 { offset: 6 })
        );
    }

    #[test]
    fn refuses_oversized_input() {
        let big = vec![b' '; MAX_DOCUMENT_BYTES + 1];
        assert!(matches!(
            parse_strict(&big),
            Err(JsonError::TooLarge { .. })
        ));
    }

    #[test]
    fn refuses_deep_nesting_without_overflowing_the_stack() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(matches!(
            parse_strict(deep.as_bytes()),
            Err(JsonError::TooDeep { .. })
        ));
        let deep_objects = "{\"a\":".repeat(10_000);
        assert!(matches!(
            parse_strict(deep_objects.as_bytes()),
            Err(JsonError::TooDeep { .. })
        ));
    }
}
