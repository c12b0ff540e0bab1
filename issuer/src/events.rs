//! What the node announces on `GET /events`: each new status list version and each key
//! change, so that subscribed verifiers learn of a revocation within a second instead
//! of at their next poll.

use serde::Serialize;

/// One announcement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum NodeEvent {
    /// A status list was re-signed; fetch it from `url`.
    #[serde(rename_all = "camelCase")]
    StatusList {
        /// The list's name, such as `revocation-1`.
        list: String,
        /// Where it is published.
        url: String,
        /// Its new version.
        version: u64,
        /// Its `validFrom`.
        valid_from: String,
    },
    /// The signing key changed; re-read the DID document.
    #[serde(rename_all = "camelCase")]
    Keys {
        /// The issuer DID.
        did: String,
        /// The verification method that signs from now on.
        active_key: String,
        /// Every key's verification method, oldest first.
        keys: Vec<String>,
    },
}

impl NodeEvent {
    /// The SSE event name: `status-list` or `keys`.
    pub fn name(&self) -> &'static str {
        match self {
            NodeEvent::StatusList { .. } => "status-list",
            NodeEvent::Keys { .. } => "keys",
        }
    }
}
