//! Strict JSON parsing for documents that will be verified (SPEC.md §2 "Documents").
//!
//! `serde_json` on its own keeps the last of two equal keys. A verifier must not: two
//! parsers that disagree on which duplicate wins can be shown different content under
//! one signature. So every document Probity reads goes through [`parse_strict`], which
//! refuses duplicate keys, bounds the input size, refuses numbers beyond 2^53, and
//! relies on `serde_json`'s recursion limit (128) so that deeply nested input fails
//! fast instead of overflowing the stack.

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
/// [`MAX_DOCUMENT_BYTES`], invalid UTF-8 and nesting beyond 128 levels.
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

/// Where a parsed [`Json`] tree lives: one bump arena per document.
///
/// Verification parses every credential it sees. A tree of `Vec`s costs an
/// allocation per object and array, a reallocation each time one outgrows its first
/// guess, and a walk to free it all again; on a 2.6 KB credential that was a tenth of
/// the whole verification. In an arena each object and array is one exact-size slice,
/// the nodes sit next to each other in memory, and dropping the arena frees
/// everything at once.
#[derive(Default)]
pub struct Arena {
    bump: bumpalo::Bump,
}

impl Arena {
    /// An empty arena; it grows as documents are parsed into it.
    pub fn new() -> Self {
        Self::default()
    }

    /// An arena sized for parsing a document of `input_len` bytes without growing
    /// (a parsed tree takes about twice the space of its text).
    pub fn for_input(input_len: usize) -> Self {
        Arena {
            bump: bumpalo::Bump::with_capacity(input_len.saturating_mul(2).max(1024)),
        }
    }

    /// Parses `bytes` into this arena with the rules of [`parse_strict`]: the same
    /// limits, the same refusal of duplicate keys and of numbers beyond 2^53. The
    /// tree borrows from both the input and the arena.
    pub fn parse<'a>(&'a self, bytes: &'a [u8]) -> Result<Json<'a>, JsonError> {
        let text = checked_text(bytes, MAX_DOCUMENT_BYTES)?;
        let mut de = serde_json::Deserializer::from_str(text);
        let mut scratch = Scratch {
            items: Vec::with_capacity(32),
            members: Vec::with_capacity(32),
        };
        let value = TreeSeed {
            bump: &self.bump,
            scratch: &mut scratch,
        }
        .deserialize(&mut de)
        .map_err(classify)?;
        de.end().map_err(classify)?;
        Ok(value)
    }
}

impl fmt::Debug for Arena {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Arena")
            .field("allocated_bytes", &self.bump.allocated_bytes())
            .finish()
    }
}

/// A parsed JSON document. Strings borrow from the input where they held no
/// escapes; objects and arrays are slices in an [`Arena`]; each object's members are
/// sorted in RFC 8785 order (UTF-16 code units) with no key twice, so members are
/// found by binary search and the tree is written in canonical form without sorting
/// again ([`crate::jcs::write_json`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, at most 2^53 in magnitude.
    Number(JsonNumber),
    /// A string.
    Str(Text<'a>),
    /// An array.
    Array(&'a [Json<'a>]),
    /// An object, members sorted by key in UTF-16 order, no key twice.
    Object(&'a [Member<'a>]),
}

/// One member of a [`Json::Object`]: its key and its value.
pub type Member<'a> = (Text<'a>, Json<'a>);

/// A number in a parsed document. Integers are kept apart from other numbers so that
/// typed fields (`u32` scores, say) read them as integers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum JsonNumber {
    /// An integer written without fraction or exponent.
    Int(i64),
    /// Any other number; finite.
    Float(f64),
}

impl JsonNumber {
    /// The number as a `u64`, if it is a non-negative integer.
    pub fn as_u64(self) -> Option<u64> {
        match self {
            JsonNumber::Int(i) => u64::try_from(i).ok(),
            JsonNumber::Float(_) => None,
        }
    }

