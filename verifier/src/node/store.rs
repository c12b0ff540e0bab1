//! The verifier node's store: every signed document it has accepted (registries, DID
//! documents, status lists), with when it was last confirmed and the validators for
//! the next conditional request. A node restarted with the network down verifies from
//! what is here, and the highest registry version held survives restarts (SPEC.md
//! §6.4), so a rollback cannot slip in across one.
//!
//! The engine is redb (ACID, a stable file format); nothing outside this module knows.

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Documents by key: `registry/<root key>`, `did/<did>`, `list/<list id>`.
const DOCUMENTS: TableDefinition<&str, &[u8]> = TableDefinition::new("documents");

/// The store's page cache.
const STORE_CACHE_BYTES: usize = 4 << 20;

/// Why the store failed. Store faults are the node's, never a client's.
#[derive(Debug, thiserror::Error)]
#[error("verifier store: {0}")]
pub struct StoreError(String);

impl<E: Into<redb::Error>> From<E> for StoreError {
    fn from(e: E) -> Self {
        StoreError(e.into().to_string())
    }
}

/// What kind of document an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DocumentKind {
    /// A federation's trust registry.
    Registry,
    /// A member's DID document.
    DidDocument,
    /// A status list credential.
    StatusList,
}

impl DocumentKind {
    fn prefix(self) -> &'static str {
        match self {
            DocumentKind::Registry => "registry/",
            DocumentKind::DidDocument => "did/",
            DocumentKind::StatusList => "list/",
        }
    }
}

/// A document held, with what the node knows about its copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredDocument {
    /// What it is.
    pub kind: DocumentKind,
    /// Its key within its kind: the root key, the DID, or the list's id.
    pub key: String,
    /// The signed document, as JSON text.
    pub body: String,
    /// Where it was last fetched from.
    pub source: String,
    /// When it was fetched, or last confirmed unchanged (RFC 3339).
    pub confirmed_at: String,
    /// The `ETag` of the last answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The `Last-Modified` of the last answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// For a revocation list: bits an earlier version had set that this one clears.
    /// They stay set (revocation is final), across restarts too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept_revoked: Vec<u64>,
}

/// A short fingerprint of a document's text (the first 16 hex digits of its SHA-256),
/// so peers can tell two versions apart that share a `validFrom`.
pub fn digest(body: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(body.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl StoredDocument {
    /// The document's JSON. It is parsed only when one of the readers below is called:
    /// for the sync report, the relay index and the metrics, never for a verification.
    fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// A registry's version (it was verified when kept).
    pub fn registry_version(&self) -> Option<u64> {
        self.json()?
            .get("credentialSubject")?
            .get("version")?
            .as_u64()
    }

    /// A status list's `validFrom`, as written (Probity writes UTC with a `Z`, so the
    /// texts compare in time order).
    pub fn valid_from(&self) -> Option<String> {
        self.json()?.get("validFrom")?.as_str().map(str::to_owned)
    }

    /// The document's issuer.
    pub fn issuer(&self) -> Option<String> {
        probity_spec::model::issuer_id(&self.json()?).map(str::to_owned)
    }
}

/// The store, safe to share between tasks.
pub struct Store {
    db: Database,
}

impl Store {
    /// Opens (or creates) the store in `dir`.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError(format!("cannot create {}: {e}", dir.display())))?;
        // The documents are read into memory once, at start; a large page cache would
        // only hold a second copy of them.
        let db = redb::Builder::new()
            .set_cache_size(STORE_CACHE_BYTES)
            .create(dir.join("verifier.redb"))?;
        let tx = db.begin_write()?;
        tx.open_table(DOCUMENTS)?;
        tx.commit()?;
        Ok(Store { db })
    }

    /// Writes a document; the write is on disk when this returns.
    pub fn put(&self, document: &StoredDocument) -> Result<(), StoreError> {
        let key = format!("{}{}", document.kind.prefix(), document.key);
        let value =
            serde_json::to_vec(document).map_err(|e| StoreError(format!("cannot encode: {e}")))?;
        let tx = self.db.begin_write()?;
        {
            let mut table = tx.open_table(DOCUMENTS)?;
            table.insert(key.as_str(), value.as_slice())?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every document held, of every kind.
    pub fn all(&self) -> Result<Vec<StoredDocument>, StoreError> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(DOCUMENTS)?;
        let mut out = Vec::new();
        for entry in table.iter()? {
            let (key, value) = entry?;
            match serde_json::from_slice::<StoredDocument>(value.value()) {
                Ok(document) => out.push(document),
                // A record this version cannot read is skipped, not fatal: the next
                // sync fetches the document again.
                Err(e) => {
                    tracing::warn!(key = key.value(), error = %e, "unreadable record in the store")
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(kind: DocumentKind, key: &str, body: &str) -> StoredDocument {
        StoredDocument {
            kind,
            key: key.into(),
            body: body.into(),
            source: "http://127.0.0.1:1/x".into(),
            confirmed_at: "2026-06-01T00:00:00Z".into(),
            etag: Some("\"1\"".into()),
            last_modified: None,
            kept_revoked: Vec::new(),
        }
    }

    #[test]
    fn documents_survive_a_reopen_and_replace_by_key() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            store
                .put(&doc(DocumentKind::Registry, "z6MkA", "{\"v\":1}"))
                .unwrap();
            store
                .put(&doc(DocumentKind::StatusList, "http://x/status/1", "{}"))
                .unwrap();
            store
                .put(&doc(DocumentKind::Registry, "z6MkA", "{\"v\":2}"))
                .unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        let mut all = store.all().unwrap();
        all.sort_by(|a, b| a.key.cmp(&b.key));
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].body, "{\"v\":2}");
        assert_eq!(all[0].kind, DocumentKind::StatusList);
    }
}
