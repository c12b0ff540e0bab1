//! Tests of the format's internals: integer codes, tables, typed forms, and decoder
//! behaviour on damaged and hostile payloads. Round trips through the public API are
//! in `spec/tests/compact.rs`.

// Tests may panic: that is how they fail.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use super::bits::{exp_golomb_len, index_bits, unzigzag, zigzag, BitReader, BitWriter};
use super::codec::{write_literal, Encoder};
use super::tables::{
    Hint, Known, KNOWN, LITERAL_LENGTHS, LITERAL_SYMBOLS, SHAPES, STATIC_POSITION_BITS, STATIC_TEXT,
};
use super::{decode, encode, CompactError, MAX_BODY_BYTES, MAX_DECODED_UNITS, MAX_DEPTH};
use serde_json::{json, Value};

fn reference() -> Value {
    let text = include_str!("../../tests/data/ip-certificate-shape.json");
    serde_json::from_str(text).expect("the reference credential is JSON")
}

/// A payload with the format 1 header and the given body bits.
fn payload(write: impl FnOnce(&mut BitWriter)) -> Vec<u8> {
    let mut w = BitWriter::default();
    write(&mut w);
    let mut out = vec![0x10];
    out.extend(w.into_bytes());
    out
}

#[test]
fn exp_golomb_round_trips_and_lengths_match() {
    let values = [
        0,
        1,
        2,
        3,
        15,
        16,
        17,
        255,
        256,
        94_567,
        1 << 40,
        u64::MAX - 1,
        u64::MAX,
    ];
    for k in [0, 2, 5, 6, 8, 16] {
        let mut w = BitWriter::default();
        for &v in &values {
            let before = w.len();
            w.exp_golomb(v, k);
            assert_eq!(
                w.len() - before,
                exp_golomb_len(v, k),
                "length of {v} at k={k}"
            );
        }
        let bytes = w.into_bytes();
        let mut r = BitReader::new(&bytes);
        for &v in &values {
            assert_eq!(r.exp_golomb(k).expect("reads back"), v);
        }
    }
}

#[test]
fn exp_golomb_refuses_numbers_over_64_bits() {
    // 64 zeros, a one, 64 bits: u64::MAX when the bits are 0, 2^64 when they are 1.
    let mut w = BitWriter::default();
    w.bits(0, 64);
    w.bit(true);
    w.bits(0, 64);
    let bytes = w.into_bytes();
    assert_eq!(BitReader::new(&bytes).exp_golomb(0), Ok(u64::MAX));
    let mut w = BitWriter::default();
    w.bits(0, 64);
    w.bit(true);
    w.bits(1, 64);
    let bytes = w.into_bytes();
    assert!(matches!(
        BitReader::new(&bytes).exp_golomb(0),
        Err(CompactError::Corrupt { .. })
    ));
    // 65 zeros: longer than any 64-bit number.
    let mut w = BitWriter::default();
    w.bits(0, 64);
    w.bit(false);
    w.bit(true);
    w.bits(0, 64);
    w.bits(0, 1);
    let bytes = w.into_bytes();
    assert!(matches!(
        BitReader::new(&bytes).exp_golomb(0),
        Err(CompactError::Corrupt { .. })
    ));
    // u64::MAX + 1 at order 1: w = 2^64 + 2, which fits the zero count but not u64.
    let mut w = BitWriter::default();
    w.bits(0, 63);
    w.bit(true);
    w.bits(u64::MAX, 64);
    let bytes = w.into_bytes();
    assert!(matches!(
        BitReader::new(&bytes).exp_golomb(1),
        Err(CompactError::Corrupt { .. })
    ));
}

#[test]
fn zigzag_round_trips() {
    for v in [0, 1, -1, 2, -2, 1826, -1974, i64::MAX, i64::MIN] {
        assert_eq!(unzigzag(zigzag(v)), v);
    }
    assert_eq!(zigzag(-1), 1);
    assert_eq!(zigzag(1), 2);
    assert_eq!(index_bits(0), 0);
    assert_eq!(index_bits(1), 0);
    assert_eq!(index_bits(2), 1);
    assert_eq!(index_bits(5), 3);
    assert_eq!(index_bits(256), 8);
}

