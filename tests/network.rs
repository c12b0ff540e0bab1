//! The network end to end, with real processes of the `probity` binary on loopback: a
//! federation (`probity federation`) of a certifying body and a hospital (issuer
//! nodes), one registry, and a verifier node that syncs from them and answers for
//! credentials. Every verdict is judged at a fixed time: the nodes' clocks start at
//! fixed times and run on.

use super::issue_ip;
use super::util::*;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

/// When the federation admits its members and publishes its registry.
const FEDERATION_AT: &str = "2026-03-01T08:00:00Z";

/// The verdict a verifier node gives for a credential file.
fn node_verdict(dir: &Path, node: &str, file: &str) -> String {
    let (_, report) = verify_json(dir, &[file, "--verifier", node, "--at", VERIFY_AT]);
    report["verdict"].as_str().unwrap_or_default().to_owned()
}

/// Asserts that the node reaches `wanted` for `file` within `limit`.
fn expect_verdict(dir: &Path, node: &str, file: &str, wanted: &str, limit: Duration) {
    let mut last = String::new();
    let reached = eventually(limit, || {
        last = node_verdict(dir, node, file);
        last == wanted
    });
    assert!(reached, "{file}: wanted {wanted}, the node says {last}");
}

/// Runs `probity federation ARGS --dir fed` in `dir`, expecting success.
fn federation(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["federation"];
    all.extend_from_slice(args);
    all.extend(["--dir", "fed"]);
    let o = run(dir, &all);
    assert_exit(&o, 0);
    stdout(&o)
}

