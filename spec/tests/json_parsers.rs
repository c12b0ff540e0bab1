//! The two ways Probity reads JSON, held to one another: `json::Arena::parse` (the
//! tree verification works on) and `json::parse_strict` (a `serde_json::Value`, which
//! the builders and the CLI use). Both run serde_json's parser with Probity's rules
//! through visitors of their own; on any input they must accept the same documents and
//! read the same values. A verifier that read a document differently from the
//! signer's tools could be shown one content under another's signature.

use probity_spec::internals::json::Arena;
use probity_spec::json::{parse_strict, JsonError};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Both parsers on `text`: the same verdict, and for a document both accept, the
/// same value.
fn agree(text: &[u8]) -> Result<(), TestCaseError> {
    let arena = Arena::new();
    let ours = arena.parse(text).map(|tree| tree.to_value());
    let reference = parse_strict(text);
    match (&ours, &reference) {
        (Ok(a), Ok(b)) => prop_assert_eq!(a, b, "{}", String::from_utf8_lossy(text)),
        (Err(_), Err(_)) => {}
        _ => prop_assert!(
            false,
            "{:?}: ours {:?}, serde_json {:?}",
            String::from_utf8_lossy(text),
            ours,
            reference
        ),
    }
    // A refusal names the same kind of fault, where there is only one to find.
    if let (Err(a), Err(b)) = (&ours, &reference) {
        let kind = |e: &JsonError| std::mem::discriminant(e);
        if matches!(b, JsonError::NotUtf8 { .. } | JsonError::TooLarge { .. }) {
            prop_assert_eq!(kind(a), kind(b));
        }
    }
    Ok(())
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z@_]{0,8}",
        "\\PC{0,6}",
        "[\\x00-\\x1f\"\\\\/]{1,4}",
        prop::sample::select(vec!["\u{fb33}", "\u{1f602}", "\u{e000}", "\u{10000}", "é"])
            .prop_map(String::from),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    const LIMIT: i64 = 1 << 53;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-LIMIT..=LIMIT).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        (-1.0e6..1.0e6f64).prop_map(Value::from),
        "\\PC{0,16}".prop_map(Value::from),
        "[\\x00-\\x1f\"\\\\/\u{7f}\u{2028}\u{1f602}]{0,6}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// JSON text for `value` with every string character written in one of the ways
/// JSON allows, chosen by `choices`: as itself (where allowed), as `\uXXXX` (a
/// surrogate pair above U+FFFF) or with its short escape.
fn render(value: &Value, choices: &mut impl Iterator<Item = u8>, out: &mut String) {
    match value {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(" , ");
                }
                render(item, choices, out);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push_str("{\n");
            for (i, (k, v)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                render_string(k, choices, out);
                out.push_str("\t:");
                render(v, choices, out);
            }
            out.push('}');
        }
        Value::String(s) => render_string(s, choices, out),
        other => out.push_str(&other.to_string()),
    }
}

fn render_string(s: &str, choices: &mut impl Iterator<Item = u8>, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        let choice = choices.next().unwrap_or(0) % 3;
        match (c, choice) {
            ('"', 0) => out.push_str("\\\""),
            ('\\', 0) => out.push_str("\\\\"),
            ('/', 0) => out.push_str("\\/"),
            ('\n', 0) => out.push_str("\\n"),
            ('\t', 0) => out.push_str("\\t"),
            (c, 0 | 1) if c >= ' ' && c != '"' && c != '\\' => out.push(c),
            (c, _) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04X}"));
                }
            }
        }
    }
    out.push('"');
}

/// Bytes that matter to a JSON parser, for damaging documents.
const NOISE: &[u8] = b"{}[]\":,\\/u0123456789abcdefABCDEF+-.eEtrunlsx \t\n\x01\x7f";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn read_the_same_documents_as_serde_json(v in value(), choices in prop::collection::vec(any::<u8>(), 64)) {
        agree(serde_json::to_string(&v).unwrap().as_bytes())?;
        agree(serde_json::to_string_pretty(&v).unwrap().as_bytes())?;
        let mut text = String::new();
        render(&v, &mut choices.into_iter().cycle(), &mut text);
        agree(text.as_bytes())?;
    }

    #[test]
    fn refuse_the_same_damaged_documents(
        v in value(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = serde_json::to_vec(&v).unwrap();
        for (at, op, noise, raw) in edits {
            let i = at.index(bytes.len() + 1);
            let b = if raw % 4 == 0 { raw } else { NOISE[noise.index(NOISE.len())] };
            match op {
                0 => bytes.insert(i, b),
                1 if i < bytes.len() => {
                    bytes.remove(i);
                }
                _ if i < bytes.len() => bytes[i] = b,
                _ => bytes.push(b),
            }
        }
        agree(&bytes)?;
    }

    #[test]
    fn read_the_same_numbers(text in "-?(0|[1-9][0-9]{0,20})(\\.[0-9]{1,20})?([eE][+-]?[0-9]{1,3})?") {
        agree(text.as_bytes())?;
        agree(format!("[{text}]").as_bytes())?;
    }
}

