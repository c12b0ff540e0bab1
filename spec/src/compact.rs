//! (in progress)
#![allow(missing_docs)]
pub const TEXT_PREFIX: &str = "PB1:";
#[derive(Debug, thiserror::Error)]
pub enum CompactError {
    #[error("not built")]
    NotBuilt,
}
pub fn from_text(_t: &str) -> Result<serde_json::Value, CompactError> {
    Err(CompactError::NotBuilt)
}
pub fn to_text(_c: &serde_json::Value) -> Result<String, CompactError> {
    Err(CompactError::NotBuilt)
}
pub fn to_url(_u: &str, _c: &serde_json::Value) -> Result<String, CompactError> {
    Err(CompactError::NotBuilt)
}
pub fn encode(_c: &serde_json::Value) -> Result<Vec<u8>, CompactError> {
    Err(CompactError::NotBuilt)
}
