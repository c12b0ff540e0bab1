//! Decentralized identifiers (SPEC.md §4): `did:key` for tests and small issuers,
//! `did:web` for organisations, and the DID documents both resolve to.
//!
//! `did:key` follows the did:key Method v0.9: the identifier is the Multikey public key
//! itself, so resolving it needs nothing but this code. `did:web` follows the did:web
//! Method Specification: the identifier names an HTTPS location of `did.json`; fetching
//! it is the caller's job (this crate does no I/O), building and reading it is ours.

use crate::multikey::{self, KeyError};
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The DID 1.1 context, which did:key v0.9 documents use.
pub const DID_CONTEXT_V1_1: &str = "https://www.w3.org/ns/did/v1.1";
/// The Multikey context, for did:web documents read by DID 1.0 tooling.
pub const MULTIKEY_CONTEXT: &str = "https://w3id.org/security/multikey/v1";

/// Why a DID could not be read or resolved. [`DidError::code`] gives the error name
/// the did:key specification uses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DidError {
    /// Not of the form `did:<method>:<method-specific-id>`, or the id is malformed.
    #[error("\"{did}\" is not a valid DID: {reason}")]
    InvalidDid {
        /// The input.
        did: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A DID method Probity does not resolve.
    #[error("DID method \"{method}\" is not supported (Probity resolves did:key and did:web)")]
    MethodNotSupported {
        /// The method name found.
        method: String,
    },
    /// A did:key whose key is not 32 bytes.
    #[error("\"{did}\" does not hold a 32-byte Ed25519 key: {source}")]
    InvalidPublicKeyLength {
        /// The input.
        did: String,
        /// The key error.
        source: KeyError,
    },
    /// A did:key whose key is not an Ed25519 key Probity can use.
    #[error("\"{did}\" does not hold a usable Ed25519 key: {source}")]
    InvalidPublicKey {
        /// The input.
        did: String,
        /// The key error.
        source: KeyError,
    },
    /// A DID document that is not shaped as DID Core requires.
    #[error("DID document is invalid: {0}")]
    InvalidDocument(String),
}

impl DidError {
    /// The error name from the did:key specification (§ "Resolve"), for interoperable
    /// error reports: `invalidDid`, `methodNotSupported`, `invalidPublicKeyLength`,
    /// `invalidPublicKey`, or `invalidDidDocument`.
    pub fn code(&self) -> &'static str {
        match self {
            DidError::InvalidDid { .. } => "invalidDid",
            DidError::MethodNotSupported { .. } => "methodNotSupported",
            DidError::InvalidPublicKeyLength { .. } => "invalidPublicKeyLength",
            DidError::InvalidPublicKey { .. } => "invalidPublicKey",
            DidError::InvalidDocument(_) => "invalidDidDocument",
        }
    }
}

/// A parsed DID of a method Probity resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Did {
    /// `did:key:z6Mk…` with its Ed25519 key.
    Key {
        /// The DID as written.
        did: String,
        /// The key it encodes.
        key: VerifyingKey,
    },
    /// `did:web:host[%3Aport][:path…]`.
    Web {
        /// The DID as written.
        did: String,
    },
}

impl Did {
    /// Parses `did`, checking its syntax (and for did:key, its key).
    pub fn parse(did: &str) -> Result<Did, DidError> {
        let invalid = |reason: &str| DidError::InvalidDid {
            did: did.to_owned(),
            reason: reason.to_owned(),
        };
        let rest = did
            .strip_prefix("did:")
            .ok_or_else(|| invalid("it does not start with \"did:\""))?;
        let (method, id) = rest
            .split_once(':')
            .ok_or_else(|| invalid("it has no method-specific identifier"))?;
        if method.is_empty()
            || !method
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            return Err(invalid(
                "the method name must be lower-case letters and digits",
            ));
        }
        match method {
            "key" => parse_did_key(did, id),
            "web" => {
                web_location(did, id)?;
                Ok(Did::Web {
                    did: did.to_owned(),
                })
            }
            other => Err(DidError::MethodNotSupported {
                method: other.to_owned(),
            }),
        }
    }

    /// The DID as a string.
    pub fn as_str(&self) -> &str {
        match self {
            Did::Key { did, .. } | Did::Web { did } => did,
        }
    }
}

