//! JSON helpers.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::StatusListError;

pub(super) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The last component of a dotted path, which is the key in the object at hand.
fn key_of(field: &str) -> &str {
    field.rsplit('.').next().unwrap_or(field)
}

pub(super) fn require_str<'a>(
    obj: &'a Map<String, Value>,
    field: &str,
) -> Result<&'a str, StatusListError> {
    optional_str(obj, field)?.ok_or_else(|| StatusListError::MissingField {
        field: field.to_owned(),
    })
}

pub(super) fn optional_str<'a>(
    obj: &'a Map<String, Value>,
    field: &str,
) -> Result<Option<&'a str>, StatusListError> {
    match obj.get(key_of(field)) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(StatusListError::InvalidField {
            field: field.to_owned(),
            reason: format!("expected a string, found {}", json_kind(other)),
        }),
    }
}

pub(super) fn optional_time(
    obj: &Map<String, Value>,
    field: &str,
) -> Result<Option<DateTime<Utc>>, StatusListError> {
    optional_str(obj, field)?
        .map(|s| {
            crate::time::parse(s).map_err(|e| StatusListError::InvalidField {
                field: field.to_owned(),
                reason: e.to_string(),
            })
        })
        .transpose()
}

/// `type` must be `expected` or an array that holds it (VC Data Model 2.0 allows both).
pub(super) fn require_type(
    obj: &Map<String, Value>,
    field: &str,
    expected: &str,
) -> Result<(), StatusListError> {
    let found = match obj.get("type") {
        None => {
            return Err(StatusListError::MissingField {
                field: field.to_owned(),
            })
        }
        Some(Value::String(s)) => s == expected,
        Some(Value::Array(items)) => items.iter().any(|t| t.as_str() == Some(expected)),
        Some(_) => false,
    };
    if found {
        Ok(())
    } else {
        Err(StatusListError::InvalidField {
            field: field.to_owned(),
            reason: format!(
                "expected \"{expected}\", found {}",
                obj.get("type").map(Value::to_string).unwrap_or_default()
            ),
        })
    }
}
