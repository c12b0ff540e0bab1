//! The node's signing keys: the one that signs now and every earlier one, which stay
//! in the DID document so that what they signed keeps verifying (SPEC.md §6.5).
//! Secrets live in Multikey key files of mode 0600 (SPEC.md §4.2) in `keys/`.

use crate::records::KeyRecord;
use ed25519_dalek::{SigningKey, VerifyingKey};
use probity_spec::did::DidDocument;
use probity_spec::multikey::{self, KeyFile};
use std::io::{Read, Write};
use std::path::Path;

/// Why a key could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// A key file could not be read or written.
    #[error("key file {path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The store names no signing key, or one it does not list.
    #[error("the store names no usable signing key")]
    NoActiveKey,
}

fn file_error(path: &Path, reason: impl ToString) -> KeyError {
    KeyError::File {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

/// The keys in use.
pub struct Keyring {
    /// The verification method that signs now.
    pub active_method: String,
    active: SigningKey,
    /// Every key, oldest first: (verification method, public key).
    pub all: Vec<(String, VerifyingKey)>,
}

impl std::fmt::Debug for Keyring {
    // Never the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("active_method", &self.active_method)
            .field("keys", &self.all.len())
            .finish()
    }
}

impl Keyring {
    /// Loads the keys the store lists, reading the active one's secret from its file
    /// and checking that it is the key the store recorded.
    pub fn load(dir: &Path, records: &[KeyRecord], active: &str) -> Result<Keyring, KeyError> {
        let mut all = Vec::new();
        let mut signing = None;
        for record in records {
            let public = multikey::public_key_from_multibase(&record.public_key_multibase)
                .map_err(|e| file_error(Path::new(&record.file), e))?;
            if record.verification_method == active {
                let path = dir.join(&record.file);
                let key = read_key_file(&path)?;
                if key.verifying_key() != public {
                    return Err(file_error(
                        &path,
                        "holds a different key than the store records",
                    ));
                }
                signing = Some(key);
            }
            all.push((record.verification_method.clone(), public));
        }
        let active_key = signing.ok_or(KeyError::NoActiveKey)?;
        Ok(Keyring {
            active_method: active.to_owned(),
            active: active_key,
            all,
        })
    }

    /// The key that signs now.
    pub fn signing_key(&self) -> &SigningKey {
        &self.active
    }

    /// The DID document of a did:web issuer: every key, current and earlier, as an
    /// assertion method (SPEC.md §4.5).
    pub fn did_document(&self, did: &str) -> Option<DidDocument> {
        let keys: Vec<(String, VerifyingKey)> = self
            .all
            .iter()
            .map(|(vm, key)| {
                let fragment = vm.split_once('#').map(|(_, f)| f).unwrap_or(vm);
                (fragment.to_owned(), *key)
            })
            .collect();
        DidDocument::for_did_web(did, &keys).ok()
    }
}

/// Reads a key file (at most 64 KiB, as the CLI does).
pub fn read_key_file(path: &Path) -> Result<SigningKey, KeyError> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(64 * 1024 + 1).read_to_end(&mut bytes))
        .map_err(|e| file_error(path, e))?;
    let file = KeyFile::from_json(&bytes).map_err(|e| file_error(path, e))?;
    file.signing_key().map_err(|e| file_error(path, e))
}

/// Writes a new key file with mode 0600 from the moment it exists (SPEC.md §4.2), and
/// makes it durable (file and directory synced) before the store records it.
pub fn write_key_file(
    path: &Path,
    key: &SigningKey,
    controller: &str,
    method: &str,
) -> Result<(), KeyError> {
    let file = KeyFile::new(key, Some(controller.to_owned()), Some(method.to_owned()));
    let mut bytes = serde_json::to_vec_pretty(&file).map_err(|e| file_error(path, e))?;
    bytes.push(b'\n');
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut out = options.open(path).map_err(|e| file_error(path, e))?;
    out.write_all(&bytes)
        .and_then(|()| out.sync_all())
        .map_err(|e| file_error(path, e))?;
    if let Some(parent) = path.parent() {
        // The directory entry must be on disk too, or a crash could lose the file
        // while the store already names it.
        if let Ok(dir) = std::fs::File::open(parent) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}
