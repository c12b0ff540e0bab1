//! The federation's folder: its root key file and its state file, and writing files
//! so that an interrupted command never leaves half of one.

use anyhow::{bail, Context, Result};
use ed25519_dalek::SigningKey;
use probity_spec::multikey;
use probity_spec::registry::Member;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The root key file in the federation's folder.
pub const ROOT_KEY_FILE: &str = "root-key.json";
/// The state file in the federation's folder.
pub const STATE_FILE: &str = "federation.json";
/// The format written in the state file, so that another JSON file is never taken for
/// a federation's state and a later format can be told apart.
pub const STATE_FORMAT: u32 = 1;
/// Largest state file read. A registry over 1 MiB is refused by verifiers anyway.
const MAX_STATE_BYTES: u64 = 8 << 20;

/// What the operator has decided so far: the members as the next registry will list
/// them, and the last version signed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct State {
    /// Always [`STATE_FORMAT`].
    pub probity_federation: u32,
    /// The federation's name, written into every registry.
    pub name: String,
    /// The root key's publicKeyMultibase: the key file must hold this key.
    pub federation_key: String,
    /// The version of the last registry signed; 0 before the first.
    pub last_published_version: u64,
    /// When it was signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_published_at: Option<String>,
    /// The members, in the order they joined, exactly as the registry lists them.
    pub members: Vec<Member>,
}

impl State {
    /// The member whose DID is `did`, or an error that says how to find the right one.
    pub fn member_mut(&mut self, did: &str, dir: &Path) -> Result<&mut Member> {
        match self.members.iter_mut().find(|m| m.id == did) {
            Some(member) => Ok(member),
            None => bail!(
                "no member of this federation has the DID {}; `probity federation list --dir {}` \
                 shows the members",
                probity_spec::text::printable(did),
                dir.display()
            ),
        }
    }
}

/// The lock file in the federation's folder. It stays after a run: the lock is the
/// operating system's, held on the open file and released when the process ends,
/// however it ends, so there is never a stale lock to clear by hand.
pub const LOCK_FILE: &str = ".federation.lock";

/// A federation's folder.
#[derive(Debug)]
pub struct Folder {
    /// The folder.
    pub dir: PathBuf,
    /// Held while a command changes the federation.
    _lock: Option<std::fs::File>,
}

impl Folder {
    /// The folder at `dir`, for reading only.
    pub fn new(dir: &Path) -> Self {
        Folder {
            dir: dir.to_owned(),
            _lock: None,
        }
    }

    /// The folder at `dir`, for a command that changes it: no other `probity federation`
    /// command may change it until this one ends. Two commands that each read the state
    /// and wrote it back would lose one change, and two publishes could sign different
    /// registries under one version, which SPEC.md §6.4 forbids.
    pub fn locked(dir: &Path) -> Result<Self> {
        // Checked first, so that a mistyped --dir is not left holding a lock file.
        if !dir.join(STATE_FILE).exists() {
            return Err(no_federation(dir));
        }
        Self::locked_for_init(dir)
    }

