//! Property tests: signing then verifying round-trips for arbitrary credentials, and
//! any change to any signed value makes verification fail.

use ed25519_dalek::SigningKey;
use probity_spec::proof::{self, ProofOptions};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        // Probity refuses numbers beyond 2^53 (SPEC.md §2.2); in range, anything goes.
        (-(1i64 << 53)..=(1i64 << 53)).prop_map(Value::from),
        (0u64..=(1u64 << 53)).prop_map(Value::from),
        (-9.0e15f64..9.0e15).prop_map(Value::from),
        "\\PC{0,24}".prop_map(Value::from),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("\\PC{1,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn credential() -> impl Strategy<Value = Value> {
    (json_value(), "[a-z]{1,12}", any::<u32>()).prop_map(|(subject, name, n)| {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://probity.network/contexts/v1"],
            "id": format!("urn:uuid:{n:08x}-0000-4000-8000-000000000000"),
            "type": ["VerifiableCredential", "PocusTestCredential"],
            "issuer": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
            "name": name,
            "credentialSubject": {"data": subject},
        })
    })
}

/// Paths to every leaf of `v`, except inside `@context` arrays (appending or changing
/// a context is covered by the tamper vectors) .
fn leaf_paths(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                path.push(k.clone());
                leaf_paths(child, path, out);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                path.push(i.to_string());
                leaf_paths(child, path, out);
                path.pop();
            }
        }
        _ => out.push(path.clone()),
    }
}

fn at<'a>(v: &'a mut Value, path: &[String]) -> &'a mut Value {
    path.iter().fold(v, |v, p| match v {
        Value::Array(a) => &mut a[p.parse::<usize>().unwrap()],
        other => &mut other[p.as_str()],
    })
}

fn change(v: &mut Value) {
    *v = match v.take() {
        Value::Null => json!(0),
        Value::Bool(b) => json!(!b),
        Value::Number(n) if n.is_u64() => json!(n.as_u64().unwrap() as i64 - 1),
        Value::Number(n) if n.is_i64() => json!(n.as_i64().unwrap() + 1),
        Value::Number(n) => json!(n.as_f64().unwrap() / 2.0 + 1.0),
        Value::String(s) => json!(format!("{s}!")),
        other => other,
    };
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn sign_then_verify_round_trips(doc in credential(), seed in any::<[u8; 32]>()) {
        let key = SigningKey::from_bytes(&seed);
        let options = ProofOptions::assertion("did:key:z6Mk#test", Some("2026-01-01T00:00:00Z".into()));
        let signed = proof::sign(&doc, &key, &options).unwrap();
        // Through bytes and the strict parser, as a verifier would receive it.
        let bytes = serde_json::to_vec(&signed).unwrap();
        let parsed = probity_spec::json::parse_strict(&bytes).unwrap();
        let verified = proof::verify_with_key(parsed, &key.verifying_key()).unwrap();
        prop_assert_eq!(Value::Object(verified), doc);
    }

    #[test]
    fn any_change_to_a_signed_value_fails(doc in credential(), seed in any::<[u8; 32]>(), pick in any::<prop::sample::Index>()) {
        let key = SigningKey::from_bytes(&seed);
        let options = ProofOptions::assertion("did:key:z6Mk#test", Some("2026-01-01T00:00:00Z".into()));
        let signed = proof::sign(&doc, &key, &options).unwrap();
        let mut paths = Vec::new();
        leaf_paths(&signed, &mut Vec::new(), &mut paths);
        paths.retain(|p| p.first().map(String::as_str) != Some("@context") && !p.contains(&"@context".to_owned()));
        let path = pick.get(&paths).clone();
        let mut tampered = signed.clone();
        change(at(&mut tampered, &path));
        prop_assume!(tampered != signed);
        prop_assert!(proof::verify_with_key(tampered, &key.verifying_key()).is_err(), "changed {:?} and it still verified", path);
    }
}

/// Keys that mix ASCII, characters up to U+FFFF (U+E000 and above among them) and
/// characters beyond, where UTF-16 order and code-point order part.
fn key() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::char::range('a', 'c'),
            prop::char::range('\u{e000}', '\u{e002}'),
            prop::char::range('\u{fffd}', '\u{fffd}'),
            prop::char::range('\u{10000}', '\u{10002}'),
            prop::char::range('\u{1f600}', '\u{1f601}'),
        ],
        0..5,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    /// RFC 8785 §3.2.3 sorts keys by their UTF-16 code units.
    #[test]
    fn keys_sort_in_utf16_order(a in key(), b in key()) {
        prop_assert_eq!(
            probity_spec::jcs::utf16_cmp(&a, &b),
            a.encode_utf16().cmp(b.encode_utf16())
        );
    }
}
