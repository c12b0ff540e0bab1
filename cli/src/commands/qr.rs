//! `probity qr encode` and `probity qr decode`. The QR machinery itself (encoding,
//! reading codes from photos) is `probity_verifier::qr`, shared with the verifier node.
//!
//! The payload is the compact encoding of the whole signed credential (SPEC.md §9), so
//! a code verifies with no network.

use crate::cli::{QrDecodeArgs, QrEncodeArgs};
use crate::exit;
use anyhow::{bail, Context, Result};
use probity_verifier::qr::{encode_credential, to_image, to_svg, version_number};
use qrcode::QrCode;
use serde_json::{json, Value};
use std::path::Path;

/// Runs `probity qr encode`.
pub fn encode(args: &QrEncodeArgs) -> Result<i32> {
    let credential = crate::input::read_json(&args.credential)?;
    if credential.get("proof").is_none() {
        tracing::warn!(
            "{} has no proof: the code will carry it, but nothing will verify it",
            crate::input::display(&args.credential)
        );
    }
    let qr = encode_credential(&credential, args.verifier_url.as_deref())?;
    match &args.out {
        Some(path) => write_image(path, &qr.code, args.scale)?,
        None if !args.json => {
            let art = qr
                .code
                .render::<qrcode::render::unicode::Dense1x2>()
                .dark_color(qrcode::render::unicode::Dense1x2::Light)
                .light_color(qrcode::render::unicode::Dense1x2::Dark)
                .quiet_zone(true)
                .build();
            super::print_line(&art)?;
        }
        None => {}
    }
    let version = version_number(&qr.code);
    if args.json {
        let report = json!({
            "version": version,
            "errorCorrection": "M",
            "modules": qr.code.width(),
            "payloadBytes": qr.payload_bytes,
            "textLength": qr.text.chars().count(),
            "out": args.out.as_ref().map(|p| p.display().to_string()),
        });
        super::print_line(&serde_json::to_string_pretty(&report)?)?;
    } else {
        super::note(&format!(
            "QR version {version} ({0}x{0} modules), error correction M, payload {1} bytes as {2} characters",
            qr.code.width(),
            qr.payload_bytes,
            qr.text.len()
        ));
        if let Some(path) = &args.out {
            super::note(&format!("wrote {}", path.display()));
        }
    }
    Ok(exit::OK)
}

/// Writes `code` as a PNG (`scale` pixels a module) or SVG, chosen by extension.
pub fn write_image(path: &Path, code: &QrCode, scale: u32) -> Result<()> {
    match extension(path).as_str() {
        "svg" => std::fs::write(path, to_svg(code))
            .with_context(|| format!("cannot write {}", path.display())),
        "png" => to_image(code, scale)
            .save_with_format(path, image::ImageFormat::Png)
            .with_context(|| format!("cannot write {}", path.display())),
        other => bail!(
            "{}: cannot write .{other} files; use .png or .svg",
            path.display()
        ),
    }
}

/// The lower-case file extension.
pub fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Runs `probity qr decode`.
pub fn decode(args: &QrDecodeArgs) -> Result<i32> {
    let (bytes, source) = crate::input::load_credential(&args.input)?;
    let value: Value =
        serde_json::from_slice(&bytes).context("the decoded credential is not JSON")?;
    // A QR code that carries no proof carries nothing a verifier could trust.
    if value.get("proof").is_none() && source != crate::input::Source::Json {
        bail!("the QR code decoded, but holds no proof");
    }
    super::write_output(args.out.as_deref(), &super::pretty(&value)?)?;
    Ok(exit::OK)
}
