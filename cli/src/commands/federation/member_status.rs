//! `probity federation suspend-member`, `reinstate-member` and `remove-member`: a
//! member's status (SPEC.md §6.2), stamped with when it changed.

use super::store::Folder;
use crate::cli::federation::MemberStatusArgs;
use crate::commands::note;
use crate::exit;
use anyhow::{bail, Result};
use probity_spec::registry::MembershipStatus;
use probity_spec::text::printable;
use probity_spec::time;

/// Gives the member `args.did` the status `to`.
pub fn run(args: &MemberStatusArgs, to: MembershipStatus) -> Result<i32> {
    let folder = Folder::locked(&args.dir.dir)?;
    let mut state = folder.load()?;
    let at = super::time_of_change(args.at);
    let member = state.member_mut(args.did.as_str(), &folder.dir)?;
    let from = member.status;
    if from == to {
        // Asking twice is not an error, and the first statusSince stays: it says since
        // when the member has been in this state.
        note(&format!(
            "{} is already {}; nothing changed",
            printable(&member.id),
            super::status_name(to)
        ));
        super::print_member(member, args.json)?;
        return Ok(exit::OK);
    }
    if from == MembershipStatus::Withdrawn && to == MembershipStatus::Suspended {
        bail!(
            "{} was removed from the federation; a removed member cannot be suspended \
             (reinstate-member brings it back)",
            printable(&member.id)
        );
    }
    member.status = to;
    member.status_since = Some(time::format(at));
    let member = member.clone();
    folder.save(&state)?;
    super::print_member(&member, args.json)?;
    super::remind_to_publish(&folder.dir);
    Ok(exit::OK)
}
