//! `probity federation publish`: sign the registry (SPEC.md §6), one version higher
//! than the last.

use super::store::{self, Folder, Secrecy};
use crate::cli::federation::PublishArgs;
use crate::commands::{note, pretty, print, print_text};
use crate::exit;
use anyhow::{bail, Context, Result};
use chrono::{DateTime, Utc};
use probity_spec::json::MAX_DOCUMENT_BYTES;
use probity_spec::registry::{self, MembershipStatus, Registry};
use probity_spec::text::printable;
use probity_spec::time;
use serde_json::json;
use std::path::Path;

/// The highest version a registry may carry: integers in documents stay within 2^53
/// (SPEC.md §2.2, §6.1).
const MAX_VERSION: u64 = 1 << 53;

/// Runs `probity federation publish`.
pub fn run(args: &PublishArgs) -> Result<i32> {
    let folder = Folder::locked(&args.dir.dir)?;
    let mut state = folder.load()?;
    let root = folder.root_key(&state)?;
    if let Some(out) = &args.out {
        check_out(out, &folder)?;
    }
    let at = super::time_of_change(args.at);
    let valid_until = at
        .checked_add_signed(args.valid_for)
        .context("--valid-for reaches past the last date Probity can write")?;
    let version = state.last_published_version + 1;
    if version > MAX_VERSION {
        bail!("this federation has used every version a registry may carry (up to 2^53)");
    }
    let registry = Registry {
        name: state.name.clone(),
        version,
        members: state.members.clone(),
    };
    let document = registry::sign(&registry, at, valid_until, &root, at)
        .context("cannot sign the registry")?;
    // Checked as every verifier will check it (SPEC.md §6.3), before anything is
    // written: a state file edited by hand cannot make the federation publish a
    // registry that verifiers refuse.
    registry::verify_registry(document.clone(), &[root.verifying_key()], at)
        .context("the signed registry would be refused by verifiers; nothing was published")?;
    let mut bytes = serde_json::to_vec_pretty(&document)?;
    bytes.push(b'\n');
    if bytes.len() > MAX_DOCUMENT_BYTES {
        bail!(
            "the registry would be {} bytes, over the {MAX_DOCUMENT_BYTES}-byte limit verifiers \
             read (SPEC.md §10.1, §10.6); nothing was published",
            bytes.len()
        );
    }

    // The version is recorded before the registry is written: a run cut short in
    // between skips a version, which is harmless, where writing first could lead the next
    // run to sign different content under the same version (SPEC.md §6.4).
    state.last_published_version = version;
    state.last_published_at = Some(time::format(at));
    folder.save(&state)?;
    match &args.out {
        Some(path) => store::write_atomically(path, &bytes, Secrecy::Public)?,
        None => print(&bytes)?,
    }

    warn_about_unusable_members(&registry, at);
    let summary = json!({
        "version": version,
        "validFrom": time::format(at),
        "validUntil": time::format(valid_until),
        "members": registry.members.len(),
        "federationKey": state.federation_key,
        "out": args.out.as_ref().map(|p| p.display().to_string()),
    });
    match (&args.out, args.json) {
        (Some(_), true) => print(pretty(&summary)?)?,
        (Some(path), false) => print_text(&format!(
            "Published version {version} of \"{}\" to {}: {} members, valid from {} until {}.\n",
            printable(&state.name),
            path.display(),
            registry.members.len(),
            time::format(at),
            time::format(valid_until),
        ))?,
        // The registry itself went to stdout; the summary goes where notes go.
        (None, _) => note(&format!(
            "Published version {version}, valid until {}.",
            time::format(valid_until)
        )),
    }
    Ok(exit::OK)
}

/// Refuses an `--out` that cannot be written or would replace one of the federation's
/// own files, before a version is used up: a typo must not overwrite the root key.
fn check_out(out: &Path, folder: &Folder) -> Result<()> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = out
        .file_name()
        .with_context(|| format!("--out {} names no file", out.display()))?;
    let parent = parent.canonicalize().with_context(|| {
        format!(
            "cannot write {}: its folder {} does not exist",
            out.display(),
            parent.display()
        )
    })?;
    let target = parent.join(name);
    let own = [
        folder.state_path(),
        folder.root_key_path(),
        folder.dir.join(store::LOCK_FILE),
    ];
    if own
        .iter()
        .any(|path| path.canonicalize().is_ok_and(|path| path == target))
    {
        bail!(
            "--out {} is one of the federation's own files; write the registry elsewhere",
            out.display()
        );
    }
    Ok(())
}

/// Says which active members have no key that may sign at `at`: the registry lists them,
/// but verifiers would refuse everything they sign now.
fn warn_about_unusable_members(registry: &Registry, at: DateTime<Utc>) {
    for member in &registry.members {
        if member.status != MembershipStatus::Active {
            continue;
        }
        let usable = member.keys.iter().any(|k| {
            let parse = |t: &Option<String>| t.as_deref().and_then(|t| time::parse(t).ok());
            let from_ok = time::parse(&k.valid_from).is_ok_and(|from| from <= at);
            let until_ok = parse(&k.valid_until).is_none_or(|until| at <= until);
            let safe = parse(&k.compromised_at).is_none_or(|c| at < c);
            from_ok && until_ok && safe
        });
        if !usable {
            note(&format!(
                "warning: {} ({}) is active but has no key that may sign now",
                printable(&member.name),
                printable(&member.id)
            ));
        }
    }
}
