//! QR codes end to end: encode a signed certificate, photograph it (in software:
//! rotated, scaled down, blurred, noisy, on a larger background, saved as JPEG), and
//! verify from the picture with the real binary.

use super::util::*;
use super::{issue_ip, new_key};
use image::{GrayImage, ImageEncoder, Luma};
use serde_json::Value;
use std::path::Path;

/// A deterministic noise source, so failures reproduce.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as f32) / (u32::MAX >> 1) as f32
    }
}

/// What a phone camera does to a printed code, roughly: the code at `scale` of its
/// size, turned by `degrees`, on a larger uneven background, softened and noisy.
fn photograph(code: &GrayImage, degrees: f32, scale: f32, blur: f32, noise: f32) -> GrayImage {
    let (w, h) = (code.width() as f32 * scale, code.height() as f32 * scale);
    let side = ((w * w + h * h).sqrt() * 1.5) as u32;
    let (cx, cy) = (side as f32 / 2.0, side as f32 / 2.0);
    let (sin, cos) = degrees.to_radians().sin_cos();
    let mut rng = Lcg(7);
    let mut photo = GrayImage::from_fn(side, side, |x, y| {
        // Back-project into the code's pixels (bilinear), else an uneven background.
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let u = (cos * dx + sin * dy) / scale + code.width() as f32 / 2.0;
        let v = (-sin * dx + cos * dy) / scale + code.height() as f32 / 2.0;
        let background = 150.0 + 60.0 * (x as f32 / side as f32) - 30.0 * (y as f32 / side as f32);
        let value = if u >= 0.0
            && v >= 0.0
            && u < code.width() as f32 - 1.0
            && v < code.height() as f32 - 1.0
        {
            let (x0, y0) = (u.floor() as u32, v.floor() as u32);
            let (fx, fy) = (u - x0 as f32, v - y0 as f32);
            let p = |x, y| code.get_pixel(x, y)[0] as f32;
            let top = p(x0, y0) * (1.0 - fx) + p(x0 + 1, y0) * fx;
            let bottom = p(x0, y0 + 1) * (1.0 - fx) + p(x0 + 1, y0 + 1) * fx;
            // Paper is not white and ink is not black under room light.
            30.0 + (top * (1.0 - fy) + bottom * fy) * 0.78
        } else {
            background
        };
        Luma([value.clamp(0.0, 255.0) as u8])
    });
    if blur > 0.0 {
        photo = image::imageops::blur(&photo, blur);
    }
    for p in photo.pixels_mut() {
        let n = (rng.next() - 0.5) * 2.0 * noise;
        p[0] = (p[0] as f32 + n).clamp(0.0, 255.0) as u8;
    }
    photo
}

fn save_jpeg(image: &GrayImage, path: &Path) {
    let file = std::fs::File::create(path).unwrap();
    image::codecs::jpeg::JpegEncoder::new_with_quality(file, 80)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            image::ExtendedColorType::L8,
        )
        .unwrap();
}

fn signed_certificate(dir: &Path) -> (String, std::path::PathBuf) {
    let (key, did_key) = new_key(dir, "issuer.json");
    let cert = issue_ip(dir, &key, &[], "cert.json");
    (did_key, cert)
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
        &["verify", "--json", &tampered, "--trust-issuer", &did_key],
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
    let cases = [
        ("turned 9 degrees, 70%", 9.0, 0.7, 0.8, 12.0),
        ("turned -23 degrees, 60%", -23.0, 0.6, 0.6, 10.0),
        ("upside down, blurred", 180.0, 0.8, 1.2, 8.0),
        ("small and noisy", 4.0, 0.5, 0.5, 20.0),
        ("turned 45 degrees, 70%", 45.0, 0.7, 0.6, 10.0),
        ("turned 15 degrees, full size, sharp", 15.0, 1.0, 0.0, 4.0),
    ];
    for (name, degrees, scale, blur, noise) in cases {
        let photo = photograph(&code, degrees, scale, blur, noise);
        let path = dir.path().join("photo.jpg");
        save_jpeg(&photo, &path);
        if let Ok(keep) = std::env::var("PROBITY_KEEP_PHOTOS") {
            save_jpeg(
                &photo,
                &Path::new(&keep).join(format!("{}.jpg", name.replace(' ', "_"))),
            );
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
    let o = run(dir.path(), &["verify", "fake.png"]);
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
