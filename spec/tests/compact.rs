//! Round trips of the compact QR payload through the public API, the QR size of the
//! reference IP certificate, and the text form's errors.

use probity_spec::compact::{
    decode, encode, from_text, to_text, to_url, CompactError, TEXT_PREFIX,
};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn reference() -> Value {
    let text = include_str!("data/ip-certificate-shape.json");
    serde_json::from_str(text).expect("the reference credential is JSON")
}

/// A skill attestation as a hospital might issue it (the vocabulary of the brief).
fn skill_attestation() -> Value {
    json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://probity.network/contexts/v1"
        ],
        "id": "urn:uuid:8a0f6c52-1d3e-4b7a-a9c4-3e2f1d0c9b8a",
        "type": ["VerifiableCredential", "OpenBadgeCredential", "PocusSkillAttestation"],
        "name": "POCUS skill attestation: Emergency Medicine",
        "issuer": {
            "id": "did:web:pocus.stmarys-hospital.example.ca",
            "type": ["Profile"],
            "name": "St. Mary's General Hospital"
        },
        "validFrom": "2026-04-01T00:00:00Z",
        "validUntil": "2028-04-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": "Dr. Jean-François Côté",
            "registrationNumber": "CPSO 0456789",
            "department": "Department of Emergency Medicine",
            "applications": ["eFAST", "AAA", "lung", "cardiac", "vascular access"],
            "supervisedScans": {"eFAST": 25, "AAA": 25, "lung": 30, "cardiac": 50, "vascular access": 20},
            "qaReviewer": "Dr. Hannah Schmidt",
            "reviewDate": "2026-03-20",
            "privileges": [
                "Independent performance and interpretation of eFAST, AAA, lung and cardiac ultrasound",
                "Ultrasound-guided vascular access"
            ],
            "achievement": {
                "id": "https://probity.network/achievements/pocus-skill/ED",
                "type": ["Achievement"],
                "achievementType": "Competency",
                "name": "POCUS skills: Emergency Department",
                "description": "Local verification of point-of-care ultrasound skills.",
                "criteria": {"narrative": "Applications signed off after supervised scans and quality review."}
            }
        },
        "credentialStatus": [
            {
                "id": "https://pocus.stmarys-hospital.example.ca/status/revocation/4#120033",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": "120033",
                "statusListCredential": "https://pocus.stmarys-hospital.example.ca/status/revocation/4"
            }
        ],
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-jcs-2022",
            "created": "2026-04-01T14:02:11Z",
            "verificationMethod": "did:web:pocus.stmarys-hospital.example.ca#key-1",
            "proofPurpose": "assertionMethod",
            "proofValue": "z3FXQjecWufY46yg5ybTKU2uoqnsm4jLNZJbFEFVJQ8BMwqyr9pQHGdCBA36ygvSvFmHrjwpWrLM8jBtuq2bUSMJP"
        }
    })
}

fn qr_version(text: &str) -> i16 {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .expect("the text fits in some QR code");
    match code.version() {
        qrcode::Version::Normal(v) => v,
        qrcode::Version::Micro(v) => -v,
    }
}

fn round_trip(v: &Value) {
    let bytes = encode(v).expect("encodes");
    assert_eq!(&decode(&bytes).expect("decodes"), v);
    let text = to_text(v).expect("encodes as text");
    assert!(text.starts_with(TEXT_PREFIX));
    assert_eq!(&from_text(&text).expect("decodes from text"), v);
}

#[test]
fn compact_reference_fits_qr_version_13_at_level_m() {
    let credential = reference();
    round_trip(&credential);
    let bytes = encode(&credential).expect("encodes");
    let text = to_text(&credential).expect("encodes");
    let version = qr_version(&text);
    let url = to_url("https://verify.probity.network", &credential).expect("encodes");
    assert!(url.starts_with("https://verify.probity.network/#PB1:"));
    assert_eq!(from_text(&url).expect("decodes"), credential);
    let url_version = qr_version(&url);
    println!(
        "reference IP certificate: {} JSON bytes minified, {} payload bytes, {} digits, \
         QR version {version}-M; link of {} characters, QR version {url_version}-M",
        serde_json::to_string(&credential).map_or(0, |s| s.len()),
        bytes.len(),
        text.len() - TEXT_PREFIX.len(),
        url.len(),
    );
    assert!(
        (1..=13).contains(&version),
        "the reference needs QR version {version}"
    );
    assert!(
        (1..=13).contains(&url_version),
        "the reference link needs QR version {url_version}"
    );
}