#[test]
fn agree_on_the_edges_of_the_grammar() {
    let cases: &[&str] = &[
        "-0",
        "0.0",
        "-0.0",
        "1e400",
        "-1e400",
        "1e-400",
        "1E+2",
        "01",
        "-01",
        "-",
        "1.",
        ".5",
        "+1",
        "1.e5",
        "1e",
        "1e+",
        "0x10",
        "9007199254740992",
        "9007199254740993",
        "-9007199254740992",
        "-9007199254740993",
        "18446744073709551616",
        "9007199254740992.0",
        "9007199254740993.0",
        "4.9e-324",
        "1.7976931348623157e308",
        "[1,]",
        "[,1]",
        "[1 2]",
        "[",
        "]",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{1:2}",
        "{\"a\":}",
        "{\"a\"}",
        "{",
        "{\"a\":1",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\ud83d\\ude02\"",
        "\"\\ud83d\\u0041\"",
        "\"\\ud83d\"",
        "\"\\u00e9\"",
        "\"\\u00\"",
        "\"\\u00G0\"",
        "\"\\x\"",
        "\"abc",
        "\"a\u{1}\"",
        "\"a\u{7f}\"",
        "\"\\",
        "tru",
        "nul",
        "nulll",
        "truex",
        "true false",
        " 1 ",
        "1 2",
        "\t\n\r 1",
        "\u{feff}1",
        "",
        " ",
        "\"\"",
        "{\"a\":1,\"a\":2}",
        "{\"a\":1,\"\\u0061\":2}",
        "[[[]]]",
        "{\"\":{\"\":[]}}",
        "[1e2,1.5E-3,-0e0]",
    ];
    for case in cases {
        agree(case.as_bytes()).unwrap_or_else(|e| panic!("{case:?}: {e}"));
    }
}

#[test]
fn agree_on_how_deep_documents_may_nest() {
    for depth in [126, 127, 128, 129, 130, 10_000] {
        let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        agree(arrays.as_bytes()).unwrap();
        let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
        agree(objects.as_bytes()).unwrap();
        let open = "[".repeat(depth);
        agree(open.as_bytes()).unwrap();
    }
    let arena = Arena::new();
    let deep = "[".repeat(10_000);
    assert!(matches!(
        arena.parse(deep.as_bytes()),
        Err(JsonError::TooDeep { .. })
    ));
}

#[test]
fn errors_say_where() {
    let arena = Arena::new();
    let err = arena.parse(b"{\n  \"a\": 1,\n  \"b\": x\n}").unwrap_err();
    assert!(
        matches!(
            &err,
            JsonError::Syntax {
                line: 3,
                column: 8,
                ..
            }
        ),
        "{err:?}"
    );
    let err = arena.parse(br#"{"a":{"x":1,"y":2,"x":3}}"#).unwrap_err();
    assert!(
        matches!(&err, JsonError::DuplicateKey { key, line: 1, .. } if key == "x"),
        "{err:?}"
    );
    let err = arena.parse(b"[9007199254740993]").unwrap_err();
    assert!(
        matches!(&err, JsonError::InexactNumber { number, .. } if number == "9007199254740993"),
        "{err:?}"
    );
    assert!(err.to_string().contains("beyond 2^53"), "{err}");
    for beyond_any_double in ["1e400", "-1e400"] {
        let ours = arena.parse(beyond_any_double.as_bytes()).unwrap_err();
        let reference = parse_strict(beyond_any_double.as_bytes()).unwrap_err();
        assert!(matches!(ours, JsonError::Syntax { .. }), "{ours:?}");
        assert!(
            matches!(reference, JsonError::Syntax { .. }),
            "{reference:?}"
        );
    }
}
