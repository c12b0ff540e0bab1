//! Probity's credential types (SPEC.md §5): the IP certificate a certifying body issues
//! and the skill attestation a hospital issues, each shaped as an Open Badges 3.0
//! `AchievementSubject` so that badge wallets can read it.
//!
//! The builders here produce unsigned VC 2.0 documents; [`crate::proof::sign`] secures
//! them. [`validate_value`] is the same check run before signing and by
//! [`crate::verify()`], so a document that could not be issued does not verify either.

use crate::context;
use crate::json::Json;
use crate::status_list::StatusListEntry;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::fmt;

/// Type name of the IP certificate.
pub const IP_CERTIFICATE: &str = "PocusIpCertificate";
/// Type name of the hospital skill attestation.
pub const SKILL_ATTESTATION: &str = "PocusSkillAttestation";

/// A field that fails validation, named by its path in the credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ModelError {
    /// Path of the field, such as `credentialSubject.exams[2].score`.
    pub field: String,
    /// What is wrong and, where it helps, what would be right.
    pub reason: String,
}

impl ModelError {
    fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        ModelError {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// An IP certificate track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Track {
    /// Family medicine core.
    FmCore,
    /// Acute care core.
    AcuteCareCore,
    /// Family medicine musculoskeletal.
    FmMsk,
    /// Resuscitation.
    Resus,
    /// Diagnostic.
    Diag,
}

impl Track {
    /// Every track, in the order they are listed to users.
    pub const ALL: [Track; 5] = [
        Track::FmCore,
        Track::AcuteCareCore,
        Track::FmMsk,
        Track::Resus,
        Track::Diag,
    ];

    /// The code written in credentials, such as `FM_MSK`.
    pub fn code(self) -> &'static str {
        match self {
            Track::FmCore => "FM_CORE",
            Track::AcuteCareCore => "ACUTE_CARE_CORE",
            Track::FmMsk => "FM_MSK",
            Track::Resus => "RESUS",
            Track::Diag => "DIAG",
        }
    }

    /// The name shown to people, such as `FM MSK`.
    pub fn display_name(self) -> &'static str {
        match self {
            Track::FmCore => "FM CORE",
            Track::AcuteCareCore => "Acute Care CORE",
            Track::FmMsk => "FM MSK",
            Track::Resus => "RESUS",
            Track::Diag => "DIAG",
        }
    }

    /// Parses a code (`FM_MSK`) or display name (`FM MSK`), ignoring case.
    pub fn parse(text: &str) -> Result<Track, ModelError> {
        let wanted = text.trim().replace([' ', '-'], "_").to_ascii_uppercase();
        Track::ALL
            .into_iter()
            .find(|t| t.code() == wanted)
            .ok_or_else(|| {
                ModelError::new(
                    "credentialSubject.track",
                    format!(
                        "\"{text}\" is not a track; expected one of {}",
                        Track::ALL.map(Track::code).join(", ")
                    ),
                )
            })
    }
}

impl fmt::Display for Track {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

/// How the candidate qualified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pathway {
    /// Course, supervised scans and the three exams.
    Standard,
    /// An exception granted by the certifying body (for example prior experience).
    Exception,
}

/// The three IP examinations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExamKind {
    /// Written exam, pass mark 85 by default.
    Written,
    /// Visual (image interpretation) exam, pass mark 85 by default.
    Visual,
    /// Practical (hands-on) exam, pass mark 100 by default.
    Practical,
}

impl ExamKind {
    /// Every exam an IP certificate records.
    pub const ALL: [ExamKind; 3] = [ExamKind::Written, ExamKind::Visual, ExamKind::Practical];

    /// The default pass mark, in percent.
    pub fn default_pass_mark(self) -> u8 {
        match self {
            ExamKind::Written | ExamKind::Visual => 85,
            ExamKind::Practical => 100,
        }
    }

