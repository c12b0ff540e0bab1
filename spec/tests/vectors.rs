//! Every public test vector in `spec/tests/vectors`, reproduced byte for byte: RFC 8785,
//! W3C eddsa-jcs-2022, RFC 8032 and did:key.

mod common;

use common::*;
use ed25519_dalek::{Signer, SigningKey};
use probity_spec::did::{self, Did, DidDocument};
use probity_spec::{jcs, json, multikey, proof};
use serde_json::Value;

#[test]
fn rfc8785_cases_canonicalize_byte_for_byte() {
    for case in [
        "arrays",
        "french",
        "structures",
        "unicode",
        "values",
        "weird",
    ] {
        let input = vector_bytes(&format!("jcs-rfc8785/input/{case}.json"));
        let expected = vector_bytes(&format!("jcs-rfc8785/output/{case}.json"));
        let expected_hex = vector_text(&format!("jcs-rfc8785/outhex/{case}.txt"));
        // The canonicalizer handles every JSON number; Probity's document reader
        // refuses those beyond 2^53 by policy (SPEC.md §2.2), and `values.json` has
        // some, so these inputs are read with serde_json itself.
        let value: Value = serde_json::from_slice(&input).unwrap();
        let canonical = jcs::canonicalize(&value).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&canonical),
            String::from_utf8_lossy(&expected),
            "case {case}"
        );
        let hex_digits: String = expected_hex.split_whitespace().collect();
        assert_eq!(
            hex(&canonical),
            hex_digits.to_lowercase(),
            "case {case} (hex)"
        );
    }
}

#[test]
fn es6_number_serialization_first_10000_lines() {
    let text = vector_text("jcs-rfc8785/es6-numbers-first10000.txt");
    let mut lines = 0;
    for line in text.lines() {
        let (bits, expected) = line.split_once(',').unwrap();
        let n = f64::from_bits(u64::from_str_radix(bits, 16).unwrap());
        assert_eq!(jcs::number_to_string(n).unwrap(), expected, "bits {bits}");
        lines += 1;
    }
    assert_eq!(lines, 10_000);
}

#[test]
fn rfc8785_appendix_b_numbers_and_non_finite_errors() {
    let cases = vector_json("jcs-rfc8785/rfc8785-appendix-b-numbers.json");
    let mut checked = 0;
    for case in cases["cases"].as_array().unwrap() {
        let n =
            f64::from_bits(u64::from_str_radix(case["ieee754_hex"].as_str().unwrap(), 16).unwrap());
        match case["expected"].as_str() {
            Some(expected) if n.is_finite() => {
                assert_eq!(jcs::number_to_string(n).unwrap(), expected);
                checked += 1;
            }
            _ => {
                assert!(!n.is_finite(), "{case}");
                assert!(jcs::number_to_string(n).is_err());
            }
        }
    }
    assert!(checked >= 24);
}

fn w3c_key() -> SigningKey {
    let pair = vector_json("eddsa-jcs-2022/keyPair.json");
    let file = multikey::KeyFile::from_json(pair.to_string().as_bytes()).unwrap();
    file.signing_key().unwrap()
}

