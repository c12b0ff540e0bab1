//! One file per command. Each takes its parsed arguments and returns an exit code.

pub mod card;
pub mod issue;
pub mod key;
pub mod qr;
pub mod sign;
pub mod verify;

use crate::cli::{Cli, Command, IssueCommand, KeyCommand, QrCommand};
use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;

/// Runs the parsed command.
pub fn dispatch(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Key(KeyCommand::New {
            out,
            force,
            controller,
            id,
            json,
        }) => key::new(&out, force, controller, id, json),
        Command::Key(KeyCommand::Show { file, json }) => key::show(&file, json),
        Command::Sign(args) => sign::run(&args),
        Command::Issue(IssueCommand::IpCertificate(args)) => issue::ip_certificate(&args),
        Command::Issue(IssueCommand::Attestation(args)) => issue::attestation(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Qr(QrCommand::Encode(args)) => qr::encode(&args),
        Command::Qr(QrCommand::Decode(args)) => qr::decode(&args),
        Command::Card(args) => card::run(&args),
    }
}

/// Writes `contents` to `out`, or to stdout when `out` is `None`.
pub fn write_output(out: Option<&Path>, contents: &[u8]) -> Result<()> {
    match out {
        Some(path) => std::fs::write(path, contents)
            .with_context(|| format!("cannot write {}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(contents)?;
            stdout.flush()?;
            Ok(())
        }
    }
}

/// A signed document as pretty JSON with a final newline.
pub fn pretty(value: &serde_json::Value) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value)?;
    bytes.push(b'\n');
    Ok(bytes)
}
