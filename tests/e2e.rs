//! End-to-end tests: the real `probity` binary, real files, real HTTP on loopback.

mod clock;
mod demo;
mod faults;
mod federation;
mod honesty;
mod live;
mod network;
mod page;
mod photo;
mod qr;
mod util;
mod verifier;

use ed25519_dalek::SigningKey;
use probity_spec::did;
use probity_spec::multikey::{self, KeyFile};
use probity_spec::proof::{self, ProofOptions};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use util::*;

/// Writes an issuer key file into `dir` and returns (path, did:key).
fn new_key(dir: &Path, name: &str) -> (PathBuf, String) {
    let path = dir.join(name);
    let o = run(dir, &["key", "new", "--out", path.to_str().unwrap()]);
    assert_exit(&o, 0);
    (path, stdout(&o).trim().to_owned())
}

const IP_FLAGS: &[&str] = &[
    "--issuer-name",
    "Canadian Point of Care Ultrasound Society",
    "--holder-name",
    "Dr. Amelia Okafor-Lindqvist",
    "--registration-number",
    "CPSO 0123456",
    "--ip-number",
    "IP-2026-00417",
    "--track",
    "FM_MSK",
    "--module",
    "shoulder",
    "--module",
    "knee",
    "--curriculum-version",
    "2024.1",
    "--course-id",
    "CPOCUS-MSK-2025-0142",
    "--course-provider",
    "Western Ultrasound Academy",
    "--course-date",
    "2025-10-04",
    "--scans-total",
    "150",
    "--scans-supervised",
    "50",
    "--scans-from",
    "2025-10-05",
    "--scans-to",
    "2026-02-10",
    "--supervisor-ip-number",
    "IP-2019-00088",
    "--written-score",
    "92",
    "--written-date",
    "2026-01-15",
    "--written-examiner",
    "Dr. Louis Tremblay",
    "--visual-score",
    "88",
    "--visual-date",
    "2026-01-15",
    "--visual-examiner",
    "Dr. Louis Tremblay",
    "--practical-score",
    "100",
    "--practical-date",
    "2026-02-20",
    "--practical-examiner",
    "Dr. Priya Raman",
    "--valid-from",
    "2026-03-01T00:00:00Z",
    "--valid-until",
    "2031-03-01T00:00:00Z",
    "--created",
    "2026-03-01T00:00:00Z",
];

/// `IP_FLAGS` with the flags named in `changes` replaced (or dropped, for `None`).
fn ip_flags_with<'a>(changes: &[(&'a str, Option<&'a str>)]) -> Vec<&'a str> {
    let mut out = Vec::new();
    for pair in IP_FLAGS.chunks(2) {
        match changes.iter().find(|(flag, _)| *flag == pair[0]) {
            Some((flag, Some(value))) => out.extend([*flag, *value]),
            Some((_, None)) => {}
            None => out.extend_from_slice(pair),
        }
    }
    for (flag, value) in changes {
        if let (false, Some(value)) = (IP_FLAGS.contains(flag), value) {
            out.extend([*flag, *value]);
        }
    }
    out
}

/// Issues an IP certificate with `key` and `IP_FLAGS` changed by `changes`; returns its path.
fn issue_ip(dir: &Path, key: &Path, changes: &[(&str, Option<&str>)], out: &str) -> PathBuf {
    let mut args = vec![
        "issue",
        "ip-certificate",
        "--key",
        key.to_str().unwrap(),
        "--out",
        out,
    ];
    let flags = ip_flags_with(changes);
    args.extend_from_slice(&flags);
    let o = run(dir, &args);
    assert_exit(&o, 0);
    dir.join(out)
}

