//! The federation operator's tool, end to end: `probity federation` makes the root key,
//! keeps the members, and publishes registries that `probity verify` accepts against
//! the printed root key, with each membership and key decision showing in the verdicts.

use super::util::*;
use super::{issue_ip, new_key};
use probity_spec::did::DidDocument;
use probity_spec::multikey;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Runs `probity federation ARGS`, expects exit 0, and returns stdout.
fn federation(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["federation"];
    all.extend_from_slice(args);
    let o = run(dir, &all);
    assert_exit(&o, 0);
    stdout(&o)
}

/// Runs `probity federation ARGS`, expects exit 2, and returns stderr.
fn federation_refused(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["federation"];
    all.extend_from_slice(args);
    let o = run(dir, &all);
    assert_exit(&o, 2);
    assert!(o.stdout.is_empty(), "{}", stdout(&o));
    stderr(&o)
}

/// `federation init` in `dir/fed`; returns the root key it printed.
fn init(dir: &Path, fed: &str) -> String {
    let out = federation(
        dir,
        &["init", "--dir", fed, "--name", "Probity POCUS federation"],
    );
    // The key alone on its one line, so that scripts can capture it.
    let key = out.strip_suffix('\n').unwrap_or(&out);
    assert!(
        key.starts_with("z6Mk") && !key.contains(char::is_whitespace),
        "{out:?}"
    );
    key.to_owned()
}

/// Publishes `fed` at `at` to `fed/registry.json`; checks and returns its version.
fn publish(dir: &Path, at: &str) -> u64 {
    let out = federation(
        dir,
        &[
            "publish",
            "--dir",
            "fed",
            "--out",
            "registry.json",
            "--valid-for",
            "30d",
            "--at",
            at,
            "--json",
        ],
    );
    let summary: Value = serde_json::from_str(&out).unwrap();
    let registry: Value =
        serde_json::from_slice(&std::fs::read(dir.join("registry.json")).unwrap()).unwrap();
    assert_eq!(registry["credentialSubject"]["version"], summary["version"]);
    assert_eq!(registry["validFrom"], at);
    summary["version"].as_u64().unwrap()
}

/// Verifies `file` against `registry.json` pinned to `key` at [`AT`]; returns the
/// verdict, after checking that the exit code goes with it.
fn verdict(dir: &Path, file: &str, key: &str) -> String {
    let (code, report) = verify_json(
        dir,
        &[file, "--registry", "registry.json", "--federation-key", key],
    );
    let verdict = report["verdict"].as_str().unwrap().to_owned();
    assert_eq!(code, if verdict == "VALID" { 0 } else { 1 }, "{report}");
    verdict
}

/// A did:web hospital on `server`: writes a key file for `DID#fragment` and returns
/// (key file, public key).
fn hospital_key(dir: &Path, did: &str, fragment: &str) -> (PathBuf, ed25519_dalek::VerifyingKey) {
    let file = dir.join(format!("hospital-{fragment}.json"));
    let id = format!("{did}#{fragment}");
    let o = run(
        dir,
        &[
            "key",
            "new",
            "--out",
            file.to_str().unwrap(),
            "--controller",
            did,
            "--id",
            &id,
            "--json",
        ],
    );
    assert_exit(&o, 0);
    let shown: Value = serde_json::from_slice(&o.stdout).unwrap();
    let key =
        multikey::public_key_from_multibase(shown["publicKeyMultibase"].as_str().unwrap()).unwrap();
    (file, key)
}

/// Serves the hospital's DID document listing `keys` (fragment, key).
fn serve_did_document(server: &Server, did: &str, keys: &[(&str, ed25519_dalek::VerifyingKey)]) {
    let keys: Vec<(String, _)> = keys.iter().map(|(f, k)| (f.to_string(), *k)).collect();
    let doc = DidDocument::for_did_web(did, &keys).unwrap();
    server.put("/.well-known/did.json", serde_json::to_vec(&doc).unwrap());
}

