//! `probity federation refresh-keys`: follow a member's key rotation (SPEC.md §6.5).
//! New keys are added, keys gone from its DID document are retired but stay listed, so
//! that what they signed in their window keeps verifying.

use super::store::Folder;
use crate::cli::federation::RefreshKeysArgs;
use crate::commands::{note, pretty, print, print_text};
use crate::exit;
use anyhow::{bail, Result};
use probity_spec::multikey;
use probity_spec::text::printable;
use probity_spec::time;
use serde_json::json;

/// Runs `probity federation refresh-keys`.
pub fn run(args: &RefreshKeysArgs) -> Result<i32> {
    let folder = Folder::locked(&args.dir.dir)?;
    let mut state = folder.load()?;
    let at = super::time_of_change(args.at);
    // An unknown DID is refused before anything is fetched for it.
    state.member_mut(args.did.as_str(), &folder.dir)?;
    // Fails when the document lists no key: retiring every key of a member is what
    // suspend-member or remove-member are for, and a document that lost its keys by
    // mistake should not do it silently.
    let current = super::member_keys(&args.did, &args.keys)?;
    let member = state.member_mut(args.did.as_str(), &folder.dir)?;

    let (mut added, mut retired, mut unchanged) = (Vec::new(), Vec::new(), Vec::new());
    for (id, key) in &current {
        let multibase = multikey::public_key_to_multibase(key);
        match member.keys.iter().find(|k| &k.id == id) {
            Some(listed) if listed.public_key_multibase == multibase => {
                if listed.valid_until.is_some() || listed.compromised_at.is_some() {
                    // A retired or compromised key back in the document stays as it is:
                    // trusting it again is not something a DID document decides.
                    note(&format!(
                        "{} is in the DID document again but stays retired or compromised",
                        printable(id)
                    ));
                }
                unchanged.push(id.clone());
            }
            // Verifiers find a key by its id (SPEC.md §8.2): one id for two keys would
            // make the old key's credentials fail, or the new key's.
            Some(_) => bail!(
                "{} now names a different key ({multibase}) than the one listed; a new key \
                 needs a new verification method id",
                printable(id)
            ),
            None => added.push(super::new_key(id.clone(), key, at)),
        }
    }
    for listed in &mut member.keys {
        let still_there = current.iter().any(|(id, _)| *id == listed.id);
        if !still_there && listed.valid_until.is_none() {
            listed.valid_until = Some(time::format(at));
            retired.push(listed.id.clone());
        }
    }
    let added_ids: Vec<String> = added.iter().map(|k| k.id.clone()).collect();
    member.keys.extend(added);
    let member = member.clone();
    let changed = !(added_ids.is_empty() && retired.is_empty());
    if changed {
        folder.save(&state)?;
    }

    if args.json {
        print(pretty(&json!({
            "added": added_ids,
            "retired": retired,
            "unchanged": unchanged,
            "member": member,
        }))?)?;
    } else {
        let mut text = String::new();
        for id in &added_ids {
            text.push_str(&format!(
                "added   {} (valid from {})\n",
                printable(id),
                time::format(at)
            ));
        }
        for id in &retired {
            text.push_str(&format!(
                "retired {} (valid until {})\n",
                printable(id),
                time::format(at)
            ));
        }
        for id in &unchanged {
            text.push_str(&format!("kept    {}\n", printable(id)));
        }
        text.push('\n');
        text.push_str(&super::describe(&member));
        print_text(&text)?;
    }
    if changed {
        super::remind_to_publish(&folder.dir);
    } else {
        note("The member's keys are as listed; nothing changed.");
    }
    Ok(exit::OK)
}