    /// The lower-case name used in credentials.
    pub fn as_str(self) -> &'static str {
        match self {
            ExamKind::Written => "written",
            ExamKind::Visual => "visual",
            ExamKind::Practical => "practical",
        }
    }
}

/// One examination result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Exam<S = String> {
    /// Which exam.
    pub kind: ExamKind,
    /// Score in percent, 0 to 100.
    pub score: u8,
    /// Pass mark in percent.
    pub pass_mark: u8,
    /// Date sat, `YYYY-MM-DD`.
    pub date: S,
    /// Examiner's name.
    pub examiner: S,
}

/// The accredited introductory course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Course<S = String> {
    /// The course's identifier with its provider.
    pub id: S,
    /// Who ran the course.
    pub provider: S,
    /// Date completed, `YYYY-MM-DD`.
    pub date: S,
}

/// The logged scans behind an IP certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedScans<S = String> {
    /// Scans logged in all.
    pub total: u32,
    /// Of those, scans supervised by a track instructor.
    pub supervised: u32,
    /// First day of the logging window, `YYYY-MM-DD`.
    pub from: S,
    /// Last day of the logging window, `YYYY-MM-DD`.
    pub to: S,
    /// IP number of the supervising instructor.
    pub supervisor_ip_number: S,
}

/// Open Badges 3.0 `Criteria`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criteria<S = String> {
    /// What a holder did to earn the achievement.
    pub narrative: S,
}

/// Open Badges 3.0 `Achievement`: what was earned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Achievement<S = String> {
    /// A URL naming the achievement.
    pub id: S,
    /// `["Achievement"]`.
    #[serde(rename = "type")]
    pub kind: Vec<S>,
    /// Open Badges achievement type: `Certification` or `Competency`.
    pub achievement_type: S,
    /// Name shown to people.
    pub name: S,
    /// One-sentence description.
    pub description: S,
    /// How it is earned.
    pub criteria: Criteria<S>,
}

impl Achievement {
    /// The achievement of an IP certificate in `track`.
    pub fn ip_certificate(track: Track) -> Self {
        Achievement {
            id: format!("https://probity.network/achievements/pocus-ip/{}", track.code()),
            kind: vec!["Achievement".into()],
            achievement_type: "Certification".into(),
            name: format!("POCUS Independent Practitioner: {}", track.display_name()),
            description: format!(
                "Independent Practitioner certification in point-of-care ultrasound, track {}.",
                track.display_name()
            ),
            criteria: Criteria {
                narrative: "Accredited introductory course, logged scans supervised by a track instructor, and written (85%), visual (85%) and practical (100%) examinations.".into(),
            },
        }
    }

    /// The achievement of a local skill attestation.
    pub fn skill_attestation() -> Self {
        Achievement {
            id: "https://probity.network/achievements/pocus-local-verification".into(),
            kind: vec!["Achievement".into()],
            achievement_type: "Competency".into(),
            name: "POCUS local verification of skills".into(),
            description: "Point-of-care ultrasound applications signed off by the issuing hospital after supervised scanning and quality review.".into(),
            criteria: Criteria {
                narrative: "Supervised scans for each application, reviewed by the department's quality assurance reviewer.".into(),
            },
        }
    }
}

/// The subject of a `PocusIpCertificate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(deserialize = "S: Deserialize<'de>"))]
pub struct IpCertificateSubject<S = String> {
    /// The holder's DID, when they have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<S>,
    /// `["AchievementSubject"]`.
    #[serde(rename = "type")]
    pub kind: Vec<S>,
    /// Holder's name as on their licence.
    pub name: S,
    /// Licence or registration number with its regulator, such as `CPSO 0123456`.
    pub registration_number: S,
    /// The IP number the certifying body allocated.
    pub ip_number: S,
    /// The track certified.
    pub track: Track,
    /// Modules (applications) the track covers for this holder.
    #[serde(default)]
    pub modules: Vec<S>,
    /// Curriculum version examined against.
    pub curriculum_version: S,
    /// Standard or exception pathway.
    pub pathway: Pathway,
    /// The accredited course.
    pub course: Course<S>,
    /// Logged scans.
    pub logged_scans: LoggedScans<S>,
    /// Written, visual and practical exams.
    pub exams: Vec<Exam<S>>,
    /// The Open Badges achievement.
    pub achievement: Achievement<S>,
}

