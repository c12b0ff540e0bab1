//! The one verification function (SPEC.md §8): `verify(credential, trust, now)`.
//!
//! Six checks run in a fixed order (format, proof, issuer, accreditation, validity,
//! status). Each ends `pass`, `warn`, `fail` or `skip` with a sentence a person can
//! read. The verdict is that of the first failing check; a check that could not run
//! never counts as a pass, so `VALID` means every check ran and none failed.

use crate::json::Json;
use crate::model::{self, CredentialKind};
use crate::proof;
use crate::status_list::{StatusListEntry, StatusPurpose};
use crate::trust::{KeyOrigin, TrustSnapshot, Vouching};
use chrono::{DateTime, Utc};
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The checks, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckId {
    /// VC 2.0 shape, size limits, no duplicate keys, Probity type rules.
    Format,
    /// The eddsa-jcs-2022 signature.
    Proof,
    /// The key belongs to the issuer, the issuer is trusted, the key was valid.
    Issuer,
    /// The issuer may issue this type (and track or applications).
    Accreditation,
    /// Signed by the time of verification; validFrom and validUntil.
    Validity,
    /// Revocation and suspension, from fresh status lists.
    Status,
}

impl CheckId {
    /// The id as written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::Format => "format",
            CheckId::Proof => "proof",
            CheckId::Issuer => "issuer",
            CheckId::Accreditation => "accreditation",
            CheckId::Validity => "validity",
            CheckId::Status => "status",
        }
    }

    /// The verdict when this check fails (or could not run) without a more specific one.
    fn default_verdict(self) -> Verdict {
        match self {
            CheckId::Format => Verdict::Malformed,
            CheckId::Proof => Verdict::InvalidSignature,
            CheckId::Issuer => Verdict::UntrustedIssuer,
            CheckId::Accreditation => Verdict::NotAccredited,
            CheckId::Validity => Verdict::Expired,
            CheckId::Status => Verdict::StatusUnknown,
        }
    }
}

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// Passed.
    Pass,
    /// Passed, with something the reader should know.
    Warn,
    /// Failed.
    Fail,
    /// Could not run, because an earlier check failed.
    Skip,
}

/// The outcome of a verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// Every check ran and passed.
    Valid,
    /// Not a well-formed credential.
    Malformed,
    /// The signature is missing, malformed or wrong.
    InvalidSignature,
    /// The signer is not a trusted issuer, or not with that key at that time.
    UntrustedIssuer,
    /// The issuer is trusted, but not for this kind of credential.
    NotAccredited,
    /// validFrom is in the future, or it was signed after the time of verification.
    NotYetValid,
    /// validUntil has passed.
    Expired,
    /// The issuer revoked it.
    Revoked,
    /// The issuer suspended it (for example, lapsed dues).
    Suspended,
    /// Its status could not be established.
    StatusUnknown,
}

impl Verdict {
    /// The verdict as written in reports, such as `NOT_YET_VALID`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Valid => "VALID",
            Verdict::Malformed => "MALFORMED",
            Verdict::InvalidSignature => "INVALID_SIGNATURE",
            Verdict::UntrustedIssuer => "UNTRUSTED_ISSUER",
            Verdict::NotAccredited => "NOT_ACCREDITED",
            Verdict::NotYetValid => "NOT_YET_VALID",
            Verdict::Expired => "EXPIRED",
            Verdict::Revoked => "REVOKED",
            Verdict::Suspended => "SUSPENDED",
            Verdict::StatusUnknown => "STATUS_UNKNOWN",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Which check.
    pub id: CheckId,
    /// How it ended.
    pub status: CheckStatus,
    /// A sentence saying what was found.
    pub message: String,
    /// The verdict this check gives when it fails.
    #[serde(skip)]
    pub verdict_on_fail: Verdict,
}

