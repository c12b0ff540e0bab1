//! A live network, with real processes on loopback: a certifying body (issuer node)
//! and three verifier nodes polling only hourly, so whatever reaches them sooner was
//! pushed. Verifier C may not contact the body at all (an operator's deny rule) and
//! learns its lists only through its peers A and B.

use super::util::*;
use serde_json::Value;
use std::time::{Duration, Instant};

/// How long a test waits for a change to arrive. The nodes poll hourly, so any
/// arrival inside this was pushed; how fast it arrives is measured (printed here, and
/// by the propagation benchmark), not asserted, since this machine is shared.
const PUSH_LIMIT: Duration = Duration::from_secs(10);

/// The report of one node for a credential, asked over HTTP at the fixed time.
fn report(node: &str, credential: &[u8]) -> Value {
    let r = http()
        .post(format!("{node}/api/v1/verify?at={VERIFY_AT}"))
        .header("content-type", "application/json")
        .body(credential.to_vec())
        .send()
        .unwrap();
    serde_json::from_slice(&r.bytes().unwrap()).unwrap()
}

/// The verdict of one node for a credential.
fn verdict(node: &str, credential: &[u8]) -> String {
    report(node, credential)["verdict"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// How long each node took to give `wanted`, polling every 10 ms up to `limit`;
/// `None` for a node that did not get there.
fn times_to(
    nodes: &[&str],
    credential: &[u8],
    wanted: &str,
    limit: Duration,
) -> Vec<Option<Duration>> {
    let started = Instant::now();
    let mut reached: Vec<Option<Duration>> = vec![None; nodes.len()];
    while started.elapsed() < limit && reached.iter().any(Option::is_none) {
        for (i, node) in nodes.iter().enumerate() {
            if reached[i].is_none() && verdict(node, credential) == wanted {
                reached[i] = Some(started.elapsed());
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    reached
}

#[test]
fn revocation_suspension_and_reinstatement_are_pushed_to_every_verifier_even_through_peers() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let body_dir = dir.join("body");
    let admin = issuer_init(&body_dir, "certifying-body", None);
    let mut body = NodeProcess::issuer(&body_dir, "127.0.0.1:0");
    let did = did_of(&body.base);
    let root = federation_of_one_body(dir, &did, &body.base);
    let candidate = ip_candidate("Dr. Amelia Okafor", "CPSO 0123456", "FM_MSK");
    let (id, cert) = submit_and_approve(&body.base, &admin, &admin, &candidate);
    let cert = cert.to_string().into_bytes();

    // A and B reach the body; C is denied its host and has A and B as peers.
    let a = start_verifier(dir, &verifier_config(dir, "a", &root, "1h", &[], &[]));
    let b = start_verifier(dir, &verifier_config(dir, "b", &root, "1h", &[], &[]));
    let body_host = body.base.trim_start_matches("http://").to_owned();
    let c_config = verifier_config(dir, "c", &root, "1h", &[&a.base, &b.base], &[&body_host]);
    let c = start_verifier(dir, &c_config);
    let nodes = [a.base.as_str(), b.base.as_str(), c.base.as_str()];
    let ready = times_to(&nodes, &cert, "VALID", Duration::from_secs(30));
    assert!(
        ready.iter().all(Option::is_some),
        "not every node got VALID: {ready:?}"
    );
    // C holds the body's lists, and every copy came from a peer.
    let (_, bundle) = get_text(&c.base, "/api/v1/bundle", None);
    let bundle: Value = serde_json::from_str(&bundle).unwrap();
    let lists = bundle["statusLists"].as_array().unwrap();
    assert_eq!(lists.len(), 2, "{bundle}");
    for list in lists {
        let source = list["source"].as_str().unwrap();
        assert!(
            source.starts_with(&a.base) || source.starts_with(&b.base),
            "{source}"
        );
    }
    // Let C's subscriptions to its peers open before anything changes.
    std::thread::sleep(Duration::from_millis(500));

    // Each change, timed from the moment the issuer's answer arrives.
    for (action, wanted) in [
        ("suspend", "SUSPENDED"),
        ("reinstate", "VALID"),
        ("revoke", "REVOKED"),
    ] {
        let o = run(
            dir,
            &[
                "issuer", action, "--node", &body.base, "--token", &admin, &id, "--reason", "test",
            ],
        );
        assert_exit(&o, 0);
        let reached = times_to(&nodes, &cert, wanted, PUSH_LIMIT);
        println!("{action}: {nodes:?} reached {wanted} at {reached:?}");
        if reached.iter().any(Option::is_none) {
            println!("A sync: {}", get_text(&a.base, "/api/v1/sync", None).1);
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                if entry.file_name().to_string_lossy().ends_with(".log") {
                    println!(
                        "== {:?}\n{}",
                        entry.file_name(),
                        std::fs::read_to_string(entry.path()).unwrap()
                    );
                }
            }
        }
        for (node, time) in nodes.iter().zip(&reached) {
            let time = time.unwrap_or_else(|| panic!("{node} never said {wanted} after {action}"));
            println!(
                "{action}: {node} said {wanted} {} ms after the issuer answered",
                time.as_millis()
            );
        }
    }

    // With the issuer gone, every node still answers from what it holds, and a node
    // restarted meanwhile too.
    body.kill();
    for node in nodes {
        assert_eq!(verdict(node, &cert), "REVOKED", "{node}");
        let report = report(node, &cert);
        for list in report["statusData"]["lists"].as_array().unwrap() {
            assert_eq!(list["held"], true, "{node}: {report}");
            assert!(list["ageSeconds"].is_i64(), "{node}: {report}");
        }
    }
    drop(c);
    let c = start_verifier(dir, &c_config);
    assert_eq!(verdict(&c.base, &cert), "REVOKED");
    let report = report(&c.base, &cert);
    assert!(
        report["statusData"]["oldestAgeSeconds"].is_i64(),
        "{report}"
    );
}
