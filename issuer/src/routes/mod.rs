//! The HTTP routes, one file per group, and what they share: the JSON body extractor,
//! running store work off the async threads, and the layers that make every error
//! JSON and bound every request in size and time.

pub mod audit;
pub mod credentials;
pub mod import;
pub mod keys;
pub mod public;
pub mod requests;
pub mod vc_api;

use crate::error::ApiError;
use crate::node::NodeError;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::Value;
use std::time::Duration;

/// A JSON request body, read under the route's size limit with Probity's strict
/// parser (duplicate keys, excessive depth and numbers beyond 2^53 refused).
#[derive(Debug)]
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = body_bytes(req, state).await?;
        if bytes.is_empty() {
            return Err(ApiError::BadJson("the body is empty".into()));
        }
        parse(&bytes).map(JsonBody)
    }
}

/// A JSON body that may be absent (empty): then `null`.
#[derive(Debug)]
pub struct OptionalJsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for OptionalJsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = body_bytes(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJsonBody(Value::Null));
        }
        parse(&bytes).map(OptionalJsonBody)
    }
}

async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge("the body is larger than this route accepts".into())
        } else {
            ApiError::BadRequest(format!("the body could not be read: {}", e.body_text()))
        }
    })
}

fn parse(bytes: &[u8]) -> Result<Value, ApiError> {
    probity_spec::json::parse_strict_with_limit(bytes, bytes.len().max(1))
        .map_err(|e| ApiError::BadJson(e.to_string()))
}

/// Runs blocking node work (disk, signing) on the blocking pool.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, NodeError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::Internal(format!("a worker failed: {e}")))?
        .map_err(ApiError::from)
}

/// Maps a path extractor's failure to a JSON 400.
pub fn bad_path(e: axum::extract::rejection::PathRejection) -> ApiError {
    ApiError::BadRequest(format!("the path could not be read: {}", e.body_text()))
}

/// Every route of the node.
pub fn router(state: AppState) -> Router {
    let settings = state.issuer.settings().clone();
    let timeout = Duration::from_secs(settings.request_timeout_seconds);
    let api = Router::new()
        .route("/ip-requests", post(requests::submit))
        .route("/ip-requests/{id}", get(requests::get_one))
        .route("/ip-requests/{id}/approve", post(requests::approve))
        .route("/ip-requests/{id}/reject", post(requests::reject))
        .route("/attestations", post(credentials::attest))
        .route("/credentials", get(credentials::search))
        .route("/credentials/{id}", get(credentials::get_one))
        .route("/credentials/{id}/revoke", post(credentials::revoke))
        .route("/credentials/{id}/suspend", post(credentials::suspend))
        .route("/credentials/{id}/reinstate", post(credentials::reinstate))
        .route("/keys/rotate", post(keys::rotate))
        .route("/tokens", post(keys::create_token))
        .route("/audit", get(audit::export))
        .route(
            "/import",
            post(import::batch).layer(DefaultBodyLimit::max(settings.import_limit_bytes)),
        );
    // Timeouts apply to everything but the event stream, which is meant to stay open.
    let bounded = Router::new()
        .nest("/api/v1", api)
        .route("/credentials/issue", post(vc_api::issue))
        .route("/healthz", get(public::healthz))
        .route("/.well-known/did.json", get(public::did_document))
        .route("/status", get(public::status_index))
        .route("/status/{list}", get(public::status_list))
        .route("/contexts/v1", get(public::context))
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            with_timeout(req, next, timeout)
        }));
    Router::new()
        .merge(bounded)
        .route("/events", get(public::events))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(json_errors))
        .layer(DefaultBodyLimit::max(settings.body_limit_bytes))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NotFound("there is nothing at this path".into())
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

async fn with_timeout(req: Request, next: Next, limit: Duration) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::Timeout.into_response(),
    }
}

/// The safety net: an error answer that some layer wrote as plain text becomes JSON,
/// so a client always gets `{"error": ...}`.
async fn json_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        let reason = status.canonical_reason().unwrap_or("error");
        let mut out = (
            status,
            axum::Json(serde_json::json!({"error": reason.to_lowercase(), "field": null})),
        )
            .into_response();
        for name in [
            axum::http::header::WWW_AUTHENTICATE,
            axum::http::header::RETRY_AFTER,
        ] {
            if let Some(v) = response.headers().get(&name) {
                out.headers_mut().insert(name, v.clone());
            }
        }
        return out;
    }
    response
}
