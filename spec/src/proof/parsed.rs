//! A proof read from a signed document before its signature is checked (SPEC.md §3.3):
//! [`ProofView`] over a parsed tree, as verification reads credentials, and
//! [`ParsedProof`] over a `serde_json::Value`, for registries and status lists.

use super::{decode_proof_value, hash_data, ProofError, CRYPTOSUITE, PROOF_TYPE};
use crate::jcs::{self, JcsError};
use crate::json::{Json, Member};
use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Strict Ed25519 verification (§3.4) of `signing_input`. Kept out of line: in the
/// benchmark, builds that inlined it ran full verification up to 4 µs slower,
/// depending on where the curve arithmetic landed.
#[inline(never)]
fn verify_strict(
    signing_input: &[u8; 64],
    signature: &Signature,
    key: &VerifyingKey,
) -> Result<(), ProofError> {
    key.verify_strict(signing_input, signature)
        .map_err(|_| ProofError::SignatureMismatch)
}

/// A proof read from a parsed document, before its signature is checked. It borrows
/// from the document: verification builds no second tree (SPEC.md §3.3).
#[derive(Debug, Clone)]
pub struct ProofView<'d, 'a> {
    document: &'d [Member<'a>],
    proof: &'d [Member<'a>],
    context: Option<&'d Json<'a>>,
    /// `proof.verificationMethod`.
    pub verification_method: &'d str,
    /// `proof.proofPurpose`.
    pub proof_purpose: &'d str,
    /// `proof.created`, when present.
    pub created: Option<chrono::DateTime<chrono::Utc>>,
    /// `proof.expires`, when present: the proof is not to be accepted after it.
    pub expires: Option<chrono::DateTime<chrono::Utc>>,
    /// The decoded signature.
    pub signature: Signature,
}

/// Reads the proof of a parsed document and checks everything that needs no key: one
/// proof, type, cryptosuite, the `@context` prefix rule, the form of `proofValue`.
pub fn view<'d, 'a>(secured: &'d Json<'a>) -> Result<ProofView<'d, 'a>, ProofError> {
    let document = secured.as_object().ok_or(ProofError::NotAnObject)?;
    let proof = match secured.get("proof") {
        None => return Err(ProofError::MissingProof),
        Some(Json::Array(_)) => return Err(ProofError::ProofSet),
        Some(Json::Object(members)) => *members,
        Some(_) => return Err(ProofError::ProofNotObject),
    };
    let proof_json = secured.get("proof").ok_or(ProofError::MissingProof)?;
    let field = |name: &'static str| -> Result<&'d str, ProofError> {
        proof_json
            .get(name)
            .and_then(Json::as_str)
            .ok_or(ProofError::MissingField(name))
    };
    let kind = field("type")?;
    if kind != PROOF_TYPE {
        return Err(ProofError::WrongType(kind.to_owned()));
    }
    let suite = field("cryptosuite")?;
    if suite != CRYPTOSUITE {
        return Err(ProofError::UnsupportedCryptosuite(suite.to_owned()));
    }
    let verification_method = field("verificationMethod")?;
    let proof_purpose = field("proofPurpose")?;
    let created = match proof_json.get("created") {
        None => None,
        Some(Json::Str(s)) => Some(crate::time::parse(s)?),
        Some(_) => return Err(ProofError::MissingField("created")),
    };
    let expires = match proof_json.get("expires") {
        None => None,
        Some(Json::Str(s)) => Some(crate::time::parse(s)?),
        Some(_) => return Err(ProofError::MissingField("expires")),
    };
    let signature = decode_proof_value(field("proofValue")?)?;

    // §3.3.2 steps 3-4: the document's @context must begin with the proof's, and the
    // proof's replaces it for verification.
    let context = proof_json.get("@context");
    if let Some(proof_context) = context {
        // A single context is a list of one.
        let as_list = |c: &'d Json<'a>| match c {
            Json::Array(items) => *items,
            single => std::slice::from_ref(single),
        };
        let starts_with = secured
            .get("@context")
            .is_some_and(|doc| as_list(doc).starts_with(as_list(proof_context)));
        if !starts_with {
            return Err(ProofError::ContextMismatch);
        }
    }
    Ok(ProofView {
        document,
        proof,
        context,
        verification_method,
        proof_purpose,
        created,
        expires,
        signature,
    })
}

impl ProofView<'_, '_> {
    /// The canonical proof options (the proof without `proofValue`) and the canonical
    /// document (without `proof`, with the proof's `@context`), written straight from
    /// the parsed tree.
    pub fn canonical_forms(&self) -> Result<(Vec<u8>, Vec<u8>), ProofError> {
        let mut options = Vec::with_capacity(512);
        jcs::write_members(
            &mut options,
            self.proof
                .iter()
                .filter(|(k, _)| k != "proofValue")
                .map(|(k, v)| (k, v)),
        )?;
        let mut document = Vec::with_capacity(4096);
        jcs::write_members(
            &mut document,
            self.document
                .iter()
                .filter(|(k, _)| k != "proof")
                .map(|(k, v)| match self.context {
                    Some(context) if k == "@context" => (k, context),
                    _ => (k, v),
                }),
        )?;
        Ok((options, document))
    }

