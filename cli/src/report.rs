//! Printing a verification report for people (`✓`/`✗` per check, then the verdict)
//! or for scripts (`--json`).
//!
//! Names, URLs and the messages quoting them come from the credential and the
//! documents around it, so both forms show every control or bidirectional character
//! escaped: a credential cannot redraw the report, or make it read as another.

use probity_spec::text::printable;
use probity_spec::verify::Report;
use serde_json::Value;
use std::fmt::Write;

/// The report as text a person reads.
pub fn human(report: &Report) -> String {
    human_from_json(&serde_json::to_value(report).unwrap_or_default())
}

/// A report in its JSON form (§8.11, as `--json` prints it and a verifier node
/// answers) as text a person reads. Every value from the documents, and every check's
/// sentence (which may quote them), is shown through `printable`, so not even a line
/// feed inside a holder's name can start a line of the report.
pub fn human_from_json(report: &Value) -> String {
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    let verdict = text(report, "verdict").unwrap_or_else(|| "UNKNOWN".to_owned());
    let mut out = String::new();
    let mut line = |label: &str, value: &str| {
        let _ = writeln!(out, "{label:<13}{}", printable(value));
    };
    if let Some(c) = report.get("credential").filter(|c| c.is_object()) {
        if verdict != "VALID" {
            line(
                "NOT VERIFIED: what follows is what the credential claims.",
                "",
            );
        }
        line("Credential", &text(c, "credentialType").unwrap_or_default());
        for (label, key) in [
            ("Holder", "holder"),
            ("IP number", "ipNumber"),
            ("Track", "track"),
        ] {
            if let Some(value) = text(c, key) {
                line(label, &value);
            }
        }
        let applications: Vec<&str> = c
            .get("applications")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if !applications.is_empty() {
            line("Applications", &applications.join(", "));
        }
        match (text(c, "issuerName"), text(c, "issuer")) {
            (Some(name), Some(did)) => line("Issuer", &format!("{name} ({did})")),
            (None, Some(did)) => line("Issuer", &did),
            _ => {}
        }
        if let Some(from) = text(c, "validFrom") {
            let until = text(c, "validUntil").unwrap_or_else(|| "no expiry".to_owned());
            line("Valid", &format!("{from} to {until}"));
        }
        out.push('\n');
    }
    for check in report
        .get("checks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let mark = match check.get("status").and_then(Value::as_str) {
            Some("pass") => "✓",
            Some("fail") => "✗",
            Some("warn") => "!",
            _ => "-",
        };
        let _ = writeln!(
            out,
            "  {mark} {:<14}{}",
            printable(&text(check, "id").unwrap_or_default()),
            printable(&text(check, "message").unwrap_or_default())
        );
    }
    let _ = writeln!(out, "\nVerdict: {}", printable(&verdict));
    out
}

/// The report as one JSON object.
pub fn json(report: &Report) -> String {
    let text = serde_json::to_string_pretty(report).unwrap_or_else(|_| String::from("{}"));
    probity_spec::text::json_for_terminal(&text).into_owned()
}
