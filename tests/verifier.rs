//! The verifier node as a real process of the `probity` binary, on loopback: it syncs
//! a federation's registry and an issuer's status lists and answers for credentials
//! sent by `probity verify --verifier`, and its bundle verifies offline.

use super::util::*;
use super::{issue_ip, new_key, publish_list};
use probity_spec::multikey::KeyFile;
use probity_spec::status_list::StatusPurpose::{Revocation, Suspension};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

/// Writes a registry (signed by a fixed root) accrediting `issuer_key`'s did:key for
/// IP certificates in every track, whose status lists are indexed at `index`; returns
/// the root's publicKeyMultibase.
fn write_registry(dir: &Path, issuer_key: &Path, index: &str, version: u64) -> String {
    let root = ed25519_dalek::SigningKey::from_bytes(&[31; 32]);
    let key = KeyFile::from_json(&std::fs::read(issuer_key).unwrap())
        .unwrap()
        .signing_key()
        .unwrap();
    let did = probity_spec::did::did_key(&key.verifying_key());
    let mut member = probity_spec::sample::member(
        &did,
        "Canadian Point of Care Ultrasound Society",
        &probity_spec::did::did_key_verification_method(&key.verifying_key()),
        &key.verifying_key(),
        probity_spec::sample::ip_certificates_in_every_track(),
    );
    member.endpoints.status_lists = Some(index.to_owned());
    let registry = probity_spec::sample::signed_registry(
        &root,
        version,
        vec![member],
        at() - chrono::Duration::days(1),
        at() + chrono::Duration::days(30),
    )
    .unwrap();
    std::fs::write(dir.join("registry.json"), registry.to_string()).unwrap();
    probity_spec::multikey::public_key_to_multibase(&root.verifying_key())
}

fn via_node(dir: &Path, node: &str, file: &str) -> (i32, Value) {
    verify_json(dir, &[file, "--verifier", node])
}

#[test]
fn a_verifier_node_answers_for_credentials_and_its_bundle_verifies_offline() {
    let dir = tempfile::tempdir().unwrap();
    let (key, _) = new_key(dir.path(), "issuer.json");
    let signing = KeyFile::from_json(&std::fs::read(&key).unwrap())
        .unwrap()
        .signing_key()
        .unwrap();
    let issuer = Server::start();
    let (rev, sus) = (
        issuer.url("/status/revocation"),
        issuer.url("/status/suspension"),
    );
    publish_list(&issuer, "/status/revocation", &signing, Revocation, &[]);
    publish_list(&issuer, "/status/suspension", &signing, Suspension, &[]);
    issuer.put(
        "/status",
        serde_json::json!({"statusLists": [rev, sus]})
            .to_string()
            .into_bytes(),
    );
    issue_ip(
        dir.path(),
        &key,
        &[
            ("--revocation-list", Some(&rev)),
            ("--suspension-list", Some(&sus)),
            ("--status-index", Some("7")),
        ],
        "cert.json",
    );
    let root = write_registry(dir.path(), &key, &issuer.url("/status"), 1);
    std::fs::write(
        dir.path().join("verifier.toml"),
        format!(
            "listen = \"127.0.0.1:0\"\ndata_dir = \"verifier-data\"\n[[federation]]\nroot_key = \"{root}\"\nregistry = \"registry.json\"\n[freshness]\nrefresh = \"1s\"\n[fetch]\nallow_loopback = true\n"
        ),
    )
    .unwrap();
    let mut node = NodeProcess::start(
        dir.path(),
        &["verifier", "serve", "--config", "verifier.toml", "--at", AT],
        &[],
    );
    let base = node.base.clone();
    assert!(
        eventually(Duration::from_secs(20), || via_node(
            dir.path(),
            &base,
            "cert.json"
        )
        .1["verdict"]
            == "VALID"),
        "{}",
        via_node(dir.path(), &base, "cert.json").1
    );
    // The QR payload form, through the node.
    let o = run(
        dir.path(),
        &["qr", "encode", "cert.json", "--out", "cert.png"],
    );
    assert_exit(&o, 0);
    let (code, report) = via_node(dir.path(), &base, "cert.png");
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (0, "VALID"),
        "{report}"
    );
    // The text report a person reads, from the node's answer.
    let o = run(
        dir.path(),
        &["verify", "cert.json", "--verifier", &base, "--at", AT],
    );
    assert_exit(&o, 0);
    assert!(stdout(&o).contains("Verdict: VALID"), "{}", stdout(&o));

    // The node's bundle verifies offline, pinned to the same root.
    let bundle = reqwest::blocking::get(format!("{base}/api/v1/bundle"))
        .unwrap()
        .text()
        .unwrap();
    std::fs::write(dir.path().join("bundle.json"), bundle).unwrap();
    let (code, report) = verify_json(
        dir.path(),
        &[
            "cert.json",
            "--bundle",
            "bundle.json",
            "--federation-key",
            &root,
        ],
    );
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (0, "VALID"),
        "{report}"
    );

    // Revoked at the issuer: the node's next refresh sees it.
    publish_list(&issuer, "/status/revocation", &signing, Revocation, &[7]);
    assert!(
        eventually(Duration::from_secs(20), || via_node(
            dir.path(),
            &base,
            "cert.json"
        )
        .1["verdict"]
            == "REVOKED"),
        "{}",
        via_node(dir.path(), &base, "cert.json").1
    );
    let metrics = reqwest::blocking::get(format!("{base}/metrics"))
        .unwrap()
        .text()
        .unwrap();
    assert!(
        metrics.contains("probity_verifications_total{verdict=\"REVOKED\"}"),
        "{metrics}"
    );

    // With the issuer gone and the node restarted, it still answers from its store.
    drop(issuer);
    node.kill();
    let node = NodeProcess::start(
        dir.path(),
        &["verifier", "serve", "--config", "verifier.toml", "--at", AT],
        &[],
    );
    let (code, report) = via_node(dir.path(), &node.base, "cert.json");
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (1, "REVOKED"),
        "{report}"
    );
    assert!(
        report["statusData"]["oldestAgeSeconds"].is_i64(),
        "{report}"
    );
}

