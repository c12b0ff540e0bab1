//! `probity qr encode` and `probity qr decode` (being written).

use crate::cli::{QrDecodeArgs, QrEncodeArgs};
use anyhow::{bail, Result};

/// Finds a QR code in a PNG or JPEG image and returns its text.
pub fn decode_image(_bytes: &[u8]) -> Result<String> {
    bail!("reading QR images is not built yet")
}

/// Runs `probity qr encode`.
pub fn encode(_args: &QrEncodeArgs) -> Result<i32> {
    bail!("not built yet")
}

/// Runs `probity qr decode`.
pub fn decode(_args: &QrDecodeArgs) -> Result<i32> {
    bail!("not built yet")
}
