//! The W3C VC API's issue endpoint, for tools that speak it.

use super::{blocking, JsonBody};
use crate::auth::Admin;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

/// `POST /credentials/issue` (admin): `{"credential": {...}, "options": {...}}` →
/// `201 {"verifiableCredential": ...}`. The credential is an unsigned Probity
/// credential; the node writes its id, issuer, validity start, status entries and (for
/// IP certificates) the IP number, and checks the subject as for its own routes.
pub async fn issue(
    State(state): State<AppState>,
    Admin(actor): Admin,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let issuer = state.issuer.clone();
    let record = blocking(move || issuer.issue_vc_api(&actor, &body)).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"verifiableCredential": record.credential})),
    ))
}
