//! `probity verify RECEIPT.json`: check a verification receipt (SPEC.md §14.5, §14.6)
//! and show what it records.
//!
//! A receipt's signature proves only that the key of the DID in its `issuer` signed it.
//! So the output says who signed it and whether the user pinned that signer, and labels
//! the verdict inside as recorded: a reader must never take it for a verdict this run
//! gave on a credential.

use crate::cli::VerifyArgs;
use crate::exit;
use anyhow::{Context, Result};
use probity_spec::did::Did;
use probity_spec::receipt::{self, Receipt, ReceiptError};
use probity_spec::text::printable;
use probity_verifier::fetch::{FetchPolicy, Fetcher, DEFAULT_TIMEOUT};
use serde_json::json;
use std::fmt::Write;

/// Checks the receipt in `bytes` and prints it; returns the exit code.
pub fn run(args: &VerifyArgs, bytes: &[u8]) -> Result<i32> {
    let pins = args
        .trust_verifiers
        .iter()
        .map(|did| {
            Did::parse(did)
                .map(|d| d.as_str().to_owned())
                .with_context(|| format!("--trust-verifier {did}"))
        })
        .collect::<Result<Vec<_>>>()?;
    if !args.trust_issuers.is_empty() && pins.is_empty() {
        super::note(
            "note: --trust-issuer names credential issuers; pin the node that signed a \
             receipt with --trust-verifier DID.",
        );
    }
    let outcome = match receipt::read(bytes) {
        Ok(unchecked) => check(unchecked)?,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(receipt) => {
            let pinned = pins.contains(&receipt.issuer);
            if args.json {
                super::print(super::pretty(&genuine_json(&receipt, pinned))?)?;
            } else {
                super::print(human(&receipt, pinned))?;
            }
            Ok(if pinned {
                exit::OK
            } else {
                exit::SIGNER_NOT_PINNED
            })
        }
        Err(e) => {
            let reason = e.to_string();
            if args.json {
                super::print(super::pretty(
                    &json!({"receipt": "not-genuine", "error": reason}),
                )?)?;
            } else {
                super::print(format!(
                    "Receipt: NOT GENUINE. {}\nNothing it records can be relied on.\n",
                    printable(&reason)
                ))?;
            }
            Ok(exit::NOT_VALID)
        }
    }
}

/// Checks the signature with the issuer's keys: a did:key is its own key; a did:web's
/// DID document is fetched now, after the receipt's shape and proof form checked out.
/// A document that cannot be had is an error (exit 2): the receipt was not judged.
fn check(unchecked: receipt::UncheckedReceipt) -> Result<Result<Receipt, ReceiptError>> {
    let issuer = unchecked.issuer().to_owned();
    match Did::parse(&issuer) {
        Ok(Did::Web { did }) => {
            let fetcher = Fetcher::new(FetchPolicy::default(), DEFAULT_TIMEOUT)?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("cannot start the runtime for fetching")?;
            let document = runtime
                .block_on(probity_verifier::gather::resolve_did_web(&fetcher, &did))
                .with_context(|| {
                    format!("cannot get the DID document of {did}, which signed the receipt")
                })?;
            let keys = match document.assertion_keys() {
                Ok(keys) => keys,
                Err(e) => return Ok(Err(e.into())),
            };
            Ok(unchecked.check(&keys))
        }
        _ => Ok(unchecked.check_did_key()),
    }
}

fn genuine_json(receipt: &Receipt, pinned: bool) -> serde_json::Value {
    json!({
        "receipt": "genuine",
        "signer": receipt.issuer,
        "signerPinned": pinned,
        "verificationMethod": receipt.verification_method,
        "signedAt": receipt.signed_at.map(probity_spec::time::format),
        "id": receipt.id,
        "recordedVerdict": receipt.record.verdict,
        "record": receipt.record,
    })
}

/// The receipt as text a person reads. Every value from the receipt is shown through
/// `printable`; the only verdict printed is labelled as recorded by the signer.
fn human(receipt: &Receipt, pinned: bool) -> String {
    let record = &receipt.record;
    let mut out = String::new();
    let mut line = |label: &str, value: &str| {
        let _ = writeln!(out, "{label:<25}{}", printable(value));
    };
    line(
        "Receipt:",
        &format!("genuine, signed by {}", receipt.issuer),
    );
    line(
        "Signer:",
        if pinned {
            "pinned with --trust-verifier"
        } else {
            "NOT PINNED: anyone can make a key and sign a receipt; pin the node's DID with --trust-verifier DID"
        },
    );
    if let Some(at) = receipt.signed_at {
        line("Signed at:", &probity_spec::time::format(at));
    }
    line("Verified at:", &record.verified_at);
    let presented = &record.presented;
    line(
        "Presented:",
        &format!(
            "{} {}",
            presented.credential_type.as_deref().unwrap_or("(no type)"),
            presented.id.as_deref().unwrap_or("(no id)")
        ),
    );
    if let Some(issuer) = &presented.issuer {
        line("  issuer (as presented)", issuer);
    }
    let holder = &presented.holder_as_presented;
    let mut who: Vec<&str> = Vec::new();
    who.extend(holder.name.as_deref());
    who.extend(holder.registration_number.as_deref());
    who.extend(holder.id.as_deref());
    if !who.is_empty() {
        line("  holder (as presented)", &who.join(", "));
    }
    line(
        "  digest",
        &format!(
            "{} of {}: {}",
            presented.digest.algorithm,
            match presented.digest.input {
                receipt::DigestInput::Jcs => "its RFC 8785 form",
                receipt::DigestInput::Bytes => "the bytes presented",
            },
            presented.digest.hex
        ),
    );
    if record.verdict != probity_spec::Verdict::Valid {
        line(
            "",
            "The holder and issuer above are what the credential claimed; the recorded verdict is not VALID.",
        );
    }
    let _ = writeln!(out, "\nRecorded checks:");
    for check in &record.checks {
        let mark = match check.outcome {
            probity_spec::CheckStatus::Pass => "✓",
            probity_spec::CheckStatus::Fail => "✗",
            probity_spec::CheckStatus::Warn => "!",
            probity_spec::CheckStatus::Skip => "-",
        };
        let _ = writeln!(
            out,
            "  {mark} {:<14}{}",
            check.name.as_str(),
            printable(&check.message)
        );
    }
    if !record.status_data.is_empty() {
        let _ = writeln!(out, "\nStatus data when verified:");
        for list in &record.status_data {
            let freshness = match (&list.confirmed_at, list.age_seconds) {
                (Some(at), Some(age)) => format!("confirmed {at}, {age} s before"),
                (Some(at), None) => format!("confirmed {at}"),
                _ if list.held => "held".to_owned(),
                _ => "not held".to_owned(),
            };
            let _ = writeln!(out, "  {}: {}", printable(&list.id), printable(&freshness));
        }
    }
    let _ = writeln!(
        out,
        "\nRecorded verdict: {} (as recorded by {}{})",
        record.verdict,
        printable(&receipt.issuer),
        if pinned { "" } else { ", not pinned" }
    );
    out
}
