use super::*;
use crate::did;
use crate::model::{tests_support::*, Track};
use crate::proof::{sign, ProofOptions};
use crate::registry::MembershipStatus;
use crate::registry::{Accreditation, Member};
use ed25519_dalek::SigningKey;
use serde_json::{json, Value};

const ISSUER: &str = "did:web:certs.cpocus.ca";
const VM: &str = "did:web:certs.cpocus.ca#key-2026";

fn t(s: &str) -> DateTime<Utc> {
    crate::time::parse(s).unwrap()
}

fn now() -> DateTime<Utc> {
    t("2026-06-01T12:00:00Z")
}

struct Federation {
    root: SigningKey,
    issuer_key: SigningKey,
    member: Member,
}

impl Federation {
    fn new() -> Self {
        let issuer_key = SigningKey::from_bytes(&[2; 32]);
        Federation {
            root: SigningKey::from_bytes(&[1; 32]),
            member: crate::sample::member(
                ISSUER,
                "Canadian Point of Care Ultrasound Society",
                VM,
                &issuer_key.verifying_key(),
                vec![Accreditation {
                    credential_type: "PocusIpCertificate".into(),
                    tracks: vec![Track::FmMsk, Track::FmCore],
                    applications: vec![],
                }],
            ),
            issuer_key,
        }
    }

    fn registry(&self, version: u64) -> Value {
        crate::sample::signed_registry(
            &self.root,
            version,
            vec![self.member.clone()],
            t("2026-01-01T00:00:00Z"),
            t("2027-01-01T00:00:00Z"),
        )
        .unwrap()
    }

    fn snapshot(&self) -> TrustSnapshot {
        let mut trust = TrustSnapshot::new();
        trust
            .add_registry(self.registry(1), &[self.root.verifying_key()], now())
            .unwrap();
        trust
    }

    /// A certificate in the RESUS track, which [`Federation::new`] does not accredit.
    fn resus_certificate(&self) -> Vec<u8> {
        self.certificate(|d| {
            d["credentialSubject"]["track"] = json!("RESUS");
            d["credentialSubject"]["achievement"] =
                serde_json::to_value(crate::model::Achievement::ip_certificate(Track::Resus))
                    .unwrap();
        })
    }

    fn certificate(&self, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
        let mut doc = unsigned_certificate(ISSUER);
        edit(&mut doc);
        let signed = sign(
            &doc,
            &self.issuer_key,
            &ProofOptions::assertion(VM, Some("2026-03-01T09:00:00Z".into())),
        )
        .unwrap();
        serde_json::to_vec(&signed).unwrap()
    }
}

fn verdict(bytes: &[u8], trust: &TrustSnapshot) -> Verdict {
    verify(bytes, trust, now()).verdict
}

#[test]
fn a_member_certificate_is_valid_and_every_check_passes() {
    let fed = Federation::new();
    let report = verify(&fed.certificate(|_| {}), &fed.snapshot(), now());
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
    let ids: Vec<&str> = report.checks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "format",
            "proof",
            "issuer",
            "accreditation",
            "validity",
            "status"
        ]
    );
    assert!(
        report.checks.iter().all(|c| c.status == CheckStatus::Pass),
        "{report:#?}"
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["verdict"], "VALID");
    assert_eq!(json["checks"][1]["id"], "proof");
    assert_eq!(json["checks"][1]["status"], "pass");
}

#[test]
fn any_change_to_the_signed_content_is_an_invalid_signature() {
    let fed = Federation::new();
    let good = fed.certificate(|_| {});
    let mut doc: Value = serde_json::from_slice(&good).unwrap();
    doc["credentialSubject"]["ipNumber"] = json!("IP-2026-99999");
    assert_eq!(
        verdict(&serde_json::to_vec(&doc).unwrap(), &fed.snapshot()),
        Verdict::InvalidSignature
    );
}

#[test]
fn malformed_input_is_malformed_and_nothing_else_runs() {
    let fed = Federation::new();
    let trust = fed.snapshot();
    for bad in [&b"{"[..], b"\xff", b"[]", br#"{"a":1,"a":2}"#] {
        let report = verify(bad, &trust, now());
        assert_eq!(report.verdict, Verdict::Malformed);
        assert!(report.checks[1..]
            .iter()
            .all(|c| c.status == CheckStatus::Skip));
    }
    let deep = "[".repeat(10_000);
    assert_eq!(verdict(deep.as_bytes(), &trust), Verdict::Malformed);
}

#[test]
fn proof_problems_are_invalid_signatures() {
    let fed = Federation::new();
    let trust = fed.snapshot();
    let good: Value = serde_json::from_slice(&fed.certificate(|_| {})).unwrap();
    type Edit = Box<dyn Fn(&mut Value)>;
    let edits: Vec<Edit> = vec![
        Box::new(|d| {
            d.as_object_mut().unwrap().remove("proof");
        }),
        Box::new(|d| d["proof"]["cryptosuite"] = json!("ecdsa-rdfc-2019")),
        Box::new(|d| d["proof"]["type"] = json!("Ed25519Signature2020")),
        Box::new(|d| d["proof"]["proofValue"] = json!("z3FXQ")),
        Box::new(|d| d["proof"]["proofValue"] = json!("zOOOO0000llll")),
        Box::new(|d| d["proof"]["proofValue"] = json!("u8Yh")),
        Box::new(|d| d["proof"] = json!([d["proof"].clone()])),
        Box::new(|d| d["proof"]["proofPurpose"] = json!("authentication")),
    ];
    for (i, edit) in edits.iter().enumerate() {
        let mut doc = good.clone();
        edit(&mut doc);
        let report = verify(&serde_json::to_vec(&doc).unwrap(), &trust, now());
        assert_eq!(
            report.verdict,
            Verdict::InvalidSignature,
            "edit {i}: {report:#?}"
        );
    }
}