/// The subject of a `PocusSkillAttestation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(deserialize = "S: Deserialize<'de> + Ord"))]
pub struct SkillAttestationSubject<S = String> {
    /// The holder's DID, when they have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<S>,
    /// `["AchievementSubject"]`.
    #[serde(rename = "type")]
    pub kind: Vec<S>,
    /// Holder's name.
    pub name: S,
    /// Licence or registration number.
    pub registration_number: S,
    /// Department that verified the skills.
    pub department: S,
    /// Applications signed off, such as `eFAST`, `AAA`, `lung`.
    pub applications: Vec<S>,
    /// Supervised scans per application.
    pub supervised_scans: BTreeMap<S, u32>,
    /// Name of the quality assurance reviewer.
    pub qa_reviewer: S,
    /// Date of the QA review, `YYYY-MM-DD`.
    pub review_date: S,
    /// Privileges granted, such as `independent eFAST in the emergency department`.
    #[serde(default)]
    pub privileges: Vec<S>,
    /// The Open Badges achievement.
    pub achievement: Achievement<S>,
}

/// The issuer as written into a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerRef {
    /// The issuer's DID.
    pub id: String,
    /// Its name, written as an Open Badges `Profile` when given.
    pub name: Option<String>,
}

impl IssuerRef {
    fn to_value(&self) -> Value {
        match &self.name {
            Some(name) => json!({"id": self.id, "type": ["Profile"], "name": name}),
            None => Value::from(self.id.clone()),
        }
    }
}

/// What every Probity credential has besides its subject.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// The credential id, a `urn:uuid:`.
    pub id: String,
    /// Who issues it.
    pub issuer: IssuerRef,
    /// Start of validity.
    pub valid_from: DateTime<Utc>,
    /// End of validity, if any.
    pub valid_until: Option<DateTime<Utc>>,
    /// Revocation and suspension entries.
    pub status: Vec<StatusListEntry>,
}

/// A fresh `urn:uuid:` (version 4) from `rng`.
pub fn new_credential_id(rng: &mut impl rand::RngCore) -> String {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn envelope_value(envelope: &Envelope, kind: &str, name: String, subject: Value) -> Value {
    let mut doc = Map::new();
    doc.insert(
        "@context".into(),
        json!([context::VC_V2, context::OPEN_BADGES_V3, context::PROBITY_V1]),
    );
    doc.insert("id".into(), envelope.id.clone().into());
    doc.insert(
        "type".into(),
        json!(["VerifiableCredential", "OpenBadgeCredential", kind]),
    );
    doc.insert("name".into(), name.into());
    doc.insert("issuer".into(), envelope.issuer.to_value());
    doc.insert(
        "validFrom".into(),
        crate::time::format(envelope.valid_from).into(),
    );
    if let Some(until) = envelope.valid_until {
        doc.insert("validUntil".into(), crate::time::format(until).into());
    }
    doc.insert("credentialSubject".into(), subject);
    match envelope.status.as_slice() {
        [] => {}
        entries => {
            doc.insert(
                "credentialStatus".into(),
                Value::Array(entries.iter().map(StatusListEntry::to_value).collect()),
            );
        }
    }
    Value::Object(doc)
}

/// Builds an unsigned `PocusIpCertificate`, after validating it.
pub fn ip_certificate(
    envelope: &Envelope,
    subject: &IpCertificateSubject,
) -> Result<Value, ModelError> {
    let name = format!("Independent Practitioner: {}", subject.track.display_name());
    let subject_value = serde_json::to_value(subject)
        .map_err(|e| ModelError::new("credentialSubject", e.to_string()))?;
    let doc = envelope_value(envelope, IP_CERTIFICATE, name, subject_value);
    validate_value(&doc)?;
    Ok(doc)
}

/// Builds an unsigned `PocusSkillAttestation`, after validating it.
pub fn skill_attestation(
    envelope: &Envelope,
    subject: &SkillAttestationSubject,
) -> Result<Value, ModelError> {
    let name = format!("POCUS skills: {}", subject.applications.join(", "));
    let subject_value = serde_json::to_value(subject)
        .map_err(|e| ModelError::new("credentialSubject", e.to_string()))?;
    let doc = envelope_value(envelope, SKILL_ATTESTATION, name, subject_value);
    validate_value(&doc)?;
    Ok(doc)
}

/// What kind of credential a document is, after [`validate_value`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialKind<S = String> {
    /// A `PocusIpCertificate` in this track.
    IpCertificate(Box<IpCertificateSubject<S>>),
    /// A `PocusSkillAttestation` for these applications.
    SkillAttestation(Box<SkillAttestationSubject<S>>),
    /// Some other VC 2.0 credential (listed by its most specific type).
    Other(String),
}

