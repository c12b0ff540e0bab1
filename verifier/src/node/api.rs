//! The verifier node's HTTP API.
//!
//! | route | what it does |
//! |---|---|
//! | `POST /api/v1/verify` | verifies a credential (JSON), a QR payload or link (text, or `{"payload": …}`), or an uploaded image (multipart); `?at=` judges as of another time; `?receipt=true` adds a signed receipt (SPEC.md §14) |
//! | `POST /credentials/verify` | the same, in the W3C VC API shape |
//! | `GET /api/v1/sync` | per federation and per issuer: what is held and how fresh |
//! | `GET /api/v1/bundle` | every signed document held, as one file for `probity verify --bundle` |
//! | `GET /events` | announcements of each document this node accepts (server-sent events) |
//! | `GET /relay/index`, `/relay/status-list?id=`, `/relay/registry?federation=`, `/relay/did?id=` | the documents held, for other nodes |
//! | `GET /metrics` | Prometheus text |
//! | `GET /healthz` | liveness, and the node's DID |
//! | `GET /api/v1/node` | the node's DID and receipt-signing method, for pinning |
//! | `GET /.well-known/did.json` | the node's DID document |
//!
//! Every client fault is a 4xx with a JSON body `{"error": …}` naming what was wrong;
//! a 5xx says only that something failed, and the detail goes to the log.

use super::config::VcApiTrust;
use super::store::DocumentKind;
use super::Node;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use probity_spec::receipt::{StatusFreshness, VerificationRecord};
use probity_spec::verify::{CheckId, CheckStatus, Report};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// A request longer than this is answered with 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The one error type of the API.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    /// A client fault: `status` (4xx) with a message naming what was wrong.
    pub fn client(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::client(StatusCode::BAD_REQUEST, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = if self.status.is_server_error() {
            tracing::error!(detail = %self.message, "request failed");
            json!({"error": "the verifier failed to answer; the detail is in its log"})
        } else {
            json!({"error": self.message})
        };
        (self.status, Json(body)).into_response()
    }
}

struct AppState {
    node: Arc<Node>,
    permits: Arc<Semaphore>,
    /// Event-stream subscribers at once; each holds a connection open.
    streams: Arc<Semaphore>,
}

/// Most event-stream subscribers served at once.
const MAX_STREAMS: usize = 256;

/// The node's routes, with body limits and timeouts.
pub fn router(node: Arc<Node>) -> Router {
    let max_body = node.config.max_body;
    let permits = Arc::new(Semaphore::new(node.config.concurrency));
    let state = Arc::new(AppState {
        node,
        permits,
        streams: Arc::new(Semaphore::new(MAX_STREAMS)),
    });
    Router::new()
        .route("/", get(super::page::index))
        .route("/page.css", get(super::page::style))
        .route("/page.js", get(super::page::script))
        .route("/api/v1/verify", post(verify))
        .route("/credentials/verify", post(vc_api_verify))
        .route("/api/v1/sync", get(sync))
        .route("/api/v1/bundle", get(bundle))
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .route("/api/v1/node", get(node_identity))
        .route("/.well-known/did.json", get(did_document))
        .route("/events", get(events))
        .route("/relay/index", get(relay_index))
        .route("/relay/status-list", get(relay_status_list))
        .route("/relay/registry", get(relay_registry))
        .route("/relay/did", get(relay_did))
        .fallback(|| async {
            ApiError::client(StatusCode::NOT_FOUND, "no such route; see /api/v1/verify, /api/v1/sync, /api/v1/bundle, /metrics, /healthz")
        })
        .layer(DefaultBodyLimit::max(max_body))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .with_state(state)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyQuery {
    /// Judge as of this time (RFC 3339) instead of now.
    at: Option<String>,
    /// Add a receipt signed by the node (SPEC.md §14.4).
    #[serde(default)]
    receipt: bool,
}

impl VerifyQuery {
    fn at(&self, node: &Node) -> Result<DateTime<Utc>, ApiError> {
        match &self.at {
            None => Ok(node.now()),
            Some(text) => probity_spec::time::parse(text)
                .map_err(|e| ApiError::bad_request(format!("at: {e}"))),
        }
    }
}

/// Takes a permit to verify, or refuses at once when the node is at its limit.
fn permit(state: &AppState) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
    state.permits.clone().try_acquire_owned().map_err(|_| {
        ApiError::client(
            StatusCode::SERVICE_UNAVAILABLE,
            "the verifier is at its limit of requests at once; try again shortly",
        )
    })
}

