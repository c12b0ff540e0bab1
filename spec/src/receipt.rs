//! Verification receipts (SPEC.md §14): a verifier node's signed record of one
//! verification, for an HR office to file.
//!
//! A receipt is a VC of type [`RECEIPT_TYPE`] issued by the node's own DID and secured
//! with `eddsa-jcs-2022` like everything else Probity signs (§3). It records what was
//! presented (with a SHA-256 digest), when, every check, the verdict, and how fresh the
//! status data was. Its signature proves only that the key of the DID in `issuer`
//! signed that record; whether that node is worth believing is for the reader to pin.

use crate::context;
use crate::did::{self, Did, DidError};
use crate::json::{self, JsonError};
use crate::proof::{self, ProofError};
use crate::verify::{CheckId, CheckStatus, Report, Verdict};
use chrono::{DateTime, Utc};
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The credential type of a receipt.
pub const RECEIPT_TYPE: &str = "VerificationReceipt";
/// The `type` of a receipt's `credentialSubject`.
pub const RECORD_TYPE: &str = "VerificationRecord";
/// The largest receipt read: 256 KiB. A receipt of six checks is a few kilobytes.
pub const MAX_RECEIPT_BYTES: usize = 256 << 10;
/// The longest string a receipt copies from a credential or a check: longer ones are
/// cut to this many characters (the digest still covers the whole credential).
pub const MAX_RECORDED_CHARS: usize = 1024;
/// Most status lists a receipt records.
pub const MAX_STATUS_LISTS: usize = 64;
/// The prefix of every receipt `id`.
pub const ID_PREFIX: &str = "urn:probity:receipt:";

/// Why a receipt could not be made or was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReceiptError {
    /// The receipt is not JSON Probity reads (§2.1), or is over [`MAX_RECEIPT_BYTES`].
    #[error("the receipt is not usable JSON: {0}")]
    Json(#[from] JsonError),
    /// The document is not a verification receipt at all.
    #[error("not a verification receipt: {0}")]
    NotAReceipt(String),
    /// A member is missing, unknown, of the wrong JSON type, or breaks a §14 rule.
    #[error("the receipt is malformed: {0}")]
    Malformed(String),
    /// The proof is malformed, or the signature does not verify.
    #[error("the receipt's proof: {0}")]
    Proof(#[from] ProofError),
    /// The proof's verification method is not a key of the DID in `issuer`.
    #[error("the receipt names {issuer} as its issuer but is signed with {method}, which is not that DID's key")]
    SignerMismatch {
        /// The receipt's issuer.
        issuer: String,
        /// The proof's verification method.
        method: String,
    },
    /// The issuer's DID document holds no assertion key with the proof's method id.
    #[error("{issuer} has no assertion key {method}")]
    UnknownKey {
        /// The receipt's issuer.
        issuer: String,
        /// The proof's verification method.
        method: String,
    },
    /// The issuer's DID could not be read or resolved.
    #[error(transparent)]
    Did(#[from] DidError),
}

/// The person as the credential names them. These are claims: they are verified only
/// when the recorded verdict is `VALID`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HolderAsPresented {
    /// `credentialSubject.id`, the holder's DID, when stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `credentialSubject.name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `credentialSubject.registrationNumber`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_number: Option<String>,
}

/// How the digest of the presented credential was taken (§14.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DigestInput {
    /// The RFC 8785 canonical form of the credential, proof included.
    Jcs,
    /// The bytes judged, when they were not JSON that could be canonicalized.
    Bytes,
}

/// The SHA-256 digest of the presented credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CredentialDigest {
    /// Always `sha-256`.
    pub algorithm: String,
    /// What was hashed.
    pub input: DigestInput,
    /// 64 lower-case hex digits.
    pub hex: String,
}

