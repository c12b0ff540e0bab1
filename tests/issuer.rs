//! End-to-end tests of the issuer node: the real `probity` binary serving on
//! 127.0.0.1, real redb stores in temporary directories, and `probity verify` fetching
//! the node's status lists, always verifying at a fixed time.

mod util;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;
use util::*;

fn verify_at(dir: &Path, file: &str, did: &str) -> (i32, String) {
    let (code, report) = verify_json(dir, &[file, "--trust-issuer", did, "--at", VERIFY_AT]);
    (
        code,
        report["verdict"].as_str().unwrap_or_default().to_owned(),
    )
}

/// Subscribes to `/events` and forwards each event's `(name, data)`.
fn subscribe(base: &str) -> mpsc::Receiver<(String, Value)> {
    let (tx, rx) = mpsc::channel();
    let response = reqwest::blocking::Client::builder()
        .build()
        .unwrap()
        .get(format!("{base}/events"))
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    std::thread::spawn(move || {
        let mut name = String::new();
        for line in BufReader::new(response).lines() {
            let Ok(line) = line else { return };
            if let Some(n) = line.strip_prefix("event: ") {
                name = n.to_owned();
            } else if let Some(d) = line.strip_prefix("data: ") {
                let data = serde_json::from_str(d).unwrap_or(Value::Null);
                if tx.send((name.clone(), data)).is_err() {
                    return;
                }
            }
        }
    });
    rx
}

#[test]
fn a_certifying_body_issues_revokes_suspends_reinstates_and_verifiers_see_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("node");
    let admin = issuer_init(&dir, "certifying-body", None);
    let o = run(
        tmp.path(),
        &[
            "issuer",
            "token",
            "create",
            "--dir",
            dir.to_str().unwrap(),
            "--role",
            "instructor",
        ],
    );
    assert_exit(&o, 0);
    let instructor = stdout(&o).trim().to_owned();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("keys/key-1.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let mut node = NodeProcess::issuer(&dir, "127.0.0.1:0");
    let base = node.base.clone();
    let did = did_of(&base);
    assert!(did.starts_with("did:key:z6Mk"));
    let events = subscribe(&base);

    // An instructor may submit but not approve.
    let (status, _) = post_json(
        &base,
        "/api/v1/ip-requests/00000000-0000-4000-8000-000000000000/approve",
        &instructor,
        &json!({}),
    );
    assert_eq!(status, 403);
    let (id, cert) = submit_and_approve(
        &base,
        &instructor,
        &admin,
        &ip_candidate("Dr. Amelia Okafor", "CPSO 0123456", "FM_MSK"),
    );
    assert_eq!(cert["credentialSubject"]["ipNumber"], "FMMSK-000001");
    std::fs::write(
        tmp.path().join("cert.json"),
        serde_json::to_vec_pretty(&cert).unwrap(),
    )
    .unwrap();
    let (status, list) = get_text(&base, "/status/revocation-1", None);
    assert_eq!(status, 200);
    assert!(list.contains("BitstringStatusListCredential"));
    assert_eq!(
        verify_at(tmp.path(), "cert.json", &did),
        (0, "VALID".into())
    );

    // Skip the events announcing the lists as they were on connecting.
    let mut initial_version = 0;
    while let Ok((name, data)) = events.recv_timeout(Duration::from_millis(500)) {
        if name == "status-list" && data["list"] == "revocation-1" {
            initial_version = data["version"].as_u64().unwrap();
        }
    }
    assert!(initial_version > 0);

    let o = run(
        tmp.path(),
        &[
            "issuer",
            "revoke",
            "--node",
            &base,
            "--token",
            &admin,
            &id,
            "--reason",
            "licence withdrawn",
        ],
    );
    assert_exit(&o, 0);
    // The announcement was sent before the answer: it is there within a second.
    let (name, data) = events
        .recv_timeout(Duration::from_secs(1))
        .expect("a revocation event");
    assert_eq!(
        (name.as_str(), data["list"].as_str()),
        ("status-list", Some("revocation-1")),
        "{data}"
    );
    assert!(data["version"].as_u64().unwrap() > initial_version);
    assert_eq!(
        verify_at(tmp.path(), "cert.json", &did),
        (1, "REVOKED".into())
    );
    assert!(node.is_running());
    let o = run(
        tmp.path(),
        &[
            "issuer", "revoke", "--node", &base, "--token", &admin, &id, "--reason", "again",
        ],
    );
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("409"), "{}", stderr(&o));

    // Suspension (token from the environment) and reinstatement.
    let (id2, cert2) = submit_and_approve(
        &base,
        &admin,
        &admin,
        &ip_candidate("Dr. Jonas Whitehorse", "CPSA 045812", "RESUS"),
    );
    std::fs::write(
        tmp.path().join("cert2.json"),
        serde_json::to_vec(&cert2).unwrap(),
    )
    .unwrap();
    let o = probity()
        .current_dir(tmp.path())
        .env("PROBITY_TOKEN", &admin)
        .args([
            "issuer",
            "suspend",
            "--node",
            &base,
            &format!("urn:uuid:{id2}"),
            "--reason",
            "yearly dues unpaid",
        ])
        .output()
        .unwrap();
    assert_exit(&o, 0);
    assert_eq!(
        verify_at(tmp.path(), "cert2.json", &did),
        (1, "SUSPENDED".into())
    );
    let o = run(
        tmp.path(),
        &[
            "issuer",
            "reinstate",
            "--node",
            &base,
            "--token",
            &admin,
            &id2,
            "--reason",
            "dues paid",
        ],
    );
    assert_exit(&o, 0);
    assert_eq!(
        verify_at(tmp.path(), "cert2.json", &did),
        (0, "VALID".into())
    );

    // The audit log exports, verifies, and a tampered copy names its broken entry.
    let (status, log) = get_text(&base, "/api/v1/audit", Some(&admin));
    assert_eq!(status, 200);
    std::fs::write(tmp.path().join("audit.jsonl"), &log).unwrap();
    let o = run(tmp.path(), &["audit", "verify", "audit.jsonl"]);
    assert_exit(&o, 0);
    std::fs::write(
        tmp.path().join("tampered.jsonl"),
        log.replacen("licence withdrawn", "nothing to see", 1),
    )
    .unwrap();
    let o = run(tmp.path(), &["audit", "verify", "tampered.jsonl"]);
    assert_exit(&o, 1);
    assert!(stdout(&o).contains("entry"), "{}", stdout(&o));
}

