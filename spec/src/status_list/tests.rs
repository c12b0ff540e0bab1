use super::bitstring::{gzip, gzip_stored};
use super::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::SeedableRng;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::{Read, Write};

proptest::proptest! {
    #[test]
    fn plain_reader_agrees_with_the_full_one(
        kind in proptest::sample::select(vec![json!("BitstringStatusListEntry"), json!(["BitstringStatusListEntry"]), json!("Other"), json!(1)]),
        purpose in proptest::sample::select(vec![json!("revocation"), json!("suspension"), json!("refresh"), json!(null)]),
        index in proptest::sample::select(vec![json!("94567"), json!("0"), json!("007"), json!("+1"), json!(""), json!("99999999999999999999"), json!(5), json!("1e3")]),
        size in proptest::sample::select(vec![None, Some(json!(1)), Some(json!(2)), Some(json!("1"))]),
        url in proptest::sample::select(vec![json!("https://x.example/s/1"), json!(""), json!(3)]),
        id in proptest::sample::select(vec![None, Some(json!("https://x.example/s/1#94567")), Some(json!(7))]),
    ) {
        let mut entry = serde_json::Map::new();
        entry.insert("type".into(), kind);
        entry.insert("statusPurpose".into(), purpose);
        entry.insert("statusListIndex".into(), index);
        entry.insert("statusListCredential".into(), url);
        if let Some(size) = size { entry.insert("statusSize".into(), size); }
        if let Some(id) = id { entry.insert("id".into(), id); }
        let value = Value::Object(entry);
        if let Some(plain) = StatusListEntry::from_plain_value(&value) {
            // Bypass the plain reader to get the full one's answer.
            let full = {
                let mut wrapped = value.clone();
                wrapped.as_object_mut().unwrap().insert("type".into(), json!(["BitstringStatusListEntry"]));
                StatusListEntry::from_value(&wrapped)
            };
            proptest::prop_assert_eq!(Some(plain), full.ok());
        }
    }
}

fn list_with(indexes: &[u64]) -> BitstringStatusList {
    let mut list = BitstringStatusList::new(MIN_ENTRIES).unwrap();
    for &i in indexes {
        list.set(i, true).unwrap();
    }
    list
}

fn gzip_base64(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(gzip(data).unwrap())
}

#[test]
fn round_trip_encode_decode() {
    let last = MIN_ENTRIES as u64 - 1;
    let list = list_with(&[0, 1, 7, 8, 201, 57444, 94023, last]);
    let encoded = list.encode();
    assert!(encoded.starts_with("uH4sI"), "{encoded}");
    let back = BitstringStatusList::decode(&encoded).unwrap();
    assert_eq!(back, list);
    assert_eq!(
        back.set_indexes().collect::<Vec<_>>(),
        vec![0, 1, 7, 8, 201, 57444, 94023, last]
    );
}