/// Issues a skill attestation for `applications` signed at `created`.
fn issue_attestation(dir: &Path, key: &Path, applications: &[&str], created: &str, out: &str) {
    let mut args = vec![
        "issue",
        "attestation",
        "--key",
        key.to_str().unwrap(),
        "--issuer-name",
        "St. Elsewhere General",
        "--holder-name",
        "Dr. Sam Chen",
        "--registration-number",
        "CPSBC 44521",
        "--department",
        "Emergency Medicine",
        "--qa-reviewer",
        "Dr. R. Osei",
        "--review-date",
        "2026-04-02",
        "--valid-from",
        "2026-04-02T00:00:00Z",
        "--created",
        created,
        "--out",
        out,
    ];
    for application in applications {
        args.extend(["--application", application]);
    }
    assert_exit(&run(dir, &args), 0);
}

#[test]
fn an_operator_runs_a_federation_and_verifiers_follow_each_published_decision() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let root = init(d, "fed");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.join("fed/root-key.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // A certifying body known by its did:key: its key comes from the DID itself.
    let (body_key, body_did) = new_key(d, "body.json");
    federation(
        d,
        &[
            "add-member",
            "--dir",
            "fed",
            "--did",
            &body_did,
            "--name",
            "Canadian Point of Care Ultrasound Society",
            "--kind",
            "certifying-body",
            "--jurisdiction",
            "CA",
            "--may-issue",
            "PocusIpCertificate:FM_MSK,FM_CORE",
            "--issuer-endpoint",
            "https://certs.cpocus.ca",
            "--at",
            "2026-01-01T00:00:00Z",
        ],
    );
    // A hospital known by its did:web: its keys come from its DID document.
    let server = Server::start();
    let hospital_did = format!("did:web:127.0.0.1%3A{}", server.port());
    let (hospital_key, hospital_public) = hospital_key(d, &hospital_did, "key-1");
    serve_did_document(&server, &hospital_did, &[("key-1", hospital_public)]);
    let added = federation(
        d,
        &[
            "add-member",
            "--dir",
            "fed",
            "--did",
            &hospital_did,
            "--name",
            "St. Elsewhere General",
            "--kind",
            "hospital",
            "--jurisdiction",
            "CA-ON",
            "--may-issue",
            "PocusSkillAttestation:eFAST,AAA",
            "--at",
            "2026-01-01T00:00:00Z",
            "--json",
        ],
    );
    let member: Value = serde_json::from_str(&added).unwrap();
    assert_eq!(member["keys"][0]["id"], format!("{hospital_did}#key-1"));
    assert_eq!(member["keys"][0]["validFrom"], "2026-01-01T00:00:00Z");
    assert_eq!(member["kind"], "hospital");
    assert_eq!(publish(d, "2026-05-20T00:00:00Z"), 1);

    // The body's certificate in an accredited track (FM_MSK, signed 2026-03-01).
    issue_ip(d, &body_key, &[], "cert.json");
    assert_eq!(verdict(d, "cert.json", &root), "VALID");
    // ... and in a track it is not accredited for.
    issue_ip(d, &body_key, &[("--track", Some("RESUS"))], "resus.json");
    assert_eq!(verdict(d, "resus.json", &root), "NOT_ACCREDITED");
    // The hospital may attest eFAST and AAA, but not lung, and not certify.
    issue_attestation(
        d,
        &hospital_key,
        &["eFAST", "AAA"],
        "2026-04-02T00:00:00Z",
        "att.json",
    );
    assert_eq!(verdict(d, "att.json", &root), "VALID");
    issue_attestation(
        d,
        &hospital_key,
        &["lung"],
        "2026-04-02T00:00:00Z",
        "lung.json",
    );
    assert_eq!(verdict(d, "lung.json", &root), "NOT_ACCREDITED");
    issue_ip(d, &hospital_key, &[], "hospital-ip.json");
    assert_eq!(verdict(d, "hospital-ip.json", &root), "NOT_ACCREDITED");

    // Suspended: nothing it signed is trusted, from the next registry on.
    let fed_body = ["--dir", "fed", "--did", body_did.as_str()];
    let suspend = [
        &["suspend-member"][..],
        &fed_body,
        &["--at", "2026-05-21T00:00:00Z"],
    ]
    .concat();
    federation(d, &suspend);
    assert_eq!(verdict(d, "cert.json", &root), "VALID", "not yet published");
    assert_eq!(publish(d, "2026-05-21T00:00:00Z"), 2);
    assert_eq!(verdict(d, "cert.json", &root), "UNTRUSTED_ISSUER");
    // Reinstated: trusted again.
    let reinstate = [
        &["reinstate-member"][..],
        &fed_body,
        &["--at", "2026-05-22T00:00:00Z"],
    ]
    .concat();
    federation(d, &reinstate);
    assert_eq!(publish(d, "2026-05-22T00:00:00Z"), 3);
    assert_eq!(verdict(d, "cert.json", &root), "VALID");

    // Compromised since 2026-04-01: what the key signed from then on is refused, what it
    // signed before still verifies.
    for (created, file) in [
        ("2026-03-31T23:59:59Z", "before.json"),
        ("2026-04-01T00:00:00Z", "at-compromise.json"),
        ("2026-04-15T00:00:00Z", "after.json"),
    ] {
        issue_ip(d, &body_key, &[("--created", Some(created))], file);
    }
    let fragment = body_did.trim_start_matches("did:key:");
    let compromise = [
        &["compromise-key"][..],
        &fed_body,
        &[
            "--key",
            fragment,
            "--since",
            "2026-04-01T00:00:00Z",
            "--at",
            "2026-05-23T00:00:00Z",
        ],
    ]
    .concat();
    federation(d, &compromise);
    assert_eq!(publish(d, "2026-05-23T00:00:00Z"), 4);
    assert_eq!(verdict(d, "cert.json", &root), "VALID");
    assert_eq!(verdict(d, "before.json", &root), "VALID");
    assert_eq!(verdict(d, "at-compromise.json", &root), "UNTRUSTED_ISSUER");
    assert_eq!(verdict(d, "after.json", &root), "UNTRUSTED_ISSUER");
    let registry: Value =
        serde_json::from_slice(&std::fs::read(d.join("registry.json")).unwrap()).unwrap();
    let body = &registry["credentialSubject"]["members"][0];
    assert_eq!(body["keys"][0]["compromisedAt"], "2026-04-01T00:00:00Z");
    assert_eq!(body["status"], "active");
    assert_eq!(body["statusSince"], "2026-05-22T00:00:00Z");
    assert_eq!(body["endpoints"]["issuer"], "https://certs.cpocus.ca");

    // Removed: the record stays, withdrawn, and the DID cannot be added again.
    let remove = [
        &["remove-member"][..],
        &fed_body,
        &["--at", "2026-05-24T00:00:00Z"],
    ]
    .concat();
    federation(d, &remove);
    assert_eq!(publish(d, "2026-05-24T00:00:00Z"), 5);
    assert_eq!(verdict(d, "cert.json", &root), "UNTRUSTED_ISSUER");
    let listed: Value =
        serde_json::from_str(&federation(d, &["list", "--dir", "fed", "--json"])).unwrap();
    assert_eq!(listed["lastPublishedVersion"], 5);
    assert_eq!(listed["federationKey"], root.as_str());
    assert_eq!(listed["members"][0]["status"], "withdrawn");
    assert_eq!(listed["members"].as_array().unwrap().len(), 2);
    let table = federation(d, &["list", "--dir", "fed"]);
    assert!(table.contains("version 5"), "{table}");
    assert!(table.contains("withdrawn"), "{table}");
    assert!(
        table.contains("PocusSkillAttestation (eFAST, AAA)"),
        "{table}"
    );

    // Every state change was written whole: no temporary file is left behind, only the
    // state, the root key and the file commands lock while they change the state.
    let mut files: Vec<String> = std::fs::read_dir(d.join("fed"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [".federation.lock", "federation.json", "root-key.json"]
    );
}

#[test]
fn a_member_that_rotates_its_key_keeps_what_it_signed_valid() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let root = init(d, "fed");
    let server = Server::start();
    let did = format!("did:web:127.0.0.1%3A{}", server.port());
    let (old_key, old_public) = hospital_key(d, &did, "key-1");
    serve_did_document(&server, &did, &[("key-1", old_public)]);
    let fed_did = ["--dir", "fed", "--did", did.as_str()];
    let add = [
        &["add-member"][..],
        &fed_did,
        &[
            "--name",
            "St. Elsewhere General",
            "--kind",
            "hospital",
            "--jurisdiction",
            "CA-ON",
            "--may-issue",
            "PocusSkillAttestation",
            "--at",
            "2026-01-01T00:00:00Z",
        ],
    ]
    .concat();
    federation(d, &add);
    issue_attestation(d, &old_key, &["eFAST"], "2026-04-02T00:00:00Z", "old.json");

    // The DID document gains a key: it is added, the old one keeps its window.
    let (new_key, new_public) = hospital_key(d, &did, "key-2");
    serve_did_document(
        &server,
        &did,
        &[("key-1", old_public), ("key-2", new_public)],
    );
    let refresh = |at: &str| {
        let args = [&["refresh-keys"][..], &fed_did, &["--at", at, "--json"]].concat();
        serde_json::from_str::<Value>(&federation(d, &args)).unwrap()
    };
    let changes = refresh("2026-05-01T00:00:00Z");
    assert_eq!(
        changes["added"],
        serde_json::json!([format!("{did}#key-2")])
    );
    assert_eq!(changes["retired"], serde_json::json!([]));
    assert_eq!(
        changes["member"]["keys"][1]["validFrom"],
        "2026-05-01T00:00:00Z"
    );
    assert_eq!(publish(d, "2026-05-20T00:00:00Z"), 1);
    issue_attestation(d, &new_key, &["AAA"], "2026-05-02T00:00:00Z", "new.json");
    assert_eq!(verdict(d, "new.json", &root), "VALID");
    assert_eq!(verdict(d, "old.json", &root), "VALID");
    // The new key could not sign before it was listed.
    issue_attestation(d, &new_key, &["AAA"], "2026-04-30T00:00:00Z", "early.json");
    assert_eq!(verdict(d, "early.json", &root), "UNTRUSTED_ISSUER");

    // The old key leaves the document: it is retired, and what it signed stays valid.
    serve_did_document(&server, &did, &[("key-2", new_public)]);
    let changes = refresh("2026-05-10T00:00:00Z");
    assert_eq!(
        changes["retired"],
        serde_json::json!([format!("{did}#key-1")])
    );
    assert_eq!(
        changes["member"]["keys"][0]["validUntil"],
        "2026-05-10T00:00:00Z"
    );
    issue_attestation(d, &old_key, &["eFAST"], "2026-05-11T00:00:00Z", "late.json");
    assert_eq!(publish(d, "2026-05-21T00:00:00Z"), 2);
    assert_eq!(verdict(d, "old.json", &root), "VALID");
    assert_eq!(verdict(d, "new.json", &root), "VALID");
    assert_eq!(verdict(d, "late.json", &root), "UNTRUSTED_ISSUER");

    // Nothing new: nothing changes, and the state is not rewritten.
    let before = std::fs::read(d.join("fed/federation.json")).unwrap();
    let changes = refresh("2026-05-12T00:00:00Z");
    assert_eq!(changes["added"], serde_json::json!([]));
    assert_eq!(changes["retired"], serde_json::json!([]));
    assert_eq!(
        std::fs::read(d.join("fed/federation.json")).unwrap(),
        before
    );

    // A document that reuses an id for another key is refused, by name.
    let (_, other) = hospital_key(d, &did, "other");
    serve_did_document(&server, &did, &[("key-2", other)]);
    let args = [
        &["refresh-keys"][..],
        &fed_did,
        &["--at", "2026-05-13T00:00:00Z"],
    ]
    .concat();
    let err = federation_refused(d, &args);
    assert!(
        err.contains("key-2") && err.contains("new verification method id"),
        "{err}"
    );
}

