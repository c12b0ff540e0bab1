//! QR codes that carry a whole signed credential (SPEC.md §9): encoding one, and
//! reading one back from an untrusted photo or screenshot.
//!
//! Reading is safe to run on many threads at once (a verifier node decodes uploads
//! concurrently): it touches no process-wide state, refuses an image by its declared
//! size before decoding a pixel, decodes under memory limits, and gives up after a
//! time budget, so no picture can hold a verification for more than a few seconds.

use image::{GrayImage, Luma};
use probity_spec::compact;
use qrcode::{EcLevel, QrCode};
use serde_json::Value;
use std::cell::Cell;
use std::io::Cursor;
use std::time::{Duration, Instant};

/// Largest image width or height accepted, in pixels.
pub const MAX_IMAGE_SIDE: u32 = 8_192;
/// Largest image area accepted, in pixels: a 16-megapixel photo. Phone cameras save
/// 12 megapixels by default; a larger picture is refused before it is decoded, since
/// decoding and searching it would take longer than a person should wait.
pub const MAX_IMAGE_PIXELS: u64 = 16_777_216;
/// How long the search for a code may take before it gives up.
pub const SEARCH_BUDGET: Duration = Duration::from_secs(3);

/// Why no credential text came out of an image or a credential did not become a code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QrError {
    /// The bytes are not a PNG or JPEG image that could be read.
    #[error("cannot read the image: {0}")]
    Image(String),
    /// The image is larger than Probity decodes.
    #[error("the image is {width}x{height} pixels, over the limit of {MAX_IMAGE_SIDE} pixels a side and {MAX_IMAGE_PIXELS} pixels in all; send a smaller picture of the code")]
    TooLarge {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
    },
    /// The image has no pixels.
    #[error("the image is empty ({width}x{height})")]
    Empty {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
    },
    /// A code was seen but could not be read.
    #[error(
        "a QR code was found in the image but could not be read; try a sharper, straighter picture"
    )]
    Unreadable,
    /// No code was seen.
    #[error("no QR code found in the image")]
    NotFound,
    /// The search ran out of time.
    #[error("no QR code could be read within {} seconds; try a smaller, sharper picture of the code", SEARCH_BUDGET.as_secs())]
    OutOfTime,
    /// The credential could not be encoded compactly.
    #[error("cannot encode the credential compactly: {0}")]
    Encode(#[from] compact::CompactError),
    /// The credential is too large for a QR code.
    #[error("the credential is too large for a QR code: {0}")]
    TooLargeForCode(String),
}

/// A credential as a QR code, with what a user wants to know about it.
pub struct EncodedQr {
    /// The code.
    pub code: QrCode,
    /// The text it carries.
    pub text: String,
    /// Bytes of the binary payload before it became digits.
    pub payload_bytes: usize,
}

/// Encodes a signed credential as a QR code at error-correction level M, which
/// survives print wear and phone-screen glare while keeping the code small. With a
/// verifier page's address the code carries the link form, which a phone camera opens.
pub fn encode_credential(
    credential: &Value,
    verifier_url: Option<&str>,
) -> Result<EncodedQr, QrError> {
    let payload_bytes = compact::encode(credential)?.len();
    let text = match verifier_url {
        Some(url) => compact::to_url(url, credential)?,
        None => compact::to_text(credential)?,
    };
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| QrError::TooLargeForCode(e.to_string()))?;
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

/// Whether these bytes start like a PNG or JPEG file.
pub fn is_image(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG\r\n\x1a\n") || bytes.starts_with(&[0xff, 0xd8, 0xff])
}

/// Finds a QR code in a PNG or JPEG image and returns its text.
///
/// The image's declared size is checked before any pixel is decoded, decoding runs
/// under memory limits, and the search stops after [`SEARCH_BUDGET`]. Photos are tried
/// at their own size and at other sizes, which helps the finder with large, noisy
/// camera images and with codes whose modules span few pixels.
pub fn decode_image(bytes: &[u8]) -> Result<String, QrError> {
    let started = Instant::now();
    let image_error = |e: image::ImageError| QrError::Image(e.to_string());
    let reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| QrError::Image(e.to_string()))?;
    let (width, height) = reader.into_dimensions().map_err(image_error)?;
    if width == 0 || height == 0 {
        return Err(QrError::Empty { width, height });
    }
    if width > MAX_IMAGE_SIDE
        || height > MAX_IMAGE_SIDE
        || u64::from(width) * u64::from(height) > MAX_IMAGE_PIXELS
    {
        return Err(QrError::TooLarge { width, height });
    }
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| QrError::Image(e.to_string()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_IMAGE_PIXELS * 4 + (64 << 20));
    reader.limits(limits);
    let image = reader.decode().map_err(image_error)?.to_luma8();

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
        if started.elapsed() > SEARCH_BUDGET {
            return Err(QrError::OutOfTime);
        }
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
        Err(QrError::Unreadable)
    } else {
        Err(QrError::NotFound)
    }
}

