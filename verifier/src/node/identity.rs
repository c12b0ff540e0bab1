//! The node's own identity (SPEC.md §14.1): the Ed25519 key it signs verification
//! receipts with, and the DID a reader pins it by.
//!
//! The key is generated on first start into the data directory (mode 0600, written to
//! a temporary file and renamed, so a crash never leaves half a key) and reused after,
//! so the node keeps its DID across restarts; or it is a key file the operator names.

use super::config::NodeConfig;
use ed25519_dalek::SigningKey;
use probity_spec::did::{self, DidDocument};
use probity_spec::multikey::{self, KeyFile};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The key file's name in the data directory when the configuration names none.
pub const DEFAULT_KEY_FILE: &str = "receipt-key.json";

/// Why the node's key could not be had.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// The key file could not be read or written.
    #[error("receipt key {path}: {source}")]
    Io {
        /// The key file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The key file is not a usable Ed25519 key file (SPEC.md §4.2).
    #[error("receipt key {path}: {source}")]
    Key {
        /// The key file.
        path: String,
        /// What is wrong with it.
        source: multikey::KeyError,
    },
}

/// Who the node is: its DID, the verification method its receipts name, and the key.
pub struct NodeIdentity {
    /// The node's DID: a did:key of its key, or the configured did:web.
    pub did: String,
    /// The verification method id receipts are signed with.
    pub verification_method: String,
    key: SigningKey,
}

impl std::fmt::Debug for NodeIdentity {
    // The secret key never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeIdentity")
            .field("did", &self.did)
            .field("verification_method", &self.verification_method)
            .finish_non_exhaustive()
    }
}

impl NodeIdentity {
    /// Loads the configured key, or the one in the data directory, creating it there
    /// on first start.
    pub fn load_or_create(config: &NodeConfig) -> Result<Self, IdentityError> {
        let key = match &config.receipt_key {
            Some(path) => read_key(path)?,
            None => {
                let path = config.data_dir.join(DEFAULT_KEY_FILE);
                if path.exists() {
                    read_key(&path)?
                } else {
                    let key = SigningKey::generate(&mut rand::rngs::OsRng);
                    write_key(&path, &key)?;
                    tracing::info!(path = %path.display(), "generated the node's receipt key");
                    key
                }
            }
        };
        Ok(Self::new(key, config.did.as_deref()))
    }

    /// The identity of `key`: its did:key, or `did_web` with the key as the method.
    pub fn new(key: SigningKey, did_web: Option<&str>) -> Self {
        let public = key.verifying_key();
        let (did, verification_method) = match did_web {
            Some(did) => (
                did.to_owned(),
                format!("{did}#{}", multikey::public_key_to_multibase(&public)),
            ),
            None => (
                did::did_key(&public),
                did::did_key_verification_method(&public),
            ),
        };
        NodeIdentity {
            did,
            verification_method,
            key,
        }
    }

    /// The key receipts are signed with.
    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    /// The node's DID document, as served at `/.well-known/did.json`.
    pub fn did_document(&self) -> DidDocument {
        let public = self.key.verifying_key();
        match did::resolve_did_key(&self.did) {
            Ok(document) => document,
            // A did:web: its one key, under the fragment `new` gave its method. The
            // configuration accepts only a valid did:web, so `for_did_web` succeeds;
            // the plain form keeps this infallible for any other caller of `new`.
            Err(_) => {
                let keys = [(multikey::public_key_to_multibase(&public), public)];
                DidDocument::for_did_web(&self.did, &keys).unwrap_or_else(|_| {
                    DidDocument::for_keys(&self.did, vec![did::DID_CONTEXT_V1_1], &keys)
                })
            }
        }
    }
}

fn read_key(path: &Path) -> Result<SigningKey, IdentityError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| IdentityError::Io {
        path: shown.clone(),
        source,
    })?;
    KeyFile::from_json(&bytes)
        .and_then(|file| file.signing_key())
        .map_err(|source| IdentityError::Key {
            path: shown,
            source,
        })
}

/// Writes the key to a temporary file of mode 0600 beside `path`, syncs it, and
/// renames it into place.
fn write_key(path: &Path, key: &SigningKey) -> Result<(), IdentityError> {
    let io = |source| IdentityError::Io {
        path: path.display().to_string(),
        source,
    };
    let file = KeyFile::new(key, None, None);
    let mut bytes = serde_json::to_vec_pretty(&file).map_err(|e| io(e.into()))?;
    bytes.push(b'\n');
    let temporary: PathBuf = path.with_extension("json.new");
    // A leftover from a crash before the rename holds no key anyone used.
    let _ = std::fs::remove_file(&temporary);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut out = options.open(&temporary).map_err(io)?;
    out.write_all(&bytes)
        .and_then(|()| out.sync_all())
        .map_err(io)?;
    drop(out);
    std::fs::rename(&temporary, path).map_err(io)?;
    if let Some(parent) = path.parent() {
        if let Ok(dir) = std::fs::File::open(parent) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}
