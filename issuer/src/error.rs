//! The one error type of the HTTP API. Every error answer is JSON:
//! `{"error": "...", "field": ... , "failures": [...]}`. A 4xx says what was wrong and
//! where; a 5xx says only that something failed, and the detail goes to the log.

use crate::candidate::Failure;
use crate::node::NodeError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// An error answer.
#[derive(Debug)]
#[non_exhaustive]
pub enum ApiError {
    /// The body is not JSON (400).
    BadJson(String),
    /// The query or path cannot be read (400).
    BadRequest(String),
    /// The body is over the limit (413).
    TooLarge(String),
    /// No token, or an unknown one (401).
    Unauthorized(String),
    /// A token whose role may not do this, or a node that does not issue this (403).
    Forbidden(String),
    /// A field is invalid (422).
    Invalid {
        /// The field.
        field: String,
        /// Why.
        reason: String,
    },
    /// A candidate breaks rules; every failure is listed (422).
    Rules(Vec<Failure>),
    /// No such thing (404).
    NotFound(String),
    /// No such method on this path (405).
    MethodNotAllowed,
    /// The record's state does not allow this (409).
    Conflict(String),
    /// The request took too long (408).
    Timeout,
    /// The node cannot do this now (503).
    Unavailable(String),
    /// Something failed on the node's side (500). The text is logged, never sent.
    Internal(String),
}

impl From<NodeError> for ApiError {
    fn from(e: NodeError) -> Self {
        match e {
            NodeError::Invalid { field, reason } => ApiError::Invalid { field, reason },
            NodeError::Rules(f) => ApiError::Rules(f),
            NodeError::NotFound(m) => ApiError::NotFound(m),
            NodeError::Conflict(m) => ApiError::Conflict(m),
            NodeError::NotForThisIssuer(m) => ApiError::Forbidden(m),
            NodeError::ListsFull => ApiError::Unavailable(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadJson(_) | ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Invalid { .. } | ApiError::Rules(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Timeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn body(&self) -> Value {
        match self {
            ApiError::BadJson(m) => {
                json!({"error": format!("the body is not valid JSON: {m}"), "field": null})
            }
            ApiError::BadRequest(m)
            | ApiError::TooLarge(m)
            | ApiError::Unauthorized(m)
            | ApiError::Forbidden(m)
            | ApiError::NotFound(m)
            | ApiError::Conflict(m)
            | ApiError::Unavailable(m) => json!({"error": m, "field": null}),
            ApiError::Invalid { field, reason } => {
                json!({"error": format!("{field}: {reason}"), "field": field})
            }
            ApiError::Rules(failures) => {
                let first = failures.first().map(|f| f.field.clone());
                let summary: Vec<String> = failures
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.reason))
                    .collect();
                json!({
                    "error": format!("the request breaks {} rule(s): {}", failures.len(), summary.join("; ")),
                    "field": first,
                    "failures": failures,
                })
            }
            ApiError::MethodNotAllowed => {
                json!({"error": "this method is not allowed on this path", "field": null})
            }
            ApiError::Timeout => json!({"error": "the request took too long", "field": null}),
            ApiError::Internal(_) => {
                json!({"error": "the node failed to handle this request; the operator can find the detail in its log", "field": null})
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            // Debug formatting escapes whatever a client may have slipped into it.
            tracing::error!(detail = ?detail, "request failed");
        }
        (self.status(), Json(self.body())).into_response()
    }
}
