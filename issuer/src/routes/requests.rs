//! IP requests: an instructor submits a candidate; an admin approves it (the fee is
//! paid: the IP number is allocated and the certificate signed) or rejects it.

use super::{bad_path, blocking, JsonBody, OptionalJsonBody};
use crate::auth::{Admin, Submitter};
use crate::error::ApiError;
use crate::node;
use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

/// `POST /api/v1/ip-requests` (instructor or admin): `201 {"id", "status": "pending"}`,
/// or `422` listing every failing rule.
pub async fn submit(
    State(state): State<AppState>,
    Submitter(actor): Submitter,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let issuer = state.issuer.clone();
    let record = blocking(move || issuer.submit_request(&actor, &body)).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": record.id, "status": "pending"})),
    ))
}

/// `GET /api/v1/ip-requests/{id}` (instructor or admin).
pub async fn get_one(
    State(state): State<AppState>,
    Submitter(_): Submitter,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(id) = id.map_err(bad_path)?;
    let issuer = state.issuer.clone();
    let record = blocking(move || issuer.request(&id)).await?;
    Ok(Json(
        serde_json::to_value(record).map_err(|e| ApiError::Internal(e.to_string()))?,
    ))
}

/// `POST /api/v1/ip-requests/{id}/approve` (admin): records that the fee is paid and
/// issues: `201 {"id", "ipNumber", "credential"}`. The body may be empty or `{}`.
pub async fn approve(
    State(state): State<AppState>,
    Admin(actor): Admin,
    id: Result<Path<String>, PathRejection>,
    OptionalJsonBody(body): OptionalJsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Path(id) = id.map_err(bad_path)?;
    match &body {
        Value::Null => {}
        Value::Object(o) if o.is_empty() => {}
        Value::Object(o) => {
            let field = o.keys().next().cloned().unwrap_or_default();
            return Err(ApiError::Invalid {
                field,
                reason: "approval takes no fields; send an empty body or {}".into(),
            });
        }
        _ => {
            return Err(ApiError::Invalid {
                field: "body".into(),
                reason: "must be empty or {}".into(),
            })
        }
    }
    let issuer = state.issuer.clone();
    let (_, record) = blocking(move || issuer.approve(&actor, &id)).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({"id": record.id, "ipNumber": record.ip_number, "credential": record.credential}),
        ),
    ))
}

/// `POST /api/v1/ip-requests/{id}/reject` (admin) with `{"reason": "..."}`.
pub async fn reject(
    State(state): State<AppState>,
    Admin(actor): Admin,
    id: Result<Path<String>, PathRejection>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let Path(id) = id.map_err(bad_path)?;
    let reason = node::reason_from(&body)?;
    let issuer = state.issuer.clone();
    let record = blocking(move || issuer.reject(&actor, &id, reason)).await?;
    Ok(Json(json!({"id": record.id, "status": "rejected"})))
}
