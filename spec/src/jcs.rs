//! RFC 8785 JSON Canonicalization Scheme (JCS), the canonical form `eddsa-jcs-2022`
//! hashes (SPEC.md §3).
//!
//! Why a writer of our own: `serde_json_canonicalizer` is correct, but it goes through
//! serde's generic serializer and buffers every object to sort it; on a 2.6 KB IP
//! certificate it takes about as long as the Ed25519 check itself, and a verifier
//! node canonicalizes every credential it sees. This module walks a
//! `serde_json::Value` directly and writes canonical bytes in one pass. It still uses
//! the crate for what is subtle and rare, the ECMAScript form of non-integer numbers
//! (RFC 8785 §3.2.2.3), and the crate is the oracle the property tests compare this
//! writer against (`spec/tests/jcs_oracle.rs`), besides the RFC's own vectors.

use crate::json::{Json, JsonNumber, Text};
use serde::Serialize;
use serde_json::{Map, Number, Value};
use std::cmp::Ordering;

/// A value that JCS cannot represent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JcsError {
    /// The value holds something JSON cannot carry, such as NaN or an infinity.
    #[error("cannot canonicalize: {0}")]
    Unrepresentable(String),
}

/// Returns the RFC 8785 canonical UTF-8 bytes of a JSON value.
pub fn canonicalize(value: &Value) -> Result<Vec<u8>, JcsError> {
    let mut out = Vec::with_capacity(1024);
    write_value(&mut out, value)?;
    Ok(out)
}

/// Returns the canonical bytes of a JSON object given as a map.
pub fn canonicalize_map(map: &Map<String, Value>) -> Result<Vec<u8>, JcsError> {
    let mut out = Vec::with_capacity(1024);
    write_object(&mut out, map)?;
    Ok(out)
}

/// [`canonicalize`] as a `String`.
pub fn canonicalize_to_string(value: &Value) -> Result<String, JcsError> {
    let bytes = canonicalize(value)?;
    String::from_utf8(bytes).map_err(|e| JcsError::Unrepresentable(e.to_string()))
}

/// Canonicalizes any serializable value through `serde_json_canonicalizer`; for
/// values that are not already a `serde_json::Value`.
pub fn canonicalize_serializable<T: Serialize>(value: &T) -> Result<Vec<u8>, JcsError> {
    serde_json_canonicalizer::to_vec(value).map_err(|e| JcsError::Unrepresentable(e.to_string()))
}

/// Writes the ECMAScript (ES6) form of a double, as RFC 8785 §3.2.2.3 requires.
/// Fails for NaN and the infinities, which JSON cannot carry.
pub fn number_to_string(n: f64) -> Result<String, JcsError> {
    let mut out = Vec::new();
    write_f64(&mut out, n)?;
    String::from_utf8(out).map_err(|e| JcsError::Unrepresentable(e.to_string()))
}

/// Appends the canonical form of `value` to `out`.
pub fn write_value(out: &mut Vec<u8>, value: &Value) -> Result<(), JcsError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => write_number(out, n)?,
        Value::String(s) => write_string(out, s),
        Value::Array(items) => write_array(out, items, write_value)?,
        Value::Object(map) => write_object(out, map)?,
    }
    Ok(())
}

/// Appends `[a,b,…]`, each item written by `write`; shared by the two trees.
fn write_array<T>(
    out: &mut Vec<u8>,
    items: &[T],
    write: impl Fn(&mut Vec<u8>, &T) -> Result<(), JcsError>,
) -> Result<(), JcsError> {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(out, item)?;
    }
    out.push(b']');
    Ok(())
}

/// Appends `{"k":v,…}` from members already in RFC 8785 order, each key written by
/// `write_key` and each value by `write`; shared by the two trees.
fn write_sorted_members<'a, K: ?Sized + 'a, T: 'a>(
    out: &mut Vec<u8>,
    members: impl Iterator<Item = (&'a K, &'a T)>,
    write_key: impl Fn(&mut Vec<u8>, &K),
    write: impl Fn(&mut Vec<u8>, &T) -> Result<(), JcsError>,
) -> Result<(), JcsError> {
    out.push(b'{');
    for (i, (key, value)) in members.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_key(out, key);
        out.push(b':');
        write(out, value)?;
    }
    out.push(b'}');
    Ok(())
}