/// Checks a receipt file with `probity verify … --at AT`; returns (exit code, stdout).
fn check_receipt(dir: &Path, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["verify", "receipt.json", "--at", AT];
    args.extend_from_slice(extra);
    let o = run(dir, &args);
    (o.status.code().unwrap(), stdout(&o))
}

/// A federation whose one issuer revoked the certificate `cert.json` (status index 7),
/// and a verifier node for it started with `env`; returns the issuer's server (keep it
/// alive), the revocation list's URL, and the node once it answers REVOKED.
fn revoked_certificate_and_node(dir: &Path, env: &[(&str, &str)]) -> (Server, String, NodeProcess) {
    let (key, _) = new_key(dir, "issuer.json");
    let signing = KeyFile::from_json(&std::fs::read(&key).unwrap())
        .unwrap()
        .signing_key()
        .unwrap();
    let issuer = Server::start();
    let (rev, sus) = (
        issuer.url("/status/revocation"),
        issuer.url("/status/suspension"),
    );
    publish_list(&issuer, "/status/revocation", &signing, Revocation, &[7]);
    publish_list(&issuer, "/status/suspension", &signing, Suspension, &[]);
    issuer.put(
        "/status",
        serde_json::json!({"statusLists": [rev, sus]})
            .to_string()
            .into_bytes(),
    );
    issue_ip(
        dir,
        &key,
        &[
            ("--revocation-list", Some(&rev)),
            ("--suspension-list", Some(&sus)),
            ("--status-index", Some("7")),
        ],
        "cert.json",
    );
    let root = write_registry(dir, &key, &issuer.url("/status"), 1);
    std::fs::write(
        dir.join("verifier.toml"),
        format!(
            "listen = \"127.0.0.1:0\"\ndata_dir = \"verifier-data\"\n[[federation]]\nroot_key = \"{root}\"\nregistry = \"registry.json\"\n[freshness]\nrefresh = \"1s\"\n[fetch]\nallow_loopback = true\n"
        ),
    )
    .unwrap();
    let node = NodeProcess::start(
        dir,
        &["verifier", "serve", "--config", "verifier.toml", "--at", AT],
        env,
    );
    let base = node.base.clone();
    assert!(
        eventually(Duration::from_secs(20), || via_node(
            dir,
            &base,
            "cert.json"
        )
        .1["verdict"]
            == "REVOKED"),
        "{}",
        via_node(dir, &base, "cert.json").1
    );
    (issuer, rev, node)
}

/// Asks the node at `base` for a receipt for `cert.json` and saves it as
/// `receipt.json`; returns its text.
fn save_receipt(dir: &Path, base: &str) -> String {
    let answer = http()
        .post(format!("{base}/api/v1/verify?receipt=true&at={AT}"))
        .header("content-type", "application/json")
        .body(std::fs::read(dir.join("cert.json")).unwrap())
        .send()
        .unwrap()
        .text()
        .unwrap();
    let answer: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(answer["verdict"], "REVOKED", "{answer}");
    let receipt = serde_json::to_string_pretty(&answer["receipt"]).unwrap();
    std::fs::write(dir.join("receipt.json"), &receipt).unwrap();
    receipt
}

