//! `probity qr encode` and `probity qr decode`, and reading QR codes from photos.
//!
//! The payload is the compact encoding of the whole signed credential (SPEC.md §9), so
//! a code verifies with no network. Encoding uses error-correction level M, which
//! survives print wear and phone-screen glare while keeping the code small.

use crate::cli::{QrDecodeArgs, QrEncodeArgs};
use crate::exit;
use anyhow::{anyhow, bail, Context, Result};
use image::{GrayImage, Luma};
use probity_spec::compact;
use qrcode::{EcLevel, QrCode};
use serde_json::{json, Value};
use std::io::Cursor;
use std::path::Path;

/// Largest image width or height accepted, in pixels (a 50-megapixel photo is 8,660
/// pixels wide).
pub const MAX_IMAGE_SIDE: u32 = 12_000;
/// Largest image area accepted, in pixels.
pub const MAX_IMAGE_PIXELS: u64 = 64_000_000;

/// A credential as a QR code, with what a user wants to know about it.
pub struct EncodedQr {
    /// The code.
    pub code: QrCode,
    /// The text it carries.
    pub text: String,
    /// Bytes of the binary payload before it became digits.
    pub payload_bytes: usize,
}

/// Encodes a signed credential as a QR code at level M.
pub fn encode_credential(credential: &Value, verifier_url: Option<&str>) -> Result<EncodedQr> {
    let payload_bytes = compact::encode(credential)
        .context("cannot encode the credential compactly")?
        .len();
    let text = match verifier_url {
        Some(url) => compact::to_url(url, credential)?,
        None => compact::to_text(credential)?,
    };
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| anyhow!("the credential is too large for a QR code: {e}"))?;
    Ok(EncodedQr {
        code,
        text,
        payload_bytes,
    })
}

/// The QR version number (1 to 40).
pub fn version_number(code: &QrCode) -> i16 {
    match code.version() {
        qrcode::Version::Normal(v) | qrcode::Version::Micro(v) => v,
    }
}

/// Renders the code as a greyscale image: `scale` pixels per module and the four-module
/// quiet zone the QR standard requires.
pub fn to_image(code: &QrCode, scale: u32) -> GrayImage {
    let scale = scale.clamp(1, 64);
    let width = code.width() as u32;
    let quiet = 4;
    let side = (width + 2 * quiet) * scale;
    let colors = code.to_colors();
    GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x / scale, y / scale);
        let dark = mx >= quiet
            && my >= quiet
            && mx < quiet + width
            && my < quiet + width
            && colors[((my - quiet) * width + (mx - quiet)) as usize] == qrcode::Color::Dark;
        Luma([if dark { 0 } else { 255 }])
    })
}

/// The code as a standalone SVG document.
pub fn to_svg(code: &QrCode) -> String {
    code.render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build()
}

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

/// Finds a QR code in a PNG or JPEG image and returns its text.
///
/// The image's declared size is checked before any pixel is decoded, and decoding
/// runs under memory limits, so a hostile file cannot exhaust memory. Photos are
/// tried at their own size and at smaller sizes, which helps the finder with large,
/// noisy camera images.
pub fn decode_image(bytes: &[u8]) -> Result<String> {
    let reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .context("cannot read the image")?;
    let (width, height) = reader
        .into_dimensions()
        .context("cannot read the image's size")?;
    if width == 0 || height == 0 {
        bail!("the image is empty ({width}x{height})");
    }
    if width > MAX_IMAGE_SIDE
        || height > MAX_IMAGE_SIDE
        || u64::from(width) * u64::from(height) > MAX_IMAGE_PIXELS
    {
        bail!("the image is {width}x{height} pixels, over the {MAX_IMAGE_SIDE}-pixel side or {MAX_IMAGE_PIXELS}-pixel limit");
    }
    let mut reader = image::ImageReader::new(Cursor::new(bytes)).with_guessed_format()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_IMAGE_PIXELS * 4 + (64 << 20));
    reader.limits(limits);
    let image = reader
        .decode()
        .context("cannot decode the image")?
        .to_luma8();

    // The finder is sensitive to how many pixels a module spans and to edge noise, so
    // the picture is tried at several sizes, each as it is and lightly blurred (which
    // joins modules broken up by sensor noise or JPEG artefacts). The first size that
    // reads wins; an unreadable picture costs a few dozen milliseconds more.
    let side = width.max(height);
    let mut scales = vec![1.0f32];
    if side < 1600 {
        scales.extend([2.0, 1.5]);
    }
    if side > 600 {
        scales.extend([0.66, 0.5, 0.33]);
    }
    // Finer steps, for the rare code whose modules span so few pixels that the grid
    // aliases badly at every size above (measured on photos up to 1,000 pixels a side;
    // on larger pictures they would cost far more than they are known to help).
    if side < 1000 {
        scales.extend([1.25, 1.75, 0.8, 0.9, 2.5]);
    }
    let mut found_unreadable = false;
    for scale in scales {
        // One size at a time, so a large photo never has all its copies in memory.
        let resized = if scale == 1.0 {
            image.clone()
        } else {
            let (w, h) = (
                ((width as f32) * scale) as u32,
                ((height as f32) * scale) as u32,
            );
            if w < 21 || h < 21 {
                continue;
            }
            image::imageops::resize(&image, w, h, image::imageops::FilterType::Triangle)
        };
        for candidate in [resized.clone(), image::imageops::blur(&resized, 1.0)] {
            match scan(&candidate) {
                Scan::Found(text) => return Ok(text),
                Scan::Unreadable => found_unreadable = true,
                Scan::Nothing => {}
            }
        }
    }
    if found_unreadable {
        bail!("a QR code was found in the image but could not be read; try a sharper, straighter picture");
    }
    bail!("no QR code found in the image")
}

enum Scan {
    Found(String),
    Unreadable,
    Nothing,
}

fn scan(image: &GrayImage) -> Scan {
    let (w, h) = (image.width() as usize, image.height() as usize);
    // rqrr is a port of quirc and has had panics on odd input; a decoder fault must
    // become "not found" for this candidate, not a crash, so it runs under
    // catch_unwind with the panic message kept out of the user's terminal.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(|| {
        let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
            image.get_pixel(x as u32, y as u32)[0]
        });
        let grids = prepared.detect_grids();
        let mut unreadable = false;
        for grid in grids {
            match grid.decode() {
                Ok((_, text)) => return Scan::Found(text),
                Err(_) => unreadable = true,
            }
        }
        if unreadable {
            Scan::Unreadable
        } else {
            Scan::Nothing
        }
    });
    std::panic::set_hook(previous);
    outcome.unwrap_or(Scan::Nothing)
}