#[test]
fn literal_codes_are_complete_prefix_codes() {
    for (ctx, lengths) in LITERAL_LENGTHS.iter().enumerate() {
        assert_eq!(lengths.len(), LITERAL_SYMBOLS);
        assert!(
            lengths.iter().all(|&l| (1..=15).contains(&l)),
            "context {ctx}"
        );
        let kraft: u64 = lengths.iter().map(|&l| 1u64 << (15 - l)).sum();
        assert_eq!(kraft, 1 << 15, "context {ctx} is not a complete code");
    }
}

#[test]
fn tables_fit_their_fields() {
    assert!(KNOWN.len() <= 256);
    assert!(SHAPES.len() < 32);
    let static_chars = STATIC_TEXT.chars().count();
    assert!(static_chars <= 1 << STATIC_POSITION_BITS);
    assert!(
        static_chars > 1 << (STATIC_POSITION_BITS - 1),
        "a narrower field would do"
    );
    for (i, keys) in SHAPES.iter().enumerate() {
        for (j, (k, hint)) in keys.iter().enumerate() {
            assert!(
                !keys.iter().skip(j + 1).any(|(other, _)| other == k),
                "shape {} repeats {k}",
                i + 1
            );
            check_hint(hint);
        }
    }
    for (i, k) in KNOWN.iter().enumerate() {
        assert!(
            !KNOWN.iter().skip(i + 1).any(|other| other == k),
            "known value {k:?} appears twice"
        );
    }
}

fn check_hint(hint: &Hint) {
    match hint {
        Hint::Obj(n) => assert!(usize::from(*n) >= 1 && usize::from(*n) <= SHAPES.len()),
        Hint::Arr(h) | Hint::Map(h) => check_hint(h),
        Hint::OneOf(list) => {
            assert!(!list.is_empty());
            for (i, k) in list.iter().enumerate() {
                assert!(!list.iter().skip(i + 1).any(|o| o == k), "{k:?} twice");
            }
        }
        Hint::Const(Known::Strs(list)) => assert!(!list.is_empty()),
        _ => {}
    }
}

#[test]
fn typed_forms_only_take_canonical_strings() {
    // Each of these looks like a typed value but does not render back identically,
    // so it must survive as text.
    let lookalikes = json!([
        "2026-1-01",
        "2026-01-1",
        "2026-02-30",
        "0000-00-00",
        "+2026-01-01",
        "2026-01-01 ",
        "2026-01-01T24:00:00Z",
        "2026-01-01T23:59:60Z",
        "2026-01-01T00:00:00z",
        "2026-01-01T00:00:00.000Z",
        "2026-01-01T00:00:00+00:00",
        "2026-01-01t00:00:00Z",
        "urn:uuid:2F1C9A4E-7B3D-4C8E-9F21-5A6B7C8D9E01",
        "URN:UUID:2f1c9a4e-7b3d-4c8e-9f21-5a6b7c8d9e01",
        "urn:uuid:2f1c9a4e7b3d4c8e9f215a6b7c8d9e01",
        "urn:uuid:2f1c9a4e-7b3d-4c8e-9f21-5a6b7c8d9e0",
        "{2f1c9a4e-7b3d-4c8e-9f21-5a6b7c8d9e01}",
        "z",
        "z0",
        "zO",
        "zl",
        "zI",
        "Z2HnFSS",
        "z 2Hn",
        "did:key:z",
        "did:key:z6Mk#z6Mj",
        "did:key:z6Mk#z6Mk#z6Mk",
        "did:key:z6Mk#key-1",
        "007",
        "-1",
        "+1",
        "1.0",
        "1e3",
        "18446744073709551616",
        " 1",
        "",
        "１２３",
        "٣"
    ]);
    let bytes = encode(&lookalikes).expect("encodes");
    assert_eq!(decode(&bytes).expect("decodes"), lookalikes);
    // And the canonical ones still round-trip (through their typed forms).
    let canonical = json!([
        "2026-01-01", "0001-01-01", "9999-12-31", "1969-12-31", "2026-01-01T00:00:00Z",
        "2026-12-31T23:59:59Z", "urn:uuid:00000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff", "z1", "z11", "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "0", "1", "18446744073709551615"
    ]);
    let bytes = encode(&canonical).expect("encodes");
    assert_eq!(decode(&bytes).expect("decodes"), canonical);
}