    /// The number as an `i64`, if it is an integer.
    pub fn as_i64(self) -> Option<i64> {
        match self {
            JsonNumber::Int(i) => Some(i),
            JsonNumber::Float(_) => None,
        }
    }

    /// The number as a double (exact: magnitudes are at most 2^53).
    pub fn as_f64(self) -> f64 {
        match self {
            JsonNumber::Int(i) => i as f64,
            JsonNumber::Float(f) => f,
        }
    }
}

/// A string in a parsed document (a value or a key). It derefs to `str`.
///
/// It also remembers whether its canonical form is the text itself between quotes
/// (nothing to escape), so that the canonical writer copies it without scanning it
/// again: the parser knows this for free of every string that held no escapes.
#[derive(Clone, Copy)]
pub struct Text<'a> {
    text: &'a str,
    plain: bool,
}

impl<'a> Text<'a> {
    /// A string of a tree built by hand.
    pub fn new(text: &'a str) -> Self {
        Text {
            text,
            plain: !crate::jcs::needs_escape(text),
        }
    }

    /// The string.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// Whether the string holds nothing RFC 8785 escapes (control characters, `"`
    /// and `\`).
    pub(crate) fn is_plain(&self) -> bool {
        self.plain
    }
}

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        self.text
    }
}

impl AsRef<str> for Text<'_> {
    fn as_ref(&self) -> &str {
        self.text
    }
}

impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.text, f)
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text)
    }
}

