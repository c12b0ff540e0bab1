//! Faults in a live network, with real processes of the `probity` binary on loopback:
//! a peer that lies, and an issuer whose key is rotated and then compromised. Three
//! verifier nodes: A and B reach the certifying body, C may not contact it (an
//! operator's deny rule) and learns its lists only through its peers.

use super::util::*;
use ed25519_dalek::SigningKey;
use probity_spec::status_list::{
    status_list_credential, BitstringStatusList, StatusPurpose, MIN_ENTRIES,
};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

/// When the federation admits its members and publishes its registry.
const FEDERATION_AT: &str = "2026-03-01T08:00:00Z";
/// How long a test waits for a node to show what it should; arrival is polled, never
/// timed.
const LIMIT: Duration = Duration::from_secs(30);

fn run_ok(dir: &Path, args: &[&str]) -> String {
    let o = run(dir, args);
    assert_exit(&o, 0);
    stdout(&o)
}

/// The report of one node for a credential, asked over HTTP at the fixed time.
fn report(node: &str, credential: &Value) -> Value {
    let r = http()
        .post(format!("{node}/api/v1/verify?at={VERIFY_AT}"))
        .header("content-type", "application/json")
        .body(credential.to_string())
        .send()
        .unwrap();
    serde_json::from_slice(&r.bytes().unwrap()).unwrap()
}

fn verdict(node: &str, credential: &Value) -> String {
    report(node, credential)["verdict"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Asserts that every node gives `wanted` for `credential`, waiting for it.
fn all_say(nodes: &[&str], credential: &Value, wanted: &str) {
    for node in nodes {
        let mut last = String::new();
        let reached = eventually(LIMIT, || {
            last = verdict(node, credential);
            last == wanted
        });
        assert!(reached, "{node}: wanted {wanted}, the node says {last}");
    }
}

/// The registry version a node holds, from its sync report.
fn registry_version(node: &str) -> Option<u64> {
    let (_, text) = get_text(node, "/api/v1/sync", None);
    let sync: Value = serde_json::from_str(&text).ok()?;
    sync["registries"][0]["version"].as_u64()
}

/// The length of every log in `dir` now, so that later reads see only what follows.
fn log_marks(dir: &Path) -> Vec<(std::path::PathBuf, usize)> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".log"))
        .map(|e| {
            let len = std::fs::read(e.path()).map_or(0, |b| b.len());
            (e.path(), len)
        })
        .collect()
}

/// How many logs hold, after their `marks`, a line with every one of `needles`.
fn logs_with(marks: &[(std::path::PathBuf, usize)], needles: &[&str]) -> usize {
    marks
        .iter()
        .filter(|(path, from)| {
            let text = std::fs::read(path).unwrap_or_default();
            String::from_utf8_lossy(text.get(*from..).unwrap_or_default())
                .lines()
                .any(|line| needles.iter().all(|n| line.contains(n)))
        })
        .count()
}

/// The path on a peer's relay route for one document, as nodes ask for it.
fn relay_path(route: &str, name: &str, value: &str) -> String {
    let mut url = reqwest::Url::parse(&format!("http://127.0.0.1{route}")).unwrap();
    url.query_pairs_mut().append_pair(name, value);
    format!("{}?{}", url.path(), url.query().unwrap())
}