fn write_object(out: &mut Vec<u8>, map: &Map<String, Value>) -> Result<(), JcsError> {
    // RFC 8785 §3.2.3: members sorted by the UTF-16 code units of their names. The
    // map's own order is not relied on (a feature elsewhere in a build can make
    // serde_json keep insertion order); sorting an already sorted handful of keys is
    // cheap.
    let mut members: Vec<(&str, &Value)> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
    members.sort_unstable_by(|a, b| utf16_cmp(a.0, b.0));
    write_sorted_members(out, members.into_iter(), write_string, write_value)
}

/// Orders strings by UTF-16 code units (RFC 8785 §3.2.3).
///
/// UTF-8 byte order is code-point order, which agrees with UTF-16 order except when
/// the first differing characters are one from U+E000 to U+FFFF (lead byte 0xEE or
/// 0xEF) and one above U+FFFF (lead byte 0xF0 or more), where the surrogate pair sorts
/// lower. So the strings are compared as bytes and only that case is turned round.
pub fn utf16_cmp(a: &str, b: &str) -> Ordering {
    // Keys are short and usually differ early, so a plain loop to the first difference
    // beats a call to memcmp; this runs on every member lookup and every sort.
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let common = a.len().min(b.len());
    let mut i = 0;
    while i < common && a[i] == b[i] {
        i += 1;
    }
    if i == common {
        return a.len().cmp(&b.len());
    }
    let (x, y) = (a[i], b[i]);
    let bmp_high = |c: u8| c == 0xee || c == 0xef;
    if bmp_high(x) && y >= 0xf0 {
        Ordering::Greater
    } else if x >= 0xf0 && bmp_high(y) {
        Ordering::Less
    } else {
        x.cmp(&y)
    }
}

