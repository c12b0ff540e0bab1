//! The sync loop: keeps each federation's registry and every member's status lists
//! fresh, by polling with conditional requests (`If-None-Match`), with jitter so a
//! fleet of nodes does not poll in step.
//!
//! Every document is checked before it is kept (signature, pinned root or member key,
//! id, rollback), so whoever served it (the issuer, a mirror, a peer) can delay data
//! but never forge it. A registry older than the one held is refused, and the refusal
//! is logged and shown in `/api/v1/sync`; the node keeps the one it had.

use super::store::{DocumentKind, StoredDocument};
use super::{config::FederationConfig, config::RegistrySource, lock, Node};
use crate::fetch::{Conditional, FetchError, Validators};
use futures_util::StreamExt;
use probity_spec::text::printable;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// Fetches in flight at once during a round.
const PARALLEL_FETCHES: usize = crate::fetch::PARALLEL;
/// How long one round's batch of fetches may take together.
const ROUND_DEADLINE: Duration = Duration::from_secs(60);
/// Most list URLs taken from one member's index.
const MAX_LISTS_PER_MEMBER: usize = 64;

/// Runs sync rounds until `stop` turns true: one at once, then one every `refresh`
/// (±10%).
pub async fn run(node: Arc<Node>, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        sync_once(&node).await;
        let base = node.config.refresh.as_secs_f64();
        let jitter = base * 0.1 * (rand::random::<f64>() * 2.0 - 1.0);
        let wait = Duration::from_secs_f64((base + jitter).max(0.05));
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
    }
}

/// One round: every federation's registry, then every member's status lists.
pub async fn sync_once(node: &Node) {
    let mut registry_changed = false;
    for federation in &node.config.federations {
        registry_changed |= sync_registry(node, federation).await;
    }
    if registry_changed {
        node.rebuild_snapshot();
    }
    sync_did_documents(node).await;
    let urls = list_urls(node).await;
    let fetches = futures_util::stream::iter(urls)
        .map(|url| async move {
            // Validators only mean something to the server that gave them.
            let validators = node
                .held(DocumentKind::StatusList, &url)
                .filter(|d| d.source == url)
                .map(|d| Validators {
                    etag: d.etag.clone(),
                    last_modified: d.last_modified.clone(),
                })
                .unwrap_or_default();
            let outcome = node.fetcher.get_if_changed(&url, &validators).await;
            (url, outcome)
        })
        .buffer_unordered(PARALLEL_FETCHES);
    let results: Vec<(String, Result<Conditional, FetchError>)> = fetches.collect().await;
    for (url, outcome) in results {
        accept_list(node, &url, outcome);
    }
    poll_peers(node).await;
    // Lists entered as they were accepted; the rebuild takes in what was confirmed
    // unchanged (their ages) and judges every held list again at this time.
    node.rebuild_snapshot();
    lock(&node.sync_state).last_round = Some(node.now());
}

/// Fetches (or reads) one federation's registry and keeps it if it checks out and is
/// not older than the one held.
/// Returns whether a new version was kept.
async fn sync_registry(node: &Node, federation: &FederationConfig) -> bool {
    let key = federation.root_key_text.clone();
    let held = node.held(DocumentKind::Registry, &key);
    let (source, fetched) = match &federation.registry {
        RegistrySource::Url(url) => {
            let validators = held
                .as_ref()
                .filter(|h| &h.source == url)
                .map(|h| Validators {
                    etag: h.etag.clone(),
                    last_modified: h.last_modified.clone(),
                })
                .unwrap_or_default();
            let outcome = node.fetcher.get_if_changed(url, &validators).await;
            (url.clone(), outcome.map_err(|e| e.to_string()))
        }
        RegistrySource::File(path) => {
            let read = std::fs::read(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))
                .and_then(|body| {
                    if body.len() > crate::fetch::MAX_BYTES {
                        Err(format!(
                            "{} is over {} bytes",
                            path.display(),
                            crate::fetch::MAX_BYTES
                        ))
                    } else {
                        Ok(Conditional::Changed(crate::fetch::Fetched {
                            body,
                            etag: None,
                            last_modified: None,
                        }))
                    }
                });
            (path.display().to_string(), read)
        }
    };
    accept_registry(node, federation, &source, fetched)
}