#[test]
fn compact_reference_cost_breakdown() {
    // Run with --nocapture to see where the bits of the reference go.
    let mut e = Encoder::new();
    e.value(&reference(), Hint::None);
    let mut strings = 0;
    for (s, form, bits) in &e.trace {
        println!("{bits:4} {form:?} {s:?}");
        strings += bits;
    }
    let total = e.bits_written();
    println!("{strings} of {total} bits are strings");
    assert!(total < 2100, "the reference grew to {total} bits");
}

#[test]
fn every_truncation_of_the_reference_fails_cleanly() {
    let bytes = encode(&reference()).expect("encodes");
    for len in 0..bytes.len() {
        let cut = bytes.get(..len).unwrap_or_default();
        assert!(decode(cut).is_err(), "a payload cut to {len} bytes decoded");
    }
}

#[test]
fn single_byte_corruptions_never_panic() {
    let original = reference();
    let bytes = encode(&original).expect("encodes");
    let mut errors = 0;
    let mut different = 0;
    for i in 0..bytes.len() {
        for mask in [1u8, 2, 4, 8, 16, 32, 64, 128, 0xff, 0x5a] {
            let mut damaged = bytes.clone();
            if let Some(b) = damaged.get_mut(i) {
                *b ^= mask;
            }
            match decode(&damaged) {
                Err(_) => errors += 1,
                Ok(v) => {
                    if v != original {
                        different += 1;
                    }
                }
            }
        }
    }
    println!("{errors} errors, {different} different documents");
    assert!(errors > 0);
}

#[test]
fn header_errors() {
    let bytes = encode(&json!({"a": 1})).expect("encodes");
    assert_eq!(decode(&[]), Err(CompactError::Truncated));
    let mut v2 = bytes.clone();
    if let Some(h) = v2.first_mut() {
        *h = 0x20;
    }
    assert_eq!(
        decode(&v2),
        Err(CompactError::UnsupportedVersion { version: 2 })
    );
    let mut flags = bytes.clone();
    if let Some(h) = flags.first_mut() {
        *h = 0x12;
    }
    assert_eq!(
        decode(&flags),
        Err(CompactError::UnsupportedFlags { flags: 2 })
    );
    let mut trailing = bytes.clone();
    trailing.extend([0, 0]);
    assert_eq!(
        decode(&trailing),
        Err(CompactError::TrailingBytes { count: 2 })
    );
}

#[test]
fn padding_must_be_zero() {
    // `null` is the 5-bit tag 11100; the three padding bits must be zero.
    assert_eq!(decode(&[0x10, 0b1110_0000]), Ok(Value::Null));
    assert!(matches!(
        decode(&[0x10, 0b1110_0001]),
        Err(CompactError::Corrupt { .. })
    ));
}

/// Writes a TEXT string made of one literal `c` and a history copy of distance 1 and
/// length `len` (so `len + 1` copies of `c`), with the generic string tag.
fn write_run(w: &mut BitWriter, c: char, len: u64) {
    w.bits(0b00, 2); // generic value: string
    w.bits(0, 3); // form TEXT
    w.bits(0b00, 2); // literal run
    w.exp_golomb(0, 2); // of one character
    write_literal(w, c, None);
    w.bits(0b11, 2); // after literals: DOC
    w.exp_golomb(0, 5); // distance 1
    w.exp_golomb(len - 3, 2);
    w.bits(0b11, 2); // END
}

#[test]
fn copies_cannot_blow_up_the_output() {
    let small = payload(|w| write_run(w, 'a', 999));
    assert_eq!(decode(&small), Ok(json!("a".repeat(1000))));
    let bomb = payload(|w| write_run(w, 'a', 1 << 40));
    assert_eq!(
        decode(&bomb),
        Err(CompactError::DecodedTooLarge {
            limit: MAX_DECODED_UNITS
        })
    );
}