/// What the credential says, for people reading the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Credential id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Most specific type.
    pub credential_type: String,
    /// Issuer DID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Issuer name, from the registry or the credential.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer_name: Option<String>,
    /// Holder name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
    /// IP number, for IP certificates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_number: Option<String>,
    /// Track, for IP certificates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    /// Applications, for skill attestations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub applications: Vec<String>,
    /// validFrom.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// validUntil.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
}

/// The result of [`verify`]: one verdict and every check behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The verdict.
    pub verdict: Verdict,
    /// The six checks, in order.
    pub checks: Vec<Check>,
    /// What the credential says, when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<Summary>,
}

impl Report {
    /// The check with this id.
    pub fn check(&self, id: CheckId) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// Whether the verdict is `VALID`.
    pub fn is_valid(&self) -> bool {
        self.verdict == Verdict::Valid
    }
}

const ORDER: [CheckId; 6] = [
    CheckId::Format,
    CheckId::Proof,
    CheckId::Issuer,
    CheckId::Accreditation,
    CheckId::Validity,
    CheckId::Status,
];

struct Checks(Vec<Check>);

impl Checks {
    fn push(
        &mut self,
        id: CheckId,
        status: CheckStatus,
        message: impl Into<String>,
        verdict: Verdict,
    ) {
        self.0.push(Check {
            id,
            status,
            message: message.into(),
            verdict_on_fail: verdict,
        });
    }
    fn pass(&mut self, id: CheckId, message: impl Into<String>) {
        self.push(id, CheckStatus::Pass, message, id.default_verdict());
    }
    fn warn(&mut self, id: CheckId, message: impl Into<String>) {
        self.push(id, CheckStatus::Warn, message, id.default_verdict());
    }
    fn fail(&mut self, id: CheckId, message: impl Into<String>) {
        self.push(id, CheckStatus::Fail, message, id.default_verdict());
    }
    fn fail_with(&mut self, id: CheckId, verdict: Verdict, message: impl Into<String>) {
        self.push(id, CheckStatus::Fail, message, verdict);
    }
    fn skip_rest(&mut self, reason: &str) {
        for id in ORDER {
            if !self.0.iter().any(|c| c.id == id) {
                self.push(
                    id,
                    CheckStatus::Skip,
                    format!("Not checked: {reason}."),
                    id.default_verdict(),
                );
            }
        }
    }
    fn into_report(self, credential: Option<Summary>) -> Report {
        // The first check that failed decides; a skipped check with no failure before it
        // (which the code above never produces) still cannot yield VALID.
        let verdict = self
            .0
            .iter()
            .find(|c| c.status == CheckStatus::Fail)
            .or_else(|| self.0.iter().find(|c| c.status == CheckStatus::Skip))
            .map_or(Verdict::Valid, |c| c.verdict_on_fail);
        let verdict = if self.0.len() == ORDER.len() {
            verdict
        } else {
            Verdict::Malformed
        };
        Report {
            verdict,
            checks: self.0,
            credential,
        }
    }
}