#[test]
fn a_non_canonical_signature_is_refused() {
    // Adding the group order L to S gives a signature that lax verifiers accept.
    let fed = Federation::new();
    let mut doc: Value = serde_json::from_slice(&fed.certificate(|_| {})).unwrap();
    let sig = proof::decode_proof_value(doc["proof"]["proofValue"].as_str().unwrap())
        .unwrap()
        .to_bytes();
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut s = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = sig[32 + i] as u16 + L[i] as u16 + carry;
        s[i] = sum as u8;
        carry = sum >> 8;
    }
    let mut forged = sig;
    forged[32..].copy_from_slice(&s);
    doc["proof"]["proofValue"] = json!(format!("z{}", bs58::encode(forged).into_string()));
    let report = verify(&serde_json::to_vec(&doc).unwrap(), &fed.snapshot(), now());
    assert_eq!(report.verdict, Verdict::InvalidSignature, "{report:#?}");
}

#[test]
fn unknown_signers_and_impostors_are_untrusted() {
    let fed = Federation::new();
    // Nothing trusted at all: the proof cannot even be checked, and the verdict is not VALID.
    let report = verify(&fed.certificate(|_| {}), &TrustSnapshot::new(), now());
    assert_eq!(report.verdict, Verdict::UntrustedIssuer);
    assert_eq!(
        report.check(CheckId::Proof).unwrap().status,
        CheckStatus::Skip
    );

    // A did:key issuer that nobody trusts: signature fine, issuer not.
    let stranger = SigningKey::from_bytes(&[5; 32]);
    let stranger_did = did::did_key(&stranger.verifying_key());
    let doc = unsigned_certificate(&stranger_did);
    let vm = did::did_key_verification_method(&stranger.verifying_key());
    let signed =
        serde_json::to_vec(&sign(&doc, &stranger, &ProofOptions::assertion(vm, None)).unwrap())
            .unwrap();
    let report = verify(&signed, &fed.snapshot(), now());
    assert_eq!(report.verdict, Verdict::UntrustedIssuer);
    assert_eq!(
        report.check(CheckId::Proof).unwrap().status,
        CheckStatus::Pass
    );

    // ... until trusted explicitly.
    let mut trust = TrustSnapshot::new();
    trust.trust_issuer(&stranger_did).unwrap();
    assert_eq!(verdict(&signed, &trust), Verdict::Valid);

    // A member's key signing a credential that names another issuer.
    let impostor = fed.certificate(|d| d["issuer"]["id"] = json!("did:web:other.example"));
    assert_eq!(
        verdict(&impostor, &fed.snapshot()),
        Verdict::UntrustedIssuer
    );
}

#[test]
fn membership_key_windows_and_compromise_are_enforced() {
    let mut fed = Federation::new();
    fed.member.status = MembershipStatus::Suspended;
    assert_eq!(
        verdict(&fed.certificate(|_| {}), &fed.snapshot()),
        Verdict::UntrustedIssuer
    );

    let mut fed = Federation::new();
    fed.member.keys[0].valid_until = Some("2026-02-01T00:00:00Z".into());
    assert_eq!(
        verdict(&fed.certificate(|_| {}), &fed.snapshot()),
        Verdict::UntrustedIssuer
    );

    let mut fed = Federation::new();
    fed.member.keys[0].compromised_at = Some("2026-02-15T00:00:00Z".into());
    assert_eq!(
        verdict(&fed.certificate(|_| {}), &fed.snapshot()),
        Verdict::UntrustedIssuer
    );

    // Compromised after signing: what it signed before still stands.
    let mut fed = Federation::new();
    fed.member.keys[0].compromised_at = Some("2026-04-01T00:00:00Z".into());
    assert_eq!(
        verdict(&fed.certificate(|_| {}), &fed.snapshot()),
        Verdict::Valid
    );
}

#[test]
fn accreditation_covers_type_and_track() {
    let fed = Federation::new();
    let resus = fed.resus_certificate();
    let report = verify(&resus, &fed.snapshot(), now());
    assert_eq!(report.verdict, Verdict::NotAccredited, "{report:#?}");
    assert!(report
        .check(CheckId::Accreditation)
        .unwrap()
        .message
        .contains("RESUS"));
}

#[test]
fn validity_window_gives_not_yet_valid_expired_and_a_warning() {
    let fed = Federation::new();
    let trust = fed.snapshot();
    let cert = fed.certificate(|d| d["validUntil"] = json!("2026-06-20T00:00:00Z"));
    let report = verify(&cert, &trust, now());
    assert_eq!(report.verdict, Verdict::Valid);
    assert_eq!(
        report.check(CheckId::Validity).unwrap().status,
        CheckStatus::Warn
    );
    assert_eq!(
        verify(&cert, &trust, t("2026-06-20T00:00:00Z")).verdict,
        Verdict::Expired
    );
    let future = fed.certificate(|d| d["validFrom"] = json!("2026-07-01T00:00:00Z"));
    assert_eq!(verdict(&future, &trust), Verdict::NotYetValid);
}

