//! Bearer tokens on the admin routes. A route names the roles it admits by the
//! extractor it takes ([`Admin`] or [`Submitter`]); the extractor runs before the body
//! is read, so an unauthenticated client never gets its body parsed.
//!
//! Repeated bad tokens from one client address are slowed down: after
//! [`FREE_FAILURES`] failures within [`WINDOW`], each further attempt from that address
//! waits twice as long as the one before, up to [`MAX_DELAY`].

use crate::error::ApiError;
use crate::node::Actor;
use crate::records::Role;
use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Failures allowed before attempts are slowed.
pub const FREE_FAILURES: u32 = 5;
/// How long failures are remembered.
pub const WINDOW: Duration = Duration::from_secs(600);
/// The longest an attempt is held.
pub const MAX_DELAY: Duration = Duration::from_secs(5);
/// The first delay past the free failures.
pub const FIRST_DELAY: Duration = Duration::from_millis(200);
/// Longest token looked at; longer ones are refused unhashed.
const MAX_TOKEN_LEN: usize = 256;
/// Addresses remembered at most; the oldest are forgotten past this.
const MAX_CLIENTS: usize = 10_000;

/// Counts failed tokens per client address.
#[derive(Debug, Default)]
pub struct FailureLimiter {
    failures: Mutex<HashMap<Option<IpAddr>, (u32, Instant)>>,
}

impl FailureLimiter {
    /// How long the next attempt from `client` waits.
    pub fn delay(&self, client: Option<IpAddr>) -> Duration {
        let Ok(map) = self.failures.lock() else {
            return MAX_DELAY;
        };
        match map.get(&client) {
            Some((n, since)) if since.elapsed() < WINDOW && *n >= FREE_FAILURES => {
                let doublings = (*n - FREE_FAILURES).min(16);
                FIRST_DELAY.saturating_mul(1 << doublings).min(MAX_DELAY)
            }
            _ => Duration::ZERO,
        }
    }

    /// Records a failed attempt.
    pub fn failed(&self, client: Option<IpAddr>) {
        let Ok(mut map) = self.failures.lock() else {
            return;
        };
        if map.len() >= MAX_CLIENTS {
            map.retain(|_, (_, since)| since.elapsed() < WINDOW);
            if map.len() >= MAX_CLIENTS {
                map.clear();
            }
        }
        let entry = map.entry(client).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= WINDOW {
            *entry = (0, Instant::now());
        }
        entry.0 = entry.0.saturating_add(1);
    }

    /// Forgets a client's failures after it authenticated.
    pub fn succeeded(&self, client: Option<IpAddr>) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&client);
        }
    }
}

/// An admin.
#[derive(Debug)]
pub struct Admin(pub Actor);

/// An admin or an instructor: who may submit IP requests.
#[derive(Debug)]
pub struct Submitter(pub Actor);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        authorize(parts, state, &[Role::Admin]).await.map(Admin)
    }
}

impl FromRequestParts<AppState> for Submitter {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        authorize(parts, state, &[Role::Admin, Role::Instructor])
            .await
            .map(Submitter)
    }
}

async fn authorize(parts: &Parts, state: &AppState, roles: &[Role]) -> Result<Actor, ApiError> {
    let client = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let delay = state.limiter.delay(client);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let header = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or_else(|| {
            ApiError::Unauthorized("this route needs Authorization: Bearer <token>".into())
        })?;
    let token = header
        .to_str()
        .ok()
        .and_then(|h| {
            let (scheme, rest) = h.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .filter(|t| !t.is_empty() && t.len() <= MAX_TOKEN_LEN)
        .map(str::to_owned);
    let Some(token) = token else {
        state.limiter.failed(client);
        return Err(ApiError::Unauthorized(
            "the Authorization header is not Bearer <token>".into(),
        ));
    };
    let issuer = state.issuer.clone();
    let found = tokio::task::spawn_blocking(move || issuer.authenticate(&token))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    let Some(record) = found else {
        state.limiter.failed(client);
        tracing::warn!(client = ?client, "a request came with an unknown token");
        return Err(ApiError::Unauthorized("the token is not valid".into()));
    };
    state.limiter.succeeded(client);
    if !roles.contains(&record.role) {
        return Err(ApiError::Forbidden(format!(
            "a token with the role {} may not do this; it needs {}",
            record.role,
            roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(" or ")
        )));
    }
    Ok(Actor {
        token_id: record.id,
        role: record.role,
    })
}