#[test]
fn encoding_is_deterministic_with_fixed_header() {
    let list = list_with(&[5]);
    assert_eq!(list.encode(), list.encode());
    let raw = URL_SAFE_NO_PAD.decode(&list.encode()[1..]).unwrap();
    // Magic, deflate, no flags, mtime 0, XFL 0, OS 3 (Unix).
    assert_eq!(&raw[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
}

#[test]
fn index_zero_is_the_most_significant_bit_of_byte_zero() {
    let list = list_with(&[0]);
    assert_eq!(list.to_bytes()[0], 0x80);
    let list = list_with(&[7]);
    assert_eq!(list.to_bytes()[0], 0x01);
    let list = list_with(&[8, 15]);
    assert_eq!(&list.to_bytes()[..2], &[0x00, 0x81]);
    // And the same when reading bytes someone else wrote.
    let mut bytes = vec![0u8; MIN_ENTRIES / 8];
    bytes[1] = 0b0100_0000;
    let list = BitstringStatusList::decode(&format!("u{}", gzip_base64(&bytes))).unwrap();
    assert_eq!(list.set_indexes().collect::<Vec<_>>(), vec![9]);
    assert!(list.get(9).unwrap());
    assert!(!list.get(8).unwrap());
    assert!(!list.get(10).unwrap());
}

#[test]
fn set_and_get_at_the_boundaries() {
    let mut list = BitstringStatusList::new(MIN_ENTRIES).unwrap();
    let last = MIN_ENTRIES as u64 - 1;
    assert_eq!(list.len(), MIN_ENTRIES);
    assert!(!list.is_empty());
    list.set(0, true).unwrap();
    list.set(last, true).unwrap();
    assert!(list.get(0).unwrap());
    assert!(list.get(last).unwrap());
    list.set(0, false).unwrap();
    assert!(!list.get(0).unwrap());
    let past = StatusListError::IndexOutOfRange {
        index: MIN_ENTRIES as u64,
        len: MIN_ENTRIES,
    };
    assert_eq!(list.get(MIN_ENTRIES as u64), Err(past.clone()));
    assert_eq!(list.set(MIN_ENTRIES as u64, true), Err(past.clone()));
    assert!(past.to_string().contains("131072"));
    assert!(list.get(u64::MAX).is_err());
    assert_eq!(list.set_indexes().collect::<Vec<_>>(), vec![last]);
}

#[test]
fn new_refuses_bad_lengths() {
    assert_eq!(
        BitstringStatusList::new(MIN_ENTRIES - 8),
        Err(StatusListError::TooFewEntries {
            entries: MIN_ENTRIES - 8,
            minimum: MIN_ENTRIES
        })
    );
    assert_eq!(
        BitstringStatusList::new(MIN_ENTRIES + 1),
        Err(StatusListError::NotByteAligned {
            entries: MIN_ENTRIES + 1
        })
    );
    assert!(matches!(
        BitstringStatusList::new(MAX_ENTRIES + 8),
        Err(StatusListError::TooManyEntries { .. })
    ));
    assert_eq!(
        BitstringStatusList::new(MIN_ENTRIES + 8).unwrap().len(),
        MIN_ENTRIES + 8
    );
}

#[test]
fn short_list_is_refused_with_length_and_minimum() {
    let encoded = format!("u{}", gzip_base64(&[0u8; 25]));
    let err = BitstringStatusList::decode(&encoded).unwrap_err();
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
    // One byte short of the minimum.
    let encoded = format!("u{}", gzip_base64(&vec![0u8; MIN_ENTRIES / 8 - 1]));
    assert!(matches!(
        BitstringStatusList::decode(&encoded),
        Err(StatusListError::TooFewEntries { .. })
    ));
}

#[test]
fn gzip_bomb_is_refused() {
    // 64 MiB of zeros compresses to about 64 KB.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        encoder.write_all(&zeros).unwrap();
    }
    let bomb = encoder.finish().unwrap();
    assert!(bomb.len() < 256 * 1024);
    let encoded = format!("u{}", URL_SAFE_NO_PAD.encode(&bomb));
    assert_eq!(
        BitstringStatusList::decode(&encoded),
        Err(StatusListError::DecompressedTooLarge {
            limit: MAX_DECOMPRESSED_BYTES
        })
    );
    // Exactly at the limit is accepted.
    let max = vec![0u8; MAX_DECOMPRESSED_BYTES];
    let list = BitstringStatusList::decode(&format!("u{}", gzip_base64(&max))).unwrap();
    assert_eq!(list.len(), MAX_ENTRIES);
}

#[test]
fn prefix_rules() {
    let body = gzip_base64(&vec![0u8; MIN_ENTRIES / 8]);
    assert!(body.starts_with("H4sI"));
    // With or without 'u'.
    assert!(BitstringStatusList::decode(&format!("u{body}")).is_ok());
    assert!(BitstringStatusList::decode(&body).is_ok());
    // Other multibase prefixes (base58btc 'z', padded base64 'm') are refused.
    for bad in [format!("z{body}"), format!("m{body}"), String::new()] {
        assert!(
            matches!(
                BitstringStatusList::decode(&bad),
                Err(StatusListError::Multibase { .. })
            ),
            "{bad:.8}"
        );
    }
}

#[test]
fn bad_base64_and_bad_gzip() {
    for bad in ["uH4sI!!!!", "uH4sI+/+/", "uH4sIAA==", "u", "uH"] {
        let err = BitstringStatusList::decode(bad).unwrap_err();
        assert!(
            matches!(
                err,
                StatusListError::Base64 { .. } | StatusListError::Gzip { .. }
            ),
            "{bad}: {err:?}"
        );
    }
    assert!(matches!(
        BitstringStatusList::decode("uH4sI!!!!"),
        Err(StatusListError::Base64 { .. })
    ));
    // Valid base64url, not GZIP.
    let not_gzip = format!("u{}", URL_SAFE_NO_PAD.encode(b"hello, status list"));
    assert!(matches!(
        BitstringStatusList::decode(&not_gzip),
        Err(StatusListError::Gzip { .. })
    ));
    // A truncated GZIP stream.
    let full = gzip(&vec![0u8; MIN_ENTRIES / 8]).unwrap();
    let cut = format!("u{}", URL_SAFE_NO_PAD.encode(&full[..full.len() - 6]));
    assert!(matches!(
        BitstringStatusList::decode(&cut),
        Err(StatusListError::Gzip { .. })
    ));
    // A corrupted CRC.
    let mut bad_crc = full.clone();
    let n = bad_crc.len();
    bad_crc[n - 8] ^= 0xff;
    let bad_crc = format!("u{}", URL_SAFE_NO_PAD.encode(&bad_crc));
    assert!(matches!(
        BitstringStatusList::decode(&bad_crc),
        Err(StatusListError::Gzip { .. })
    ));
    // A second member, or any byte, after the first.
    for tail in [full.clone(), vec![0]] {
        let mut two = full.clone();
        two.extend_from_slice(&tail);
        let err =
            BitstringStatusList::decode(&format!("u{}", URL_SAFE_NO_PAD.encode(&two))).unwrap_err();
        assert!(
            matches!(&err, StatusListError::Gzip { reason } if reason.contains("follow")),
            "{err:?}"
        );
    }
}

#[test]
fn stored_gzip_fallback_decodes() {
    let list = list_with(&[3, 70_000, 131_071]);
    let stored = gzip_stored(&list.to_bytes());
    let encoded = format!("u{}", URL_SAFE_NO_PAD.encode(&stored));
    assert_eq!(BitstringStatusList::decode(&encoded).unwrap(), list);
    // Empty input gives a valid, empty stream.
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&gzip_stored(&[])[..])
        .read_to_end(&mut out)
        .unwrap();
    assert!(out.is_empty());
}

