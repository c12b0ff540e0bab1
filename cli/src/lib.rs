//! The `probity` command's library: argument definitions, commands, and the small
//! pieces of I/O (files, HTTP, images) that sit around the pure `probity-spec` core.
#![forbid(unsafe_code)]

pub mod card;
pub mod cli;
pub mod commands;
pub mod input;
pub mod logging;
pub mod node_client;
pub mod report;

/// Exit codes. Scripts can rely on these.
pub mod exit {
    /// Success; for `verify`, the verdict is `VALID`.
    pub const OK: i32 = 0;
    /// `verify` ran and the verdict is anything but `VALID`; for a verification
    /// receipt, the receipt is not genuine.
    pub const NOT_VALID: i32 = 1;
    /// The input could not be read, or the flags are wrong.
    pub const USAGE: i32 = 2;
    /// `verify` of a verification receipt: it is genuine, but the node that signed it
    /// is not pinned with `--trust-verifier`.
    pub const SIGNER_NOT_PINNED: i32 = 3;
}

/// Runs one parsed command line and returns the process exit code.
pub fn run(cli: cli::Cli) -> anyhow::Result<i32> {
    commands::dispatch(cli)
}
