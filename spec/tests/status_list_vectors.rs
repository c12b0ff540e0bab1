//! The W3C Bitstring Status List v1.0 vectors in `spec/tests/vectors/bitstring-status-list/`
//! (from the specification and the W3C test suite), read through Probity's status list
//! module: every `encodedList` expands to the indexes listed in
//! `encodedList-decoded.json`, the listed credential-to-list pairings give the listed
//! status or error, and the fixtures meant to fail do.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use probity_spec::json::parse_strict;
use probity_spec::status_list::{
    entries_of, status_list_credential, BitstringStatusList, StatusListCredential, StatusListEntry,
    StatusListError, StatusPurpose, MIN_ENTRIES,
};
use proptest::prelude::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The vectors are kept in the repository, so a fresh clone has them.
const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/vectors/bitstring-status-list"
);

/// Every file the folder holds, so that a file added later without a test fails here.
const FILES: &[&str] = &[
    "encodedList-decoded.json",
    "spec-appendix-status-list-credential.json",
    "spec-example-credential-two-status-entries.json",
    "spec-example-revocable-credential.json",
    "spec-example-status-list-credential.json",
    "test-suite-credential-should-be-revoked.json",
    "test-suite-credential-should-be-suspended.json",
    "test-suite-status-list-multi-purpose-fail.json",
    "test-suite-status-list-multi-purpose-ok.json",
    "test-suite-status-list-short-encoded-list-fail.json",
    "test-suite-status-list-single-purpose-fail.json",
    "test-suite-status-list-single-purpose-ok.json",
];

fn path(name: &str) -> PathBuf {
    Path::new(VECTORS).join(name)
}