    /// [`Folder::locked`] for `init`, which makes the federation in a folder that
    /// exists but may hold nothing yet.
    pub fn locked_for_init(dir: &Path) -> Result<Self> {
        let path = dir.join(LOCK_FILE);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => bail!(
                "another probity federation command is changing {} right now; run this one \
                 again once it has finished",
                dir.display()
            ),
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", path.display()))
            }
        }
        Ok(Folder {
            dir: dir.to_owned(),
            _lock: Some(file),
        })
    }

    /// The state file's path.
    pub fn state_path(&self) -> PathBuf {
        self.dir.join(STATE_FILE)
    }

    /// The root key file's path.
    pub fn root_key_path(&self) -> PathBuf {
        self.dir.join(ROOT_KEY_FILE)
    }

    /// Reads the state file.
    pub fn load(&self) -> Result<State> {
        let path = self.state_path();
        if !path.exists() {
            return Err(no_federation(&self.dir));
        }
        let bytes = crate::input::read_capped(&path, MAX_STATE_BYTES)?;
        // Read as every document is (SPEC.md §2.1): a duplicate key would leave it
        // unclear which value the operator meant.
        let value = probity_spec::json::parse_strict(&bytes)
            .with_context(|| format!("{} is not usable JSON", path.display()))?;
        let state: State = serde_json::from_value(value)
            .with_context(|| format!("{} is not a federation's state file", path.display()))?;
        if state.probity_federation != STATE_FORMAT {
            bail!(
                "{} is in format {}; this probity reads format {STATE_FORMAT}",
                path.display(),
                state.probity_federation
            );
        }
        Ok(state)
    }

    /// Writes the state file whole, replacing the old one in one step.
    pub fn save(&self, state: &State) -> Result<()> {
        let mut bytes = serde_json::to_vec_pretty(state)?;
        bytes.push(b'\n');
        write_atomically(&self.state_path(), &bytes, Secrecy::Public)
    }

    /// Reads the root key and checks that it is the key the state names: a key file
    /// swapped or restored from the wrong backup would sign registries no verifier
    /// pinning this federation accepts.
    pub fn root_key(&self, state: &State) -> Result<SigningKey> {
        let path = self.root_key_path();
        let (_, key) = crate::commands::key::load(&path)?;
        let public = multikey::public_key_to_multibase(&key.verifying_key());
        if public != state.federation_key {
            bail!(
                "{} holds the key {public}, but this federation's root key is {}",
                path.display(),
                state.federation_key
            );
        }
        Ok(key)
    }
}

fn no_federation(dir: &Path) -> anyhow::Error {
    anyhow::anyhow!(
        "{} holds no federation (no {STATE_FILE}); start one with `probity federation init \
         --dir {} --name NAME`",
        dir.display(),
        dir.display()
    )
}

/// Who may read a file written by [`write_atomically`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secrecy {
    /// Readable as the user's umask allows.
    Public,
    /// Readable by its owner only (mode 0600), from the moment it exists (SPEC.md §4.2).
    Secret,
}

/// Writes `bytes` to a new file next to `path`, flushes it to disk, and renames it over
/// `path`: a reader (or a command run after a crash) sees the old file or the new one,
/// never half of one. A web server serving a registry never serves a torn file either.
pub fn write_atomically(path: &Path, bytes: &[u8], secrecy: Secrecy) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file name", path.display()))?;
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = write_new(&temp, bytes, secrecy)
        .and_then(|()| {
            std::fs::rename(&temp, path)
                .with_context(|| format!("cannot replace {}", path.display()))
        })
        .map(|()| sync_dir(dir));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

fn write_new(path: &Path, bytes: &[u8], secrecy: Secrecy) -> Result<()> {
    // A leftover from a killed run that had this process id was never anyone's file.
    // It is removed rather than opened, so that a link planted there is not followed.
    let _ = std::fs::remove_file(path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if secrecy == Secrecy::Secret {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    #[cfg(unix)]
    if secrecy == Secrecy::Secret {
        // The umask may have taken bits away, never added any; this only makes sure.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = secrecy;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Makes the rename itself durable. Best effort: not every platform can open a folder.
fn sync_dir(dir: &Path) {
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_atomic_write_replaces_the_file_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("federation.json");
        write_atomically(&path, b"one", Secrecy::Public).unwrap();
        write_atomically(&path, b"two", Secrecy::Public).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["federation.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_secret_is_private_from_the_start() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("root-key.json");
        write_atomically(&path, b"{}", Secrecy::Secret).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn one_command_at_a_time_changes_a_federation() {
        let dir = tempfile::tempdir().unwrap();
        let err = Folder::locked(dir.path()).unwrap_err().to_string();
        assert!(err.contains("holds no federation"), "{err}");
        assert!(!dir.path().join(LOCK_FILE).exists());
        let first = Folder::locked_for_init(dir.path()).unwrap();
        std::fs::write(dir.path().join(STATE_FILE), b"{}").unwrap();
        let err = Folder::locked(dir.path()).unwrap_err().to_string();
        assert!(err.contains("another probity federation command"), "{err}");
        drop(first);
        Folder::locked(dir.path()).unwrap();
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("federation.json");
        write_atomically(&path, b"old", Secrecy::Public).unwrap();
        // The target's folder does not exist: nothing is written anywhere.
        let missing = dir.path().join("gone").join("federation.json");
        assert!(write_atomically(&missing, b"new", Secrecy::Public).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
    }
}
