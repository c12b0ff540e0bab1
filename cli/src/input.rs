//! Reading what the user points at: a JSON file, stdin, a QR payload or verifier URL,
//! or an image of a QR code. Reads are capped just past the document limit so a
//! huge input is refused without being loaded.

use anyhow::{bail, Context, Result};
use probity_spec::{compact, json::MAX_DOCUMENT_BYTES};
use probity_verifier::qr;
use std::io::Read;
use std::path::Path;

/// Largest image file read.
pub const MAX_IMAGE_BYTES: u64 = 32 << 20;

/// Reads a file (or stdin for `-`) of at most `limit` bytes. A larger input is
/// refused after reading one byte past the limit, so it is never loaded whole.
pub fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
    } else {
        std::fs::File::open(path)
            .with_context(|| format!("cannot open {}", path.display()))?
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {}", path.display()))?;
    }
    if bytes.len() as u64 > limit {
        bail!(
            "{} is over the {limit}-byte limit for this input",
            display(path)
        );
    }
    Ok(bytes)
}

/// Reads a JSON document from a file or stdin; errors name the file and the fault.
pub fn read_json(path: &Path) -> Result<serde_json::Value> {
    let bytes = read_capped(path, MAX_DOCUMENT_BYTES as u64)?;
    probity_spec::json::parse_strict(&bytes)
        .with_context(|| format!("{} is not usable JSON", display(path)))
}

/// A path for messages; `-` reads as "standard input".
pub fn display(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    }
}

/// Where a credential came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A JSON document.
    Json,
    /// A QR payload or verifier link.
    Payload,
    /// An image of a QR code.
    Image,
}

/// Loads the credential the user named (see `probity verify --help`) and returns its
/// JSON bytes, unparsed, so that `verify` judges them itself.
pub fn load_credential(input: &str) -> Result<(Vec<u8>, Source)> {
    if compact::is_text(input) && !Path::new(input).exists() {
        return Ok((payload_to_json(input)?, Source::Payload));
    }
    let path = Path::new(input);
    if input != "-" && !path.exists() {
        bail!(
            "{input}: no such file, and not a QR payload (which starts with {})",
            compact::TEXT_PREFIX
        );
    }
    let bytes = read_capped(path, MAX_IMAGE_BYTES)?;
    if qr::is_image(&bytes) {
        let text = qr::decode_image(&bytes).with_context(|| display(path))?;
        return Ok((payload_to_json(&text)?, Source::Image));
    }
    if let Ok(text) = std::str::from_utf8(&bytes) {
        if compact::is_text(text) {
            return Ok((payload_to_json(text)?, Source::Payload));
        }
    }
    Ok((bytes, Source::Json))
}

/// Rebuilds the signed credential from a payload and writes it as JSON bytes.
pub fn payload_to_json(text: &str) -> Result<Vec<u8>> {
    let value = compact::from_text(text).context("cannot decode the QR payload")?;
    Ok(serde_json::to_vec(&value)?)
}
