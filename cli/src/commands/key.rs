//! `probity key new` and `probity key show`.

use crate::exit;
use anyhow::{bail, Context, Result};
use ed25519_dalek::SigningKey;
use probity_spec::{
    did,
    multikey::{self, KeyFile},
};
use serde_json::json;
use std::io::Write;
use std::path::Path;

/// Generates a key and writes it with mode 0600.
pub fn new(
    out: &Path,
    force: bool,
    controller: Option<String>,
    id: Option<String>,
    as_json: bool,
) -> Result<i32> {
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    let did_key = did::did_key(&key.verifying_key());
    let file = KeyFile::new(
        &key,
        controller.or_else(|| Some(did_key.clone())),
        id.or_else(|| Some(did::did_key_verification_method(&key.verifying_key()))),
    );
    let mut bytes = serde_json::to_vec_pretty(&file)?;
    bytes.push(b'\n');
    write_secret(out, &bytes, force)?;
    if as_json {
        super::print_line(&serde_json::to_string_pretty(&describe(&file, &key))?)?;
    } else {
        super::print_line(&did_key)?;
    }
    Ok(exit::OK)
}

/// Shows a key file's public parts.
pub fn show(path: &Path, as_json: bool) -> Result<i32> {
    let (file, key) = load(path)?;
    let info = describe(&file, &key);
    if as_json {
        super::print(super::pretty(&info)?)?;
    } else {
        let field = |name: &str| info[name].as_str().unwrap_or_default().to_owned();
        super::print_text(&format!(
            "did:key             {}\npublicKeyMultibase  {}\nverificationMethod  {}\ncontroller          {}\n",
            field("didKey"),
            field("publicKeyMultibase"),
            field("verificationMethod"),
            field("controller"),
        ))?;
    }
    Ok(exit::OK)
}

fn describe(file: &KeyFile, key: &SigningKey) -> serde_json::Value {
    let public = key.verifying_key();
    let did_key = did::did_key(&public);
    json!({
        "didKey": did_key,
        "publicKeyMultibase": multikey::public_key_to_multibase(&public),
        "verificationMethod": file.id.clone().unwrap_or_else(|| did::did_key_verification_method(&public)),
        "controller": file.controller.clone().unwrap_or(did_key),
    })
}

/// Reads a key file (either spelling of the secret) and its signing key.
pub fn load(path: &Path) -> Result<(KeyFile, SigningKey)> {
    let bytes = crate::input::read_capped(path, 64 * 1024)?;
    let file = KeyFile::from_json(&bytes)
        .with_context(|| format!("{} is not a key file", path.display()))?;
    let key = file
        .signing_key()
        .with_context(|| format!("{}", path.display()))?;
    Ok((file, key))
}

/// Creates `path` with mode 0600 and writes `bytes`; the mode is set at creation so
/// the secret is never readable by others, even briefly.
fn write_secret(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = match options.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!(
                "{} already exists; pass --force to overwrite it",
                path.display()
            )
        }
        Err(e) => return Err(e).with_context(|| format!("cannot create {}", path.display())),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}
