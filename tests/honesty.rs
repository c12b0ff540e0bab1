//! What a person or a program is told is the truth: hostile strings cannot redraw the
//! report, hostile servers cannot hold a verification, and a credential's addresses
//! are not called before its proof and issuer check out.

use super::util::*;
use super::{issue_ip, new_key, publish_list};
use probity_spec::status_list::StatusPurpose::{Revocation, Suspension};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

#[test]
fn a_credential_cannot_redraw_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let (key, did_key) = new_key(dir.path(), "issuer.json");
    // Erase the line, move up, and print a verdict of its own; then a right-to-left
    // override that would show the IP number reversed.
    let fake = "Dr. Amelia\x1b[2K\x1b[1A\r\u{9b}2J  ✓ status  fine\n\nVerdict: VALID";
    issue_ip(
        dir.path(),
        &key,
        &[
            ("--holder-name", Some(fake)),
            ("--ip-number", Some("IP-\u{202e}71400-6202")),
            (
                "--revocation-list",
                Some("https://status.example/rev\x1b]8;;https://evil.example\x07/1"),
            ),
        ],
        "cert.json",
    );
    let o = run(
        dir.path(),
        &[
            "verify",
            "cert.json",
            "--trust-issuer",
            &did_key,
            "--offline",
            "--at",
            AT,
        ],
    );
    assert_exit(&o, 1);
    let text = stdout(&o);
    for raw in ['\x1b', '\r', '\u{9b}', '\u{202e}', '\x07'] {
        assert!(
            !text.contains(raw),
            "raw {raw:?} reached the terminal:\n{text}"
        );
    }
    assert!(
        text.contains("Dr. Amelia\\u{1b}[2K\\u{1b}[1A\\u{d}\\u{9b}2J"),
        "{text}"
    );
    assert!(text.contains("IP-\\u{202e}71400-6202"), "{text}");
    // The only verdict line is the real one, and the holder's embedded line feeds
    // did not become lines of the report.
    assert_eq!(text.matches("Verdict:").count(), 2, "{text}");
    assert!(
        text.lines().any(|l| l == "Verdict: STATUS_UNKNOWN"),
        "{text}"
    );
    assert!(!text.lines().any(|l| l == "Verdict: VALID"), "{text}");

    // The JSON report means the same, with the characters escaped.
    let o = run(
        dir.path(),
        &[
            "verify",
            "cert.json",
            "--json",
            "--trust-issuer",
            &did_key,
            "--offline",
            "--at",
            AT,
        ],
    );
    let json_text = stdout(&o);
    assert!(
        !json_text.contains('\u{202e}') && !json_text.contains('\u{9b}'),
        "{json_text}"
    );
    let report: Value = serde_json::from_str(&json_text).unwrap();
    assert_eq!(report["credential"]["holder"], fake);
    assert_eq!(report["verdict"], "STATUS_UNKNOWN");

    // Errors quoting a flag are escaped too.
    let o = run(
        dir.path(),
        &[
            "verify",
            "cert.json",
            "--trust-issuer",
            "did:key:\x1b[31mz6Mk",
            "--at",
            AT,
        ],
    );
    assert_exit(&o, 2);
    assert!(!stderr(&o).contains('\x1b'), "{}", stderr(&o));
    assert!(stderr(&o).contains("\\u{1b}[31m"), "{}", stderr(&o));

    // `qr decode` prints the document; it carries the same escapes.
    let o = run(
        dir.path(),
        &["qr", "encode", "cert.json", "--out", "cert.png"],
    );
    assert_exit(&o, 0);
    let o = run(dir.path(), &["qr", "decode", "cert.png"]);
    assert_exit(&o, 0);
    assert!(!stdout(&o).contains('\u{202e}') && !stdout(&o).contains('\x1b'));
}

