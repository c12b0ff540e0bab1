//! The Probity issuer node: the service a certifying body or a hospital runs to issue
//! IP certificates and skill attestations, allocate IP numbers and status-list
//! indexes, publish revocations and suspensions, and keep an audit log.
//!
//! It is the authoritative record of what its organisation has issued, so every
//! answer that says "done" is already on disk: each change is one store transaction
//! (with its audit entries), committed durably before the answer.
//!
//! | module | what it holds |
//! |---|---|
//! | [`node`] | the work itself: issuing, approving, revoking, rotating, importing |
//! | [`store`] | the store (redb), behind one module |
//! | [`allocation`](crate::allocation) | IP numbers in sequence, status indexes at random |
//! | [`audit`] | the hash-chained audit log and the check of an export |
//! | [`candidate`] | reading and checking what clients send |
//! | [`config`] | `issuer.toml` and its environment overrides |
//! | [`auth`] | bearer tokens, roles, slowing down bad guesses |
//! | [`routes`] | the HTTP routes, one file per group |
//! | [`error`] | the one API error type |
//!
//! A binary starts it with [`run`]; tests call [`router`] directly.
#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod allocation;
pub mod audit;
pub mod auth;
pub mod candidate;
pub mod clock;
pub mod config;
pub mod error;
pub mod events;
pub mod keyring;
pub mod node;
pub mod records;
pub mod routes;
pub mod store;

pub use probity_spec as spec;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// What every route can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The node.
    pub issuer: Arc<node::Issuer>,
    /// Bad-token counts per client.
    pub limiter: Arc<auth::FailureLimiter>,
    /// Becomes `true` when the node shuts down; open event streams end then.
    pub shutdown: watch::Receiver<bool>,
}

impl AppState {
    /// State for `issuer`, with a shutdown signal that never fires (for tests).
    pub fn new(issuer: Arc<node::Issuer>) -> Self {
        let (sender, shutdown) = watch::channel(false);
        // Kept alive for the life of the process so the receiver never sees a
        // closed channel.
        std::mem::forget(sender);
        AppState {
            issuer,
            limiter: Arc::default(),
            shutdown,
        }
    }
}

/// The node's HTTP routes.
pub fn router(state: AppState) -> axum::Router {
    routes::router(state)
}

/// How often the node checks whether its status lists are due for re-signing.
const REPUBLISH_CHECK: Duration = Duration::from_secs(60);

/// Serves the node on `listener` until `shutdown` completes, re-signing its status
/// lists whenever they are due. Open event streams are ended at shutdown so that the
/// server can finish.
pub async fn run(
    listener: tokio::net::TcpListener,
    issuer: Arc<node::Issuer>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop, stopped) = watch::channel(false);
    let state = AppState {
        issuer: issuer.clone(),
        limiter: Arc::default(),
        shutdown: stopped.clone(),
    };
    let mut ticker_stop = stopped;
    let republisher = tokio::spawn(async move {
        let mut ticker = tokio::time::interval(REPUBLISH_CHECK);
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                _ = ticker_stop.changed() => return,
            }
            if issuer.lists_due() {
                let node = issuer.clone();
                match tokio::task::spawn_blocking(move || node.republish()).await {
                    Ok(Ok(())) => tracing::info!("status lists re-signed"),
                    Ok(Err(e)) => {
                        tracing::error!(error = %e, "status lists could not be re-signed")
                    }
                    Err(e) => tracing::error!(error = %e, "status list worker failed"),
                }
            }
        }
    });
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            let _ = stop.send(true);
        })
        .await;
    republisher.abort();
    served
}