#[test]
fn repeats_are_bounded_by_the_budget() {
    // An array claiming 2^40 elements is cut short, not allocated.
    let nulls = payload(|w| {
        w.bits(0b100, 3);
        w.exp_golomb(1 << 40, 2);
        w.bits(0b11100, 5);
    });
    assert_eq!(decode(&nulls), Err(CompactError::Truncated));
    // A 1,000-character string repeated 2,000 times (2 MB of JSON) in 1.3 KB.
    let bomb = payload(|w| {
        w.bits(0b100, 3);
        w.exp_golomb(2000, 2);
        write_run(w, 'x', 999);
        for _ in 1..2000 {
            w.bits(0b00, 2); // string
            w.bits(2, 3); // REPEAT; one distinct string, so a zero-bit index
        }
    });
    assert!(bomb.len() < 1400);
    assert_eq!(
        decode(&bomb),
        Err(CompactError::DecodedTooLarge {
            limit: MAX_DECODED_UNITS
        })
    );
}

#[test]
fn nesting_is_bounded() {
    let mut deep = json!(1);
    for _ in 0..=MAX_DEPTH {
        deep = json!([deep]);
    }
    assert_eq!(
        encode(&deep),
        Err(CompactError::NestingTooDeep { limit: MAX_DEPTH })
    );
    // Just at the limit: fine.
    let mut ok = json!(1);
    for _ in 0..MAX_DEPTH {
        ok = json!({ "a": ok });
    }
    let bytes = encode(&ok).expect("encodes");
    assert_eq!(decode(&bytes).expect("decodes"), ok);
    // A hand-made payload nesting 10,000 arrays fails at the limit.
    let nested = payload(|w| {
        for _ in 0..10_000 {
            w.bits(0b100, 3);
            w.exp_golomb(1, 2);
        }
    });
    assert_eq!(
        decode(&nested),
        Err(CompactError::NestingTooDeep { limit: MAX_DEPTH })
    );
}

#[test]
fn deflate_is_used_when_it_wins_and_is_bounded() {
    // Many objects with unknown keys: the structure repeats, so DEFLATE wins.
    let rows: Vec<Value> = (0..400)
        .map(|i| json!({"alpha": i % 7, "beta": [true, null], "gamma": {"delta": -3}}))
        .collect();
    let doc = Value::Array(rows);
    let bytes = encode(&doc).expect("encodes");
    assert_eq!(bytes.first(), Some(&0x11), "DEFLATE flag set");
    assert_eq!(decode(&bytes).expect("decodes"), doc);
    // Data after the end of the DEFLATE stream.
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert!(matches!(
        decode(&trailing),
        Err(CompactError::TrailingBytes { .. })
    ));
    // Cut short.
    let cut = bytes.get(..bytes.len() / 2).unwrap_or_default();
    assert!(decode(cut).is_err());
    // A DEFLATE stream of 2 MiB of zero bytes.
    let zeros = vec![0u8; 2 * MAX_BODY_BYTES];
    let mut compress = flate2::Compress::new(flate2::Compression::best(), false);
    let mut out = Vec::with_capacity(1 << 16);
    let status = compress
        .compress_vec(&zeros, &mut out, flate2::FlushCompress::Finish)
        .expect("compresses");
    assert_eq!(status, flate2::Status::StreamEnd);
    let mut bomb = vec![0x11];
    bomb.extend(out);
    assert_eq!(
        decode(&bomb),
        Err(CompactError::DecompressedTooLarge {
            limit: MAX_BODY_BYTES
        })
    );
    // Garbage flagged as DEFLATE.
    assert!(decode(&[0x11, 0xff, 0xff, 0xff]).is_err());
}

