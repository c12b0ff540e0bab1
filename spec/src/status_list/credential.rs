//! The status list credential (§2.2).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::json_helpers::{json_kind, optional_str, optional_time, require_str, require_type};
use super::purpose::parse_purpose;
use super::{
    BitstringStatusList, StatusListEntry, StatusListError, StatusPurpose, CREDENTIAL_TYPE,
    SUBJECT_TYPE,
};

/// The unsigned status list credential (§2.2; §3.1 Generate Algorithm) for `list`,
/// ready to be signed:
///
/// ```json
/// {"@context": ["https://www.w3.org/ns/credentials/v2"],
///  "id": "<id>", "type": ["VerifiableCredential", "BitstringStatusListCredential"],
///  "issuer": "<issuer>", "validFrom": "…", "validUntil": "…",
///  "credentialSubject": {"id": "<id>#list", "type": "BitstringStatusList",
///                        "statusPurpose": "revocation", "encodedList": "uH4sI…"}}
/// ```
///
/// `validUntil` is written only when given. `id` is the URL the list is published at:
/// every entry pointing at this list has it as `statusListCredential` (§2.2).
pub fn status_list_credential(
    id: &str,
    issuer: &str,
    purpose: StatusPurpose,
    list: &BitstringStatusList,
    valid_from: DateTime<Utc>,
    valid_until: Option<DateTime<Utc>>,
) -> Value {
    let mut vc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": id,
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": crate::time::format(valid_from),
        "credentialSubject": {
            "id": format!("{id}#list"),
            "type": SUBJECT_TYPE,
            "statusPurpose": purpose.as_str(),
            "encodedList": list.encode(),
        },
    });
    if let (Some(until), Some(obj)) = (valid_until, vc.as_object_mut()) {
        obj.insert(
            "validUntil".to_owned(),
            Value::String(crate::time::format(until)),
        );
    }
    vc
}

/// A status list credential as read (§2.2). Its proof, its issuer's membership and its
/// validity period are checked elsewhere; this is the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusListCredential {
    /// `id`: the URL the list is published at. Optional here only because the older
    /// W3C test-suite fixtures have none; §2.2 requires it, and a verifier must not
    /// accept a list that it cannot match to the entry's `statusListCredential`.
    pub id: Option<String>,
    /// `issuer` (a string, or the `id` of an issuer object). Optional for the same
    /// reason as `id`; the verifier checks it against the credential's issuer.
    pub issuer: Option<String>,
    /// The purposes Probity supports among `credentialSubject.statusPurpose`, in the
    /// order written, without repeats.
    pub purposes: Vec<StatusPurpose>,
    /// Any other purposes the list names (`refresh`, `message`, or the test suite's
    /// `randomPurpose`), kept so that a mismatch error can say what the list holds.
    pub unsupported_purposes: Vec<String>,
    /// The decoded `credentialSubject.encodedList`.
    pub list: BitstringStatusList,
    /// `validFrom`, if present.
    pub valid_from: Option<DateTime<Utc>>,
    /// `validUntil`, if present.
    pub valid_until: Option<DateTime<Utc>>,
}

