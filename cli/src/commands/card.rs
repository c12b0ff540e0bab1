//! `probity card`: a printable wallet card (ID-1, 85.6 × 54 mm) with the issuer, the
//! holder, the credential, its IP number and track (or applications), modules, dates
//! and the QR code at 40 mm. Drawn once as SVG ([`crate::card`]) and written as SVG,
//! PNG or PDF, which all look the same.

use crate::card::{self, CardText};
use crate::cli::{CardArgs, CardFormat};
use crate::exit;
use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::path::Path;

/// Runs `probity card`.
pub fn run(args: &CardArgs) -> Result<i32> {
    let credential = crate::input::read_json(&args.credential)?;
    if credential.get("proof").is_none() {
        bail!(
            "{} has no proof; only signed credentials go on a card",
            crate::input::display(&args.credential)
        );
    }
    let format = match args.format {
        Some(format) => format,
        None => format_of(&args.out)?,
    };
    let version = write(&credential, &args.out, format, args.verifier_url.as_deref())?;
    super::note(&format!(
        "wrote {} (QR version {version}, 40 mm{})",
        args.out.display(),
        if args.verifier_url.is_some() {
            ", a link to the verifier page"
        } else {
            ""
        }
    ));
    Ok(exit::OK)
}

/// The format an output file's extension names.
fn format_of(out: &Path) -> Result<CardFormat> {
    match super::qr::extension(out).as_str() {
        "svg" => Ok(CardFormat::Svg),
        "png" => Ok(CardFormat::Png),
        "pdf" => Ok(CardFormat::Pdf),
        other => bail!(
            "{}: cannot tell the card's format from .{other}; name a .svg, .png or .pdf file, or give --format",
            out.display()
        ),
    }
}

/// Draws the card of a signed `credential` and writes it to `out`; with a
/// `verifier_url`, its QR code is a link that opens that verifier's page. Returns the
/// QR version. `probity demo` writes its cards through this too.
pub fn write(
    credential: &Value,
    out: &Path,
    format: CardFormat,
    verifier_url: Option<&str>,
) -> Result<i16> {
    let text = CardText::from_credential(credential)?;
    let qr = probity_verifier::qr::encode_credential(credential, verifier_url)?;
    let svg = card::svg(&text, &qr.code)?;
    let bytes = match format {
        CardFormat::Svg => svg.into_bytes(),
        CardFormat::Png => card::png(&svg)?,
        CardFormat::Pdf => card::pdf(&svg)?,
    };
    std::fs::write(out, bytes).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(probity_verifier::qr::version_number(&qr.code))
}
