//! Full verification of a realistic IP certificate against bare strict Ed25519
//! verification, measured in the same run on one core.
//!
//! Run with `cargo bench -p probity-spec`. The target is full verification at 75% or
//! more of the bare rate: parsing, canonicalization, hashing and the trust and status
//! lookups should cost little next to the signature check itself.
//!
//! A plain harness rather than a benchmarking framework: the figure that matters is a
//! ratio of two rates taken under the same conditions, which this prints directly.

use ed25519_dalek::{Signer, SigningKey};
use probity_spec::model::IpCertificateSubject;
use probity_spec::proof::{sign, ProofOptions};
use probity_spec::registry::{registry_credential, Registry};
use probity_spec::status_list::{
    status_list_credential, BitstringStatusList, StatusListEntry, StatusPurpose, MIN_ENTRIES,
};
use probity_spec::trust::TrustSnapshot;
use probity_spec::{did, sample, time, verify, Verdict};
use std::hint::black_box;
use std::time::{Duration, Instant};

const ISSUER: &str = "did:web:certs.cpocus.ca";
const VM: &str = "did:web:certs.cpocus.ca#key-2026";
const REVOCATION: &str = "https://certs.cpocus.ca/status/revocation/1";
const SUSPENSION: &str = "https://certs.cpocus.ca/status/suspension/1";

