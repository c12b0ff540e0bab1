//! The audit log export.

use super::blocking;
use crate::auth::Admin;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};

/// `GET /api/v1/audit` (admin): the whole log as JSON Lines, oldest first; check it
/// with `probity audit verify FILE`.
pub async fn export(State(state): State<AppState>, Admin(_): Admin) -> Result<Response, ApiError> {
    let issuer = state.issuer.clone();
    let text = blocking(move || issuer.audit_export()).await?;
    Ok((
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-ndjson"),
        )],
        text,
    )
        .into_response())
}
