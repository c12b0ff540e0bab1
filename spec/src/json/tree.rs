//! The parsed form of a document that is verified: a tree in a bump arena
//! (SPEC.md §2 "Documents").

use super::{
    checked_text, classify, exact, exact_float, JsonError, DUPLICATE_MARK, MAX_DOCUMENT_BYTES,
};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;

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

/// The deepest nesting of arrays and objects the parser accepts: serde_json refuses the
/// 128th level, and so does [`Arena::tree_of`].
const MAX_NESTING: usize = 127;

impl Arena {
    /// The tree of a `serde_json::Value`, built in this arena with members in the order
    /// the parser sorts them, refusing what the parser refuses: numbers beyond 2^53 and
    /// nesting 128 levels deep (a `Value` built in code need not have come through
    /// the parser).
    fn tree_of<'a>(&'a self, value: &'a Value, depth: usize) -> Result<Json<'a>, ReadError> {
        use de::Error;
        if depth > MAX_NESTING && matches!(value, Value::Array(_) | Value::Object(_)) {
            return Err(ReadError::custom("is nested too deeply"));
        }
        Ok(match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => {
                let number = match (n.as_i64(), n.as_f64()) {
                    (Some(i), _) if i.unsigned_abs() <= 1 << 53 => JsonNumber::Int(i),
                    (None, Some(f)) if !n.is_u64() && f.abs() <= super::MAX_EXACT_NUMBER => {
                        JsonNumber::Float(f)
                    }
                    _ => {
                        return Err(ReadError::custom(format_args!(
                            "beyond 2^53: {n} cannot be signed exactly (SPEC.md §2.2)"
                        )))
                    }
                };
                Json::Number(number)
            }
            Value::String(s) => Json::Str(Text::new(s)),
            Value::Array(items) => {
                let items = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.tree_of(item, depth + 1).map_err(|e| e.within_item(i)))
                    .collect::<Result<Vec<_>, _>>()?;
                Json::Array(self.bump.alloc_slice_copy(&items))
            }
            Value::Object(object) => {
                let mut members = object
                    .iter()
                    .map(|(k, v)| {
                        Ok((
                            Text::new(k),
                            self.tree_of(v, depth + 1).map_err(|e| e.within(k))?,
                        ))
                    })
                    .collect::<Result<Vec<_>, ReadError>>()?;
                // A `Map` is in byte order, the tree in UTF-16 order (SPEC.md §2.1).
                members.sort_unstable_by(|a, b| crate::jcs::utf16_cmp(&a.0, &b.0));
                Json::Object(self.bump.alloc_slice_copy(&members))
            }
        })
    }
}

#[cfg(test)]
impl Arena {
    /// [`Arena::tree_of`] for tests, which know their values convert.
    pub(crate) fn tree_of_value_for_tests<'a>(&'a self, value: &'a Value) -> Json<'a> {
        self.tree_of(value, 0).unwrap_or(Json::Null)
    }
}