async fn verify(
    State(state): State<Arc<AppState>>,
    query: Result<Query<VerifyQuery>, axum::extract::rejection::QueryRejection>,
    request: Request,
) -> Result<Json<Value>, ApiError> {
    let _permit = permit(&state)?;
    let node = &state.node;
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let at = query.at(node)?;
    let credential = match read_credential(request).await {
        Ok(c) => c,
        Err(e) => {
            node.metrics.count_refused();
            return Err(e);
        }
    };
    let snapshot = node.snapshot();
    let report = probity_spec::verify(&credential, &snapshot, at);
    node.metrics.count_verdict(report.verdict);
    let mut body = serde_json::to_value(&report).map_err(|e| ApiError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        message: e.to_string(),
    })?;
    let freshness = status_data(node, &credential, at);
    let oldest = freshness.iter().filter_map(|l| l.age_seconds).max();
    body["statusData"] = json!({"lists": freshness, "oldestAgeSeconds": oldest});
    body["checkedAt"] = json!(probity_spec::time::format(at));
    if query.receipt {
        // One signature: cheap enough for the async thread.
        let record = VerificationRecord::new(&credential, &report, at, freshness);
        let identity = &node.identity;
        let receipt = probity_spec::receipt::sign(
            &identity.did,
            &identity.verification_method,
            identity.signing_key(),
            &record,
            node.now(),
        )
        .map_err(|e| ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: format!("signing the receipt: {e}"),
        })?;
        body["receipt"] = receipt;
    }
    Ok(Json(body))
}

/// How fresh the status data behind a verdict was: for each list the credential
/// names, when the node last fetched or confirmed it.
fn status_data(node: &Node, credential: &[u8], at: DateTime<Utc>) -> Vec<StatusFreshness> {
    crate::gather::status_list_urls(credential)
        .into_iter()
        .map(|url| match node.held(DocumentKind::StatusList, &url) {
            Some(d) => StatusFreshness {
                age_seconds: probity_spec::time::parse(&d.confirmed_at)
                    .map(|t| (at - t).num_seconds().max(0).unsigned_abs())
                    .ok(),
                confirmed_at: Some(d.confirmed_at.clone()),
                held: true,
                id: url,
            },
            None => StatusFreshness {
                id: url,
                held: false,
                confirmed_at: None,
                age_seconds: None,
            },
        })
        .collect()
}

/// Reads the credential from whatever the client sent: JSON (a credential, or
/// `{"credential": …}`, or `{"payload": "PB1:…"}`), plain text (a payload or link), or
/// a multipart upload (an image of the code, a payload, or JSON).
async fn read_credential(request: Request) -> Result<Vec<u8>, ApiError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(request, &())
            .await
            .map_err(|e| ApiError::client(e.status(), e.body_text()))?;
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| ApiError::client(e.status(), e.body_text()))?
        {
            let data = field
                .bytes()
                .await
                .map_err(|e| ApiError::client(e.status(), e.body_text()))?;
            if data.is_empty() {
                continue;
            }
            return credential_from_upload(data).await;
        }
        return Err(ApiError::bad_request("the upload holds no file"));
    }
    let body = Bytes::from_request(request, &())
        .await
        .map_err(|e| ApiError::client(e.status(), e.body_text()))?;
    if content_type.starts_with("text/plain") {
        let text = std::str::from_utf8(&body)
            .map_err(|_| ApiError::bad_request("the text is not UTF-8"))?;
        return payload_to_json(text);
    }
    if content_type.is_empty() || content_type.contains("json") {
        return credential_from_json(&body);
    }
    if content_type.starts_with("image/") {
        return credential_from_upload(body).await;
    }
    Err(ApiError::client(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        format!("cannot read {content_type}; send JSON, text/plain (a QR payload) or multipart/form-data (an image)"),
    ))
}