fn parse_did_key(did: &str, id: &str) -> Result<Did, DidError> {
    let invalid = |reason: &str| DidError::InvalidDid {
        did: did.to_owned(),
        reason: reason.to_owned(),
    };
    // did:key v0.9 §3.1.2: the identifier is a single multibase value; a version
    // prefix ("1:") is not used by Ed25519 keys, and anything else is invalid.
    if id.contains(':') {
        return Err(invalid(
            "did:key takes exactly one multibase value after \"did:key:\"",
        ));
    }
    if !id.starts_with('z') {
        return Err(invalid(
            "the multibase value must be base58btc (start with 'z')",
        ));
    }
    if !id[1..].bytes().all(|b| b.is_ascii_alphanumeric()) || id.len() < 2 {
        return Err(invalid("the multibase value is not base58btc"));
    }
    match multikey::public_key_from_multibase(id) {
        Ok(key) => Ok(Did::Key {
            did: did.to_owned(),
            key,
        }),
        Err(e @ KeyError::WrongLength { .. }) => Err(DidError::InvalidPublicKeyLength {
            did: did.to_owned(),
            source: e,
        }),
        Err(KeyError::BadBase58 { reason, .. }) => Err(invalid(&format!(
            "the multibase value is not base58btc: {reason}"
        ))),
        Err(e) => Err(DidError::InvalidPublicKey {
            did: did.to_owned(),
            source: e,
        }),
    }
}

/// The `did:key` of an Ed25519 public key.
pub fn did_key(key: &VerifyingKey) -> String {
    format!("did:key:{}", multikey::public_key_to_multibase(key))
}

/// The verification method id of a `did:key`: the DID, `#`, and the key again.
pub fn did_key_verification_method(key: &VerifyingKey) -> String {
    let mb = multikey::public_key_to_multibase(key);
    format!("did:key:{mb}#{mb}")
}

/// Resolves a `did:key` to its DID document (did:key v0.9 §3.1, Multikey form).
pub fn resolve_did_key(did: &str) -> Result<DidDocument, DidError> {
    match Did::parse(did)? {
        Did::Key { did, key } => {
            let fragment = did.trim_start_matches("did:key:").to_owned();
            Ok(DidDocument::for_keys(
                &did,
                vec![DidDocument::DID_V1_1],
                &[(fragment, key)],
            ))
        }
        Did::Web { .. } => Err(DidError::MethodNotSupported {
            method: "web".to_owned(),
        }),
    }
}

/// Where a `did:web` document lives (did:web Method §3.2 "Read"): colons become
/// slashes, `%3A` becomes the port colon, and a bare domain gets `/.well-known`.
///
/// Probity serves and fetches over `https`, except for loopback hosts (`localhost`,
/// 127.0.0.0/8, `[::1]`), which use `http` so that nodes can be tested on one machine.
pub fn did_web_url(did: &str) -> Result<String, DidError> {
    let id = did
        .strip_prefix("did:web:")
        .ok_or_else(|| DidError::InvalidDid {
            did: did.to_owned(),
            reason: "it is not a did:web".to_owned(),
        })?;
    web_location(did, id)
}

fn web_location(did: &str, id: &str) -> Result<String, DidError> {
    let invalid = |reason: String| DidError::InvalidDid {
        did: did.to_owned(),
        reason,
    };
    let mut parts = id.split(':');
    let authority = parts
        .next()
        .unwrap_or_default()
        .replace("%3A", ":")
        .replace("%3a", ":");
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, _)) if !host.ends_with(']') && host.contains(':') => (authority.as_str(), None),
        Some((host, port)) => (host, Some(port)),
        None => (authority.as_str(), None),
    };
    let host_ok = !host.is_empty()
        && (host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            || host == "[::1]");
    if !host_ok {
        return Err(invalid(format!("\"{host}\" is not a host name")));
    }
    if let Some(port) = port {
        if port.parse::<u16>().map_or(true, |p| p == 0) || !port.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(invalid(format!("\"{port}\" is not a port number")));
        }
    }
    let path: Vec<&str> = parts.collect();
    for segment in &path {
        let ok = !segment.is_empty()
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b));
        if !ok {
            return Err(invalid(format!(
                "\"{segment}\" is not a valid path segment"
            )));
        }
    }
    let scheme = if crate::net::is_loopback_host(host) {
        "http"
    } else {
        "https"
    };
    let authority = match port {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    };
    let path = if path.is_empty() {
        ".well-known".to_owned()
    } else {
        path.join("/")
    };
    Ok(format!("{scheme}://{authority}/{path}/did.json"))
}

/// A DID document, as far as Probity reads it: the verification methods and which of
/// them may sign credentials (`assertionMethod`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DidDocument {
    /// JSON-LD contexts.
    #[serde(rename = "@context")]
    pub context: Value,
    /// The DID.
    pub id: String,
    /// The keys.
    #[serde(default)]
    pub verification_method: Vec<VerificationMethod>,
    /// Methods that may authenticate as the DID.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authentication: Vec<Value>,
    /// Methods that may sign credentials: references (ids) or embedded methods.
    #[serde(default)]
    pub assertion_method: Vec<Value>,
    /// Methods that may delegate capabilities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capability_delegation: Vec<Value>,
    /// Methods that may invoke capabilities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capability_invocation: Vec<Value>,
}

