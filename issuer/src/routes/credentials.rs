//! Issued credentials: attestations (hospital nodes), reading and searching, and
//! status changes. A status change answers only once the re-signed list is stored,
//! published and announced.

use super::{bad_path, blocking, JsonBody};
use crate::auth::Admin;
use crate::error::ApiError;
use crate::node::{self, StatusAction};
use crate::records::CredentialRecord;
use crate::AppState;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};
use std::collections::HashMap;

/// Most credentials one search returns.
pub const SEARCH_LIMIT: usize = 100;

/// `POST /api/v1/attestations` (admin, hospital nodes): `201 {"id", "credential"}`.
pub async fn attest(
    State(state): State<AppState>,
    Admin(actor): Admin,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let issuer = state.issuer.clone();
    let record = blocking(move || issuer.issue_attestation(&actor, &body)).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": record.id, "credential": record.credential})),
    ))
}

fn record_json(record: &CredentialRecord) -> Result<Value, ApiError> {
    serde_json::to_value(record).map_err(|e| ApiError::Internal(e.to_string()))
}

/// `GET /api/v1/credentials/{id}` (admin), the id with or without `urn:uuid:`.
pub async fn get_one(
    State(state): State<AppState>,
    Admin(_): Admin,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(id) = id.map_err(bad_path)?;
    let issuer = state.issuer.clone();
    let record = blocking(move || issuer.credential(&id)).await?;
    Ok(Json(record_json(&record)?))
}

/// `GET /api/v1/credentials?holder=…&registrationNumber=…&ipNumber=…` (admin): the
/// credentials matching every criterion given.
pub async fn search(
    State(state): State<AppState>,
    Admin(_): Admin,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(query) = query.map_err(|e| {
        ApiError::BadRequest(format!("the query could not be read: {}", e.body_text()))
    })?;
    if let Some(key) = query
        .keys()
        .find(|k| !["holder", "registrationNumber", "ipNumber"].contains(&k.as_str()))
    {
        return Err(ApiError::Invalid {
            field: key.chars().take(60).collect(),
            reason: "is not a search criterion; use holder, registrationNumber or ipNumber".into(),
        });
    }
    let get = |k: &str| {
        query
            .get(k)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let (holder, registration, ip) = (get("holder"), get("registrationNumber"), get("ipNumber"));
    if holder.is_none() && registration.is_none() && ip.is_none() {
        return Err(ApiError::Invalid {
            field: "holder".into(),
            reason: "give holder, registrationNumber or ipNumber".into(),
        });
    }
    let issuer = state.issuer.clone();
    let found = blocking(move || {
        issuer.search(
            holder.as_deref(),
            registration.as_deref(),
            ip.as_deref(),
            SEARCH_LIMIT,
        )
    })
    .await?;
    let list = found
        .iter()
        .map(record_json)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(json!({"credentials": list})))
}

async fn change(
    state: AppState,
    actor: node::Actor,
    id: Result<Path<String>, PathRejection>,
    body: Value,
    action: StatusAction,
) -> Result<Json<Value>, ApiError> {
    let Path(id) = id.map_err(bad_path)?;
    let reason = node::reason_from(&body)?;
    let issuer = state.issuer.clone();
    let record = blocking(move || issuer.change_status(&actor, &id, action, reason)).await?;
    Ok(Json(
        json!({"id": record.id, "status": record.status.as_str(), "statusIndex": record.status_index}),
    ))
}

/// `POST /api/v1/credentials/{id}/revoke` (admin) with `{"reason"}`. Final.
pub async fn revoke(
    State(state): State<AppState>,
    Admin(actor): Admin,
    id: Result<Path<String>, PathRejection>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    change(state, actor, id, body, StatusAction::Revoke).await
}

/// `POST /api/v1/credentials/{id}/suspend` (admin) with `{"reason"}`.
pub async fn suspend(
    State(state): State<AppState>,
    Admin(actor): Admin,
    id: Result<Path<String>, PathRejection>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    change(state, actor, id, body, StatusAction::Suspend).await
}

/// `POST /api/v1/credentials/{id}/reinstate` (admin) with `{"reason"}`: lifts a
/// suspension; a revoked credential stays revoked (`409`).
pub async fn reinstate(
    State(state): State<AppState>,
    Admin(actor): Admin,
    id: Result<Path<String>, PathRejection>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    change(state, actor, id, body, StatusAction::Reinstate).await
}
