//! Ed25519 keys in the W3C Multikey form (Controlled Identifiers v1.0 §2.2.2, SPEC.md §4).
//!
//! A public key is `z` + base58btc(`0xed 0x01` ‖ 32 key bytes), which always starts
//! `z6Mk`; a secret key is `z` + base58btc(`0x80 0x26` ‖ 32-byte seed), starting `z3u2`.
//! The two-byte prefixes are the unsigned-varint multicodec codes `ed25519-pub` (0xed)
//! and `ed25519-priv` (0x1300); they are fixed, so they are compared as bytes rather
//! than pulling in a general multicodec table.

use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

/// Multicodec header of an Ed25519 public key (`ed25519-pub`, 0xed, as a varint).
pub const ED25519_PUB_HEADER: [u8; 2] = [0xed, 0x01];
/// Multicodec header of an Ed25519 seed (`ed25519-priv`, 0x1300, as a varint).
pub const ED25519_PRIV_HEADER: [u8; 2] = [0x80, 0x26];

/// Why a key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The value does not start with `z`, the multibase code for base58btc.
    #[error("{field} must be multibase base58btc and start with 'z'")]
    NotBase58Btc {
        /// Which field or value was wrong.
        field: &'static str,
    },
    /// Characters outside the base58btc alphabet.
    #[error("{field} is not valid base58btc: {reason}")]
    BadBase58 {
        /// Which field or value was wrong.
        field: &'static str,
        /// What the decoder found.
        reason: String,
    },
    /// The multicodec header is not the Ed25519 one.
    #[error(
        "{field} is not an Ed25519 {kind} key (multicodec header {found} instead of {expected})"
    )]
    WrongCodec {
        /// Which field or value was wrong.
        field: &'static str,
        /// "public" or "secret".
        kind: &'static str,
        /// The header found, as hex.
        found: String,
        /// The header expected, as hex.
        expected: &'static str,
    },
    /// The key material is not 32 bytes.
    #[error("{field} holds {found} key bytes; an Ed25519 key has 32")]
    WrongLength {
        /// Which field or value was wrong.
        field: &'static str,
        /// How many bytes followed the header.
        found: usize,
    },
    /// The 32 bytes are not a point on the curve.
    #[error("{field} is not a valid Ed25519 public key")]
    NotOnCurve {
        /// Which field or value was wrong.
        field: &'static str,
    },
    /// A key file's public key does not belong to its secret key.
    #[error("the key file's publicKeyMultibase does not match its secret key")]
    Mismatch,
    /// A key file lacks a field it needs.
    #[error("the key file has no {0}")]
    Missing(&'static str),
    /// The key file is not the JSON shape of a Multikey.
    #[error("the key file is not a Multikey JSON object: {0}")]
    BadFile(String),
}

fn decode_multibase(
    value: &str,
    field: &'static str,
    header: [u8; 2],
    kind: &'static str,
) -> Result<[u8; 32], KeyError> {
    let b58 = value
        .strip_prefix('z')
        .ok_or(KeyError::NotBase58Btc { field })?;
    let bytes = bs58::decode(b58)
        .into_vec()
        .map_err(|e| KeyError::BadBase58 {
            field,
            reason: e.to_string(),
        })?;
    let Some(body) = bytes.strip_prefix(&header) else {
        let found = bytes.iter().take(2).map(|b| format!("{b:02x}")).collect();
        return Err(KeyError::WrongCodec {
            field,
            kind,
            found,
            expected: if kind == "public" { "ed01" } else { "8026" },
        });
    };
    body.try_into().map_err(|_| KeyError::WrongLength {
        field,
        found: body.len(),
    })
}

fn encode_multibase(header: [u8; 2], key: &[u8; 32]) -> String {
    let mut bytes = Vec::with_capacity(34);
    bytes.extend_from_slice(&header);
    bytes.extend_from_slice(key);
    format!("z{}", bs58::encode(bytes).into_string())
}

/// Reads a `publicKeyMultibase` value (`z6Mk…`).
pub fn public_key_from_multibase(value: &str) -> Result<VerifyingKey, KeyError> {
    let field = "publicKeyMultibase";
    let bytes = decode_multibase(value, field, ED25519_PUB_HEADER, "public")?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::NotOnCurve { field })
}

/// Writes a public key as `publicKeyMultibase` (`z6Mk…`).
pub fn public_key_to_multibase(key: &VerifyingKey) -> String {
    encode_multibase(ED25519_PUB_HEADER, key.as_bytes())
}

