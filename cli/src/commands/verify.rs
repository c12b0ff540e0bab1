//! `probity verify`: gather trust (flags, registry file, fetched DID documents and
//! status lists) into a snapshot, then call the one pure `verify()` function.

use crate::cli::VerifyArgs;
use crate::fetch::Fetcher;
use crate::{exit, input, report};
use anyhow::{bail, Context, Result};
use chrono::{DateTime, Utc};
use probity_spec::did::{self, Did, DidDocument};
use probity_spec::trust::TrustSnapshot;
use probity_spec::{multikey, status_list};
use tracing::{info, warn};

/// Runs `probity verify`.
pub fn run(args: &VerifyArgs) -> Result<i32> {
    let at = match &args.at {
        Some(text) => probity_spec::time::parse(text).context("--at")?,
        None => Utc::now(),
    };
    let (bytes, source) = input::load_credential(&args.input)?;
    info!(?source, bytes = bytes.len(), "credential loaded");
    let fetcher = Fetcher::new()?;
    let trust = build_trust(args, &bytes, &fetcher, at)?;
    let report = probity_spec::verify(&bytes, &trust, at);
    if args.json {
        super::print_line(&report::json(&report))?;
    } else {
        super::print(report::human(&report))?;
    }
    Ok(if report.is_valid() {
        exit::OK
    } else {
        exit::NOT_VALID
    })
}

fn build_trust(
    args: &VerifyArgs,
    credential: &[u8],
    fetcher: &Fetcher,
    at: DateTime<Utc>,
) -> Result<TrustSnapshot> {
    let mut trust = TrustSnapshot::new();
    for did_str in &args.trust_issuers {
        match Did::parse(did_str).with_context(|| format!("--trust-issuer {did_str}"))? {
            Did::Key { .. } => trust.trust_issuer(did_str)?,
            Did::Web { did } => {
                let url = did::did_web_url(&did)?;
                let body = fetcher
                    .get(&url)
                    .with_context(|| format!("cannot resolve {did}"))?;
                let document = DidDocument::parse(&body, &did).with_context(|| url.clone())?;
                trust.trust_issuer_document(&document)?;
            }
        }
    }
    if let Some(path) = &args.registry {
        if args.federation_keys.is_empty() {
            bail!("--registry needs at least one --federation-key to check it against");
        }
        let pinned = args
            .federation_keys
            .iter()
            .map(|k| {
                multikey::public_key_from_multibase(k.trim())
                    .with_context(|| format!("--federation-key {k}"))
            })
            .collect::<Result<Vec<_>>>()?;
        let document = input::read_json(path)?;
        let registry = trust
            .add_registry(document, &pinned, at)
            .with_context(|| format!("registry {} refused", path.display()))?;
        info!(name = %registry.name, version = registry.version, "registry accepted");
    } else if !args.federation_keys.is_empty() {
        bail!("--federation-key is given without --registry");
    }
    // Status lists: fetched only for a credential that parses; verify() judges the rest.
    let Ok(document) = probity_spec::json::parse_strict(credential) else {
        return Ok(trust);
    };
    let Ok(entries) = status_list::entries_of(&document) else {
        return Ok(trust);
    };
    let mut urls: Vec<&str> = entries.iter().map(|e| e.list_url.as_str()).collect();
    urls.sort_unstable();
    urls.dedup();
    for url in urls {
        if args.offline {
            trust.record_status_failure(url, "--offline was given");
            continue;
        }
        let fetched_at = Utc::now();
        let outcome = fetcher
            .get(url)
            .and_then(|body| Ok(probity_spec::json::parse_strict(&body)?))
            .and_then(|doc| Ok(trust.add_status_list(url, doc, fetched_at)?));
        if let Err(e) = outcome {
            warn!(url, error = %format!("{e:#}"), "status list unavailable");
            trust.record_status_failure(url, format!("{e:#}"));
        }
    }
    Ok(trust)
}