/// Verifies a credential (its raw JSON bytes) against `trust` at `now`.
///
/// Pure: every document it relies on (registries, DID documents, status lists) is in
/// `trust`, fetched and checked beforehand.
pub fn verify(credential: &[u8], trust: &TrustSnapshot, now: DateTime<Utc>) -> Report {
    let mut checks = Checks(Vec::with_capacity(6));

    // 1. format
    let arena = crate::json::Arena::for_input(credential.len());
    let document = match arena.parse(credential) {
        Ok(v) => v,
        Err(e) => {
            checks.fail(
                CheckId::Format,
                format!("The credential is not valid JSON: {e}."),
            );
            checks.skip_rest("the credential could not be read");
            return checks.into_report(None);
        }
    };
    // §8.4: a verification receipt records a verdict; it must never earn one of its
    // own that a reader could take for the credential's.
    if model::types_json(&document).contains(&crate::receipt::RECEIPT_TYPE) {
        checks.fail(
            CheckId::Format,
            "This is a verification receipt (a verifier's record of an earlier verification), not a credential; read it as a receipt (SPEC.md §14).",
        );
        checks.skip_rest("a receipt is not a credential");
        return checks.into_report(None);
    }
    let (kind, status_entries) = match model::validate_credential_and_status(&document) {
        Ok(parts) => parts,
        Err(e) => {
            checks.fail(
                CheckId::Format,
                format!("The credential is malformed: {e}."),
            );
            checks.skip_rest("the credential is malformed");
            return checks.into_report(None);
        }
    };
    checks.pass(
        CheckId::Format,
        format!("A well-formed VC 2.0 {} credential.", kind.type_name()),
    );
    let mut summary = summarize(&document, &kind);

    // 2. proof
    let parsed = match proof::view(&document) {
        Ok(p) => p,
        Err(e) => {
            checks.fail(CheckId::Proof, format!("The proof cannot be checked: {e}."));
            checks.skip_rest("the proof could not be read");
            return checks.into_report(Some(summary));
        }
    };
    // The first key held for the method that verifies the signature is the signer's.
    let candidates = trust.resolve_keys(parsed.verification_method);
    let mut resolved = None;
    match (
        candidates.first(),
        parsed.require_purpose(proof::ASSERTION_METHOD),
    ) {
        (_, Err(e)) => checks.fail(CheckId::Proof, format!("{e}.")),
        (None, Ok(())) => {
            let method = parsed
                .controller()
                .strip_prefix("did:")
                .and_then(|rest| rest.split(':').next())
                .unwrap_or("");
            let why = if matches!(method, "key" | "web") {
                "is not known to this verifier".to_owned()
            } else {
                format!("belongs to a DID method (\"{method}\") Probity cannot resolve")
            };
            checks.push(
                CheckId::Proof,
                CheckStatus::Skip,
                format!(
                    "Not checked: the signing key {} {why}.",
                    parsed.verification_method
                ),
                Verdict::UntrustedIssuer,
            )
        }
        (Some(_), Ok(())) => {
            // Every candidate is tried against one signing input; a mismatch is the
            // only way a candidate fails once that input is computed.
            let outcome = parsed.signing_input().and_then(|input| {
                resolved = candidates
                    .iter()
                    .find(|c| parsed.verify_signature_over(&input, &c.key).is_ok())
                    .copied();
                resolved
                    .map(|_| ())
                    .ok_or(proof::ProofError::SignatureMismatch)
            });
            match outcome {
                Ok(()) => checks.pass(
                    CheckId::Proof,
                    format!(
                        "Signature verified (eddsa-jcs-2022) with {}.",
                        parsed.verification_method
                    ),
                ),
                Err(e) => checks.fail(CheckId::Proof, format!("The signature is invalid: {e}.")),
            }
        }
    }
    // When no key verified the signature, the checks below still report on the key
    // most trusted for the method (they cannot change the verdict, §8.10).
    let resolved = resolved.or_else(|| candidates.first().copied());
    if let Some(expires) = parsed.expires.filter(|&e| now >= e) {
        checks.0.retain(|c| c.id != CheckId::Proof);
        checks.fail(
            CheckId::Proof,
            format!("The proof expired at {}.", crate::time::format(expires)),
        );
    }
    // The checks below read issuer, validity and status members, all covered by the
    // proof; only @context may differ from what was signed (contexts appended after
    // signing, §3.3.2), and no check reads it.
    let signer = Signer {
        verification_method: parsed.verification_method,
        controller: parsed.controller(),
        created: parsed.created,
    };
    let doc = &document;

    // 3. issuer, 4. accreditation
    check_issuer(
        &mut checks,
        doc,
        &signer,
        resolved.map(|r| (r.key, r.origin)),
        &kind,
        trust,
        now,
        &mut summary,
    );

    // 5. validity
    check_validity(&mut checks, doc, signer.created, trust, now);

    // 6. status
    check_status(&mut checks, doc, &status_entries, trust, now);

    checks.into_report(Some(summary))
}