#[test]
fn a_did_web_issuer_rotates_its_key_and_old_certificates_still_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("node");
    let port = free_port();
    let did = format!("did:web:127.0.0.1%3A{port}");
    let admin = issuer_init(&dir, "certifying-body", Some(&did));
    let node = NodeProcess::issuer(&dir, &format!("127.0.0.1:{port}"));
    let base = node.base.clone();
    let (status, doc) = get_text(&base, "/.well-known/did.json", None);
    assert_eq!(status, 200, "{doc}");

    let (_, old) = submit_and_approve(
        &base,
        &admin,
        &admin,
        &ip_candidate("Dr. Old Key", "CPSO 1", "DIAG"),
    );
    std::fs::write(
        tmp.path().join("old.json"),
        serde_json::to_vec(&old).unwrap(),
    )
    .unwrap();
    assert_eq!(verify_at(tmp.path(), "old.json", &did), (0, "VALID".into()));

    let (status, key) = post_json(&base, "/api/v1/keys/rotate", &admin, &json!({}));
    assert_eq!(status, 201, "{key}");
    let (_, new) = submit_and_approve(
        &base,
        &admin,
        &admin,
        &ip_candidate("Dr. New Key", "CPSO 2", "DIAG"),
    );
    assert_eq!(new["proof"]["verificationMethod"], format!("{did}#key-2"));
    std::fs::write(
        tmp.path().join("new.json"),
        serde_json::to_vec(&new).unwrap(),
    )
    .unwrap();
    assert_eq!(verify_at(tmp.path(), "old.json", &did), (0, "VALID".into()));
    assert_eq!(verify_at(tmp.path(), "new.json", &did), (0, "VALID".into()));
}

