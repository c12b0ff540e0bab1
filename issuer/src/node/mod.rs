//! The issuer node's work, without HTTP: issuing, approving, revoking, rotating keys,
//! importing, publishing status lists. Every change is one store transaction that
//! also appends its audit entries; a change is published (status list cache, event)
//! only after its commit returned, so nothing is announced that a crash could undo.
//!
//! These functions block (disk, signing); the router calls them on blocking threads.

use crate::allocation::{list_from_bytes, Allocator};
use crate::audit::hex;
use crate::candidate::{self, AttestationCandidate, Failure, IpCandidate};
use crate::clock::Clock;
use crate::config::{self, Settings};
use crate::events::NodeEvent;
use crate::keyring::{self, KeyError, Keyring};
use crate::records::{
    CredentialRecord, CredentialStatus, Identity, IssuerKind, KeyRecord, ListRecord, RequestRecord,
    RequestStatus, Role, TokenRecord,
};
use crate::store::{self, Store, StoreError, Writer};
use chrono::{DateTime, Duration, Utc};
use ed25519_dalek::SigningKey;
use probity_spec::did::{self, Did};
use probity_spec::model::{
    self, Envelope, IpCertificateSubject, IssuerRef, SkillAttestationSubject,
};
use probity_spec::proof::{self, ProofOptions};
use probity_spec::status_list::{self, BitstringStatusList, StatusListEntry, StatusPurpose};
use probity_spec::time;
use serde::Serialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use subtle::ConstantTimeEq;
use tokio::sync::broadcast;

mod import;
mod issue;
mod keys;
mod lists;
mod setup;

pub use import::ImportResult;
use issue::{Draft, Origin};
use setup::store_token;
pub use setup::{
    create_token_offline, default_base_url, init, read_identity, token_hash, InitOptions,
    InitOutcome,
};

/// Name of the revocation list in URLs (`/status/revocation-1`).
pub const REVOCATION_LIST: &str = "revocation-1";
/// Name of the suspension list in URLs (`/status/suspension-1`).
pub const SUSPENSION_LIST: &str = "suspension-1";
/// Most rows one import batch may carry.
pub const MAX_IMPORT_ROWS: usize = 2000;
/// Longest reason accepted for a rejection or a status change.
pub const MAX_REASON: usize = 1000;

/// Why the node refused or failed to do something.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NodeError {
    /// A field the client sent is invalid.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field.
        field: String,
        /// Why.
        reason: String,
    },
    /// A candidate breaks rules; every failing rule is listed.
    #[error("the request breaks {} rule(s)", .0.len())]
    Rules(Vec<Failure>),
    /// No such record.
    #[error("{0}")]
    NotFound(String),
    /// The record is not in a state that allows this (revoking a revoked credential).
    #[error("{0}")]
    Conflict(String),
    /// This node does not issue that (a hospital asked for an IP certificate).
    #[error("{0}")]
    NotForThisIssuer(String),
    /// The status lists have no free index left.
    #[error("the status lists are full; no index is left for a new credential")]
    ListsFull,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A key could not be read or written.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// Setting up the node failed.
    #[error("{0}")]
    Setup(String),
    /// Something that should not fail did (signing, encoding).
    #[error("internal: {0}")]
    Internal(String),
}

fn invalid(field: &str, reason: impl Into<String>) -> NodeError {
    NodeError::Invalid {
        field: field.to_owned(),
        reason: reason.into(),
    }
}

/// Who is acting: a token (by its public id) and its role, or the node itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The token's public id, or `node`.
    pub token_id: String,
    /// Its role.
    pub role: Role,
}

impl Actor {
    /// The node acting on its own (start-up, initialisation).
    pub fn node() -> Self {
        Actor {
            token_id: "node".to_owned(),
            role: Role::Admin,
        }
    }

    fn label(&self) -> String {
        if self.token_id == "node" {
            "node".to_owned()
        } else {
            format!("token:{} ({})", self.token_id, self.role)
        }
    }
}

