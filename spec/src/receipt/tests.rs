use super::*;
use crate::sample;
use crate::trust::TrustSnapshot;

fn at() -> DateTime<Utc> {
    "2026-06-01T00:00:00Z".parse().unwrap()
}

fn node_key() -> SigningKey {
    SigningKey::from_bytes(&[5; 32])
}

/// A signed sample IP certificate (no status entries) and the report on it, judged
/// with its issuer trusted.
fn verified_certificate() -> (Vec<u8>, Report) {
    let issuer_key = SigningKey::from_bytes(&[9; 32]);
    let issuer = did::did_key(&issuer_key.verifying_key());
    let envelope = sample::envelope(&issuer, Some("CPoCUS"), Vec::new());
    let unsigned =
        crate::model::ip_certificate(&envelope, &sample::ip_certificate_subject()).unwrap();
    let signed = proof::sign(
        &unsigned,
        &issuer_key,
        &proof::ProofOptions::assertion(
            did::did_key_verification_method(&issuer_key.verifying_key()),
            Some("2026-03-01T00:00:00Z".into()),
        ),
    )
    .unwrap();
    let bytes = signed.to_string().into_bytes();
    let mut trust = TrustSnapshot::new();
    trust.trust_issuer(&issuer).unwrap();
    let report = crate::verify(&bytes, &trust, at());
    (bytes, report)
}

fn signed_receipt() -> (Value, Vec<u8>) {
    let (credential, report) = verified_certificate();
    let freshness = vec![StatusFreshness {
        id: "https://certs.example/status/1".into(),
        held: true,
        confirmed_at: Some("2026-05-31T23:00:00Z".into()),
        age_seconds: Some(3600),
    }];
    let record = VerificationRecord::new(&credential, &report, at(), freshness);
    let key = node_key();
    let receipt = sign(
        &did::did_key(&key.verifying_key()),
        &did::did_key_verification_method(&key.verifying_key()),
        &key,
        &record,
        at(),
    )
    .unwrap();
    (receipt, credential)
}

#[test]
fn a_signed_receipt_reads_back_with_what_it_records() {
    let (receipt, credential) = signed_receipt();
    let checked = read(receipt.to_string().as_bytes())
        .unwrap()
        .check_did_key()
        .unwrap();
    assert_eq!(checked.issuer, did::did_key(&node_key().verifying_key()));
    assert_eq!(checked.signed_at, Some(at()));
    let record = &checked.record;
    assert_eq!(record.verdict, Verdict::Valid);
    assert_eq!(record.verified_at, "2026-06-01T00:00:00Z");
    assert_eq!(record.checks.len(), 6);
    assert_eq!(record.checks[1].name, CheckId::Proof);
    assert_eq!(record.checks[1].outcome, CheckStatus::Pass);
    assert_eq!(
        record.presented.holder_as_presented.name.as_deref(),
        Some("Dr. Amelia Okafor-Lindqvist")
    );
    assert_eq!(
        record.presented.credential_type.as_deref(),
        Some("PocusIpCertificate")
    );
    assert_eq!(record.status_data[0].age_seconds, Some(3600));
    // The digest is of the credential's canonical form: the same credential with other
    // whitespace gets the same one, and anyone can recompute it.
    let pretty = serde_json::to_vec_pretty(&json::parse_strict(&credential).unwrap()).unwrap();
    assert_eq!(record.presented.digest, CredentialDigest::of(&pretty));
    assert_eq!(record.presented.digest.input, DigestInput::Jcs);
    let canonical = crate::jcs::canonicalize(&json::parse_strict(&credential).unwrap()).unwrap();
    assert_eq!(
        record.presented.digest.hex,
        to_hex(&Sha256::digest(canonical))
    );
    assert_eq!(receipt["validFrom"], "2026-06-01T00:00:00Z");
    assert!(checked.id.starts_with(ID_PREFIX));
}

#[test]
fn input_that_is_not_json_gets_a_digest_of_its_bytes() {
    let digest = CredentialDigest::of(b"{\"a\":1,\"a\":2}");
    assert_eq!(digest.input, DigestInput::Bytes);
    assert_eq!(digest.hex, to_hex(&Sha256::digest(b"{\"a\":1,\"a\":2}")));
}

#[test]
fn a_changed_member_breaks_the_signature() {
    let (receipt, _) = signed_receipt();
    for (pointer, value) in [
        ("/credentialSubject/verdict", json!("REVOKED")),
        (
            "/credentialSubject/presented/holderAsPresented/name",
            json!("Dr. Someone Else"),
        ),
        ("/credentialSubject/statusData/0/ageSeconds", json!(5)),
    ] {
        let mut tampered = receipt.clone();
        *tampered.pointer_mut(pointer).unwrap() = value;
        let outcome = read(tampered.to_string().as_bytes())
            .unwrap()
            .check_did_key();
        assert!(
            matches!(
                outcome,
                Err(ReceiptError::Proof(ProofError::SignatureMismatch))
            ),
            "{pointer}: {outcome:?}"
        );
    }
}