/// Checks a registry fetched from `source` (its publisher, a file, or a peer's relay)
/// and keeps it if it is signed by the pinned root and not older than the one held.
/// Returns whether a new version was kept (and announced).
fn accept_registry(
    node: &Node,
    federation: &FederationConfig,
    source: &str,
    fetched: Result<Conditional, String>,
) -> bool {
    let key = federation.root_key_text.clone();
    let held = node.held(DocumentKind::Registry, &key);
    let now = node.now();
    let problem = |text: String| {
        tracing::warn!(federation = %key, from = %printable(source), problem = %printable(&text), "registry refused or unavailable; keeping the one held");
        let mut state = lock(&node.sync_state);
        state.fetch_failures += u64::from(text.starts_with("fetch: "));
        state
            .registries
            .entry(key.clone())
            .or_default()
            .last_problem = Some(format!(
            "{}: from {source}: {text}",
            probity_spec::time::format(now)
        ));
        false
    };
    let body = match fetched {
        Err(e) => return problem(format!("fetch: {e}")),
        Ok(Conditional::NotModified) => {
            if let Some(held) = held {
                let mut held = (*held).clone();
                held.confirmed_at = probity_spec::time::format(now);
                if let Err(e) = node.keep(held) {
                    tracing::error!(error = %e, "cannot record a confirmed registry");
                }
            }
            return false;
        }
        Ok(Conditional::Changed(fetched)) => fetched,
    };
    let value = match probity_spec::json::parse_strict(&body.body) {
        Ok(v) => v,
        Err(e) => return problem(format!("not usable JSON: {e}")),
    };
    let text = value.to_string();
    let verified = match probity_spec::registry::verify_registry(value, &[federation.root_key], now)
    {
        Ok(v) => v,
        Err(e) => return problem(e.to_string()),
    };
    // §6.4: never an older version than one held, across restarts too (the held
    // registry is in the store even when it has since expired).
    let held_version = held.as_ref().and_then(|h| h.registry_version());
    if let Some(held_version) = held_version {
        if verified.version < held_version {
            return problem(format!(
                "version {} is older than version {held_version} held; refusing to roll back",
                verified.version
            ));
        }
        if verified.version == held_version {
            // The same version again: nothing new, but the data is confirmed current.
            if let Some(held) = held {
                let mut held = (*held).clone();
                held.confirmed_at = probity_spec::time::format(now);
                if let Err(e) = node.keep(held) {
                    tracing::error!(error = %e, "cannot record a confirmed registry");
                }
            }
            return false;
        }
    }
    let document = StoredDocument {
        kind: DocumentKind::Registry,
        key: key.clone(),
        body: text,
        source: source.to_owned(),
        confirmed_at: probity_spec::time::format(now),
        etag: body.etag,
        last_modified: body.last_modified,
        kept_revoked: Vec::new(),
    };
    match node.keep(document) {
        Ok(()) => {
            tracing::info!(federation = %key, version = verified.version, from = %printable(source), "registry accepted");
            {
                let mut state = lock(&node.sync_state);
                let entry = state.registries.entry(key.clone()).or_default();
                entry.version = Some(verified.version);
                entry.last_problem = None;
            }
            node.announce(super::events::Announcement::registry(
                &key,
                verified.version,
            ));
            true
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot store the registry");
            false
        }
    }
}

/// Fetches the DID document of every did:web member of the registries held and keeps
/// the ones that read (SPEC.md §4.6), for the bundle and for peers. They decide
/// nothing here: the registry lists each member's keys with their windows (§6.2).
async fn sync_did_documents(node: &Node) {
    let mut wanted: Vec<(String, String)> = Vec::new();
    for registry in node.snapshot().registries() {
        for member in &registry.members {
            let did = &member.member.id;
            if let Ok(url) = probity_spec::did::did_web_url(did) {
                if !wanted.iter().any(|(d, _)| d == did) {
                    wanted.push((did.clone(), url));
                }
            }
        }
    }
    let urls: Vec<String> = wanted.iter().map(|(_, url)| url.clone()).collect();
    let fetched = node.fetcher.get_all(&urls, ROUND_DEADLINE).await;
    let now = probity_spec::time::format(node.now());
    for ((did, _), (url, outcome)) in wanted.into_iter().zip(fetched) {
        let read = outcome.map_err(|e| e.to_string()).and_then(|f| {
            probity_spec::did::DidDocument::parse(&f.body, &did)
                .map(|_| f)
                .map_err(|e| e.to_string())
        });
        match read {
            Ok(f) => {
                let document = StoredDocument {
                    kind: DocumentKind::DidDocument,
                    key: did,
                    body: String::from_utf8_lossy(&f.body).into_owned(),
                    source: url,
                    confirmed_at: now.clone(),
                    etag: f.etag,
                    last_modified: f.last_modified,
                    kept_revoked: Vec::new(),
                };
                if let Err(e) = node.keep(document) {
                    tracing::error!(error = %e, "cannot store a DID document");
                }
            }
            Err(e) => {
                lock(&node.sync_state).fetch_failures += 1;
                tracing::info!(did = %printable(&did), error = %printable(&e), "DID document unavailable");
            }
        }
    }
}

