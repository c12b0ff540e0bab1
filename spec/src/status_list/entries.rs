//! `credentialStatus` entries (§2.1).

use serde_json::{Map, Value};

use super::json_helpers::{json_kind, optional_str, require_str, require_type};
use super::purpose::parse_purpose;
use super::{StatusListError, StatusPurpose};

/// The `type` of a status entry (§2.1).
pub const ENTRY_TYPE: &str = "BitstringStatusListEntry";
/// The credential type of a status list credential (§2.2).
pub const CREDENTIAL_TYPE: &str = "BitstringStatusListCredential";
/// The `type` of a status list credential's subject (§2.2).
pub const SUBJECT_TYPE: &str = "BitstringStatusList";

/// One `BitstringStatusListEntry` from a credential's `credentialStatus` (§2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusListEntry {
    /// The entry's optional `id`, such as `https://example.com/credentials/status/3#94567`.
    pub id: Option<String>,
    /// `statusPurpose`.
    pub purpose: StatusPurpose,
    /// `statusListIndex`, read from its base-10 string.
    pub index: u64,
    /// `statusListCredential`: the URL of the status list credential.
    pub list_url: String,
}

/// The members of a status entry that its plain readers look at: `None` where a member
/// is missing or not a string; `id` is `None` when present but not a string.
struct PlainFields<'a> {
    kind: Option<&'a str>,
    purpose: Option<&'a str>,
    index: Option<&'a str>,
    size_is_one: bool,
    list_url: Option<&'a str>,
    id: Option<Option<&'a str>>,
}

impl StatusListEntry {
    /// An entry for `index` in the list at `list_url`, with the `id`
    /// `<list_url>#<index>` as in the specification's examples.
    pub fn new(purpose: StatusPurpose, list_url: &str, index: u64) -> Self {
        Self {
            id: Some(format!("{list_url}#{index}")),
            purpose,
            index,
            list_url: list_url.to_owned(),
        }
    }

    /// Reads one entry (§2.1). `type` must be `BitstringStatusListEntry` (a string, or
    /// an array holding it); `statusPurpose` `revocation` or `suspension`;
    /// `statusListIndex` a string of base-10 digits that fits in 64 bits (no sign, no
    /// JSON number); `statusSize` absent or 1; `statusListCredential` a non-empty
    /// string. Other properties (`statusMessage`, `statusReference`) are ignored.
    pub fn from_value(value: &Value) -> Result<Self, StatusListError> {
        Self::from_value_at(value, "credentialStatus")
    }

    fn from_value_at(value: &Value, path: &str) -> Result<Self, StatusListError> {
        if let Some(entry) = Self::from_plain_value(value) {
            return Ok(entry);
        }
        let obj = value
            .as_object()
            .ok_or_else(|| StatusListError::InvalidField {
                field: path.to_owned(),
                reason: format!("expected a JSON object, found {}", json_kind(value)),
            })?;
        let field = |name: &str| format!("{path}.{name}");

        require_type(obj, &field("type"), ENTRY_TYPE)?;

        let purpose_field = field("statusPurpose");
        let purpose = parse_purpose(require_str(obj, &purpose_field)?, &purpose_field)?;

        let index_field = field("statusListIndex");
        let index = match obj.get("statusListIndex") {
            None => {
                return Err(StatusListError::MissingField { field: index_field });
            }
            Some(v) => parse_index(v, &index_field)?,
        };

        // §2.1: statusSize defaults to 1; larger sizes carry multi-bit messages, which
        // Probity does not use.
        if let Some(size) = obj.get("statusSize") {
            if size.as_u64() != Some(1) {
                return Err(StatusListError::UnsupportedStatusSize {
                    field: field("statusSize"),
                    size: size.to_string(),
                });
            }
        }

        let list_url_field = field("statusListCredential");
        let list_url = require_str(obj, &list_url_field)?;
        if list_url.is_empty() {
            return Err(StatusListError::InvalidField {
                field: list_url_field,
                reason: "expected the URL of a status list credential, found an empty string"
                    .to_owned(),
            });
        }

        Ok(Self {
            id: optional_str(obj, &field("id"))?.map(str::to_owned),
            purpose,
            index,
            list_url: list_url.to_owned(),
        })
    }

    /// Reads an entry of the usual shape without working out error messages: every
    /// verification reads its credential's entries, and naming fields costs more than
    /// reading them. Anything less plain returns `None`, and the full reader above
    /// decides and explains; whatever this accepts, that reader accepts identically
    /// (checked by `plain_reader_agrees_with_the_full_one`).
    pub(super) fn from_plain_value(value: &Value) -> Option<Self> {
        let obj = value.as_object()?;
        let text = |key: &str| obj.get(key).and_then(Value::as_str);
        Self::from_plain_fields(PlainFields {
            kind: text("type"),
            purpose: text("statusPurpose"),
            index: text("statusListIndex"),
            size_is_one: obj
                .get("statusSize")
                .is_none_or(|size| size.as_u64() == Some(1)),
            list_url: text("statusListCredential"),
            id: match obj.get("id") {
                None => Some(None),
                Some(Value::String(id)) => Some(Some(id.as_str())),
                Some(_) => None,
            },
        })
    }

