//! The verifier node: an HTTP service that holds the federation's trust data (signed
//! registries and status lists, kept in its own store and refreshed by a sync loop)
//! and answers verification requests with the one pure `verify()`.
//!
//! `main` builds a [`NodeConfig`], then calls [`serve`] with a listener and a shutdown
//! future; tests do the same on `127.0.0.1:0`.

pub mod api;
pub mod config;
pub mod events;
pub mod identity;
pub mod metrics;
pub mod page;
pub mod store;
pub mod sync;

use crate::fetch::{FetchPolicy, Fetcher};
use chrono::{DateTime, Utc};
pub use config::NodeConfig;
use probity_spec::trust::TrustSnapshot;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, RwLock};
use store::{DocumentKind, Store, StoredDocument};

/// Why the node could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NodeError {
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The HTTP client could not start.
    #[error(transparent)]
    Fetch(#[from] crate::fetch::FetchError),
    /// The node's receipt key could not be read or created.
    #[error(transparent)]
    Identity(#[from] identity::IdentityError),
    /// The server failed.
    #[error("the server failed: {0}")]
    Serve(#[from] std::io::Error),
}

/// Where the node's clock comes from: the real one in service, a fixed or moving one
/// in tests, so that every verdict a test sees is judged at a time it chose.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The real clock.
pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

/// What the node has held and learned, per federation and per issuer, for
/// `/api/v1/sync` and the metrics.
#[derive(Debug, Default, Clone)]
pub struct SyncState {
    /// Per federation root key: the registry version held and the last problem.
    pub registries: HashMap<String, RegistryState>,
    /// Per status list id: the issuer and the last problem, if any.
    pub list_errors: HashMap<String, String>,
    /// When the last sync round finished.
    pub last_round: Option<DateTime<Utc>>,
    /// Per event stream followed: why it is not open now, if it is not.
    pub stream_errors: HashMap<String, String>,
    /// Fetches that failed since the node started.
    pub fetch_failures: u64,
}

/// What is known of one federation's registry.
#[derive(Debug, Default, Clone)]
pub struct RegistryState {
    /// The version held, if any.
    pub version: Option<u64>,
    /// The last refusal or failure, with when it happened.
    pub last_problem: Option<String>,
}

/// The node's shared state.
pub struct Node {
    /// The configuration.
    pub config: NodeConfig,
    /// The node's DID and the key it signs receipts with (SPEC.md §14.1).
    pub identity: identity::NodeIdentity,
    store: Store,
    fetcher: Fetcher,
    clock: Clock,
    /// Every accepted document, by store key: the source of truth for snapshots.
    held: Mutex<HashMap<(DocumentKind, String), Arc<StoredDocument>>>,
    /// The snapshot verifications read: a list accepted enters it at once, and it is
    /// rebuilt from the documents held when a registry changes and after each round.
    snapshot: RwLock<Arc<TrustSnapshot>>,
    /// Held by whoever is making the next snapshot, so that two changes made at once
    /// (a pushed list and a polled one) cannot lose one another.
    snapshot_writer: Mutex<()>,
    sync_state: Mutex<SyncState>,
    /// Counters for `/metrics`.
    pub metrics: metrics::Metrics,
    /// Announcements of documents this node accepted, for its `/events` subscribers.
    events: tokio::sync::broadcast::Sender<events::Announcement>,
}

impl Node {
    /// Opens the store and loads what it holds, so the node verifies from its last
    /// known data before the first sync (and with the network down).
    pub fn open(config: NodeConfig, clock: Clock) -> Result<Arc<Self>, NodeError> {
        let store = Store::open(&config.data_dir)?;
        let identity = identity::NodeIdentity::load_or_create(&config)?;
        let policy = FetchPolicy {
            allow_loopback: config.allow_loopback,
            allow_private: config.allow_private,
            deny_hosts: config.deny_hosts.clone(),
        };
        let fetcher = Fetcher::new(policy, config.fetch_timeout)?;
        let mut held = HashMap::new();
        for document in store.all()? {
            held.insert((document.kind, document.key.clone()), Arc::new(document));
        }
        let node = Arc::new(Node {
            config,
            identity,
            store,
            fetcher,
            clock,
            held: Mutex::new(held),
            snapshot: RwLock::new(Arc::new(TrustSnapshot::new())),
            snapshot_writer: Mutex::new(()),
            sync_state: Mutex::new(SyncState::default()),
            metrics: metrics::Metrics::default(),
            events: tokio::sync::broadcast::channel(events::CHANNEL_CAPACITY).0,
        });
        node.rebuild_snapshot();
        Ok(node)
    }

    /// The time now, by the node's clock.
    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// The snapshot to verify against.
    pub fn snapshot(&self) -> Arc<TrustSnapshot> {
        match self.snapshot.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// A copy of what the sync loop knows.
    pub fn sync_state(&self) -> SyncState {
        lock(&self.sync_state).clone()
    }

    /// Every document held, for `/api/v1/sync` and `/api/v1/bundle`.
    pub fn held_documents(&self) -> Vec<Arc<StoredDocument>> {
        let mut all: Vec<Arc<StoredDocument>> = lock(&self.held).values().cloned().collect();
        all.sort_by(|a, b| (a.kind as u8, &a.key).cmp(&(b.kind as u8, &b.key)));
        all
    }

    /// Rebuilds the snapshot from the documents held, judged now: registries first
    /// (the highest version of each federation), then status lists, each checked again
    /// as it enters (a list whose signer is no longer trusted does not count).
    pub fn rebuild_snapshot(&self) {
        let _writing = lock(&self.snapshot_writer);
        let now = self.now();
        let held = lock(&self.held).clone();
        let mut trust = TrustSnapshot::new();
        // The node's freshness rule is about its copies: how long since each list was
        // last fetched or confirmed unchanged (issue lists' own ages follow §8.9).
        trust.data_warn_age = Some(to_chrono(self.config.warn_after));
        trust.max_data_age = Some(to_chrono(self.config.max_age));
        let pinned: Vec<_> = self.config.federations.iter().map(|f| f.root_key).collect();
        for document in held.values().filter(|d| d.kind == DocumentKind::Registry) {
            let outcome = probity_spec::json::parse_strict(document.body.as_bytes())
                .map_err(|e| e.to_string())
                .and_then(|value| {
                    trust
                        .add_registry(value, &pinned, now)
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                });
            if let Err(e) = outcome {
                tracing::warn!(federation = %document.key, error = %e, "held registry not usable now");
            }
        }
        for document in held.values().filter(|d| d.kind == DocumentKind::StatusList) {
            let confirmed = probity_spec::time::parse(&document.confirmed_at).unwrap_or(now);
            let outcome = probity_spec::json::parse_strict(document.body.as_bytes())
                .map_err(|e| e.to_string())
                .and_then(|value| {
                    trust
                        .add_status_list(&document.source, value, confirmed)
                        .map_err(|e| e.to_string())
                });
            if let Err(e) = outcome {
                tracing::warn!(list = %probity_spec::text::printable(&document.key), error = %probity_spec::text::printable(&e), "held status list not usable now");
            } else if !document.kept_revoked.is_empty() {
                if let Some(issuer) = document.issuer() {
                    trust.keep_revoked(&document.key, &issuer, &document.kept_revoked);
                }
            }
        }
        self.install(trust);
    }

    /// Makes `trust` the snapshot verifications read. Callers hold `snapshot_writer`.
    fn install(&self, trust: TrustSnapshot) {
        match self.snapshot.write() {
            Ok(mut guard) => *guard = Arc::new(trust),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(trust),
        }
    }

    /// Tries `change` on a copy of the snapshot (lists and registries are shared, not
    /// copied) and, when it succeeds and `keep` succeeds too, installs the copy: a
    /// document enters what verifications see only once it is on disk.
    fn change_snapshot<T, E>(
        &self,
        change: impl FnOnce(&mut TrustSnapshot) -> Result<T, E>,
        keep: impl FnOnce(T) -> Result<(), E>,
    ) -> Result<(), E> {
        let _writing = lock(&self.snapshot_writer);
        let mut trial = (*self.snapshot()).clone();
        let changed = change(&mut trial)?;
        keep(changed)?;
        self.install(trial);
        Ok(())
    }

    /// Keeps a document: on disk first, then in memory.
    fn keep(&self, mut document: StoredDocument) -> Result<(), store::StoreError> {
        self.store.put(&document)?;
        // Held until replaced: a thousand issuers' documents should not each keep the
        // spare room their text was built with.
        document.body.shrink_to_fit();
        lock(&self.held).insert((document.kind, document.key.clone()), Arc::new(document));
        Ok(())
    }

    /// Announces a document this node accepted to its `/events` subscribers (nobody
    /// listening is fine).
    pub fn announce(&self, announcement: events::Announcement) {
        let _ = self.events.send(announcement);
    }

    /// A new receiver of this node's announcements.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<events::Announcement> {
        self.events.subscribe()
    }

    /// The document held under this kind and key.
    pub fn held(&self, kind: DocumentKind, key: &str) -> Option<Arc<StoredDocument>> {
        lock(&self.held).get(&(kind, key.to_owned())).cloned()
    }
}

/// Locks a mutex, taking the data even if a holder panicked: every value kept behind
/// these locks is whole after each statement.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

fn to_chrono(d: std::time::Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// Runs the node on `listener` until `shutdown` completes: the sync loop and the HTTP
/// service together.
pub async fn serve(
    node: Arc<Node>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), NodeError> {
    let (stop_sync, stopped) = tokio::sync::watch::channel(false);
    let sync_task = tokio::spawn(sync::run(node.clone(), stopped.clone()));
    let events_task = tokio::spawn(events::supervise(node.clone(), stopped));
    let app = api::router(node);
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    let _ = stop_sync.send(true);
    let _ = sync_task.await;
    let _ = events_task.await;
    result.map_err(NodeError::Serve)
}

#[cfg(test)]
mod tests;