enum Scan {
    Found(String),
    Unreadable,
    Nothing,
}

thread_local! {
    /// Set while this thread runs the QR decoder, so that the panic hook installed by
    /// [`quiet_decoder_panics`] keeps a decoder fault out of the terminal.
    static DECODING: Cell<bool> = const { Cell::new(false) };
}

/// Installs, once per process, a panic hook that stays silent for a panic raised
/// inside the QR decoder (which [`decode_image`] catches and reports as "not found")
/// and passes every other panic to the hook that was there before. Binaries call it at
/// start-up; the decoder itself never touches the hook, so concurrent decodes cannot
/// race over it. Without it a decoder fault still becomes an error, with the panic's
/// message printed by the default hook.
pub fn quiet_decoder_panics() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !DECODING.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Resets the thread's decoding mark however the decoder ends.
struct DecodingMark;

impl DecodingMark {
    fn set() -> Self {
        DECODING.with(|d| d.set(true));
        DecodingMark
    }
}

impl Drop for DecodingMark {
    fn drop(&mut self) {
        DECODING.with(|d| d.set(false));
    }
}

fn scan(image: &GrayImage) -> Scan {
    let (w, h) = (image.width() as usize, image.height() as usize);
    // rqrr is a port of quirc and has had panics on odd input; a decoder fault must
    // become "not found" for this candidate, not a crash.
    let _mark = DecodingMark::set();
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
    outcome.unwrap_or(Scan::Nothing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_of(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        image::GrayImage::from_pixel(width, height, Luma([255]))
            .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
            .unwrap();
        bytes
    }

    /// A PNG that declares `width`x`height` pixels but holds next to nothing: what a
    /// hostile upload looks like (a 63 KB file of 8000x8000 pixels took 13 seconds to
    /// refuse before the declared size was checked first).
    fn png_declaring(width: u32, height: u32) -> Vec<u8> {
        fn crc32(bytes: &[u8]) -> u32 {
            let mut crc = !0u32;
            for &b in bytes {
                crc ^= u32::from(b);
                for _ in 0..8 {
                    crc = if crc & 1 == 1 {
                        (crc >> 1) ^ 0xedb8_8320
                    } else {
                        crc >> 1
                    };
                }
            }
            !crc
        }
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend_from_slice(&13u32.to_be_bytes());
        png.extend_from_slice(&ihdr);
        png.extend_from_slice(&crc32(&ihdr).to_be_bytes());
        png.extend_from_slice(&0u32.to_be_bytes());
        png.extend_from_slice(b"IDAT");
        png.extend_from_slice(&crc32(b"IDAT").to_be_bytes());
        png.extend_from_slice(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xae, 0x42, 0x60, 0x82]);
        png
    }

    #[test]
    fn a_huge_image_is_refused_by_its_declared_size_before_decoding() {
        for (w, h) in [(8_000, 8_000), (9_000, 10), (5_000, 4_000)] {
            let outcome = decode_image(&png_declaring(w, h));
            assert!(
                matches!(outcome, Err(QrError::TooLarge { width, height }) if (width, height) == (w, h)),
                "{w}x{h}: {outcome:?}"
            );
        }
        // Within the limits, the same header is read and decoding is attempted.
        assert!(matches!(
            decode_image(&png_declaring(4_000, 3_000)),
            Err(QrError::Image(_))
        ));
    }

    #[test]
    fn decoding_on_many_threads_at_once_reads_every_code() {
        quiet_decoder_panics();
        let credential = serde_json::json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": "did:example:issuer",
            "credentialSubject": {"name": "Dr. Amelia Okafor"}
        });
        let qr = encode_credential(&credential, None).unwrap();
        let mut png = Vec::new();
        to_image(&qr.code, 2)
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        // Small pictures, so that even an unoptimised build searches them well
        // within the time budget.
        let blank = png_of(64, 64);
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..6)
                .map(|i| {
                    let (png, blank) = (&png, &blank);
                    s.spawn(move || {
                        if i % 2 == 0 {
                            decode_image(png).map_err(|e| e.to_string())
                        } else {
                            decode_image(blank).map_err(|e| e.to_string())
                        }
                    })
                })
                .collect();
            for (i, h) in handles.into_iter().enumerate() {
                let outcome = h.join().unwrap();
                if i % 2 == 0 {
                    assert_eq!(outcome.unwrap(), qr.text);
                } else {
                    assert_eq!(outcome.unwrap_err(), "no QR code found in the image");
                }
            }
        });
    }

    #[test]
    fn garbage_is_not_an_image() {
        assert!(matches!(
            decode_image(b"\x89PNG\r\n\x1a\nnonsense"),
            Err(QrError::Image(_))
        ));
        assert!(!is_image(b"{\"a\": 1}"));
    }
}