/// RFC 8785 §3.2.2.2: strings as ECMAScript's JSON.stringify writes them.
fn write_string(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(s.len() + 2);
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    while let Some(offset) = find_escape(&bytes[start..]) {
        let i = start + offset;
        out.extend_from_slice(&bytes[start..i]);
        let b = bytes[i];
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x09 => out.extend_from_slice(b"\\t"),
            0x0a => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            0x0d => out.extend_from_slice(b"\\r"),
            _ => {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(b >> 4) as usize]);
                out.push(HEX[(b & 0xf) as usize]);
            }
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Whether `s` holds a character RFC 8785 escapes (a control character, `"` or `\`).
pub(crate) fn needs_escape(s: &str) -> bool {
    find_escape(s.as_bytes()).is_some()
}

/// The first byte that needs escaping. Strings in credentials rarely hold one, so the
/// scan looks at eight bytes at a time: a word has a byte below 0x20, a quote or a
/// backslash exactly when one of the three classic "has a zero byte" tests fires.
/// Those tests can flag a byte falsely only above (after) a true match, so the lowest
/// flagged byte is the answer. The parser runs this from every string's start, so
/// a short string costs a word or two and no byte-by-byte search.
pub(crate) fn find_escape(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let mut offset = 0;
    while let Some(chunk) = bytes.get(offset..offset + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        // Bytes below 0x20: x - 0x20 borrows into the high bit where x < 0x20.
        let control = x.wrapping_sub(ONES * 0x20) & !x & HIGHS;
        let quote = has_zero(x ^ (ONES * u64::from(b'"')));
        let backslash = has_zero(x ^ (ONES * u64::from(b'\\')));
        let flagged = control | quote | backslash;
        if flagged != 0 {
            // Little-endian: the lowest flagged bit is in the earliest flagged byte.
            return Some(offset + (flagged.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    bytes[offset..]
        .iter()
        .position(|&b| NEEDS_ESCAPE[b as usize])
        .map(|i| offset + i)
}

/// Bytes a JSON string must escape: control characters, quote and backslash.
const NEEDS_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        table[i] = true;
        i += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// Appends the canonical form of a parsed [`Json`] tree; its objects are already in
/// RFC 8785 order.
pub(crate) fn write_json(out: &mut Vec<u8>, value: &Json<'_>) -> Result<(), JcsError> {
    match value {
        Json::Null => out.extend_from_slice(b"null"),
        Json::Bool(true) => out.extend_from_slice(b"true"),
        Json::Bool(false) => out.extend_from_slice(b"false"),
        Json::Number(JsonNumber::Int(i)) => {
            out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes());
        }
        Json::Number(JsonNumber::Float(f)) => write_f64(out, *f)?,
        Json::Str(s) => write_text(out, s),
        Json::Array(items) => write_array(out, items, write_json)?,
        Json::Object(members) => write_members(out, members.iter().map(|(k, v)| (k, v)))?,
    }
    Ok(())
}

/// Appends a string of a parsed tree; one known to need no escapes is copied as is.
fn write_text(out: &mut Vec<u8>, text: &Text<'_>) {
    if text.is_plain() {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else {
        write_string(out, text);
    }
}

/// Appends an object made of `members`, which must already be in RFC 8785 order: this
/// is how a document is written without its `proof`, or with another `@context`,
/// without building a new tree.
pub(crate) fn write_members<'a, 'j: 'a>(
    out: &mut Vec<u8>,
    members: impl Iterator<Item = (&'a Text<'j>, &'a Json<'j>)>,
) -> Result<(), JcsError> {
    write_sorted_members(out, members, write_text, write_json)
}

/// Integers an IEEE double holds exactly print as plain decimals; everything else is
/// a double in ECMAScript form.
fn write_number(out: &mut Vec<u8>, n: &Number) -> Result<(), JcsError> {
    const EXACT: u64 = 1 << 53;
    // Integers are written in place, without a String of their own.
    let mut digits = itoa::Buffer::new();
    if let Some(u) = n.as_u64().filter(|&u| u <= EXACT) {
        out.extend_from_slice(digits.format(u).as_bytes());
        return Ok(());
    }
    if let Some(i) = n.as_i64().filter(|i| i.unsigned_abs() <= EXACT) {
        out.extend_from_slice(digits.format(i).as_bytes());
        return Ok(());
    }
    let f = n
        .as_f64()
        .ok_or_else(|| JcsError::Unrepresentable(format!("{n} is not a number JSON can carry")))?;
    write_f64(out, f)
}

fn write_f64(out: &mut Vec<u8>, n: f64) -> Result<(), JcsError> {
    if !n.is_finite() {
        return Err(JcsError::Unrepresentable(format!(
            "{n} is not a finite number"
        )));
    }
    let text = serde_json_canonicalizer::to_vec(&n)
        .map_err(|e| JcsError::Unrepresentable(e.to_string()))?;
    out.extend_from_slice(&text);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_by_utf16_code_units_not_code_points() {
        // U+1F602 (a surrogate pair, D83D DE02) sorts before U+FB33 in UTF-16.
        let v = json!({"\u{fb33}": 1, "\u{1f602}": 2, "a": 3});
        assert_eq!(
            canonicalize_to_string(&v).unwrap(),
            "{\"a\":3,\"\u{1f602}\":2,\"\u{fb33}\":1}"
        );
    }

    #[test]
    fn escapes_as_ecmascript_does() {
        let v = json!("\u{8}\t\n\u{c}\r\u{1}\u{1f}\"\\/\u{7f}\u{2028}é");
        assert_eq!(
            canonicalize_to_string(&v).unwrap(),
            "\"\\b\\t\\n\\f\\r\\u0001\\u001f\\\"\\\\/\u{7f}\u{2028}é\""
        );
    }

    proptest::proptest! {
        #[test]
        fn the_word_scan_finds_the_same_first_escape_as_a_byte_scan(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            let naive = bytes.iter().position(|&b| NEEDS_ESCAPE[b as usize]);
            proptest::prop_assert_eq!(find_escape(&bytes), naive);
        }
    }

    #[test]
    fn numbers_follow_es6() {
        let v = json!([0, -0.0, 1.0, 56.0, 1e21, 1e-7, 9007199254740993u64, -5, 0.1]);
        assert_eq!(
            canonicalize_to_string(&v).unwrap(),
            "[0,0,1,56,1e+21,1e-7,9007199254740992,-5,0.1]"
        );
    }
}