fn credential_from_json(body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let value = probity_spec::json::parse_strict(body)
        .map_err(|e| ApiError::bad_request(format!("the body is not usable JSON: {e}")))?;
    let Value::Object(map) = &value else {
        return Err(ApiError::bad_request(
            "the body must be a JSON object: a credential, {\"credential\": …} or {\"payload\": \"PB1:…\"}",
        ));
    };
    if map.contains_key("@context") {
        // The credential's own bytes go to verify(), which judges them itself.
        return Ok(body.to_vec());
    }
    match (map.get("credential"), map.get("payload")) {
        (Some(c @ Value::Object(_)), None) => Ok(c.to_string().into_bytes()),
        (Some(_), None) => Err(ApiError::bad_request("credential: must be a JSON object")),
        (None, Some(Value::String(text))) => payload_to_json(text),
        (None, Some(_)) => Err(ApiError::bad_request("payload: must be a string")),
        _ => Err(ApiError::bad_request(
            "the body must be a credential, {\"credential\": …} or {\"payload\": \"PB1:…\"}",
        )),
    }
}

fn payload_to_json(text: &str) -> Result<Vec<u8>, ApiError> {
    let value = probity_spec::compact::from_text(text)
        .map_err(|e| ApiError::client(StatusCode::UNPROCESSABLE_ENTITY, format!("payload: {e}")))?;
    Ok(value.to_string().into_bytes())
}

async fn credential_from_upload(data: Bytes) -> Result<Vec<u8>, ApiError> {
    if crate::qr::is_image(&data) {
        // Decoding is CPU work with its own time budget: off the async threads.
        let text = tokio::task::spawn_blocking(move || crate::qr::decode_image(&data))
            .await
            .map_err(|e| ApiError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                message: e.to_string(),
            })?
            .map_err(|e| {
                ApiError::client(StatusCode::UNPROCESSABLE_ENTITY, format!("image: {e}"))
            })?;
        return payload_to_json(&text);
    }
    match std::str::from_utf8(&data) {
        Ok(text) if probity_spec::compact::is_text(text) => payload_to_json(text),
        _ => credential_from_json(&data),
    }
}