/// Scenario 4 of the live network: a peer that serves a tampered status list, a list
/// signed by another key, an older list from before a revocation, an old registry
/// version and a registry signed by another key changes no verdict at any node, and
/// each node logs what it refused and from whom.
#[test]
fn a_lying_peer_changes_no_verdict_and_every_node_names_it_in_its_log() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let body_dir = dir.join("body");
    let admin = issuer_init(&body_dir, "certifying-body", None);
    let body = NodeProcess::issuer(&body_dir, "127.0.0.1:0");
    let body_did = did_of(&body.base);
    let root = federation_of_one_body(dir, &body_did, &body.base);
    let old_registry = std::fs::read(dir.join("registry.json")).unwrap();
    publish_registry(dir, "2026-03-01T08:30:00Z");

    let (id, cert) = submit_and_approve(
        &body.base,
        &admin,
        &admin,
        &ip_candidate("Dr. Amelia Okafor", "CPSO 0123456", "FM_MSK"),
    );
    let list_id = cert["credentialStatus"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["statusPurpose"] == "revocation")
        .unwrap()["statusListCredential"]
        .as_str()
        .unwrap()
        .to_owned();
    // The list as it was before the revocation, signed by the body itself.
    let (_, before) = get_text(&body.base, "/status/revocation-1", None);
    let before: Value = serde_json::from_str(&before).unwrap();
    // Lists are ordered by validFrom, to the second: the revocation comes later.
    std::thread::sleep(Duration::from_millis(1100));
    run_ok(
        dir,
        &[
            "issuer",
            "revoke",
            "--node",
            &body.base,
            "--token",
            &admin,
            &id,
            "--reason",
            "licence withdrawn",
        ],
    );
    let (_, after) = get_text(&body.base, "/status/revocation-1", None);
    let after: Value = serde_json::from_str(&after).unwrap();

    let liar = Server::start();
    let a = start_verifier(
        dir,
        &verifier_config(dir, "a", &root, "1s", &[&liar.base], &[]),
    );
    let b = start_verifier(
        dir,
        &verifier_config(dir, "b", &root, "1s", &[&liar.base, &a.base], &[]),
    );
    let body_host = body.base.trim_start_matches("http://").to_owned();
    let c = start_verifier(
        dir,
        &verifier_config(dir, "c", &root, "1s", &[&a.base, &liar.base], &[&body_host]),
    );
    let nodes = [a.base.as_str(), b.base.as_str(), c.base.as_str()];
    all_say(&nodes, &cert, "REVOKED");
    for node in nodes {
        assert_eq!(registry_version(node), Some(2), "{node}");
    }

    // The liar's index offers a newer list than anyone holds (and, later, a newer
    // registry).
    let index = |registries: Value| {
        json!({
            "registries": registries,
            "statusLists": [{"id": list_id, "validFrom": "2026-03-01T11:00:00Z", "digest": "0000000000000000"}],
        })
        .to_string()
        .into_bytes()
    };
    let list_path = relay_path("/relay/status-list", "id", &list_id);
    let registry_path = relay_path("/relay/registry", "federation", &root);

    // A stranger's key signs a list in the body's name, every bit clear.
    let stranger = SigningKey::from_bytes(&[66; 32]);
    let stranger_method = probity_spec::did::did_key_verification_method(&stranger.verifying_key());
    let forged = probity_spec::proof::sign(
        &status_list_credential(
            &list_id,
            &body_did,
            StatusPurpose::Revocation,
            &BitstringStatusList::new(MIN_ENTRIES).unwrap(),
            "2026-03-01T11:00:00Z".parse().unwrap(),
            None,
        ),
        &stranger,
        &probity_spec::proof::ProofOptions::assertion(
            stranger_method,
            Some("2026-03-01T11:00:00Z".into()),
        ),
    )
    .unwrap();
    // The current list with the revocation cleared and a later date, its proof kept.
    let mut tampered = after.clone();
    tampered["credentialSubject"]["encodedList"] =
        before["credentialSubject"]["encodedList"].clone();
    tampered["validFrom"] = json!("2026-03-01T11:00:00Z");
    // Another federation's root signs a registry of a higher version.
    let other_dir = dir.join("other");
    std::fs::create_dir_all(&other_dir).unwrap();
    federation_of_one_body(&other_dir, &body_did, &body.base);
    for _ in 0..3 {
        publish_registry(&other_dir, FEDERATION_AT);
    }
    let foreign_registry = std::fs::read(other_dir.join("registry.json")).unwrap();

    let lies: [(&str, Vec<u8>, &str); 3] = [
        (
            "a tampered list",
            tampered.to_string().into_bytes(),
            "signature",
        ),
        (
            "a list signed by another key",
            forged.to_string().into_bytes(),
            "a key this verifier does not know",
        ),
        (
            "the list from before the revocation",
            before.to_string().into_bytes(),
            "before the copy already held",
        ),
    ];
    for (what, body_bytes, refusal) in lies {
        let marks = log_marks(dir);
        liar.put(&list_path, body_bytes);
        liar.put("/relay/index", index(json!([])));
        let refused = eventually(LIMIT, || {
            logs_with(&marks, &[&liar.base, "status list refused", refusal]) >= 3
        });
        assert!(
            refused,
            "not every node logged refusing {what} from {}",
            liar.base
        );
        for node in nodes {
            assert_eq!(verdict(node, &cert), "REVOKED", "{node} after {what}");
        }
    }
    let registry_lies: [(&str, Vec<u8>, &str); 2] = [
        (
            "an old registry version",
            old_registry,
            "refusing to roll back",
        ),
        (
            "a registry signed by another key",
            foreign_registry,
            "not a pinned federation key",
        ),
    ];
    for (what, body_bytes, refusal) in registry_lies {
        let marks = log_marks(dir);
        liar.put(&registry_path, body_bytes);
        liar.put(
            "/relay/index",
            index(
                json!([{"federation": root, "version": 99, "validFrom": "2026-03-01T11:00:00Z"}]),
            ),
        );
        let refused = eventually(LIMIT, || {
            logs_with(&marks, &[&liar.base, "registry refused", refusal]) >= 3
        });
        assert!(
            refused,
            "not every node logged refusing {what} from {}",
            liar.base
        );
        for node in nodes {
            assert_eq!(registry_version(node), Some(2), "{node} after {what}");
            assert_eq!(verdict(node, &cert), "REVOKED", "{node} after {what}");
        }
    }
}