#[test]
fn registries_are_pinned_and_never_rolled_back() {
    let fed = Federation::new();
    let mut trust = TrustSnapshot::new();
    let other_root = SigningKey::from_bytes(&[9; 32]).verifying_key();
    assert!(trust
        .add_registry(fed.registry(1), &[other_root], now())
        .is_err());
    trust
        .add_registry(fed.registry(5), &[fed.root.verifying_key()], now())
        .unwrap();
    let err = trust
        .add_registry(fed.registry(4), &[fed.root.verifying_key()], now())
        .unwrap_err();
    assert!(err.to_string().contains("roll back"), "{err}");
    let mut tampered = fed.registry(6);
    tampered["credentialSubject"]["members"][0]["accreditations"][0]["tracks"] = json!([]);
    assert!(trust
        .add_registry(tampered, &[fed.root.verifying_key()], now())
        .is_err());
    assert!(trust
        .add_registry(
            fed.registry(6),
            &[fed.root.verifying_key()],
            t("2027-02-01T00:00:00Z")
        )
        .is_err());
}

#[test]
fn an_appended_context_is_not_read_as_signed_content() {
    let fed = Federation::new();
    let mut doc: Value = serde_json::from_slice(&fed.certificate(|_| {})).unwrap();
    doc["@context"]
        .as_array_mut()
        .unwrap()
        .push(json!("https://attacker.example/context"));
    let report = verify(&serde_json::to_vec(&doc).unwrap(), &fed.snapshot(), now());
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
}

#[test]
fn an_expired_proof_is_an_invalid_signature() {
    let fed = Federation::new();
    let mut doc = unsigned_certificate(ISSUER);
    doc.as_object_mut().unwrap().remove("proof");
    let signed = sign(
        &doc,
        &fed.issuer_key,
        &ProofOptions::assertion(VM, Some("2026-03-01T09:00:00Z".into())),
    )
    .unwrap();
    // Re-sign with proof.expires in the proof options, as a Data Integrity proof may carry.
    let mut proof = signed["proof"].clone();
    proof.as_object_mut().unwrap().remove("proofValue");
    proof["expires"] = json!("2026-05-01T00:00:00Z");
    let mut options = proof.as_object().unwrap().clone();
    options.insert("@context".into(), doc["@context"].clone());
    let canonical_options = crate::jcs::canonicalize(&Value::Object(options.clone())).unwrap();
    let canonical_doc = crate::jcs::canonicalize(&doc).unwrap();
    use sha2::Digest;
    let message = [
        sha2::Sha256::digest(&canonical_options).as_slice(),
        sha2::Sha256::digest(&canonical_doc).as_slice(),
    ]
    .concat();
    let signature = ed25519_dalek::Signer::sign(&fed.issuer_key, &message);
    options.insert(
        "proofValue".into(),
        json!(format!(
            "z{}",
            bs58::encode(signature.to_bytes()).into_string()
        )),
    );
    let mut expiring = doc.clone();
    expiring["proof"] = Value::Object(options);
    let bytes = serde_json::to_vec(&expiring).unwrap();
    assert_eq!(
        verify(&bytes, &fed.snapshot(), t("2026-04-01T00:00:00Z")).verdict,
        Verdict::Valid
    );
    let report = verify(&bytes, &fed.snapshot(), now());
    assert_eq!(report.verdict, Verdict::InvalidSignature, "{report:#?}");
    assert!(report
        .check(CheckId::Proof)
        .unwrap()
        .message
        .contains("expired"));
}

#[test]
fn an_explicit_issuer_cannot_sign_for_another_did() {
    let key = SigningKey::from_bytes(&[3; 32]);
    // A did:web document that lists a method under someone else's DID is refused.
    let mut doc = did::DidDocument::for_did_web(
        "did:web:mallory.example",
        &[("k".into(), key.verifying_key())],
    )
    .unwrap();
    doc.verification_method[0].id = format!("{ISSUER}#key-2026");
    doc.assertion_method = vec![json!(format!("{ISSUER}#key-2026"))];
    let mut trust = TrustSnapshot::new();
    assert!(trust.trust_issuer_document(&doc).is_err());
}

mod status {
    use super::*;
    use crate::status_list::{
        status_list_credential, BitstringStatusList, StatusListEntry, StatusPurpose, MIN_ENTRIES,
    };

    const LIST: &str = "https://certs.cpocus.ca/status/revocation/1";

    fn list(
        fed: &Federation,
        bits: &[u64],
        from: &str,
        until: Option<&str>,
        created: &str,
    ) -> Value {
        let mut list = BitstringStatusList::new(MIN_ENTRIES).unwrap();
        for &b in bits {
            list.set(b, true).unwrap();
        }
        let doc = status_list_credential(
            LIST,
            ISSUER,
            StatusPurpose::Revocation,
            &list,
            t(from),
            until.map(t),
        );
        sign(
            &doc,
            &fed.issuer_key,
            &ProofOptions::assertion(VM, Some(created.into())),
        )
        .unwrap()
    }

    #[test]
    fn a_list_whose_proof_has_expired_is_refused() {
        let fed = Federation::new();
        let mut doc = list(
            &fed,
            &[],
            "2026-05-01T00:00:00Z",
            None,
            "2026-05-01T00:00:00Z",
        );
        doc.as_object_mut().unwrap().remove("proof");
        let options = ProofOptions::assertion(VM, Some("2026-05-01T00:00:00Z".into()))
            .expiring("2026-05-15T00:00:00Z");
        let signed = sign(&doc, &fed.issuer_key, &options).unwrap();
        let mut trust = fed.snapshot();
        let err = trust
            .add_status_list(LIST, signed.clone(), now())
            .unwrap_err();
        assert!(err.to_string().contains("expired"), "{err}");
        // Before it expires, the same list is accepted.
        trust
            .add_status_list(LIST, signed, t("2026-05-10T00:00:00Z"))
            .unwrap();
    }