/// A status change asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusAction {
    /// Set the revocation bit, for good.
    Revoke,
    /// Set the suspension bit.
    Suspend,
    /// Clear the suspension bit.
    Reinstate,
}

impl StatusAction {
    fn audit_action(self) -> &'static str {
        match self {
            StatusAction::Revoke => "credential.revoked",
            StatusAction::Suspend => "credential.suspended",
            StatusAction::Reinstate => "credential.reinstated",
        }
    }
}

/// A signed status list as served.
#[derive(Debug, Clone)]
pub struct Published {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: u64,
    /// The `ETag` (quoted).
    pub etag: String,
    /// The JSON body.
    pub body: Arc<Vec<u8>>,
    /// Its `validFrom`.
    pub valid_from: DateTime<Utc>,
}

/// The issuer node.
pub struct Issuer {
    dir: PathBuf,
    store: Store,
    settings: Settings,
    identity: Identity,
    base_url: String,
    clock: Clock,
    keyring: RwLock<Keyring>,
    published: RwLock<HashMap<String, Published>>,
    events: broadcast::Sender<NodeEvent>,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer")
            .field("did", &self.identity.did)
            .field("base_url", &self.base_url)
            .finish()
    }
}

/// Strips `urn:uuid:` and checks the rest is a UUID, so ids from clients are compared
/// in one form.
pub fn credential_uuid(id: &str) -> Result<String, NodeError> {
    let bare = id
        .strip_prefix("urn:uuid:")
        .unwrap_or(id)
        .to_ascii_lowercase();
    let ok = bare.len() == 36
        && bare.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    if ok {
        Ok(bare)
    } else {
        Err(NodeError::NotFound(format!(
            "no credential or request has the id {:?}: ids are UUIDs, with or without urn:uuid:",
            truncate(id, 80)
        )))
    }
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// Reads a reason for a rejection or a status change.
pub fn reason_from(body: &Value) -> Result<String, NodeError> {
    let Some(obj) = body.as_object() else {
        return Err(invalid(
            "body",
            "must be a JSON object {\"reason\": \"...\"}",
        ));
    };
    if let Some(key) = obj.keys().find(|k| *k != "reason") {
        return Err(invalid(
            key,
            "is not a known field; send {\"reason\": \"...\"}",
        ));
    }
    match obj.get("reason") {
        Some(Value::String(r)) if r.trim().is_empty() => {
            Err(invalid("reason", "must not be blank"))
        }
        Some(Value::String(r)) if r.chars().count() > MAX_REASON => Err(invalid(
            "reason",
            format!("is longer than {MAX_REASON} characters"),
        )),
        Some(Value::String(r)) => Ok(r.clone()),
        Some(_) => Err(invalid("reason", "must be a string")),
        None => Err(invalid("reason", "is required")),
    }
}

impl Issuer {
    /// Opens the node in `dir` and publishes fresh status lists: on start the lists are
    /// re-signed with the current key, time and base URL.
    pub fn open(
        dir: &Path,
        settings: Settings,
        base_url: String,
        clock: Clock,
    ) -> Result<Arc<Issuer>, NodeError> {
        let store = Store::open(&dir.join(store::FILE_NAME))?;
        let (identity, keyring) = {
            let r = store.read()?;
            let identity = r.identity()?.ok_or_else(|| {
                NodeError::Setup("the store has no identity; was init interrupted?".into())
            })?;
            let active = r.active_key()?.ok_or(KeyError::NoActiveKey)?;
            let keyring = Keyring::load(dir, &r.keys()?, &active)?;
            (identity, keyring)
        };
        let (events, _) = broadcast::channel(256);
        let issuer = Arc::new(Issuer {
            dir: dir.to_owned(),
            store,
            settings,
            identity,
            base_url: base_url.trim_end_matches('/').to_owned(),
            clock,
            keyring: RwLock::new(keyring),
            published: RwLock::new(HashMap::new()),
            events,
        });
        if let Ok(Some(bits)) = issuer
            .store
            .read()
            .and_then(|r| r.list_bits(REVOCATION_LIST))
        {
            if bits.len() * 8 != issuer.settings.status_list_size {
                // Lists are made once, at init; a later setting cannot resize them.
                tracing::warn!(
                    stored = bits.len() * 8,
                    configured = issuer.settings.status_list_size,
                    "status_list_size differs from the lists made at init; the stored size is kept"
                );
            }
        }
        issuer.republish()?;
        Ok(issuer)
    }

    /// Who the node is.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The settings it runs with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Its public base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The current time by the node's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The URL of a status list.
    pub fn list_url(&self, name: &str) -> String {
        format!("{}/status/{name}", self.base_url)
    }

    /// A receiver of the node's announcements.
    pub fn subscribe(&self) -> broadcast::Receiver<NodeEvent> {
        self.events.subscribe()
    }

    /// The published status list `name`.
    pub fn published(&self, name: &str) -> Option<Published> {
        self.published.read().ok()?.get(name).cloned()
    }

    /// The DID document, for a did:web issuer.
    pub fn did_document(&self) -> Option<Value> {
        if !self.identity.did.starts_with("did:web:") {
            return None;
        }
        let keyring = self.keyring.read().ok()?;
        serde_json::to_value(keyring.did_document(&self.identity.did)?).ok()
    }

    fn keyring(&self) -> Result<std::sync::RwLockReadGuard<'_, Keyring>, NodeError> {
        self.keyring
            .read()
            .map_err(|_| NodeError::Internal("the keyring lock is poisoned".into()))
    }

    /// Checks a bearer token. Every stored hash is compared, in constant time, so the
    /// answer takes as long whichever token (if any) matches.
    pub fn authenticate(&self, token: &str) -> Result<Option<TokenRecord>, NodeError> {
        let presented = token_hash(token);
        let mut found = None;
        for (hash, record) in self.store.read()?.tokens()? {
            if bool::from(hash.as_bytes().ct_eq(presented.as_bytes())) {
                found = Some(record);
            }
        }
        Ok(found)
    }

    /// Makes a token; the answer is the only time it is shown.
    pub fn create_token(&self, actor: &Actor, role: Role) -> Result<String, NodeError> {
        let mut w = self.store.write()?;
        let token = store_token(&mut w, role, actor, self.now())?;
        w.commit()?;
        Ok(token)
    }

    /// One credential.
    pub fn credential(&self, id: &str) -> Result<CredentialRecord, NodeError> {
        let id = credential_uuid(id)?;
        self.store
            .read()?
            .credential(&id)?
            .ok_or_else(|| NodeError::NotFound(format!("no credential has the id {id}")))
    }

    /// Credentials matching every given criterion (at most `limit`).
    pub fn search(
        &self,
        holder: Option<&str>,
        registration: Option<&str>,
        ip_number: Option<&str>,
        limit: usize,
    ) -> Result<Vec<CredentialRecord>, NodeError> {
        let r = self.store.read()?;
        let mut ids: Option<Vec<String>> = None;
        let mut narrow = |found: Vec<String>| {
            ids = Some(match ids.take() {
                None => found,
                Some(prev) => prev.into_iter().filter(|i| found.contains(i)).collect(),
            });
        };
        if let Some(ip) = ip_number {
            narrow(r.credential_id_by_ip_number(ip)?.into_iter().collect());
        }
        if let Some(h) = holder {
            narrow(r.credential_ids_by_holder(h)?);
        }
        if let Some(reg) = registration {
            narrow(r.credential_ids_by_registration(reg)?);
        }
        let mut out = Vec::new();
        for id in ids.unwrap_or_default().into_iter().take(limit) {
            if let Some(rec) = r.credential(&id)? {
                out.push(rec);
            }
        }
        out.sort_by(|a, b| a.issued_at.cmp(&b.issued_at).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// The audit log as JSON Lines.
    pub fn audit_export(&self) -> Result<String, NodeError> {
        let mut out = String::new();
        self.store.read()?.audit_lines(|line| {
            out.push_str(line);
            out.push('\n');
        })?;
        Ok(out)
    }
}
