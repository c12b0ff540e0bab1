//! The federation's trust registry (SPEC.md §6): a VC signed by a federation root key
//! that lists which issuers are members, what each may issue, and with which keys.
//!
//! Verifiers pin root keys (as the EU Digital COVID Certificate gateway pins national
//! roots) and accept a registry only when a pinned key signed it, it is inside its
//! validity period, and its version is not older than one they already hold.

use crate::context;
use crate::model::Track;
use crate::multikey;
use crate::proof::{self, ProofError};
use chrono::{DateTime, Utc};
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The credential type of a trust registry.
pub const REGISTRY_TYPE: &str = "ProbityTrustRegistry";

/// Why a registry was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// The registry's proof is malformed or its signature does not verify.
    #[error("registry proof: {0}")]
    Proof(#[from] ProofError),
    /// The registry was signed by a key that is not a pinned federation root key.
    #[error("registry is signed by {0}, which is not a pinned federation key")]
    NotPinned(String),
    /// The registry's shape is wrong.
    #[error("registry is malformed: {0}")]
    Malformed(String),
    /// The registry is outside its validity period.
    #[error("registry version {version} is valid from {from} until {until}; it is not valid now ({now})")]
    OutsideValidity {
        /// The registry's version.
        version: u64,
        /// Its validFrom.
        from: String,
        /// Its validUntil.
        until: String,
        /// The time of the check.
        now: String,
    },
    /// The registry is older than the one already held (rollback protection).
    #[error("registry version {offered} is older than version {held} already held; refusing to roll back")]
    Rollback {
        /// The version offered.
        offered: u64,
        /// The version held.
        held: u64,
    },
}

/// What kind of organisation a member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MemberKind {
    /// A third-party certifying body (issues IP certificates).
    CertifyingBody,
    /// A hospital (issues local skill attestations).
    Hospital,
    /// An accredited course provider.
    CourseProvider,
}

/// Whether a member may issue now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MembershipStatus {
    /// In good standing.
    Active,
    /// Temporarily not trusted.
    Suspended,
    /// Left or was removed from the federation.
    Withdrawn,
}

/// One thing a member is accredited to issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Accreditation {
    /// The credential type, such as `PocusIpCertificate`.
    pub credential_type: String,
    /// For IP certificates: the tracks. Empty means every track.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tracks: Vec<Track>,
    /// For skill attestations: the applications. Empty means every application.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applications: Vec<String>,
}

/// A member's signing key and when it may be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberKey {
    /// The verification method id, such as `did:web:cpocus.ca#key-2026`.
    pub id: String,
    /// The public key, `z6Mk…`.
    pub public_key_multibase: String,
    /// First moment the key may sign.
    pub valid_from: String,
    /// Last moment the key may sign, if it is retired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    /// When the key was compromised: anything it signed from then on is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compromised_at: Option<String>,
}

/// Where a member's services live.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    /// The issuer node's base URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Where its status lists are published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_lists: Option<String>,
}

/// One member of the federation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    /// The member's DID.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Certifying body, hospital or course provider.
    pub kind: MemberKind,
    /// Where it operates, such as `CA` or `CA-ON`.
    pub jurisdiction: String,
    /// What it may issue.
    pub accreditations: Vec<Accreditation>,
    /// Its signing keys.
    pub keys: Vec<MemberKey>,
    /// Its membership status.
    pub status: MembershipStatus,
    /// When it joined.
    pub member_since: String,
    /// When its status last changed, if ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_since: Option<String>,
    /// Its service endpoints.
    #[serde(default)]
    pub endpoints: Endpoints,
}

/// The registry content: the `credentialSubject` of the registry credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Registry {
    /// The federation's name.
    pub name: String,
    /// Monotonic version; a verifier never goes back to a lower one.
    pub version: u64,
    /// The members.
    pub members: Vec<Member>,
}