/// Scenario 5: after a key rotation, certificates signed with the old key stay VALID
/// at every node; after `compromise-key --since T` and a new registry, what that key
/// signed at or after T is refused at every node, and what it signed before stays.
#[test]
fn rotation_keeps_old_certificates_and_a_compromise_refuses_what_followed_at_every_node() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let body_dir = dir.join("body");
    let port = free_port();
    let body_did = format!("did:web:127.0.0.1%3A{port}");
    let admin = issuer_init(&body_dir, "certifying-body", Some(&body_did));
    let body = NodeProcess::issuer(&body_dir, &format!("127.0.0.1:{port}"));
    let root = federation_of_one_body(dir, &body_did, &body.base);
    let issue = |name: &str, registration: &str| {
        submit_and_approve(
            &body.base,
            &admin,
            &admin,
            &ip_candidate(name, registration, "DIAG"),
        )
        .1
    };
    let old_key_cert = issue("Dr. Old Key", "CPSO 1");

    let a = start_verifier(dir, &verifier_config(dir, "a", &root, "1s", &[], &[]));
    let b = start_verifier(
        dir,
        &verifier_config(dir, "b", &root, "1s", &[&a.base], &[]),
    );
    let body_host = body.base.trim_start_matches("http://").to_owned();
    let c = start_verifier(
        dir,
        &verifier_config(dir, "c", &root, "1s", &[&a.base, &b.base], &[&body_host]),
    );
    let nodes = [a.base.as_str(), b.base.as_str(), c.base.as_str()];
    all_say(&nodes, &old_key_cert, "VALID");

    // The body rotates to key-2; the federation lists it from the rotation on.
    let (status, key) = post_json(&body.base, "/api/v1/keys/rotate", &admin, &json!({}));
    assert_eq!(status, 201, "{key}");
    run_ok(
        dir,
        &[
            "federation",
            "refresh-keys",
            "--dir",
            "fed",
            "--did",
            &body_did,
            "--at",
            "2026-03-01T09:00:00Z",
        ],
    );
    publish_registry(dir, "2026-03-01T09:00:00Z");
    let before_t = issue("Dr. Before", "CPSO 2");
    assert_eq!(
        before_t["proof"]["verificationMethod"],
        format!("{body_did}#key-2")
    );
    std::thread::sleep(Duration::from_millis(1100));
    let after_t = issue("Dr. After", "CPSO 3");
    let t = after_t["proof"]["created"].as_str().unwrap().to_owned();
    assert!(before_t["proof"]["created"].as_str().unwrap() < t.as_str());
    for cert in [&old_key_cert, &before_t, &after_t] {
        all_say(&nodes, cert, "VALID");
    }

    // key-2 is reported compromised from T on.
    run_ok(
        dir,
        &[
            "federation",
            "compromise-key",
            "--dir",
            "fed",
            "--did",
            &body_did,
            "--key",
            &format!("{body_did}#key-2"),
            "--since",
            &t,
            "--at",
            "2026-03-01T09:30:00Z",
        ],
    );
    publish_registry(dir, "2026-03-01T09:30:00Z");
    all_say(&nodes, &after_t, "UNTRUSTED_ISSUER");
    for node in nodes {
        let refused = report(node, &after_t);
        assert!(
            refused["checks"][2]["message"]
                .as_str()
                .is_some_and(|m| m.contains("compromised")),
            "{node}: {refused}"
        );
        assert_eq!(verdict(node, &old_key_cert), "VALID", "{node}");
    }
    // Signed before T with key-2: the key still vouches for it.
    all_say(&nodes, &before_t, "VALID");
}
