//! Batch import: many rows, one transaction per batch.

use super::{blocking, JsonBody};
use crate::auth::Admin;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

/// `POST /api/v1/import` (admin): `{"rows": [{"line": 2, "importId"?: ..., fields...}]}`
/// → `200 {"issued", "existing", "refused", "results": [{"line", "status", "id",
/// "ipNumber", "failures"}]}`. A bad row is refused on its own; the batch's good rows
/// are committed together, durably, before the answer.
pub async fn batch(
    State(state): State<AppState>,
    Admin(actor): Admin,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let issuer = state.issuer.clone();
    let results = blocking(move || issuer.import(&actor, &body)).await?;
    let count = |s: &str| results.iter().filter(|r| r.status == s).count();
    Ok(Json(json!({
        "issued": count("issued"),
        "existing": count("existing"),
        "refused": count("refused"),
        "results": results,
    })))
}