#[test]
fn import_issues_a_csv_once_and_refuses_only_the_bad_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("node");
    let admin = issuer_init(&dir, "certifying-body", None);
    let node = NodeProcess::issuer(&dir, "127.0.0.1:0");
    let mut csv = format!("{IP_CSV_HEADER}\n");
    for i in 0..25 {
        // Line 2 + i; the row at i = 7 fails its practical exam.
        csv.push_str(&ip_csv_row(i, if i == 7 { 90 } else { 100 }));
        csv.push('\n');
    }
    std::fs::write(tmp.path().join("cohort.csv"), &csv).unwrap();
    let args = [
        "issuer",
        "import",
        "--node",
        &node.base,
        "--token",
        &admin,
        "cohort.csv",
        "--batch-size",
        "10",
    ];
    let o = run(tmp.path(), &args);
    assert_exit(&o, 1);
    let out = stdout(&o);
    assert!(
        out.contains("24 issued, 0 already issued, 1 refused"),
        "{out}"
    );
    assert!(out.contains("line 9: exams[2].score"), "{out}");
    let o = run(tmp.path(), &args);
    assert_exit(&o, 1);
    assert!(
        stdout(&o).contains("0 issued, 24 already issued, 1 refused"),
        "{}",
        stdout(&o)
    );
    let (status, found) = get_text(
        &node.base,
        "/api/v1/credentials?registrationNumber=CPSO%20000003",
        Some(&admin),
    );
    assert_eq!(status, 200);
    let found: Value = serde_json::from_str(&found).unwrap();
    assert_eq!(found["credentials"].as_array().unwrap().len(), 1);
}