#[test]
fn key_new_writes_a_private_multikey_file_and_show_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let (path, did_key) = new_key(dir.path(), "k.json");
    assert!(did_key.starts_with("did:key:z6Mk"), "{did_key}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let file: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert!(file["publicKeyMultibase"]
        .as_str()
        .unwrap()
        .starts_with("z6Mk"));
    assert!(file["secretKeyMultibase"]
        .as_str()
        .unwrap()
        .starts_with("z3u2"));
    // Never silently overwritten.
    let again = run(dir.path(), &["key", "new", "--out", path.to_str().unwrap()]);
    assert_exit(&again, 2);
    assert!(stderr(&again).contains("--force"));
    let show = run(
        dir.path(),
        &["key", "show", path.to_str().unwrap(), "--json"],
    );
    assert_exit(&show, 0);
    let shown: Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(shown["didKey"], did_key.as_str());
    assert!(
        !stdout(&show).contains("z3u2"),
        "key show must not print the secret"
    );
}

#[test]
fn key_show_reads_the_w3c_private_key_multibase_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let pair = vectors().join("eddsa-jcs-2022/keyPair.json");
    let o = run(
        dir.path(),
        &["key", "show", pair.to_str().unwrap(), "--json"],
    );
    assert_exit(&o, 0);
    let shown: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        shown["didKey"],
        "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    );
}

#[test]
fn sign_reproduces_the_w3c_eddsa_jcs_2022_vector_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let v = vectors().join("eddsa-jcs-2022");
    let o = run(
        dir.path(),
        &[
            "sign",
            "--key", v.join("keyPair.json").to_str().unwrap(),
            "--verification-method", "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
            "--created", "2023-02-24T23:36:38Z",
            v.join("unsigned.json").to_str().unwrap(),
        ],
    );
    assert_exit(&o, 0);
    let signed: Value = serde_json::from_slice(&o.stdout).unwrap();
    let expected: Value =
        serde_json::from_slice(&std::fs::read(v.join("signedJCS.json")).unwrap()).unwrap();
    assert_eq!(signed, expected);
}

#[test]
fn sign_expires_bounds_the_life_of_the_proof() {
    let dir = tempfile::tempdir().unwrap();
    let (key, did_key) = new_key(dir.path(), "issuer.json");
    let cert = issue_ip(dir.path(), &key, &[], "cert.json");
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&cert).unwrap()).unwrap();
    doc.as_object_mut().unwrap().remove("proof");
    std::fs::write(dir.path().join("unsigned.json"), doc.to_string()).unwrap();
    let o = run(
        dir.path(),
        &[
            "sign",
            "--key",
            key.to_str().unwrap(),
            "--expires",
            "2030-01-01T00:00:00Z",
            "--created",
            "2026-03-01T00:00:00Z",
            "--out",
            "expiring.json",
            "unsigned.json",
        ],
    );
    assert_exit(&o, 0);
    let signed: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("expiring.json")).unwrap()).unwrap();
    assert_eq!(signed["proof"]["expires"], "2030-01-01T00:00:00Z");
    let (code, _) = verify_json(dir.path(), &["expiring.json", "--trust-issuer", &did_key]);
    assert_eq!(code, 0);
    let (code, report) = verify_json(
        dir.path(),
        &[
            "expiring.json",
            "--trust-issuer",
            &did_key,
            "--at",
            "2030-01-01T00:00:00Z",
        ],
    );
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (1, "INVALID_SIGNATURE")
    );
    let o = run(
        dir.path(),
        &[
            "sign",
            "--key",
            key.to_str().unwrap(),
            "--expires",
            "soon",
            "unsigned.json",
        ],
    );
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("--expires"), "{}", stderr(&o));
}