#[test]
fn eddsa_jcs_2022_reproduces_every_intermediate() {
    let key = w3c_key();
    let unsigned = json::parse_strict(&vector_bytes("eddsa-jcs-2022/unsigned.json")).unwrap();
    let config = vector_json("eddsa-jcs-2022/proofConfigJCS.json");
    let options = proof::ProofOptions::assertion(
        config["verificationMethod"].as_str().unwrap(),
        Some(config["created"].as_str().unwrap().to_owned()),
    );
    let trace = proof::sign_traced(&unsigned, &key, &options).unwrap();
    assert_eq!(
        trace.canonical_document,
        vector_bytes("eddsa-jcs-2022/canonDocJCS.txt")
    );
    assert_eq!(
        trace.canonical_proof_config,
        vector_bytes("eddsa-jcs-2022/proofCanonJCS.txt")
    );
    assert_eq!(
        hex(&trace.document_hash),
        vector_text("eddsa-jcs-2022/docHashJCS.txt")
    );
    assert_eq!(
        hex(&trace.proof_hash),
        vector_text("eddsa-jcs-2022/proofHashJCS.txt")
    );
    let combined = [trace.proof_hash, trace.document_hash].concat();
    assert_eq!(
        hex(&combined),
        vector_text("eddsa-jcs-2022/combinedHashJCS.txt")
    );
    assert_eq!(
        hex(&trace.signature),
        vector_text("eddsa-jcs-2022/sigHexJCS.txt")
    );
    assert_eq!(
        trace.signed["proof"]["proofValue"],
        vector_text("eddsa-jcs-2022/sigBTC58JCS.txt")
    );
    assert_eq!(trace.signed, vector_json("eddsa-jcs-2022/signedJCS.json"));
    // The proof configuration minus proofValue is exactly the published one.
    let mut proof_config = trace.signed["proof"].clone();
    proof_config.as_object_mut().unwrap().remove("proofValue");
    assert_eq!(proof_config, config);
}

#[test]
fn eddsa_jcs_2022_signed_vector_verifies() {
    let signed = json::parse_strict(&vector_bytes("eddsa-jcs-2022/signedJCS.json")).unwrap();
    let verified = proof::verify_with_key(signed, &w3c_key().verifying_key()).unwrap();
    assert_eq!(
        Value::Object(verified),
        vector_json("eddsa-jcs-2022/unsigned.json")
    );
}

/// SPEC.md §5.6 rule 8, §8.6: the W3C vector is a well-formed VC 2.0 credential from
/// the wider world, its issuer an https URL and its key a did:key. Verification
/// checks its proof like any other (the did:key resolves itself) and says why its
/// issuer cannot be trusted, instead of calling it malformed unchecked.
#[test]
fn the_w3c_eddsa_jcs_2022_credential_is_checked_and_its_url_issuer_untrusted() {
    use probity_spec::trust::TrustSnapshot;
    use probity_spec::{CheckId, CheckStatus, Verdict};
    let signed = vector_bytes("eddsa-jcs-2022/signedJCS.json");
    // After its validFrom (2023-01-01) and its proof's created (2023-02-24).
    let now = probity_spec::time::parse("2024-01-01T00:00:00Z").unwrap();
    let report = probity_spec::verify(&signed, &TrustSnapshot::new(), now);
    assert_eq!(report.verdict, Verdict::UntrustedIssuer, "{report:#?}");
    let status = |id| report.check(id).unwrap().status;
    assert_eq!(status(CheckId::Format), CheckStatus::Pass);
    assert_eq!(status(CheckId::Proof), CheckStatus::Pass, "{report:#?}");
    assert_eq!(status(CheckId::Issuer), CheckStatus::Fail);
    assert_eq!(status(CheckId::Validity), CheckStatus::Pass);
    let issuer = &report.check(CheckId::Issuer).unwrap().message;
    assert!(
        issuer.contains("https://vc.example/issuers/5678") && issuer.contains("a URL, not a DID"),
        "{issuer}"
    );
    // A single changed byte in what was signed is still caught.
    let tampered = String::from_utf8(signed)
        .unwrap()
        .replace("The School of Examples", "The School of Exemples");
    let report = probity_spec::verify(tampered.as_bytes(), &TrustSnapshot::new(), now);
    assert_eq!(report.verdict, Verdict::InvalidSignature, "{report:#?}");
}

#[test]
fn eddsa_jcs_2022_tamper_cases_give_the_listed_outcome() {
    let summary = vector_json("eddsa-jcs-2022/vector-summary.json");
    let key = w3c_key().verifying_key();
    let cases = summary["tamper_cases"].as_array().unwrap();
    assert_eq!(cases.len(), 8);
    for case in cases {
        let expected = case["expected"].as_str().unwrap() == "verified";
        let outcome = proof::verify_with_key(case["document"].clone(), &key);
        assert_eq!(
            outcome.is_ok(),
            expected,
            "{}: {:?}",
            case["name"],
            outcome.err()
        );
        if let Ok(verified) = outcome {
            // An @context appended after signing is not part of what was verified.
            assert_eq!(
                Value::Object(verified),
                summary["unsignedDocument"],
                "{}",
                case["name"]
            );
        }
    }
}