/// Every status list to refresh: those held, and those each member's status-list
/// index (its registry entry's `endpoints.statusLists`) names.
async fn list_urls(node: &Node) -> Vec<String> {
    let snapshot = node.snapshot();
    let mut urls: Vec<String> = node
        .held_documents()
        .into_iter()
        .filter(|d| d.kind == DocumentKind::StatusList)
        .map(|d| d.key.clone())
        .collect();
    let mut indexes = Vec::new();
    for registry in snapshot.registries() {
        for member in &registry.members {
            if let Some(index) = &member.member.endpoints.status_lists {
                indexes.push(index.clone());
            }
        }
    }
    let fetched = node.fetcher.get_all(&indexes, ROUND_DEADLINE).await;
    for (index, outcome) in fetched {
        match outcome
            .map_err(|e| e.to_string())
            .and_then(|f| read_index(&f.body))
        {
            Ok(listed) => {
                for url in listed.into_iter().take(MAX_LISTS_PER_MEMBER) {
                    if !urls.contains(&url) {
                        urls.push(url);
                    }
                }
            }
            Err(e) => {
                lock(&node.sync_state).fetch_failures += 1;
                tracing::warn!(index = %printable(&index), error = %printable(&e), "status list index unavailable");
            }
        }
    }
    urls
}

/// Reads a status-list index: `{"statusLists": ["https://…", …]}`.
pub fn read_index(body: &[u8]) -> Result<Vec<String>, String> {
    let value = probity_spec::json::parse_strict(body).map_err(|e| e.to_string())?;
    let lists = value
        .get("statusLists")
        .and_then(Value::as_array)
        .ok_or("the index has no statusLists array")?;
    lists
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| "statusLists must hold URLs as strings".to_owned())
        })
        .collect()
}

/// Checks a list fetched from `fetched_from` (its publisher, or a peer's relay route)
/// against the current snapshot and keeps it, under its own id, when it enters.
/// Returns whether a new version was kept (and announced).
pub fn accept_list(
    node: &Node,
    fetched_from: &str,
    outcome: Result<Conditional, FetchError>,
) -> bool {
    let now = node.now();
    let refuse = |text: String| {
        tracing::warn!(from = %printable(fetched_from), problem = %printable(&text), "status list refused or unavailable");
        let mut state = lock(&node.sync_state);
        state.fetch_failures += 1;
        state.list_errors.insert(
            fetched_from.to_owned(),
            format!("{}: {text}", probity_spec::time::format(now)),
        );
        false
    };
    let fetched = match outcome {
        Err(e) => return refuse(e.to_string()),
        Ok(Conditional::NotModified) => {
            if let Some(held) = node.held(DocumentKind::StatusList, fetched_from) {
                let mut held = (*held).clone();
                held.confirmed_at = probity_spec::time::format(now);
                if let Err(e) = node.keep(held) {
                    tracing::error!(error = %e, "cannot record a confirmed list");
                }
            }
            lock(&node.sync_state).list_errors.remove(fetched_from);
            return false;
        }
        Ok(Conditional::Changed(fetched)) => fetched,
    };
    let value = match probity_spec::json::parse_strict(&fetched.body) {
        Ok(v) => v,
        Err(e) => return refuse(format!("not usable JSON: {e}")),
    };
    let Some(id) = value.get("id").and_then(Value::as_str).map(str::to_owned) else {
        return refuse("the list has no id".to_owned());
    };
    let held = node.held(DocumentKind::StatusList, &id);
    let body = value.to_string();
    if held.as_ref().is_some_and(|h| h.body == body) {
        // The copy held, again: confirmed current.
        if let Some(held) = held {
            let mut held = (*held).clone();
            held.confirmed_at = probity_spec::time::format(now);
            if held.source == fetched_from {
                held.etag = fetched.etag;
                held.last_modified = fetched.last_modified;
            }
            if let Err(e) = node.keep(held) {
                tracing::error!(error = %e, "cannot record a confirmed list");
            }
        }
        lock(&node.sync_state).list_errors.remove(fetched_from);
        return false;
    }
    // The list must enter the current snapshot: signed by a trusted member's key, and
    // not older than the copy held (§7.5). A relayed list is checked the same way. It
    // enters what verifications see as soon as it is on disk.
    let valid_from = value
        .get("validFrom")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let issuer = probity_spec::model::issuer_id(&value).map(str::to_owned);
    let mut document = StoredDocument {
        kind: DocumentKind::StatusList,
        key: id.clone(),
        body,
        source: fetched_from.to_owned(),
        confirmed_at: probity_spec::time::format(now),
        etag: fetched.etag,
        last_modified: fetched.last_modified,
        kept_revoked: Vec::new(),
    };
    enum Failure {
        Refused(String),
        Store(super::store::StoreError),
    }
    let entered = node.change_snapshot(
        |trial| {
            trial
                .add_status_list(fetched_from, value, now)
                .map_err(|e| Failure::Refused(e.to_string()))?;
            Ok(issuer
                .as_deref()
                .and_then(|issuer| trial.status_list_of(&id, issuer))
                .map(|held| held.kept_revoked.clone())
                .unwrap_or_default())
        },
        |kept_revoked| {
            if !kept_revoked.is_empty() {
                tracing::warn!(list = %printable(&id), from = %printable(fetched_from), kept = ?kept_revoked, "a newer list clears revocations seen before; they stay revoked (revocation is final)");
            }
            document.kept_revoked = kept_revoked;
            node.keep(document).map_err(Failure::Store)
        },
    );
    match entered {
        Ok(()) => {
            lock(&node.sync_state).list_errors.remove(fetched_from);
            node.announce(super::events::Announcement::status_list(&id, valid_from));
            true
        }
        Err(Failure::Refused(problem)) => refuse(problem),
        Err(Failure::Store(e)) => {
            tracing::error!(error = %e, "cannot store a status list");
            false
        }
    }
}

