//! `probity federation …`: the federation operator's registry tool (SPEC.md §6). One
//! file per command; this module holds what they share: the time of a change, the
//! member's keys, and how members are shown.
//!
//! The operator's decisions live in the state file; nothing reaches verifiers until
//! `publish` signs a registry from it.

mod add_member;
mod compromise_key;
mod init;
mod list;
mod member_status;
mod publish;
mod refresh_keys;
mod store;

use crate::cli::federation::{FederationCommand, KeyArg};
use anyhow::{bail, Context, Result};
use chrono::{DateTime, Utc};
use ed25519_dalek::VerifyingKey;
use probity_spec::did::{self, Did};
use probity_spec::registry::{Member, MemberKey, MemberKind, MembershipStatus};
use probity_spec::text::printable;
use probity_spec::{multikey, time};

/// Runs a `probity federation` command.
pub fn run(command: FederationCommand) -> Result<i32> {
    match command {
        FederationCommand::Init(args) => init::run(&args),
        FederationCommand::AddMember(args) => add_member::run(&args),
        FederationCommand::SuspendMember(args) => {
            member_status::run(&args, MembershipStatus::Suspended)
        }
        FederationCommand::ReinstateMember(args) => {
            member_status::run(&args, MembershipStatus::Active)
        }
        FederationCommand::RemoveMember(args) => {
            member_status::run(&args, MembershipStatus::Withdrawn)
        }
        FederationCommand::CompromiseKey(args) => compromise_key::run(&args),
        FederationCommand::RefreshKeys(args) => refresh_keys::run(&args),
        FederationCommand::List(args) => list::run(&args),
        FederationCommand::Publish(args) => publish::run(&args),
    }
}

/// The time a change is stamped with: `--at`, else now, in whole seconds as Probity
/// writes times (SPEC.md §10.1).
fn time_of_change(at: Option<DateTime<Utc>>) -> DateTime<Utc> {
    let t = at.unwrap_or_else(Utc::now);
    // Round-tripping through the written form drops the fraction, so that what is
    // compared later is exactly what the state file holds.
    time::parse(&time::format(t)).unwrap_or(t)
}

/// The keys a member signs with: those given with `--key`, or else its DID document's
/// assertion keys (SPEC.md §4.6): a did:key is its own document, a did:web document is
/// fetched under the verifier's fetching rules (SPEC.md §10.6, loopback allowed).
fn member_keys(did: &Did, given: &[KeyArg]) -> Result<Vec<(String, VerifyingKey)>> {
    let keys = if given.is_empty() {
        keys_from_document(did)?
    } else {
        given
            .iter()
            .map(|k| Ok((absolute_key_id(did.as_str(), &k.id)?, k.key)))
            .collect::<Result<Vec<_>>>()?
    };
    if keys.is_empty() {
        bail!(
            "the DID document of {} lists no Ed25519 assertion keys; give them with --key ID=z6Mk…",
            printable(did.as_str())
        );
    }
    for (i, (id, key)) in keys.iter().enumerate() {
        // Verifiers find a member's key by its id alone (SPEC.md §8.2): two keys under one
        // id would make one of them unusable.
        if keys[..i].iter().any(|(other, _)| other == id) {
            bail!("the key id {} is listed twice", printable(id));
        }
        // A did:key signs only with its own key (SPEC.md §6.2); a registry listing another
        // is refused by every verifier.
        if let Did::Key { key: own, .. } = did {
            if key != own {
                bail!(
                    "{} is a did:key: its only key is {}, not {}",
                    did.as_str(),
                    multikey::public_key_to_multibase(own),
                    multikey::public_key_to_multibase(key)
                );
            }
        }
    }
    Ok(keys)
}

fn keys_from_document(did: &Did) -> Result<Vec<(String, VerifyingKey)>> {
    let document = match did {
        Did::Key { did, .. } => did::resolve_did_key(did)?,
        Did::Web { did } => fetch_did_web(did)?,
    };
    document
        .assertion_keys()
        .with_context(|| format!("the DID document of {}", printable(did.as_str())))
}

fn fetch_did_web(did: &str) -> Result<did::DidDocument> {
    use probity_verifier::fetch::{FetchPolicy, Fetcher, DEFAULT_TIMEOUT};
    // The operator names the member, so its document may be fetched (SPEC.md §10.6);
    // this machine is allowed so that a federation can be tried out on one machine.
    let fetcher = Fetcher::new(FetchPolicy::default(), DEFAULT_TIMEOUT)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime for fetching")?;
    // The error's own sentence already quotes its cause: shown once, not again as a chain.
    runtime
        .block_on(probity_verifier::gather::resolve_did_web(&fetcher, did))
        .map_err(|e| anyhow::anyhow!("cannot read the DID document of {}: {e}", printable(did)))
}

/// A key id as given (`did…#frag`, `#frag` or `frag`) made absolute for `did`. An id
/// under another DID is refused: a member's keys are methods of its own DID (SPEC.md
/// §6.2), and verifiers refuse a registry that says otherwise.
fn absolute_key_id(did: &str, id: &str) -> Result<String> {
    let absolute = if let Some(fragment) = id.strip_prefix('#') {
        format!("{did}#{fragment}")
    } else if id.starts_with("did:") {
        id.to_owned()
    } else {
        format!("{did}#{id}")
    };
    match absolute.split_once('#') {
        Some((owner, fragment)) if owner == did && !fragment.is_empty() => Ok(absolute),
        _ => bail!(
            "the key id {} is not a verification method of {} (did…#fragment)",
            printable(id),
            printable(did)
        ),
    }
}

