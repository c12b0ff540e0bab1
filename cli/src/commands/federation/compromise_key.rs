//! `probity federation compromise-key`: from a time on, nothing a member key signed is
//! trusted (SPEC.md §6.5).

use super::store::Folder;
use crate::cli::federation::{CompromiseKeyArgs, Since};
use crate::commands::note;
use crate::exit;
use anyhow::{bail, Context, Result};
use probity_spec::text::printable;
use probity_spec::time;

/// Runs `probity federation compromise-key`.
pub fn run(args: &CompromiseKeyArgs) -> Result<i32> {
    let folder = Folder::locked(&args.dir.dir)?;
    let mut state = folder.load()?;
    let at = super::time_of_change(args.at);
    let member = state.member_mut(args.did.as_str(), &folder.dir)?;
    let index = super::find_key(member, &args.key)?;
    let key = &mut member.keys[index];
    let since = match args.since {
        Since::Time(t) => super::time_of_change(Some(t)),
        Since::KeyValidFrom => time::parse(&key.valid_from)
            .with_context(|| format!("the validFrom of {}", printable(&key.id)))?,
    };
    if since > at {
        bail!(
            "--since {} is after the time of this report ({}); a compromise is reported once \
             it may have happened",
            time::format(since),
            time::format(at)
        );
    }
    if let Some(earlier) = &key.compromised_at {
        let earlier_time = time::parse(earlier)
            .with_context(|| format!("the compromisedAt of {}", printable(&key.id)))?;
        // Moving the time later would make verifiers trust again what was refused, on
        // the word of someone who may hold the stolen key.
        if since > earlier_time {
            bail!(
                "{} is already compromised since {}; the time can only move earlier",
                printable(&key.id),
                printable(earlier)
            );
        }
        if since == earlier_time {
            note(&format!(
                "{} is already compromised since {}; nothing changed",
                printable(&key.id),
                printable(earlier)
            ));
            super::print_member(member, args.json)?;
            return Ok(exit::OK);
        }
    }
    key.compromised_at = Some(time::format(since));
    let member = member.clone();
    folder.save(&state)?;
    super::print_member(&member, args.json)?;
    super::remind_to_publish(&folder.dir);
    note(
        "The member should re-issue what this key signed since then with a new key \
         (refresh-keys adds it once its DID document lists it).",
    );
    Ok(exit::OK)
}