#[test]
fn quick_start_issue_verify_tamper_verify() {
    let dir = tempfile::tempdir().unwrap();
    let (key, did_key) = new_key(dir.path(), "issuer.json");
    let cert = issue_ip(dir.path(), &key, &[], "cert.json");

    let o = run(
        dir.path(),
        &[
            "verify",
            cert.to_str().unwrap(),
            "--trust-issuer",
            &did_key,
            "--at",
            AT,
        ],
    );
    assert_exit(&o, 0);
    let text = stdout(&o);
    assert!(text.contains("✓ proof"), "{text}");
    assert!(text.contains("Verdict: VALID"), "{text}");
    assert!(text.contains("IP-2026-00417"), "{text}");

    let (code, report) = verify_json(
        dir.path(),
        &[cert.to_str().unwrap(), "--trust-issuer", &did_key],
    );
    assert_eq!(code, 0);
    assert_eq!(report["verdict"], "VALID");
    let ids: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
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
    for c in report["checks"].as_array().unwrap() {
        assert_eq!(c["status"], "pass", "{c}");
        assert!(!c["message"].as_str().unwrap().is_empty());
    }

    // Tamper with one field: the signature no longer matches.
    let tampered = std::fs::read_to_string(&cert)
        .unwrap()
        .replace("IP-2026-00417", "IP-2026-00418");
    std::fs::write(dir.path().join("tampered.json"), tampered).unwrap();
    let (code, report) = verify_json(dir.path(), &["tampered.json", "--trust-issuer", &did_key]);
    assert_eq!(code, 1);
    assert_eq!(report["verdict"], "INVALID_SIGNATURE");

    // From stdin, and without trusting the issuer.
    let o = run_with_stdin(
        dir.path(),
        &["verify", "--json", "--at", AT],
        &std::fs::read(&cert).unwrap(),
    );
    assert_exit(&o, 1);
    assert_eq!(
        serde_json::from_slice::<Value>(&o.stdout).unwrap()["verdict"],
        "UNTRUSTED_ISSUER"
    );

    // Not valid yet, and expired (verifying as of a later time).
    issue_ip(
        dir.path(),
        &key,
        &[
            ("--valid-from", Some("2099-01-01T00:00:00Z")),
            ("--valid-until", None),
        ],
        "future.json",
    );
    let (code, report) = verify_json(dir.path(), &["future.json", "--trust-issuer", &did_key]);
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (1, "NOT_YET_VALID")
    );
    // As of a time before it was signed, it cannot be valid either.
    let (code, report) = verify_json(
        dir.path(),
        &[
            "cert.json",
            "--trust-issuer",
            &did_key,
            "--at",
            "2026-01-01T00:00:00Z",
        ],
    );
    assert_eq!(code, 1, "{report}");
    let (code, report) = verify_json(
        dir.path(),
        &[
            "cert.json",
            "--trust-issuer",
            &did_key,
            "--at",
            "2031-03-01T00:00:00Z",
        ],
    );
    assert_eq!((code, report["verdict"].as_str().unwrap()), (1, "EXPIRED"));
}

#[test]
fn a_reader_that_closes_the_pipe_early_is_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let (key, did_key) = new_key(dir.path(), "issuer.json");
    let cert = issue_ip(dir.path(), &key, &[], "cert.json");
    for json in [false, true] {
        let mut args = vec![
            "verify",
            cert.to_str().unwrap(),
            "--trust-issuer",
            &did_key,
            "--at",
            AT,
        ];
        if json {
            args.push("--json");
        }
        let mut child = probity()
            .current_dir(dir.path())
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Like `| head -0`: the reader is gone before the report is written.
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
}

#[test]
fn a_closed_standard_error_is_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let (key, _) = new_key(dir.path(), "issuer.json");
    let cert = issue_ip(dir.path(), &key, &[], "cert.json");
    let cert = cert.to_str().unwrap();
    // Error messages and progress notes, each with nobody left to read them. The
    // exit code is the command's own: 2 when the input cannot be read, 0 when the
    // code was written. A panic would exit 101.
    for (args, code) in [
        (&["verify", "missing.json", "--at", AT][..], 2),
        (&["qr", "encode", "missing.json"][..], 2),
        (&["qr", "encode", cert, "--out", "cert.png"][..], 0),
    ] {
        let mut child = probity()
            .current_dir(dir.path())
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "{args:?}");
    }
}