impl StatusListCredential {
    /// Reads a status list credential (§2.2). `type` must include
    /// `BitstringStatusListCredential`; `credentialSubject` must be an object whose
    /// `type` is `BitstringStatusList`, whose `statusPurpose` is a string or a non-empty
    /// array of strings, and whose `encodedList` decodes
    /// ([`BitstringStatusList::decode`]); `validFrom` and `validUntil`, when present,
    /// must be RFC 3339 date-times.
    ///
    /// Purposes Probity does not support do not make this fail: a list may serve
    /// several purposes, and only the entry's purpose matters, which
    /// [`status_of`](Self::status_of) checks.
    pub fn parse(value: &Value) -> Result<Self, StatusListError> {
        let obj = value
            .as_object()
            .ok_or_else(|| StatusListError::InvalidField {
                field: "status list credential".to_owned(),
                reason: format!("expected a JSON object, found {}", json_kind(value)),
            })?;
        require_type(obj, "type", CREDENTIAL_TYPE)?;

        let id = optional_str(obj, "id")?.map(str::to_owned);
        let issuer = match obj.get("issuer") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Object(o)) => Some(require_str(o, "issuer.id")?.to_owned()),
            Some(other) => {
                return Err(StatusListError::InvalidField {
                    field: "issuer".to_owned(),
                    reason: format!(
                        "expected a string or an object with an id, found {}",
                        json_kind(other)
                    ),
                })
            }
        };
        let valid_from = optional_time(obj, "validFrom")?;
        let valid_until = optional_time(obj, "validUntil")?;

        let subject = match obj.get("credentialSubject") {
            None => {
                return Err(StatusListError::MissingField {
                    field: "credentialSubject".to_owned(),
                })
            }
            Some(Value::Object(s)) => s,
            Some(other) => {
                return Err(StatusListError::InvalidField {
                    field: "credentialSubject".to_owned(),
                    reason: format!(
                        "expected one object of type {SUBJECT_TYPE}, found {}",
                        json_kind(other)
                    ),
                })
            }
        };
        require_type(subject, "credentialSubject.type", SUBJECT_TYPE)?;

        let (purposes, unsupported_purposes) = list_purposes(subject)?;

        let encoded = require_str(subject, "credentialSubject.encodedList")?;
        let list = BitstringStatusList::decode(encoded)?;

        Ok(Self {
            id,
            issuer,
            purposes,
            unsupported_purposes,
            list,
            valid_from,
            valid_until,
        })
    }

    /// The status bit for `entry` (§3.2 steps on purpose and index): `true` means
    /// revoked or suspended, according to `entry.purpose`.
    ///
    /// Fails when the entry's purpose is not one of the list's purposes
    /// ([`StatusListError::PurposeMismatch`]), when the list has an `id` that differs
    /// from `entry.list_url` ([`StatusListError::ListUrlMismatch`]), or when the index
    /// is past the end ([`StatusListError::IndexOutOfRange`]). A list with no `id`
    /// cannot be matched; callers that need the match must refuse such a list first.
    pub fn status_of(&self, entry: &StatusListEntry) -> Result<bool, StatusListError> {
        if let Some(id) = &self.id {
            if *id != entry.list_url {
                return Err(StatusListError::ListUrlMismatch {
                    entry: entry.list_url.clone(),
                    list: id.clone(),
                });
            }
        }
        if !self.purposes.contains(&entry.purpose) {
            let written: Vec<&str> = self
                .purposes
                .iter()
                .map(|p| p.as_str())
                .chain(self.unsupported_purposes.iter().map(String::as_str))
                .collect();
            return Err(StatusListError::PurposeMismatch {
                entry: entry.purpose,
                list: format!("{written:?}"),
            });
        }
        self.list.get(entry.index)
    }
}

/// Splits `credentialSubject.statusPurpose` (a string or an array of strings) into the
/// purposes Probity supports and the others.
fn list_purposes(
    subject: &Map<String, Value>,
) -> Result<(Vec<StatusPurpose>, Vec<String>), StatusListError> {
    const FIELD: &str = "credentialSubject.statusPurpose";
    let written: Vec<&str> = match subject.get("statusPurpose") {
        None => {
            return Err(StatusListError::MissingField {
                field: FIELD.to_owned(),
            })
        }
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str().ok_or_else(|| StatusListError::InvalidField {
                    field: format!("{FIELD}[{i}]"),
                    reason: format!("expected a string, found {}", json_kind(v)),
                })
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(StatusListError::InvalidField {
                field: FIELD.to_owned(),
                reason: format!(
                    "expected a string or an array of strings, found {}",
                    json_kind(other)
                ),
            })
        }
    };
    if written.is_empty() {
        return Err(StatusListError::InvalidField {
            field: FIELD.to_owned(),
            reason: "the array is empty; name at least one purpose".to_owned(),
        });
    }
    let mut supported = Vec::new();
    let mut others = Vec::new();
    let mut seen = BTreeSet::new();
    for p in written {
        if !seen.insert(p) {
            continue;
        }
        match parse_purpose(p, FIELD) {
            Ok(purpose) => supported.push(purpose),
            Err(_) => others.push(p.to_owned()),
        }
    }
    Ok((supported, others))
}