    fn revocable(fed: &Federation) -> Vec<u8> {
        fed.certificate(|d| {
            d["credentialStatus"] =
                json!([StatusListEntry::new(StatusPurpose::Revocation, LIST, 94_567).to_value()]);
        })
    }

    #[test]
    fn revoked_and_fresh_lists_decide_the_status() {
        let fed = Federation::new();
        let cert = revocable(&fed);
        let mut trust = fed.snapshot();
        assert_eq!(verdict(&cert, &trust), Verdict::StatusUnknown);
        trust
            .add_status_list(
                LIST,
                list(
                    &fed,
                    &[],
                    "2026-06-01T00:00:00Z",
                    Some("2026-06-02T00:00:00Z"),
                    "2026-06-01T00:00:00Z",
                ),
                now(),
            )
            .unwrap();
        assert_eq!(verdict(&cert, &trust), Verdict::Valid);
        trust
            .add_status_list(
                LIST,
                list(
                    &fed,
                    &[94_567],
                    "2026-06-01T06:00:00Z",
                    Some("2026-06-02T00:00:00Z"),
                    "2026-06-01T06:00:00Z",
                ),
                now(),
            )
            .unwrap();
        assert_eq!(verdict(&cert, &trust), Verdict::Revoked);
        // The list's own expiry: after it, the status is unknown, not "not revoked".
        assert_eq!(
            verify(&cert, &trust, t("2026-06-02T00:00:00Z")).verdict,
            Verdict::StatusUnknown
        );
    }

    #[test]
    fn an_older_list_cannot_replace_a_newer_one() {
        let fed = Federation::new();
        let mut trust = fed.snapshot();
        trust
            .add_status_list(
                LIST,
                list(
                    &fed,
                    &[94_567],
                    "2026-06-01T06:00:00Z",
                    None,
                    "2026-06-01T06:00:00Z",
                ),
                now(),
            )
            .unwrap();
        let replay = list(
            &fed,
            &[],
            "2026-05-30T00:00:00Z",
            None,
            "2026-05-30T00:00:00Z",
        );
        let err = trust.add_status_list(LIST, replay, now()).unwrap_err();
        assert!(
            err.to_string().contains("before the copy already held"),
            "{err}"
        );
        assert_eq!(verdict(&revocable(&fed), &trust), Verdict::Revoked);
    }

    /// §7.5 step 7: with one validFrom, proof.created orders two versions.
    #[test]
    fn a_list_signed_earlier_with_the_same_valid_from_cannot_replace_the_later_one() {
        let fed = Federation::new();
        let mut trust = fed.snapshot();
        let from = "2026-06-01T06:00:00Z";
        trust
            .add_status_list(
                LIST,
                list(&fed, &[94_567], from, None, "2026-06-01T06:00:30Z"),
                now(),
            )
            .unwrap();
        let earlier = list(&fed, &[], from, None, "2026-06-01T06:00:00Z");
        let err = trust.add_status_list(LIST, earlier, now()).unwrap_err();
        assert!(
            err.to_string().contains("signed 2026-06-01T06:00:00Z"),
            "{err}"
        );
        assert_eq!(verdict(&revocable(&fed), &trust), Verdict::Revoked);
        // Signed later again, it replaces the held one.
        trust
            .add_status_list(
                LIST,
                list(&fed, &[94_567, 7], from, None, "2026-06-01T06:01:00Z"),
                now(),
            )
            .unwrap();
        assert!(trust.status_list(LIST).unwrap().list.list.get(7).unwrap());
    }

    /// §7.4 and §7.5 step 8: revocation is final. A newer list of the same issuer
    /// that clears a revocation bit (an issuer's mistake, or a stolen key) is taken
    /// for its other bits, but the revocation stays; a verifier that restarts and
    /// reads only the newer list puts it back with `keep_revoked`.
    #[test]
    fn a_revocation_once_seen_stays_when_a_newer_list_clears_it() {
        let fed = Federation::new();
        let mut trust = fed.snapshot();
        trust
            .add_status_list(
                LIST,
                list(
                    &fed,
                    &[94_567],
                    "2026-06-01T06:00:00Z",
                    None,
                    "2026-06-01T06:00:00Z",
                ),
                now(),
            )
            .unwrap();
        let cleared = list(
            &fed,
            &[12],
            "2026-06-01T07:00:00Z",
            None,
            "2026-06-01T07:00:00Z",
        );
        trust.add_status_list(LIST, cleared.clone(), now()).unwrap();
        let held = trust.status_list(LIST).unwrap();
        assert_eq!(held.kept_revoked, vec![94_567]);
        assert!(
            held.list.list.get(12).unwrap(),
            "the newer list's own bits count"
        );
        assert_eq!(verdict(&revocable(&fed), &trust), Verdict::Revoked);

        let mut restarted = fed.snapshot();
        restarted.add_status_list(LIST, cleared, now()).unwrap();
        assert_eq!(verdict(&revocable(&fed), &restarted), Verdict::Valid);
        let issuer = restarted
            .status_list(LIST)
            .unwrap()
            .list
            .issuer
            .clone()
            .unwrap();
        restarted.keep_revoked(LIST, &issuer, &[94_567, u64::MAX]);
        assert_eq!(verdict(&revocable(&fed), &restarted), Verdict::Revoked);
        // Another issuer's id changes nothing.
        let mut other = fed.snapshot();
        other
            .add_status_list(
                LIST,
                list(
                    &fed,
                    &[],
                    "2026-06-01T07:00:00Z",
                    None,
                    "2026-06-01T07:00:00Z",
                ),
                now(),
            )
            .unwrap();
        other.keep_revoked(LIST, "did:web:someone.else", &[94_567]);
        assert_eq!(verdict(&revocable(&fed), &other), Verdict::Valid);
    }