/// The index of the member key `id` names, full or by fragment.
fn find_key(member: &Member, id: &str) -> Result<usize> {
    let absolute = absolute_key_id(&member.id, id)?;
    member
        .keys
        .iter()
        .position(|k| k.id == absolute)
        .with_context(|| {
            let known: Vec<String> = member
                .keys
                .iter()
                .map(|k| printable(&k.id).into_owned())
                .collect();
            format!(
                "{} has no key {}; its keys are {}",
                printable(&member.id),
                printable(&absolute),
                known.join(", ")
            )
        })
}

/// A member key for the registry, valid from `from`.
fn new_key(id: String, key: &VerifyingKey, from: DateTime<Utc>) -> MemberKey {
    MemberKey {
        id,
        public_key_multibase: multikey::public_key_to_multibase(key),
        valid_from: time::format(from),
        valid_until: None,
        compromised_at: None,
    }
}

/// How a kind of member reads to people.
fn kind_name(kind: MemberKind) -> &'static str {
    match kind {
        MemberKind::CertifyingBody => "certifying body",
        MemberKind::Hospital => "hospital",
        MemberKind::CourseProvider => "course provider",
    }
}

/// How a membership status reads (the words the registry uses).
fn status_name(status: MembershipStatus) -> &'static str {
    match status {
        MembershipStatus::Active => "active",
        MembershipStatus::Suspended => "suspended",
        MembershipStatus::Withdrawn => "withdrawn",
    }
}

/// What a member may issue, in one line: `PocusIpCertificate (FM_MSK, FM_CORE)`.
fn accreditations_line(member: &Member) -> String {
    if member.accreditations.is_empty() {
        return "nothing".to_owned();
    }
    let entries: Vec<String> = member
        .accreditations
        .iter()
        .map(|a| {
            let items: Vec<String> = a
                .tracks
                .iter()
                .map(|t| t.code().to_owned())
                .chain(a.applications.iter().map(|x| printable(x).into_owned()))
                .collect();
            let kind = printable(&a.credential_type);
            if items.is_empty() {
                format!("{kind} (all)")
            } else {
                format!("{kind} ({})", items.join(", "))
            }
        })
        .collect();
    entries.join("; ")
}

/// One line per key: its id, key and window.
fn key_lines(member: &Member) -> String {
    let mut out = String::new();
    for key in &member.keys {
        let mut window = format!("from {}", printable(&key.valid_from));
        if let Some(until) = &key.valid_until {
            window.push_str(&format!(" until {}", printable(until)));
        }
        if let Some(at) = &key.compromised_at {
            window.push_str(&format!(", compromised at {}", printable(at)));
        }
        out.push_str(&format!(
            "  key {}\n      {}  {window}\n",
            printable(&key.id),
            printable(&key.public_key_multibase)
        ));
    }
    out
}

/// A member, for people: every value from a file or a DID document escaped.
fn describe(member: &Member) -> String {
    let mut status = status_name(member.status).to_owned();
    if let Some(since) = &member.status_since {
        status.push_str(&format!(" since {}", printable(since)));
    }
    let mut out = format!(
        "{} ({})\n  {} in {}, member since {}, {status}\n  may issue {}\n",
        printable(&member.name),
        printable(&member.id),
        kind_name(member.kind),
        printable(&member.jurisdiction),
        printable(&member.member_since),
        accreditations_line(member),
    );
    out.push_str(&key_lines(member));
    if let Some(url) = &member.endpoints.issuer {
        out.push_str(&format!("  issuer endpoint {}\n", printable(url)));
    }
    if let Some(url) = &member.endpoints.status_lists {
        out.push_str(&format!("  status lists    {}\n", printable(url)));
    }
    out
}

/// Prints a member: as JSON (the member as the registry will list it), or described
/// for people.
fn print_member(member: &Member, as_json: bool) -> Result<()> {
    if as_json {
        super::print(super::pretty(&serde_json::to_value(member)?)?)
    } else {
        super::print_text(&describe(member))
    }
}

/// Says on stderr that a change reaches verifiers only with the next registry.
fn remind_to_publish(dir: &std::path::Path) {
    super::note(&format!(
        "Verifiers see this once it is published: probity federation publish --dir {} --out registry.json",
        dir.display()
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_are_made_absolute_for_the_member_only() {
        let did = "did:web:certs.cpocus.ca";
        for given in ["key-1", "#key-1", "did:web:certs.cpocus.ca#key-1"] {
            assert_eq!(
                absolute_key_id(did, given).unwrap(),
                "did:web:certs.cpocus.ca#key-1"
            );
        }
        for bad in ["did:web:evil.example#key-1", "did:web:certs.cpocus.ca", "#"] {
            assert!(absolute_key_id(did, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_of_change_are_whole_seconds() {
        let t = time::parse("2026-06-01T10:00:00.750+02:00").unwrap();
        assert_eq!(
            time::format(time_of_change(Some(t))),
            "2026-06-01T08:00:00Z"
        );
        assert_eq!(
            time_of_change(Some(t)),
            time::parse("2026-06-01T08:00:00Z").unwrap()
        );
    }
}