#[test]
fn a_receipt_from_a_real_node_checks_in_the_cli_and_a_tampered_one_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (_issuer, rev, node) = revoked_certificate_and_node(dir.path(), &[]);
    let base = node.base.clone();

    // The node's DID, as a person would read it to pin it.
    let about: Value = serde_json::from_str(
        &reqwest::blocking::get(format!("{base}/api/v1/node"))
            .unwrap()
            .text()
            .unwrap(),
    )
    .unwrap();
    let node_did = about["did"].as_str().unwrap().to_owned();
    assert!(node_did.starts_with("did:key:z6Mk"), "{about}");

    let receipt = save_receipt(dir.path(), &base);

    // Genuine, but the signer is not pinned: exit 3, and no bare verdict a reader
    // could take for the credential's.
    let (code, out) = check_receipt(dir.path(), &[]);
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains(&format!("genuine, signed by {node_did}")),
        "{out}"
    );
    assert!(out.contains("NOT PINNED"), "{out}");
    assert!(out.contains("Recorded verdict: REVOKED"), "{out}");
    assert!(out.contains("Dr. Amelia Okafor-Lindqvist"), "{out}");
    assert!(!out.lines().any(|l| l.starts_with("Verdict")), "{out}");

    // Pinned: exit 0; the JSON form for scripts says the same.
    let (code, out) = check_receipt(dir.path(), &["--trust-verifier", &node_did]);
    assert_eq!(code, 0, "{out}");
    let (code, json) = verify_json(
        dir.path(),
        &["receipt.json", "--trust-verifier", &node_did, "--at", AT],
    );
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["receipt"], "genuine");
    assert_eq!(json["signer"], node_did.as_str());
    assert_eq!(json["signerPinned"], true);
    assert_eq!(json["recordedVerdict"], "REVOKED");
    assert!(json.get("verdict").is_none(), "{json}");
    assert_eq!(json["record"]["statusData"][0]["id"], rev.as_str());

    // Pinned to another node: genuine, but not this signer.
    let (code, out) = check_receipt(
        dir.path(),
        &[
            "--trust-verifier",
            "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        ],
    );
    assert_eq!(code, 3, "{out}");

    // One character changed in the holder's name: not genuine, exit 1.
    assert!(receipt.contains("Okafor"));
    std::fs::write(
        dir.path().join("receipt.json"),
        receipt.replacen("Okafor", "Okafer", 1),
    )
    .unwrap();
    let (code, out) = check_receipt(dir.path(), &["--trust-verifier", &node_did]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("NOT GENUINE"), "{out}");
    assert!(out.contains("signature does not match"), "{out}");
    assert!(!out.contains("Recorded verdict"), "{out}");
    let (code, json) = verify_json(dir.path(), &["receipt.json", "--at", AT]);
    assert_eq!(
        (code, json["receipt"].as_str()),
        (1, Some("not-genuine")),
        "{json}"
    );
}

#[test]
fn a_receipt_from_a_node_with_a_did_web_is_checked_against_the_did_document_it_serves() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let did = format!("did:web:127.0.0.1%3A{port}");
    let listen = format!("127.0.0.1:{port}");
    let (_issuer, _, mut node) = revoked_certificate_and_node(
        dir.path(),
        &[
            ("PROBITY_VERIFIER_DID", did.as_str()),
            ("PROBITY_VERIFIER_LISTEN", listen.as_str()),
        ],
    );
    let receipt = save_receipt(dir.path(), &node.base);
    // The CLI resolves the did:web at the node itself and checks the signature.
    let (code, out) = check_receipt(dir.path(), &["--trust-verifier", &did]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("genuine, signed by {did}")), "{out}");
    assert!(out.contains("Recorded verdict: REVOKED"), "{out}");

    std::fs::write(
        dir.path().join("receipt.json"),
        receipt.replacen("REVOKED", "REVOKEE", 1),
    )
    .unwrap();
    let (code, out) = check_receipt(dir.path(), &["--trust-verifier", &did]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("NOT GENUINE"), "{out}");

    // With the node gone, its DID document cannot be had: the receipt was not judged,
    // which is exit 2, not a verdict on it.
    std::fs::write(dir.path().join("receipt.json"), &receipt).unwrap();
    node.kill();
    let o = run(
        dir.path(),
        &[
            "verify",
            "receipt.json",
            "--trust-verifier",
            &did,
            "--at",
            AT,
        ],
    );
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("DID document"), "{}", stderr(&o));
}