impl<S> CredentialKind<S> {
    /// The credential type name.
    pub fn type_name(&self) -> &str {
        match self {
            CredentialKind::IpCertificate(_) => IP_CERTIFICATE,
            CredentialKind::SkillAttestation(_) => SKILL_ATTESTATION,
            CredentialKind::Other(name) => name,
        }
    }
}

/// The issuer id of a credential (a URL; a DID for issuers Probity can trust):
/// `issuer` as a string or `issuer.id`.
pub fn issuer_id(doc: &Value) -> Option<&str> {
    match doc.get("issuer")? {
        Value::String(s) => Some(s),
        Value::Object(o) => o.get("id")?.as_str(),
        _ => None,
    }
}

/// [`issuer_id`] for a parsed [`Json`] document.
pub(crate) fn issuer_id_json<'d>(doc: &'d Json<'_>) -> Option<&'d str> {
    let issuer = doc.get("issuer")?;
    issuer.as_str().or_else(|| issuer.get("id")?.as_str())
}

/// The `type` list of a document.
pub fn types(doc: &Value) -> Vec<&str> {
    match doc.get("type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// [`types`] for a parsed [`Json`] document.
pub(crate) fn types_json<'d>(doc: &'d Json<'_>) -> Vec<&'d str> {
    match doc.get("type") {
        Some(Json::Str(s)) => vec![s.as_ref()],
        Some(Json::Array(a)) => a.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    }
}

/// `validate_credential` for a `serde_json::Value`, as the builders hold it.
pub fn validate_value(doc: &Value) -> Result<CredentialKind, ModelError> {
    let bytes =
        serde_json::to_vec(doc).map_err(|e| ModelError::new("credential", e.to_string()))?;
    let arena = crate::json::Arena::for_input(bytes.len());
    let json = arena
        .parse(&bytes)
        .map_err(|e| ModelError::new("credential", e.to_string()))?;
    validate_credential(&json)
}

/// Checks the VC 2.0 shape every credential must have (VC Data Model 2.0 §4) and,
/// for Probity's types, the subject's fields and rules (SPEC.md §5). Errors name the
/// field.
///
/// The subject's strings are read as `S`: `String` to keep them, or `&str` to borrow
/// them from the parsed document, as verification does (copying some thirty strings
/// out of every credential it checks cost more than checking them).
pub(crate) fn validate_credential<'d, S: SubjectText<'d>>(
    doc: &'d Json<'d>,
) -> Result<CredentialKind<S>, ModelError> {
    validate_credential_and_status(doc).map(|(kind, _)| kind)
}

/// What a subject's strings can be read as: owned (`String`) or borrowed from the
/// parsed document (`&str`).
pub trait SubjectText<'d>: Deserialize<'d> + AsRef<str> + Ord {}

impl<'d, S: Deserialize<'d> + AsRef<str> + Ord> SubjectText<'d> for S {}

/// [`validate_credential`], also returning the status entries it read, so that a
/// verification reads them once.
pub(crate) fn validate_credential_and_status<'d, S: SubjectText<'d>>(
    doc: &'d Json<'d>,
) -> Result<(CredentialKind<S>, Vec<StatusListEntry>), ModelError> {
    if doc.as_object().is_none() {
        return Err(ModelError::new("credential", "must be a JSON object"));
    }
    // VC 2.0 §4.3: the first context is the VC v2 context.
    match doc.get("@context") {
        Some(Json::Array(contexts))
            if contexts.first().and_then(Json::as_str) == Some(context::VC_V2) =>
        {
            if contexts
                .iter()
                .any(|c| !matches!(c, Json::Str(_) | Json::Object(_)))
            {
                return Err(ModelError::new(
                    "@context",
                    "entries must be URLs or objects",
                ));
            }
        }
        Some(_) => {
            return Err(ModelError::new(
                "@context",
                format!("must be an array starting with \"{}\"", context::VC_V2),
            ))
        }
        None => return Err(ModelError::new("@context", "is missing")),
    }
    let types = types_json(doc);
    if !types.contains(&"VerifiableCredential") {
        return Err(ModelError::new(
            "type",
            "must include \"VerifiableCredential\"",
        ));
    }
    if let Some(id) = doc.get("id") {
        if !id.as_str().is_some_and(|s| s.contains(':')) {
            return Err(ModelError::new("id", "must be a URL or URN"));
        }
    }
    let issuer = issuer_id_json(doc).ok_or_else(|| {
        ModelError::new("issuer", "must be a URL, or an object whose id is a URL")
    })?;
    // Rule 8: a URL, as VC 2.0 requires. Only DIDs can be trusted (§8.6), but a
    // credential from an issuer Probity cannot trust is still a credential: its proof
    // is checked and the report says why its issuer is not trusted.
    if !issuer.contains(':') {
        return Err(ModelError::new(
            "issuer",
            format!("\"{issuer}\" is not a URL"),
        ));
    }
    let mut from = None;
    for field in ["validFrom", "validUntil"] {
        if let Some(v) = doc.get(field) {
            let text = v
                .as_str()
                .ok_or_else(|| ModelError::new(field, "must be a date-time string"))?;
            let t = crate::time::parse(text).map_err(|e| ModelError::new(field, e.to_string()))?;
            if field == "validFrom" {
                from = Some(t);
            } else if from.is_some_and(|f| t < f) {
                return Err(ModelError::new("validUntil", "is before validFrom"));
            }
        }
    }
    let subject = doc
        .get("credentialSubject")
        .ok_or_else(|| ModelError::new("credentialSubject", "is missing"))?;
    let subject_ok = match subject {
        Json::Object(_) => true,
        Json::Array(items) => {
            !items.is_empty() && items.iter().all(|i| matches!(i, Json::Object(_)))
        }
        _ => false,
    };
    if !subject_ok {
        return Err(ModelError::new(
            "credentialSubject",
            "must be an object or a non-empty array of objects",
        ));
    }
    let status = match doc.get("credentialStatus") {
        None => Vec::new(),
        Some(status) => match status_entries_plain(status) {
            Some(entries) => entries,
            None => {
                let mut wrapper = Map::new();
                wrapper.insert("credentialStatus".into(), status.to_value());
                crate::status_list::entries_of(&Value::Object(wrapper))
                    .map_err(|e| ModelError::new("credentialStatus", e.to_string()))?
            }
        },
    };
    let kind = if types.contains(&IP_CERTIFICATE) {
        let subject: IpCertificateSubject<S> = deserialize_subject(subject)?;
        validate_ip_subject(&subject)?;
        CredentialKind::IpCertificate(Box::new(subject))
    } else if types.contains(&SKILL_ATTESTATION) {
        let subject: SkillAttestationSubject<S> = deserialize_subject(subject)?;
        validate_attestation_subject(&subject)?;
        CredentialKind::SkillAttestation(Box::new(subject))
    } else {
        let most_specific = types.last().copied().unwrap_or("VerifiableCredential");
        CredentialKind::Other(most_specific.to_owned())
    };
    Ok((kind, status))
}

/// Status entries of the usual shape, read without copying; `None` sends the caller to
/// the full reader, which explains anything unusual.
fn status_entries_plain(status: &Json<'_>) -> Option<Vec<StatusListEntry>> {
    match status {
        Json::Array(items) => items.iter().map(StatusListEntry::from_plain_json).collect(),
        Json::Object(_) => StatusListEntry::from_plain_json(status).map(|e| vec![e]),
        _ => None,
    }
}

fn deserialize_subject<'d, T: Deserialize<'d>>(subject: &'d Json<'d>) -> Result<T, ModelError> {
    T::deserialize(subject).map_err(|e| ModelError::new("credentialSubject", e.to_string()))
}

/// A path in the credential subject, written out only when an error names it: a
/// verification checks some twenty fields, and formatting each path up front cost
/// more than the checks themselves.
#[derive(Clone, Copy)]
enum Field {
    /// `credentialSubject.<name>`.
    Subject(&'static str),
    /// `credentialSubject.<list>[<index>].<name>`, or without `.<name>` when empty.
    Item(&'static str, usize, &'static str),
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Subject(name) => write!(f, "credentialSubject.{name}"),
            Field::Item(list, i, "") => write!(f, "credentialSubject.{list}[{i}]"),
            Field::Item(list, i, name) => write!(f, "credentialSubject.{list}[{i}].{name}"),
        }
    }
}

impl From<Field> for String {
    fn from(field: Field) -> String {
        field.to_string()
    }
}

fn non_empty(field: Field, value: &str) -> Result<(), ModelError> {
    if value.trim().is_empty() {
        Err(ModelError::new(field, "must not be empty"))
    } else {
        Ok(())
    }
}

/// A subject's `type` must include `AchievementSubject` (Open Badges 3.0).
fn subject_type<S: AsRef<str>>(kind: &[S]) -> Result<(), ModelError> {
    if kind.iter().any(|k| k.as_ref() == "AchievementSubject") {
        Ok(())
    } else {
        Err(ModelError::new(
            Field::Subject("type"),
            "must include \"AchievementSubject\"",
        ))
    }
}

/// The Open Badges `achievementType` each Probity credential type requires; `what`
/// names the credential type in the message.
fn achievement_type<S: AsRef<str>>(
    achievement: &Achievement<S>,
    required: &str,
    what: &str,
) -> Result<(), ModelError> {
    if achievement.achievement_type.as_ref() == required {
        Ok(())
    } else {
        Err(ModelError::new(
            Field::Subject("achievement.achievementType"),
            format!("{what} is a \"{required}\""),
        ))
    }
}

/// A calendar date written exactly `YYYY-MM-DD` (xsd:date without a time zone).
fn date(field: Field, value: &str) -> Result<NaiveDate, ModelError> {
    let b = value.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let parsed = if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        match (digits(0..4), digits(5..7), digits(8..10)) {
            (Some(y), Some(m), Some(d)) => NaiveDate::from_ymd_opt(y as i32, m, d),
            _ => None,
        }
    } else {
        None
    };
    parsed
        .ok_or_else(|| ModelError::new(field, format!("\"{value}\" is not a date like 2026-01-31")))
}