impl PartialEq for Text<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl PartialEq<str> for Text<'_> {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for Text<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl<'a> Json<'a> {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&'a Json<'a>> {
        match self {
            // Credential objects have a dozen members or fewer. Comparing for
            // equality turns most keys away on their length alone, which beats the
            // ordered comparisons of a binary search until objects are much larger.
            Json::Object(members) if members.len() <= 16 => members
                .iter()
                .find(|(k, _)| k.as_str() == key)
                .map(|(_, v)| v),
            Json::Object(members) => members
                .binary_search_by(|(k, _)| crate::jcs::utf16_cmp(k, key))
                .ok()
                .map(|i| &members[i].1),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&'a str> {
        match self {
            Json::Str(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// The items, if this is an array.
    pub fn as_array(&self) -> Option<&'a [Json<'a>]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&'a [Member<'a>]> {
        match self {
            Json::Object(members) => Some(members),
            _ => None,
        }
    }

    /// A `serde_json::Value` with the same content.
    pub fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(JsonNumber::Int(i)) => Value::from(*i),
            Json::Number(JsonNumber::Float(f)) => Value::from(*f),
            Json::Str(s) => Value::String(s.to_string()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

/// Containers being read. Each object's members (each array's items) go on the end
/// of one shared stack while it is read, its children having come and gone above
/// them, and are then sorted and copied into the arena as one slice of the right
/// size.
struct Scratch<'a> {
    items: Vec<Json<'a>>,
    members: Vec<Member<'a>>,
}

struct TreeSeed<'s, 'a> {
    bump: &'a bumpalo::Bump,
    scratch: &'s mut Scratch<'a>,
}

impl<'a> DeserializeSeed<'a> for TreeSeed<'_, 'a> {
    type Value = Json<'a>;
    fn deserialize<D: de::Deserializer<'a>>(self, d: D) -> Result<Json<'a>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'a> Visitor<'a> for TreeSeed<'_, 'a> {
    type Value = Json<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json<'a>, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json<'a>, E> {
        exact(v.unsigned_abs(), v).map(|_| Json::Number(JsonNumber::Int(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json<'a>, E> {
        // Within 2^53, so it fits an i64.
        exact(v, v).map(|_| Json::Number(JsonNumber::Int(v as i64)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json<'a>, E> {
        exact_float(v).map(|_| Json::Number(JsonNumber::Float(v)))
    }
    fn visit_borrowed_str<E>(self, v: &'a str) -> Result<Json<'a>, E> {
        Ok(Json::Str(unescaped(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json<'a>, E> {
        Ok(Json::Str(Text::new(self.bump.alloc_str(v))))
    }
    fn visit_unit<E>(self) -> Result<Json<'a>, E> {
        Ok(Json::Null)
    }
    fn visit_seq<A: SeqAccess<'a>>(self, mut seq: A) -> Result<Json<'a>, A::Error> {
        let start = self.scratch.items.len();
        loop {
            let seed = TreeSeed {
                bump: self.bump,
                scratch: &mut *self.scratch,
            };
            let Some(item) = seq.next_element_seed(seed)? else {
                break;
            };
            self.scratch.items.push(item);
        }
        let items = self.bump.alloc_slice_copy(&self.scratch.items[start..]);
        self.scratch.items.truncate(start);
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<Json<'a>, A::Error> {
        let start = self.scratch.members.len();
        while let Some(key) = map.next_key_seed(KeySeed { bump: self.bump })? {
            let value = map.next_value_seed(TreeSeed {
                bump: self.bump,
                scratch: &mut *self.scratch,
            })?;
            self.scratch.members.push((key, value));
        }
        let members = &mut self.scratch.members[start..];
        members.sort_unstable_by(|a, b| crate::jcs::utf16_cmp(&a.0, &b.0));
        if let Some(pair) = members.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(de::Error::custom(format_args!(
                "{DUPLICATE_MARK}{}",
                pair[0].0
            )));
        }
        let members = self.bump.alloc_slice_copy(members);
        self.scratch.members.truncate(start);
        Ok(Json::Object(members))
    }
}

/// A string `serde_json` lent straight from the input: it held no escapes, and JSON
/// text cannot hold a bare quote or control character inside a string, so it has
/// nothing to escape in canonical form either.
fn unescaped(text: &str) -> Text<'_> {
    debug_assert!(!crate::jcs::needs_escape(text));
    Text { text, plain: true }
}

struct KeySeed<'a> {
    bump: &'a bumpalo::Bump,
}

impl<'a> DeserializeSeed<'a> for KeySeed<'a> {
    type Value = Text<'a>;
    fn deserialize<D: de::Deserializer<'a>>(self, d: D) -> Result<Text<'a>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'a> Visitor<'a> for KeySeed<'a> {
    type Value = Text<'a>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E>(self, v: &'a str) -> Result<Text<'a>, E> {
        Ok(unescaped(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Text<'a>, E> {
        Ok(Text::new(self.bump.alloc_str(v)))
    }
}

/// Reads typed values (the credential model) straight out of a [`Json`] tree, as
/// `serde_json` does from a `Value`.
impl<'de> de::Deserializer<'de> for &'de Json<'de> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Json::Null => visitor.visit_unit(),
            Json::Bool(b) => visitor.visit_bool(*b),
            Json::Number(JsonNumber::Int(i)) => match u64::try_from(*i) {
                Ok(u) => visitor.visit_u64(u),
                Err(_) => visitor.visit_i64(*i),
            },
            Json::Number(JsonNumber::Float(f)) => visitor.visit_f64(*f),
            Json::Str(s) => visitor.visit_borrowed_str(s.as_str()),
            Json::Array(items) => visitor.visit_seq(de::value::SeqDeserializer::new(items.iter())),
            Json::Object(members) => visitor.visit_map(de::value::MapDeserializer::new(
                members.iter().map(|(k, v)| (k.as_str(), v)),
            )),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Json::Null => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self {
            Json::Str(s) => visitor.visit_enum(
                de::IntoDeserializer::<Self::Error>::into_deserializer(s.as_ref()),
            ),
            _ => Err(de::Error::custom(
                "expected a string naming one of the allowed values",
            )),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

impl<'de> de::IntoDeserializer<'de, de::value::Error> for &'de Json<'de> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
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