/// Builds the unsigned registry credential, issued by `federation_did` (the did:key of
/// the root key that will sign it).
pub fn registry_credential(
    federation_did: &str,
    registry: &Registry,
    valid_from: DateTime<Utc>,
    valid_until: DateTime<Utc>,
) -> Value {
    let mut subject = serde_json::to_value(registry).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut subject {
        map.insert("id".into(), federation_did.into());
        map.insert("type".into(), "TrustRegistry".into());
    }
    json!({
        "@context": [context::VC_V2, context::PROBITY_V1],
        "id": format!("urn:probity:registry:{}:{}", federation_did, registry.version),
        "type": ["VerifiableCredential", REGISTRY_TYPE],
        "issuer": federation_did,
        "validFrom": crate::time::format(valid_from),
        "validUntil": crate::time::format(valid_until),
        "credentialSubject": subject,
    })
}

/// A member key, parsed.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    /// The verification method id.
    pub id: String,
    /// The key.
    pub key: VerifyingKey,
    /// First moment it may sign.
    pub valid_from: DateTime<Utc>,
    /// Last moment it may sign.
    pub valid_until: Option<DateTime<Utc>>,
    /// When it was compromised.
    pub compromised_at: Option<DateTime<Utc>>,
}

/// A member with its keys parsed.
#[derive(Debug, Clone)]
pub struct TrustedMember {
    /// The member as listed.
    pub member: Member,
    /// Its keys.
    pub keys: Vec<TrustedKey>,
}

/// A registry whose signature, pinning and validity have been checked.
#[derive(Debug, Clone)]
pub struct VerifiedRegistry {
    /// The root key that signed it.
    pub federation_key: VerifyingKey,
    /// The did:key of that root key (the registry's issuer).
    pub federation_did: String,
    /// The federation's name.
    pub name: String,
    /// The version.
    pub version: u64,
    /// Start of validity.
    pub valid_from: DateTime<Utc>,
    /// End of validity.
    pub valid_until: DateTime<Utc>,
    /// The members.
    pub members: Vec<TrustedMember>,
    /// Members by DID: a registry of a thousand members is searched on every
    /// verification.
    index: std::collections::HashMap<String, usize>,
}

impl VerifiedRegistry {
    /// The member whose DID is `did`.
    pub fn member(&self, did: &str) -> Option<&TrustedMember> {
        self.index.get(did).and_then(|&i| self.members.get(i))
    }
}

/// Verifies a signed registry against the pinned root keys at `now`.
pub fn verify_registry(
    document: Value,
    pinned: &[VerifyingKey],
    now: DateTime<Utc>,
) -> Result<VerifiedRegistry, RegistryError> {
    let parsed = proof::parse(document)?;
    parsed.require_purpose(proof::ASSERTION_METHOD)?;
    parsed.require_unexpired(now)?;
    // The root key is identified by its did:key, so the verification method carries the
    // key itself; it must be one of the pinned keys.
    let signer = match crate::did::Did::parse(parsed.controller()) {
        Ok(crate::did::Did::Key { key, .. }) => key,
        _ => return Err(RegistryError::NotPinned(parsed.verification_method.clone())),
    };
    if !pinned.contains(&signer) {
        return Err(RegistryError::NotPinned(multikey::public_key_to_multibase(
            &signer,
        )));
    }
    parsed.verify_signature(&signer)?;
    let doc = Value::Object(parsed.unsecured);
    if !crate::model::types(&doc).contains(&REGISTRY_TYPE) {
        return Err(RegistryError::Malformed(format!(
            "type must include {REGISTRY_TYPE}"
        )));
    }
    let federation_did = crate::did::did_key(&signer);
    if crate::model::issuer_id(&doc) != Some(federation_did.as_str()) {
        return Err(RegistryError::Malformed(
            "issuer must be the did:key of the root key that signed it".into(),
        ));
    }
    let time = |field: &str| -> Result<DateTime<Utc>, RegistryError> {
        let text = doc
            .get(field)
            .and_then(Value::as_str)
            .ok_or_else(|| RegistryError::Malformed(format!("{field} is missing")))?;
        crate::time::parse(text).map_err(|e| RegistryError::Malformed(format!("{field}: {e}")))
    };
    let (valid_from, valid_until) = (time("validFrom")?, time("validUntil")?);
    // §6.2: members of the wrong JSON type, `null` included, make the registry
    // malformed; the error names the member.
    let subject = doc
        .get("credentialSubject")
        .ok_or_else(|| RegistryError::Malformed("credentialSubject is missing".into()))?;
    let registry = crate::json::from_value_strict::<Registry>(subject)
        .map_err(|e| RegistryError::Malformed(e.within("credentialSubject").to_string()))?;
    if now < valid_from || now >= valid_until {
        return Err(RegistryError::OutsideValidity {
            version: registry.version,
            from: crate::time::format(valid_from),
            until: crate::time::format(valid_until),
            now: crate::time::format(now),
        });
    }
    let mut members = Vec::with_capacity(registry.members.len());
    let mut index = std::collections::HashMap::with_capacity(registry.members.len());
    for member in &registry.members {
        if index.insert(member.id.clone(), members.len()).is_some() {
            return Err(RegistryError::Malformed(format!(
                "member {} is listed twice",
                member.id
            )));
        }
        members.push(trusted_member(member)?);
    }
    Ok(VerifiedRegistry {
        federation_key: signer,
        federation_did,
        name: registry.name,
        version: registry.version,
        valid_from,
        valid_until,
        members,
        index,
    })
}