fn main() {
    let now = time::parse("2026-06-01T12:00:00Z").unwrap();
    let root = SigningKey::from_bytes(&[1; 32]);
    let issuer = SigningKey::from_bytes(&[2; 32]);

    // The federation: one certifying body, accredited for every track.
    let member = sample::member(
        ISSUER,
        "Canadian Point of Care Ultrasound Society",
        VM,
        &issuer.verifying_key(),
        sample::ip_certificates_in_every_track(),
    );
    let registry = Registry {
        name: "Probity POCUS federation".into(),
        version: 1,
        members: vec![member],
    };
    let root_vm = did::did_key_verification_method(&root.verifying_key());
    let registry_doc = sign(
        &registry_credential(
            &did::did_key(&root.verifying_key()),
            &registry,
            time::parse("2026-01-01T00:00:00Z").unwrap(),
            time::parse("2027-01-01T00:00:00Z").unwrap(),
        ),
        &root,
        &ProofOptions::assertion(root_vm, None),
    )
    .unwrap();
    let mut trust = TrustSnapshot::new();
    trust
        .add_registry(registry_doc, &[root.verifying_key()], now)
        .unwrap();

    // Revocation and suspension lists with a few other credentials' bits set.
    for (url, purpose) in [
        (REVOCATION, StatusPurpose::Revocation),
        (SUSPENSION, StatusPurpose::Suspension),
    ] {
        let mut list = BitstringStatusList::new(MIN_ENTRIES).unwrap();
        for i in [7u64, 1_000, 94_566, 120_000] {
            list.set(i, true).unwrap();
        }
        let doc = status_list_credential(
            url,
            ISSUER,
            purpose,
            &list,
            time::parse("2026-05-31T00:00:00Z").unwrap(),
            Some(time::parse("2026-06-30T00:00:00Z").unwrap()),
        );
        let signed = sign(&doc, &issuer, &ProofOptions::assertion(VM, None)).unwrap();
        trust.add_status_list(url, signed, now).unwrap();
    }

    // The certificate, every field of the data model filled.
    let entry = |url: &str, purpose| StatusListEntry::new(purpose, url, 94_567);
    let envelope = sample::envelope(
        ISSUER,
        Some("Canadian Point of Care Ultrasound Society"),
        vec![
            entry(REVOCATION, StatusPurpose::Revocation),
            entry(SUSPENSION, StatusPurpose::Suspension),
        ],
    );
    let subject = sample::ip_certificate_subject();
    let unsigned = probity_spec::model::ip_certificate(&envelope, &subject).unwrap();
    let signed = sign(
        &unsigned,
        &issuer,
        &ProofOptions::assertion(VM, Some("2026-03-01T09:12:44Z".into())),
    )
    .unwrap();
    let bytes = serde_json::to_vec(&signed).unwrap();
    let report = verify(&bytes, &trust, now);
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");

    // Bare strict Ed25519 over a 64-byte message, the size eddsa-jcs-2022 signs.
    let message = [0x5a_u8; 64];
    let signature = issuer.sign(&message);
    let public = issuer.verifying_key();

    if std::env::var("PROBITY_BENCH_PROFILE").is_ok() {
        rate(Duration::from_secs(3), || {
            black_box(verify(black_box(&bytes), &trust, now));
        });
        return;
    }
    if std::env::var("PROBITY_BENCH_PARTS").is_ok() {
        // Where the time goes, step by step.
        let b = Duration::from_millis(400);
        let part = |name: &str, us: f64| println!("  {name:<28}{us:>8.1} µs");
        part(
            "  floor: serde_json, no tree",
            1e6 / rate(b, || {
                black_box(
                    serde_json::from_slice::<serde::de::IgnoredAny>(black_box(&bytes)).unwrap(),
                );
            }),
        );
        part(
            "parse (borrowed, sorted)",
            1e6 / rate(b, || {
                black_box(probity_spec::json::parse_borrowed(black_box(&bytes)).unwrap());
            }),
        );
        let json = probity_spec::json::parse_borrowed(&bytes).unwrap();
        part(
            "validate (format check)",
            1e6 / rate(b, || {
                black_box(probity_spec::model::validate_credential(black_box(&json)).unwrap());
            }),
        );
        let subject = json.get("credentialSubject").unwrap();
        part(
            "  of which: typed subject",
            1e6 / rate(b, || {
                black_box(
                    <IpCertificateSubject as serde::Deserialize>::deserialize(black_box(subject))
                        .unwrap(),
                );
            }),
        );
        let status = json.get("credentialStatus").unwrap();
        part(
            "  of which: status entries",
            1e6 / rate(b, || {
                let mut w = serde_json::Map::new();
                w.insert("credentialStatus".into(), status.to_value());
                black_box(
                    probity_spec::status_list::entries_of(&serde_json::Value::Object(w)).unwrap(),
                );
            }),
        );
        let view = probity_spec::proof::view(&json).unwrap();
        part(
            "read proof",
            1e6 / rate(b, || {
                black_box(probity_spec::proof::view(black_box(&json)).unwrap());
            }),
        );
        part(
            "canonical forms (JCS)",
            1e6 / rate(b, || {
                black_box(view.canonical_forms().unwrap());
            }),
        );
        part(
            "hash + strict Ed25519",
            1e6 / rate(b, || {
                view.verify_signature(&issuer.verifying_key()).unwrap();
            }),
        );
    }
    let round = Duration::from_millis(
        std::env::var("PROBITY_BENCH_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(250),
    );
    // This machine is shared and its speed drifts, so the two are measured in short
    // alternating rounds, and each round's ratio compares neighbours in time. The
    // median of those ratios is the figure; the best rates are shown beside it.
    let mut ratios = Vec::new();
    let (mut best_full, mut best_bare) = (0.0f64, 0.0f64);
    for _ in 0..16 {
        let bare = rate(round, || {
            black_box(public.verify_strict(black_box(&message), black_box(&signature))).unwrap();
        });
        let full = rate(round, || {
            let report = verify(black_box(&bytes), &trust, now);
            assert!(report.is_valid());
        });
        best_bare = best_bare.max(bare);
        best_full = best_full.max(full);
        ratios.push(full / bare);
    }
    ratios.sort_by(f64::total_cmp);
    let median = (ratios[7] + ratios[8]) / 2.0;
    println!(
        "credential: {} bytes of JSON, 2 status entries, registry member issuer",
        bytes.len()
    );
    println!(
        "bare strict Ed25519 verify:   {best_bare:>10.0} /s  ({:.1} µs), best of 16 rounds",
        1e6 / best_bare
    );
    println!(
        "full verify() of certificate: {best_full:>10.0} /s  ({:.1} µs), best of 16 rounds",
        1e6 / best_full
    );
    println!(
        "ratio full/bare: median {:.1}% of 16 paired rounds (lowest {:.1}%, highest {:.1}%), best rates {:.1}%; target at least 75%",
        100.0 * median,
        100.0 * ratios[0],
        100.0 * ratios[15],
        100.0 * best_full / best_bare
    );
}

/// Operations per second of `op`, run for about `budget`.
fn rate(budget: Duration, mut op: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        for _ in 0..64 {
            op();
        }
        n += 64;
    }
    n as f64 / start.elapsed().as_secs_f64()
}
