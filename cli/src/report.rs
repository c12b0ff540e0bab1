//! Printing a verification report for people (`✓`/`✗` per check, then the verdict)
//! or for scripts (`--json`).
//!
//! Names, URLs and the messages quoting them come from the credential and the
//! documents around it, so both forms show every control or bidirectional character
//! escaped: a credential cannot redraw the report, or make it read as another.

use probity_spec::text::printable;
use probity_spec::verify::{CheckStatus, Report};
use std::fmt::Write;

/// The report as text a person reads. Every value from the documents, and every
/// check's sentence (which may quote them), is shown through `printable`, so not even
/// a line feed inside a holder's name can start a line of the report.
pub fn human(report: &Report) -> String {
    let mut out = String::new();
    let mut line = |label: &str, value: &str| {
        let _ = writeln!(out, "{label:<13}{}", printable(value));
    };
    if let Some(c) = &report.credential {
        if !report.is_valid() {
            line(
                "NOT VERIFIED: what follows is what the credential claims.",
                "",
            );
        }
        line("Credential", &c.credential_type);
        if let Some(holder) = &c.holder {
            line("Holder", holder);
        }
        if let Some(ip) = &c.ip_number {
            line("IP number", ip);
        }
        if let Some(track) = &c.track {
            line("Track", track);
        }
        if !c.applications.is_empty() {
            line("Applications", &c.applications.join(", "));
        }
        match (&c.issuer_name, &c.issuer) {
            (Some(name), Some(did)) => line("Issuer", &format!("{name} ({did})")),
            (None, Some(did)) => line("Issuer", did),
            _ => {}
        }
        if let Some(from) = &c.valid_from {
            let until = c.valid_until.as_deref().unwrap_or("no expiry");
            line("Valid", &format!("{from} to {until}"));
        }
        out.push('\n');
    }
    for check in &report.checks {
        let mark = match check.status {
            CheckStatus::Pass => "✓",
            CheckStatus::Fail => "✗",
            CheckStatus::Warn => "!",
            CheckStatus::Skip => "-",
        };
        let _ = writeln!(
            out,
            "  {mark} {:<14}{}",
            check.id.as_str(),
            printable(&check.message)
        );
    }
    let _ = writeln!(out, "\nVerdict: {}", report.verdict);
    out
}

/// The report as one JSON object.
pub fn json(report: &Report) -> String {
    let text = serde_json::to_string_pretty(report).unwrap_or_else(|_| String::from("{}"));
    probity_spec::text::json_for_terminal(&text).into_owned()
}