/// Checks an IP certificate subject: every required field present, the three exams
/// each once and passed, scan counts and dates consistent.
pub fn validate_ip_subject<S: AsRef<str>>(s: &IpCertificateSubject<S>) -> Result<(), ModelError> {
    let f = Field::Subject;
    subject_type(&s.kind)?;
    non_empty(f("name"), s.name.as_ref())?;
    non_empty(f("registrationNumber"), s.registration_number.as_ref())?;
    non_empty(f("ipNumber"), s.ip_number.as_ref())?;
    non_empty(f("curriculumVersion"), s.curriculum_version.as_ref())?;
    non_empty(f("course.id"), s.course.id.as_ref())?;
    non_empty(f("course.provider"), s.course.provider.as_ref())?;
    date(f("course.date"), s.course.date.as_ref())?;
    let scans = &s.logged_scans;
    if scans.supervised > scans.total {
        return Err(ModelError::new(
            f("loggedScans.supervised"),
            format!(
                "{} supervised scans is more than the {} logged",
                scans.supervised, scans.total
            ),
        ));
    }
    let from = date(f("loggedScans.from"), scans.from.as_ref())?;
    let to = date(f("loggedScans.to"), scans.to.as_ref())?;
    if to < from {
        return Err(ModelError::new(
            f("loggedScans.to"),
            "is before loggedScans.from",
        ));
    }
    non_empty(
        f("loggedScans.supervisorIpNumber"),
        scans.supervisor_ip_number.as_ref(),
    )?;
    for kind in ExamKind::ALL {
        let count = s.exams.iter().filter(|e| e.kind == kind).count();
        if count != 1 {
            return Err(ModelError::new(
                f("exams"),
                format!(
                    "must hold the {} exam exactly once (found {count})",
                    kind.as_str()
                ),
            ));
        }
    }
    for (i, exam) in s.exams.iter().enumerate() {
        let at = |name| Field::Item("exams", i, name);
        if exam.score > 100 {
            return Err(ModelError::new(
                at("score"),
                format!("{} is over 100", exam.score),
            ));
        }
        if exam.pass_mark > 100 {
            return Err(ModelError::new(
                at("passMark"),
                format!("{} is over 100", exam.pass_mark),
            ));
        }
        if exam.score < exam.pass_mark {
            return Err(ModelError::new(
                at("score"),
                format!(
                    "{} exam score {} is under its pass mark {}",
                    exam.kind.as_str(),
                    exam.score,
                    exam.pass_mark
                ),
            ));
        }
        date(at("date"), exam.date.as_ref())?;
        non_empty(at("examiner"), exam.examiner.as_ref())?;
    }
    achievement_type(&s.achievement, "Certification", "an IP certificate")?;
    Ok(())
}