/// Reads a `secretKeyMultibase` value (`z3u2…`).
pub fn secret_key_from_multibase(value: &str) -> Result<SigningKey, KeyError> {
    let seed = decode_multibase(value, "secretKeyMultibase", ED25519_PRIV_HEADER, "secret")?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Writes a secret key as `secretKeyMultibase` (`z3u2…`).
pub fn secret_key_to_multibase(key: &SigningKey) -> String {
    encode_multibase(ED25519_PRIV_HEADER, &key.to_bytes())
}

/// A key file: a W3C Multikey JSON object holding both halves of an Ed25519 key.
///
/// Files written by Probity name the secret `secretKeyMultibase`, as the Multikey
/// specification does; files that name it `privateKeyMultibase` (as the W3C
/// eddsa-jcs-2022 test vector's `keyPair.json` does) are read too.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct KeyFile {
    /// Always `Multikey` when written by Probity.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The verification method id this key is published under, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The DID that controls the key, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller: Option<String>,
    /// The public key, `z6Mk…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_multibase: Option<String>,
    /// The secret key, `z3u2…`.
    #[serde(
        default,
        alias = "privateKeyMultibase",
        skip_serializing_if = "Option::is_none"
    )]
    pub secret_key_multibase: Option<String>,
}

impl KeyFile {
    /// A key file for `key`, with `controller` and `id` set when given.
    pub fn new(key: &SigningKey, controller: Option<String>, id: Option<String>) -> Self {
        KeyFile {
            kind: Some("Multikey".to_owned()),
            id,
            controller,
            public_key_multibase: Some(public_key_to_multibase(&key.verifying_key())),
            secret_key_multibase: Some(secret_key_to_multibase(key)),
        }
    }

    /// Parses a key file from JSON text.
    pub fn from_json(bytes: &[u8]) -> Result<Self, KeyError> {
        let value =
            crate::json::parse_strict(bytes).map_err(|e| KeyError::BadFile(e.to_string()))?;
        serde_json::from_value(value).map_err(|e| KeyError::BadFile(e.to_string()))
    }

    /// The signing key, after checking that the public half (when present) matches.
    pub fn signing_key(&self) -> Result<SigningKey, KeyError> {
        let secret = self
            .secret_key_multibase
            .as_deref()
            .ok_or(KeyError::Missing("secretKeyMultibase"))?;
        let key = secret_key_from_multibase(secret)?;
        if let Some(public) = &self.public_key_multibase {
            if public_key_from_multibase(public)? != key.verifying_key() {
                return Err(KeyError::Mismatch);
            }
        }
        Ok(key)
    }

    /// The public key, from `publicKeyMultibase` or derived from the secret.
    pub fn verifying_key(&self) -> Result<VerifyingKey, KeyError> {
        match (&self.public_key_multibase, &self.secret_key_multibase) {
            (_, Some(_)) => Ok(self.signing_key()?.verifying_key()),
            (Some(public), None) => public_key_from_multibase(public),
            (None, None) => Err(KeyError::Missing("publicKeyMultibase")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC: &str = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
    const SECRET: &str = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq";

    #[test]
    fn w3c_vector_key_pair_round_trips() {
        let secret = secret_key_from_multibase(SECRET).unwrap();
        assert_eq!(public_key_to_multibase(&secret.verifying_key()), PUBLIC);
        assert_eq!(secret_key_to_multibase(&secret), SECRET);
        assert_eq!(
            public_key_from_multibase(PUBLIC).unwrap(),
            secret.verifying_key()
        );
    }

    #[test]
    fn reads_private_key_multibase_spelling() {
        let file = KeyFile::from_json(
            format!(r#"{{"publicKeyMultibase":"{PUBLIC}","privateKeyMultibase":"{SECRET}"}}"#)
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(
            public_key_to_multibase(&file.signing_key().unwrap().verifying_key()),
            PUBLIC
        );
    }

    #[test]
    fn refuses_mismatched_halves_and_wrong_codecs() {
        let other = SigningKey::from_bytes(&[7; 32]);
        let file = KeyFile {
            public_key_multibase: Some(PUBLIC.into()),
            secret_key_multibase: Some(secret_key_to_multibase(&other)),
            ..KeyFile::new(&other, None, None)
        };
        assert_eq!(file.signing_key(), Err(KeyError::Mismatch));
        assert!(matches!(
            public_key_from_multibase(SECRET),
            Err(KeyError::WrongCodec { .. })
        ));
        assert!(matches!(
            public_key_from_multibase("6MkrJVna"),
            Err(KeyError::NotBase58Btc { .. })
        ));
        assert!(matches!(
            public_key_from_multibase("z0OIl"),
            Err(KeyError::BadBase58 { .. })
        ));
    }
}
