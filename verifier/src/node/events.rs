//! Push: announcements of new signed documents on `text/event-stream` (SPEC.md §12).
//!
//! An issuer node announces each new status-list version on its `/events`; a verifier
//! node subscribes to every member issuer's stream and to each configured peer's,
//! fetches what an announcement names as soon as it arrives, and announces what it
//! accepted on its own `/events`, so a revocation spreads through the verifiers in
//! well under a second. An announcement only says where to look: the document fetched
//! is checked like any other (§7.5), so a stream can hurry data along but never forge
//! it. Streams that fail are reopened with backoff; polling stays as the safety net.

use super::{lock, Node};
use crate::fetch::FetchError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Longest line accepted on a stream; a longer one ends the connection.
const MAX_LINE: usize = 64 << 10;
/// Announcements buffered for slow subscribers of this node's stream; one that falls
/// further behind skips ahead (and its next poll catches up).
pub const CHANNEL_CAPACITY: usize = 1024;

/// One announcement: an SSE event named `status-list` or `registry` (SPEC.md §12.3),
/// whose data is this object. Issuer nodes add other members (`list`, `version`); they
/// are ignored here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Announcement {
    /// The SSE event name.
    #[serde(skip)]
    pub kind: String,
    /// For `status-list`: the list's id, the URL entries name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// For `status-list`: the new version's `validFrom`, so a subscriber can skip
    /// what it already holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// For `registry`: the federation's root key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub federation: Option<String>,
    /// For `registry`: the version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
}

/// The event name of a status list announcement.
pub const STATUS_LIST: &str = "status-list";
/// The event name of a registry announcement.
pub const REGISTRY: &str = "registry";

impl Announcement {
    /// A new status-list version.
    pub fn status_list(id: &str, valid_from: Option<String>) -> Self {
        Announcement {
            kind: STATUS_LIST.into(),
            url: Some(id.to_owned()),
            valid_from,
            federation: None,
            version: None,
        }
    }

    /// A new registry version.
    pub fn registry(federation: &str, version: u64) -> Self {
        Announcement {
            kind: REGISTRY.into(),
            url: None,
            valid_from: None,
            federation: Some(federation.to_owned()),
            version: Some(version),
        }
    }
}

/// Reads `text/event-stream` (HTML Living Standard §9.2.6) from chunks: `event:` and
/// `data:` fields, dispatched at each blank line; comments and other fields ignored.
#[derive(Debug, Default)]
pub struct SseParser {
    line: Vec<u8>,
    event: String,
    data: String,
}

impl SseParser {
    /// Feeds a chunk; returns the events completed by it as `(event, data)`, or an
    /// error when a line is longer than the limit.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<Vec<(String, String)>, String> {
        let mut done = Vec::new();
        for &b in chunk {
            if b != b'\n' {
                self.line.push(b);
                if self.line.len() > MAX_LINE {
                    return Err(format!("a line longer than {MAX_LINE} bytes"));
                }
                continue;
            }
            let mut line = std::mem::take(&mut self.line);
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            let line = String::from_utf8_lossy(&line);
            if line.is_empty() {
                if !self.data.is_empty() {
                    let event = std::mem::take(&mut self.event);
                    let data = std::mem::take(&mut self.data);
                    done.push((
                        if event.is_empty() {
                            "message".into()
                        } else {
                            event
                        },
                        data,
                    ));
                }
                self.event.clear();
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = match line.split_once(':') {
                Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
                None => (line.as_ref(), ""),
            };
            match field {
                "event" => self.event = value.to_owned(),
                "data" => {
                    if !self.data.is_empty() {
                        self.data.push('\n');
                    }
                    self.data.push_str(value);
                    if self.data.len() > MAX_LINE {
                        return Err(format!("an event longer than {MAX_LINE} bytes"));
                    }
                }
                _ => {}
            }
        }
        Ok(done)
    }
}

/// Where a stream comes from, which decides where its documents are fetched.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Source {
    /// An issuer node (its base URL): a status list is fetched from its id.
    Issuer(String),
    /// Another verifier node (its base URL): documents come from its relay routes.
    Peer(String),
}

impl Source {
    fn base(&self) -> &str {
        match self {
            Source::Issuer(b) | Source::Peer(b) => b,
        }
    }
}

/// Keeps one subscription per source open, adding and dropping them as the registry's
/// members change. Runs until `stop` turns true.
pub async fn supervise(node: Arc<Node>, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut running: HashMap<Source, tokio::task::JoinHandle<()>> = HashMap::new();
    loop {
        let wanted = sources(&node);
        running.retain(|source, task| {
            let keep = wanted.contains(source) && !task.is_finished();
            if !keep {
                task.abort();
            }
            keep
        });
        for source in wanted {
            running
                .entry(source.clone())
                .or_insert_with(|| tokio::spawn(subscribe(node.clone(), source, stop.clone())));
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => break,
        }
    }
    for (_, task) in running {
        task.abort();
    }
}