/// Fetches a federation's registry from a peer's relay route and keeps it if it is
/// newer than the one held and checks out against the pinned root.
pub async fn registry_from_peer(node: &Node, peer: &str, federation: &str) {
    let Some(config) = node
        .config
        .federations
        .iter()
        .find(|f| f.root_key_text == federation)
    else {
        return;
    };
    let url = super::events::relay_url(peer, "/relay/registry", "federation", federation);
    let outcome = node.fetcher.get(&url).await.map_err(|e| e.to_string());
    if accept_registry(node, config, &url, outcome.map(Conditional::Changed)) {
        node.rebuild_snapshot();
    }
}

/// What every peer holds, from its `/relay/index`: lists newer than ours are fetched
/// from its relay, and each federation's registry when the peer's is newer.
async fn poll_peers(node: &Node) {
    for peer in &node.config.peers {
        let index = match node.fetcher.get(&format!("{peer}/relay/index")).await {
            Ok(f) => f,
            Err(e) => {
                lock(&node.sync_state).fetch_failures += 1;
                tracing::debug!(peer = %peer, error = %e, "peer index unavailable");
                continue;
            }
        };
        let Ok(index) = probity_spec::json::parse_strict(&index.body) else {
            tracing::warn!(peer = %peer, "peer index is not usable JSON");
            continue;
        };
        for registry in index
            .get("registries")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (Some(federation), Some(version)) = (
                registry.get("federation").and_then(Value::as_str),
                registry.get("version").and_then(Value::as_u64),
            ) else {
                continue;
            };
            let held = node
                .held(DocumentKind::Registry, federation)
                .and_then(|h| h.registry_version());
            if held.is_none_or(|h| h < version) {
                registry_from_peer(node, peer, federation).await;
            }
        }
        let lists: Vec<(String, Option<String>, Option<String>)> = index
            .get("statusLists")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|l| {
                let text = |k: &str| l.get(k).and_then(Value::as_str).map(str::to_owned);
                Some((text("id")?, text("validFrom"), text("digest")))
            })
            .take(100_000)
            .collect();
        // Fetch what is not held, what is newer, and what differs with the same
        // validFrom (two versions signed within one second).
        let wanted: Vec<String> = lists
            .into_iter()
            .filter(|(id, offered, digest)| {
                let Some(held) = node.held(DocumentKind::StatusList, id) else {
                    return true;
                };
                let held_from = held.valid_from();
                match (held_from, offered) {
                    (Some(h), Some(o)) if h.as_str() < o.as_str() => true,
                    (Some(h), Some(o)) if h == *o => digest
                        .as_deref()
                        .is_some_and(|d| d != super::store::digest(&held.body)),
                    (None, _) => true,
                    _ => false,
                }
            })
            .map(|(id, _, _)| id)
            .map(|id| super::events::relay_url(peer, "/relay/status-list", "id", &id))
            .collect();
        let fetched = node.fetcher.get_all(&wanted, ROUND_DEADLINE).await;
        for (url, outcome) in fetched {
            accept_list(node, &url, outcome.map(Conditional::Changed));
        }
    }
}
