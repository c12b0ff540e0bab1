use super::*;

pub(crate) fn sample_subject() -> IpCertificateSubject {
    crate::sample::ip_certificate_subject()
}

fn envelope() -> Envelope {
    crate::sample::envelope(
        "did:web:certs.cpocus.ca",
        Some("Canadian Point of Care Ultrasound Society"),
        vec![],
    )
}

#[test]
fn builds_and_validates_an_ip_certificate() {
    let doc = ip_certificate(&envelope(), &sample_subject()).unwrap();
    assert_eq!(doc["type"][2], IP_CERTIFICATE);
    assert_eq!(doc["credentialSubject"]["ipNumber"], "IP-2026-00417");
    assert_eq!(doc["credentialSubject"]["track"], "FM_MSK");
    assert!(matches!(
        validate_value(&doc),
        Ok(CredentialKind::IpCertificate(_))
    ));
}

/// Verification reads subjects as `&str` borrowed from the parsed document; builders
/// as `String`. Both must read every field, maps keyed by strings included, the same.
#[test]
fn subjects_read_the_same_borrowed_and_owned() {
    let certificate = ip_certificate(&envelope(), &sample_subject()).unwrap();
    let attestation =
        skill_attestation(&envelope(), &crate::sample::skill_attestation_subject()).unwrap();
    for doc in [certificate, attestation] {
        let bytes = serde_json::to_vec(&doc).unwrap();
        let arena = crate::json::Arena::new();
        let tree = arena.parse(&bytes).unwrap();
        let owned: CredentialKind = validate_credential(&tree).unwrap();
        let borrowed: CredentialKind<&str> = validate_credential(&tree).unwrap();
        match (&owned, &borrowed) {
            (CredentialKind::IpCertificate(a), CredentialKind::IpCertificate(b)) => {
                assert_eq!(to_json(a), to_json(b));
            }
            (CredentialKind::SkillAttestation(a), CredentialKind::SkillAttestation(b)) => {
                assert_eq!(to_json(a), to_json(b));
                assert_eq!(
                    b.supervised_scans.get("lung"),
                    a.supervised_scans.get("lung")
                );
            }
            other => panic!("read differently: {other:?}"),
        }
    }
}

fn to_json(subject: &impl serde::Serialize) -> Value {
    serde_json::to_value(subject).unwrap()
}

#[test]
fn refuses_an_exam_under_its_pass_mark_naming_the_field() {
    let mut subject = sample_subject();
    subject.exams[1].score = 84;
    let err = ip_certificate(&envelope(), &subject).unwrap_err();
    assert_eq!(err.field, "credentialSubject.exams[1].score");
    assert!(err.reason.contains("under its pass mark 85"), "{err}");
    subject.exams[1].score = 85;
    subject.exams[2].score = 99;
    let err = ip_certificate(&envelope(), &subject).unwrap_err();
    assert_eq!(err.field, "credentialSubject.exams[2].score");
}

#[test]
fn errors_name_the_exact_path_of_the_field() {
    let mut subject = sample_subject();
    subject.exams[2].date = "2026-13-01".into();
    let err = ip_certificate(&envelope(), &subject).unwrap_err();
    assert_eq!(err.field, "credentialSubject.exams[2].date");
    assert!(err.reason.contains("\"2026-13-01\" is not a date"), "{err}");
    let mut subject = sample_subject();
    subject.exams[0].examiner = String::new();
    let err = ip_certificate(&envelope(), &subject).unwrap_err();
    assert_eq!(
        err.to_string(),
        "credentialSubject.exams[0].examiner: must not be empty"
    );
    let mut subject = sample_subject();
    subject.course.date = "1 May 2026".into();
    let err = ip_certificate(&envelope(), &subject).unwrap_err();
    assert_eq!(err.field, "credentialSubject.course.date");
    let mut attestation = crate::sample::skill_attestation_subject();
    attestation.applications.push(" ".into());
    let index = attestation.applications.len() - 1;
    let err = skill_attestation(&envelope(), &attestation).unwrap_err();
    assert_eq!(
        err.field,
        format!("credentialSubject.applications[{index}]")
    );
}

#[test]
fn refuses_an_achievement_of_the_other_kind() {
    let mut subject = sample_subject();
    subject.achievement = Achievement::skill_attestation();
    let err = ip_certificate(&envelope(), &subject).unwrap_err();
    assert_eq!(err.field, "credentialSubject.achievement.achievementType");
    let mut attestation = crate::sample::skill_attestation_subject();
    attestation.achievement.achievement_type = "Certification".into();
    let err = skill_attestation(&envelope(), &attestation).unwrap_err();
    assert_eq!(err.field, "credentialSubject.achievement.achievementType");
    assert!(err.reason.contains("Competency"), "{err}");
}

#[test]
fn refuses_a_missing_ip_number() {
    let mut subject = sample_subject();
    subject.ip_number = " ".into();
    assert_eq!(
        ip_certificate(&envelope(), &subject).unwrap_err().field,
        "credentialSubject.ipNumber"
    );
    let mut doc = ip_certificate(&envelope(), &sample_subject()).unwrap();
    doc["credentialSubject"]
        .as_object_mut()
        .unwrap()
        .remove("ipNumber");
    let err = validate_value(&doc).unwrap_err();
    assert!(err.to_string().contains("ipNumber"), "{err}");
}

