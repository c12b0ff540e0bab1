//! QR throughput: the compact payload (encode, decode) and the image path (render a
//! PNG-sized code, find and read it), for the reference IP certificate.
//!
//! Then the reading rate of photographs: codes of random content, as large as the
//! reference certificate's, each photographed as the end-to-end camera test does
//! (turned, scaled, blurred, noisy, JPEG). `PROBITY_BENCH_PHOTO_CODES` sets how many
//! codes (default 25, six photographs each).
//!
//! Run with `cargo bench -p probity --bench qr`.

#[path = "../../tests/photo.rs"]
mod photo;

use probity_spec::compact;
use probity_verifier::qr::{decode_image, encode_credential, to_image, version_number};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn main() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../spec/tests/data/ip-certificate-shape.json"
    );
    let credential: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let json_len = serde_json::to_vec(&credential).unwrap().len();
    let payload = compact::encode(&credential).unwrap();
    let text = compact::to_text(&credential).unwrap();
    let qr = encode_credential(&credential, None).unwrap();
    let image = to_image(&qr.code, 4);
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    assert_eq!(
        compact::from_text(&decode_image(&png).unwrap()).unwrap(),
        credential
    );

    println!(
        "reference certificate: {json_len} bytes of JSON -> {} bytes compact -> {} characters; QR version {} at M ({}x{} modules); PNG {}x{} px",
        payload.len(),
        text.len(),
        version_number(&qr.code),
        qr.code.width(),
        qr.code.width(),
        image.width(),
        image.height()
    );
    let budget = Duration::from_millis(
        std::env::var("PROBITY_BENCH_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1000),
    );
    report(
        "compact::encode",
        rate(budget, || {
            black_box(compact::encode(black_box(&credential)).unwrap());
        }),
    );
    report(
        "compact::decode",
        rate(budget, || {
            black_box(compact::decode(black_box(&payload)).unwrap());
        }),
    );
    report(
        "to_text (encode + digits)",
        rate(budget, || {
            black_box(compact::to_text(black_box(&credential)).unwrap());
        }),
    );
    report(
        "from_text (digits + decode)",
        rate(budget, || {
            black_box(compact::from_text(black_box(&text)).unwrap());
        }),
    );
    report(
        "QR code build (level M)",
        rate(budget, || {
            black_box(encode_credential(black_box(&credential), None).unwrap());
        }),
    );
    report(
        "image decode (PNG -> text)",
        rate(budget, || {
            black_box(decode_image(black_box(&png)).unwrap());
        }),
    );
    photographs(text.len());
}

/// Photographs of `codes` random codes of `length` characters, six each: how many read
/// back to the exact text, and how long the slowest took.
fn photographs(length: usize) {
    let codes: u64 = std::env::var("PROBITY_BENCH_PHOTO_CODES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(25);
    let (mut read, mut missed, mut slowest) = (0, Vec::new(), Duration::ZERO);
    for seed in 0..codes {
        let mut digits = photo::Lcg(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5);
        let mut text = String::from("PB1:");
        while text.len() < length {
            text.push(char::from(b'0' + ((digits.next() * 10.0) as u8).min(9)));
        }
        let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
            .unwrap();
        let drawn = to_image(&code, 6);
        for (name, degrees, scale, blur, noise) in photo::CAMERA_CASES {
            let jpeg = photo::jpeg(&photo::photograph(&drawn, degrees, scale, blur, noise));
            let start = Instant::now();
            let outcome = decode_image(&jpeg);
            slowest = slowest.max(start.elapsed());
            match outcome {
                Ok(found) if found == text => read += 1,
                _ => missed.push(format!("code {seed}, {name}")),
            }
        }
    }
    println!(
        "photographs read: {read} of {} ({codes} random codes, 6 photographs each); slowest read {:.0} ms",
        read + missed.len(),
        slowest.as_secs_f64() * 1e3
    );
    for miss in missed {
        println!("  not read: {miss}");
    }
}

fn report(name: &str, per_second: f64) {
    println!(
        "{name:<30}{per_second:>12.0} /s  ({:>9.1} µs)",
        1e6 / per_second
    );
}

fn rate(budget: Duration, mut op: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        op();
        n += 1;
    }
    n as f64 / start.elapsed().as_secs_f64()
}