/// Reads a typed value out of a `serde_json::Value` as strictly as verification reads
/// a credential subject out of its parsed tree (see the parsed tree's deserializer): an
/// object only from an object, an array only from an array, and `null` never as an
/// absent member. Registries and DID documents are read this way (SPEC.md §6.2, §4.6).
pub fn from_value_strict<T: de::DeserializeOwned>(value: &Value) -> Result<T, ReadError> {
    let arena = Arena::new();
    let tree = arena.tree_of(value, 0)?;
    T::deserialize(&tree)
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
        let in_order = |w: &[Member<'_>]| crate::jcs::utf16_cmp(&w[0].0, &w[1].0).is_lt();
        // Documents written by Probity (and by any JCS signer) arrive sorted already;
        // keys in strictly rising order are also free of duplicates.
        if !members.windows(2).all(in_order) {
            members.sort_unstable_by(|a, b| crate::jcs::utf16_cmp(&a.0, &b.0));
            if let Some(pair) = members.windows(2).find(|w| w[0].0 == w[1].0) {
                return Err(de::Error::custom(format_args!(
                    "{DUPLICATE_MARK}{}",
                    pair[0].0
                )));
            }
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

/// Why a JSON value could not be read as a typed value: the member it was found at
/// (a path such as `exams[0].score`, empty for the value itself) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ReadError(Box<Located>);

/// The content of a [`ReadError`], boxed so that the results of the typed reader stay
/// as small as those of serde's own errors.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Located {
    path: String,
    message: String,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl ReadError {
    fn new(path: String, message: String) -> Self {
        ReadError(Box::new(Located { path, message }))
    }

    /// Where the problem is, relative to the value read: `course.date`,
    /// `exams[0]`, or empty for the value itself.
    pub fn path(&self) -> &str {
        &self.0.path
    }

    /// What is wrong there.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The same error, seen from the object holding the value as member `key`.
    pub fn within(mut self, key: &str) -> Self {
        let path = &mut self.0.path;
        let rest = std::mem::take(path);
        path.reserve(key.len() + 1 + rest.len());
        path.push_str(key);
        if !rest.is_empty() && !rest.starts_with('[') {
            path.push('.');
        }
        path.push_str(&rest);
        self
    }

    /// The same error, seen from the array holding the value at `index`.
    pub fn within_item(mut self, index: usize) -> Self {
        let path = &mut self.0.path;
        let rest = std::mem::take(path);
        *path = format!("[{index}]");
        if !rest.is_empty() && !rest.starts_with('[') {
            path.push('.');
        }
        path.push_str(&rest);
        self
    }

    /// A value of the wrong JSON type, such as an array where an object is read.
    fn wrong_type(expected: &str, found: &Json<'_>) -> Self {
        ReadError::new(
            String::new(),
            format!("expected {expected}, found {}", found.kind()),
        )
    }
}

impl de::Error for ReadError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        ReadError::new(String::new(), message.to_string())
    }

    fn missing_field(field: &'static str) -> Self {
        ReadError::new(field.to_owned(), "is missing".to_owned())
    }
}

impl Json<'_> {
    /// The JSON type of the value, as error messages name it.
    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::Str(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

/// The members of an object, handed to a typed reader one by one. An error in a
/// member's value is given the member's key, so that it names where it is.
struct Members<'de> {
    members: std::slice::Iter<'de, Member<'de>>,
    value: Option<(&'de str, &'de Json<'de>)>,
}

impl<'de> MapAccess<'de> for Members<'de> {
    type Error = ReadError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ReadError> {
        let Some((key, value)) = self.members.next() else {
            return Ok(None);
        };
        self.value = Some((key.as_str(), value));
        // Keys are lent as borrowed, so that maps keyed by `&str` can be read.
        seed.deserialize(de::value::BorrowedStrDeserializer::new(key.as_str()))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, ReadError> {
        match self.value.take() {
            Some((key, value)) => seed.deserialize(value).map_err(|e| e.within(key)),
            None => Err(de::Error::custom("a value was read before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.members.len())
    }
}

/// The items of an array, handed to a typed reader one by one; an error in an item
/// is given its index.
struct Items<'de> {
    items: std::iter::Enumerate<std::slice::Iter<'de, Json<'de>>>,
}

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = ReadError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ReadError> {
        match self.items.next() {
            Some((i, item)) => seed
                .deserialize(item)
                .map(Some)
                .map_err(|e| e.within_item(i)),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// Reads typed values (the credential model, registries, DID documents) straight out
/// of a [`Json`] tree, as `serde_json` does from a `Value`, but strictly: a struct or
/// map is read only from a JSON object, a sequence only from an array, and `null` is
/// not an absent member (SPEC.md §5.6 rule 14, §6.2, §4.6). serde alone would read a
/// struct from an array field by field, and an `Option` from `null` as `None`.
/// Errors name the member they are about ([`ReadError::path`]).
impl<'de> de::Deserializer<'de> for &'de Json<'de> {
    type Error = ReadError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self {
            Json::Null => visitor.visit_unit(),
            Json::Bool(b) => visitor.visit_bool(*b),
            Json::Number(JsonNumber::Int(i)) => match u64::try_from(*i) {
                Ok(u) => visitor.visit_u64(u),
                Err(_) => visitor.visit_i64(*i),
            },
            Json::Number(JsonNumber::Float(f)) => visitor.visit_f64(*f),
            Json::Str(s) => visitor.visit_borrowed_str(s.as_str()),
            Json::Array(_) => self.deserialize_seq(visitor),
            Json::Object(members) => visitor.visit_map(Members {
                members: members.iter(),
                value: None,
            }),
        }
    }

    /// `null` is not absent: a member that may be left out is either left out (the
    /// typed reader then gives `None` without asking) or of its type.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self {
            Json::Null => Err(de::Error::custom(
                "is null; a member without a value must be left out",
            )),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self {
            Json::Object(members) => visitor.visit_map(Members {
                members: members.iter(),
                value: None,
            }),
            other => Err(ReadError::wrong_type("an object", other)),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self {
            Json::Array(items) => visitor.visit_seq(Items {
                items: items.iter().enumerate(),
            }),
            other => Err(ReadError::wrong_type("an array", other)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        match self {
            Json::Str(s) => visitor.visit_enum(
                de::IntoDeserializer::<ReadError>::into_deserializer(s.as_str()),
            ),
            other => Err(ReadError::wrong_type(
                "a string naming one of the allowed values",
                other,
            )),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        visitor.visit_newtype_struct(self)
    }

    /// A member the type does not read is signed content, but not looked at.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct identifier
    }
}

impl<'de> de::IntoDeserializer<'de, ReadError> for &'de Json<'de> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}
