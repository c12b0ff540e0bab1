//! `probity card`: a printable wallet card (ID-1 size, 85.6 × 54 mm) with the holder's
//! name, what they hold, the issuer, the dates and the QR code at 40 mm, the size
//! that scans reliably from print and from a phone screen.

use crate::cli::CardArgs;
use crate::exit;
use anyhow::{bail, Context, Result};
use font8x8::UnicodeFonts;
use image::{GrayImage, Luma};
use probity_spec::model::{self, CredentialKind};
use serde_json::Value;
use std::fmt::Write;

/// Card width in millimetres (ISO/IEC 7810 ID-1).
const WIDTH_MM: f64 = 85.6;
/// Card height in millimetres.
const HEIGHT_MM: f64 = 54.0;
/// Side of the QR code, quiet zone included, in millimetres.
const QR_MM: f64 = 40.0;
/// PNG resolution: 300 dots per inch.
const PX_PER_MM: f64 = 300.0 / 25.4;

/// What the card shows, in reading order.
struct CardText {
    title: String,
    holder: String,
    lines: Vec<String>,
}

fn card_text(credential: &Value) -> Result<CardText> {
    let kind =
        model::validate_value(credential).context("cannot make a card for this credential")?;
    let issuer = credential
        .get("issuer")
        .and_then(|i| i.get("name"))
        .and_then(Value::as_str)
        .or_else(|| model::issuer_id(credential))
        .unwrap_or_default()
        .to_owned();
    let date = |field: &str| {
        credential
            .get(field)
            .and_then(Value::as_str)
            .map(|s| s.get(..10).unwrap_or(s).to_owned())
    };
    let validity = match (date("validFrom"), date("validUntil")) {
        (Some(from), Some(until)) => format!("Valid {from} to {until}"),
        (Some(from), None) => format!("Valid from {from}"),
        _ => String::new(),
    };
    let (title, holder, mut lines) = match &kind {
        CredentialKind::IpCertificate(s) => (
            "POCUS Independent Practitioner".to_owned(),
            s.name.clone(),
            vec![
                format!("Track: {}", s.track.display_name()),
                format!("IP number: {}", s.ip_number),
            ],
        ),
        CredentialKind::SkillAttestation(s) => (
            "POCUS Skill Attestation".to_owned(),
            s.name.clone(),
            vec![
                format!("Applications: {}", s.applications.join(", ")),
                s.department.clone(),
            ],
        ),
        CredentialKind::Other(t) => (
            t.clone(),
            credential
                .pointer("/credentialSubject/name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            vec![],
        ),
    };
    lines.push(format!("Issuer: {issuer}"));
    if !validity.is_empty() {
        lines.push(validity);
    }
    lines.push("Scan the code to verify".to_owned());
    Ok(CardText {
        title,
        holder,
        lines,
    })
}

/// Breaks `text` into lines of at most `width` characters, at spaces where possible.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let needed = if line.is_empty() {
            word.chars().count()
        } else {
            line.chars().count() + 1 + word.chars().count()
        };
        if needed > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.chars().count() > width {
            let head: String = line.chars().take(width).collect();
            let tail: String = line.chars().skip(width).collect();
            lines.push(head);
            line = tail;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn svg(text: &CardText, code: &qrcode::QrCode) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH_MM}mm" height="{HEIGHT_MM}mm" viewBox="0 0 {WIDTH_MM} {HEIGHT_MM}" font-family="Helvetica, Arial, sans-serif">
<rect x="0.25" y="0.25" width="{w}" height="{h}" rx="3" fill="#ffffff" stroke="#1f4e79" stroke-width="0.5"/>
<rect x="0.5" y="0.5" width="{bar}" height="6" rx="2.5" fill="#1f4e79"/>
"##,
        w = WIDTH_MM - 0.5,
        h = HEIGHT_MM - 0.5,
        bar = WIDTH_MM - 1.0
    );
    let _ = writeln!(
        out,
        r##"<text x="3" y="4.6" font-size="3" font-weight="bold" fill="#ffffff">{}</text>"##,
        escape(&text.title)
    );
    let mut y = 12.0;
    for line in wrap(&text.holder, 18) {
        let _ = writeln!(
            out,
            r##"<text x="3" y="{y:.1}" font-size="3.6" font-weight="bold" fill="#111111">{}</text>"##,
            escape(&line)
        );
        y += 4.4;
    }
    y += 1.0;
    for (i, item) in text.lines.iter().enumerate() {
        let last = i + 1 == text.lines.len();
        let size = if last { 2.0 } else { 2.5 };
        for line in wrap(item, if last { 34 } else { 27 }) {
            let _ = writeln!(
                out,
                r##"<text x="3" y="{y:.1}" font-size="{size}" fill="#333333">{}</text>"##,
                escape(&line)
            );
            y += size + 0.8;
        }
    }
    // The QR code: one path, one unit square per dark module, scaled to 40 mm.
    let width = code.width();
    let modules = width + 8;
    let module_mm = QR_MM / modules as f64;
    let (qx, qy) = (WIDTH_MM - QR_MM - 1.5, HEIGHT_MM - QR_MM - 1.5);
    let _ = write!(
        out,
        r##"<rect x="{qx:.3}" y="{qy:.3}" width="{QR_MM}" height="{QR_MM}" fill="#ffffff"/><path transform="translate({tx:.4} {ty:.4}) scale({module_mm:.5})" fill="#000000" d=""##,
        tx = qx + 4.0 * module_mm,
        ty = qy + 4.0 * module_mm
    );
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let _ = write!(out, "M{} {}h1v1h-1z", i % width, i / width);
        }
    }
    out.push_str("\"/>\n</svg>\n");
    out
}