/// Checks a skill attestation subject.
pub fn validate_attestation_subject<S: AsRef<str> + Ord>(
    s: &SkillAttestationSubject<S>,
) -> Result<(), ModelError> {
    let f = Field::Subject;
    subject_type(&s.kind)?;
    non_empty(f("name"), s.name.as_ref())?;
    non_empty(f("registrationNumber"), s.registration_number.as_ref())?;
    non_empty(f("department"), s.department.as_ref())?;
    if s.applications.is_empty() {
        return Err(ModelError::new(
            f("applications"),
            "must list at least one application",
        ));
    }
    for (i, app) in s.applications.iter().enumerate() {
        non_empty(Field::Item("applications", i, ""), app.as_ref())?;
    }
    for app in s.supervised_scans.keys() {
        if !s.applications.contains(app) {
            return Err(ModelError::new(
                f("supervisedScans"),
                format!(
                    "\"{}\" is not one of the applications signed off",
                    app.as_ref()
                ),
            ));
        }
    }
    non_empty(f("qaReviewer"), s.qa_reviewer.as_ref())?;
    date(f("reviewDate"), s.review_date.as_ref())?;
    achievement_type(&s.achievement, "Competency", "a skill attestation")?;
    Ok(())
}

#[cfg(test)]
mod tests;

/// Builders shared by the crate's own tests.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    /// An unsigned IP certificate from `issuer` with every field filled.
    pub(crate) fn unsigned_certificate(issuer: &str) -> Value {
        let envelope = crate::sample::envelope(
            issuer,
            Some("Canadian Point of Care Ultrasound Society"),
            vec![],
        );
        ip_certificate(&envelope, &crate::sample::ip_certificate_subject()).unwrap_or_default()
    }
}