/// Who the proof says signed, and when.
struct Signer<'d> {
    verification_method: &'d str,
    controller: &'d str,
    created: Option<DateTime<Utc>>,
}

#[allow(clippy::too_many_arguments)]
fn check_issuer(
    checks: &mut Checks,
    doc: &Json<'_>,
    parsed: &Signer<'_>,
    resolved: Option<(VerifyingKey, KeyOrigin<'_>)>,
    kind: &CredentialKind<&str>,
    trust: &TrustSnapshot,
    now: DateTime<Utc>,
    summary: &mut Summary,
) {
    let issuer = model::issuer_id_json(doc).unwrap_or_default();
    let controller = parsed.controller;
    let skip_accreditation = |checks: &mut Checks, reason: &str| {
        checks.push(
            CheckId::Accreditation,
            CheckStatus::Skip,
            format!("Not checked: {reason}."),
            Verdict::NotAccredited,
        );
    };
    if let Some(reason) = untrustable_issuer(issuer) {
        checks.fail(CheckId::Issuer, reason);
        return skip_accreditation(checks, "the issuer cannot be trusted");
    }
    if controller != issuer {
        checks.fail(
            CheckId::Issuer,
            format!(
                "The credential names {issuer} as issuer but was signed by a key of {controller}."
            ),
        );
        return skip_accreditation(checks, "the issuer did not sign it");
    }
    // A `created` after `now` is judged by the validity check (§8.8): the credential
    // was not yet issued. The key is still judged as of `created`, so an untrusted
    // issuer stays untrusted.
    let signed_at = parsed.created.unwrap_or(now);
    match resolved {
        Some((_, KeyOrigin::Explicit(explicit))) if explicit.did == issuer => {
            checks.pass(
                CheckId::Issuer,
                format!("{} is trusted explicitly by this verifier.", explicit.did),
            );
            checks.pass(
                CheckId::Accreditation,
                "Explicitly trusted issuers are trusted for every credential type.",
            );
        }
        Some((_, KeyOrigin::Explicit(explicit))) => {
            checks.fail(
                CheckId::Issuer,
                format!(
                    "The signing key belongs to {}, not to the issuer {issuer}.",
                    explicit.did
                ),
            );
            skip_accreditation(checks, "the issuer did not sign it");
        }
        Some((key_used, KeyOrigin::Member { .. })) => {
            // The member may be listed in several registries (several federations, or
            // one expired and one current); any one in which it passes will do. Each
            // must list the very key the signature was checked with: another key under
            // the same id vouches for nothing. A did:key member's key is its key under
            // the self-certifying id too (§8.2), held to its entries all the same.
            let vouching = trust.vouching(parsed.verification_method, &key_used, signed_at, now);
            let (trusting, problem) = match vouching {
                Vouching::Trusted(trusting) => (trusting, None),
                Vouching::Refused(problem) => (Vec::new(), Some(problem)),
                Vouching::Unlisted => (Vec::new(), None),
            };
            match trusting.first() {
                Some((registry, member)) => {
                    summary.issuer_name = Some(member.member.name.clone());
                    checks.pass(
                        CheckId::Issuer,
                        format!(
                            "{} ({issuer}) is an active member of {} (registry version {}).",
                            member.member.name, registry.name, registry.version
                        ),
                    );
                    // Accredited if any registry that trusts it accredits it for this.
                    let outcomes: Vec<_> = trusting
                        .iter()
                        .map(|(_, member)| accreditation(member, kind))
                        .collect();
                    match outcomes.iter().find_map(|o| o.as_ref().ok()) {
                        Some(passed) => checks.pass(CheckId::Accreditation, passed.clone()),
                        None => {
                            let failed = outcomes.into_iter().find_map(Result::err);
                            checks.fail(CheckId::Accreditation, failed.unwrap_or_default());
                        }
                    }
                }
                None => {
                    let problem = problem.unwrap_or_else(|| "its key is not listed".to_owned());
                    checks.fail(CheckId::Issuer, format!("Not trusted: {problem}."));
                    skip_accreditation(checks, "the issuer is not trusted");
                }
            }
        }
        Some((_, KeyOrigin::SelfCertifying)) | None => {
            checks.fail(
                CheckId::Issuer,
                format!("{issuer} is not a member of any trusted registry and is not trusted explicitly."),
            );
            skip_accreditation(checks, "the issuer is not trusted");
        }
    }
}

/// Why no verifier key could ever be shown to be `issuer`'s (§8.6 rows 1 and 2): it is
/// a URL but not a DID, or a DID of a method Probity does not resolve. Registries and
/// explicit trust hold only did:key and did:web DIDs, so such an issuer is never
/// trusted; the report says why instead of that it is not a member.
fn untrustable_issuer(issuer: &str) -> Option<String> {
    let Some(rest) = issuer.strip_prefix("did:") else {
        return Some(format!(
            "The issuer {issuer} is a URL, not a DID: no key can be shown to be its key, so it cannot be trusted."
        ));
    };
    match rest.split(':').next().unwrap_or_default() {
        "key" | "web" => None,
        method => Some(format!(
            "The issuer {issuer} is a DID of the method \"{method}\", which Probity cannot resolve (it resolves did:key and did:web): no key can be shown to be its key, so it cannot be trusted."
        )),
    }
}

/// Whether `member` is accredited to issue this credential: `Ok` with the sentence
/// that says so, or `Err` with the one that says why not.
fn accreditation(
    member: &crate::registry::TrustedMember,
    kind: &CredentialKind<&str>,
) -> Result<String, String> {
    let name = &member.member.name;
    let type_name = kind.type_name();
    let scopes: Vec<&crate::registry::Accreditation> = member
        .member
        .accreditations
        .iter()
        .filter(|a| a.credential_type == type_name)
        .collect();
    let Some(scope) = merge_scopes(&scopes) else {
        return Err(format!("{name} is not accredited to issue {type_name}."));
    };
    match kind {
        CredentialKind::IpCertificate(subject)
            if !scope.tracks.is_empty() && !scope.tracks.contains(&subject.track) =>
        {
            Err(format!(
                "{name} is not accredited for the {} track.",
                subject.track
            ))
        }
        CredentialKind::SkillAttestation(subject) if !scope.applications.is_empty() => {
            let missing: Vec<&str> = subject
                .applications
                .iter()
                .filter(|a| !scope.applications.iter().any(|b| b == *a))
                .copied()
                .collect();
            if missing.is_empty() {
                Ok(format!(
                    "{name} is accredited to attest these applications."
                ))
            } else {
                Err(format!(
                    "{name} is not accredited to attest {}.",
                    missing.join(", ")
                ))
            }
        }
        CredentialKind::IpCertificate(subject) => Ok(format!(
            "{name} is accredited to issue {type_name} for the {} track.",
            subject.track
        )),
        _ => Ok(format!("{name} is accredited to issue {type_name}.")),
    }
}

/// The union of a member's accreditations for one type: an empty track or
/// application list in any of them means "all".
fn merge_scopes<'a>(
    scopes: &[&'a crate::registry::Accreditation],
) -> Option<std::borrow::Cow<'a, crate::registry::Accreditation>> {
    let first = *scopes.first()?;
    if scopes.len() == 1 {
        return Some(std::borrow::Cow::Borrowed(first));
    }
    let mut merged = first.clone();
    for scope in &scopes[1..] {
        if merged.tracks.is_empty() || scope.tracks.is_empty() {
            merged.tracks.clear();
        } else {
            merged.tracks.extend(scope.tracks.iter().copied());
        }
        if merged.applications.is_empty() || scope.applications.is_empty() {
            merged.applications.clear();
        } else {
            merged
                .applications
                .extend(scope.applications.iter().cloned());
        }
    }
    Some(std::borrow::Cow::Owned(merged))
}