/// One verification method of type `Multikey`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationMethod {
    /// Full id, `did…#fragment`.
    pub id: String,
    /// `Multikey`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The DID that controls the key.
    pub controller: String,
    /// The key, `z6Mk…`; absent for methods of other types (such as `JsonWebKey`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_multibase: Option<String>,
}

impl DidDocument {
    const DID_V1_1: &'static str = DID_CONTEXT_V1_1;

    /// A document for `did` holding `keys` (fragment, key), each usable for every
    /// relationship, as a did:key document is; `contexts` lists the `@context`.
    pub fn for_keys(did: &str, contexts: Vec<&str>, keys: &[(String, VerifyingKey)]) -> Self {
        let methods: Vec<VerificationMethod> = keys
            .iter()
            .map(|(fragment, key)| VerificationMethod {
                id: format!("{did}#{fragment}"),
                kind: "Multikey".to_owned(),
                controller: did.to_owned(),
                public_key_multibase: Some(multikey::public_key_to_multibase(key)),
            })
            .collect();
        let refs: Vec<Value> = methods.iter().map(|m| Value::from(m.id.clone())).collect();
        DidDocument {
            context: Value::from(contexts),
            id: did.to_owned(),
            verification_method: methods,
            authentication: refs.clone(),
            assertion_method: refs.clone(),
            capability_delegation: refs.clone(),
            capability_invocation: refs,
        }
    }

    /// A `did:web` document for an organisation: the DID 1.1 and Multikey contexts and
    /// one assertion method per key.
    pub fn for_did_web(did: &str, keys: &[(String, VerifyingKey)]) -> Result<Self, DidError> {
        did_web_url(did)?;
        let mut doc = Self::for_keys(did, vec![DID_CONTEXT_V1_1, MULTIKEY_CONTEXT], keys);
        doc.capability_delegation.clear();
        doc.capability_invocation.clear();
        Ok(doc)
    }

    /// Parses and checks a DID document fetched for `expected_did` (SPEC.md §4.6):
    /// every member read is of its JSON type, and `null` is not an absent member.
    pub fn parse(bytes: &[u8], expected_did: &str) -> Result<Self, DidError> {
        let arena = crate::json::Arena::for_input(bytes.len());
        let tree = arena
            .parse(bytes)
            .map_err(|e| DidError::InvalidDocument(e.to_string()))?;
        let doc = DidDocument::deserialize(&tree)
            .map_err(|e| DidError::InvalidDocument(e.to_string()))?;
        if doc.id != expected_did {
            return Err(DidError::InvalidDocument(format!(
                "its id is \"{}\", not \"{expected_did}\"",
                doc.id
            )));
        }
        Ok(doc)
    }