#[test]
fn inputs_over_their_size_limit_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let huge_key = dir.path().join("huge.key.json");
    std::fs::write(&huge_key, vec![b' '; 64 * 1024 + 1]).unwrap();
    let o = run(dir.path(), &["key", "show", huge_key.to_str().unwrap()]);
    assert_exit(&o, 2);
    assert!(
        stderr(&o).contains("over the 65536-byte limit"),
        "{}",
        stderr(&o)
    );
    let huge_doc = dir.path().join("huge.json");
    std::fs::write(&huge_doc, vec![b' '; (1 << 20) + 1]).unwrap();
    let (key, _) = new_key(dir.path(), "issuer.json");
    let o = run(
        dir.path(),
        &[
            "sign",
            "--key",
            key.to_str().unwrap(),
            huge_doc.to_str().unwrap(),
        ],
    );
    assert_exit(&o, 2);
    assert!(
        stderr(&o).contains("huge.json is over the 1048576-byte limit"),
        "{}",
        stderr(&o)
    );
    let o = run(dir.path(), &["qr", "encode", huge_doc.to_str().unwrap()]);
    assert_exit(&o, 2);
    assert!(
        stderr(&o).contains("over the 1048576-byte limit"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn issue_refuses_failed_exams_and_missing_ip_numbers_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let (key, _) = new_key(dir.path(), "issuer.json");
    let mut args = vec!["issue", "ip-certificate", "--key", key.to_str().unwrap()];
    args.extend(ip_flags_with(&[("--visual-score", Some("80"))]));
    let o = run(dir.path(), &args);
    assert_exit(&o, 2);
    assert!(
        stderr(&o).contains("credentialSubject.exams[1].score"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("under its pass mark 85"),
        "{}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty());

    let mut args = vec!["issue", "ip-certificate", "--key", key.to_str().unwrap()];
    args.extend(ip_flags_with(&[("--ip-number", None)]));
    let o = run(dir.path(), &args);
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("--ip-number"), "{}", stderr(&o));

    let mut args = vec!["issue", "ip-certificate", "--key", key.to_str().unwrap()];
    args.extend(ip_flags_with(&[("--practical-score", Some("99"))]));
    let o = run(dir.path(), &args);
    assert_exit(&o, 2);
    assert!(
        stderr(&o).contains("under its pass mark 100"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn issue_reads_fields_from_an_input_file_and_issues_attestations() {
    let dir = tempfile::tempdir().unwrap();
    let (key, did_key) = new_key(dir.path(), "hospital.json");
    std::fs::write(
        dir.path().join("att.json"),
        json!({
            "name": "Dr. Sam Chen", "registrationNumber": "CPSBC 44521", "department": "Emergency Medicine",
            "applications": ["eFAST", "AAA", "lung"], "supervisedScans": {"eFAST": 25, "AAA": 25, "lung": 30},
            "qaReviewer": "Dr. R. Osei", "reviewDate": "2026-04-02",
            "privileges": ["Independent eFAST in the emergency department"], "issuerName": "St. Elsewhere General"
        })
        .to_string(),
    )
    .unwrap();
    let o = run(
        dir.path(),
        &[
            "issue",
            "attestation",
            "--key",
            key.to_str().unwrap(),
            "--input",
            "att.json",
            "--valid-from",
            "2026-04-02T00:00:00Z",
            "--created",
            "2026-04-02T00:00:00Z",
            "--out",
            "a.json",
        ],
    );
    assert_exit(&o, 0);
    let doc: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("a.json")).unwrap()).unwrap();
    assert_eq!(doc["type"][2], "PocusSkillAttestation");
    assert_eq!(doc["issuer"]["name"], "St. Elsewhere General");
    assert_eq!(doc["credentialSubject"]["supervisedScans"]["lung"], 30);
    let (code, report) = verify_json(dir.path(), &["a.json", "--trust-issuer", &did_key]);
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (0, "VALID"),
        "{report}"
    );
}

#[test]
fn issue_with_a_fixed_id_and_times_writes_the_same_credential_every_time() {
    let dir = tempfile::tempdir().unwrap();
    let (key, _) = new_key(dir.path(), "issuer.json");
    let fixed = [
        (
            "--id",
            Some("urn:uuid:0b9e5b0c-7d3a-4f0e-8f1e-6a2c4d8e9f01"),
        ),
        ("--created", Some("2026-03-01T09:12:44+01:00")),
    ];
    let first = std::fs::read(issue_ip(dir.path(), &key, &fixed, "first.json")).unwrap();
    let second = std::fs::read(issue_ip(dir.path(), &key, &fixed, "second.json")).unwrap();
    assert_eq!(first, second);
    let doc: Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(doc["proof"]["created"], "2026-03-01T08:12:44Z");
    // Without --created the proof carries the time of issue instead.
    let now = serde_json::from_slice::<Value>(
        &std::fs::read(issue_ip(dir.path(), &key, &fixed[..1], "now.json")).unwrap(),
    )
    .unwrap();
    assert_ne!(now["proof"]["created"], "2026-03-01T08:12:44Z");
    // A time that is not RFC 3339 is refused by name, and nothing is written.
    let mut args = vec!["issue", "ip-certificate", "--key", key.to_str().unwrap()];
    let flags = ip_flags_with(&[
        ("--created", Some("yesterday")),
        ("--out", Some("bad.json")),
    ]);
    args.extend_from_slice(&flags);
    let o = run(dir.path(), &args);
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("--created"), "{}", stderr(&o));
    assert!(!dir.path().join("bad.json").exists());
}

/// Signs `doc` with `key` using its did:key method.
fn sign_with(doc: &Value, key: &SigningKey) -> Value {
    let vm = did::did_key_verification_method(&key.verifying_key());
    proof::sign(
        doc,
        key,
        &ProofOptions::assertion(vm, Some("2026-03-01T09:00:00Z".into())),
    )
    .unwrap()
}

#[test]
fn bad_input_gets_a_clear_non_valid_verdict_or_exit_2_and_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let (key_path, did_key) = new_key(dir.path(), "issuer.json");
    let cert = issue_ip(dir.path(), &key_path, &[], "cert.json");
    let good: Value = serde_json::from_slice(&std::fs::read(&cert).unwrap()).unwrap();
    let text = std::fs::read_to_string(&cert).unwrap();
    let key = KeyFile::from_json(&std::fs::read(&key_path).unwrap())
        .unwrap()
        .signing_key()
        .unwrap();

    let mut cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated",
            text.as_bytes()[..text.len() / 2].to_vec(),
            "MALFORMED",
        ),
        (
            "not UTF-8",
            [&text.as_bytes()[..40], b"\xff\xfe", &text.as_bytes()[40..]].concat(),
            "MALFORMED",
        ),
        (
            "duplicate key",
            text.replacen("{", "{\"id\":\"urn:uuid:x\",", 1)
                .into_bytes(),
            "MALFORMED",
        ),
        (
            "wrong type",
            {
                let mut d = good.clone();
                d["credentialSubject"]["loggedScans"]["total"] = json!("many");
                serde_json::to_vec(&d).unwrap()
            },
            "MALFORMED",
        ),
        (
            "deep nesting",
            format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes(),
            "MALFORMED",
        ),
        (
            "over 1 MiB",
            {
                let mut d = good.clone();
                d["padding"] = json!("x".repeat(1_100_000));
                serde_json::to_vec(&d).unwrap()
            },
            "MALFORMED",
        ),
        (
            "missing proof",
            {
                let mut d = good.clone();
                d.as_object_mut().unwrap().remove("proof");
                serde_json::to_vec(&d).unwrap()
            },
            "INVALID_SIGNATURE",
        ),
        (
            "unknown cryptosuite",
            {
                let mut d = good.clone();
                d["proof"]["cryptosuite"] = json!("eddsa-rdfc-2022");
                serde_json::to_vec(&d).unwrap()
            },
            "INVALID_SIGNATURE",
        ),
        (
            "proofValue wrong alphabet",
            {
                let mut d = good.clone();
                d["proof"]["proofValue"] = json!("z0OIl+/");
                serde_json::to_vec(&d).unwrap()
            },
            "INVALID_SIGNATURE",
        ),
        (
            "proofValue wrong length",
            {
                let mut d = good.clone();
                d["proof"]["proofValue"] = json!(format!("z{}", "2".repeat(60)));
                serde_json::to_vec(&d).unwrap()
            },
            "INVALID_SIGNATURE",
        ),
        (
            "proofValue not multibase",
            {
                let mut d = good.clone();
                d["proof"]["proofValue"] = json!("AAAA");
                serde_json::to_vec(&d).unwrap()
            },
            "INVALID_SIGNATURE",
        ),
    ];
    // A non-canonical signature: S + L verifies under lax rules, never under strict ones.
    let sig = proof::decode_proof_value(good["proof"]["proofValue"].as_str().unwrap())
        .unwrap()
        .to_bytes();
    let l: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut forged = sig;
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = sig[32 + i] as u16 + l[i] as u16 + carry;
        forged[32 + i] = sum as u8;
        carry = sum >> 8;
    }
    let mut d = good.clone();
    d["proof"]["proofValue"] = json!(format!("z{}", bs58_encode(&forged)));
    cases.push((
        "non-canonical signature",
        serde_json::to_vec(&d).unwrap(),
        "INVALID_SIGNATURE",
    ));
    // A credential whose issuer signed a proof with a different purpose.
    let mut other = good.clone();
    other.as_object_mut().unwrap().remove("proof");
    let mut resigned = sign_with(&other, &key);
    resigned["proof"]["proofPurpose"] = json!("authentication");
    cases.push((
        "wrong proof purpose",
        serde_json::to_vec(&resigned).unwrap(),
        "INVALID_SIGNATURE",
    ));

    for (name, bytes, expected) in cases {
        let path = dir.path().join("case.json");
        std::fs::write(&path, &bytes).unwrap();
        let started = std::time::Instant::now();
        let (code, report) = verify_json(dir.path(), &["case.json", "--trust-issuer", &did_key]);
        eprintln!("{name}: {:?}", started.elapsed());
        assert_eq!(code, 1, "{name}: {report}");
        assert_eq!(report["verdict"], expected, "{name}: {report}");
        let failing = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["status"] == "fail")
            .unwrap();
        assert!(
            failing["message"].as_str().unwrap().len() > 10,
            "{name}: {failing}"
        );
    }

    // Files that are not there and flags that are wrong: exit 2 with a message.
    let o = run(dir.path(), &["verify", "no-such-file.json", "--at", AT]);
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("no-such-file.json"));
    let o = run(
        dir.path(),
        &[
            "verify",
            "cert.json",
            "--trust-issuer",
            "did:example:123",
            "--at",
            AT,
        ],
    );
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("not supported"), "{}", stderr(&o));
    let o = run(dir.path(), &["verify", "cert.json", "--at", "yesterday"]);
    assert_exit(&o, 2);
    let o = run(
        dir.path(),
        &["verify", "cert.json", "--bogus-flag", "--at", AT],
    );
    assert_exit(&o, 2);
    assert!(!stderr(&o).contains("panicked"));
}

