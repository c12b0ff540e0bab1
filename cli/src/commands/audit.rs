//! `probity audit verify`: checks an issuer node's audit log export.

use crate::exit;
use anyhow::Result;
use std::path::Path;

/// Largest export read.
const MAX_EXPORT_BYTES: u64 = 1 << 30;

/// Checks the chain; exit 0 when it holds, 1 naming the first broken entry.
pub fn verify(path: &Path) -> Result<i32> {
    let bytes = crate::input::read_capped(path, MAX_EXPORT_BYTES)?;
    let text = String::from_utf8_lossy(&bytes);
    match probity_issuer::audit::verify_export(&text) {
        Ok(n) => {
            super::print_line(&format!(
                "audit log verified: {n} entries, each chained to the one before"
            ))?;
            Ok(exit::OK)
        }
        Err(e) => {
            super::print_line(&format!("audit log BROKEN: {e}"))?;
            Ok(exit::NOT_VALID)
        }
    }
}