fn check_validity(
    checks: &mut Checks,
    doc: &Json<'_>,
    created: Option<DateTime<Utc>>,
    trust: &TrustSnapshot,
    now: DateTime<Utc>,
) {
    // §8.8: signed after the time of this verification (beyond the clock skew), it
    // had not been issued then, whatever its validFrom says: `--at` before issuance,
    // or a `created` its signer put in the future.
    if let Some(created) = created.filter(|&c| c > now + trust.clock_skew) {
        return checks.fail_with(
            CheckId::Validity,
            Verdict::NotYetValid,
            format!(
                "Not yet issued: the credential was signed at {}, after the time of this verification ({}).",
                crate::time::format(created),
                crate::time::format(now)
            ),
        );
    }
    let time = |field| {
        doc.get(field)
            .and_then(Json::as_str)
            .and_then(|s| crate::time::parse(s).ok())
    };
    let (from, until) = (time("validFrom"), time("validUntil"));
    if let Some(from) = from.filter(|&f| now < f) {
        return checks.fail_with(
            CheckId::Validity,
            Verdict::NotYetValid,
            format!("Not valid until {}.", crate::time::format(from)),
        );
    }
    match until {
        Some(until) if now >= until => checks.fail_with(
            CheckId::Validity,
            Verdict::Expired,
            format!("Expired at {}.", crate::time::format(until)),
        ),
        Some(until) if until - now <= trust.expiry_warning => checks.warn(
            CheckId::Validity,
            format!(
                "Valid, but expires soon: at {} ({} days from now).",
                crate::time::format(until),
                (until - now).num_days()
            ),
        ),
        Some(_) => {
            // The credential's own text, already checked by the format check.
            let text = doc
                .get("validUntil")
                .and_then(Json::as_str)
                .unwrap_or_default();
            checks.pass(CheckId::Validity, format!("Valid until {text}."))
        }
        None => checks.pass(CheckId::Validity, "Valid; it has no expiry date."),
    }
}

