//! RFC 8785 JSON Canonicalization Scheme (JCS), the canonical form `eddsa-jcs-2022`
//! hashes (SPEC.md §3).
//!
//! The work is done by `serde_json_canonicalizer`, which sorts members by UTF-16 code
//! units and writes numbers in the ECMAScript form the RFC requires; this module only
//! gives it Probity's error type. The crate is checked against every RFC 8785 vector
//! in `spec/tests/vectors.rs`.

use serde::Serialize;

/// A value that JCS cannot represent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JcsError {
    /// The value holds something JSON cannot carry, such as NaN or an infinity.
    #[error("cannot canonicalize: {0}")]
    Unrepresentable(String),
}

/// Returns the RFC 8785 canonical UTF-8 bytes of `value`.
pub fn canonicalize<T: Serialize>(value: &T) -> Result<Vec<u8>, JcsError> {
    serde_json_canonicalizer::to_vec(value).map_err(|e| JcsError::Unrepresentable(e.to_string()))
}

/// [`canonicalize`] as a `String`.
pub fn canonicalize_to_string<T: Serialize>(value: &T) -> Result<String, JcsError> {
    serde_json_canonicalizer::to_string(value).map_err(|e| JcsError::Unrepresentable(e.to_string()))
}

/// Writes the ECMAScript (ES6) form of a double, as RFC 8785 §3.2.2.3 requires.
/// Fails for NaN and the infinities, which JSON cannot carry.
pub fn number_to_string(n: f64) -> Result<String, JcsError> {
    if !n.is_finite() {
        return Err(JcsError::Unrepresentable(format!(
            "{n} is not a finite number"
        )));
    }
    canonicalize_to_string(&n)
}