fn bs58_encode(bytes: &[u8]) -> String {
    // The proofValue alphabet, written out so the test does not share the code under test.
    const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut digits: Vec<u8> = vec![];
    for &byte in bytes {
        let mut carry = byte as u32;
        for d in digits.iter_mut() {
            carry += (*d as u32) << 8;
            *d = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    std::iter::repeat_n('1', zeros)
        .chain(digits.iter().rev().map(|&d| ALPHABET[d as usize] as char))
        .collect()
}

#[test]
fn a_registry_member_is_trusted_only_through_a_pinned_federation_key() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start();
    // The certifying body is a did:web on the loopback server.
    let issuer_did = format!("did:web:127.0.0.1%3A{}", server.port());
    let vm = format!("{issuer_did}#key-2026");
    let issuer_key = SigningKey::from_bytes(&[42; 32]);
    let key_file = KeyFile::new(&issuer_key, Some(issuer_did.clone()), Some(vm.clone()));
    std::fs::write(
        dir.path().join("body.json"),
        serde_json::to_vec(&key_file).unwrap(),
    )
    .unwrap();
    let cert = issue_ip(dir.path(), &dir.path().join("body.json"), &[], "cert.json");
    assert_eq!(
        serde_json::from_slice::<Value>(&std::fs::read(&cert).unwrap()).unwrap()["issuer"]["id"],
        issuer_did.as_str()
    );

    let root = SigningKey::from_bytes(&[7; 32]);
    let root_mb = multikey::public_key_to_multibase(&root.verifying_key());
    let member = probity_spec::sample::member(
        &issuer_did,
        "Canadian Point of Care Ultrasound Society",
        &vm,
        &issuer_key.verifying_key(),
        probity_spec::sample::ip_certificates_in_every_track(),
    );
    let now = at();
    let registry = probity_spec::sample::signed_registry(
        &root,
        3,
        vec![member],
        now - chrono::Duration::days(1),
        now + chrono::Duration::days(30),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("registry.json"),
        serde_json::to_vec(&registry).unwrap(),
    )
    .unwrap();

    let (code, report) = verify_json(
        dir.path(),
        &[
            "cert.json",
            "--registry",
            "registry.json",
            "--federation-key",
            &root_mb,
        ],
    );
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (0, "VALID"),
        "{report}"
    );
    assert!(report["checks"][2]["message"]
        .as_str()
        .unwrap()
        .contains("registry version 3"));

    // Another root key: the registry is refused outright.
    let stranger =
        multikey::public_key_to_multibase(&SigningKey::from_bytes(&[8; 32]).verifying_key());
    let o = run(
        dir.path(),
        &[
            "verify",
            "cert.json",
            "--registry",
            "registry.json",
            "--federation-key",
            &stranger,
            "--at",
            AT,
        ],
    );
    assert_exit(&o, 2);
    assert!(
        stderr(&o).contains("not a pinned federation key"),
        "{}",
        stderr(&o)
    );

    // The did:web issuer trusted directly: its DID document is fetched from the server.
    let doc = did::DidDocument::for_did_web(
        &issuer_did,
        &[("key-2026".into(), issuer_key.verifying_key())],
    )
    .unwrap();
    server.put("/.well-known/did.json", serde_json::to_vec(&doc).unwrap());
    let (code, report) = verify_json(dir.path(), &["cert.json", "--trust-issuer", &issuer_did]);
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (0, "VALID"),
        "{report}"
    );
}

