//! A registry signed with `registry::sign` is one that verifiers accept (SPEC.md §6),
//! issued by the did:key of the key that signed it.

use ed25519_dalek::SigningKey;
use probity_spec::registry::{self, Registry, RegistryError};
use probity_spec::{did, sample, time};

#[test]
fn a_signed_registry_is_accepted_with_its_root_key_pinned() {
    let root = SigningKey::from_bytes(&[3; 32]);
    let body = SigningKey::from_bytes(&[4; 32]);
    let member = sample::member(
        "did:web:certs.cpocus.ca",
        "Canadian Point of Care Ultrasound Society",
        "did:web:certs.cpocus.ca#key-2026",
        &body.verifying_key(),
        sample::ip_certificates_in_every_track(),
    );
    let registry = Registry {
        name: "Probity POCUS federation".into(),
        version: 7,
        members: vec![member],
    };
    let from = time::parse("2026-06-01T00:00:00Z").unwrap();
    let until = time::parse("2026-07-01T00:00:00Z").unwrap();
    let created = time::parse("2026-05-30T08:00:00Z").unwrap();
    let signed = registry::sign(&registry, from, until, &root, created).unwrap();

    let root_did = did::did_key(&root.verifying_key());
    assert_eq!(signed["issuer"], root_did.as_str());
    assert_eq!(signed["proof"]["created"], "2026-05-30T08:00:00Z");
    assert_eq!(
        signed["proof"]["verificationMethod"],
        did::did_key_verification_method(&root.verifying_key()).as_str()
    );

    let now = time::parse("2026-06-15T00:00:00Z").unwrap();
    let verified = registry::verify_registry(signed.clone(), &[root.verifying_key()], now).unwrap();
    assert_eq!(verified.version, 7);
    assert_eq!(verified.federation_did, root_did);
    assert_eq!((verified.valid_from, verified.valid_until), (from, until));
    assert!(verified.member("did:web:certs.cpocus.ca").is_some());

    // Another federation's verifier does not take it.
    let other = SigningKey::from_bytes(&[5; 32]).verifying_key();
    assert!(matches!(
        registry::verify_registry(signed, &[other], now),
        Err(RegistryError::NotPinned(_))
    ));
}