    /// The keys this DID may sign credentials with: `assertionMethod` entries that are
    /// Multikey Ed25519 methods controlled by this DID (SPEC.md §4.6). Methods Probity
    /// cannot use (other types, no `publicKeyMultibase`, references to nothing) are
    /// skipped; a malformed method, embedded or not, makes the document invalid.
    pub fn assertion_keys(&self) -> Result<Vec<(String, VerifyingKey)>, DidError> {
        let mut keys = Vec::new();
        for (i, entry) in self.assertion_method.iter().enumerate() {
            let method = match entry {
                Value::String(reference) => {
                    let absolute = if reference.starts_with('#') {
                        format!("{}{reference}", self.id)
                    } else {
                        reference.clone()
                    };
                    self.verification_method
                        .iter()
                        .find(|m| m.id == absolute || m.id == *reference)
                        .cloned()
                }
                // An embedded method is held to the shape of one in verificationMethod:
                // skipping a malformed one would read the document as having fewer
                // keys than another reader sees.
                embedded => Some(
                    crate::json::from_value_strict::<VerificationMethod>(embedded).map_err(
                        |e| {
                            DidError::InvalidDocument(
                                e.within_item(i).within("assertionMethod").to_string(),
                            )
                        },
                    )?,
                ),
            };
            let Some(method) = method else { continue };
            let Some(multibase) = method.public_key_multibase.as_deref() else {
                continue;
            };
            if method.kind != "Multikey" {
                continue;
            }
            if method.controller != self.id {
                return Err(DidError::InvalidDocument(format!(
                    "method {} is controlled by {}, not by {}",
                    method.id, method.controller, self.id
                )));
            }
            let key = multikey::public_key_from_multibase(multibase)
                .map_err(|e| DidError::InvalidDocument(format!("method {}: {e}", method.id)))?;
            let id = if method.id.starts_with('#') {
                format!("{}{}", self.id, method.id)
            } else {
                method.id.clone()
            };
            // A document speaks only for its own DID: a method named under another DID
            // would let this one sign as that one.
            if id.split_once('#').map(|(did, _)| did) != Some(self.id.as_str()) {
                return Err(DidError::InvalidDocument(format!(
                    "method {id} is not a method of {}",
                    self.id
                )));
            }
            keys.push((id, key));
        }
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_web_urls() {
        assert_eq!(
            did_web_url("did:web:w3c-ccg.github.io").unwrap(),
            "https://w3c-ccg.github.io/.well-known/did.json"
        );
        assert_eq!(
            did_web_url("did:web:w3c-ccg.github.io:user:alice").unwrap(),
            "https://w3c-ccg.github.io/user/alice/did.json"
        );
        assert_eq!(
            did_web_url("did:web:example.com%3A3000:user:alice").unwrap(),
            "https://example.com:3000/user/alice/did.json"
        );
        assert_eq!(
            did_web_url("did:web:127.0.0.1%3A8443").unwrap(),
            "http://127.0.0.1:8443/.well-known/did.json"
        );
        assert!(did_web_url("did:web:exa mple.com").is_err());
        assert!(did_web_url("did:web:example.com%3Ahttp").is_err());
        assert!(did_web_url("did:web:").is_err());
        assert!(did_web_url("did:web:example.com::x").is_err());
    }

    #[test]
    fn did_web_document_round_trips() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]).verifying_key();
        let doc =
            DidDocument::for_did_web("did:web:certs.example", &[("key-1".into(), key)]).unwrap();
        let bytes = serde_json::to_vec(&doc).unwrap();
        let parsed = DidDocument::parse(&bytes, "did:web:certs.example").unwrap();
        assert_eq!(
            parsed.assertion_keys().unwrap(),
            vec![("did:web:certs.example#key-1".to_owned(), key)]
        );
        assert!(DidDocument::parse(&bytes, "did:web:other.example").is_err());
    }

    /// SPEC.md §4.6: `null` is not absent, and an embedded method is read as strictly
    /// as one in `verificationMethod`: either makes the document invalid, where a
    /// lenient reader would skip the method and the document would look keyless.
    #[test]
    fn a_method_with_a_null_or_mistyped_member_makes_the_document_invalid() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]).verifying_key();
        let did = "did:web:certs.example";
        let good =
            serde_json::to_value(DidDocument::for_did_web(did, &[("key-1".into(), key)]).unwrap())
                .unwrap();
        for bad in [Value::Null, Value::from(42), serde_json::json!(["z6Mk"])] {
            let mut doc = good.clone();
            doc["verificationMethod"][0]["publicKeyMultibase"] = bad.clone();
            let err = DidDocument::parse(&serde_json::to_vec(&doc).unwrap(), did).unwrap_err();
            assert_eq!(err.code(), "invalidDidDocument");
            assert!(
                err.to_string()
                    .contains("verificationMethod[0].publicKeyMultibase"),
                "{bad}: {err}"
            );

            // The same method embedded in assertionMethod.
            let mut doc = good.clone();
            let mut method = doc["verificationMethod"][0].clone();
            method["publicKeyMultibase"] = bad.clone();
            doc["assertionMethod"] = serde_json::json!([method]);
            let parsed = DidDocument::parse(&serde_json::to_vec(&doc).unwrap(), did).unwrap();
            let err = parsed.assertion_keys().unwrap_err();
            assert!(
                err.to_string()
                    .contains("assertionMethod[0].publicKeyMultibase"),
                "{bad}: {err}"
            );
        }
        // An embedded method that is not an object, or lacks a member, is no method.
        for bad in [
            serde_json::json!(7),
            serde_json::json!({"id": format!("{did}#key-2"), "type": "Multikey"}),
        ] {
            let mut doc = good.clone();
            doc["assertionMethod"] = serde_json::json!([bad]);
            let parsed = DidDocument::parse(&serde_json::to_vec(&doc).unwrap(), did).unwrap();
            let err = parsed.assertion_keys().unwrap_err();
            assert!(err.to_string().contains("assertionMethod[0]"), "{err}");
        }
        // Methods Probity cannot use are still skipped: another type, no key member,
        // a reference to nothing.
        let mut doc = good.clone();
        doc["assertionMethod"] = serde_json::json!([
            {"id": format!("{did}#jwk"), "type": "JsonWebKey", "controller": did,
             "publicKeyJwk": {"kty": "OKP"}},
            format!("{did}#nowhere"),
            format!("{did}#key-1")
        ]);
        let parsed = DidDocument::parse(&serde_json::to_vec(&doc).unwrap(), did).unwrap();
        assert_eq!(
            parsed.assertion_keys().unwrap(),
            vec![(format!("{did}#key-1"), key)]
        );
    }

    #[test]
    fn methods_other_than_key_and_web_are_not_supported() {
        assert_eq!(
            Did::parse("did:example:123").unwrap_err().code(),
            "methodNotSupported"
        );
    }
}