fn load(name: &str) -> Value {
    let bytes = std::fs::read(path(name))
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path(name).display()));
    parse_strict(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn decoded() -> Value {
    load("encodedList-decoded.json")
}

fn only_entry(credential: &str) -> StatusListEntry {
    let entries = entries_of(&load(credential)).unwrap();
    assert_eq!(entries.len(), 1, "{credential}");
    entries.into_iter().next().unwrap()
}

fn list_credential(name: &str) -> StatusListCredential {
    StatusListCredential::parse(&load(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn the_folder_holds_exactly_the_known_files_and_each_parses_strictly() {
    let mut found: Vec<String> = std::fs::read_dir(VECTORS)
        .unwrap_or_else(|e| panic!("cannot list {VECTORS}: {e}"))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    assert_eq!(found, FILES);
    for name in FILES {
        load(name);
    }
}

#[test]
fn each_encoded_list_expands_to_the_listed_indexes() {
    let vectors = decoded();
    let lists = vectors["lists"].as_array().unwrap();
    assert_eq!(lists.len(), 4);
    for case in lists {
        let encoded = case["encodedList"].as_str().unwrap();
        let bits = case["uncompressed_bits"].as_u64().unwrap() as usize;
        assert_eq!(
            encoded.starts_with('u'),
            case["has_multibase_u_prefix"].as_bool().unwrap()
        );
        // The file's own encodedList, where there is a file, is the same string.
        if let Some(file) = case["file"].as_str() {
            assert_eq!(
                load(file)["credentialSubject"]["encodedList"].as_str(),
                Some(encoded),
                "{file}"
            );
        }
        let decoded = BitstringStatusList::decode(encoded);
        if case["meets_minimum_131072_entries_statusSize_1"]
            .as_bool()
            .unwrap()
        {
            let list = decoded.unwrap_or_else(|e| panic!("{encoded}: {e}"));
            assert_eq!(list.len(), bits);
            assert_eq!(
                list.to_bytes().len() as u64,
                case["uncompressed_bytes"].as_u64().unwrap()
            );
            let expected: Vec<u64> = case["set_indexes_msb_first"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
                .collect();
            assert_eq!(list.set_indexes().collect::<Vec<_>>(), expected);
            for &i in &expected {
                assert!(list.get(i).unwrap());
            }
            let digest: String = Sha256::digest(list.to_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(digest, case["uncompressed_sha256"].as_str().unwrap());
        } else {
            // Too short: refused, and the error carries the decoded length, which shows
            // the base64url and GZIP steps read the string right.
            assert_eq!(
                decoded.unwrap_err(),
                StatusListError::TooFewEntries {
                    entries: bits,
                    minimum: MIN_ENTRIES
                },
                "{encoded}"
            );
        }
    }
}

#[test]
fn listed_pairings_give_the_listed_outcome() {
    let vectors = decoded();
    let checks = vectors["status_checks"].as_array().unwrap();
    assert_eq!(checks.len(), 6);
    for check in checks {
        let credential = check["credential"].as_str().unwrap();
        let list_file = check["list"].as_str().unwrap();
        let purpose: StatusPurpose = check["statusPurpose"].as_str().unwrap().parse().unwrap();
        let index = check["statusListIndex"].as_str().unwrap();

        let entry = if credential.ends_with(".json") {
            let entry = only_entry(credential);
            assert_eq!(entry.purpose, purpose, "{credential}");
            assert_eq!(entry.index.to_string(), index, "{credential}");
            entry
        } else {
            // A pairing described in words: build the entry from the listed fields.
            StatusListEntry::from_value(&json!({
                "type": "BitstringStatusListEntry",
                "statusPurpose": purpose.as_str(),
                "statusListIndex": index,
                "statusListCredential": "https://example.com/unused",
            }))
            .unwrap()
        };

        let outcome =
            StatusListCredential::parse(&load(list_file)).and_then(|list| list.status_of(&entry));
        match (check.get("expected_status"), check.get("expected_error")) {
            (Some(status), None) => {
                let status = status.as_u64().unwrap();
                assert_eq!(outcome, Ok(status == 1), "{credential} against {list_file}");
                assert_eq!(
                    check["expected_valid"].as_bool().unwrap(),
                    status == 0,
                    "vector is consistent"
                );
            }
            (None, Some(error)) => {
                let error = error.as_str().unwrap();
                let err = outcome.unwrap_err();
                if error.starts_with("STATUS_LIST_LENGTH_ERROR") {
                    assert_eq!(
                        err,
                        StatusListError::TooFewEntries {
                            entries: 200,
                            minimum: MIN_ENTRIES
                        }
                    );
                } else if error.starts_with("STATUS_VERIFICATION_ERROR") {
                    assert!(
                        matches!(&err, StatusListError::PurposeMismatch { list, .. }
                            if list.contains("randomPurpose")),
                        "{err:?}"
                    );
                } else {
                    panic!("unknown expected_error {error}");
                }
            }
            _ => panic!("a check needs exactly one of expected_status, expected_error"),
        }
    }
}

#[test]
fn test_suite_credentials_are_revoked_and_suspended_at_201() {
    let revoked = only_entry("test-suite-credential-should-be-revoked.json");
    let suspended = only_entry("test-suite-credential-should-be-suspended.json");
    assert_eq!(revoked.purpose, StatusPurpose::Revocation);
    assert_eq!(suspended.purpose, StatusPurpose::Suspension);
    assert_eq!((revoked.index, suspended.index), (201, 201));
    assert_eq!(revoked.id, None);

    let single = list_credential("test-suite-status-list-single-purpose-ok.json");
    let multi = list_credential("test-suite-status-list-multi-purpose-ok.json");
    assert_eq!(single.purposes, vec![StatusPurpose::Revocation]);
    assert_eq!(
        multi.purposes,
        vec![StatusPurpose::Revocation, StatusPurpose::Suspension]
    );
    // These fixtures have no id and no issuer; §2.2 requires an id, Probity's lists
    // always have one.
    assert_eq!(
        (single.id.as_deref(), single.issuer.as_deref()),
        (None, None)
    );

    assert_eq!(single.status_of(&revoked), Ok(true));
    assert_eq!(multi.status_of(&revoked), Ok(true));
    assert_eq!(multi.status_of(&suspended), Ok(true));
    // A suspension entry against a revocation-only list is a purpose mismatch.
    assert!(matches!(
        single.status_of(&suspended),
        Err(StatusListError::PurposeMismatch {
            entry: StatusPurpose::Suspension,
            ..
        })
    ));
    // Neighbours of the set bits are clear; past the end is an error.
    for i in [0, 1, 200, 202, 57443, 57445, 94022, 94024, 199_999] {
        let mut e = revoked.clone();
        e.index = i;
        assert_eq!(single.status_of(&e), Ok(false), "index {i}");
    }
    let mut past = revoked.clone();
    past.index = 200_000;
    assert_eq!(
        single.status_of(&past),
        Err(StatusListError::IndexOutOfRange {
            index: 200_000,
            len: 200_000
        })
    );
}

#[test]
fn purpose_mismatch_fixtures_fail() {
    let revoked = only_entry("test-suite-credential-should-be-revoked.json");
    let suspended = only_entry("test-suite-credential-should-be-suspended.json");
    for (file, written) in [
        (
            "test-suite-status-list-single-purpose-fail.json",
            vec!["randomPurpose"],
        ),
        (
            "test-suite-status-list-multi-purpose-fail.json",
            vec!["random", "purposes"],
        ),
    ] {
        // The list itself reads: its bits are the same 200,000-bit list.
        let list = list_credential(file);
        assert!(list.purposes.is_empty(), "{file}");
        assert_eq!(list.unsupported_purposes, written, "{file}");
        assert_eq!(
            list.list.set_indexes().collect::<Vec<_>>(),
            vec![201, 57444, 94023]
        );
        for entry in [&revoked, &suspended] {
            let err = list.status_of(entry).unwrap_err();
            let StatusListError::PurposeMismatch { entry: p, .. } = &err else {
                panic!("{file}: {err:?}");
            };
            assert_eq!(*p, entry.purpose);
            let message = err.to_string();
            for w in &written {
                assert!(message.contains(w), "{message}");
            }
        }
    }
}

#[test]
fn short_list_fixture_fails() {
    let err =
        StatusListCredential::parse(&load("test-suite-status-list-short-encoded-list-fail.json"))
            .unwrap_err();
    assert_eq!(
        err,
        StatusListError::TooFewEntries {
            entries: 200,
            minimum: MIN_ENTRIES
        }
    );
    let message = err.to_string();
    assert!(
        message.contains("200") && message.contains("131072"),
        "{message}"
    );
}

#[test]
fn spec_example_credential_at_94567_is_valid() {
    let entry = only_entry("spec-example-revocable-credential.json");
    assert_eq!(
        entry,
        StatusListEntry {
            id: Some("https://example.com/credentials/status/3#94567".to_owned()),
            purpose: StatusPurpose::Revocation,
            index: 94567,
            list_url: "https://example.com/credentials/status/3".to_owned(),
        }
    );
    for file in [
        "spec-example-status-list-credential.json",
        "spec-appendix-status-list-credential.json",
    ] {
        let list = list_credential(file);
        assert_eq!(
            list.id.as_deref(),
            Some("https://example.com/credentials/status/3")
        );
        assert_eq!(list.issuer.as_deref(), Some("did:example:12345"));
        assert_eq!(list.purposes, vec![StatusPurpose::Revocation]);
        assert_eq!(
            list.valid_from,
            Some(probity_spec::time::parse("2021-04-05T14:27:40Z").unwrap())
        );
        assert_eq!(list.valid_until, None);
        assert_eq!(list.list.len(), MIN_ENTRIES);
        assert_eq!(list.list.set_indexes().count(), 0);
        assert_eq!(list.status_of(&entry), Ok(false), "{file}");
    }
}

#[test]
fn spec_example_with_two_entries() {
    let credential = load("spec-example-credential-two-status-entries.json");
    let entries = entries_of(&credential).unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        (entries[0].purpose, entries[0].index),
        (StatusPurpose::Revocation, 94567)
    );
    assert_eq!(
        (entries[1].purpose, entries[1].index),
        (StatusPurpose::Suspension, 23452)
    );
    assert_eq!(
        entries[1].list_url,
        "https://example.com/credentials/status/4"
    );
    // Writing the entries back gives the specification's JSON exactly.
    let written: Vec<Value> = entries.iter().map(StatusListEntry::to_value).collect();
    assert_eq!(Value::Array(written), credential["credentialStatus"]);

    // The revocation entry reads against list 3; the suspension entry points at list 4,
    // so list 3 is the wrong document for it.
    let list3 = list_credential("spec-example-status-list-credential.json");
    assert_eq!(list3.status_of(&entries[0]), Ok(false));
    assert!(matches!(
        list3.status_of(&entries[1]),
        Err(StatusListError::ListUrlMismatch { .. })
    ));
    // A credential without credentialStatus has no entries.
    assert_eq!(
        entries_of(&load("spec-example-status-list-credential.json")).unwrap(),
        vec![]
    );
}

#[test]
fn probity_builds_the_spec_example_list_credential() {
    let spec = load("spec-example-status-list-credential.json");
    let id = "https://example.com/credentials/status/3";
    let built = status_list_credential(
        id,
        "did:example:12345",
        StatusPurpose::Revocation,
        &BitstringStatusList::new(MIN_ENTRIES).unwrap(),
        probity_spec::time::parse("2021-04-05T14:27:40Z").unwrap(),
        None,
    );
    // Everything but the subject's id (the example uses a different path for it,
    // Probity uses `<id>#list`) and the compressed bytes (GZIP output is not canonical:
    // two compressors write different valid streams for the same bits) is identical.
    let mut expected = spec.clone();
    expected["credentialSubject"]["id"] = json!(format!("{id}#list"));
    expected["credentialSubject"]["encodedList"] =
        built["credentialSubject"]["encodedList"].clone();
    assert_eq!(built, expected);
    // And both lists expand to the same bits.
    let ours = StatusListCredential::parse(&built).unwrap();
    let theirs = StatusListCredential::parse(&spec).unwrap();
    assert_eq!(ours.list, theirs.list);
    assert!(built["credentialSubject"]["encodedList"]
        .as_str()
        .unwrap()
        .starts_with("uH4sI"));
}

proptest! {
    #[test]
    fn any_set_of_indexes_survives_encode_and_decode(
        indexes in proptest::collection::btree_set(0u64..MIN_ENTRIES as u64, 0..300),
        extra_bytes in 0usize..64,
    ) {
        let mut list = BitstringStatusList::new(MIN_ENTRIES + extra_bytes * 8).unwrap();
        for &i in &indexes {
            list.set(i, true).unwrap();
        }
        let back = BitstringStatusList::decode(&list.encode()).unwrap();
        prop_assert_eq!(back.len(), list.len());
        prop_assert_eq!(back.set_indexes().collect::<BTreeSet<_>>(), indexes);
        prop_assert_eq!(back, list);
    }
}