#[test]
fn a_registry_signed_by_another_root_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let root = init(d, "fed");
    // Another federation, with its own root key, lists a body and publishes.
    init(d, "other");
    let (body_key, body_did) = new_key(d, "body.json");
    federation(
        d,
        &[
            "add-member",
            "--dir",
            "other",
            "--did",
            &body_did,
            "--name",
            "Impostor Society",
            "--kind",
            "certifying-body",
            "--jurisdiction",
            "CA",
            "--may-issue",
            "PocusIpCertificate",
            "--at",
            "2026-01-01T00:00:00Z",
        ],
    );
    federation(
        d,
        &[
            "publish",
            "--dir",
            "other",
            "--out",
            "registry.json",
            "--at",
            "2026-05-20T00:00:00Z",
        ],
    );
    issue_ip(d, &body_key, &[], "cert.json");
    let o = run(
        d,
        &[
            "verify",
            "cert.json",
            "--registry",
            "registry.json",
            "--federation-key",
            &root,
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
}

#[test]
fn bad_input_is_refused_with_exit_2_naming_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // No federation yet.
    let err = federation_refused(d, &["list", "--dir", "fed"]);
    assert!(err.contains("federation init"), "{err}");
    init(d, "fed");
    // Never overwritten without --force.
    let err = federation_refused(d, &["init", "--dir", "fed", "--name", "Again"]);
    assert!(err.contains("--force"), "{err}");

    let (_, body_did) = new_key(d, "body.json");
    // The flags of a good add-member, with those in `changes` given other values (each
    // flag once: a repeated flag would be refused for that reason instead).
    let add = |changes: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = vec!["add-member".into()];
        let defaults = [
            ("--dir", "fed"),
            ("--did", body_did.as_str()),
            ("--name", "CPOCUS"),
            ("--kind", "certifying-body"),
            ("--jurisdiction", "CA"),
            ("--at", "2026-01-01T00:00:00Z"),
        ];
        for (flag, value) in defaults {
            if !changes.contains(&flag) {
                args.extend([flag.to_owned(), value.to_owned()]);
            }
        }
        args.extend(changes.iter().map(|a| a.to_string()));
        args
    };
    let refused = |args: Vec<String>| {
        federation_refused(d, &args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    for (flags, says) in [
        (
            &["--may-issue", "PocusIpCertificate:FM_MSK,CARDIAC"][..],
            "CARDIAC",
        ),
        (
            &["--may-issue", "OpenBadgeCredential"],
            "OpenBadgeCredential",
        ),
        (&["--may-issue", "PocusIpCertificate:"], "empty item"),
        (&["--at", "yesterday"], "--at"),
        (&["--keys-valid-from", "2026-01-01"], "--keys-valid-from"),
        (
            &["--status-endpoint", "http://certs.cpocus.ca/status"],
            "https",
        ),
        (&["--name", "Evil\u{1b}[2J"], "--name"),
        (&["--jurisdiction", "Canada"], "ISO 3166"),
        (&["--key", "key-1=z6MkNotAKey"], "--key"),
        // A did:key signs only with its own key.
        (
            &[
                "--key",
                "other=z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
            ],
            "its only key",
        ),
    ] {
        let err = refused(add(flags));
        assert!(err.contains(says), "{flags:?}: {err}");
    }
    let err = federation_refused(
        d,
        &[
            "add-member",
            "--dir",
            "fed",
            "--did",
            "did:example:123",
            "--name",
            "X",
            "--kind",
            "hospital",
            "--jurisdiction",
            "CA",
        ],
    );
    assert!(err.contains("--did"), "{err}");

    let added = add(&["--may-issue", "PocusIpCertificate"]);
    federation(d, &added.iter().map(String::as_str).collect::<Vec<_>>());
    let err = refused(add(&["--may-issue", "PocusIpCertificate"]));
    assert!(err.contains("already a member"), "{err}");

    // Unknown DIDs and keys are named.
    let (_, stranger) = new_key(d, "stranger.json");
    for command in [
        "suspend-member",
        "reinstate-member",
        "remove-member",
        "refresh-keys",
    ] {
        let err = federation_refused(
            d,
            &[command, "--dir", "fed", "--did", &stranger, "--at", AT],
        );
        assert!(
            err.contains("no member") && err.contains(&stranger),
            "{command}: {err}"
        );
    }
    let compromise = |key: &str, since: &str| {
        vec![
            "compromise-key".to_owned(),
            "--dir".into(),
            "fed".into(),
            "--did".into(),
            body_did.clone(),
            "--key".into(),
            key.into(),
            "--since".into(),
            since.into(),
            "--at".into(),
            "2026-05-01T00:00:00Z".into(),
        ]
    };
    let err = refused(compromise("key-9", "2026-04-01T00:00:00Z"));
    assert!(err.contains("has no key"), "{err}");
    let fragment = body_did.trim_start_matches("did:key:").to_owned();
    let err = refused(compromise(&fragment, "2026-06-01T00:00:00Z"));
    assert!(err.contains("after the time of this report"), "{err}");
    let err = refused(compromise(&fragment, "last week"));
    assert!(err.contains("--since"), "{err}");
    // Once set, the compromise time moves earlier only.
    let set = compromise(&fragment, "2026-04-01T00:00:00Z");
    federation(d, &set.iter().map(String::as_str).collect::<Vec<_>>());
    let err = refused(compromise(&fragment, "2026-04-15T00:00:00Z"));
    assert!(err.contains("only move earlier"), "{err}");
    let earliest = compromise(&fragment, "valid-from");
    let out = federation(d, &earliest.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.contains("compromised at 2026-01-01T00:00:00Z"), "{out}");

    for bad in ["30", "0d", "366d", "1y"] {
        let err = federation_refused(
            d,
            &["publish", "--dir", "fed", "--valid-for", bad, "--at", AT],
        );
        assert!(err.contains("--valid-for"), "{bad}: {err}");
    }
    // A registry never replaces the federation's own files, and a folder that does not
    // exist is refused before a version is used up.
    for out in [
        "fed/root-key.json",
        "fed/../fed/federation.json",
        "missing/registry.json",
    ] {
        let err = federation_refused(d, &["publish", "--dir", "fed", "--out", out, "--at", AT]);
        assert!(err.contains(out), "{out}: {err}");
    }
    // Nothing was published by the refused commands.
    let listed: Value =
        serde_json::from_str(&federation(d, &["list", "--dir", "fed", "--json"])).unwrap();
    assert_eq!(listed["lastPublishedVersion"], 0);
}

#[test]
fn strings_from_a_did_document_are_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init(d, "fed");
    let server = Server::start();
    let did = format!("did:web:127.0.0.1%3A{}", server.port());
    let (_, key) = hospital_key(d, &did, "key-1");
    // A key id that would clear the operator's screen if printed raw.
    serve_did_document(&server, &did, &[("key-\u{1b}[2J", key)]);
    let out = federation(
        d,
        &[
            "add-member",
            "--dir",
            "fed",
            "--did",
            &did,
            "--name",
            "St. Elsewhere General",
            "--kind",
            "hospital",
            "--jurisdiction",
            "CA-ON",
            "--at",
            "2026-01-01T00:00:00Z",
        ],
    );
    assert!(!out.contains('\u{1b}'), "{out:?}");
    assert!(out.contains("key-\\u{1b}[2J"), "{out}");
    let table = federation(d, &["list", "--dir", "fed", "--json"]);
    assert!(!table.contains('\u{1b}'), "{table:?}");
}
