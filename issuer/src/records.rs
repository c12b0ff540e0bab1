//! What the node keeps: its identity, keys, tokens, IP requests, issued credentials and
//! status lists. These are plain data; [`crate::store`] decides how they are kept.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;
use std::str::FromStr;

/// What kind of organisation runs the node, and so what it may issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IssuerKind {
    /// Issues `PocusIpCertificate`s through IP requests.
    CertifyingBody,
    /// Issues `PocusSkillAttestation`s.
    Hospital,
}

impl IssuerKind {
    /// `certifying-body` or `hospital`.
    pub fn as_str(self) -> &'static str {
        match self {
            IssuerKind::CertifyingBody => "certifying-body",
            IssuerKind::Hospital => "hospital",
        }
    }
}

impl FromStr for IssuerKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "certifying-body" => Ok(IssuerKind::CertifyingBody),
            "hospital" => Ok(IssuerKind::Hospital),
            other => Err(format!(
                "\"{other}\" is not an issuer kind; expected certifying-body or hospital"
            )),
        }
    }
}

/// Who the node is. Fixed at `probity issuer init`: every credential names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    /// The issuer DID.
    pub did: String,
    /// The organisation's name, written into credentials as the issuer profile.
    pub name: String,
    /// Certifying body or hospital.
    pub kind: IssuerKind,
}

/// What a bearer token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything under `/api/v1`.
    Admin,
    /// Submitting and reading IP requests only.
    Instructor,
}

impl Role {
    /// `admin` or `instructor`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Instructor => "instructor",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "admin" => Ok(Role::Admin),
            "instructor" => Ok(Role::Instructor),
            other => Err(format!(
                "\"{other}\" is not a role; expected admin or instructor"
            )),
        }
    }
}

/// A token as stored: never the token itself, only its SHA-256 (the table key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRecord {
    /// A short public name for the token, used in the audit log.
    pub id: String,
    /// What it may do.
    pub role: Role,
    /// When it was made.
    pub created: String,
}

/// A signing key of the node. The secret stays in its key file (mode 0600).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyRecord {
    /// Verification method id, such as `did:web:certs.example#key-2`.
    pub verification_method: String,
    /// `z6Mk…`.
    pub public_key_multibase: String,
    /// The key file, relative to the node's directory.
    pub file: String,
    /// When the key was made.
    pub created: String,
    /// When a newer key took over signing, if one has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired: Option<String>,
}

/// Where an IP request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestStatus {
    /// Submitted, waiting for the fee and the body's decision.
    Pending,
    /// Approved: the certificate was issued.
    Approved,
    /// Rejected, with a reason.
    Rejected,
}

/// An IP request: a candidate's results, submitted by an instructor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    /// The request id (a UUID).
    pub id: String,
    /// Where it stands.
    pub status: RequestStatus,
    /// The certificate subject's fields as checked, without `ipNumber`.
    pub subject: Value,
    /// `validUntil` asked for, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    /// When it was submitted.
    pub submitted: String,
    /// Who submitted it (the token's id and role).
    pub submitted_by: String,
    /// When it was approved or rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided: Option<String>,
    /// Why it was rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The credential issued on approval (its UUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_id: Option<String>,
}

/// Where an issued credential stands; mirrors its bits in the status lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CredentialStatus {
    /// Neither bit set.
    Active,
    /// The suspension bit is set; it can be cleared.
    Suspended,
    /// The revocation bit is set, for good.
    Revoked,
}

impl CredentialStatus {
    /// `active`, `suspended` or `revoked`.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialStatus::Active => "active",
            CredentialStatus::Suspended => "suspended",
            CredentialStatus::Revoked => "revoked",
        }
    }
}

/// An issued credential and what the node knows about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialRecord {
    /// The credential's UUID (its `id` without `urn:uuid:`).
    pub id: String,
    /// `PocusIpCertificate` or `PocusSkillAttestation`.
    pub kind: String,
    /// Active, suspended or revoked.
    pub status: CredentialStatus,
    /// Why its status last changed, as the admin wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// When its status last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_changed: Option<String>,
    /// Its index in both status lists.
    pub status_index: u64,
    /// The IP number (IP certificates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_number: Option<String>,
    /// The track code (IP certificates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    /// Holder's name.
    pub holder: String,
    /// Holder's licence or registration number.
    pub registration_number: String,
    /// When it was signed.
    pub issued_at: String,
    /// The IP request it was issued for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The import row's idempotency key, for imported credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_key: Option<String>,
    /// The signed credential.
    pub credential: Value,
}

/// One published status list (its bits are kept beside it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListRecord {
    /// Its name in URLs: `revocation-1` or `suspension-1`.
    pub name: String,
    /// `revocation` or `suspension`.
    pub purpose: String,
    /// Counts every signing; the ETag is built from it.
    pub version: u64,
    /// The signed status list credential, once signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed: Option<Value>,
}
