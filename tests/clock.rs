//! Time: every verdict in the tests is judged at a fixed moment, so the suite passes in
//! any year; the verdicts that depend on time are checked here on purpose.

use super::util::*;
use super::{issue_ip, new_key};
use std::path::{Path, PathBuf};

#[test]
fn time_dependent_verdicts_follow_at_and_not_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let (key, did_key) = new_key(dir.path(), "issuer.json");
    // Valid from 2026-03-01 until 2031-03-01, signed 2026-03-01.
    issue_ip(dir.path(), &key, &[], "cert.json");
    for (at, code, verdict, validity) in [
        ("2026-02-01T00:00:00Z", 1, "NOT_YET_VALID", None),
        ("2026-03-01T00:00:00Z", 0, "VALID", Some("pass")),
        (AT, 0, "VALID", Some("pass")),
        // Thirty days before expiry the validity check warns, and it is still VALID.
        ("2031-02-15T00:00:00Z", 0, "VALID", Some("warn")),
        ("2031-03-01T00:00:00Z", 1, "EXPIRED", Some("fail")),
        ("2032-01-01T00:00:00Z", 1, "EXPIRED", Some("fail")),
    ] {
        let (got, report) = verify_json(
            dir.path(),
            &["cert.json", "--trust-issuer", &did_key, "--at", at],
        );
        assert_eq!(
            (got, report["verdict"].as_str().unwrap()),
            (code, verdict),
            "{at}: {report}"
        );
        if let Some(status) = validity {
            assert_eq!(report["checks"][4]["status"], status, "{at}: {report}");
        }
    }
}

/// Every Rust file under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "target") {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_test_judges_by_the_real_clock() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["tests", "spec", "issuer", "verifier", "cli"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 20, "{files:?}");
    // Spelled in pieces, so that this file does not contain what it looks for.
    let clocks = [
        concat!("Utc::", "now("),
        concat!("SystemTime::", "now("),
        concat!("Local::", "now("),
    ];
    let mut offenders = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let relative = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .display()
            .to_string();
        // Test code: whole files under a tests folder or named tests.rs, and whatever
        // follows `#[cfg(test)]` in a source file.
        let is_test_file = relative.starts_with("tests/")
            || relative.contains("/tests/")
            || relative.ends_with("tests.rs");
        let test_code = if is_test_file {
            Some(text.as_str())
        } else {
            text.find("#[cfg(test)]").map(|i| &text[i..])
        };
        let Some(code) = test_code else { continue };
        for clock in clocks {
            if code.contains(clock) {
                offenders.push(format!("{relative} calls {clock}"));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "tests must pass a fixed time: {offenders:#?}"
    );
}