/// Signs a status list for `url` with `bits` set and puts it on `server` at `path`.
fn publish_list(
    server: &Server,
    path: &str,
    key: &SigningKey,
    purpose: probity_spec::status_list::StatusPurpose,
    bits: &[u64],
) {
    use probity_spec::status_list::{status_list_credential, BitstringStatusList, MIN_ENTRIES};
    let mut list = BitstringStatusList::new(MIN_ENTRIES).unwrap();
    for &bit in bits {
        list.set(bit, true).unwrap();
    }
    let issuer = did::did_key(&key.verifying_key());
    let now = at();
    let doc = status_list_credential(
        &server.url(path),
        &issuer,
        purpose,
        &list,
        now - chrono::Duration::minutes(5),
        Some(now + chrono::Duration::days(1)),
    );
    server.put(path, serde_json::to_vec(&sign_with(&doc, key)).unwrap());
}

#[test]
fn status_lists_are_fetched_and_revocation_and_suspension_are_reported() {
    use probity_spec::status_list::StatusPurpose::{Revocation, Suspension};
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start();
    let key = SigningKey::from_bytes(&[21; 32]);
    let did_key = did::did_key(&key.verifying_key());
    std::fs::write(
        dir.path().join("k.json"),
        serde_json::to_vec(&KeyFile::new(&key, None, None)).unwrap(),
    )
    .unwrap();
    let (rev, sus) = (
        server.url("/status/revocation/1"),
        server.url("/status/suspension/1"),
    );
    issue_ip(
        dir.path(),
        &dir.path().join("k.json"),
        &[
            ("--revocation-list", Some(&rev)),
            ("--suspension-list", Some(&sus)),
            ("--status-index", Some("94567")),
        ],
        "cert.json",
    );
    let cert: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("cert.json")).unwrap()).unwrap();
    assert_eq!(cert["credentialStatus"][0]["statusListIndex"], "94567");

    // No lists published yet: the status cannot be had, and the verdict says so.
    let (code, report) = verify_json(dir.path(), &["cert.json", "--trust-issuer", &did_key]);
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (1, "STATUS_UNKNOWN"),
        "{report}"
    );
    assert!(
        report["checks"][5]["message"]
            .as_str()
            .unwrap()
            .contains("404"),
        "{report}"
    );

    publish_list(
        &server,
        "/status/revocation/1",
        &key,
        Revocation,
        &[7, 94566],
    );
    publish_list(&server, "/status/suspension/1", &key, Suspension, &[]);
    let (code, report) = verify_json(dir.path(), &["cert.json", "--trust-issuer", &did_key]);
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (0, "VALID"),
        "{report}"
    );
    assert!(report["checks"][5]["message"]
        .as_str()
        .unwrap()
        .contains("revocation and suspension"));

    // --offline: nothing fetched, never VALID.
    let (code, report) = verify_json(
        dir.path(),
        &["cert.json", "--trust-issuer", &did_key, "--offline"],
    );
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (1, "STATUS_UNKNOWN")
    );

    // Suspended (dues lapsed), then revoked: revocation outranks suspension.
    publish_list(&server, "/status/suspension/1", &key, Suspension, &[94567]);
    let (code, report) = verify_json(dir.path(), &["cert.json", "--trust-issuer", &did_key]);
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (1, "SUSPENDED")
    );
    publish_list(&server, "/status/revocation/1", &key, Revocation, &[94567]);
    let (code, report) = verify_json(dir.path(), &["cert.json", "--trust-issuer", &did_key]);
    assert_eq!((code, report["verdict"].as_str().unwrap()), (1, "REVOKED"));

    // A list signed by someone else is not believed.
    let stranger = SigningKey::from_bytes(&[22; 32]);
    publish_list(&server, "/status/revocation/1", &stranger, Revocation, &[]);
    publish_list(&server, "/status/suspension/1", &stranger, Suspension, &[]);
    let (code, report) = verify_json(dir.path(), &["cert.json", "--trust-issuer", &did_key]);
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (1, "STATUS_UNKNOWN"),
        "{report}"
    );

    // A list served under another list's URL is refused.
    let body = {
        use probity_spec::status_list::{status_list_credential, BitstringStatusList, MIN_ENTRIES};
        let now = at();
        let list = BitstringStatusList::new(MIN_ENTRIES).unwrap();
        let doc = status_list_credential(
            &server.url("/status/revocation/2"),
            &did_key,
            Revocation,
            &list,
            now,
            Some(now + chrono::Duration::days(1)),
        );
        serde_json::to_vec(&sign_with(&doc, &key)).unwrap()
    };
    server.put("/status/revocation/1", body);
    publish_list(&server, "/status/suspension/1", &key, Suspension, &[]);
    let (code, report) = verify_json(dir.path(), &["cert.json", "--trust-issuer", &did_key]);
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (1, "STATUS_UNKNOWN"),
        "{report}"
    );
}

#[test]
fn status_lists_are_fetched_over_https_or_loopback_http_only() {
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::from_bytes(&[23; 32]);
    let did_key = did::did_key(&key.verifying_key());
    std::fs::write(
        dir.path().join("k.json"),
        serde_json::to_vec(&KeyFile::new(&key, None, None)).unwrap(),
    )
    .unwrap();
    // A plain-http list on a non-loopback address is refused before any connection.
    issue_ip(
        dir.path(),
        &dir.path().join("k.json"),
        &[("--revocation-list", Some("http://status.example/rev/1"))],
        "cert.json",
    );
    let (code, report) = verify_json(dir.path(), &["cert.json", "--trust-issuer", &did_key]);
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (1, "STATUS_UNKNOWN")
    );
    assert!(
        report["checks"][5]["message"]
            .as_str()
            .unwrap()
            .contains("only loopback"),
        "{report}"
    );
}