fn trusted_member(member: &Member) -> Result<TrustedMember, RegistryError> {
    let bad = |what: String| RegistryError::Malformed(format!("member {}: {what}", member.id));
    crate::did::Did::parse(&member.id).map_err(|e| bad(e.to_string()))?;
    let time =
        |field: &str, v: &str| crate::time::parse(v).map_err(|e| bad(format!("{field}: {e}")));
    let mut keys = Vec::new();
    for key in &member.keys {
        if key.id.split_once('#').map(|(did, _)| did) != Some(member.id.as_str()) {
            return Err(bad(format!(
                "key {} is not a verification method of the member's DID",
                key.id
            )));
        }
        keys.push(TrustedKey {
            id: key.id.clone(),
            key: multikey::public_key_from_multibase(&key.public_key_multibase)
                .map_err(|e| bad(format!("key {}: {e}", key.id)))?,
            valid_from: time("validFrom", &key.valid_from)?,
            valid_until: key
                .valid_until
                .as_deref()
                .map(|v| time("validUntil", v))
                .transpose()?,
            compromised_at: key
                .compromised_at
                .as_deref()
                .map(|v| time("compromisedAt", v))
                .transpose()?,
        });
    }
    time("memberSince", &member.member_since)?;
    if let Some(since) = &member.status_since {
        time("statusSince", since)?;
    }
    // A did:key member can only sign with the key its DID is.
    if let Ok(crate::did::Did::Key { key: own, .. }) = crate::did::Did::parse(&member.id) {
        if let Some(other) = keys.iter().find(|k| k.key != own) {
            return Err(bad(format!(
                "key {} is not the key of its did:key",
                other.id
            )));
        }
    }
    Ok(TrustedMember {
        member: member.clone(),
        keys,
    })
}

/// Signs `registry` as its federation: the registry credential (see
/// [`registry_credential`]), valid from `valid_from` (inclusive) to `valid_until`
/// (exclusive), issued by the did:key of the root key `root` and secured with it (§3),
/// the proof stating `created` and the root key's did:key verification method
/// (SPEC.md §6.1). Issuer and signing key come from the one `root`, so they cannot
/// disagree, which §6.3 step 6 would refuse.
///
/// The caller chooses `registry.version`: it must be higher than that of every registry
/// the federation signed before (§6.4).
pub fn sign(
    registry: &Registry,
    valid_from: DateTime<Utc>,
    valid_until: DateTime<Utc>,
    root: &ed25519_dalek::SigningKey,
    created: DateTime<Utc>,
) -> Result<Value, ProofError> {
    let root_key = root.verifying_key();
    let document = registry_credential(
        &crate::did::did_key(&root_key),
        registry,
        valid_from,
        valid_until,
    );
    let method = crate::did::did_key_verification_method(&root_key);
    proof::sign(
        &document,
        root,
        &proof::ProofOptions::assertion(method, Some(crate::time::format(created))),
    )
}
