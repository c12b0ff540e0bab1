//! Logging through `tracing`, to stderr so that stdout stays clean for `--json` and
//! signed documents. `RUST_LOG` overrides the level chosen by `-v`/`-q`.

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Installs the subscriber: warnings by default, `-v` for info, `-vv` for debug.
pub fn init(verbose: u8, quiet: bool) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .try_init();
}