    /// The 64 bytes the signature is over (§3.3.2 steps 5-7): the hashes of the
    /// canonical proof options and document. Computed once, it serves every key a
    /// verifier tries.
    pub fn signing_input(&self) -> Result<[u8; 64], ProofError> {
        let (options, document) = self.canonical_forms()?;
        let proof_hash: [u8; 32] = Sha256::digest(&options).into();
        let document_hash: [u8; 32] = Sha256::digest(&document).into();
        Ok(hash_data(&proof_hash, &document_hash))
    }

    /// Checks the signature over `signing_input` with `key` (§3.3.2 step 8, strict
    /// Ed25519).
    pub fn verify_signature_over(
        &self,
        signing_input: &[u8; 64],
        key: &VerifyingKey,
    ) -> Result<(), ProofError> {
        verify_strict(signing_input, &self.signature, key)
    }

    /// Requires `proofPurpose` to be `expected`.
    pub fn require_purpose(&self, expected: &str) -> Result<(), ProofError> {
        if self.proof_purpose == expected {
            Ok(())
        } else {
            Err(ProofError::WrongPurpose {
                found: self.proof_purpose.to_owned(),
                expected: expected.to_owned(),
            })
        }
    }

    /// The DID part of the verification method (before `#`).
    pub fn controller(&self) -> &str {
        self.verification_method
            .split_once('#')
            .map_or(self.verification_method, |(did, _)| did)
    }
}

/// A proof read from a `serde_json::Value` document, for documents that are not on the
/// hot path (registries, status lists). It is read through [`ProofView`], so there is
/// one verification algorithm, and keeps what the signature is over.
#[derive(Debug, Clone)]
pub(crate) struct ParsedProof {
    signing_input: [u8; 64],
    signature: Signature,
    /// The document as verified: `proof` removed and `@context` replaced by the
    /// proof's (§3.3.2 step 4), so contexts appended after signing are not treated
    /// as signed content.
    pub unsecured: Map<String, Value>,
    /// `proof.verificationMethod`.
    pub verification_method: String,
    /// `proof.proofPurpose`.
    pub proof_purpose: String,
    /// `proof.created`, when present.
    pub created: Option<chrono::DateTime<chrono::Utc>>,
    /// `proof.expires`, when present.
    pub expires: Option<chrono::DateTime<chrono::Utc>>,
}

/// Reads the proof of a `Value` document; see [`view`].
pub(crate) fn parse(secured: Value) -> Result<ParsedProof, ProofError> {
    let bytes = serde_json::to_vec(&secured)
        .map_err(|e| ProofError::Canonicalization(JcsError::Unrepresentable(e.to_string())))?;
    let arena = crate::json::Arena::for_input(bytes.len());
    let json = arena
        .parse(&bytes)
        .map_err(|e| ProofError::Canonicalization(JcsError::Unrepresentable(e.to_string())))?;
    let view = view(&json)?;
    let (verification_method, proof_purpose, created, expires) = (
        view.verification_method.to_owned(),
        view.proof_purpose.to_owned(),
        view.created,
        view.expires,
    );
    let context = view.context.map(Json::to_value);
    let (signing_input, signature) = (view.signing_input()?, view.signature);
    let Value::Object(mut unsecured) = secured else {
        return Err(ProofError::NotAnObject);
    };
    unsecured.remove("proof");
    if let Some(context) = context {
        unsecured.insert("@context".into(), context);
    }
    Ok(ParsedProof {
        signing_input,
        signature,
        unsecured,
        verification_method,
        proof_purpose,
        created,
        expires,
    })
}

impl ParsedProof {
    /// Refuses a proof whose `proof.expires` is at or before `now`.
    pub fn require_unexpired(&self, now: chrono::DateTime<chrono::Utc>) -> Result<(), ProofError> {
        match self.expires {
            Some(expires) if now >= expires => {
                Err(ProofError::Expired(crate::time::format(expires)))
            }
            _ => Ok(()),
        }
    }

    /// Checks the signature with `key`.
    pub fn verify_signature(&self, key: &VerifyingKey) -> Result<(), ProofError> {
        verify_strict(&self.signing_input, &self.signature, key)
    }

    /// Requires `proofPurpose` to be `expected`.
    pub fn require_purpose(&self, expected: &str) -> Result<(), ProofError> {
        if self.proof_purpose == expected {
            Ok(())
        } else {
            Err(ProofError::WrongPurpose {
                found: self.proof_purpose.clone(),
                expected: expected.to_owned(),
            })
        }
    }

    /// The DID part of the verification method (before `#`).
    pub fn controller(&self) -> &str {
        self.verification_method
            .split_once('#')
            .map_or(self.verification_method.as_str(), |(did, _)| did)
    }
}
