//! QR throughput: the compact payload (encode, decode) and the image path (render a
//! PNG-sized code, find and read it), for the reference IP certificate.
//!
//! Run with `cargo bench -p probity --bench qr`.

use probity::commands::qr::{decode_image, encode_credential, to_image, version_number};
use probity_spec::compact;
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