#[test]
fn nothing_a_credential_names_is_fetched_before_its_proof_and_issuer_check_out() {
    let dir = tempfile::tempdir().unwrap();
    let (key, did_key) = new_key(dir.path(), "issuer.json");
    let (_, stranger) = new_key(dir.path(), "stranger.json");
    let server = Server::start();
    let rev = server.url("/status/revocation/1");
    let sus = server.url("/status/suspension/1");
    issue_ip(
        dir.path(),
        &key,
        &[
            ("--revocation-list", Some(&rev)),
            ("--suspension-list", Some(&sus)),
        ],
        "cert.json",
    );
    let mut forged: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("cert.json")).unwrap()).unwrap();
    let value = forged["proof"]["proofValue"].as_str().unwrap().to_owned();
    let flipped = if &value[10..11] == "A" { "B" } else { "A" };
    forged["proof"]["proofValue"] = json!(format!("{}{flipped}{}", &value[..10], &value[11..]));
    std::fs::write(dir.path().join("forged.json"), forged.to_string()).unwrap();

    // A garbage signature: INVALID_SIGNATURE, and the server never hears of it.
    let (code, report) = verify_json(dir.path(), &["forged.json", "--trust-issuer", &did_key]);
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (1, "INVALID_SIGNATURE")
    );
    assert!(
        report["checks"][5]["message"]
            .as_str()
            .unwrap()
            .contains("not fetched"),
        "{report}"
    );
    // A good signature by an issuer nobody trusts: UNTRUSTED_ISSUER, still no fetch.
    let (code, report) = verify_json(dir.path(), &["cert.json", "--trust-issuer", &stranger]);
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (1, "UNTRUSTED_ISSUER")
    );
    assert_eq!(
        server.hits(),
        0,
        "the verifier called addresses an untrusted credential named"
    );

    // Trusted: both lists are fetched, and the verdict is VALID.
    let issuer = probity_spec::multikey::KeyFile::from_json(&std::fs::read(&key).unwrap())
        .unwrap()
        .signing_key()
        .unwrap();
    publish_list(&server, "/status/revocation/1", &issuer, Revocation, &[]);
    publish_list(&server, "/status/suspension/1", &issuer, Suspension, &[]);
    let (code, report) = verify_json(dir.path(), &["cert.json", "--trust-issuer", &did_key]);
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (0, "VALID"),
        "{report}"
    );
    assert_eq!(server.hits(), 2);
}

/// A server that accepts connections and answers a status list one byte every 200 ms,
/// for as long as anyone listens; returns its base URL.
fn drip_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut request = [0u8; 2048];
                let _ = stream.read(&mut request);
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n{");
                while stream.write_all(b" ").is_ok() {
                    std::thread::sleep(Duration::from_millis(200));
                }
            });
        }
    });
    base
}

#[test]
fn a_drip_fed_or_silent_status_list_cannot_hold_a_verification() {
    let dir = tempfile::tempdir().unwrap();
    let (key, did_key) = new_key(dir.path(), "issuer.json");
    let drip = drip_server();
    // A port that takes the connection and never says a word.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!(
        "http://{}/status/suspension/1",
        silent.local_addr().unwrap()
    );
    issue_ip(
        dir.path(),
        &key,
        &[
            (
                "--revocation-list",
                Some(&format!("{drip}/status/revocation/1")),
            ),
            ("--suspension-list", Some(&silent_url)),
        ],
        "cert.json",
    );
    let started = Instant::now();
    let (code, report) = verify_json(dir.path(), &["cert.json", "--trust-issuer", &did_key]);
    let took = started.elapsed();
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (1, "STATUS_UNKNOWN"),
        "{report}"
    );
    // Both lists share one five-second deadline; the drip would go on for minutes.
    assert!(took < Duration::from_secs(15), "verification took {took:?}");
    let message = report["checks"][5]["message"].as_str().unwrap();
    assert!(
        message.contains("no full answer within 5 seconds"),
        "{message}"
    );
    drop(silent);
}

