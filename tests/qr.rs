//! QR codes end to end: encode a signed certificate, photograph it (in software:
//! rotated, scaled down, blurred, noisy, on a larger background, saved as JPEG), and
//! verify from the picture with the real binary.

use super::issue_ip;
use super::photo::{jpeg, photograph, CAMERA_CASES};
use super::util::*;
use image::{GrayImage, ImageEncoder, Luma};
use serde_json::Value;
use std::path::Path;

/// The same certificate on every run (fixed key, id and times), so each code, and each
/// photograph of it, is the same on every run: a picture that fails to read fails every
/// time, not once in a hundred. How well photos of many different codes read is
/// measured by `cargo bench -p probity --bench qr`.
fn signed_certificate(dir: &Path) -> (String, std::path::PathBuf) {
    let key = ed25519_dalek::SigningKey::from_bytes(&[0x51; 32]);
    let path = dir.join("issuer.json");
    let file = probity_spec::multikey::KeyFile::new(&key, None, None);
    std::fs::write(&path, serde_json::to_vec(&file).unwrap()).unwrap();
    let fixed = [
        (
            "--id",
            Some("urn:uuid:6f1c2a54-3b7e-4c1d-9a8e-0d5b7f3e2c10"),
        ),
        ("--created", Some("2026-03-01T09:12:44Z")),
    ];
    let cert = issue_ip(dir, &path, &fixed, "cert.json");
    (probity_spec::did::did_key(&key.verifying_key()), cert)
}

#[test]
fn encode_reports_the_version_and_decode_rebuilds_the_signed_credential() {
    let dir = tempfile::tempdir().unwrap();
    let (did_key, cert) = signed_certificate(dir.path());
    let o = run(
        dir.path(),
        &[
            "qr",
            "encode",
            cert.to_str().unwrap(),
            "--out",
            "code.png",
            "--json",
        ],
    );
    assert_exit(&o, 0);
    let info: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(info["errorCorrection"], "M");
    assert!(info["version"].as_i64().unwrap() <= 13, "{info}");
    let o = run(dir.path(), &["qr", "decode", "code.png"]);
    assert_exit(&o, 0);
    let decoded: Value = serde_json::from_slice(&o.stdout).unwrap();
    let original: Value = serde_json::from_slice(&std::fs::read(&cert).unwrap()).unwrap();
    assert_eq!(decoded, original);
    let (code, report) = verify_json(dir.path(), &["code.png", "--trust-issuer", &did_key]);
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (0, "VALID"),
        "{report}"
    );

    // SVG output and the terminal drawing.
    assert_exit(
        &run(
            dir.path(),
            &["qr", "encode", cert.to_str().unwrap(), "--out", "code.svg"],
        ),
        0,
    );
    assert!(std::fs::read_to_string(dir.path().join("code.svg"))
        .unwrap()
        .contains("<svg"));
    let o = run(dir.path(), &["qr", "encode", cert.to_str().unwrap()]);
    assert_exit(&o, 0);
    assert!(
        stdout(&o).contains('█') || stdout(&o).contains('▀'),
        "{}",
        stdout(&o)
    );
    assert!(stderr(&o).contains("QR version"), "{}", stderr(&o));

    // A code without a proof decodes to nothing a verifier could trust, whether it
    // arrives as text or as a picture.
    let mut unsigned: Value = serde_json::from_slice(&std::fs::read(&cert).unwrap()).unwrap();
    unsigned.as_object_mut().unwrap().remove("proof");
    std::fs::write(dir.path().join("unsigned.json"), unsigned.to_string()).unwrap();
    let o = run(
        dir.path(),
        &["qr", "encode", "unsigned.json", "--out", "unsigned.png"],
    );
    assert_exit(&o, 0);
    let text = probity_spec::compact::to_text(&unsigned).unwrap();
    for input in ["unsigned.png", text.as_str()] {
        let o = run(dir.path(), &["qr", "decode", input]);
        assert_exit(&o, 2);
        assert!(stderr(&o).contains("holds no proof"), "{}", stderr(&o));
    }
}

