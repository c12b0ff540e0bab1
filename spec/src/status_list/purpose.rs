//! Purposes: what a status list says about a credential.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::StatusListError;

/// The status purposes Probity uses (§2.1 `statusPurpose`). `refresh` and `message`
/// exist in the specification but are not supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusPurpose {
    /// A set bit means the credential is revoked, permanently.
    Revocation,
    /// A set bit means the credential is suspended, which can be undone (for example
    /// when a practitioner's yearly dues lapse and are then paid).
    Suspension,
}

impl StatusPurpose {
    /// The purpose as the JSON writes it: `"revocation"` or `"suspension"`.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusPurpose::Revocation => "revocation",
            StatusPurpose::Suspension => "suspension",
        }
    }
}

impl fmt::Display for StatusPurpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StatusPurpose {
    type Err = StatusListError;

    /// Reads `"revocation"` or `"suspension"` (exact, case-sensitive as in the JSON);
    /// anything else, `"refresh"` and `"message"` included, is
    /// [`StatusListError::UnsupportedPurpose`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_purpose(s, "statusPurpose")
    }
}

pub(super) fn parse_purpose(s: &str, field: &str) -> Result<StatusPurpose, StatusListError> {
    match s {
        "revocation" => Ok(StatusPurpose::Revocation),
        "suspension" => Ok(StatusPurpose::Suspension),
        other => Err(StatusListError::UnsupportedPurpose {
            field: field.to_owned(),
            purpose: other.to_owned(),
        }),
    }
}