#[test]
fn an_unreachable_list_is_one_plain_sentence_with_the_detail_under_verbose() {
    let dir = tempfile::tempdir().unwrap();
    let (key, did_key) = new_key(dir.path(), "issuer.json");
    // A port nobody listens on.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/status/revocation/1",
        closed.local_addr().unwrap()
    );
    drop(closed);
    issue_ip(
        dir.path(),
        &key,
        &[("--revocation-list", Some(&url))],
        "cert.json",
    );
    let args = [
        "verify",
        "cert.json",
        "--trust-issuer",
        &did_key,
        "--at",
        AT,
    ];
    let o = run(dir.path(), &args);
    assert_exit(&o, 1);
    let text = stdout(&o);
    assert!(
        text.contains(&format!(
            "The revocation list {url} could not be had: the server could not be reached."
        )),
        "{text}"
    );
    assert!(!text.contains("error sending request"), "{text}");
    assert!(stderr(&o).trim().is_empty(), "{}", stderr(&o));
    let mut verbose = args.to_vec();
    verbose.push("-v");
    let o = run(dir.path(), &verbose);
    assert!(
        stderr(&o).contains("Connection refused") || stderr(&o).contains("connect"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn untrusted_with_no_trust_given_says_how_to_give_it() {
    let dir = tempfile::tempdir().unwrap();
    let (key, _) = new_key(dir.path(), "issuer.json");
    issue_ip(dir.path(), &key, &[], "cert.json");
    let o = run(dir.path(), &["verify", "cert.json", "--at", AT]);
    assert_exit(&o, 1);
    assert!(stdout(&o).contains("Verdict: UNTRUSTED_ISSUER"));
    let hint = stderr(&o);
    assert!(
        hint.contains("--trust-issuer")
            && hint.contains("--registry")
            && hint.contains("--federation-key"),
        "{hint}"
    );
}

#[test]
fn issue_reads_its_input_once_from_standard_input_and_refuses_unknown_members() {
    let dir = tempfile::tempdir().unwrap();
    let (key, did_key) = new_key(dir.path(), "hospital.json");
    let fields = json!({
        "name": "Dr. Sam Chen", "registrationNumber": "CPSBC 44521", "department": "Emergency Medicine",
        "applications": ["eFAST"], "supervisedScans": {"eFAST": 25},
        "qaReviewer": "Dr. R. Osei", "reviewDate": "2026-04-02",
        "issuerName": "St. Elsewhere General", "validFrom": "2026-04-02T00:00:00Z"
    });
    let args = [
        "issue",
        "attestation",
        "--key",
        key.to_str().unwrap(),
        "--input",
        "-",
        "--created",
        "2026-04-02T00:00:00Z",
        "--out",
        "a.json",
    ];
    let o = run_with_stdin(dir.path(), &args, fields.to_string().as_bytes());
    assert_exit(&o, 0);
    let doc: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("a.json")).unwrap()).unwrap();
    assert_eq!(doc["issuer"]["name"], "St. Elsewhere General");
    assert_eq!(doc["validFrom"], "2026-04-02T00:00:00Z");
    let (code, report) = verify_json(dir.path(), &["a.json", "--trust-issuer", &did_key]);
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (0, "VALID"),
        "{report}"
    );

    // Flag names and typos are refused by name, and nothing is written.
    for (bad, named) in [
        (json!({"holderName": "Dr. Sam Chen"}), "holderName"),
        (
            json!({"name": "x", "aplications": ["eFAST"]}),
            "aplications",
        ),
    ] {
        std::fs::remove_file(dir.path().join("a.json")).ok();
        let o = run_with_stdin(dir.path(), &args, bad.to_string().as_bytes());
        assert_exit(&o, 2);
        assert!(
            stderr(&o).contains(&format!("unknown member {named}")),
            "{}",
            stderr(&o)
        );
        assert!(!dir.path().join("a.json").exists());
    }
    // Nested members of an IP certificate's objects are checked too.
    let o = run_with_stdin(
        dir.path(),
        &[
            "issue",
            "ip-certificate",
            "--key",
            key.to_str().unwrap(),
            "--input",
            "-",
        ],
        json!({"course": {"id": "C-1", "providr": "Academy"}})
            .to_string()
            .as_bytes(),
    );
    assert_exit(&o, 2);
    assert!(
        stderr(&o).contains("unknown member course.providr"),
        "{}",
        stderr(&o)
    );
}