impl CredentialDigest {
    /// The digest of `credential` as §14.3 defines it.
    pub fn of(credential: &[u8]) -> Self {
        let canonical = json::parse_strict(credential)
            .ok()
            .and_then(|value| crate::jcs::canonicalize(&value).ok());
        let (input, bytes) = match &canonical {
            Some(c) => (DigestInput::Jcs, c.as_slice()),
            None => (DigestInput::Bytes, credential),
        };
        CredentialDigest {
            algorithm: "sha-256".to_owned(),
            input,
            hex: to_hex(&Sha256::digest(bytes)),
        }
    }
}

/// What was presented, as the credential states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Presented {
    /// The credential's `id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its most specific `type`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_type: Option<String>,
    /// Its issuer's id (`issuer` or `issuer.id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The holder as the credential names them.
    pub holder_as_presented: HolderAsPresented,
    /// The digest of the credential.
    pub digest: CredentialDigest,
}

/// One check as it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecordedCheck {
    /// Which check (§8.3).
    pub name: CheckId,
    /// How it ended.
    pub outcome: CheckStatus,
    /// The report's sentence.
    pub message: String,
}

/// How fresh one status list was when the verdict was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusFreshness {
    /// The list's URL (its `statusListCredential`).
    pub id: String,
    /// Whether the node held a copy.
    pub held: bool,
    /// When the node last fetched it or confirmed it unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_at: Option<String>,
    /// Seconds from `confirmedAt` to `verifiedAt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_seconds: Option<u64>,
}

/// The receipt's `credentialSubject`: the record of one verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerificationRecord {
    /// Always [`RECORD_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// The time the verdict was judged at.
    pub verified_at: String,
    /// What was presented.
    pub presented: Presented,
    /// The verdict.
    pub verdict: Verdict,
    /// Every check, in order.
    pub checks: Vec<RecordedCheck>,
    /// The status lists the credential names, and how fresh each was.
    pub status_data: Vec<StatusFreshness>,
}

impl VerificationRecord {
    /// The record of `report`, given for `credential` (the bytes judged) at
    /// `verified_at`, with the node's `status_data`.
    pub fn new(
        credential: &[u8],
        report: &Report,
        verified_at: DateTime<Utc>,
        mut status_data: Vec<StatusFreshness>,
    ) -> Self {
        status_data.truncate(MAX_STATUS_LISTS);
        for list in &mut status_data {
            list.id = cut(&list.id);
        }
        VerificationRecord {
            kind: RECORD_TYPE.to_owned(),
            verified_at: crate::time::format(verified_at),
            presented: presented(credential),
            verdict: report.verdict,
            checks: report
                .checks
                .iter()
                .map(|c| RecordedCheck {
                    name: c.id,
                    outcome: c.status,
                    message: cut(&c.message),
                })
                .collect(),
            status_data,
        }
    }
}

/// What the credential states about itself, read leniently: a credential that does not
/// parse still gets a receipt (its verdict is `MALFORMED`), with only its digest.
fn presented(credential: &[u8]) -> Presented {
    let value = json::parse_strict(credential).unwrap_or(Value::Null);
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(cut);
    let subject = value.get("credentialSubject");
    Presented {
        id: text(value.get("id")),
        credential_type: crate::model::types(&value).last().map(|t| cut(t)),
        issuer: crate::model::issuer_id(&value).map(cut),
        holder_as_presented: HolderAsPresented {
            id: text(subject.and_then(|s| s.get("id"))),
            name: text(subject.and_then(|s| s.get("name"))),
            registration_number: text(subject.and_then(|s| s.get("registrationNumber"))),
        },
        digest: CredentialDigest::of(credential),
    }
}

/// `text`, cut to [`MAX_RECORDED_CHARS`] characters.
fn cut(text: &str) -> String {
    match text.char_indices().nth(MAX_RECORDED_CHARS) {
        Some((end, _)) => text[..end].to_owned(),
        None => text.to_owned(),
    }
}

fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// The unsigned receipt credential for `record`, issued by `node_did`. Its `id` is
/// derived from the record, so one record always gets one id.
pub fn receipt_credential(node_did: &str, record: &VerificationRecord) -> Value {
    let subject = serde_json::to_value(record).unwrap_or(Value::Null);
    let digest = crate::jcs::canonicalize(&subject)
        .map(|c| to_hex(&Sha256::digest(c)))
        .unwrap_or_default();
    json!({
        "@context": [context::VC_V2, context::PROBITY_V1],
        "id": format!("{ID_PREFIX}{}", &digest[..digest.len().min(32)]),
        "type": ["VerifiableCredential", RECEIPT_TYPE],
        "issuer": node_did,
        "validFrom": record.verified_at,
        "credentialSubject": subject,
    })
}

/// Signs `record` as the node `node_did` with `key`, whose verification method id is
/// `verification_method` (a method of `node_did`); the proof states `signed_at`.
pub fn sign(
    node_did: &str,
    verification_method: &str,
    key: &SigningKey,
    record: &VerificationRecord,
    signed_at: DateTime<Utc>,
) -> Result<Value, ReceiptError> {
    if controller(verification_method) != node_did {
        return Err(ReceiptError::SignerMismatch {
            issuer: node_did.to_owned(),
            method: verification_method.to_owned(),
        });
    }
    let document = receipt_credential(node_did, record);
    Ok(proof::sign(
        &document,
        key,
        &proof::ProofOptions::assertion(verification_method, Some(crate::time::format(signed_at))),
    )?)
}

fn controller(method: &str) -> &str {
    method.split_once('#').map_or(method, |(did, _)| did)
}

/// Whether `document` calls itself a verification receipt (its `type` names
/// [`RECEIPT_TYPE`]): how a reader tells a receipt from a credential before checking it.
pub fn is_receipt(document: &Value) -> bool {
    crate::model::types(document).contains(&RECEIPT_TYPE)
}

/// The receipt envelope as §14.2 allows it: nothing else at the top level.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Envelope {
    #[serde(rename = "@context")]
    context: Vec<String>,
    id: String,
    #[serde(rename = "type")]
    kind: Vec<String>,
    issuer: String,
    valid_from: String,
    credential_subject: VerificationRecord,
    // Read by the proof module; here only allowed.
    #[allow(dead_code)]
    proof: Value,
}

/// A receipt whose shape has been checked but not yet its signature: its issuer is
/// known, so the caller can get the issuer's keys (did:web needs a fetch) before
/// [`UncheckedReceipt::check`].
#[derive(Debug)]
pub struct UncheckedReceipt {
    envelope: Envelope,
    proof: proof::parsed::ParsedProof,
}

/// A receipt whose signature verified with a key of its issuer.
#[derive(Debug, Clone)]
pub struct Receipt {
    /// The receipt's `id`.
    pub id: String,
    /// The node that signed it (its DID).
    pub issuer: String,
    /// The verification method that signed it.
    pub verification_method: String,
    /// When the node signed it (`proof.created`).
    pub signed_at: Option<DateTime<Utc>>,
    /// What it records.
    pub record: VerificationRecord,
}

