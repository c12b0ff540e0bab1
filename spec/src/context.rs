//! The JSON-LD contexts Probity documents name (SPEC.md §2.3). Probity verifies with
//! JCS, so contexts are never fetched to check a signature; they are shipped here so
//! that every node can serve Probity's own context and JSON-LD tools can read the terms.

/// W3C Verifiable Credentials Data Model 2.0 context; always first.
pub const VC_V2: &str = "https://www.w3.org/ns/credentials/v2";
/// Open Badges 3.0 context, so badge wallets read Probity achievements.
pub const OPEN_BADGES_V3: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// Probity's own context; nodes serve [`PROBITY_V1_DOCUMENT`] at `/contexts/v1`.
pub const PROBITY_V1: &str = "https://probity.network/contexts/v1";

/// The body of Probity's context, defining every Probity term under
/// `https://probity.network/vocab#`.
pub const PROBITY_V1_DOCUMENT: &str = r#"{
  "@context": {
    "@protected": true,
    "@vocab": "https://probity.network/vocab#",
    "PocusIpCertificate": "https://probity.network/vocab#PocusIpCertificate",
    "PocusSkillAttestation": "https://probity.network/vocab#PocusSkillAttestation",
    "ProbityTrustRegistry": "https://probity.network/vocab#ProbityTrustRegistry",
    "VerificationReceipt": "https://probity.network/vocab#VerificationReceipt",
    "registrationNumber": "https://probity.network/vocab#registrationNumber",
    "ipNumber": "https://probity.network/vocab#ipNumber",
    "track": "https://probity.network/vocab#track",
    "modules": "https://probity.network/vocab#modules",
    "curriculumVersion": "https://probity.network/vocab#curriculumVersion",
    "pathway": "https://probity.network/vocab#pathway",
    "course": "https://probity.network/vocab#course",
    "provider": "https://probity.network/vocab#provider",
    "loggedScans": "https://probity.network/vocab#loggedScans",
    "total": "https://probity.network/vocab#total",
    "supervised": "https://probity.network/vocab#supervised",
    "from": "https://probity.network/vocab#from",
    "to": "https://probity.network/vocab#to",
    "supervisorIpNumber": "https://probity.network/vocab#supervisorIpNumber",
    "exams": "https://probity.network/vocab#exams",
    "kind": "https://probity.network/vocab#kind",
    "score": "https://probity.network/vocab#score",
    "passMark": "https://probity.network/vocab#passMark",
    "date": "https://probity.network/vocab#date",
    "examiner": "https://probity.network/vocab#examiner",
    "department": "https://probity.network/vocab#department",
    "applications": "https://probity.network/vocab#applications",
    "supervisedScans": "https://probity.network/vocab#supervisedScans",
    "qaReviewer": "https://probity.network/vocab#qaReviewer",
    "reviewDate": "https://probity.network/vocab#reviewDate",
    "privileges": "https://probity.network/vocab#privileges"
  }
}"#;