#[test]
fn refuses_missing_or_repeated_exams_and_inconsistent_scans() {
    let mut subject = sample_subject();
    subject.exams.pop();
    assert!(ip_certificate(&envelope(), &subject)
        .unwrap_err()
        .reason
        .contains("practical"));
    let mut subject = sample_subject();
    subject.logged_scans.supervised = 151;
    assert_eq!(
        ip_certificate(&envelope(), &subject).unwrap_err().field,
        "credentialSubject.loggedScans.supervised"
    );
}

#[test]
fn refuses_wrong_vc_shapes() {
    let good = ip_certificate(&envelope(), &sample_subject()).unwrap();
    let cases: Vec<(&str, Value)> = vec![
        ("@context", json!(["https://example.org/other"])),
        ("type", json!(["PocusIpCertificate"])),
        ("issuer", json!("not-a-url.example")),
        ("validFrom", json!("yesterday")),
        ("credentialSubject", json!(42)),
    ];
    for (field, bad) in cases {
        let mut doc = good.clone();
        doc[field] = bad;
        let err = validate_value(&doc).unwrap_err();
        assert!(err.field.starts_with(field), "{field}: {err}");
    }
    // VC 2.0 issuers are URLs: an https issuer is well formed (the issuer check, not
    // the format check, says it cannot be trusted; SPEC.md §5.6 rule 8).
    let mut doc = good.clone();
    doc["issuer"] = json!("https://certs.example/issuers/5678");
    assert!(validate_value(&doc).is_ok());
}

#[test]
fn tracks_parse_from_codes_and_names() {
    assert_eq!(Track::parse("fm msk").unwrap(), Track::FmMsk);
    assert_eq!(
        Track::parse("ACUTE_CARE_CORE").unwrap(),
        Track::AcuteCareCore
    );
    assert!(Track::parse("cardiology")
        .unwrap_err()
        .reason
        .contains("FM_CORE"));
}

#[test]
fn refuses_numbers_beyond_two_to_the_53() {
    let doc = ip_certificate(&envelope(), &sample_subject()).unwrap();
    let text = serde_json::to_string(&doc).unwrap();
    for big in [
        "9007199254740993",
        "-9007199254740993",
        "18446744073709551616",
        "1e300",
    ] {
        let bad = text.replace("\"total\":150", &format!("\"total\":{big}"));
        assert_ne!(bad, text);
        let err = crate::json::Arena::new().parse(bad.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("beyond 2^53"), "{big}: {err}");
        assert!(crate::json::parse_strict(bad.as_bytes()).is_err(), "{big}");
    }
    let ok = text.replace("\"total\":150", "\"total\":9007199254740992");
    assert!(crate::json::Arena::new().parse(ok.as_bytes()).is_ok());
}

/// SPEC.md §5.6 rule 14: each member of the subject must be of its JSON type. serde
/// reads a struct from an array field by field, in declaration order, so without a
/// strict reader these arrays (and `null` for a member that may only be left out)
/// would pass as the objects they imitate.
#[test]
fn members_of_the_wrong_json_type_are_refused_naming_the_member() {
    let good = ip_certificate(&envelope(), &sample_subject()).unwrap();
    let subject = &good["credentialSubject"];
    let achievement = &subject["achievement"];
    let cases: Vec<(&str, Value)> = vec![
        (
            "course",
            json!([
                "CPOCUS-MSK-2025-0142",
                "Western Ultrasound Academy",
                "2025-10-04"
            ]),
        ),
        (
            "loggedScans",
            json!([150, 50, "2025-10-05", "2026-02-10", "IP-2019-00088"]),
        ),
        (
            "exams",
            json!([
                ["written", 92, 85, "2026-01-15", "Dr. Louis Tremblay"],
                subject["exams"][1].clone(),
                subject["exams"][2].clone()
            ]),
        ),
        (
            "achievement",
            json!([
                achievement["id"].clone(),
                achievement["type"].clone(),
                achievement["achievementType"].clone(),
                achievement["name"].clone(),
                achievement["description"].clone(),
                achievement["criteria"].clone()
            ]),
        ),
        ("achievement", {
            let mut a = achievement.clone();
            a["criteria"] = json!([achievement["criteria"]["narrative"].clone()]);
            a
        }),
        ("id", Value::Null),
    ];
    let expected_paths = [
        "course",
        "loggedScans",
        "exams[0]",
        "achievement",
        "achievement.criteria",
        "id",
    ];
    for ((member, bad), path) in cases.into_iter().zip(expected_paths) {
        let mut doc = good.clone();
        doc["credentialSubject"][member] = bad;
        let err = validate_value(&doc).expect_err(path);
        assert_eq!(err.field, "credentialSubject", "{path}: {err}");
        assert!(
            err.reason.starts_with(&format!("{path}: ")),
            "{path}: {err}"
        );
    }

    let good = skill_attestation(&envelope(), &crate::sample::skill_attestation_subject()).unwrap();
    let mut doc = good.clone();
    let a = &good["credentialSubject"]["achievement"];
    doc["credentialSubject"]["achievement"] = json!([
        a["id"].clone(),
        a["type"].clone(),
        a["achievementType"].clone(),
        a["name"].clone(),
        a["description"].clone(),
        a["criteria"].clone()
    ]);
    let err = validate_value(&doc).unwrap_err();
    assert!(err.reason.starts_with("achievement: "), "{err}");
    // An absent holder id stays absent.
    let mut doc = good;
    doc["credentialSubject"]
        .as_object_mut()
        .unwrap()
        .remove("id");
    assert!(validate_value(&doc).is_ok());
}
