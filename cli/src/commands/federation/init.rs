//! `probity federation init`: the root key and an empty state file.

use super::store::{self, Folder, Secrecy, State, ROOT_KEY_FILE, STATE_FILE};
use crate::cli::federation::InitArgs;
use crate::commands::{note, pretty, print, print_line};
use crate::exit;
use anyhow::{bail, Context, Result};
use ed25519_dalek::SigningKey;
use probity_spec::multikey::{self, KeyFile};
use probity_spec::{did, text::printable};
use serde_json::json;

/// Runs `probity federation init`.
pub fn run(args: &InitArgs) -> Result<i32> {
    std::fs::create_dir_all(&args.dir.dir)
        .with_context(|| format!("cannot create {}", args.dir.dir.display()))?;
    let folder = Folder::locked_for_init(&args.dir.dir)?;
    let (state_path, key_path) = (folder.state_path(), folder.root_key_path());
    // Either file alone is a federation, or what is left of one: a root key without a
    // state file may still be pinned by verifiers.
    let existing: Vec<&str> = [(&state_path, STATE_FILE), (&key_path, ROOT_KEY_FILE)]
        .into_iter()
        .filter(|(path, _)| path.exists())
        .map(|(_, name)| name)
        .collect();
    if !existing.is_empty() && !args.force {
        bail!(
            "{} already holds a federation ({}); pass --force to replace it, root key included",
            folder.dir.display(),
            existing.join(", ")
        );
    }

    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    let public = key.verifying_key();
    let federation_key = multikey::public_key_to_multibase(&public);
    let federation_did = did::did_key(&public);
    // The key file is what `probity key new` writes: the root key signs as its did:key
    // (SPEC.md §6.1), so that is its controller and method.
    let file = KeyFile::new(
        &key,
        Some(federation_did.clone()),
        Some(did::did_key_verification_method(&public)),
    );
    let mut bytes = serde_json::to_vec_pretty(&file)?;
    bytes.push(b'\n');
    store::write_atomically(&key_path, &bytes, Secrecy::Secret)?;
    // Written after the key: a run cut short in between leaves a key without state,
    // which the next init refuses to overwrite without --force, never a state naming a
    // key that does not exist.
    folder.save(&State {
        probity_federation: store::STATE_FORMAT,
        name: args.name.clone(),
        federation_key: federation_key.clone(),
        last_published_version: 0,
        last_published_at: None,
        members: Vec::new(),
    })?;

    if !existing.is_empty() {
        note(
            "warning: the federation's root key was replaced; verifiers that pinned the old \
             key refuse every registry signed from now on until they pin the new one",
        );
    }
    if args.json {
        print(pretty(&json!({
            "federationKey": federation_key,
            "federationDid": federation_did,
            "name": args.name,
            "dir": folder.dir.display().to_string(),
        }))?)?;
    } else {
        print_line(&federation_key)?;
        note(&format!(
            "Started the federation \"{}\" in {}. The root key is in {}: keep it offline and \
             backed up. Verifiers pin the key printed above with --federation-key.",
            printable(&args.name),
            folder.dir.display(),
            key_path.display()
        ));
    }
    Ok(exit::OK)
}
