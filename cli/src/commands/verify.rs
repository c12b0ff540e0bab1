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
    // A receipt records a verdict; it is checked as a receipt, never judged as a
    // credential (SPEC.md §14.6).
    if source == input::Source::Json
        && probity_spec::json::parse_strict(&bytes)
            .is_ok_and(|document| probity_spec::receipt::is_receipt(&document))
    {
        return super::verify_receipt::run(args, &bytes);
    }
    if let Some(node) = &args.verifier {
        return ask_node(args, node, &bytes);
    }
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
    } else if let Some(path) = &args.bundle {
        add_bundle(&mut trust, path, &pinned_keys(args)?, at)?;
    } else if !args.federation_keys.is_empty() {
        bail!("--federation-key is given without --registry or --bundle");
    }
    Ok(trust)
}

/// The pinned federation keys given with `--federation-key`.
fn pinned_keys(args: &VerifyArgs) -> Result<Vec<ed25519_dalek::VerifyingKey>> {
    if args.federation_keys.is_empty() {
        bail!("a registry or bundle needs at least one --federation-key to check it against");
    }
    args.federation_keys
        .iter()
        .map(|k| {
            multikey::public_key_from_multibase(k.trim())
                .with_context(|| format!("--federation-key {k}"))
        })
        .collect()
}

/// Adds a verifier node's bundle: its registries, checked against the pinned keys
/// (one the keys do not vouch for is skipped, with a note), and its status lists, each
/// accepted as of when the node last confirmed it.
fn add_bundle(
    trust: &mut TrustSnapshot,
    path: &std::path::Path,
    pinned: &[ed25519_dalek::VerifyingKey],
    at: chrono::DateTime<Utc>,
) -> Result<()> {
    let bundle = input::read_capped(path, 64 << 20)?;
    let bundle: serde_json::Value = probity_spec::json::parse_strict(&bundle)
        .with_context(|| format!("{} is not usable JSON", path.display()))?;
    if bundle.get("type").and_then(|t| t.as_str()) != Some("ProbityTrustBundle") {
        bail!("{} is not a Probity trust bundle", path.display());
    }
    let section = |name: &str| -> Result<Vec<serde_json::Value>> {
        match bundle.get(name) {
            None => Ok(Vec::new()),
            Some(serde_json::Value::Array(items)) => Ok(items.clone()),
            Some(_) => bail!("{}: {name} must be an array", path.display()),
        }
    };
    let mut accepted = 0;
    for (i, entry) in section("registries")?.into_iter().enumerate() {
        let document = entry.get("document").cloned().unwrap_or_default();
        match trust.add_registry(document, pinned, at) {
            Ok(registry) => {
                accepted += 1;
                info!(version = registry.version, "bundle registry accepted");
            }
            Err(e) => super::note(&format!("{}: registries[{i}] refused: {e}", path.display())),
        }
    }
    if accepted == 0 {
        bail!(
            "{}: no registry in the bundle is signed by a --federation-key given",
            path.display()
        );
    }
    for (i, entry) in section("statusLists")?.into_iter().enumerate() {
        let confirmed = entry
            .get("confirmedAt")
            .and_then(|t| t.as_str())
            .and_then(|t| probity_spec::time::parse(t).ok());
        let (Some(document), Some(source), Some(confirmed)) = (
            entry.get("document").cloned(),
            entry.get("source").and_then(|s| s.as_str()),
            confirmed,
        ) else {
            super::note(&format!(
                "{}: statusLists[{i}] lacks its document, source or confirmedAt; skipped",
                path.display()
            ));
            continue;
        };
        // A list confirmed after the moment being judged says nothing about it.
        let when = confirmed.min(at);
        if let Err(e) = trust.add_status_list(source, document, when) {
            super::note(&format!(
                "{}: statusLists[{i}] refused: {e}",
                path.display()
            ));
        }
    }
    Ok(())
}

/// Sends the credential to a verifier node and prints its report.
fn ask_node(args: &VerifyArgs, node: &str, credential: &[u8]) -> Result<i32> {
    let base = node.trim_end_matches('/');
    let mut url = format!("{base}/api/v1/verify");
    if let Some(at) = &args.at {
        let at = probity_spec::time::parse(at).context("--at")?;
        url.push_str(&format!("?at={}", probity_spec::time::format(at)));
    }
    FetchPolicy::for_named_node()
        .check_url(&url)
        .map_err(|e| anyhow::anyhow!("--verifier: {e}"))?;
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .context("cannot start the HTTP client")?;
    let response = client
        .post(&url)
        .header("content-type", "application/json")
        .body(credential.to_vec())
        .send()
        .with_context(|| format!("cannot reach the verifier at {base}"))?;
    let status = response.status();
    let body = response
        .bytes()
        .with_context(|| format!("cannot read the answer from {base}"))?;
    let value: serde_json::Value = serde_json::from_slice(&body).with_context(|| {
        format!("the verifier at {base} did not answer with JSON (HTTP {status})")
    })?;
    if !status.is_success() {
        let error = value
            .get("error")
            .and_then(|e| e.as_str())
            .unwrap_or("no reason given");
        bail!("the verifier at {base} refused the request (HTTP {status}): {error}");
    }
    let Some(verdict) = value.get("verdict").and_then(|v| v.as_str()) else {
        bail!("the verifier at {base} answered with something that is not a report");
    };
    if args.json {
        super::print(super::pretty(&value)?)?;
    } else {
        super::print(report::human_from_json(&value))?;
    }
    Ok(if verdict == "VALID" {
        exit::OK
    } else {
        exit::NOT_VALID
    })
}