#[test]
fn payload_and_link_forms_verify_and_a_tampered_payload_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let (did_key, cert) = signed_certificate(dir.path());
    let credential: Value = serde_json::from_slice(&std::fs::read(&cert).unwrap()).unwrap();
    let text = probity_spec::compact::to_text(&credential).unwrap();
    let (code, report) = verify_json(dir.path(), &[&text, "--trust-issuer", &did_key]);
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (0, "VALID"),
        "{report}"
    );
    let link =
        probity_spec::compact::to_url("https://verify.probity.network", &credential).unwrap();
    assert!(
        link.starts_with("https://verify.probity.network/#PB1:"),
        "{link}"
    );
    let (code, _) = verify_json(dir.path(), &[&link, "--trust-issuer", &did_key]);
    assert_eq!(code, 0);
    // As a scanner app may pass it on: prefix in lower case.
    let lower = text.replacen("PB1:", "pb1:", 1);
    let (code, _) = verify_json(dir.path(), &[&lower, "--trust-issuer", &did_key]);
    assert_eq!(code, 0);
    // Change one digit near the end (inside the signature): never VALID.
    let mut digits: Vec<u8> = text.clone().into_bytes();
    let at = digits.len() - 30;
    digits[at] = if digits[at] == b'1' { b'2' } else { b'1' };
    let tampered = String::from_utf8(digits).unwrap();
    let o = run(
        dir.path(),
        &[
            "verify",
            "--json",
            &tampered,
            "--trust-issuer",
            &did_key,
            "--at",
            AT,
        ],
    );
    assert_ne!(o.status.code(), Some(0), "{}", stdout(&o));
    // Wrong prefix, truncation, garbage: a clear error and exit 2.
    for bad in ["PB9:12345", &text[..text.len() / 2], "PB1:12a45"] {
        let o = run(dir.path(), &["qr", "decode", bad]);
        assert_exit(&o, 2);
        assert!(stderr(&o).contains("error"), "{}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"));
    }
}

#[test]
fn camera_like_photos_of_the_code_verify() {
    let dir = tempfile::tempdir().unwrap();
    let (did_key, cert) = signed_certificate(dir.path());
    assert_exit(
        &run(
            dir.path(),
            &[
                "qr",
                "encode",
                cert.to_str().unwrap(),
                "--out",
                "code.png",
                "--scale",
                "6",
            ],
        ),
        0,
    );
    let code = image::open(dir.path().join("code.png")).unwrap().to_luma8();
    for (name, degrees, scale, blur, noise) in CAMERA_CASES {
        let photo = jpeg(&photograph(&code, degrees, scale, blur, noise));
        std::fs::write(dir.path().join("photo.jpg"), &photo).unwrap();
        if let Ok(keep) = std::env::var("PROBITY_KEEP_PHOTOS") {
            let name = format!("{}.jpg", name.replace(' ', "_"));
            std::fs::write(Path::new(&keep).join(name), &photo).unwrap();
        }
        let (exit, report) = verify_json(dir.path(), &["photo.jpg", "--trust-issuer", &did_key]);
        assert_eq!(
            (exit, report["verdict"].as_str().unwrap()),
            (0, "VALID"),
            "{name}: {report}"
        );
    }
}

#[test]
fn images_without_a_code_or_too_large_are_refused_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    // A photo of nothing.
    let blank = GrayImage::from_fn(400, 300, |x, y| Luma([((x * 7 + y * 13) % 200) as u8]));
    blank.save(dir.path().join("blank.png")).unwrap();
    let o = run(dir.path(), &["qr", "decode", "blank.png"]);
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("no QR code"), "{}", stderr(&o));
    // A PNG whose header claims 100,000 x 100,000 pixels: refused before decoding.
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&[0u8; 4], 2, 2, image::ExtendedColorType::L8)
        .unwrap();
    // IHDR width and height live at bytes 16..24; the CRC no longer matches, which is
    // fine: the size check must come first.
    png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    std::fs::write(dir.path().join("huge.png"), &png).unwrap();
    let o = run(dir.path(), &["qr", "decode", "huge.png"]);
    assert_exit(&o, 2);
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    // Not an image at all, but named like one.
    std::fs::write(
        dir.path().join("fake.png"),
        b"\x89PNG\r\n\x1a\nthis is not a png",
    )
    .unwrap();
    let o = run(dir.path(), &["verify", "fake.png", "--at", AT]);
    assert_exit(&o, 2);
}

