//! `probity sign`: secure any JSON credential with eddsa-jcs-2022.

use crate::cli::SignArgs;
use crate::exit;
use anyhow::{bail, Context, Result};
use ed25519_dalek::SigningKey;
use probity_spec::multikey::KeyFile;
use probity_spec::proof::{self, ProofOptions};

/// Runs `probity sign`.
pub fn run(args: &SignArgs) -> Result<i32> {
    let (file, key) = super::key::load(&args.key)?;
    let document = crate::input::read_json(&args.credential)?;
    if !document.is_object() {
        bail!(
            "{} is not a JSON object",
            crate::input::display(&args.credential)
        );
    }
    let created = if args.no_created {
        None
    } else {
        Some(created_or_now(args.created.as_deref())?)
    };
    let vm = verification_method(args.verification_method.as_deref(), &file, &key);
    let mut options = ProofOptions::assertion(vm, created);
    if let Some(expires) = &args.expires {
        let at = probity_spec::time::parse(expires).context("--expires")?;
        options = options.expiring(probity_spec::time::format(at));
    }
    let signed = proof::sign(&document, &key, &options).context("cannot sign")?;
    super::write_output(args.out.as_deref(), &super::pretty(&signed)?)?;
    Ok(exit::OK)
}

/// `created` as given (checked) or now in whole seconds.
pub fn created_or_now(created: Option<&str>) -> Result<String> {
    match created {
        Some(text) => Ok(probity_spec::time::format(
            probity_spec::time::parse(text).context("--created")?,
        )),
        None => Ok(probity_spec::time::format(chrono::Utc::now())),
    }
}

/// The verification method: the flag, else the key file's id, else the did:key method.
pub fn verification_method(flag: Option<&str>, file: &KeyFile, key: &SigningKey) -> String {
    flag.map(str::to_owned)
        .or_else(|| file.id.clone())
        .unwrap_or_else(|| probity_spec::did::did_key_verification_method(&key.verifying_key()))
}