    #[test]
    fn lists_without_expiry_age_from_when_they_were_issued() {
        let fed = Federation::new();
        let mut trust = fed.snapshot();
        trust
            .add_status_list(
                LIST,
                list(
                    &fed,
                    &[],
                    "2026-05-20T00:00:00Z",
                    None,
                    "2026-05-20T00:00:00Z",
                ),
                now(),
            )
            .unwrap();
        let report = verify(&revocable(&fed), &trust, now());
        assert_eq!(report.verdict, Verdict::StatusUnknown, "{report:#?}");
        let mut trust = fed.snapshot();
        trust
            .add_status_list(
                LIST,
                list(
                    &fed,
                    &[],
                    "2026-05-30T00:00:00Z",
                    None,
                    "2026-05-30T00:00:00Z",
                ),
                now(),
            )
            .unwrap();
        let report = verify(&revocable(&fed), &trust, now());
        assert_eq!(report.verdict, Verdict::Valid);
        assert_eq!(
            report.check(CheckId::Status).unwrap().status,
            CheckStatus::Warn
        );
    }

    /// SPEC.md §7.5: a list is held under its id, wherever it was fetched from, so a
    /// copy relayed by a peer answers for the URL credentials name, and for no other.
    #[test]
    fn a_list_fetched_from_a_peer_answers_for_its_id() {
        let fed = Federation::new();
        let mut trust = fed.snapshot();
        let peer = "https://peer.example/relay/7";
        trust
            .add_status_list(
                peer,
                list(
                    &fed,
                    &[94_567],
                    "2026-06-01T00:00:00Z",
                    Some("2026-06-02T00:00:00Z"),
                    "2026-06-01T00:00:00Z",
                ),
                now(),
            )
            .unwrap();
        assert!(trust.status_list(peer).is_none());
        assert!(trust.status_list(LIST).is_some());
        assert_eq!(verdict(&revocable(&fed), &trust), Verdict::Revoked);
        // A credential pointing at another list does not read this one.
        let elsewhere = fed.certificate(|d| {
            d["credentialStatus"] = json!([StatusListEntry::new(
                StatusPurpose::Revocation,
                "https://certs.cpocus.ca/status/revocation/2",
                94_567
            )
            .to_value()]);
        });
        assert_eq!(verdict(&elsewhere, &trust), Verdict::StatusUnknown);
        // Replay protection holds by id: an older copy is refused wherever it comes from.
        let err = trust
            .add_status_list(
                LIST,
                list(
                    &fed,
                    &[],
                    "2026-05-30T00:00:00Z",
                    Some("2026-06-02T00:00:00Z"),
                    "2026-05-30T00:00:00Z",
                ),
                now(),
            )
            .unwrap_err();
        assert!(
            err.to_string().contains("before the copy already held"),
            "{err}"
        );
        // A list without an id answers for nothing, so it is refused.
        let mut anonymous = list(
            &fed,
            &[],
            "2026-06-01T06:00:00Z",
            None,
            "2026-06-01T06:00:00Z",
        );
        anonymous.as_object_mut().unwrap().remove("proof");
        anonymous.as_object_mut().unwrap().remove("id");
        let anonymous = sign(
            &anonymous,
            &fed.issuer_key,
            &ProofOptions::assertion(VM, Some("2026-06-01T06:00:00Z".into())),
        )
        .unwrap();
        let err = trust.add_status_list(LIST, anonymous, now()).unwrap_err();
        assert!(err.to_string().contains("has no id"), "{err}");
    }

    /// Lists are held per id and issuer: a list another key signs under the same id
    /// (any did:key resolves itself, so anyone can sign one) neither answers for the
    /// credential's issuer nor displaces its list, nor blocks its next one by claiming
    /// a later `validFrom`.
    #[test]
    fn another_issuers_list_under_the_same_id_neither_answers_nor_displaces() {
        let fed = Federation::new();
        let mut trust = fed.snapshot();
        trust
            .add_status_list(
                LIST,
                list(
                    &fed,
                    &[94_567],
                    "2026-06-01T00:00:00Z",
                    Some("2026-06-02T00:00:00Z"),
                    "2026-06-01T00:00:00Z",
                ),
                now(),
            )
            .unwrap();
        let stranger = SigningKey::from_bytes(&[7; 32]);
        let stranger_did = did::did_key(&stranger.verifying_key());
        let all_clear = status_list_credential(
            LIST,
            &stranger_did,
            StatusPurpose::Revocation,
            &BitstringStatusList::new(MIN_ENTRIES).unwrap(),
            t("2026-06-01T11:00:00Z"),
            Some(t("2026-12-01T00:00:00Z")),
        );
        let all_clear = sign(
            &all_clear,
            &stranger,
            &ProofOptions::assertion(
                did::did_key_verification_method(&stranger.verifying_key()),
                Some("2026-06-01T11:00:00Z".into()),
            ),
        )
        .unwrap();
        trust.add_status_list(LIST, all_clear, now()).unwrap();
        assert_eq!(verdict(&revocable(&fed), &trust), Verdict::Revoked);
        // The issuer's own next list, issued before the stranger's, still replaces its own.
        trust
            .add_status_list(
                LIST,
                list(
                    &fed,
                    &[94_567, 5],
                    "2026-06-01T06:00:00Z",
                    Some("2026-06-02T00:00:00Z"),
                    "2026-06-01T06:00:00Z",
                ),
                now(),
            )
            .unwrap();
        let issuer = ISSUER;
        let own = trust.status_list_of(LIST, issuer).unwrap();
        assert!(
            own.list.list.get(5).unwrap(),
            "the issuer's newer list is held"
        );
        assert_eq!(verdict(&revocable(&fed), &trust), Verdict::Revoked);
    }

