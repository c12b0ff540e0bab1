//! Strict JSON parsing for documents that will be verified (SPEC.md §2 "Documents").
//!
//! `serde_json` on its own keeps the last of two equal keys. A verifier must not: two
//! parsers that disagree on which duplicate wins can be shown different content under
//! one signature. So every document Probity reads goes through [`parse_strict`] (into
//! a `serde_json::Value`) or `Arena::parse` (into the tree verification works on),
//! which accept exactly the same documents: they refuse duplicate keys, input over the
//! size limit, numbers beyond 2^53, and nesting 128 levels deep, so that deeply nested
//! input fails fast instead of overflowing the stack.

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
    /// A number whose magnitude is beyond 2^53. RFC 8785 writes numbers as IEEE
    /// doubles, so two such numbers can share a canonical form and a signature while a
    /// reader with wider integers sees different values (see [`MAX_EXACT_NUMBER`]).
    #[error("the number {number} at line {line}, column {column} is beyond 2^53; numbers that large cannot be signed exactly (write them as strings)")]
    InexactNumber {
        /// The number as read.
        number: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
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
/// [`MAX_DOCUMENT_BYTES`], invalid UTF-8 and nesting 128 levels deep.
pub fn parse_strict(bytes: &[u8]) -> Result<Value, JsonError> {
    parse_strict_with_limit(bytes, MAX_DOCUMENT_BYTES)
}

/// [`parse_strict`] with a caller-chosen size limit.
pub fn parse_strict_with_limit(bytes: &[u8], limit: usize) -> Result<Value, JsonError> {
    let text = checked_text(bytes, limit)?;
    let mut de = serde_json::Deserializer::from_str(text);
    let value = StrictSeed.deserialize(&mut de).map_err(classify)?;
    de.end().map_err(classify)?;
    Ok(value)
}

/// `bytes` as text, if they are within `limit` and valid UTF-8.
fn checked_text(bytes: &[u8], limit: usize) -> Result<&str, JsonError> {
    if bytes.len() > limit {
        return Err(JsonError::TooLarge {
            size: bytes.len(),
            limit,
        });
    }
    std::str::from_utf8(bytes).map_err(|e| JsonError::NotUtf8 {
        offset: e.valid_up_to(),
    })
}

/// Marker the visitor puts in front of a duplicate-key message so that [`classify`]
/// can tell it from serde_json's own errors.
const DUPLICATE_MARK: &str = "\u{0}duplicate:";
/// Marker for a number beyond 2^53, as for [`DUPLICATE_MARK`].
const INEXACT_MARK: &str = "\u{0}inexact:";

/// The largest magnitude a number in a Probity document may have: 2^53, the last
/// integer an IEEE double holds exactly (I-JSON, RFC 7493 §2.2).
pub const MAX_EXACT_NUMBER: f64 = 9_007_199_254_740_992.0;

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
    if let Some(rest) = message.strip_prefix(INEXACT_MARK) {
        let number = rest
            .rsplit_once(" at line ")
            .map_or(rest, |(n, _)| n)
            .to_string();
        return JsonError::InexactNumber {
            number,
            line,
            column,
        };
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

/// Refuses integers beyond 2^53 ([`MAX_EXACT_NUMBER`]); `magnitude` is the integer's
/// absolute value, compared as an integer (a cast to f64 would round 2^53 + 1 down).
fn exact<E: de::Error, N: Into<serde_json::Number> + fmt::Display + Copy>(
    magnitude: u64,
    n: N,
) -> Result<serde_json::Number, E> {
    if magnitude > 1 << 53 {
        return Err(E::custom(format_args!("{INEXACT_MARK}{n}")));
    }
    Ok(n.into())
}

/// Refuses non-finite doubles and doubles beyond 2^53 (integers too wide for 64
/// bits arrive here as doubles).
fn exact_float<E: de::Error>(v: f64) -> Result<serde_json::Number, E> {
    if v.abs() > MAX_EXACT_NUMBER {
        return Err(E::custom(format_args!("{INEXACT_MARK}{v}")));
    }
    serde_json::Number::from_f64(v).ok_or_else(|| E::custom("number is not finite"))
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
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        exact(v.unsigned_abs(), v).map(Value::Number)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        exact(v, v).map(Value::Number)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        exact_float(v).map(Value::Number)
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

// The parsed tree is how verification reads documents, not part of the API: the crate's
// own code uses it, and the `internals` feature lends it to the fuzz targets, the
// benchmark and the integration tests. Only those call `Arena::new` (the crate sizes its
// arenas with `Arena::for_input`), so without them it would be reported as dead code.
// Clippy asks that `Json::to_value` take `self`, `Json` being `Copy`, now that the type
// is no longer exported; the method keeps its signature in this change.
#[cfg_attr(not(any(test, feature = "internals")), allow(dead_code))]
#[allow(clippy::wrong_self_convention)]
pub(crate) mod tree;
pub(crate) use tree::{Arena, Json, JsonNumber, Member, Text};
// Typed reading with the same strictness as verification (null is not absent, an
// object is not an array) is for everyone: nodes read request bodies with it.
pub use tree::{from_value_strict, ReadError};

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
    fn tree_sorts_members_and_refuses_duplicates() {
        let arena = Arena::new();
        let doc = arena
            .parse(br#"{"b":1,"a":{"y":"\u0041","x":[true,null]},"\u00e9":2.5,"n":-3}"#)
            .unwrap();
        let keys: Vec<&str> = doc
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["a", "b", "n", "\u{e9}"]);
        assert_eq!(
            doc.get("a").and_then(|a| a.get("y")).and_then(Json::as_str),
            Some("A")
        );
        assert_eq!(doc.get("b"), Some(&Json::Number(JsonNumber::Int(1))));
        assert_eq!(doc.get("n"), Some(&Json::Number(JsonNumber::Int(-3))));
        assert_eq!(
            doc.to_value(),
            parse_strict(br#"{"b":1,"a":{"y":"A","x":[true,null]},"\u00e9":2.5,"n":-3}"#).unwrap()
        );
        let err = arena.parse(br#"{"a":{"x":1,"y":2,"x":3}}"#).unwrap_err();
        assert!(
            matches!(&err, JsonError::DuplicateKey { key, .. } if key == "x"),
            "{err:?}"
        );
        let deep = "[".repeat(10_000);
        assert!(matches!(
            arena.parse(deep.as_bytes()),
            Err(JsonError::TooDeep { .. })
        ));
        let big = 9_007_199_254_740_993_u64.to_string();
        assert!(matches!(
            arena.parse(big.as_bytes()),
            Err(JsonError::InexactNumber { .. })
        ));
    }

    #[test]
    fn members_are_found_in_small_and_large_objects() {
        for size in [3, 16, 17, 200] {
            let mut keys: Vec<String> = (0..size).map(|i| format!("k{i}")).collect();
            keys.push("\u{fb33}".into());
            keys.push("\u{1f602}".into());
            let text = serde_json::to_string(
                &keys
                    .iter()
                    .enumerate()
                    .map(|(i, k)| (k.clone(), Value::from(i)))
                    .collect::<Map<_, _>>(),
            )
            .unwrap();
            let arena = Arena::new();
            let doc = arena.parse(text.as_bytes()).unwrap();
            for (i, key) in keys.iter().enumerate() {
                assert_eq!(
                    doc.get(key),
                    Some(&Json::Number(JsonNumber::Int(i as i64))),
                    "{key} of {size}"
                );
            }
            assert_eq!(doc.get("k"), None);
            assert_eq!(doc.get("missing"), None);
        }
    }

    #[test]
    fn strings_remember_whether_they_need_escaping() {
        let arena = Arena::new();
        let doc = arena
            .parse(
                r#"{"plain":"café  ","quoted":"say \"hi\"","escaped \u00e9":"\u00e9"}"#.as_bytes(),
            )
            .unwrap();
        fn text<'a>(v: &Json<'a>) -> Text<'a> {
            match v {
                Json::Str(t) => *t,
                other => panic!("not a string: {other:?}"),
            }
        }
        assert!(text(doc.get("plain").unwrap()).is_plain());
        assert!(!text(doc.get("quoted").unwrap()).is_plain());
        // Escapes in the input that stand for characters needing none stay plain.
        assert!(text(doc.get("escaped \u{e9}").unwrap()).is_plain());
        assert!(doc.as_object().unwrap().iter().all(|(k, _)| k.is_plain()));
        assert!(!Text::new("tab\there").is_plain());
        assert!(Text::new("no escapes").is_plain());
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Window {
        valid_from: String,
        #[serde(default)]
        valid_until: Option<String>,
        #[serde(default)]
        tags: Vec<String>,
    }

    #[test]
    fn typed_reading_is_strict_about_json_types_and_null() {
        let read = |v: Value| from_value_strict::<Vec<Window>>(&v);
        assert_eq!(
            read(serde_json::json!([{"validFrom": "a"}, {"validFrom": "b", "validUntil": "c"}]))
                .unwrap(),
            [
                Window {
                    valid_from: "a".into(),
                    valid_until: None,
                    tags: vec![]
                },
                Window {
                    valid_from: "b".into(),
                    valid_until: Some("c".into()),
                    tags: vec![]
                },
            ]
        );
        let cases = [
            (
                serde_json::json!([["a", "c"]]),
                "[0]",
                "expected an object, found an array",
            ),
            (
                serde_json::json!([{"validFrom": "a", "validUntil": null}]),
                "[0].validUntil",
                "is null",
            ),
            (
                serde_json::json!([{"validFrom": "a", "tags": {"0": "x"}}]),
                "[0].tags",
                "expected an array, found an object",
            ),
            (
                serde_json::json!([{"validFrom": "a", "tags": ["x", 1]}]),
                "[0].tags[1]",
                "invalid type",
            ),
            (serde_json::json!([{}]), "[0].validFrom", "is missing"),
            (
                serde_json::json!({"0": {"validFrom": "a"}}),
                "",
                "expected an array, found an object",
            ),
            (
                serde_json::json!([{"validFrom": 9_007_199_254_740_993_u64}]),
                "[0].validFrom",
                "beyond 2^53",
            ),
        ];
        for (value, path, message) in cases {
            let err = read(value.clone()).unwrap_err();
            assert_eq!(err.path(), path, "{value}: {err}");
            assert!(err.message().starts_with(message), "{value}: {err}");
        }
        let mut deep = serde_json::json!("x");
        for _ in 0..200 {
            deep = serde_json::json!([deep]);
        }
        assert!(from_value_strict::<Value>(&deep)
            .unwrap_err()
            .message()
            .contains("too deeply"));
    }

    #[test]
    fn typed_reading_finds_members_of_large_objects_in_utf16_order() {
        // A `Map` iterates in byte order; the tree searches large objects in UTF-16
        // order, where U+FB33 sorts after U+1F602.
        let mut object: Map<String, Value> =
            (0..40).map(|i| (format!("k{i}"), Value::from(i))).collect();
        object.insert("\u{fb33}".into(), Value::from(100));
        object.insert("\u{1f602}".into(), Value::from(200));
        let read: std::collections::BTreeMap<String, u32> =
            from_value_strict(&Value::Object(object.clone())).unwrap();
        assert_eq!(read.len(), 42);
        let value = Value::Object(object);
        let arena = Arena::new();
        let tree = arena.tree_of_value_for_tests(&value);
        assert_eq!(
            tree.get("\u{fb33}"),
            Some(&Json::Number(JsonNumber::Int(100)))
        );
        assert_eq!(
            tree.get("\u{1f602}"),
            Some(&Json::Number(JsonNumber::Int(200)))
        );
        assert_eq!(tree.get("k39"), Some(&Json::Number(JsonNumber::Int(39))));
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
