//! The `eddsa-jcs-2022` cryptosuite of W3C Data Integrity EdDSA Cryptosuites v1.0
//! (§3.3), which secures everything Probity signs (SPEC.md §3).
//!
//! Signing: the proof options (with the document's `@context` copied in, §3.3.1 step 4)
//! and the document without `proof` are each canonicalized with RFC 8785 and hashed with
//! SHA-256; Ed25519 signs `proofHash ‖ documentHash` (§3.3.4). Verifying redoes the same
//! and checks the signature strictly (`verify_strict`: canonical `S`, no small-order
//! points), so no two signature encodings verify for one message.

use crate::jcs::{self, JcsError};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The proof type this cryptosuite uses.
pub const PROOF_TYPE: &str = "DataIntegrityProof";
/// The cryptosuite name.
pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";
/// The proof purpose of credentials, registries and status lists.
pub const ASSERTION_METHOD: &str = "assertionMethod";

/// Why a proof could not be made or did not verify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The document is not a JSON object.
    #[error("the document is not a JSON object")]
    NotAnObject,
    /// The document has no `proof`.
    #[error("the document has no proof")]
    MissingProof,
    /// `proof` is an array (a proof set or chain), which Probity does not accept.
    #[error("the document carries a proof set (an array of proofs); Probity credentials carry exactly one proof")]
    ProofSet,
    /// `proof` is not an object.
    #[error("proof must be a JSON object")]
    ProofNotObject,
    /// A proof field is missing or not a string.
    #[error("proof.{0} is missing or not a string")]
    MissingField(&'static str),
    /// `proof.type` is not `DataIntegrityProof`.
    #[error("proof.type is \"{0}\", expected \"DataIntegrityProof\"")]
    WrongType(String),
    /// `proof.cryptosuite` is not `eddsa-jcs-2022`.
    #[error("proof.cryptosuite is \"{0}\"; this verifier supports only \"eddsa-jcs-2022\"")]
    UnsupportedCryptosuite(String),
    /// `proof.proofPurpose` is not the one the caller requires.
    #[error("proof.proofPurpose is \"{found}\", expected \"{expected}\"")]
    WrongPurpose {
        /// The purpose found.
        found: String,
        /// The purpose required.
        expected: String,
    },
    /// `proof.expires` has passed.
    #[error("the proof expired at {0}")]
    Expired(String),
    /// `proof.created` is not an RFC 3339 date-time.
    #[error("proof.created: {0}")]
    BadCreated(#[from] crate::time::DateTimeError),
    /// The document's `@context` does not begin with the proof's `@context` (§3.3.2
    /// step 3), so the proof was not made over this document's vocabulary.
    #[error("the document's @context does not start with the proof's @context")]
    ContextMismatch,
    /// `proofValue` is not `z` + base58btc.
    #[error("proof.proofValue must be multibase base58btc (start with 'z'): {0}")]
    BadProofValue(String),
    /// `proofValue` does not decode to 64 bytes.
    #[error("proof.proofValue decodes to {0} bytes; an Ed25519 signature has 64")]
    WrongSignatureLength(usize),
    /// The document cannot be canonicalized.
    #[error(transparent)]
    Canonicalization(#[from] JcsError),
    /// The signature does not verify with the key: the document or proof was changed
    /// after signing, the wrong key was used, or the signature is not canonical.
    #[error("the Ed25519 signature does not match the document and key")]
    SignatureMismatch,
}

/// Options for a new proof.
#[derive(Debug, Clone)]
pub struct ProofOptions {
    /// The verification method id, such as `did:web:cpocus.ca#key-2026`.
    pub verification_method: String,
    /// `created`, as written into the proof (RFC 3339); `None` leaves it out.
    pub created: Option<String>,
    /// `proofPurpose`; Probity signs with `assertionMethod`.
    pub proof_purpose: String,
    /// `expires` (RFC 3339): after it the proof is not accepted. `None` leaves it out.
    pub expires: Option<String>,
}

impl ProofOptions {
    /// Assertion-method options for `verification_method`, created at `created`.
    pub fn assertion(verification_method: impl Into<String>, created: Option<String>) -> Self {
        ProofOptions {
            verification_method: verification_method.into(),
            created,
            proof_purpose: ASSERTION_METHOD.to_owned(),
            expires: None,
        }
    }

    /// The same options with `proof.expires` set.
    pub fn expiring(mut self, expires: impl Into<String>) -> Self {
        self.expires = Some(expires.into());
        self
    }
}

/// The intermediate values of one signing, as the W3C test vectors list them.
#[derive(Debug, Clone)]
pub struct SigningTrace {
    /// RFC 8785 form of the document without proof.
    pub canonical_document: Vec<u8>,
    /// RFC 8785 form of the proof configuration.
    pub canonical_proof_config: Vec<u8>,
    /// SHA-256 of the canonical proof configuration.
    pub proof_hash: [u8; 32],
    /// SHA-256 of the canonical document.
    pub document_hash: [u8; 32],
    /// The Ed25519 signature.
    pub signature: [u8; 64],
    /// The signed document.
    pub signed: Value,
}

/// Signs `document` (any JSON object without a proof) with `eddsa-jcs-2022` and returns
/// the signed document (§3.3.1 "Add Proof").
pub fn sign(
    document: &Value,
    key: &SigningKey,
    options: &ProofOptions,
) -> Result<Value, ProofError> {
    sign_traced(document, key, options).map(|t| t.signed)
}

/// [`sign`], returning every intermediate value as well.
pub fn sign_traced(
    document: &Value,
    key: &SigningKey,
    options: &ProofOptions,
) -> Result<SigningTrace, ProofError> {
    let Value::Object(doc) = document else {
        return Err(ProofError::NotAnObject);
    };
    let mut unsecured = doc.clone();
    // A document that already carries a proof is re-signed, not chained.
    unsecured.remove("proof");

    // §3.3.1 "Proof Configuration": type, cryptosuite, created, verificationMethod,
    // proofPurpose, and the document's @context when it has one.
    let mut config = Map::new();
    config.insert("type".into(), PROOF_TYPE.into());
    config.insert("cryptosuite".into(), CRYPTOSUITE.into());
    if let Some(created) = &options.created {
        crate::time::parse(created)?;
        config.insert("created".into(), created.clone().into());
    }
    if let Some(expires) = &options.expires {
        crate::time::parse(expires)?;
        config.insert("expires".into(), expires.clone().into());
    }
    config.insert(
        "verificationMethod".into(),
        options.verification_method.clone().into(),
    );
    config.insert("proofPurpose".into(), options.proof_purpose.clone().into());
    if let Some(context) = unsecured.get("@context") {
        config.insert("@context".into(), context.clone());
    }
    let unsecured = Value::Object(unsecured);
    let config_value = Value::Object(config);

    let canonical_proof_config = jcs::canonicalize(&config_value)?;
    let canonical_document = jcs::canonicalize(&unsecured)?;
    let proof_hash: [u8; 32] = Sha256::digest(&canonical_proof_config).into();
    let document_hash: [u8; 32] = Sha256::digest(&canonical_document).into();
    let signature = key.sign(&hash_data(&proof_hash, &document_hash)).to_bytes();

    let Value::Object(mut proof) = config_value else {
        return Err(ProofError::NotAnObject);
    };
    proof.insert(
        "proofValue".into(),
        format!("z{}", bs58::encode(signature).into_string()).into(),
    );
    let Value::Object(mut signed) = unsecured else {
        return Err(ProofError::NotAnObject);
    };
    signed.insert("proof".into(), Value::Object(proof));
    Ok(SigningTrace {
        canonical_document,
        canonical_proof_config,
        proof_hash,
        document_hash,
        signature,
        signed: Value::Object(signed),
    })
}

/// §3.3.4 "Hashing": the proof hash first, then the document hash.
fn hash_data(proof_hash: &[u8; 32], document_hash: &[u8; 32]) -> [u8; 64] {
    let mut data = [0u8; 64];
    data[..32].copy_from_slice(proof_hash);
    data[32..].copy_from_slice(document_hash);
    data
}

/// Decodes a `proofValue` (`z` + base58btc of 64 bytes).
pub fn decode_proof_value(proof_value: &str) -> Result<Signature, ProofError> {
    let b58 = proof_value
        .strip_prefix('z')
        .ok_or_else(|| ProofError::BadProofValue("it does not start with 'z'".into()))?;
    // 64 bytes take at most 88 base58 characters; refuse longer input before decoding.
    if b58.len() > 90 {
        return Err(ProofError::BadProofValue(format!(
            "{} characters is too long for a 64-byte signature",
            b58.len()
        )));
    }
    let mut bytes = [0u8; 64];
    // five8 decodes exactly 64 bytes in constant work (bs58's general decoder is
    // quadratic and showed up in verification profiles); anything it refuses goes
    // through bs58, which accepts every valid encoding and names what is wrong.
    if five8::decode_64(b58, &mut bytes).is_ok() {
        return Ok(Signature::from_bytes(&bytes));
    }
    let len = bs58::decode(b58)
        .onto(&mut bytes[..])
        .map_err(|e| match e {
            bs58::decode::Error::BufferTooSmall => ProofError::WrongSignatureLength(
                bs58::decode(b58).into_vec().map_or(65, |v| v.len()),
            ),
            other => ProofError::BadProofValue(other.to_string()),
        })?;
    if len != 64 {
        return Err(ProofError::WrongSignatureLength(len));
    }
    Ok(Signature::from_bytes(&bytes))
}

/// Verifies `secured` with `key`: parse, purpose `assertionMethod`, signature. Returns
/// the verified document (without proof, `@context` as signed).
pub fn verify_with_key(
    secured: Value,
    key: &VerifyingKey,
) -> Result<Map<String, Value>, ProofError> {
    let parsed = parse(secured)?;
    parsed.require_purpose(ASSERTION_METHOD)?;
    parsed.verify_signature(key)?;
    Ok(parsed.unsecured)
}

// How a proof is read from a signed document, for verification. Crate-internal: the
// public way to check a proof is `verify_with_key`, or `crate::verify` for a credential;
// the `internals` feature lends `view` and `ProofView` to the benchmark.
pub(crate) mod parsed;
pub(crate) use parsed::{parse, view};

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_fast_and_general_base58_decoders_agree(sig in prop::collection::vec(any::<u8>(), 64), lead in 0usize..4) {
            let mut sig = sig;
            sig[..lead].fill(0);
            let text = format!("z{}", bs58::encode(&sig).into_string());
            prop_assert_eq!(decode_proof_value(&text).unwrap().to_bytes().to_vec(), sig);
        }

        #[test]
        fn the_fast_decoder_accepts_only_what_bs58_decodes_to_64_bytes(text in "[1-9A-HJ-NP-Za-km-z]{80,90}") {
            let mut out = [0u8; 64];
            if five8::decode_64(&text, &mut out).is_ok() {
                prop_assert_eq!(bs58::decode(&text).into_vec().unwrap(), out.to_vec());
            }
        }
    }
}