    #[test]
    fn a_list_answers_for_its_own_id_wherever_it_was_fetched_from() {
        let fed = Federation::new();
        let cert = revocable(&fed);
        let revoked = list(
            &fed,
            &[94_567],
            "2026-06-01T06:00:00Z",
            None,
            "2026-06-01T06:00:00Z",
        );
        // Relayed by a peer: fetched from the peer's URL, held under the list's id.
        let mut trust = fed.snapshot();
        let relay = "http://127.0.0.1:8701/relay/status-list?id=x";
        trust
            .add_status_list(relay, revoked.clone(), now())
            .unwrap();
        assert_eq!(verdict(&cert, &trust), Verdict::Revoked);
        assert_eq!(trust.status_list(LIST).unwrap().fetched_from, relay);
        // Served under another list's URL: it answers for its own id, not that URL.
        let mut trust = fed.snapshot();
        let other = "https://certs.cpocus.ca/status/revocation/2";
        trust.add_status_list(other, revoked, now()).unwrap();
        assert!(trust.status_list(other).is_none());
        let other_cert = fed.certificate(|d| {
            d["credentialStatus"] =
                json!([StatusListEntry::new(StatusPurpose::Revocation, other, 94_567).to_value()]);
        });
        assert_eq!(verdict(&other_cert, &trust), Verdict::StatusUnknown);
        assert_eq!(verdict(&cert, &trust), Verdict::Revoked);
    }

    #[test]
    fn a_list_signed_after_its_key_was_compromised_is_refused() {
        let mut fed = Federation::new();
        fed.member.keys[0].compromised_at = Some("2026-05-15T00:00:00Z".into());
        let mut trust = fed.snapshot();
        let err = trust
            .add_status_list(
                LIST,
                list(
                    &fed,
                    &[],
                    "2026-06-01T00:00:00Z",
                    None,
                    "2026-06-01T00:00:00Z",
                ),
                now(),
            )
            .unwrap_err();
        assert!(err.to_string().contains("compromised"), "{err}");
    }
}

#[test]
fn a_registry_listing_a_member_twice_is_refused() {
    let fed = Federation::new();
    let signed = crate::sample::signed_registry(
        &fed.root,
        2,
        vec![fed.member.clone(), fed.member.clone()],
        t("2026-01-01T00:00:00Z"),
        t("2027-01-01T00:00:00Z"),
    )
    .unwrap();
    let err = TrustSnapshot::new()
        .add_registry(signed, &[fed.root.verifying_key()], now())
        .unwrap_err();
    assert!(err.to_string().contains("listed twice"), "{err}");
}

/// A second federation listing the same issuer, with its own root and `issuer_key`.
fn second_federation(issuer_key: SigningKey, accreditations: Vec<Accreditation>) -> Federation {
    Federation {
        root: SigningKey::from_bytes(&[3; 32]),
        member: crate::sample::member(
            ISSUER,
            "Canadian Point of Care Ultrasound Society",
            VM,
            &issuer_key.verifying_key(),
            accreditations,
        ),
        issuer_key,
    }
}

fn trusting_both(a: &Federation, b: &Federation) -> TrustSnapshot {
    let mut trust = TrustSnapshot::new();
    for fed in [a, b] {
        trust
            .add_registry(fed.registry(1), &[fed.root.verifying_key()], now())
            .unwrap();
    }
    trust
}

#[test]
fn another_registrys_key_under_the_same_id_does_not_vouch_for_a_signature() {
    // Federation A lists the issuer's key as compromised before the credential was
    // signed; federation B lists a different key under the same id, in good standing.
    let mut a = Federation::new();
    a.member.keys[0].compromised_at = Some("2026-02-15T00:00:00Z".into());
    let b = second_federation(
        SigningKey::from_bytes(&[4; 32]),
        a.member.accreditations.clone(),
    );
    let trust = trusting_both(&a, &b);
    let report = verify(&a.certificate(|_| {}), &trust, now());
    assert_eq!(report.verdict, Verdict::UntrustedIssuer, "{report:#?}");
    assert!(report
        .check(CheckId::Issuer)
        .unwrap()
        .message
        .contains("compromised"));
    // What B's key signed is trusted through B.
    assert_eq!(verdict(&b.certificate(|_| {}), &trust), Verdict::Valid);
}

#[test]
fn accreditation_by_any_registry_that_trusts_the_issuer_counts() {
    let a = Federation::new();
    let b = second_federation(
        a.issuer_key.clone(),
        vec![Accreditation {
            credential_type: "PocusIpCertificate".into(),
            tracks: vec![Track::Resus],
            applications: vec![],
        }],
    );
    let resus = a.resus_certificate();
    assert_eq!(verdict(&resus, &a.snapshot()), Verdict::NotAccredited);
    let report = verify(&resus, &trusting_both(&a, &b), now());
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
    assert!(report
        .check(CheckId::Accreditation)
        .unwrap()
        .message
        .contains("RESUS"));
}

