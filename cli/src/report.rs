//! Printing a verification report for people (`✓`/`✗` per check, then the verdict)
//! or for scripts (`--json`).

use probity_spec::verify::{CheckStatus, Report};
use std::fmt::Write;

/// The report as text a person reads.
pub fn human(report: &Report) -> String {
    let mut out = String::new();
    if let Some(c) = &report.credential {
        if !report.is_valid() {
            let _ = writeln!(
                out,
                "NOT VERIFIED: what follows is what the credential claims."
            );
        }
        let _ = writeln!(out, "Credential   {}", c.credential_type);
        if let Some(holder) = &c.holder {
            let _ = writeln!(out, "Holder       {holder}");
        }
        if let Some(ip) = &c.ip_number {
            let _ = writeln!(out, "IP number    {ip}");
        }
        if let Some(track) = &c.track {
            let _ = writeln!(out, "Track        {track}");
        }
        if !c.applications.is_empty() {
            let _ = writeln!(out, "Applications {}", c.applications.join(", "));
        }
        match (&c.issuer_name, &c.issuer) {
            (Some(name), Some(did)) => {
                let _ = writeln!(out, "Issuer       {name} ({did})");
            }
            (None, Some(did)) => {
                let _ = writeln!(out, "Issuer       {did}");
            }
            _ => {}
        }
        if let Some(from) = &c.valid_from {
            let until = c.valid_until.as_deref().unwrap_or("no expiry");
            let _ = writeln!(out, "Valid        {from} to {until}");
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
        let _ = writeln!(out, "  {mark} {:<14}{}", check.id.as_str(), check.message);
    }
    let _ = writeln!(out, "\nVerdict: {}", report.verdict);
    out
}

/// The report as one JSON object.
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|_| String::from("{}"))
}