fn check_status(
    checks: &mut Checks,
    doc: &Json<'_>,
    entries: &[StatusListEntry],
    trust: &TrustSnapshot,
    now: DateTime<Utc>,
) {
    if entries.is_empty() {
        return checks.pass(
            CheckId::Status,
            "The credential has no status entries; its issuer cannot revoke it.",
        );
    }
    let issuer = model::issuer_id_json(doc).unwrap_or_default();
    let mut warnings = Vec::new();
    let mut findings: Vec<(Verdict, String)> = Vec::new();
    for entry in entries {
        let purpose = entry.purpose.as_str();
        // Lists are held by their id (§7.5), so a list answers only for the
        // statusListCredential that is its id; among lists claiming it, the one the
        // credential's issuer issued, or another issuer's to say it is the wrong one.
        let held = trust
            .status_list_of(&entry.list_url, issuer)
            .or_else(|| trust.status_list(&entry.list_url));
        let Some(held) = held else {
            let why = trust
                .status_failure(&entry.list_url)
                .map_or(String::from("it is not held by this verifier"), |r| {
                    r.to_owned()
                });
            findings.push((
                Verdict::StatusUnknown,
                format!(
                    "The {purpose} list {} could not be had: {why}.",
                    entry.list_url
                ),
            ));
            continue;
        };
        let list = &held.list;
        // Freshness is the issuer's to set: a list is good until its validUntil.
        // Without one, its age counts from when it was issued (validFrom), so a copy
        // relayed long after does not look new.
        let age = now - list.valid_from.unwrap_or(held.fetched_at);
        let problem = if list.issuer.as_deref() != Some(issuer) {
            Some(format!(
                "the {purpose} list {} is issued by {}, not by the credential's issuer",
                entry.list_url,
                list.issuer.as_deref().unwrap_or("nobody")
            ))
        } else if list.valid_until.is_some_and(|u| now >= u) {
            Some(format!(
                "the {purpose} list {} expired; a fresh copy is needed",
                entry.list_url
            ))
        } else if list.valid_from.is_some_and(|f| now < f) {
            Some(format!(
                "the {purpose} list {} is not valid yet",
                entry.list_url
            ))
        } else if list.valid_until.is_none() && age > trust.max_status_age {
            Some(format!(
                "the {purpose} list {} was issued {} hours ago, over the {}-hour limit for lists without an expiry",
                entry.list_url,
                age.num_hours(),
                trust.max_status_age.num_hours()
            ))
        } else {
            trust
                .max_data_age
                .filter(|&max| now - held.fetched_at > max)
                .map(|max| {
                    format!(
                        "the copy of the {purpose} list {} held here was last confirmed {} ago, over this verifier's limit of {}",
                        entry.list_url,
                        crate::time::describe(now - held.fetched_at),
                        crate::time::describe(max)
                    )
                })
        };
        if let Some(problem) = problem {
            findings.push((
                Verdict::StatusUnknown,
                format!("Status unknown: {problem}."),
            ));
            continue;
        }
        if list.valid_until.is_none() && age > trust.status_warn_age {
            warnings.push(format!(
                "the {purpose} list is {} hours old",
                age.num_hours()
            ));
        } else if trust
            .data_warn_age
            .is_some_and(|w| now - held.fetched_at > w)
        {
            warnings.push(format!(
                "the {purpose} list was last confirmed {} ago",
                crate::time::describe(now - held.fetched_at)
            ));
        }
        match list.status_of(entry) {
            Ok(false) => {}
            Ok(true) => findings.push(match entry.purpose {
                StatusPurpose::Revocation => {
                    (Verdict::Revoked, "Revoked by its issuer.".to_owned())
                }
                StatusPurpose::Suspension => {
                    (Verdict::Suspended, "Suspended by its issuer.".to_owned())
                }
            }),
            Err(e) => findings.push((Verdict::StatusUnknown, format!("Status unknown: {e}."))),
        }
    }
    // Revocation outranks suspension, which outranks not knowing.
    let rank = |v: &Verdict| match v {
        Verdict::Revoked => 0,
        Verdict::Suspended => 1,
        _ => 2,
    };
    findings.sort_by_key(|(v, _)| rank(v));
    if let Some((verdict, _)) = findings.first() {
        let message = findings
            .iter()
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        return checks.fail_with(CheckId::Status, *verdict, message);
    }
    let purposes: Vec<&str> = entries.iter().map(|e| e.purpose.as_str()).collect();
    if warnings.is_empty() {
        checks.pass(
            CheckId::Status,
            format!(
                "Not revoked or suspended (checked {}).",
                purposes.join(" and ")
            ),
        );
    } else {
        checks.warn(
            CheckId::Status,
            format!("Not revoked or suspended, but {}.", warnings.join("; ")),
        );
    }
}

fn summarize(doc: &Json<'_>, kind: &CredentialKind<&str>) -> Summary {
    let text = |v: Option<&Json<'_>>| v.and_then(Json::as_str).map(str::to_owned);
    let mut summary = Summary {
        id: text(doc.get("id")),
        credential_type: kind.type_name().to_owned(),
        issuer: model::issuer_id_json(doc).map(str::to_owned),
        issuer_name: text(doc.get("issuer").and_then(|i| i.get("name"))),
        valid_from: text(doc.get("validFrom")),
        valid_until: text(doc.get("validUntil")),
        ..Summary::default()
    };
    match kind {
        CredentialKind::IpCertificate(s) => {
            summary.holder = Some(s.name.to_owned());
            summary.ip_number = Some(s.ip_number.to_owned());
            summary.track = Some(s.track.display_name().to_owned());
        }
        CredentialKind::SkillAttestation(s) => {
            summary.holder = Some(s.name.to_owned());
            summary.applications = s.applications.iter().map(|&a| a.to_owned()).collect();
        }
        CredentialKind::Other(_) => {
            summary.holder = text(doc.get("credentialSubject").and_then(|s| s.get("name")));
        }
    }
    summary
}

#[cfg(test)]
mod tests;