#[test]
fn a_registry_whose_proof_has_expired_is_refused() {
    let fed = Federation::new();
    let mut doc = fed.registry(1);
    doc.as_object_mut().unwrap().remove("proof");
    let vm = did::did_key_verification_method(&fed.root.verifying_key());
    let options = ProofOptions::assertion(vm, Some("2026-01-01T00:00:00Z".into()))
        .expiring("2026-03-01T00:00:00Z");
    let signed = sign(&doc, &fed.root, &options).unwrap();
    let mut trust = TrustSnapshot::new();
    let err = trust
        .add_registry(signed.clone(), &[fed.root.verifying_key()], now())
        .unwrap_err();
    assert!(err.to_string().contains("expired"), "{err}");
    trust
        .add_registry(
            signed,
            &[fed.root.verifying_key()],
            t("2026-02-01T00:00:00Z"),
        )
        .unwrap();
}

#[test]
fn after_a_bad_signature_the_other_checks_still_report_on_the_issuer() {
    let fed = Federation::new();
    let cert = fed.certificate(|_| {});
    let tampered = String::from_utf8(cert)
        .unwrap()
        .replace("IP-2026-00417", "IP-2026-00418");
    let report = verify(tampered.as_bytes(), &fed.snapshot(), now());
    assert_eq!(report.verdict, Verdict::InvalidSignature);
    let issuer = report.check(CheckId::Issuer).unwrap();
    assert_eq!(issuer.status, CheckStatus::Pass, "{}", issuer.message);
    assert!(
        issuer.message.contains("active member"),
        "{}",
        issuer.message
    );
}

/// SPEC.md §5.6 rule 14: a signed subject whose `course` is written as an array is
/// malformed, however well the array's items would fill the object's members.
#[test]
fn a_subject_object_written_as_an_array_is_malformed() {
    let fed = Federation::new();
    let cert = fed.certificate(|d| {
        d["credentialSubject"]["course"] = json!([
            "CPOCUS-MSK-2025-0142",
            "Western Ultrasound Academy",
            "2025-10-04"
        ]);
    });
    let report = verify(&cert, &fed.snapshot(), now());
    assert_eq!(report.verdict, Verdict::Malformed, "{report:#?}");
    let format = report.check(CheckId::Format).unwrap();
    assert!(
        format.message.contains("credentialSubject: course: "),
        "{}",
        format.message
    );
    let cert = fed.certificate(|d| d["credentialSubject"]["id"] = Value::Null);
    assert_eq!(verdict(&cert, &fed.snapshot()), Verdict::Malformed);
}

/// SPEC.md §6.2: `compromisedAt`, a key's `validUntil` and `statusSince` are
/// date-times when present; `null` is not absent, and an object member written as an
/// array is not the object. Either makes the registry malformed, naming the member.
#[test]
fn a_registry_with_null_or_mistyped_members_is_refused_naming_them() {
    let fed = Federation::new();
    let registry = crate::registry::Registry {
        name: "Probity POCUS federation".into(),
        version: 2,
        members: vec![fed.member.clone()],
    };
    let root_did = did::did_key(&fed.root.verifying_key());
    let unsigned = crate::registry::registry_credential(
        &root_did,
        &registry,
        t("2026-01-01T00:00:00Z"),
        t("2027-01-01T00:00:00Z"),
    );
    let vm = did::did_key_verification_method(&fed.root.verifying_key());
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Edit)> = vec![
        (
            "members[0].keys[0].compromisedAt",
            Box::new(|m| m["keys"][0]["compromisedAt"] = Value::Null),
        ),
        (
            "members[0].keys[0].validUntil",
            Box::new(|m| m["keys"][0]["validUntil"] = Value::Null),
        ),
        (
            "members[0].statusSince",
            Box::new(|m| m["statusSince"] = Value::Null),
        ),
        (
            "members[0].endpoints",
            Box::new(|m| {
                m["endpoints"] = json!(["https://certs.cpocus.ca", "https://certs.cpocus.ca/s/"])
            }),
        ),
        (
            "members[0].keys[0]",
            Box::new(|m| {
                let key = m["keys"][0].clone();
                m["keys"][0] = json!([key["id"], key["publicKeyMultibase"], key["validFrom"]]);
            }),
        ),
    ];
    for (path, edit) in cases {
        let mut doc = unsigned.clone();
        edit(&mut doc["credentialSubject"]["members"][0]);
        let signed = sign(
            &doc,
            &fed.root,
            &ProofOptions::assertion(vm.clone(), Some("2026-01-01T00:00:00Z".into())),
        )
        .unwrap();
        let err = TrustSnapshot::new()
            .add_registry(signed, &[fed.root.verifying_key()], now())
            .unwrap_err();
        assert!(
            err.to_string()
                .contains(&format!("credentialSubject.{path}: ")),
            "{path}: {err}"
        );
    }
    // Left out, they are simply absent.
    let signed = sign(
        &unsigned,
        &fed.root,
        &ProofOptions::assertion(vm, Some("2026-01-01T00:00:00Z".into())),
    )
    .unwrap();
    TrustSnapshot::new()
        .add_registry(signed, &[fed.root.verifying_key()], now())
        .unwrap();
}

/// SPEC.md §8.2, §11: a did:key member's key is its key whichever method id a proof
/// names. Its registry entry calls it `#key-1`; the proofs here name the
/// self-certifying `did:key:<mb>#<mb>`, which resolves to the same key.
mod self_certifying_member_key {
    use super::*;
    use crate::status_list::{status_list_credential, BitstringStatusList, StatusPurpose};

    const COMPROMISED: &str = "2026-05-15T00:00:00Z";

