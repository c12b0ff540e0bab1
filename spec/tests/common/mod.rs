//! Helpers shared by the spec crate's integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The public test vectors, kept in the repository in `spec/tests/vectors`.
pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

/// Reads a vector file as bytes, exactly as stored.
pub fn vector_bytes(rel: &str) -> Vec<u8> {
    let path = vectors_dir().join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Reads a vector file as text, exactly as stored.
pub fn vector_text(rel: &str) -> String {
    String::from_utf8(vector_bytes(rel)).unwrap()
}

/// Reads a vector file as JSON.
pub fn vector_json(rel: &str) -> serde_json::Value {
    serde_json::from_slice(&vector_bytes(rel)).unwrap()
}

/// Reads a fixture from `spec/tests/data`.
pub fn fixture_json(name: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes of lower- or upper-case hex.
pub fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}