#[test]
fn purposes() {
    assert_eq!(
        "revocation".parse::<StatusPurpose>(),
        Ok(StatusPurpose::Revocation)
    );
    assert_eq!(
        "suspension".parse::<StatusPurpose>(),
        Ok(StatusPurpose::Suspension)
    );
    for bad in ["refresh", "message", "Revocation", "", "randomPurpose"] {
        let err = bad.parse::<StatusPurpose>().unwrap_err();
        let StatusListError::UnsupportedPurpose { purpose, .. } = &err else {
            panic!("{bad}: {err:?}");
        };
        assert_eq!(purpose, bad);
        assert!(err.to_string().contains("revocation"), "{err}");
    }
    assert_eq!(StatusPurpose::Suspension.to_string(), "suspension");
    assert_eq!(
        serde_json::to_value(StatusPurpose::Revocation).unwrap(),
        json!("revocation")
    );
    assert_eq!(
        serde_json::from_value::<StatusPurpose>(json!("suspension")).unwrap(),
        StatusPurpose::Suspension
    );
    assert!(serde_json::from_value::<StatusPurpose>(json!("refresh")).is_err());
}

fn entry_json(index: Value) -> Value {
    json!({
        "id": "https://example.com/status/1#5",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": index,
        "statusListCredential": "https://example.com/status/1",
    })
}

