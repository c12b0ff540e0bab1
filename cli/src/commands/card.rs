//! `probity card` (being written).

use crate::cli::CardArgs;
use anyhow::{bail, Result};

/// Runs `probity card`.
pub fn run(_args: &CardArgs) -> Result<i32> {
    bail!("not built yet")
}