    fn federation() -> (Federation, String) {
        let key = SigningKey::from_bytes(&[6; 32]);
        let did = did::did_key(&key.verifying_key());
        let mut member = crate::sample::member(
            &did,
            "Northern Point of Care Clinic",
            &format!("{did}#key-1"),
            &key.verifying_key(),
            crate::sample::ip_certificates_in_every_track(),
        );
        member.keys[0].compromised_at = Some(COMPROMISED.into());
        let fed = Federation {
            root: SigningKey::from_bytes(&[1; 32]),
            issuer_key: key,
            member,
        };
        (fed, did)
    }

    fn self_certifying(fed: &Federation) -> String {
        did::did_key_verification_method(&fed.issuer_key.verifying_key())
    }

    fn certificate(fed: &Federation, did: &str, created: &str) -> Vec<u8> {
        let signed = sign(
            &unsigned_certificate(did),
            &fed.issuer_key,
            &ProofOptions::assertion(self_certifying(fed), Some(created.into())),
        )
        .unwrap();
        serde_json::to_vec(&signed).unwrap()
    }

    #[test]
    fn a_credential_signed_after_the_compromise_is_untrusted_for_the_compromise() {
        let (fed, did) = federation();
        let report = verify(
            &certificate(&fed, &did, "2026-06-01T00:00:00Z"),
            &fed.snapshot(),
            now(),
        );
        assert_eq!(report.verdict, Verdict::UntrustedIssuer, "{report:#?}");
        let issuer = report.check(CheckId::Issuer).unwrap();
        assert!(issuer.message.contains("compromised"), "{}", issuer.message);
        // Signed before the compromise, it is the member's credential.
        let report = verify(
            &certificate(&fed, &did, "2026-03-01T09:00:00Z"),
            &fed.snapshot(),
            now(),
        );
        assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
    }

    #[test]
    fn a_status_list_signed_after_the_compromise_is_refused() {
        let (fed, did) = federation();
        let url = "https://clinic.example/status/1";
        let bits = BitstringStatusList::new(crate::status_list::MIN_ENTRIES).unwrap();
        let list = |created: &str| {
            let doc = status_list_credential(
                url,
                &did,
                StatusPurpose::Revocation,
                &bits,
                t(created),
                None,
            );
            sign(
                &doc,
                &fed.issuer_key,
                &ProofOptions::assertion(self_certifying(&fed), Some(created.into())),
            )
            .unwrap()
        };
        let mut trust = fed.snapshot();
        let err = trust
            .add_status_list(url, list("2026-06-01T00:00:00Z"), now())
            .unwrap_err();
        assert!(err.to_string().contains("compromised"), "{err}");
        trust
            .add_status_list(url, list("2026-05-01T00:00:00Z"), now())
            .unwrap();
    }
}

/// SPEC.md §8.6: an issuer whose DID method Probity cannot resolve is untrusted, and
/// the report says so rather than that it is merely not a member.
#[test]
fn an_issuer_of_a_did_method_probity_cannot_resolve_is_untrusted_saying_why() {
    let key = SigningKey::from_bytes(&[8; 32]);
    let signed = sign(
        &unsigned_certificate("did:example:123"),
        &key,
        &ProofOptions::assertion("did:example:123#key-1", Some("2026-03-01T09:00:00Z".into())),
    )
    .unwrap();
    let report = verify(
        &serde_json::to_vec(&signed).unwrap(),
        &Federation::new().snapshot(),
        now(),
    );
    assert_eq!(report.verdict, Verdict::UntrustedIssuer, "{report:#?}");
    let issuer = report.check(CheckId::Issuer).unwrap();
    assert_eq!(issuer.status, CheckStatus::Fail);
    assert!(
        issuer.message.contains("\"example\"") && issuer.message.contains("cannot resolve"),
        "{}",
        issuer.message
    );
}

/// SPEC.md §8.8: as of a time before its proof was created, a credential had not been
/// issued: NOT_YET_VALID, whatever its validFrom says, with a sentence saying when it
/// was signed. Its issuer is still judged (with `t` = `proof.created`), so an
/// untrusted one stays untrusted.
#[test]
fn verifying_as_of_before_it_was_signed_is_not_yet_valid() {
    let fed = Federation::new();
    let trust = fed.snapshot();
    // Valid from 2026-03-01T00:00:00Z, signed at 09:00 that day.
    let cert = fed.certificate(|_| {});
    for at in ["2026-03-01T08:00:00Z", "2026-02-01T00:00:00Z"] {
        let report = verify(&cert, &trust, t(at));
        assert_eq!(report.verdict, Verdict::NotYetValid, "{at}: {report:#?}");
        let validity = report.check(CheckId::Validity).unwrap();
        assert_eq!(validity.status, CheckStatus::Fail);
        assert!(
            validity.message.contains("signed at 2026-03-01T09:00:00Z")
                && validity.message.contains(at),
            "{}",
            validity.message
        );
        assert_eq!(
            report.check(CheckId::Issuer).unwrap().status,
            CheckStatus::Pass
        );
    }
    // Within the clock skew, it stands.
    assert_eq!(
        verify(&cert, &trust, t("2026-03-01T08:56:00Z")).verdict,
        Verdict::Valid
    );
    let stranger = SigningKey::from_bytes(&[5; 32]);
    let signed = sign(
        &unsigned_certificate(&did::did_key(&stranger.verifying_key())),
        &stranger,
        &ProofOptions::assertion(
            did::did_key_verification_method(&stranger.verifying_key()),
            Some("2026-03-01T09:00:00Z".into()),
        ),
    )
    .unwrap();
    let report = verify(
        &serde_json::to_vec(&signed).unwrap(),
        &trust,
        t("2026-02-01T00:00:00Z"),
    );
    assert_eq!(report.verdict, Verdict::UntrustedIssuer, "{report:#?}");
}
