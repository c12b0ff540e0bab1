//! Public routes: health, the DID document, status lists, Probity's context and the
//! event stream. Nothing here needs a token, and nothing here reveals which
//! credential anyone checks: status lists are whole lists (herd privacy).

use crate::error::ApiError;
use crate::events::NodeEvent;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::stream::{self, Stream};
use serde_json::json;
use std::convert::Infallible;
use tokio::sync::broadcast::error::RecvError;

/// `GET /healthz`.
pub async fn healthz(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(json!({"status": "ok", "did": state.issuer.identity().did}))
}

/// `GET /.well-known/did.json`: every key, current and rotated, of a did:web issuer.
pub async fn did_document(State(state): State<AppState>) -> Result<Response, ApiError> {
    let doc = state.issuer.did_document().ok_or_else(|| {
        ApiError::NotFound(format!(
            "{} is not a did:web: a did:key resolves from itself",
            state.issuer.identity().did
        ))
    })?;
    Ok((
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("application/did+json"),
            ),
            (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        Json(doc),
    )
        .into_response())
}

/// `GET /status/{list}`: the signed BitstringStatusListCredential, with an `ETag`;
/// `304` when `If-None-Match` names the current version.
pub async fn status_list(
    State(state): State<AppState>,
    list: Result<Path<String>, axum::extract::rejection::PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Path(name) = list.map_err(super::bad_path)?;
    let published = state
        .issuer
        .published(&name)
        .ok_or_else(|| ApiError::NotFound("there is no status list of that name".into()))?;
    let etag =
        HeaderValue::from_str(&published.etag).map_err(|e| ApiError::Internal(e.to_string()))?;
    // Caches may keep the list but must ask again each time: a revocation must be
    // seen at once, and the ETag makes asking cheap.
    let cache = HeaderValue::from_static("public, no-cache");
    let matches = headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == published.etag);
    if matches {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(ETAG, etag), (CACHE_CONTROL, cache)],
        )
            .into_response());
    }
    Ok((
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("application/vc+ld+json"),
            ),
            (ETAG, etag),
            (CACHE_CONTROL, cache),
        ],
        published.body.as_ref().clone(),
    )
        .into_response())
}

/// `GET /status`: the index of this node's status lists (SPEC.md §12.2), which a
/// federation registry names as the member's `endpoints.statusLists`.
pub async fn status_index(State(state): State<AppState>) -> Json<serde_json::Value> {
    let lists: Vec<String> = [crate::node::REVOCATION_LIST, crate::node::SUSPENSION_LIST]
        .iter()
        .filter(|name| state.issuer.published(name).is_some())
        .map(|name| state.issuer.list_url(name))
        .collect();
    Json(json!({"statusLists": lists}))
}

/// `GET /contexts/v1`: Probity's JSON-LD context.
pub async fn context() -> Response {
    (
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("application/ld+json"),
            ),
            (
                CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        probity_spec::context::PROBITY_V1_DOCUMENT,
    )
        .into_response()
}

/// `GET /events`: server-sent events. On connecting, a `status-list` event for each
/// list's current version; then one per new version and one `keys` event per key
/// change. A client that falls behind gets a `resync` event and should refetch.
pub async fn events(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = state.issuer.subscribe();
    let mut initial = Vec::new();
    for name in [crate::node::REVOCATION_LIST, crate::node::SUSPENSION_LIST] {
        if let Some(p) = state.issuer.published(name) {
            initial.push(NodeEvent::StatusList {
                list: p.name.clone(),
                url: state.issuer.list_url(&p.name),
                version: p.version,
                valid_from: probity_spec::time::format(p.valid_from),
            });
        }
    }
    let shutdown = state.shutdown.clone();
    let stream = stream::unfold(
        (initial.into_iter(), receiver, shutdown),
        |(mut initial, mut receiver, mut shutdown)| async move {
            if let Some(ev) = initial.next() {
                return Some((Ok(to_sse(&ev)), (initial, receiver, shutdown)));
            }
            loop {
                if *shutdown.borrow() {
                    return None;
                }
                tokio::select! {
                    changed = shutdown.changed() => {
                        if changed.is_err() || *shutdown.borrow() {
                            return None;
                        }
                    }
                    message = receiver.recv() => match message {
                        Ok(ev) => return Some((Ok(to_sse(&ev)), (initial, receiver, shutdown))),
                        Err(RecvError::Lagged(missed)) => {
                            let ev = Event::default().event("resync").data(json!({"missed": missed}).to_string());
                            return Some((Ok(ev), (initial, receiver, shutdown)));
                        }
                        Err(RecvError::Closed) => return None,
                    }
                }
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}

fn to_sse(ev: &NodeEvent) -> Event {
    let data = serde_json::to_string(ev).unwrap_or_else(|_| "{}".into());
    let event = Event::default().event(ev.name()).data(data);
    match ev {
        NodeEvent::StatusList { version, list, .. } => event.id(format!("{list}-v{version}")),
        NodeEvent::Keys { .. } => event,
    }
}
