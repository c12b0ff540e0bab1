//! `probity federation add-member`: an issuer joins, with what it may issue and the
//! keys it signs with.

use super::store::Folder;
use crate::cli::federation::AddMemberArgs;
use crate::commands::note;
use crate::exit;
use anyhow::{bail, Result};
use probity_spec::registry::{Accreditation, Endpoints, Member, MembershipStatus};
use probity_spec::text::printable;
use probity_spec::time;

/// Runs `probity federation add-member`.
pub fn run(args: &AddMemberArgs) -> Result<i32> {
    let folder = Folder::locked(&args.dir.dir)?;
    let mut state = folder.load()?;
    let did = args.did.as_str();
    // Verifiers refuse a registry that lists one DID twice (SPEC.md §6.1).
    if let Some(existing) = state.members.iter().find(|m| m.id == did) {
        bail!(
            "{} is already a member ({}, {}); change it with the other federation commands, or \
             bring back a removed member with reinstate-member",
            printable(did),
            printable(&existing.name),
            super::status_name(existing.status)
        );
    }
    let at = super::time_of_change(args.at);
    let keys_from = args.keys_valid_from.unwrap_or(at);
    let keys = super::member_keys(&args.did, &args.keys)?
        .into_iter()
        .map(|(id, key)| super::new_key(id, &key, keys_from))
        .collect();
    let accreditations = merge(&args.may_issue);
    if accreditations.is_empty() {
        note(
            "note: without --may-issue the member may issue nothing; verifiers will say \
             NOT_ACCREDITED for everything it signs",
        );
    }
    let member = Member {
        id: did.to_owned(),
        name: args.name.clone(),
        kind: args.kind.into(),
        jurisdiction: args.jurisdiction.clone(),
        accreditations,
        keys,
        status: MembershipStatus::Active,
        member_since: time::format(at),
        status_since: None,
        endpoints: Endpoints {
            issuer: args.issuer_endpoint.clone(),
            status_lists: args.status_endpoint.clone(),
        },
    };
    state.members.push(member.clone());
    folder.save(&state)?;
    super::print_member(&member, args.json)?;
    super::remind_to_publish(&folder.dir);
    Ok(exit::OK)
}

/// One entry per credential type, in the order first given: verifiers merge entries of
/// one type anyway (SPEC.md §8.7), so the registry says the same thing more plainly.
/// The items are united, and a type given once without items allows every item.
fn merge(given: &[Accreditation]) -> Vec<Accreditation> {
    let mut merged: Vec<(Accreditation, bool)> = Vec::new();
    for a in given {
        let every = a.tracks.is_empty() && a.applications.is_empty();
        match merged
            .iter_mut()
            .find(|(m, _)| m.credential_type == a.credential_type)
        {
            None => merged.push((a.clone(), every)),
            Some((m, all)) => {
                *all |= every;
                for t in &a.tracks {
                    if !m.tracks.contains(t) {
                        m.tracks.push(*t);
                    }
                }
                for x in &a.applications {
                    if !m.applications.contains(x) {
                        m.applications.push(x.clone());
                    }
                }
            }
        }
    }
    merged
        .into_iter()
        .map(|(mut a, every)| {
            if every {
                a.tracks.clear();
                a.applications.clear();
            }
            a
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::federation::parse_may_issue;
    use probity_spec::model::Track;

    #[test]
    fn accreditations_of_one_type_are_merged_and_every_wins() {
        let given: Vec<Accreditation> = [
            "PocusIpCertificate:FM_MSK",
            "PocusSkillAttestation:eFAST",
            "PocusIpCertificate:FM_CORE,FM_MSK",
            "PocusSkillAttestation",
            "PocusSkillAttestation:AAA",
        ]
        .iter()
        .map(|t| parse_may_issue(t).unwrap())
        .collect();
        let merged = merge(&given);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].tracks, [Track::FmMsk, Track::FmCore]);
        assert!(merged[1].applications.is_empty(), "{merged:?}");
    }
}