#[test]
fn entry_round_trip() {
    let v = entry_json(json!("5"));
    let entry = StatusListEntry::from_value(&v).unwrap();
    assert_eq!(
        entry,
        StatusListEntry::new(StatusPurpose::Revocation, "https://example.com/status/1", 5)
    );
    assert_eq!(entry.to_value(), v);
    let mut no_id = entry.clone();
    no_id.id = None;
    assert!(no_id.to_value().get("id").is_none());
    assert_eq!(
        StatusListEntry::from_value(&no_id.to_value()).unwrap(),
        no_id
    );
}

#[test]
fn index_strings() {
    let ok = |s: &str| StatusListEntry::from_value(&entry_json(json!(s))).map(|e| e.index);
    assert_eq!(ok("0"), Ok(0));
    assert_eq!(ok("94567"), Ok(94567));
    assert_eq!(ok("007"), Ok(7));
    assert_eq!(ok("18446744073709551615"), Ok(u64::MAX));
    for bad in [
        "",
        "+5",
        "-5",
        " 5",
        "5 ",
        "5.0",
        "1e3",
        "0x10",
        "٣",
        "18446744073709551616",
        "99999999999999999999999",
    ] {
        let err = ok(bad).unwrap_err();
        let StatusListError::InvalidIndex { field, .. } = &err else {
            panic!("{bad:?}: {err:?}");
        };
        assert_eq!(field, "credentialStatus.statusListIndex");
    }
    for bad in [json!(5), json!(null), json!(["5"])] {
        let err = StatusListEntry::from_value(&entry_json(bad.clone())).unwrap_err();
        assert!(
            matches!(err, StatusListError::InvalidIndex { .. }),
            "{bad}: {err:?}"
        );
    }
    let mut missing = entry_json(json!("1"));
    missing.as_object_mut().unwrap().remove("statusListIndex");
    assert_eq!(
        StatusListEntry::from_value(&missing),
        Err(StatusListError::MissingField {
            field: "credentialStatus.statusListIndex".to_owned()
        })
    );
}

#[test]
fn entry_refusals() {
    let with = |key: &str, value: Value| {
        let mut v = entry_json(json!("1"));
        v.as_object_mut().unwrap().insert(key.to_owned(), value);
        StatusListEntry::from_value(&v)
    };
    assert!(matches!(
        with("type", json!("StatusList2021Entry")),
        Err(StatusListError::InvalidField { field, .. }) if field == "credentialStatus.type"
    ));
    assert!(with("type", json!(["BitstringStatusListEntry"])).is_ok());
    assert!(matches!(
        with("statusPurpose", json!("refresh")),
        Err(StatusListError::UnsupportedPurpose { field, .. })
            if field == "credentialStatus.statusPurpose"
    ));
    assert!(with("statusSize", json!(1)).is_ok());
    for size in [json!(2), json!(8), json!(0), json!("1"), json!(1.5)] {
        assert!(
            matches!(
                with("statusSize", size.clone()),
                Err(StatusListError::UnsupportedStatusSize { .. })
            ),
            "{size}"
        );
    }
    let err = with("statusSize", json!(2)).unwrap_err().to_string();
    assert!(err.contains("statusSize") && err.contains('2'), "{err}");
    assert!(matches!(
        with("statusListCredential", json!("")),
        Err(StatusListError::InvalidField { .. })
    ));
    assert!(matches!(
        with("statusListCredential", json!(7)),
        Err(StatusListError::InvalidField { .. })
    ));
    assert!(matches!(
        with("id", json!(7)),
        Err(StatusListError::InvalidField { field, .. }) if field == "credentialStatus.id"
    ));
    assert!(StatusListEntry::from_value(&json!("x")).is_err());
}

