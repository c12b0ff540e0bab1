//! Probity's JCS writer against `serde_json_canonicalizer` on arbitrary JSON: the two
//! must agree byte for byte.

use proptest::prelude::*;
use serde_json::{Map, Value};

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z@_]{0,8}",
        "\\PC{0,6}",
        prop::sample::select(vec![
            "\u{fb33}",
            "\u{1f602}",
            "\u{e000}",
            "\u{ffff}",
            "\u{10000}",
            "é",
            "\u{7f}"
        ])
        .prop_map(String::from),
    ]
}

/// Arbitrary JSON whose numbers come from `numbers`.
fn tree(numbers: BoxedStrategy<Value>) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        numbers,
        "\\PC{0,16}".prop_map(Value::from),
        "[\\x00-\\x1f\"\\\\/]{0,6}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Arbitrary JSON, any finite number.
fn value() -> impl Strategy<Value = Value> {
    tree(
        prop_oneof![
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
        ]
        .boxed(),
    )
}

/// Arbitrary JSON with the numbers a Probity document may hold (magnitudes up to
/// 2^53).
fn exact_value() -> impl Strategy<Value = Value> {
    const LIMIT: i64 = 1 << 53;
    tree(
        prop_oneof![
            (-LIMIT..=LIMIT).prop_map(Value::from),
            (-9.0e15..9.0e15f64).prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite, within 2^53", |f| f.abs() <= 9.0e15)
                .prop_map(Value::from),
        ]
        .boxed(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The path verification takes: text parsed into the arena tree, then written.
    /// Compact and pretty text both, so that strings with and without escapes in
    /// the input, keys among them, are covered.
    #[test]
    fn a_parsed_tree_is_written_as_the_reference_canonicalizer_writes_it(v in exact_value()) {
        let reference = serde_json_canonicalizer::to_vec(&v).unwrap();
        for text in [serde_json::to_vec(&v).unwrap(), serde_json::to_vec_pretty(&v).unwrap()] {
            let arena = probity_spec::internals::json::Arena::new();
            let tree = arena.parse(&text).unwrap();
            let mut ours = Vec::new();
            probity_spec::internals::jcs::write_json(&mut ours, &tree).unwrap();
            prop_assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&reference));
        }
    }

    #[test]
    fn agrees_with_the_reference_canonicalizer(v in value()) {
        let ours = probity_spec::jcs::canonicalize(&v).unwrap();
        let reference = serde_json_canonicalizer::to_vec(&v).unwrap();
        prop_assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&reference));
    }
}
