//! The parsed form of a document that is verified: a tree in a bump arena, read by a
//! parser of our own (SPEC.md §2 "Documents").

use super::{checked_text, JsonError, MAX_DOCUMENT_BYTES, MAX_EXACT_NUMBER};
use serde::de::{self, Visitor};
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
        let mut scratch = Scratch {
            items: Vec::with_capacity(32),
            members: Vec::with_capacity(32),
            text: String::new(),
        };
        Parser {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            bump: &self.bump,
            scratch: &mut scratch,
            depth: 0,
        }
        .document()
        .map_err(|fault| fault.into_error(text))
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
    /// A string with escapes, as it is being unescaped.
    text: String,
}

/// Objects and arrays may nest this deep and no deeper: the limit `serde_json` applies
/// in [`parse_strict`] (its recursion limit of 128 counts the value inside the
/// deepest container too). The documents Probity reads nest about five deep; deeper
/// input is refused before the stack is at risk.
const MAX_DEPTH: usize = 127;

/// What went wrong, and where (a byte offset; turned into a line and column only
/// when reported).
struct Fault {
    at: usize,
    kind: FaultKind,
}

enum FaultKind {
    Syntax(&'static str),
    TooDeep,
    Duplicate(String),
    Inexact(String),
}

/// The parser behind [`Arena::parse`].
///
/// Why one of our own rather than `serde_json`'s: driven through serde's visitor
/// interface, `serde_json` spent about three times as long building the tree as it
/// did reading the text, and parsing was the largest cost in a verification after
/// the signature itself. This one writes nodes straight into the arena. It accepts
/// exactly the JSON that [`parse_strict`] accepts, with the same values: the
/// property tests in `spec/tests/json_parsers.rs` and the `json_parse` fuzz target
/// hold the two to that.
struct Parser<'a, 's> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    bump: &'a bumpalo::Bump,
    scratch: &'s mut Scratch<'a>,
    depth: usize,
}

type Parsed<T> = Result<T, Fault>;

