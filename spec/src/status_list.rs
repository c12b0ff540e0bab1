//! Placeholder with the interface of the Bitstring Status List module (being written
//! on a branch); replaced when that lands.
#![allow(missing_docs, dead_code)]
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusPurpose {
    Revocation,
    Suspension,
}
impl StatusPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Revocation => "revocation",
            Self::Suspension => "suspension",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StatusListError {
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusListEntry {
    pub id: Option<String>,
    pub purpose: StatusPurpose,
    pub index: u64,
    pub list_url: String,
}
impl StatusListEntry {
    pub fn to_value(&self) -> Value {
        json!({"id": self.id, "type": "BitstringStatusListEntry", "statusPurpose": self.purpose.as_str(), "statusListIndex": self.index.to_string(), "statusListCredential": self.list_url})
    }
    pub fn from_value(v: &Value) -> Result<Self, StatusListError> {
        let purpose = match v["statusPurpose"].as_str() {
            Some("revocation") => StatusPurpose::Revocation,
            Some("suspension") => StatusPurpose::Suspension,
            _ => return Err(StatusListError::Invalid("purpose".into())),
        };
        Ok(Self {
            id: v["id"].as_str().map(Into::into),
            purpose,
            index: v["statusListIndex"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .ok_or(StatusListError::Invalid("index".into()))?,
            list_url: v["statusListCredential"]
                .as_str()
                .ok_or(StatusListError::Invalid("url".into()))?
                .into(),
        })
    }
}
pub fn entries_of(c: &Value) -> Result<Vec<StatusListEntry>, StatusListError> {
    match c.get("credentialStatus") {
        None => Ok(vec![]),
        Some(Value::Array(a)) => a.iter().map(StatusListEntry::from_value).collect(),
        Some(v) => Ok(vec![StatusListEntry::from_value(v)?]),
    }
}
#[derive(Debug, Clone)]
pub struct BitstringStatusList {
    bits: Vec<u8>,
}
impl BitstringStatusList {
    pub fn new(entries: usize) -> Result<Self, StatusListError> {
        Ok(Self {
            bits: vec![0; entries / 8],
        })
    }
    pub fn get(&self, i: u64) -> Result<bool, StatusListError> {
        Ok(self.bits[(i / 8) as usize] >> (7 - i % 8) & 1 == 1)
    }
    pub fn set(&mut self, i: u64, v: bool) -> Result<(), StatusListError> {
        let b = &mut self.bits[(i / 8) as usize];
        if v {
            *b |= 1 << (7 - i % 8)
        } else {
            *b &= !(1 << (7 - i % 8))
        };
        Ok(())
    }
    pub fn is_empty(&self) -> bool {
        self.bits.is_empty()
    }
    pub fn len(&self) -> usize {
        self.bits.len() * 8
    }
}
#[derive(Debug, Clone)]
pub struct StatusListCredential {
    pub id: String,
    pub issuer: String,
    pub purposes: Vec<StatusPurpose>,
    pub list: BitstringStatusList,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
}
impl StatusListCredential {
    pub fn parse(_v: &Value) -> Result<Self, StatusListError> {
        Err(StatusListError::Invalid("stub".into()))
    }
    pub fn status_of(&self, e: &StatusListEntry) -> Result<bool, StatusListError> {
        self.list.get(e.index)
    }
}
pub fn status_list_credential(
    id: &str,
    issuer: &str,
    purpose: StatusPurpose,
    _list: &BitstringStatusList,
    valid_from: DateTime<Utc>,
    _valid_until: Option<DateTime<Utc>>,
) -> Value {
    json!({"id": id, "issuer": issuer, "purpose": purpose.as_str(), "validFrom": crate::time::format(valid_from)})
}
pub const MIN_ENTRIES: usize = 131_072;