#[test]
fn compact_skill_attestation_round_trips() {
    let credential = skill_attestation();
    round_trip(&credential);
    let text = to_text(&credential).expect("encodes");
    println!(
        "skill attestation: {} payload bytes, QR version {}-M",
        encode(&credential).map_or(0, |b| b.len()),
        qr_version(&text)
    );
}

#[test]
fn compact_variations_of_the_reference_round_trip() {
    let base = reference();
    let mut variants = Vec::new();
    let mut edit = |f: &dyn Fn(&mut Value)| {
        let mut v = base.clone();
        f(&mut v);
        variants.push(v);
    };
    edit(&|v| v["issuer"] = json!("did:web:certs.cpocus.ca"));
    edit(&|v| v["validFrom"] = json!(1_767_225_600));
    edit(&|v| v["credentialSubject"] = json!([1, 2, 3]));
    edit(&|v| {
        v["credentialSubject"]["id"] =
            json!("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
    });
    edit(&|v| v["credentialSubject"]["track"] = json!("ACUTE_CARE_CORE"));
    edit(&|v| v["credentialSubject"]["modules"] = json!(["knee", "hip", "unknown module"]));
    edit(&|v| v["credentialSubject"]["exams"] = json!([]));
    edit(&|v| v["credentialSubject"]["exams"][1]["score"] = json!(88.5));
    edit(&|v| v["credentialSubject"]["exams"][2]["score"] = json!(-1));
    edit(&|v| v["credentialSubject"]["achievement"]["name"] = json!("Something else: FM MSK"));
    edit(&|v| v["name"] = json!("Independent Practitioner: FM MSK "));
    edit(&|v| v["proof"] = json!([base["proof"].clone(), base["proof"].clone()]));
    edit(&|v| v["proof"]["proofValue"] = json!("not base58 at all"));
    edit(&|v| v["proof"]["created"] = json!("2026-03-01T09:12:44.5Z"));
    edit(&|v| v["credentialStatus"] = base["credentialStatus"][0].clone());
    edit(&|v| v["credentialStatus"][0]["statusListIndex"] = json!(94567));
    edit(&|v| v["credentialStatus"][1]["statusListIndex"] = json!("094567"));
    edit(&|v| v["@context"] = json!("https://www.w3.org/ns/credentials/v2"));
    edit(&|v| v["type"] = json!(["VerifiableCredential"]));
    edit(&|v| v["extra"] = json!({"nested": {"deeper": [null, true, false]}}));
    edit(&|v| {
        if let Some(map) = v["credentialSubject"].as_object_mut() {
            map.remove("course");
            map.remove("achievement");
        }
    });
    edit(&|v| *v = json!({}));
    for v in &variants {
        round_trip(v);
    }
}

#[test]
fn compact_odd_json_round_trips() {
    let odd = json!({
        "": "",
        "empty": [[], {}, [[]], [{}], ""],
        "unicode": ["é", "Ωmega", "日本語の名前", "😀👩🏽‍⚕️", "\u{FB33}", "\u{0}\u{1f}\u{7f}", "\u{10FFFF}", "a\nb\tc\"d\\e"],
        "numbers": [0, 1, -1, 1e300, -1e300, 5e-324, 0.1, -0.0, 0.0, 9_007_199_254_740_993u64,
                    18_446_744_073_709_551_615u64, -9_223_372_036_854_775_808i64, 1.5, -2.25],
        "looks like a date": ["2026-1-01", "2026-01-01T00:00:00.000Z", "2026-13-01"],
        "looks like a uuid": "urn:uuid:2F1C9A4E-7B3D-4C8E-9F21-5A6B7C8D9E01",
        "looks like base58": ["z0OIl", "z", "zz"],
        "digits": ["007", "0", "12345678901234567890"],
        "nested": [[[[["deep"]]]], [1, [2, [3, [4]]]]],
        "known keys as values": ["id", "type", "proof", "@context"],
        "2026-03-01": {"urn:uuid:2f1c9a4e-7b3d-4c8e-9f21-5a6b7c8d9e01": "key that is a uuid"},
        "bools": [true, false, null],
        "repeated": ["same", "same", "same", "same-suffix", "prefix-same"]
    });
    round_trip(&odd);
    // -0.0 comes back as a float equal to 0.0 (Value equality compares as f64).
    let zero = json!(-0.0);
    let back = decode(&encode(&zero).expect("encodes")).expect("decodes");
    assert_eq!(back, zero);
    assert!(back
        .as_f64()
        .is_some_and(|f| f == 0.0 && f.is_sign_negative()));
    // 2^53 + 1 stays an exact integer.
    let big = json!(9_007_199_254_740_993u64);
    assert_eq!(
        decode(&encode(&big).expect("encodes"))
            .expect("decodes")
            .as_u64(),
        Some(9_007_199_254_740_993)
    );
    for scalar in [
        json!(null),
        json!(true),
        json!(""),
        json!(0),
        json!([]),
        json!({}),
    ] {
        round_trip(&scalar);
    }
}

#[test]
fn compact_text_form_accepts_links_case_and_white_space() {
    let v = reference();
    let text = to_text(&v).expect("encodes");
    let digits = text.trim_start_matches(TEXT_PREFIX);
    assert!(digits.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(from_text(&format!("  {text}\n")), Ok(v.clone()));
    assert_eq!(from_text(&format!("pb1:{digits}")), Ok(v.clone()));
    assert_eq!(
        from_text(&format!("https://verify.example.org/check#{text}")),
        Ok(v.clone())
    );
    assert_eq!(
        to_url("https://verify.example.org/check", &v).map(|u| u.contains("/check#PB1:")),
        Ok(true)
    );
    assert_eq!(
        to_url("http://127.0.0.1:8080/", &v).map(|u| u.starts_with("http://127.0.0.1:8080/#PB1:")),
        Ok(true)
    );
    for local in [
        "http://localhost:3000",
        "HTTP://[::1]:8080/verify",
        "http://127.0.0.2",
    ] {
        assert!(to_url(local, &v).is_ok(), "{local}");
    }
    // Plain http to anywhere else would send people to a page anyone on the path can
    // replace.
    for remote in [
        "http://verify.example.org",
        "http://127.0.0.1.example.org/",
        "http://[::2]:80/",
        "http://localhost.example.org",
    ] {
        assert!(
            matches!(to_url(remote, &v), Err(CompactError::BadVerifierUrl { .. })),
            "{remote}"
        );
    }
}

#[test]
fn compact_text_form_errors() {
    assert_eq!(from_text(""), Err(CompactError::WrongPrefix));
    assert_eq!(from_text("hello"), Err(CompactError::WrongPrefix));
    assert_eq!(from_text("PBX:123"), Err(CompactError::WrongPrefix));
    assert_eq!(from_text("QR1:123"), Err(CompactError::WrongPrefix));
    assert_eq!(
        from_text("https://verify.example.org/"),
        Err(CompactError::WrongPrefix)
    );
    assert_eq!(from_text("ü"), Err(CompactError::WrongPrefix));
    assert_eq!(
        from_text("PB2:123"),
        Err(CompactError::UnsupportedVersion { version: 2 })
    );
    assert_eq!(
        from_text("PB1:12a"),
        Err(CompactError::NotADigit {
            position: 2,
            found: 'a'
        })
    );
    assert_eq!(
        from_text("PB1:12 3"),
        Err(CompactError::NotADigit {
            position: 2,
            found: ' '
        })
    );
    assert_eq!(
        from_text("PB1:1"),
        Err(CompactError::BadLength { digits: 1 })
    );
    assert_eq!(
        from_text(&format!("PB1:{}", "0".repeat(18))),
        Err(CompactError::BadLength { digits: 18 })
    );
    // Three digits stand for one byte: 256 is too big.
    assert_eq!(
        from_text("PB1:256"),
        Err(CompactError::GroupOutOfRange { group: 0 })
    );
    // Seventeen digits stand for seven bytes: 2^56 is too big.
    assert_eq!(
        from_text(&format!("PB1:{:017}", 1u64 << 56)),
        Err(CompactError::GroupOutOfRange { group: 0 })
    );
    assert_eq!(from_text("PB1:"), Err(CompactError::Truncated));
    // Header byte 0x20 (format 2) in digits, under a PB1: prefix: the text and its
    // data disagree, so it is garbled, not a payload from a newer version.
    assert_eq!(
        from_text("PB1:032"),
        Err(CompactError::Garbled { text: 1, header: 2 })
    );
    // A PB2: text is a newer version this one cannot read.
    assert_eq!(
        from_text("PB2:032"),
        Err(CompactError::UnsupportedVersion { version: 2 })
    );
    for bad in [
        "verify.probity.network",
        "ftp://x.org",
        "https://",
        "https:///x",
        "https://x.org/#a",
        "https://x .org",
    ] {
        assert!(
            matches!(
                to_url(bad, &json!(1)),
                Err(CompactError::BadVerifierUrl { .. })
            ),
            "{bad}"
        );
    }
    // Every message says something a person can act on.
    for e in [
        CompactError::WrongPrefix,
        CompactError::Truncated,
        CompactError::BadLength { digits: 5 },
    ] {
        assert!(e.to_string().len() > 40, "{e}");
    }
}

#[test]
fn compact_damaged_text_never_panics() {
    let text = to_text(&reference()).expect("encodes");
    let bytes = text.as_bytes();
    for i in TEXT_PREFIX.len()..bytes.len() {
        let mut damaged = bytes.to_vec();
        if let Some(d) = damaged.get_mut(i) {
            *d = b'0' + (*d - b'0' + 1) % 10;
        }
        let damaged = String::from_utf8(damaged).expect("digits");
        let _ = from_text(&damaged);
        let _ = from_text(damaged.get(..i).unwrap_or_default());
    }
}

/// Strings that exercise the typed forms and the tables as well as arbitrary text.
fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any::<String>(),
        2 => "[a-zA-Z .'-]{0,30}",
        1 => "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        1 => "20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])(T[01][0-9]:[0-5][0-9]:[0-5][0-9]Z)?",
        1 => "(urn:uuid:)?[0-9a-fA-F]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        1 => "(z|did:key:z)[1-9A-HJ-NP-Za-km-z]{0,60}",
        1 => "[0-9]{1,21}",
        1 => prop::sample::select(vec![
            "id", "type", "name", "proof", "@context", "revocation", "FM_MSK", "standard",
            "https://www.w3.org/ns/credentials/v2", "Dr. ", "did:web:", "",
        ])
        .prop_map(str::to_owned),
    ]
}

fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => arb_string(),
        1 => prop::sample::select(vec![
            "id", "type", "name", "issuer", "validFrom", "credentialSubject", "proof",
            "proofValue", "created", "statusListIndex", "exams", "score", "achievement",
            "narrative", "supervisedScans",
        ])
        .prop_map(str::to_owned),
    ]
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (0u64..200).prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        arb_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((arb_key(), inner), 0..10)
                .prop_map(|members| Value::Object(members.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn compact_arbitrary_json_round_trips(v in arb_json()) {
        let bytes = encode(&v).expect("encodes");
        prop_assert_eq!(&decode(&bytes).expect("decodes"), &v);
        let text = to_text(&v).expect("encodes");
        prop_assert_eq!(from_text(&text).expect("decodes"), v);
    }

    #[test]
    fn compact_arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = decode(&bytes);
        let mut with_header = vec![0x10];
        with_header.extend(&bytes);
        let _ = decode(&with_header);
        with_header[0] = 0x11;
        let _ = decode(&with_header);
    }

    #[test]
    fn compact_arbitrary_text_never_panics(text in any::<String>(), digits in "[0-9]{0,120}") {
        let _ = from_text(&text);
        let _ = from_text(&format!("PB1:{digits}"));
        let _ = from_text(&format!("PB1:017{digits}"));
    }
}