/// Every stream this node should follow: each member's issuer node, and each peer.
fn sources(node: &Node) -> Vec<Source> {
    let mut out: Vec<Source> = node
        .config
        .peers
        .iter()
        .cloned()
        .map(Source::Peer)
        .collect();
    for registry in node.snapshot().registries() {
        for member in &registry.members {
            if let Some(issuer) = &member.member.endpoints.issuer {
                let source = Source::Issuer(issuer.trim_end_matches('/').to_owned());
                if !out.contains(&source) {
                    out.push(source);
                }
            }
        }
    }
    out
}

/// Follows one source's stream, reopening it with backoff (0.25 s doubling to 30 s)
/// whenever it fails or ends.
async fn subscribe(node: Arc<Node>, source: Source, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut backoff = Duration::from_millis(250);
    loop {
        let url = format!("{}/events", source.base());
        match follow(&node, &source, &url).await {
            Ok(()) => backoff = Duration::from_millis(250),
            Err(e) => {
                lock(&node.sync_state)
                    .stream_errors
                    .insert(url.clone(), e.clone());
                tracing::debug!(stream = %url, error = %e, "event stream closed");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = stop.changed() => return,
        }
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

/// Reads one connection of a stream until it ends, acting on each announcement.
async fn follow(node: &Node, source: &Source, url: &str) -> Result<(), String> {
    // Boxed, as the fetch in `act_on` is: connecting (TLS above all) needs far more
    // room than reading, and every idle subscription would otherwise keep that room.
    let mut stream = Box::pin(node.fetcher.event_stream(url))
        .await
        .map_err(|e: FetchError| e.short())?;
    lock(&node.sync_state).stream_errors.remove(url);
    tracing::info!(stream = %url, "following event stream");
    let mut parser = SseParser::default();
    while let Some(chunk) = stream.next_chunk().await {
        let chunk = chunk.map_err(|e| e.short())?;
        for (event, data) in parser.feed(&chunk)? {
            tracing::debug!(stream = %url, event = %event, data = %probity_spec::text::printable(&data), "announcement");
            let Ok(mut announcement) = serde_json::from_str::<Announcement>(&data) else {
                tracing::debug!(stream = %url, "unreadable announcement ignored");
                continue;
            };
            announcement.kind = event;
            // Boxed, so that a thousand idle subscriptions do not each carry the
            // space a fetch needs.
            Box::pin(act_on(node, source, announcement)).await;
        }
    }
    Ok(())
}

/// Fetches what an announcement names, unless this node already holds it.
async fn act_on(node: &Node, source: &Source, announcement: Announcement) {
    match (
        announcement.kind.as_str(),
        &announcement.url,
        &announcement.federation,
    ) {
        (STATUS_LIST, Some(id), _) => {
            let held = node.held(super::store::DocumentKind::StatusList, id);
            // Only a copy strictly newer than the announced one makes the fetch useless:
            // two versions signed within one second share a validFrom.
            if let (Some(held), Some(offered)) = (&held, &announcement.valid_from) {
                if held.valid_from().as_deref() > Some(offered.as_str()) {
                    return;
                }
            }
            let fetch_from = match source {
                Source::Issuer(_) => id.clone(),
                Source::Peer(base) => relay_url(base, "/relay/status-list", "id", id),
            };
            let outcome = node.fetcher.get(&fetch_from).await;
            // An accepted list enters the snapshot at once.
            super::sync::accept_list(
                node,
                &fetch_from,
                outcome.map(crate::fetch::Conditional::Changed),
            );
        }
        (REGISTRY, _, Some(federation)) => {
            if let Source::Peer(base) = source {
                super::sync::registry_from_peer(node, base, federation).await;
            }
        }
        // `keys` (an issuer's key changed: the registry decides which keys count, so
        // there is nothing to fetch) and `resync` (polling catches up) need no action.
        _ => {}
    }
}

/// `base` + `path` with one query parameter, percent-encoded.
pub fn relay_url(base: &str, path: &str, name: &str, value: &str) -> String {
    match reqwest::Url::parse(&format!("{base}{path}")) {
        Ok(mut url) => {
            url.query_pairs_mut().append_pair(name, value);
            url.to_string()
        }
        Err(_) => format!("{base}{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_read_across_chunks_and_comments() {
        let mut p = SseParser::default();
        assert_eq!(
            p.feed(b": keep-alive\n\nevent: status-list\ndata: {\"url\":")
                .unwrap(),
            vec![]
        );
        let done = p.feed(b"\"x\"}\r\n\r\ndata: plain\n\n").unwrap();
        assert_eq!(
            done,
            vec![
                ("status-list".to_owned(), "{\"url\":\"x\"}".to_owned()),
                ("message".to_owned(), "plain".to_owned())
            ]
        );
        let mut p = SseParser::default();
        assert!(p.feed(&vec![b'a'; MAX_LINE + 1]).is_err());
    }

    #[test]
    fn relay_urls_carry_the_id_encoded() {
        assert_eq!(
            relay_url(
                "http://127.0.0.1:9",
                "/relay/status-list",
                "id",
                "http://a/status/1?x=1&y"
            ),
            "http://127.0.0.1:9/relay/status-list?id=http%3A%2F%2Fa%2Fstatus%2F1%3Fx%3D1%26y"
        );
    }
}