#[test]
fn a_receipt_signed_by_another_key_is_refused() {
    let (credential, report) = verified_certificate();
    let record = VerificationRecord::new(&credential, &report, at(), Vec::new());
    let node = node_key().verifying_key();
    let other = SigningKey::from_bytes(&[6; 32]);
    // The issuer's own verification method, signed with another key.
    let forged = sign(
        &did::did_key(&node),
        &did::did_key_verification_method(&node),
        &other,
        &record,
        at(),
    )
    .unwrap();
    let outcome = read(forged.to_string().as_bytes()).unwrap().check_did_key();
    assert!(
        matches!(
            outcome,
            Err(ReceiptError::Proof(ProofError::SignatureMismatch))
        ),
        "{outcome:?}"
    );
    // The other key's own method, under the node's DID as issuer.
    let mut relabelled = receipt_credential(&did::did_key(&node), &record);
    relabelled = proof::sign(
        &relabelled,
        &other,
        &proof::ProofOptions::assertion(
            did::did_key_verification_method(&other.verifying_key()),
            None,
        ),
    )
    .unwrap();
    assert!(matches!(
        read(relabelled.to_string().as_bytes()),
        Err(ReceiptError::SignerMismatch { .. })
    ));
    // The signer's key given by a did:web document that lists another key.
    let keys = vec![(
        did::did_key_verification_method(&node),
        other.verifying_key(),
    )];
    let (receipt, _) = signed_receipt();
    assert!(matches!(
        read(receipt.to_string().as_bytes()).unwrap().check(&keys),
        Err(ReceiptError::Proof(ProofError::SignatureMismatch))
    ));
    assert!(matches!(
        read(receipt.to_string().as_bytes()).unwrap().check(&[]),
        Err(ReceiptError::UnknownKey { .. })
    ));
}

/// Re-signs `receipt` after `change`, so that only the shape can be at fault.
fn resigned(receipt: &Value, change: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut doc = receipt.clone();
    doc.as_object_mut().unwrap().remove("proof");
    change(&mut doc);
    let key = node_key();
    proof::sign(
        &doc,
        &key,
        &proof::ProofOptions::assertion(
            did::did_key_verification_method(&key.verifying_key()),
            None,
        ),
    )
    .unwrap()
    .to_string()
    .into_bytes()
}

#[test]
fn unknown_members_and_wrong_types_are_refused_by_name() {
    let (receipt, _) = signed_receipt();
    type Change = Box<dyn FnOnce(&mut Value)>;
    let cases: Vec<(Change, &str)> = vec![
        (
            Box::new(|d| d["credentialSubject"]["note"] = json!("x")),
            "note",
        ),
        (Box::new(|d| d["extra"] = json!(1)), "extra"),
        (
            Box::new(|d| d["credentialSubject"]["verdict"] = json!(1)),
            "credentialSubject.verdict",
        ),
        (
            Box::new(|d| d["credentialSubject"]["checks"][0]["outcome"] = json!(null)),
            "credentialSubject.checks[0].outcome",
        ),
        (
            Box::new(|d| d["credentialSubject"]["statusData"][0]["held"] = json!("yes")),
            "credentialSubject.statusData[0].held",
        ),
        (
            Box::new(|d| d["credentialSubject"]["presented"]["digest"]["hex"] = json!("00")),
            "digest",
        ),
        (
            Box::new(|d| d["validFrom"] = json!("2026-06-02T00:00:00Z")),
            "validFrom",
        ),
        (
            Box::new(|d| d["issuer"] = json!({"id": "did:web:x.example"})),
            "issuer",
        ),
    ];
    for (change, name) in cases {
        let bytes = resigned(&receipt, change);
        match read(&bytes) {
            Err(e @ ReceiptError::Malformed(_)) => {
                assert!(e.to_string().contains(name), "{name}: {e}")
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    // Unchanged but re-signed: the shape is fine.
    assert!(read(&resigned(&receipt, |_| {})).is_ok());
}

#[test]
fn a_credential_is_not_a_receipt_and_a_receipt_is_never_a_valid_credential() {
    let (credential, _) = verified_certificate();
    assert!(matches!(
        read(&credential),
        Err(ReceiptError::NotAReceipt(_))
    ));
    assert!(matches!(
        read(&vec![b' '; MAX_RECEIPT_BYTES + 1]),
        Err(ReceiptError::Json(JsonError::TooLarge { .. }))
    ));
    // verify() judges a receipt as a credential of an unknown type, even with its
    // signer trusted as an issuer: never VALID.
    let (receipt, _) = signed_receipt();
    let mut trust = TrustSnapshot::new();
    trust
        .trust_issuer(&did::did_key(&node_key().verifying_key()))
        .unwrap();
    let report = crate::verify(receipt.to_string().as_bytes(), &trust, at());
    assert_eq!(report.verdict, Verdict::Malformed, "{report:?}");
}

#[test]
fn long_strings_are_cut_on_a_character_boundary() {
    let long = "é".repeat(MAX_RECORDED_CHARS + 10);
    let short = cut(&long);
    assert_eq!(short.chars().count(), MAX_RECORDED_CHARS);
}
