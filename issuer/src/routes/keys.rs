//! Key rotation and tokens.

use super::{blocking, JsonBody, OptionalJsonBody};
use crate::auth::Admin;
use crate::error::ApiError;
use crate::records::Role;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

/// `POST /api/v1/keys/rotate` (admin, did:web issuers): a new signing key; the old one
/// stays in the DID document. `201 {"verificationMethod", "publicKeyMultibase"}`.
pub async fn rotate(
    State(state): State<AppState>,
    Admin(actor): Admin,
    OptionalJsonBody(body): OptionalJsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    if !(body.is_null() || body.as_object().is_some_and(|o| o.is_empty())) {
        return Err(ApiError::Invalid {
            field: "body".into(),
            reason: "rotation takes no fields; send an empty body or {}".into(),
        });
    }
    let issuer = state.issuer.clone();
    let key = blocking(move || issuer.rotate_key(&actor)).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({"verificationMethod": key.verification_method, "publicKeyMultibase": key.public_key_multibase}),
        ),
    ))
}

/// `POST /api/v1/tokens` (admin) with `{"role": "admin"|"instructor"}`: a new token,
/// shown this once. `201 {"token", "role"}`.
pub async fn create_token(
    State(state): State<AppState>,
    Admin(actor): Admin,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let role = match body
        .get("role")
        .and_then(Value::as_str)
        .map(str::parse::<Role>)
    {
        Some(Ok(role)) => role,
        _ => {
            return Err(ApiError::Invalid {
                field: "role".into(),
                reason: "must be \"admin\" or \"instructor\"".into(),
            })
        }
    };
    if let Some(key) = body
        .as_object()
        .and_then(|o| o.keys().find(|k| *k != "role"))
    {
        return Err(ApiError::Invalid {
            field: key.chars().take(60).collect(),
            reason: "is not a known field".into(),
        });
    }
    let issuer = state.issuer.clone();
    let token = blocking(move || issuer.create_token(&actor, role)).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"token": token, "role": role.as_str()})),
    ))
}