#[test]
fn rfc8032_tests_1_to_3() {
    let vectors = vector_json("rfc8032/ed25519-rfc8032-tests-1-3.json");
    for v in vectors["vectors"].as_array().unwrap() {
        let seed: [u8; 32] = unhex(v["secret_key"].as_str().unwrap()).try_into().unwrap();
        let key = SigningKey::from_bytes(&seed);
        assert_eq!(
            hex(key.verifying_key().as_bytes()),
            v["public_key"].as_str().unwrap()
        );
        let message = unhex(v["message"].as_str().unwrap());
        let signature = key.sign(&message);
        assert_eq!(hex(&signature.to_bytes()), v["signature"].as_str().unwrap());
        key.verifying_key()
            .verify_strict(&message, &signature)
            .unwrap();
    }
}

#[test]
fn did_key_derivation_and_resolution_match_every_derived_key() {
    let derived = vector_json("did-key/ed25519-did-key-derived.json");
    for k in derived["keys"].as_array().unwrap() {
        let did_str = k["did"].as_str().unwrap();
        let Did::Key { key, .. } = Did::parse(did_str).unwrap() else {
            panic!("not did:key")
        };
        assert_eq!(
            hex(key.as_bytes()),
            k["ed25519_public_key_hex"].as_str().unwrap()
        );
        assert_eq!(did::did_key(&key), did_str);
        assert_eq!(
            did::did_key_verification_method(&key),
            k["verificationMethod_id"].as_str().unwrap()
        );
        if let Some(seed) = k["ed25519_seed_hex"].as_str() {
            let seed: [u8; 32] = unhex(seed).try_into().unwrap();
            let signing = SigningKey::from_bytes(&seed);
            assert_eq!(signing.verifying_key(), key);
            assert_eq!(
                multikey::secret_key_to_multibase(&signing),
                k["secretKeyMultibase"].as_str().unwrap()
            );
        }
        let doc: DidDocument = did::resolve_did_key(did_str).unwrap();
        assert_eq!(
            serde_json::to_value(&doc).unwrap(),
            k["did_document_multikey"],
            "{did_str}"
        );
    }
}

#[test]
fn did_key_matches_the_ccg_seed_vectors() {
    let vectors = vector_json("did-key/w3c-ccg-did-method-key-ed25519-x25519.json");
    for (did_str, v) in vectors.as_object().unwrap() {
        let seed: [u8; 32] = unhex(v["seed"].as_str().unwrap()).try_into().unwrap();
        assert_eq!(
            &did::did_key(&SigningKey::from_bytes(&seed).verifying_key()),
            did_str
        );
    }
}

#[test]
fn did_key_spec_v09_example_resolves_to_the_same_key() {
    let example = vector_json("did-key/did-key-spec-v0.9-example-z6MkhaX.json");
    let doc = example.get("didDocument").unwrap_or(&example);
    let id = doc["id"].as_str().unwrap();
    let resolved = did::resolve_did_key(id).unwrap();
    assert_eq!(
        resolved.verification_method[0]
            .public_key_multibase
            .as_deref(),
        doc["verificationMethod"][0]["publicKeyMultibase"].as_str()
    );
}

#[test]
fn did_key_negative_cases_fail_with_the_named_error() {
    let cases = vector_json("did-key/negative-cases.json");
    for case in cases["cases"].as_array().unwrap() {
        let did_str = case["did"].as_str().unwrap();
        let err = did::resolve_did_key(did_str).unwrap_err();
        assert_eq!(
            err.code(),
            case["expected_error"].as_str().unwrap(),
            "{did_str}: {err}"
        );
        assert!(
            err.to_string().contains(did_str) || err.code() == "methodNotSupported",
            "{err}"
        );
    }
}
