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
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item)?;
            }
            out.push(b']');
        }
        Value::Object(map) => write_object(out, map)?,
    }
    Ok(())
}

fn write_object(out: &mut Vec<u8>, map: &Map<String, Value>) -> Result<(), JcsError> {
    // RFC 8785 §3.2.3: members sorted by the UTF-16 code units of their names. The
    // map's own order is not relied on (a feature elsewhere in a build can make
    // serde_json keep insertion order); sorting an already sorted handful of keys is
    // cheap.
    let mut members: Vec<(&String, &Value)> = map.iter().collect();
    members.sort_unstable_by(|a, b| utf16_cmp(a.0, b.0));
    out.push(b'{');
    for (i, (key, value)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_string(out, key);
        out.push(b':');
        write_value(out, value)?;
    }
    out.push(b'}');
    Ok(())
}

/// Orders strings by UTF-16 code units. UTF-8 byte order is code-point order, which
/// agrees with UTF-16 order unless one string has a character from U+E000 to U+FFFF
/// where the other has one above U+FFFF (a surrogate pair sorts lower). Such
/// characters start with a byte of 0xEE or more, so strings without one compare as bytes.
fn utf16_cmp(a: &str, b: &str) -> Ordering {
    let plain = |s: &str| s.bytes().all(|b| b < 0xee);
    if plain(a) && plain(b) {
        a.cmp(b)
    } else {
        a.encode_utf16().cmp(b.encode_utf16())
    }
}

/// RFC 8785 §3.2.2.2: strings as ECMAScript's JSON.stringify writes them.
fn write_string(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x09 => b"\\t",
            0x0a => b"\\n",
            0x0c => b"\\f",
            0x0d => b"\\r",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(b >> 4) as usize]);
            out.push(HEX[(b & 0xf) as usize]);
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Integers an IEEE double holds exactly print as plain decimals; everything else is
/// a double in ECMAScript form.
fn write_number(out: &mut Vec<u8>, n: &Number) -> Result<(), JcsError> {
    const EXACT: u64 = 1 << 53;
    if let Some(u) = n.as_u64().filter(|&u| u <= EXACT) {
        out.extend_from_slice(u.to_string().as_bytes());
        return Ok(());
    }
    if let Some(i) = n.as_i64().filter(|i| i.unsigned_abs() <= EXACT) {
        out.extend_from_slice(i.to_string().as_bytes());
        return Ok(());
    }
    let f = n
        .as_f64()
        .ok_or_else(|| JcsError::Unrepresentable(format!("{n} is not a number JSON can carry")))?;
    write_f64(out, f)
}

fn write_f64(out: &mut Vec<u8>, n: f64) -> Result<(), JcsError> {
    if !n.is_finite() {
        return Err(JcsError::Unrepresentable(format!("{n} is not a finite number")));
    }
    let text = serde_json_canonicalizer::to_vec(&n).map_err(|e| JcsError::Unrepresentable(e.to_string()))?;
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
        assert_eq!(canonicalize_to_string(&v).unwrap(), "{\"a\":3,\"\u{1f602}\":2,\"\u{fb33}\":1}");
    }

    #[test]
    fn escapes_as_ecmascript_does() {
        let v = json!("\u{8}\t\n\u{c}\r\u{1}\u{1f}\"\\/\u{7f}\u{2028}é");
        assert_eq!(
            canonicalize_to_string(&v).unwrap(),
            "\"\\b\\t\\n\\f\\r\\u0001\\u001f\\\"\\\\/\u{7f}\u{2028}é\""
        );
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
