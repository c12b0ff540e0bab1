//! Sample data: a fully filled IP certificate and skill attestation, and a federation
//! member, shared by the tests, the benchmarks and demonstrations so that they all
//! exercise the same realistic documents. Nothing here is trusted by anything.

use crate::model::{
    Achievement, Course, Envelope, Exam, ExamKind, IpCertificateSubject, IssuerRef, LoggedScans,
    Pathway, SkillAttestationSubject, Track,
};
use crate::registry::{Accreditation, Endpoints, Member, MemberKey, MemberKind, MembershipStatus};
use crate::status_list::StatusListEntry;
use chrono::{DateTime, Utc};
use ed25519_dalek::VerifyingKey;

/// 2026-03-01T00:00:00Z, when the sample credentials become valid.
pub fn valid_from() -> DateTime<Utc> {
    DateTime::from_timestamp(1_772_323_200, 0).unwrap_or_default()
}

/// 2031-03-01T00:00:00Z, when they expire.
pub fn valid_until() -> DateTime<Utc> {
    DateTime::from_timestamp(1_930_089_600, 0).unwrap_or_default()
}

/// The IP certificate subject with every field of the data model filled: FM MSK,
/// six modules, a standard pathway, logged scans and three passed exams.
pub fn ip_certificate_subject() -> IpCertificateSubject {
    let exam = |kind: ExamKind, score, date: &str, examiner: &str| Exam {
        kind,
        score,
        pass_mark: kind.default_pass_mark(),
        date: date.into(),
        examiner: examiner.into(),
    };
    IpCertificateSubject {
        id: None,
        kind: vec!["AchievementSubject".into()],
        name: "Dr. Amelia Okafor-Lindqvist".into(),
        registration_number: "CPSO 0123456".into(),
        ip_number: "IP-2026-00417".into(),
        track: Track::FmMsk,
        modules: ["shoulder", "elbow", "wrist", "hip", "knee", "ankle"]
            .map(String::from)
            .to_vec(),
        curriculum_version: "2024.1".into(),
        pathway: Pathway::Standard,
        course: Course {
            id: "CPOCUS-MSK-2025-0142".into(),
            provider: "Western Ultrasound Academy".into(),
            date: "2025-10-04".into(),
        },
        logged_scans: LoggedScans {
            total: 150,
            supervised: 50,
            from: "2025-10-05".into(),
            to: "2026-02-10".into(),
            supervisor_ip_number: "IP-2019-00088".into(),
        },
        exams: vec![
            exam(ExamKind::Written, 92, "2026-01-15", "Dr. Louis Tremblay"),
            exam(ExamKind::Visual, 88, "2026-01-15", "Dr. Louis Tremblay"),
            exam(ExamKind::Practical, 100, "2026-02-20", "Dr. Priya Raman"),
        ],
        achievement: Achievement::ip_certificate(Track::FmMsk),
    }
}

/// A hospital's attestation of eFAST, AAA and lung scanning in its emergency department.
pub fn skill_attestation_subject() -> SkillAttestationSubject {
    SkillAttestationSubject {
        id: None,
        kind: vec!["AchievementSubject".into()],
        name: "Dr. Sam Chen".into(),
        registration_number: "CPSBC 44521".into(),
        department: "Emergency Medicine".into(),
        applications: ["eFAST", "AAA", "lung"].map(String::from).to_vec(),
        supervised_scans: [("eFAST", 25), ("AAA", 25), ("lung", 30)]
            .map(|(a, n)| (a.to_owned(), n))
            .into(),
        qa_reviewer: "Dr. Rita Osei".into(),
        review_date: "2026-04-02".into(),
        privileges: vec!["Independent eFAST in the emergency department".into()],
        achievement: Achievement::skill_attestation(),
    }
}

/// The envelope of the sample credentials: a fixed id, the sample validity, `status`.
pub fn envelope(issuer: &str, issuer_name: Option<&str>, status: Vec<StatusListEntry>) -> Envelope {
    Envelope {
        id: "urn:uuid:2f1c9a4e-7b3d-4c8e-9f21-5a6b7c8d9e01".into(),
        issuer: IssuerRef {
            id: issuer.into(),
            name: issuer_name.map(str::to_owned),
        },
        valid_from: valid_from(),
        valid_until: Some(valid_until()),
        status,
    }
}

/// An active certifying-body member `did` whose key `key` (published as
/// verification method `method`) has been valid since 2025, accredited for `accreditations`.
pub fn member(
    did: &str,
    name: &str,
    method: &str,
    key: &VerifyingKey,
    accreditations: Vec<Accreditation>,
) -> Member {
    Member {
        id: did.into(),
        name: name.into(),
        kind: MemberKind::CertifyingBody,
        jurisdiction: "CA".into(),
        accreditations,
        keys: vec![MemberKey {
            id: method.into(),
            public_key_multibase: crate::multikey::public_key_to_multibase(key),
            valid_from: "2025-01-01T00:00:00Z".into(),
            valid_until: None,
            compromised_at: None,
        }],
        status: MembershipStatus::Active,
        member_since: "2020-01-01T00:00:00Z".into(),
        status_since: None,
        endpoints: Endpoints::default(),
    }
}

/// A registry of `members`, version `version`, valid from `valid_from` to
/// `valid_until`, signed by the federation root key `root` with its did:key method
/// ([`crate::registry::sign`], the proof created at `valid_from`).
pub fn signed_registry(
    root: &ed25519_dalek::SigningKey,
    version: u64,
    members: Vec<Member>,
    valid_from: DateTime<Utc>,
    valid_until: DateTime<Utc>,
) -> Result<serde_json::Value, crate::proof::ProofError> {
    let registry = crate::registry::Registry {
        name: "Probity POCUS federation".into(),
        version,
        members,
    };
    crate::registry::sign(&registry, valid_from, valid_until, root, valid_from)
}

/// Accreditation to issue IP certificates in every track.
pub fn ip_certificates_in_every_track() -> Vec<Accreditation> {
    vec![Accreditation {
        credential_type: crate::model::IP_CERTIFICATE.into(),
        tracks: vec![],
        applications: vec![],
    }]
}

#[cfg(test)]
mod tests {
    #[test]
    fn sample_dates_are_the_documented_ones() {
        assert_eq!(
            crate::time::format(super::valid_from()),
            "2026-03-01T00:00:00Z"
        );
        assert_eq!(
            crate::time::format(super::valid_until()),
            "2031-03-01T00:00:00Z"
        );
    }

    #[test]
    fn sample_credentials_are_valid() {
        let env = super::envelope("did:web:certs.cpocus.ca", Some("CPoCUS"), vec![]);
        crate::model::ip_certificate(&env, &super::ip_certificate_subject()).unwrap();
        crate::model::skill_attestation(&env, &super::skill_attestation_subject()).unwrap();
    }
}