#[test]
fn entries_of_shapes() {
    assert_eq!(entries_of(&json!({})).unwrap(), vec![]);
    let one = entry_json(json!("3"));
    assert_eq!(
        entries_of(&json!({ "credentialStatus": one }))
            .unwrap()
            .len(),
        1
    );
    let mut second = entry_json(json!("-4"));
    second["statusPurpose"] = json!("suspension");
    let err = entries_of(&json!({ "credentialStatus": [one, second] })).unwrap_err();
    assert!(
        matches!(&err, StatusListError::InvalidIndex { field, .. }
            if field == "credentialStatus[1].statusListIndex"),
        "{err:?}"
    );
    assert!(entries_of(&json!({ "credentialStatus": "x" })).is_err());
    assert!(entries_of(&json!([])).is_err());
}

#[test]
fn build_and_read_status_list_credential() {
    let list = list_with(&[42]);
    let from = crate::time::parse("2026-01-01T00:00:00Z").unwrap();
    let until = crate::time::parse("2026-01-02T00:00:00Z").unwrap();
    let url = "https://issuer.example/status/revocation/1";
    let vc = status_list_credential(
        url,
        "did:web:issuer.example",
        StatusPurpose::Revocation,
        &list,
        from,
        Some(until),
    );
    assert_eq!(vc["credentialSubject"]["id"], json!(format!("{url}#list")));
    assert_eq!(vc["validUntil"], json!("2026-01-02T00:00:00Z"));
    let parsed = StatusListCredential::parse(&vc).unwrap();
    assert_eq!(parsed.id.as_deref(), Some(url));
    assert_eq!(parsed.issuer.as_deref(), Some("did:web:issuer.example"));
    assert_eq!(parsed.purposes, vec![StatusPurpose::Revocation]);
    assert_eq!(parsed.valid_from, Some(from));
    assert_eq!(parsed.valid_until, Some(until));
    assert_eq!(parsed.list, list);

    let revoked = StatusListEntry::new(StatusPurpose::Revocation, url, 42);
    assert_eq!(parsed.status_of(&revoked), Ok(true));
    let fine = StatusListEntry::new(StatusPurpose::Revocation, url, 43);
    assert_eq!(parsed.status_of(&fine), Ok(false));
    let suspended = StatusListEntry::new(StatusPurpose::Suspension, url, 42);
    assert!(matches!(
        parsed.status_of(&suspended),
        Err(StatusListError::PurposeMismatch { .. })
    ));
    let elsewhere = StatusListEntry::new(StatusPurpose::Revocation, "https://other/1", 42);
    assert!(matches!(
        parsed.status_of(&elsewhere),
        Err(StatusListError::ListUrlMismatch { .. })
    ));
    let past = StatusListEntry::new(StatusPurpose::Revocation, url, MIN_ENTRIES as u64);
    assert!(matches!(
        parsed.status_of(&past),
        Err(StatusListError::IndexOutOfRange { .. })
    ));

    let no_until = status_list_credential(
        url,
        "did:web:issuer.example",
        StatusPurpose::Suspension,
        &list,
        from,
        None,
    );
    assert!(no_until.get("validUntil").is_none());
}