impl<'a> Parser<'a, '_> {
    fn fault<T>(&self, kind: FaultKind) -> Parsed<T> {
        Err(Fault { at: self.pos, kind })
    }

    fn syntax<T>(&self, message: &'static str) -> Parsed<T> {
        self.fault(FaultKind::Syntax(message))
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// The whole document: one value and nothing after it but whitespace.
    fn document(&mut self) -> Parsed<Json<'a>> {
        let value = self.value()?;
        self.skip_whitespace();
        if self.pos < self.bytes.len() {
            return self.syntax("trailing characters");
        }
        Ok(value)
    }

    fn value(&mut self) -> Parsed<Json<'a>> {
        self.skip_whitespace();
        match self.peek() {
            None => self.syntax("EOF while parsing a value"),
            Some(b'"') => {
                self.pos += 1;
                self.string().map(Json::Str)
            }
            Some(b'{') => self.nested(Self::object),
            Some(b'[') => self.nested(Self::array),
            Some(b'-' | b'0'..=b'9') => self.number().map(Json::Number),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(_) => self.syntax("expected value"),
        }
    }

    fn literal(&mut self, word: &str, value: Json<'a>) -> Parsed<Json<'a>> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else if word.as_bytes().starts_with(&self.bytes[self.pos..]) {
            self.pos = self.bytes.len();
            self.syntax("EOF while parsing a value")
        } else {
            self.syntax("expected ident")
        }
    }

    /// Reads an object or array one level deeper, refusing to go past [`MAX_DEPTH`].
    fn nested(&mut self, read: fn(&mut Self) -> Parsed<Json<'a>>) -> Parsed<Json<'a>> {
        if self.depth == MAX_DEPTH {
            return self.fault(FaultKind::TooDeep);
        }
        self.depth += 1;
        self.pos += 1; // the opening bracket
        let value = read(self);
        self.depth -= 1;
        value
    }

    fn array(&mut self) -> Parsed<Json<'a>> {
        let start = self.scratch.items.len();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(&[]));
        }
        loop {
            let item = self.value()?;
            self.scratch.items.push(item);
            if self.end_of(b']', "EOF while parsing a list", "expected `,` or `]`")? {
                break;
            }
        }
        let items = self.bump.alloc_slice_copy(&self.scratch.items[start..]);
        self.scratch.items.truncate(start);
        Ok(Json::Array(items))
    }

    /// After an item or member: `true` at the closing bracket `close`, `false` after a
    /// comma that another item follows.
    fn end_of(&mut self, close: u8, eof: &'static str, expected: &'static str) -> Parsed<bool> {
        self.skip_whitespace();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                self.skip_whitespace();
                if self.peek() == Some(close) {
                    return self.syntax("trailing comma");
                }
                Ok(false)
            }
            Some(b) if b == close => {
                self.pos += 1;
                Ok(true)
            }
            None => self.syntax(eof),
            Some(_) => self.syntax(expected),
        }
    }

    fn object(&mut self) -> Parsed<Json<'a>> {
        let start = self.scratch.members.len();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(&[]));
        }
        loop {
            match self.peek() {
                Some(b'"') => self.pos += 1,
                None => return self.syntax("EOF while parsing an object"),
                Some(_) => return self.syntax("key must be a string"),
            }
            let key = self.string()?;
            self.skip_whitespace();
            match self.peek() {
                Some(b':') => self.pos += 1,
                None => return self.syntax("EOF while parsing an object"),
                Some(_) => return self.syntax("expected `:`"),
            }
            let value = self.value()?;
            self.scratch.members.push((key, value));
            if self.end_of(b'}', "EOF while parsing an object", "expected `,` or `}`")? {
                break;
            }
        }
        let members = &mut self.scratch.members[start..];
        let in_order = |w: &[Member<'_>]| crate::jcs::utf16_cmp(&w[0].0, &w[1].0).is_lt();
        // Documents written by Probity (and by any JCS signer) arrive sorted already;
        // keys in strictly rising order are also free of duplicates.
        if !members.windows(2).all(in_order) {
            members.sort_unstable_by(|a, b| crate::jcs::utf16_cmp(&a.0, &b.0));
            if let Some(pair) = members.windows(2).find(|w| w[0].0 == w[1].0) {
                let key = pair[0].0.to_string();
                return self.fault(FaultKind::Duplicate(key));
            }
        }
        let members = self.bump.alloc_slice_copy(members);
        self.scratch.members.truncate(start);
        Ok(Json::Object(members))
    }

    /// A string, its opening quote already read.
    fn string(&mut self) -> Parsed<Text<'a>> {
        let start = self.pos;
        // The bytes that end a plain run are exactly those JCS escapes.
        let run = crate::jcs::find_escape(&self.bytes[start..]);
        match run.map(|n| (start + n, self.bytes[start + n])) {
            Some((end, b'"')) => {
                self.pos = end + 1;
                let text = &self.text[start..end];
                // No escape, no bare control character: nothing to escape when written.
                Ok(Text { text, plain: true })
            }
            Some((end, b'\\')) => {
                self.pos = end;
                self.escaped_string(start)
            }
            Some((end, _)) => {
                self.pos = end;
                self.syntax("control character (\\u0000-\\u001F) found while parsing a string")
            }
            None => {
                self.pos = self.bytes.len();
                self.syntax("EOF while parsing a string")
            }
        }
    }

    /// The rest of a string that holds escapes, from its start; `self.pos` is at its
    /// first backslash. The unescaped text goes into the arena.
    fn escaped_string(&mut self, start: usize) -> Parsed<Text<'a>> {
        let mut out = std::mem::take(&mut self.scratch.text);
        out.clear();
        out.push_str(&self.text[start..self.pos]);
        let result = loop {
            let run_start = self.pos;
            let Some(n) = crate::jcs::find_escape(&self.bytes[run_start..]) else {
                self.pos = self.bytes.len();
                break self.syntax("EOF while parsing a string");
            };
            self.pos = run_start + n;
            out.push_str(&self.text[run_start..self.pos]);
            match self.bytes[self.pos] {
                b'"' => {
                    self.pos += 1;
                    break Ok(());
                }
                b'\\' => {
                    self.pos += 1;
                    if let Err(fault) = self.escape(&mut out) {
                        break Err(fault);
                    }
                }
                _ => {
                    break self
                        .syntax("control character (\\u0000-\\u001F) found while parsing a string")
                }
            }
        };
        let text = result.map(|()| Text::new(self.bump.alloc_str(&out)));
        self.scratch.text = out;
        text
    }

    /// One escape, its backslash already read.
    fn escape(&mut self, out: &mut String) -> Parsed<()> {
        let Some(b) = self.peek() else {
            return self.syntax("EOF while parsing a string");
        };
        self.pos += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => self.unicode_escape()?,
            _ => {
                self.pos -= 1;
                return self.syntax("invalid escape");
            }
        };
        out.push(c);
        Ok(())
    }

    /// `\uXXXX`, or a surrogate pair of two; a surrogate on its own is refused.
    fn unicode_escape(&mut self) -> Parsed<char> {
        let first = self.hex4()?;
        let code = match first {
            0xd800..=0xdbff => {
                if !self.bytes[self.pos..].starts_with(b"\\u") {
                    return self.syntax("lone leading surrogate in hex escape");
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xdc00..=0xdfff).contains(&second) {
                    return self.syntax("lone leading surrogate in hex escape");
                }
                0x10000 + ((u32::from(first) - 0xd800) << 10) + (u32::from(second) - 0xdc00)
            }
            0xdc00..=0xdfff => return self.syntax("lone trailing surrogate in hex escape"),
            other => u32::from(other),
        };
        match char::from_u32(code) {
            Some(c) => Ok(c),
            None => self.syntax("invalid unicode code point"),
        }
    }

    fn hex4(&mut self) -> Parsed<u16> {
        let Some(digits) = self.bytes.get(self.pos..self.pos + 4) else {
            self.pos = self.bytes.len();
            return self.syntax("EOF while parsing a string");
        };
        let mut value = 0u16;
        for &d in digits {
            let Some(v) = (d as char).to_digit(16) else {
                return self.syntax("invalid escape");
            };
            value = value * 16 + v as u16;
        }
        self.pos += 4;
        Ok(value)
    }

    /// A number, by the JSON grammar: integers without fraction or exponent are read
    /// exactly; anything else as the nearest double.
    fn number(&mut self) -> Parsed<JsonNumber> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let digits_start = self.pos;
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.skip_digits(),
            None => return self.syntax("EOF while parsing a value"),
            Some(_) => return self.syntax("invalid number"),
        }
        let integer_end = self.pos;
        if let Some(b'0'..=b'9') = self.peek() {
            return self.syntax("invalid number");
        }
        let mut fraction_or_exponent = false;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.required_digits()?;
            fraction_or_exponent = true;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            self.required_digits()?;
            fraction_or_exponent = true;
        }
        let literal = &self.text[start..self.pos];
        if !fraction_or_exponent {
            // Up to 2^53 in magnitude, which also keeps it within i64.
            let magnitude = self.text[digits_start..integer_end]
                .parse::<u64>()
                .ok()
                .filter(|&m| m <= 1 << 53);
            return match magnitude {
                Some(0) if negative => Ok(JsonNumber::Float(-0.0)),
                Some(m) if negative => Ok(JsonNumber::Int(-(m as i64))),
                Some(m) => Ok(JsonNumber::Int(m as i64)),
                None => self.fault(FaultKind::Inexact(literal.to_owned())),
            };
        }
        match literal.parse::<f64>() {
            Ok(v) if v.abs() <= MAX_EXACT_NUMBER => Ok(JsonNumber::Float(v)),
            // Beyond any double (SPEC.md §2.1), as serde_json reports it.
            Ok(v) if v.is_infinite() => self.syntax("number out of range"),
            _ => self.fault(FaultKind::Inexact(literal.to_owned())),
        }
    }

    fn skip_digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    fn required_digits(&mut self) -> Parsed<()> {
        match self.peek() {
            Some(b'0'..=b'9') => {
                self.skip_digits();
                Ok(())
            }
            None => self.syntax("EOF while parsing a value"),
            Some(_) => self.syntax("invalid number"),
        }
    }
}

impl Fault {
    /// The error a caller sees, with the line and column of the offending byte.
    fn into_error(self, text: &str) -> JsonError {
        let before = &text.as_bytes()[..self.at.min(text.len())];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = 1 + String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count();
        match self.kind {
            FaultKind::Syntax(message) => JsonError::Syntax {
                message: message.to_owned(),
                line,
                column,
            },
            FaultKind::TooDeep => JsonError::TooDeep { line, column },
            FaultKind::Duplicate(key) => JsonError::DuplicateKey { key, line, column },
            FaultKind::Inexact(number) => JsonError::InexactNumber {
                number,
                line,
                column,
            },
        }
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
            // Keys are lent as borrowed too, so that maps keyed by `&str` can be read.
            Json::Object(members) => visitor.visit_map(de::value::MapDeserializer::new(
                members
                    .iter()
                    .map(|(k, v)| (de::value::BorrowedStrDeserializer::new(k.as_str()), v)),
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