/// What the crash test's client was told, and so what must survive.
#[derive(Default)]
struct Acknowledged {
    /// Credential id → (IP number, status the node last confirmed).
    credentials: std::collections::HashMap<String, (String, &'static str)>,
    /// Credentials whose last status change got no answer: either status may hold.
    uncertain: std::collections::HashMap<String, &'static str>,
    /// Batches sent without an answer: rows of one batch are all stored or none.
    unanswered: Vec<Vec<Value>>,
}

fn import_rows(first: usize, n: usize) -> Vec<Value> {
    (first..first + n)
        .map(|i| {
            let mut row = ip_candidate(
                &format!("Dr. Crash {i}"),
                &format!("CRASH {i:06}"),
                "FM_CORE",
            );
            row["importId"] = json!(format!("crash-{i}"));
            row["line"] = json!(i + 2);
            row
        })
        .collect()
}

/// Sends batches and status changes until the node stops answering.
fn crash_client(
    base: &str,
    token: &str,
    ack: &std::sync::Mutex<Acknowledged>,
    next_row: &std::sync::atomic::AtomicUsize,
    seed: u64,
) {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let post = |path: &str, body: &Value| -> Option<(u16, Value)> {
        let r = client
            .post(format!("{base}{path}"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .ok()?;
        let status = r.status().as_u16();
        let bytes = r.bytes().ok()?;
        Some((status, serde_json::from_slice(&bytes).ok()?))
    };
    // First, the batch the last crash cut off: sent again, its rows are either all
    // already there or all issued now, never some of each.
    let retry: Vec<Vec<Value>> = std::mem::take(&mut ack.lock().unwrap().unanswered);
    for rows in retry {
        let Some((200, answer)) = post("/api/v1/import", &json!({"rows": rows})) else {
            ack.lock().unwrap().unanswered.push(rows);
            return;
        };
        let statuses: std::collections::HashSet<&str> = answer["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses.len(), 1, "a batch was half stored: {statuses:?}");
        record_issued(ack, &answer);
    }
    loop {
        let first = next_row.fetch_add(10, std::sync::atomic::Ordering::SeqCst);
        let rows = import_rows(first, 10);
        match post("/api/v1/import", &json!({"rows": rows})) {
            Some((200, answer)) => record_issued(ack, &answer),
            _ => {
                ack.lock().unwrap().unanswered.push(rows);
                return;
            }
        }
        // A status change on a credential acknowledged earlier.
        let target = {
            let a = ack.lock().unwrap();
            let ids: Vec<&String> = a
                .credentials
                .iter()
                .filter(|(id, (_, s))| *s != "revoked" && !a.uncertain.contains_key(*id))
                .map(|(id, _)| id)
                .collect();
            if ids.is_empty() {
                continue;
            }
            ids[rng.gen_range(0..ids.len())].clone()
        };
        let (action, next) = match ack.lock().unwrap().credentials[&target].1 {
            "suspended" if rng.gen_bool(0.5) => ("reinstate", "active"),
            "active" if rng.gen_bool(0.7) => ("suspend", "suspended"),
            _ => ("revoke", "revoked"),
        };
        match post(
            &format!("/api/v1/credentials/{target}/{action}"),
            &json!({"reason": "crash test"}),
        ) {
            Some((200, _)) => {
                ack.lock().unwrap().credentials.get_mut(&target).unwrap().1 = next;
            }
            Some((status, body)) => panic!("{action} {target}: {status} {body}"),
            None => {
                ack.lock().unwrap().uncertain.insert(target, next);
                return;
            }
        }
    }
}

fn record_issued(ack: &std::sync::Mutex<Acknowledged>, answer: &Value) {
    let mut a = ack.lock().unwrap();
    for r in answer["results"].as_array().unwrap() {
        assert_ne!(r["status"], "refused", "{r}");
        let id = r["id"].as_str().unwrap().to_owned();
        let ip = r["ipNumber"].as_str().unwrap().to_owned();
        let entry = a.credentials.entry(id).or_insert((ip.clone(), "active"));
        assert_eq!(
            entry.0, ip,
            "an acknowledged credential changed its IP number"
        );
    }
}

#[test]
fn killing_the_node_mid_import_loses_nothing_acknowledged_and_reuses_nothing() {
    use rand::{Rng, SeedableRng};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("node");
    let admin = issuer_init(&dir, "certifying-body", None);
    let ack = std::sync::Arc::new(std::sync::Mutex::new(Acknowledged::default()));
    let next_row = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed);
    let started = std::time::Instant::now();
    let cycles = 24;
    for cycle in 0..cycles {
        let mut node = NodeProcess::issuer(&dir, "127.0.0.1:0");
        let (base, token, a, n) = (
            node.base.clone(),
            admin.clone(),
            ack.clone(),
            next_row.clone(),
        );
        let seed = rng.gen();
        let client = std::thread::spawn(move || crash_client(&base, &token, &a, &n, seed));
        std::thread::sleep(Duration::from_millis(rng.gen_range(50..500)));
        node.kill();
        client
            .join()
            .unwrap_or_else(|_| panic!("the client failed in cycle {cycle}"));
    }

    // The node restarts on what survived; its audit log still verifies.
    let node = NodeProcess::issuer(&dir, "127.0.0.1:0");
    let (status, log) = get_text(&node.base, "/api/v1/audit", Some(&admin));
    assert_eq!(status, 200);
    let entries = probity_issuer::audit::verify_export(&log).unwrap();
    drop(node);

    let store = probity_issuer::store::Store::open(&dir.join("store.redb")).unwrap();
    let reader = store.read().unwrap();
    let all = reader.all_credentials().unwrap();
    let a = ack.lock().unwrap();
    assert!(
        a.credentials.len() >= 100,
        "only {} credentials were acknowledged in {cycles} cycles",
        a.credentials.len()
    );
    let by_id: std::collections::HashMap<&str, &probity_issuer::records::CredentialRecord> =
        all.iter().map(|c| (c.id.as_str(), c)).collect();
    for (id, (ip, status)) in &a.credentials {
        let stored = by_id
            .get(id.as_str())
            .unwrap_or_else(|| panic!("acknowledged credential {id} is gone"));
        assert_eq!(stored.ip_number.as_deref(), Some(ip.as_str()));
        let got = stored.status.as_str();
        let ok = got == *status || a.uncertain.get(id).is_some_and(|s| *s == got);
        assert!(ok, "{id}: acknowledged {status}, stored {got}");
    }
    let mut ips = std::collections::HashSet::new();
    let mut indexes = std::collections::HashSet::new();
    let revocation = reader.list_bits("revocation-1").unwrap().unwrap();
    let suspension = reader.list_bits("suspension-1").unwrap().unwrap();
    let bit = |bits: &[u8], i: u64| bits[(i / 8) as usize] & (0x80 >> (i % 8)) != 0;
    for c in &all {
        assert!(
            ips.insert(c.ip_number.clone().unwrap()),
            "IP number {:?} handed out twice",
            c.ip_number
        );
        assert!(
            indexes.insert(c.status_index),
            "status index {} handed out twice",
            c.status_index
        );
        assert_eq!(
            bit(&revocation, c.status_index),
            c.status.as_str() == "revoked",
            "{}",
            c.id
        );
        if c.status.as_str() != "revoked" {
            assert_eq!(
                bit(&suspension, c.status_index),
                c.status.as_str() == "suspended",
                "{}",
                c.id
            );
        }
    }
    let allocated = reader.all_indexes().unwrap();
    assert_eq!(allocated.len(), all.len());
    // Every credential issued has its audit entry: the two were one transaction.
    assert!(entries as usize > all.len());
    eprintln!(
        "crash test: {cycles} kills, {} credentials acknowledged, {} stored, {} audit entries, {:.1} s",
        a.credentials.len(),
        all.len(),
        entries,
        started.elapsed().as_secs_f64()
    );
}
