//! `probity demo`: the live network a newcomer starts with one command. With `--check`
//! it tells its story and checks every verdict; without, it keeps serving, and what it
//! wrote verifies through the verifier page's own API.

use super::util::*;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Each credential the demonstration writes, and the verdict its story promises.
const PROMISED: [(&str, &str); 6] = [
    ("ip-certificate-valid", "VALID"),
    ("ip-certificate-revoked", "REVOKED"),
    ("ip-certificate-suspended", "SUSPENDED"),
    ("skill-attestation", "VALID"),
    ("ip-certificate-not-accredited", "NOT_ACCREDITED"),
    ("ip-certificate-tampered", "INVALID_SIGNATURE"),
];

#[test]
fn demo_check_tells_the_story_on_a_live_network_and_every_verdict_is_as_promised() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        dir.path(),
        &["demo", "--check", "--out", "story", "--at", AT],
    );
    assert_exit(&o, 0);
    let text = stdout(&o);
    for (what, verdict) in [
        ("the approved IP certificate", "VALID"),
        ("a copy with its IP number changed", "INVALID_SIGNATURE"),
        ("the revoked IP certificate", "REVOKED"),
        ("the suspended IP certificate", "SUSPENDED"),
        ("the hospital's skill attestation", "VALID"),
        ("the IP certificate the hospital signed", "NOT_ACCREDITED"),
        ("the approved certificate read from its QR code", "VALID"),
        (
            "the approved certificate, trusting no federation",
            "UNTRUSTED_ISSUER",
        ),
    ] {
        let line = text
            .lines()
            .find(|l| l.contains(what))
            .unwrap_or_else(|| panic!("no step for {what}:\n{text}"));
        assert!(line.trim_start().starts_with('✓'), "{line}");
        assert!(
            line.contains(&format!("{verdict} (expected {verdict})")),
            "{line}"
        );
    }
    assert!(!text.contains('✗'), "{text}");
    for (stem, _) in PROMISED {
        assert!(dir.path().join(format!("story/{stem}.json")).is_file());
    }

    // The same story as JSON, into the default folder, which it names by the time.
    let o = run(dir.path(), &["demo", "--check", "--json", "--at", AT]);
    assert_exit(&o, 0);
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["asExpected"], true, "{report}");
    assert_eq!(report["steps"].as_array().unwrap().len(), 8, "{report}");
    let default = dir.path().join("probity-demo-20260601-000000");
    assert!(default.join("registry.json").is_file());

    // A folder that already holds something is never written into.
    let o = run(
        dir.path(),
        &["demo", "--check", "--out", "story", "--at", AT],
    );
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("not empty"), "{}", stderr(&o));
}

/// Sends SIGINT, as Ctrl-C does, so the demonstration shuts down cleanly.
fn interrupt(child: &std::process::Child) {
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits (at most `limit`) for the child to exit, and returns its exit code.
fn wait_for_exit(child: &mut std::process::Child, limit: Duration) -> Option<i32> {
    let began = Instant::now();
    while began.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// Every `http://127.0.0.1:PORT` the demonstration printed.
fn loopback_addresses(text: &str) -> Vec<String> {
    let mut found: Vec<String> = text
        .match_indices("http://127.0.0.1:")
        .map(|(start, _)| {
            let rest = &text[start + "http://127.0.0.1:".len()..];
            let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
            format!("127.0.0.1:{port}")
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

fn is_png(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|bytes| bytes.starts_with(b"\x89PNG\r\n\x1a\n"))
}

#[test]
fn demo_serves_a_verifier_page_that_gives_each_written_credential_its_promised_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let mut demo = start_demo(dir.path());
    let (page, out) = (demo.page.clone(), demo.out.clone());
    assert!(page.starts_with("http://127.0.0.1:"), "{page}");

    for (stem, promised) in PROMISED {
        let credential: Value =
            serde_json::from_slice(&std::fs::read(out.join(format!("{stem}.json"))).unwrap())
                .unwrap();
        let (status, report) = post_json(&page, "/api/v1/verify", "", &credential);
        assert_eq!(status, 200, "{stem}: {report}");
        assert_eq!(report["verdict"], promised, "{stem}: {report}");

        let qr = out.join(format!("{stem}-qr.png"));
        assert!(is_png(&qr), "{}", qr.display());
        let text = probity_verifier::qr::decode_image(&std::fs::read(&qr).unwrap()).unwrap();
        assert!(
            text.starts_with(&format!("{page}/#PB1:")),
            "{stem}: the QR code is not a link to the page: {}",
            &text[..text.len().min(80)]
        );
        assert!(is_png(&out.join(format!("{stem}-card.png"))), "{stem} card");
    }

    // Ctrl-C stops the whole network: the process exits cleanly and no address it
    // served answers any more.
    while let Ok(line) = demo.lines.recv_timeout(Duration::from_millis(500)) {
        demo.printed.push_str(&line);
        demo.printed.push('\n');
    }
    let printed = demo.printed.clone();
    let addresses = loopback_addresses(&printed);
    assert!(
        addresses.len() >= 4,
        "page, two issuers, registry: {printed}"
    );
    interrupt(&demo.child);
    assert_eq!(
        wait_for_exit(&mut demo.child, Duration::from_secs(30)),
        Some(0),
        "{}",
        std::fs::read_to_string(dir.path().join("demo.log")).unwrap()
    );
    for address in addresses {
        assert!(
            std::net::TcpStream::connect(&address).is_err(),
            "{address} still answers"
        );
    }
}

/// A running `probity demo --out network --at AT`, killed when dropped.
pub struct RunningDemo {
    pub child: std::process::Child,
    /// The verifier page's address, without a trailing slash.
    pub page: String,
    /// The folder the credentials were written to.
    pub out: std::path::PathBuf,
    /// What it printed up to the page's address.
    pub printed: String,
    /// The rest of what it prints, line by line.
    pub lines: std::sync::mpsc::Receiver<String>,
}

impl Drop for RunningDemo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the demonstration in `dir` (its log in `dir/demo.log`) and waits, up to a
/// minute, for it to print its page's address.
pub fn start_demo(dir: &Path) -> RunningDemo {
    let log = std::fs::File::create(dir.join("demo.log")).unwrap();
    let mut child = probity()
        .current_dir(dir)
        .args(["demo", "--out", "network", "--at", AT])
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("probity starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut printed = String::new();
    let page = loop {
        let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) else {
            let _ = child.kill();
            panic!("the demo never printed its page's address:\n{printed}")
        };
        printed.push_str(&line);
        printed.push('\n');
        if let Some(url) = line.strip_prefix("The verifier page: ") {
            break url.trim().trim_end_matches('/').to_owned();
        }
    };
    assert!(page.starts_with("http://127.0.0.1:"), "{page}");
    RunningDemo {
        child,
        page,
        out: dir.join("network"),
        printed,
        lines: rx,
    }
}
