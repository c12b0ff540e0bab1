//! One file per command. Each takes its parsed arguments and returns an exit code.

pub mod audit;
pub mod card;
pub mod demo;
pub mod federation;
pub mod import;
pub mod issue;
pub mod issuer;
pub mod issuer_status;
pub mod key;
pub mod qr;
pub mod sign;
pub mod verifier;
pub mod verify;
pub mod verify_receipt;

use crate::cli::{
    AuditCommand, Cli, Command, IssueCommand, IssuerCommand, IssuerTokenCommand, KeyCommand,
    QrCommand, VerifierCommand,
};
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
        Command::Demo(args) => demo::run(&args),
        Command::Verifier(VerifierCommand::Serve(args)) => verifier::serve(&args),
        Command::Federation(command) => federation::run(command),
        Command::Issuer(IssuerCommand::Init(args)) => issuer::init(&args),
        Command::Issuer(IssuerCommand::Token(IssuerTokenCommand::Create { dir, role })) => {
            issuer::token_create(&dir, role)
        }
        Command::Issuer(IssuerCommand::Serve(args)) => issuer::serve(&args),
        Command::Issuer(IssuerCommand::Revoke(args)) => issuer_status::run(&args, "revoke"),
        Command::Issuer(IssuerCommand::Suspend(args)) => issuer_status::run(&args, "suspend"),
        Command::Issuer(IssuerCommand::Reinstate(args)) => issuer_status::run(&args, "reinstate"),
        Command::Issuer(IssuerCommand::Import(args)) => import::run(&args),
        Command::Audit(AuditCommand::Verify { file }) => audit::verify(&file),
    }
}

/// Writes `contents` to `out`, or to stdout when `out` is `None`.
pub fn write_output(out: Option<&Path>, contents: &[u8]) -> Result<()> {
    match out {
        Some(path) => std::fs::write(path, contents)
            .with_context(|| format!("cannot write {}", path.display())),
        None => print(contents),
    }
}

/// Writes to stdout. A reader that closes the pipe early (`| head`, `| grep -m1`) has
/// taken what it wanted: that is not an error, and the command keeps its exit code,
/// so `probity verify … | head -1` still exits by the verdict. (`println!` would panic.)
pub fn print(contents: impl AsRef<[u8]>) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(contents.as_ref())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

/// Writes a line for the person at the terminal to standard error. A closed or broken
/// standard error is not a reason to fail (or panic, as `eprintln!` does): the line is
/// dropped and the command's own outcome stands.
///
/// Errors and notes quote what documents and flags hold, so every control or
/// bidirectional character in them is shown escaped (`probity_spec::text`).
pub fn note(text: &str) {
    let text = probity_spec::text::printable_lines(text);
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// [`print`] with a final newline.
pub fn print_line(text: &str) -> Result<()> {
    print(format!("{text}\n"))
}

/// A document as pretty JSON with a final newline. Characters JSON allows raw but a
/// terminal would act on (C1 controls, bidirectional overrides) are written as `\u`
/// escapes: the same JSON value, safe to print.
pub fn pretty(value: &serde_json::Value) -> Result<Vec<u8>> {
    let text = serde_json::to_string_pretty(value)?;
    let mut bytes = probity_spec::text::json_for_terminal(&text)
        .into_owned()
        .into_bytes();
    bytes.push(b'\n');
    Ok(bytes)
}

/// Prints text we composed around values taken from files, with every control or
/// bidirectional character in those values shown escaped.
pub fn print_text(text: &str) -> Result<()> {
    print(probity_spec::text::printable_lines(text).as_bytes())
}