#[test]
fn status_list_credential_refusals() {
    let base = status_list_credential(
        "https://i.example/s/1",
        "did:web:i.example",
        StatusPurpose::Revocation,
        &list_with(&[]),
        crate::time::parse("2026-01-01T00:00:00Z").unwrap(),
        None,
    );
    let field_of = |mutate: &dyn Fn(&mut Value)| {
        let mut v = base.clone();
        mutate(&mut v);
        match StatusListCredential::parse(&v).unwrap_err() {
            StatusListError::InvalidField { field, .. }
            | StatusListError::MissingField { field } => field,
            other => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(
        field_of(&|v| v["type"] = json!(["VerifiableCredential"])),
        "type"
    );
    assert_eq!(
        field_of(&|v| v["credentialSubject"]["type"] = json!("StatusList2021")),
        "credentialSubject.type"
    );
    assert_eq!(
        field_of(&|v| v["credentialSubject"]["statusPurpose"] = json!([])),
        "credentialSubject.statusPurpose"
    );
    assert_eq!(
        field_of(&|v| v["credentialSubject"]["statusPurpose"] = json!(["revocation", 3])),
        "credentialSubject.statusPurpose[1]"
    );
    assert_eq!(
        field_of(&|v| {
            v["credentialSubject"]
                .as_object_mut()
                .unwrap()
                .remove("encodedList");
        }),
        "credentialSubject.encodedList"
    );
    assert_eq!(
        field_of(&|v| v["validFrom"] = json!("yesterday")),
        "validFrom"
    );
    assert_eq!(field_of(&|v| v["issuer"] = json!(5)), "issuer");
    assert_eq!(
        field_of(&|v| v["credentialSubject"] = json!([])),
        "credentialSubject"
    );
    // An issuer object with an id is accepted.
    let mut v = base.clone();
    v["issuer"] = json!({"id": "did:web:i.example", "name": "Issuer"});
    assert_eq!(
        StatusListCredential::parse(&v).unwrap().issuer.as_deref(),
        Some("did:web:i.example")
    );
    // Unknown purposes beside a supported one are kept aside, not fatal.
    let mut v = base.clone();
    v["credentialSubject"]["statusPurpose"] =
        json!(["message", "revocation", "revocation", "refresh"]);
    let parsed = StatusListCredential::parse(&v).unwrap();
    assert_eq!(parsed.purposes, vec![StatusPurpose::Revocation]);
    assert_eq!(parsed.unsupported_purposes, vec!["message", "refresh"]);
}

#[test]
fn random_allocation() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut list = list_with(&[]);
    let mut seen = BTreeSet::new();
    for _ in 0..1000 {
        let i = random_unused_index(&list, |i| seen.contains(&i), &mut rng).unwrap();
        assert!(seen.insert(i), "index {i} handed out twice");
    }
    // Spread over the whole list, not clustered at the start.
    assert!(seen.iter().any(|&i| i > (MIN_ENTRIES as u64) * 3 / 4));
    assert!(seen.iter().any(|&i| i < (MIN_ENTRIES as u64) / 4));

    // Nearly full: only two free indexes, one of them set in the list.
    for i in [17u64, 99_999] {
        seen.remove(&i);
    }
    list.set(17, true).unwrap();
    let all_but = |free: &'static [u64]| move |i: u64| !free.contains(&i);
    assert_eq!(
        random_unused_index(&list, all_but(&[17, 99_999]), &mut rng),
        Some(99_999)
    );
    assert_eq!(random_unused_index(&list, all_but(&[17]), &mut rng), None);
    assert_eq!(random_unused_index(&list, |_| true, &mut rng), None);
}

proptest::proptest! {
    /// A list answers the same whether it holds its bits sparsely or as bytes: set and
    /// clear bits past the point where it changes form, and compare with plain bools;
    /// encoding and decoding keep every bit.
    #[test]
    fn sparse_and_dense_lists_hold_the_same_bits(
        changes in proptest::collection::vec((0u64..MIN_ENTRIES as u64, proptest::bool::weighted(0.8)), 0..6_000),
    ) {
        let mut list = BitstringStatusList::new(MIN_ENTRIES).unwrap();
        let mut plain = vec![false; MIN_ENTRIES];
        for (index, value) in changes {
            list.set(index, value).unwrap();
            plain[index as usize] = value;
        }
        let expected: Vec<u64> = (0..MIN_ENTRIES as u64).filter(|&i| plain[i as usize]).collect();
        proptest::prop_assert_eq!(list.set_indexes().collect::<Vec<_>>(), expected.clone());
        for probe in [0u64, 1, 4_242, MIN_ENTRIES as u64 - 1] {
            proptest::prop_assert_eq!(list.get(probe).unwrap(), plain[probe as usize]);
        }
        let back = BitstringStatusList::decode(&list.encode()).unwrap();
        proptest::prop_assert_eq!(back.set_indexes().collect::<Vec<_>>(), expected);
        proptest::prop_assert_eq!(&back, &list);
    }
}