#[test]
fn unknown_tags_forms_and_indexes_are_corrupt() {
    // Shape 31 does not exist.
    let bad_shape = payload(|w| {
        w.bits(0b01, 2);
        w.bits(31, 5);
    });
    assert!(matches!(
        decode(&bad_shape),
        Err(CompactError::Corrupt { .. })
    ));
    // Known index 255 is past the table.
    let bad_known = payload(|w| {
        w.bits(0b11111, 5);
        w.bits(255, 8);
    });
    assert!(matches!(
        decode(&bad_known),
        Err(CompactError::Corrupt { .. })
    ));
    // REPEAT with nothing to repeat.
    let bad_repeat = payload(|w| {
        w.bits(0b00, 2);
        w.bits(2, 3);
    });
    assert!(matches!(
        decode(&bad_repeat),
        Err(CompactError::Corrupt { .. })
    ));
    // A DOC copy before any history.
    let bad_copy = payload(|w| {
        w.bits(0b00, 2);
        w.bits(0, 3);
        w.bits(0b10, 2);
        w.exp_golomb(0, 5);
        w.exp_golomb(0, 2);
    });
    assert!(matches!(
        decode(&bad_copy),
        Err(CompactError::Corrupt { .. })
    ));
    // A static copy past the end of the static text.
    let bad_dict = payload(|w| {
        w.bits(0b00, 2);
        w.bits(0, 3);
        w.bits(0b01, 2);
        w.bits((1 << STATIC_POSITION_BITS) - 1, STATIC_POSITION_BITS);
        w.exp_golomb(100, 2);
    });
    assert!(matches!(
        decode(&bad_dict),
        Err(CompactError::Corrupt { .. })
    ));
    // An infinite float.
    let bad_float = payload(|w| {
        w.bits(0b1101, 4);
        w.bits(f64::INFINITY.to_bits(), 64);
    });
    assert!(matches!(
        decode(&bad_float),
        Err(CompactError::Corrupt { .. })
    ));
    // A time of day past midnight.
    let bad_time = payload(|w| {
        w.bits(0b00, 2);
        w.bits(4, 3);
        w.exp_golomb(0, 6);
        w.bit(true);
        w.bits(86_400, 17);
    });
    assert!(matches!(
        decode(&bad_time),
        Err(CompactError::Corrupt { .. })
    ));
    // The same key twice in an object.
    let duplicate = payload(|w| {
        w.bits(0b01, 2);
        w.bits(0, 5);
        w.exp_golomb(2, 2);
        for _ in 0..2 {
            w.bits(1, 3); // KNOWN
            w.bits(89, 8); // "id"
            w.bits(0b11100, 5); // null
        }
    });
    assert!(matches!(
        decode(&duplicate),
        Err(CompactError::Corrupt { .. })
    ));
}

/// Found by the fuzz target: 32 bytes that decode to a long repetitive string, which
/// the encoder once planned in time quadratic in its length (minutes). Planning long
/// strings is now bounded; this must round-trip promptly.
#[test]
fn a_tiny_payload_of_a_huge_repetitive_string_encodes_again() {
    let payload = [
        16u8, 0, 32, 213, 100, 114, 26, 3, 0, 0, 0, 0, 16, 0, 0, 15, 0, 0, 78, 214, 11, 11, 250,
        244, 244, 244, 244, 206, 202, 177, 48, 0,
    ];
    if let Ok(value) = decode(&payload) {
        let again = encode(&value).unwrap();
        assert_eq!(decode(&again).unwrap(), value);
    }
    for text in [
        "a".repeat(200_000),
        "abcdefghijklmnopqrstuvwxyz0123456789".repeat(5_000),
        (0..60_000u32)
            .map(|i| char::from_u32(0x4e00 + (i * 7919) % 20_000).unwrap_or('x'))
            .collect::<String>(),
    ] {
        let value = json!({ "note": text });
        let bytes = encode(&value).unwrap();
        assert_eq!(decode(&bytes).unwrap(), value);
    }
}

#[test]
fn text_whose_header_disagrees_with_its_prefix_is_garbage_not_a_newer_version() {
    match crate::compact::from_text("PB1:123") {
        Err(CompactError::Garbled { text: 1, header: 7 }) => {}
        other => panic!("{other:?}"),
    }
    let message = crate::compact::from_text("PB1:123")
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("damaged") && !message.contains("update Probity"),
        "{message}"
    );
}
