//! Gathering what a verification relies on into a [`TrustSnapshot`]: DID documents of
//! issuers trusted by name, and the status lists a credential points at.
//!
//! A credential is hostile until verified, and so are the addresses it names: its
//! status lists are fetched only after its proof verifies and its issuer is trusted
//! (SPEC.md §10.6), so a forged or untrusted credential cannot make a verifier call
//! the hosts of its choosing. The lists are fetched together under one deadline.

use crate::fetch::{FetchError, Fetcher};
use chrono::{DateTime, Utc};
use probity_spec::did::{self, DidDocument, DidError};
use probity_spec::trust::{TrustError, TrustSnapshot};
use probity_spec::verify::{CheckId, CheckStatus};
use std::time::Duration;

/// Why an issuer's DID document could not be had.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GatherError {
    /// The DID is not one Probity resolves over HTTP.
    #[error(transparent)]
    Did(#[from] DidError),
    /// The document could not be fetched.
    #[error("cannot resolve {did}")]
    Fetch {
        /// The DID.
        did: String,
        /// The fetch error.
        source: FetchError,
    },
    /// The document could not enter the snapshot.
    #[error(transparent)]
    Trust(#[from] TrustError),
}

/// Fetches and reads the DID document of a `did:web`.
pub async fn resolve_did_web(fetcher: &Fetcher, did: &str) -> Result<DidDocument, GatherError> {
    let url = did::did_web_url(did)?;
    let fetched = fetcher
        .get(&url)
        .await
        .map_err(|source| GatherError::Fetch {
            did: did.to_owned(),
            source,
        })?;
    Ok(DidDocument::parse(&fetched.body, did)?)
}

/// How status lists are fetched.
#[derive(Debug, Clone, Copy)]
pub struct StatusFetch {
    /// Fetch nothing; every list is reported as not held.
    pub offline: bool,
    /// The deadline for all of a credential's lists together.
    pub deadline: Duration,
}

/// What happened to one status list a credential names.
#[derive(Debug)]
pub struct ListOutcome {
    /// The list's URL, as the credential names it.
    pub url: String,
    /// `Ok` when the list is now held; otherwise the plain sentence recorded for the
    /// report.
    pub result: Result<(), String>,
}

/// Fetches the status lists `credential` names into `trust`, judged at `now`, but only
/// when its proof verifies and its issuer is trusted by `trust`; otherwise nothing is
/// fetched and each list is recorded as not fetched, with the reason. Each list is
/// checked as it enters the snapshot (signature, issuer's key, id). The detail of a
/// failed fetch goes to the log at info level; the report gets one sentence.
pub async fn fetch_status_lists(
    trust: &mut TrustSnapshot,
    credential: &[u8],
    now: DateTime<Utc>,
    fetcher: &Fetcher,
    how: StatusFetch,
) -> Vec<ListOutcome> {
    let urls = status_list_urls(credential);
    if urls.is_empty() {
        return Vec::new();
    }
    let refusal = if how.offline {
        Some("not fetched, because --offline was given".to_owned())
    } else {
        let report = probity_spec::verify(credential, trust, now);
        let passed = |id| {
            report
                .check(id)
                .is_some_and(|c| matches!(c.status, CheckStatus::Pass | CheckStatus::Warn))
        };
        (!(passed(CheckId::Proof) && passed(CheckId::Issuer))).then(|| {
            "not fetched, because the credential's proof or issuer did not check out".to_owned()
        })
    };
    if let Some(reason) = refusal {
        return urls
            .into_iter()
            .map(|url| {
                trust.record_status_failure(&url, reason.clone());
                ListOutcome {
                    url,
                    result: Err(reason.clone()),
                }
            })
            .collect();
    }
    let fetched = fetcher.get_all(&urls, how.deadline).await;
    let mut outcomes = Vec::with_capacity(fetched.len());
    for (url, outcome) in fetched {
        let result = match outcome {
            Err(e) => {
                tracing::info!(url = %url, error = %e, "status list not fetched");
                Err(e.short())
            }
            Ok(got) => probity_spec::json::parse_strict(&got.body)
                .map_err(|e| format!("the list is not usable JSON ({e})"))
                .and_then(|document| {
                    let id = document
                        .get("id")
                        .and_then(|i| i.as_str())
                        .map(str::to_owned);
                    trust
                        .add_status_list(&url, document, now)
                        .map_err(|e| format!("the list was refused ({e})"))?;
                    // A list is held under its own id (§7.5): one served here under
                    // another id answers for that list, not for this URL.
                    match trust.status_list(&url) {
                        Some(_) => Ok(()),
                        None => Err(format!(
                            "what {url} serves is another list ({})",
                            id.unwrap_or_default()
                        )),
                    }
                }),
        };
        if let Err(reason) = &result {
            tracing::info!(url = %url, reason = %reason, "status list unavailable");
            trust.record_status_failure(&url, reason.clone());
        }
        outcomes.push(ListOutcome { url, result });
    }
    outcomes
}

/// The distinct status list URLs a credential names, in order; none for a document
/// that does not parse or whose entries do not read (the format check reports those).
pub fn status_list_urls(credential: &[u8]) -> Vec<String> {
    let Ok(document) = probity_spec::json::parse_strict(credential) else {
        return Vec::new();
    };
    let Ok(entries) = probity_spec::status_list::entries_of(&document) else {
        return Vec::new();
    };
    let mut urls: Vec<String> = Vec::with_capacity(entries.len());
    for entry in entries {
        if !urls.contains(&entry.list_url) {
            urls.push(entry.list_url);
        }
    }
    urls
}