#[test]
fn cards_carry_the_holder_the_issuer_and_a_code_that_scans() {
    let dir = tempfile::tempdir().unwrap();
    let (did_key, cert) = signed_certificate(dir.path());
    assert_exit(
        &run(
            dir.path(),
            &["card", cert.to_str().unwrap(), "--out", "card.svg"],
        ),
        0,
    );
    let svg = std::fs::read_to_string(dir.path().join("card.svg")).unwrap();
    for needle in [
        "Dr. Amelia",
        "IP-2026-00417",
        "FM MSK",
        "Canadian Point",
        "2031-03-01",
        "85.6mm",
    ] {
        assert!(svg.contains(needle), "card.svg lacks {needle}");
    }
    assert_exit(
        &run(
            dir.path(),
            &["card", cert.to_str().unwrap(), "--out", "card.png"],
        ),
        0,
    );
    // The code on the printed card scans.
    let (code, report) = verify_json(dir.path(), &["card.png", "--trust-issuer", &did_key]);
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (0, "VALID"),
        "{report}"
    );
    let o = run(
        dir.path(),
        &["card", cert.to_str().unwrap(), "--out", "card.gif"],
    );
    assert_exit(&o, 2);
}

/// A card is drawn once as SVG and written as SVG, PNG or PDF: a hostile, long name
/// neither breaks the SVG nor spills off the card, the PDF is a PDF, and with a
/// verifier's address (here from PROBITY_VERIFIER_URL) the code on the printed card is
/// a link to its page that still verifies.
#[test]
fn a_card_with_a_hostile_long_name_stays_on_the_card_in_every_format_and_its_link_scans() {
    let dir = tempfile::tempdir().unwrap();
    let key = ed25519_dalek::SigningKey::from_bytes(&[0x52; 32]);
    let key_path = dir.path().join("issuer.json");
    let file = probity_spec::multikey::KeyFile::new(&key, None, None);
    std::fs::write(&key_path, serde_json::to_vec(&file).unwrap()).unwrap();
    let did_key = probity_spec::did::did_key(&key.verifying_key());
    let name = "Dr. <script>alert(1)</script> & \"Maximiliana\" \u{202e}Alexandrovna Konstantinopolskaya-Oyelaran de la Fuente-Whitcombe";
    let cert = issue_ip(
        dir.path(),
        &key_path,
        &[
            ("--holder-name", Some(name)),
            ("--created", Some("2026-03-01T09:12:44Z")),
        ],
        "long.json",
    );
    let cert = cert.to_str().unwrap();

    assert_exit(&run(dir.path(), &["card", cert, "--out", "card.svg"]), 0);
    let svg = std::fs::read_to_string(dir.path().join("card.svg")).unwrap();
    assert!(
        !svg.contains("<script"),
        "markup from the credential entered the SVG"
    );
    assert!(svg.contains("&lt;script&gt;"));
    assert!(
        !svg.contains('\u{202e}'),
        "a direction override entered the SVG"
    );
    let tree = probity::card::tree(&svg).expect("the card's SVG is well formed");
    // Every line of text lies on the card, and none reaches into the QR code, which
    // takes the right-hand 40 mm plus its 2.4 mm margin.
    let size = tree.size();
    let qr_left = size.width() * (85.6 - 2.4 - 40.0) / 85.6;
    let mut texts = Vec::new();
    fn collect(group: &resvg::usvg::Group, out: &mut Vec<resvg::usvg::Rect>) {
        for node in group.children() {
            match node {
                resvg::usvg::Node::Group(g) => collect(g, out),
                resvg::usvg::Node::Text(t) => out.push(t.abs_bounding_box()),
                _ => {}
            }
        }
    }
    collect(tree.root(), &mut texts);
    assert!(texts.len() >= 8, "{} lines of text", texts.len());
    for b in &texts {
        assert!(
            b.left() >= 0.0 && b.top() >= 0.0 && b.bottom() <= size.height(),
            "text off the card: {b:?} on {size:?}"
        );
        let in_band = b.bottom() <= size.height() * 86.0 / 540.0;
        assert!(
            b.right() <= if in_band { size.width() } else { qr_left },
            "text runs into the QR code or off the card: {b:?}"
        );
    }

    assert_exit(&run(dir.path(), &["card", cert, "--out", "card.pdf"]), 0);
    let pdf = std::fs::read(dir.path().join("card.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));

    let o = probity()
        .current_dir(dir.path())
        .env("PROBITY_VERIFIER_URL", "http://127.0.0.1:8700")
        .args(["card", cert, "--out", "link.png"])
        .output()
        .unwrap();
    assert_exit(&o, 0);
    let text =
        probity_verifier::qr::decode_image(&std::fs::read(dir.path().join("link.png")).unwrap())
            .unwrap();
    assert!(text.starts_with("http://127.0.0.1:8700/#PB1:"), "{text}");
    let (code, report) = verify_json(dir.path(), &["link.png", "--trust-issuer", &did_key]);
    assert_eq!(
        (code, report["verdict"].as_str()),
        (0, Some("VALID")),
        "{report}"
    );
    assert_eq!(report["credential"]["holder"], name);
}