fn draw_text(img: &mut GrayImage, x: u32, y: u32, text: &str, scale: u32, shade: u8) {
    for (i, ch) in text.chars().enumerate() {
        let glyph = font8x8::BASIC_FONTS
            .get(ch)
            .or_else(|| font8x8::LATIN_FONTS.get(ch))
            .unwrap_or([0; 8]);
        for (row, bits) in glyph.iter().enumerate() {
            for col in 0..8 {
                if bits >> col & 1 == 1 {
                    for dy in 0..scale {
                        for dx in 0..scale {
                            let px = x + (i as u32 * 8 + col) * scale + dx;
                            let py = y + row as u32 * scale + dy;
                            if px < img.width() && py < img.height() {
                                img.put_pixel(px, py, Luma([shade]));
                            }
                        }
                    }
                }
            }
        }
    }
}

fn png(text: &CardText, code: &qrcode::QrCode) -> GrayImage {
    let px = |mm: f64| (mm * PX_PER_MM).round() as u32;
    let mut img = GrayImage::from_pixel(px(WIDTH_MM), px(HEIGHT_MM), Luma([255]));
    for y in 0..px(6.5) {
        for x in 0..img.width() {
            img.put_pixel(x, y, Luma([60]));
        }
    }
    draw_text(&mut img, px(3.0), px(1.8), &text.title, 3, 255);
    let mut y = px(9.0);
    for line in wrap(&text.holder, 19) {
        draw_text(&mut img, px(3.0), y, &line, 3, 0);
        y += 30;
    }
    y += 12;
    for item in &text.lines {
        for line in wrap(item, 28) {
            draw_text(&mut img, px(3.0), y, &line, 2, 40);
            y += 22;
        }
    }
    let modules = code.width() as u32 + 8;
    let scale = (px(QR_MM) / modules).max(1);
    let qr = probity_verifier::qr::to_image(code, scale);
    let (qx, qy) = (
        img.width() - qr.width() - px(1.5),
        img.height() - qr.height() - px(1.5),
    );
    image::imageops::overlay(&mut img, &qr, i64::from(qx), i64::from(qy));
    img
}

/// Runs `probity card`.
pub fn run(args: &CardArgs) -> Result<i32> {
    let credential = crate::input::read_json(&args.credential)?;
    if credential.get("proof").is_none() {
        bail!(
            "{} has no proof; only signed credentials go on a card",
            crate::input::display(&args.credential)
        );
    }
    let text = card_text(&credential)?;
    let qr = probity_verifier::qr::encode_credential(&credential, args.verifier_url.as_deref())?;
    match super::qr::extension(&args.out).as_str() {
        "svg" => std::fs::write(&args.out, svg(&text, &qr.code)),
        "png" => png(&text, &qr.code)
            .save_with_format(&args.out, image::ImageFormat::Png)
            .map_err(std::io::Error::other),
        other => bail!(
            "{}: cannot write .{other} cards; use .svg or .png",
            args.out.display()
        ),
    }
    .with_context(|| format!("cannot write {}", args.out.display()))?;
    super::note(&format!(
        "wrote {} (QR version {}, {} mm)",
        args.out.display(),
        probity_verifier::qr::version_number(&qr.code),
        QR_MM
    ));
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_splits_long_words() {
        assert_eq!(
            wrap("Canadian Point of Care Ultrasound Society", 20),
            ["Canadian Point of", "Care Ultrasound", "Society"]
        );
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert!(wrap("", 5).is_empty());
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("A&B <x> \"q\""), "A&amp;B &lt;x&gt; &quot;q&quot;");
    }
}