    /// [`StatusListEntry::from_plain_value`] for a parsed [`crate::json::Json`] entry,
    /// so a verification need not copy its entries into `serde_json` values.
    pub(crate) fn from_plain_json(value: &crate::json::Json<'_>) -> Option<Self> {
        use crate::json::Json;
        let text = |key: &str| value.get(key).and_then(Json::as_str);
        Self::from_plain_fields(PlainFields {
            kind: text("type"),
            purpose: text("statusPurpose"),
            index: text("statusListIndex"),
            size_is_one: match value.get("statusSize") {
                None => true,
                Some(Json::Number(n)) => n.as_u64() == Some(1),
                Some(_) => false,
            },
            list_url: text("statusListCredential"),
            id: match value.get("id") {
                None => Some(None),
                Some(Json::Str(id)) => Some(Some(id.as_ref())),
                Some(_) => None,
            },
        })
    }

    /// The rules both plain readers apply, to the members each read from its own kind
    /// of tree.
    fn from_plain_fields(fields: PlainFields<'_>) -> Option<Self> {
        if fields.kind? != ENTRY_TYPE || !fields.size_is_one {
            return None;
        }
        let purpose = match fields.purpose? {
            "revocation" => StatusPurpose::Revocation,
            "suspension" => StatusPurpose::Suspension,
            _ => return None,
        };
        let index = fields.index?;
        if index.is_empty() || index.len() > 19 || !index.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Self {
            id: fields.id?.map(str::to_owned),
            purpose,
            index: index.parse().ok()?,
            list_url: fields.list_url.filter(|u| !u.is_empty())?.to_owned(),
        })
    }

    /// The entry as JSON, the index written as a base-10 string without leading zeros.
    pub fn to_value(&self) -> Value {
        let mut obj = Map::new();
        if let Some(id) = &self.id {
            obj.insert("id".to_owned(), Value::String(id.clone()));
        }
        obj.insert("type".to_owned(), Value::String(ENTRY_TYPE.to_owned()));
        obj.insert(
            "statusPurpose".to_owned(),
            Value::String(self.purpose.as_str().to_owned()),
        );
        obj.insert(
            "statusListIndex".to_owned(),
            Value::String(self.index.to_string()),
        );
        obj.insert(
            "statusListCredential".to_owned(),
            Value::String(self.list_url.clone()),
        );
        Value::Object(obj)
    }
}

/// The status entries of a credential, from its `credentialStatus`: none when the
/// property is absent, one when it is an object, one per element when it is an array.
/// Any entry that [`StatusListEntry::from_value`] refuses makes the whole call fail,
/// with the error naming its position (`credentialStatus[1].statusListIndex`).
pub fn entries_of(credential: &Value) -> Result<Vec<StatusListEntry>, StatusListError> {
    let obj = credential
        .as_object()
        .ok_or_else(|| StatusListError::InvalidField {
            field: "credential".to_owned(),
            reason: format!("expected a JSON object, found {}", json_kind(credential)),
        })?;
    match obj.get("credentialStatus") {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| StatusListEntry::from_value_at(v, &format!("credentialStatus[{i}]")))
            .collect(),
        Some(v @ Value::Object(_)) => {
            Ok(vec![StatusListEntry::from_value_at(v, "credentialStatus")?])
        }
        Some(other) => Err(StatusListError::InvalidField {
            field: "credentialStatus".to_owned(),
            reason: format!(
                "expected an object or an array of objects, found {}",
                json_kind(other)
            ),
        }),
    }
}

/// §2.1: `statusListIndex` is a string holding a base-10 integer.
fn parse_index(value: &Value, field: &str) -> Result<u64, StatusListError> {
    let invalid = |reason: &str| StatusListError::InvalidIndex {
        field: field.to_owned(),
        value: value.to_string(),
        reason: reason.to_owned(),
    };
    let Some(text) = value.as_str() else {
        return Err(invalid(&format!(
            "expected a string of base-10 digits such as \"94567\", found {}",
            json_kind(value)
        )));
    };
    if text.is_empty() {
        return Err(invalid("it is empty"));
    }
    // u64::from_str alone would accept a leading '+'; the specification's form is
    // digits only.
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(
            "it may contain only the digits 0-9 (no sign, spaces, decimal point or exponent)",
        ));
    }
    text.parse::<u64>()
        .map_err(|_| invalid(&format!("it is larger than {}", u64::MAX)))
}