/// Reads a receipt strictly (§14.5 steps 1-4): JSON per §2.1 within
/// [`MAX_RECEIPT_BYTES`], the receipt type, every member of its JSON type and none
/// unknown, and a proof of the right form whose verification method belongs to the
/// issuer's DID. The signature is checked by [`UncheckedReceipt::check`].
pub fn read(bytes: &[u8]) -> Result<UncheckedReceipt, ReceiptError> {
    let value = json::parse_strict_with_limit(bytes, MAX_RECEIPT_BYTES)?;
    if !value.is_object() {
        return Err(ReceiptError::NotAReceipt("it is not a JSON object".into()));
    }
    if !is_receipt(&value) {
        return Err(ReceiptError::NotAReceipt(format!(
            "its type does not name {RECEIPT_TYPE}"
        )));
    }
    let envelope: Envelope =
        json::from_value_strict(&value).map_err(|e| ReceiptError::Malformed(e.to_string()))?;
    let malformed = |what: String| Err(ReceiptError::Malformed(what));
    if envelope.context != [context::VC_V2, context::PROBITY_V1] {
        return malformed(format!(
            "@context must be [\"{}\", \"{}\"]",
            context::VC_V2,
            context::PROBITY_V1
        ));
    }
    if envelope.kind != ["VerifiableCredential", RECEIPT_TYPE] {
        return malformed(format!(
            "type must be [\"VerifiableCredential\", \"{RECEIPT_TYPE}\"]"
        ));
    }
    if !envelope.id.starts_with(ID_PREFIX) {
        return malformed(format!("id must start with {ID_PREFIX}"));
    }
    Did::parse(&envelope.issuer)?;
    let record = &envelope.credential_subject;
    if record.kind != RECORD_TYPE {
        return malformed(format!("credentialSubject.type must be \"{RECORD_TYPE}\""));
    }
    let verified_at = crate::time::parse(&record.verified_at)
        .map_err(|e| ReceiptError::Malformed(format!("credentialSubject.verifiedAt: {e}")))?;
    let valid_from = crate::time::parse(&envelope.valid_from)
        .map_err(|e| ReceiptError::Malformed(format!("validFrom: {e}")))?;
    if valid_from != verified_at {
        return malformed("validFrom must be credentialSubject.verifiedAt".into());
    }
    if record.presented.digest.algorithm != "sha-256"
        || record.presented.digest.hex.len() != 64
        || !record
            .presented
            .digest
            .hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return malformed(
            "credentialSubject.presented.digest must be sha-256 as 64 lower-case hex digits".into(),
        );
    }
    if record.status_data.len() > MAX_STATUS_LISTS {
        return malformed(format!(
            "credentialSubject.statusData lists more than {MAX_STATUS_LISTS} status lists"
        ));
    }
    for (i, list) in record.status_data.iter().enumerate() {
        if let Some(t) = &list.confirmed_at {
            crate::time::parse(t).map_err(|e| {
                ReceiptError::Malformed(format!(
                    "credentialSubject.statusData[{i}].confirmedAt: {e}"
                ))
            })?;
        }
    }
    let proof = proof::parse(value)?;
    proof.require_purpose(proof::ASSERTION_METHOD)?;
    if proof.controller() != envelope.issuer {
        return Err(ReceiptError::SignerMismatch {
            issuer: envelope.issuer.clone(),
            method: proof.verification_method.clone(),
        });
    }
    Ok(UncheckedReceipt { envelope, proof })
}

impl UncheckedReceipt {
    /// The DID that claims to have signed the receipt (`issuer`).
    pub fn issuer(&self) -> &str {
        &self.envelope.issuer
    }

    /// Checks the signature with the issuer's assertion `keys` (verification method id,
    /// key), as its DID document lists them (§14.5 step 5).
    pub fn check(self, keys: &[(String, VerifyingKey)]) -> Result<Receipt, ReceiptError> {
        let method = &self.proof.verification_method;
        let key = keys
            .iter()
            .find(|(id, _)| id == method)
            .map(|(_, key)| key)
            .ok_or_else(|| ReceiptError::UnknownKey {
                issuer: self.envelope.issuer.clone(),
                method: method.clone(),
            })?;
        self.proof.verify_signature(key)?;
        Ok(Receipt {
            id: self.envelope.id,
            issuer: self.envelope.issuer,
            verification_method: self.proof.verification_method,
            signed_at: self.proof.created,
            record: self.envelope.credential_subject,
        })
    }

    /// [`UncheckedReceipt::check`] for a `did:key` issuer, whose DID is its key: needs
    /// nothing fetched. A `did:web` issuer is refused here.
    pub fn check_did_key(self) -> Result<Receipt, ReceiptError> {
        let keys = did::resolve_did_key(self.issuer())?.assertion_keys()?;
        self.check(&keys)
    }
}

#[cfg(test)]
mod tests;