/// W3C VC API `POST /credentials/verify`: `{"verifiableCredential": …, "options": …}`.
async fn vc_api_verify(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, ApiError> {
    let _permit = permit(&state)?;
    let node = &state.node;
    let body = body.map_err(|e| ApiError::client(e.status(), e.body_text()))?;
    if let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        if !ct.to_ascii_lowercase().contains("json") {
            return Err(ApiError::client(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send application/json",
            ));
        }
    }
    let value = probity_spec::json::parse_strict(&body)
        .map_err(|e| ApiError::bad_request(format!("the body is not usable JSON: {e}")))?;
    let credential = match value.get("verifiableCredential") {
        Some(c @ Value::Object(_)) => c.to_string().into_bytes(),
        Some(_) => {
            return Err(ApiError::bad_request(
                "verifiableCredential: must be a JSON object",
            ))
        }
        None => return Err(ApiError::bad_request("verifiableCredential: is missing")),
    };
    let snapshot = node.snapshot();
    let at = node.now();
    let report = probity_spec::verify(&credential, &snapshot, at);
    node.metrics.count_verdict(report.verdict);
    let (verified, answer) = vc_api_answer(&report, node.config.vc_api_trust);
    let status = if verified {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok((status, Json(answer)).into_response())
}

/// The VC API answer for a report: which checks passed, the warnings, the errors.
pub(crate) fn vc_api_answer(report: &Report, trust: VcApiTrust) -> (bool, Value) {
    let mut checks = Vec::new();
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    for check in &report.checks {
        // A generic verifier (proof-only) reports the issuer's standing, but does not
        // let it decide.
        let advisory = trust == VcApiTrust::ProofOnly
            && matches!(check.id, CheckId::Issuer | CheckId::Accreditation);
        match check.status {
            CheckStatus::Pass => checks.push(check.id.as_str()),
            CheckStatus::Warn => {
                checks.push(check.id.as_str());
                warnings.push(json!({"check": check.id.as_str(), "message": check.message}));
            }
            CheckStatus::Fail | CheckStatus::Skip if advisory => {
                warnings.push(json!({"check": check.id.as_str(), "message": check.message}));
            }
            CheckStatus::Fail | CheckStatus::Skip => {
                errors.push(json!({"check": check.id.as_str(), "message": check.message}));
            }
        }
    }
    let verified = errors.is_empty();
    (
        verified,
        json!({
            "verified": verified,
            "verdict": if trust == VcApiTrust::ProofOnly && verified { "VALID".to_owned() } else { report.verdict.to_string() },
            "checks": checks,
            "warnings": warnings,
            "errors": errors,
        }),
    )
}

async fn sync(State(state): State<Arc<AppState>>) -> Json<Value> {
    let node = &state.node;
    let now = node.now();
    let sync_state = node.sync_state();
    let held = node.held_documents();
    let mut registries = Vec::new();
    for federation in &node.config.federations {
        let key = &federation.root_key_text;
        let document = held
            .iter()
            .find(|d| d.kind == DocumentKind::Registry && &d.key == key);
        let known = sync_state.registries.get(key);
        registries.push(json!({
            "federationKey": key,
            "version": document.and_then(|d| d.registry_version()),
            "source": document.map(|d| d.source.clone()),
            "confirmedAt": document.map(|d| d.confirmed_at.clone()),
            "lastProblem": known.and_then(|k| k.last_problem.clone()),
        }));
    }
    let mut issuers: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for d in held.iter().filter(|d| d.kind == DocumentKind::StatusList) {
        let issuer = d.issuer().unwrap_or_else(|| "(unknown)".to_owned());
        let age = probity_spec::time::parse(&d.confirmed_at)
            .map(|t| (now - t).num_seconds().max(0))
            .ok();
        issuers.entry(issuer).or_default().push(json!({
            "id": d.key,
            "confirmedAt": d.confirmed_at,
            "ageSeconds": age,
            "lastProblem": sync_state.list_errors.get(&d.key),
        }));
    }
    let issuers: Vec<Value> = issuers
        .into_iter()
        .map(|(did, lists)| json!({"issuer": did, "statusLists": lists}))
        .collect();
    let failing: Vec<Value> = sync_state
        .list_errors
        .iter()
        .filter(|(id, _)| !held.iter().any(|d| &&d.key == id))
        .map(|(id, problem)| json!({"id": id, "problem": problem}))
        .collect();
    Json(json!({
        "now": probity_spec::time::format(now),
        "lastRound": sync_state.last_round.map(probity_spec::time::format),
        "registries": registries,
        "issuers": issuers,
        "unavailableLists": failing,
        "didDocuments": held.iter().filter(|d| d.kind == DocumentKind::DidDocument).count(),
        "fetchFailures": sync_state.fetch_failures,
    }))
}

/// The bundle: every signed document held, with when each was confirmed, for
/// `probity verify --bundle`. Everything in it is signed, so it can travel by any
/// means; the reader still pins its own federation keys.
async fn bundle(State(state): State<Arc<AppState>>) -> Json<Value> {
    let node = &state.node;
    let held = node.held_documents();
    let section = |kind: DocumentKind| -> Vec<Value> {
        held.iter()
            .filter(|d| d.kind == kind)
            .filter_map(|d| {
                let document: Value = serde_json::from_str(&d.body).ok()?;
                Some(json!({"source": d.source, "confirmedAt": d.confirmed_at, "document": document}))
            })
            .collect()
    };
    Json(json!({
        "type": "ProbityTrustBundle",
        "createdAt": probity_spec::time::format(node.now()),
        "registries": section(DocumentKind::Registry),
        "didDocuments": section(DocumentKind::DidDocument),
        "statusLists": section(DocumentKind::StatusList),
    }))
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let node = &state.node;
    let now = node.now();
    let held = node.held_documents();
    let mut oldest: BTreeMap<String, f64> = BTreeMap::new();
    for d in held.iter().filter(|d| d.kind == DocumentKind::StatusList) {
        let issuer = d.issuer().unwrap_or_else(|| "(unknown)".to_owned());
        if let Ok(t) = probity_spec::time::parse(&d.confirmed_at) {
            let age = (now - t).num_milliseconds().max(0) as f64 / 1000.0;
            let entry = oldest.entry(issuer).or_insert(0.0);
            *entry = entry.max(age);
        }
    }
    let ages: Vec<(String, f64)> = oldest.into_iter().collect();
    let versions: Vec<(String, u64)> = held
        .iter()
        .filter(|d| d.kind == DocumentKind::Registry)
        .filter_map(|d| Some((d.key.clone(), d.registry_version()?)))
        .collect();
    let text = node
        .metrics
        .render(&ages, node.sync_state().fetch_failures, &versions);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

async fn healthz(State(state): State<Arc<AppState>>) -> Json<Value> {
    let snapshot = state.node.snapshot();
    Json(
        json!({"status": "ok", "registries": snapshot.registries().len(), "did": state.node.identity.did}),
    )
}

/// Who this node is, so that a person can pin the DID its receipts are signed by.
async fn node_identity(State(state): State<Arc<AppState>>) -> Json<Value> {
    let identity = &state.node.identity;
    Json(json!({
        "did": identity.did,
        "verificationMethod": identity.verification_method,
        "didDocument": "/.well-known/did.json",
    }))
}

/// The node's DID document: for a did:web served at the DID's host, its resolution.
async fn did_document(State(state): State<Arc<AppState>>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/did+json")],
        Json(state.node.identity.did_document()),
    )
        .into_response()
}

/// This node's announcements as server-sent events, with a keep-alive comment every
/// 15 seconds. A subscriber that falls behind by more than the channel holds skips
/// ahead; its polling catches up.
async fn events(
    State(state): State<Arc<AppState>>,
) -> Result<
    axum::response::sse::Sse<
        impl futures_util::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>,
    >,
    ApiError,
> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    let permit = state.streams.clone().try_acquire_owned().map_err(|_| {
        ApiError::client(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many event-stream subscribers; poll /relay/index instead",
        )
    })?;
    let receiver = state.node.subscribe();
    let stream =
        futures_util::stream::unfold((receiver, permit), |(mut receiver, permit)| async move {
            loop {
                match receiver.recv().await {
                    Ok(announcement) => {
                        let data = serde_json::to_string(&announcement).unwrap_or_default();
                        let event = Event::default().event(announcement.kind.clone()).data(data);
                        return Some((Ok(event), (receiver, permit)));
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                }
            }
        });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// What this node holds, for peers deciding what to fetch: each registry's version and
/// each status list's `validFrom`.
async fn relay_index(State(state): State<Arc<AppState>>) -> Json<Value> {
    let held = state.node.held_documents();
    let mut registries = Vec::new();
    let mut lists = Vec::new();
    for d in &held {
        match d.kind {
            DocumentKind::Registry => registries.push(json!({
                "federation": d.key,
                "version": d.registry_version(),
            })),
            DocumentKind::StatusList => {
                lists.push(json!({
                    "id": d.key,
                    "validFrom": d.valid_from(),
                    "digest": super::store::digest(&d.body),
                }));
            }
            DocumentKind::DidDocument => {}
        }
    }
    Json(json!({"registries": registries, "statusLists": lists}))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RelayQuery {
    id: Option<String>,
    federation: Option<String>,
}

/// The signed document held, exactly as accepted.
fn relay(
    state: &AppState,
    kind: DocumentKind,
    key: Option<&str>,
    name: &str,
) -> Result<Response, ApiError> {
    let key = key.ok_or_else(|| ApiError::bad_request(format!("{name}: is missing")))?;
    let document = state.node.held(kind, key).ok_or_else(|| {
        ApiError::client(
            StatusCode::NOT_FOUND,
            format!("{name}: this node holds no such document"),
        )
    })?;
    Ok((
        [(header::CONTENT_TYPE, "application/vc+ld+json")],
        document.body.clone(),
    )
        .into_response())
}

async fn relay_status_list(
    State(state): State<Arc<AppState>>,
    query: Result<Query<RelayQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    relay(&state, DocumentKind::StatusList, query.id.as_deref(), "id")
}

async fn relay_did(
    State(state): State<Arc<AppState>>,
    query: Result<Query<RelayQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    relay(&state, DocumentKind::DidDocument, query.id.as_deref(), "id")
}

async fn relay_registry(
    State(state): State<Arc<AppState>>,
    query: Result<Query<RelayQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    relay(
        &state,
        DocumentKind::Registry,
        query.federation.as_deref(),
        "federation",
    )
}
