//! `probity verify`: gather trust (flags, registry file, fetched DID documents and
//! status lists) into a snapshot, then call the one pure `verify()` function.

use crate::cli::VerifyArgs;
use crate::{exit, input, report};
use anyhow::{bail, Context, Result};
use chrono::Utc;
use probity_spec::did::Did;
use probity_spec::multikey;
use probity_spec::trust::TrustSnapshot;
use probity_spec::verify::Verdict;
use probity_verifier::fetch::{FetchPolicy, Fetcher, DEFAULT_TIMEOUT};
use probity_verifier::gather::{self, StatusFetch};
use std::time::Duration;
use tracing::info;

/// How long all of a credential's status lists may take together.
const STATUS_DEADLINE: Duration = Duration::from_secs(5);

/// Runs `probity verify`.
pub fn run(args: &VerifyArgs) -> Result<i32> {
    let at = match &args.at {
        Some(text) => probity_spec::time::parse(text).context("--at")?,
        None => Utc::now(),
    };
    let (bytes, source) = input::load_credential(&args.input)?;
    info!(?source, bytes = bytes.len(), "credential loaded");
    // The CLI fetches from this machine too, so that nodes and tests on one machine
    // work; private networks stay closed (SPEC.md §10.6).
    let fetcher = Fetcher::new(FetchPolicy::default(), DEFAULT_TIMEOUT)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime for fetching")?;
    let trust = runtime.block_on(async {
        let mut trust = build_trust(args, &fetcher, at).await?;
        let how = StatusFetch {
            offline: args.offline,
            deadline: STATUS_DEADLINE,
        };
        gather::fetch_status_lists(&mut trust, &bytes, at, &fetcher, how).await;
        anyhow::Ok(trust)
    })?;
    let report = probity_spec::verify(&bytes, &trust, at);
    if args.json {
        super::print_line(&report::json(&report))?;
    } else {
        super::print(report::human(&report))?;
    }
    let no_trust_given = args.trust_issuers.is_empty() && args.registry.is_none();
    if report.verdict == Verdict::UntrustedIssuer && no_trust_given {
        super::note(
            "hint: no issuer is trusted yet. Name one with --trust-issuer DID, or give the \
             federation's registry with --registry FILE --federation-key KEY.",
        );
    }
    Ok(if report.is_valid() {
        exit::OK
    } else {
        exit::NOT_VALID
    })
}

async fn build_trust(
    args: &VerifyArgs,
    fetcher: &Fetcher,
    at: chrono::DateTime<Utc>,
) -> Result<TrustSnapshot> {
    let mut trust = TrustSnapshot::new();
    for did_str in &args.trust_issuers {
        match Did::parse(did_str).with_context(|| format!("--trust-issuer {did_str}"))? {
            Did::Key { .. } => trust.trust_issuer(did_str)?,
            Did::Web { did } => {
                let document = gather::resolve_did_web(fetcher, &did)
                    .await
                    .with_context(|| format!("--trust-issuer {did}"))?;
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
        info!(name = %probity_spec::text::printable(&registry.name), version = registry.version, "registry accepted");
    } else if !args.federation_keys.is_empty() {
        bail!("--federation-key is given without --registry");
    }
    Ok(trust)
}