/// A multipart/form-data body holding one file.
fn multipart(name: &str, content_type: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "probity-test-boundary";
    let mut body = format!(
        "--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"{name}\"\r\ncontent-type: {content_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// POSTs to the node's verify route and returns the verdict.
fn post_verify(node: &str, content_type: &str, body: Vec<u8>) -> String {
    let r = http()
        .post(format!("{node}/api/v1/verify?at={VERIFY_AT}"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .unwrap();
    let report: Value = serde_json::from_slice(&r.bytes().unwrap()).unwrap();
    report["verdict"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn a_federation_of_issuer_nodes_and_a_verifier_node_gives_honest_verdicts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (body_dir, hospital_dir) = (dir.join("body"), dir.join("hospital"));
    let body_admin = issuer_init(&body_dir, "certifying-body", None);
    let hospital_admin = issuer_init(&hospital_dir, "hospital", None);
    let mut body = NodeProcess::issuer(&body_dir, "127.0.0.1:0");
    let mut hospital = NodeProcess::issuer(&hospital_dir, "127.0.0.1:0");
    let (body_did, hospital_did) = (did_of(&body.base), did_of(&hospital.base));

    // The federation admits both, each for what it may issue, and publishes.
    let root = federation(dir, &["init", "--name", "POCUS federation"])
        .trim()
        .to_owned();
    for (did, name, kind, may, base) in [
        (
            &body_did,
            "Canadian Point of Care Ultrasound Society",
            "certifying-body",
            "PocusIpCertificate",
            &body.base,
        ),
        (
            &hospital_did,
            "St. Elsewhere General",
            "hospital",
            "PocusSkillAttestation:eFAST,AAA,lung",
            &hospital.base,
        ),
    ] {
        federation(
            dir,
            &[
                "add-member",
                "--did",
                did,
                "--name",
                name,
                "--kind",
                kind,
                "--jurisdiction",
                "CA",
                "--may-issue",
                may,
                "--issuer-endpoint",
                base,
                "--status-endpoint",
                &format!("{base}/status"),
                "--at",
                FEDERATION_AT,
            ],
        );
    }
    publish_registry(dir, FEDERATION_AT);
    std::fs::copy(dir.join("registry.json"), dir.join("registry-v1.json")).unwrap();

    // The body certifies a candidate; the hospital attests a colleague's skills.
    let candidate = ip_candidate("Dr. Amelia Okafor", "CPSO 0123456", "FM_MSK");
    let (cert_id, cert) = submit_and_approve(&body.base, &body_admin, &body_admin, &candidate);
    std::fs::write(dir.join("cert.json"), cert.to_string()).unwrap();
    let attestation = json!({
        "name": "Dr. Sam Chen", "registrationNumber": "CPSBC 44521", "department": "Emergency Medicine",
        "applications": ["eFAST", "AAA"], "supervisedScans": {"eFAST": 25, "AAA": 25},
        "qaReviewer": "Dr. Rita Osei", "reviewDate": "2026-02-20"
    });
    let (status, attested) = post_json(
        &hospital.base,
        "/api/v1/attestations",
        &hospital_admin,
        &attestation,
    );
    assert_eq!(status, 201, "{attested}");
    std::fs::write(
        dir.join("attestation.json"),
        attested["credential"].to_string(),
    )
    .unwrap();
    // The hospital signs an IP certificate, which it is not accredited for.
    let hospital_key = hospital_dir.join("keys/key-1.json");
    issue_ip(
        dir,
        &hospital_key,
        &[("--created", Some("2026-03-01T10:00:00Z"))],
        "hospital-cert.json",
    );

    // The verifier node: the registry from a file, lists from the members' nodes.
    std::fs::write(
        dir.join("verifier.toml"),
        format!(
            "listen = \"127.0.0.1:0\"\ndata_dir = \"verifier-data\"\n[[federation]]\nroot_key = \"{root}\"\nregistry = \"registry.json\"\n[freshness]\nrefresh = \"1s\"\nwarn_after = \"30m\"\nmax_age = \"1h\"\n[fetch]\nallow_loopback = true\n"
        ),
    )
    .unwrap();
    let serve = [
        "verifier",
        "serve",
        "--config",
        "verifier.toml",
        "--at",
        VERIFY_AT,
    ];
    let mut node = NodeProcess::start(dir, &serve, &[]);
    let limit = Duration::from_secs(20);
    expect_verdict(dir, &node.base, "cert.json", "VALID", limit);
    expect_verdict(dir, &node.base, "attestation.json", "VALID", limit);
    assert_eq!(
        node_verdict(dir, &node.base, "hospital-cert.json"),
        "NOT_ACCREDITED"
    );

    // The same certificate as a QR payload and as an uploaded picture of its code.
    let o = run(
        dir,
        &["qr", "encode", "cert.json", "--out", "cert.png", "--json"],
    );
    assert_exit(&o, 0);
    let payload = probity_spec::compact::to_text(&cert).unwrap();
    assert_eq!(
        post_verify(&node.base, "text/plain", payload.into_bytes()),
        "VALID"
    );
    let png = std::fs::read(dir.join("cert.png")).unwrap();
    let (content_type, form) = multipart("cert.png", "image/png", &png);
    assert_eq!(post_verify(&node.base, &content_type, form), "VALID");

    // The body revokes the certificate; the node sees it.
    let o = run(
        dir,
        &[
            "issuer",
            "revoke",
            "--node",
            &body.base,
            "--token",
            &body_admin,
            &cert_id,
            "--reason",
            "exam irregularity",
        ],
    );
    assert_exit(&o, 0);
    expect_verdict(dir, &node.base, "cert.json", "REVOKED", limit);

    // The federation suspends the hospital: its credentials are no longer trusted.
    federation(
        dir,
        &["suspend-member", "--did", &hospital_did, "--at", VERIFY_AT],
    );
    publish_registry(dir, VERIFY_AT);
    expect_verdict(
        dir,
        &node.base,
        "attestation.json",
        "UNTRUSTED_ISSUER",
        limit,
    );

    // A rolled-back registry (version 1 again) is refused; the node keeps version 2.
    std::fs::copy(dir.join("registry-v1.json"), dir.join("registry.json")).unwrap();
    let refused = eventually(limit, || {
        let (_, sync) = get_text(&node.base, "/api/v1/sync", None);
        sync.contains("refusing to roll back")
    });
    assert!(refused, "{}", get_text(&node.base, "/api/v1/sync", None).1);
    assert_eq!(
        node_verdict(dir, &node.base, "attestation.json"),
        "UNTRUSTED_ISSUER"
    );

    // The node's bundle gives its verdicts offline.
    let (_, bundle) = get_text(&node.base, "/api/v1/bundle", None);
    std::fs::write(dir.join("bundle.json"), bundle).unwrap();
    for (file, wanted) in [
        ("cert.json", "REVOKED"),
        ("attestation.json", "UNTRUSTED_ISSUER"),
        ("hospital-cert.json", "UNTRUSTED_ISSUER"),
    ] {
        let (_, report) = verify_json(
            dir,
            &[
                file,
                "--bundle",
                "bundle.json",
                "--federation-key",
                &root,
                "--at",
                VERIFY_AT,
            ],
        );
        assert_eq!(report["verdict"], wanted, "{file} offline: {report}");
    }

    // With both issuers gone and the node restarted, it answers from what it holds
    // and says how old that is.
    body.kill();
    hospital.kill();
    node.kill();
    let node = NodeProcess::start(dir, &serve, &[]);
    let (code, report) = verify_json(
        dir,
        &["cert.json", "--verifier", &node.base, "--at", VERIFY_AT],
    );
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (1, "REVOKED"),
        "{report}"
    );
    assert!(
        report["statusData"]["oldestAgeSeconds"].is_i64(),
        "{report}"
    );
    drop(node);

    // Past max_age (1 h) without a refresh, the node no longer vouches for status.
    let later = [
        "verifier",
        "serve",
        "--config",
        "verifier.toml",
        "--at",
        "2026-03-01T14:00:00Z",
    ];
    let node = NodeProcess::start(dir, &later, &[]);
    let (_, report) = verify_json(
        dir,
        &[
            "cert.json",
            "--verifier",
            &node.base,
            "--at",
            "2026-03-01T14:00:00Z",
        ],
    );
    assert_eq!(report["verdict"], "STATUS_UNKNOWN", "{report}");
    assert!(
        report["checks"][5]["message"]
            .as_str()
            .unwrap()
            .contains("last confirmed"),
        "{report}"
    );

    // The body's key is reported compromised since before it signed the certificate:
    // after the next registry, the node refuses what that key signed from then on.
    let key_id = cert["proof"]["verificationMethod"].as_str().unwrap();
    let later_at = "2026-03-01T14:00:00Z";
    federation(
        dir,
        &[
            "compromise-key",
            "--did",
            &body_did,
            "--key",
            key_id,
            "--since",
            "2026-03-01T09:00:00Z",
            "--at",
            later_at,
        ],
    );
    publish_registry(dir, later_at);
    let refused = eventually(Duration::from_secs(20), || {
        let (_, report) = verify_json(
            dir,
            &["cert.json", "--verifier", &node.base, "--at", later_at],
        );
        report["verdict"] == "UNTRUSTED_ISSUER"
            && report["checks"][2]["message"]
                .as_str()
                .is_some_and(|m| m.contains("compromised"))
    });
    assert!(refused, "the node still trusts a compromised key");
}
