//! `probity federation …`: the federation operator's registry tool, declared here so
//! that its flags become typed values (DIDs, times, durations, accreditations, keys)
//! before any command runs.

use chrono::{DateTime, TimeDelta, Utc};
use clap::{Args, Subcommand, ValueEnum};
use ed25519_dalek::VerifyingKey;
use probity_spec::did::Did;
use probity_spec::model::{Track, IP_CERTIFICATE, SKILL_ATTESTATION};
use probity_spec::registry::{Accreditation, MemberKind};
use std::path::PathBuf;

/// The workflow, shown by `probity federation --help`.
pub const EXAMPLES: &str = "\
A federation's operator keeps its root key and its members in one folder, and publishes
a signed registry (SPEC.md §6) that verifiers check against the root key:

  FED_KEY=$(probity federation init --dir fed --name 'Probity POCUS federation')
  probity federation add-member --dir fed --did did:web:certs.cpocus.ca \\
      --name 'Canadian Point of Care Ultrasound Society' --kind certifying-body \\
      --jurisdiction CA --may-issue PocusIpCertificate:FM_CORE,FM_MSK
  probity federation publish --dir fed --out registry.json --valid-for 30d
  probity verify cert.json --registry registry.json --federation-key \"$FED_KEY\"

Nothing counts until it is published: each change is written to fed/federation.json, and
the next `publish` signs a registry one version higher. The registry is a static file:
any web server can host it. Publish again well before it expires.

Commands that stamp a time take --at (RFC 3339), which defaults to now.
--dir can also come from PROBITY_FEDERATION_DIR.";

const INIT_EXAMPLES: &str = "\
Example:
  FED_KEY=$(probity federation init --dir fed --name 'Probity POCUS federation')";

const ADD_MEMBER_EXAMPLES: &str = "\
Examples:
  probity federation add-member --dir fed --did did:web:certs.cpocus.ca \\
      --name 'Canadian Point of Care Ultrasound Society' --kind certifying-body \\
      --jurisdiction CA --may-issue PocusIpCertificate:FM_CORE,FM_MSK \\
      --issuer-endpoint https://certs.cpocus.ca --status-endpoint https://certs.cpocus.ca/status/
  probity federation add-member --dir fed --did did:web:stelsewhere.example \\
      --name 'St. Elsewhere General' --kind hospital --jurisdiction CA-ON \\
      --may-issue PocusSkillAttestation:eFAST,AAA,lung \\
      --key key-2026=z6Mk...        # instead of fetching its DID document

Tracks: FM_CORE, ACUTE_CARE_CORE, FM_MSK, RESUS, DIAG.";

const STATUS_EXAMPLES: &str = "\
Examples:
  probity federation suspend-member --dir fed --did did:web:certs.cpocus.ca
  probity federation reinstate-member --dir fed --did did:web:certs.cpocus.ca
  probity federation remove-member --dir fed --did did:web:certs.cpocus.ca
Then publish: verifiers see the change with the next registry.";

const COMPROMISE_EXAMPLES: &str = "\
Examples:
  probity federation compromise-key --dir fed --did did:web:certs.cpocus.ca \\
      --key key-2025 --since 2026-05-14T08:00:00Z
  probity federation compromise-key --dir fed --did did:web:certs.cpocus.ca \\
      --key key-2025 --since valid-from   # when it is unknown since when";

const REFRESH_EXAMPLES: &str = "\
Example, after the member published its new key in its DID document:
  probity federation refresh-keys --dir fed --did did:web:certs.cpocus.ca";

const LIST_EXAMPLES: &str = "\
Examples:
  probity federation list --dir fed
  probity federation list --dir fed --json | jq '.members[] | {id, status}'";

const PUBLISH_EXAMPLES: &str = "\
Examples:
  probity federation publish --dir fed --out /var/www/html/registry.json --valid-for 30d
  probity verify cert.json --registry registry.json --federation-key z6Mk...";

/// `probity federation …`
#[derive(Debug, Subcommand)]
pub enum FederationCommand {
    /// Start a federation: make its root key and its state file in a folder.
    ///
    /// Writes DIR/root-key.json (the root signing key, mode 0600: keep it offline and
    /// backed up; whoever holds it decides who is trusted) and DIR/federation.json (the
    /// name, the members and the last version published). Prints the root key's
    /// publicKeyMultibase (z6Mk…) alone on one line: verifiers pin it with
    /// --federation-key. Refuses a folder that already holds a federation unless --force.
    Init(InitArgs),
    /// Add an issuer to the federation, with what it may issue and its signing keys.
    ///
    /// The member's keys are its DID document's assertion keys (a did:web document is
    /// fetched over HTTPS, or plain HTTP on this machine; a did:key is its own key),
    /// unless given with --key. Each key may sign from --keys-valid-from (default:
    /// --at). A DID already in the federation is refused; a removed member comes back
    /// with reinstate-member.
    AddMember(Box<AddMemberArgs>),
    /// Suspend a member: from the next registry on, verifiers trust nothing it signed
    /// (UNTRUSTED_ISSUER) until it is reinstated.
    SuspendMember(MemberStatusArgs),
    /// Make a suspended or removed member active again.
    ReinstateMember(MemberStatusArgs),
    /// Remove a member: its status becomes `withdrawn` and its record stays.
    ///
    /// SPEC.md §6.2 defines `withdrawn` as "left or removed", so the registry keeps
    /// saying, signed, that this DID was a member and since when it is not: verifiers
    /// report "withdrawn" rather than "unknown issuer", and the DID cannot be added
    /// again by accident (reinstate-member brings it back on purpose).
    RemoveMember(MemberStatusArgs),
    /// Mark one of a member's keys compromised from a time on (SPEC.md §6.5).
    ///
    /// Whatever the key signed (by its proof's `created`) at or after --since is
    /// refused; what it signed before still verifies. `created` is written by the
    /// signer, so a thief can backdate it: give the earliest moment the key may have
    /// been exposed, or `--since valid-from` to refuse everything it ever signed, and
    /// have the member re-issue with a new key.
    CompromiseKey(CompromiseKeyArgs),
    /// Re-read a member's keys after it rotated them (SPEC.md §6.5).
    ///
    /// Keys in its DID document (or given with --key) that are new are added, valid
    /// from --at; listed keys that are gone from the document are retired (validUntil
    /// --at), and stay listed so that what they signed keeps verifying. Other keys keep
    /// their windows. A key id that now names a different key is refused: rotated keys
    /// need new ids.
    RefreshKeys(RefreshKeysArgs),
    /// Show the federation and its members.
    List(ListArgs),
    /// Sign the registry, one version higher than the last one published.
    ///
    /// The registry is valid from --at for --valid-for, is checked the way verifiers
    /// check it before it is written, and is written whole or not at all. The new
    /// version is recorded before the file is written, so no two different registries
    /// ever carry the same version (SPEC.md §6.4).
    Publish(PublishArgs),
}

/// Where the federation lives. Every federation command takes it.
#[derive(Debug, Args)]
pub struct FederationDir {
    /// The federation's folder, holding root-key.json and federation.json.
    #[arg(long, value_name = "DIR", env = "PROBITY_FEDERATION_DIR")]
    pub dir: PathBuf,
}

/// `probity federation init`
#[derive(Debug, Args)]
#[command(after_help = INIT_EXAMPLES)]
pub struct InitArgs {
    /// The federation's folder (created if needed).
    #[command(flatten)]
    pub dir: FederationDir,
    /// The federation's name, as verifiers show it.
    #[arg(long, value_parser = parse_name)]
    pub name: String,
    /// Replace a federation already in DIR, root key included. Verifiers that pinned
    /// the old key will refuse every registry signed with the new one.
    #[arg(long)]
    pub force: bool,
    /// Print {"federationKey", "federationDid", "name", "dir"} instead of the bare key.
    #[arg(long)]
    pub json: bool,
}

/// `probity federation add-member`
#[derive(Debug, Args)]
#[command(after_help = ADD_MEMBER_EXAMPLES)]
pub struct AddMemberArgs {
    /// The federation's folder.
    #[command(flatten)]
    pub dir: FederationDir,
    /// The member's DID (did:web or did:key).
    #[arg(long, value_parser = parse_did)]
    pub did: Did,
    /// Its name; verifiers show it as the issuer's name.
    #[arg(long, value_parser = parse_name)]
    pub name: String,
    /// What kind of organisation it is.
    #[arg(long, value_enum)]
    pub kind: KindArg,
    /// Where it operates: an ISO 3166 code such as CA or CA-ON.
    #[arg(long, value_parser = parse_jurisdiction)]
    pub jurisdiction: String,
    /// What it may issue, as TYPE or TYPE:ITEM,ITEM (repeatable): PocusIpCertificate
    /// with tracks (PocusIpCertificate:FM_MSK,FM_CORE), PocusSkillAttestation with
    /// applications (PocusSkillAttestation:eFAST,AAA). No items: every track or
    /// application.
    #[arg(long = "may-issue", value_name = "TYPE[:ITEM,…]", value_parser = parse_may_issue)]
    pub may_issue: Vec<Accreditation>,
    /// A signing key, as ID=z6Mk… (repeatable); ID is the verification method id or
    /// its fragment (key-2026). Without --key, the keys are read from the DID document.
    #[arg(long = "key", value_name = "ID=MULTIBASE", value_parser = parse_key)]
    pub keys: Vec<KeyArg>,
    /// When its keys may start signing; defaults to --at.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub keys_valid_from: Option<DateTime<Utc>>,
    /// The member's issuer node base URL (https, or http on this machine).
    #[arg(long, value_name = "URL", value_parser = parse_endpoint)]
    pub issuer_endpoint: Option<String>,
    /// Where the member publishes its status lists (https, or http on this machine).
    #[arg(long, value_name = "URL", value_parser = parse_endpoint)]
    pub status_endpoint: Option<String>,
    /// The time of the change (RFC 3339): memberSince and the keys' default validFrom.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub at: Option<DateTime<Utc>>,
    /// Print the member as it was added, as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `probity federation suspend-member`, `reinstate-member`, `remove-member`
#[derive(Debug, Args)]
#[command(after_help = STATUS_EXAMPLES)]
pub struct MemberStatusArgs {
    /// The federation's folder.
    #[command(flatten)]
    pub dir: FederationDir,
    /// The member's DID.
    #[arg(long, value_parser = parse_did)]
    pub did: Did,
    /// The time of the change (RFC 3339), written as the member's statusSince.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub at: Option<DateTime<Utc>>,
    /// Print the member as it now is, as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `probity federation compromise-key`
#[derive(Debug, Args)]
#[command(after_help = COMPROMISE_EXAMPLES)]
pub struct CompromiseKeyArgs {
    /// The federation's folder.
    #[command(flatten)]
    pub dir: FederationDir,
    /// The member's DID.
    #[arg(long, value_parser = parse_did)]
    pub did: Did,
    /// The key: its verification method id, or the fragment after '#'.
    #[arg(long, value_name = "KEY_ID")]
    pub key: String,
    /// From when the key counts as compromised: a time (RFC 3339), or `valid-from` for
    /// the key's own validFrom, which refuses everything it ever signed. It may move
    /// earlier later on, never later.
    #[arg(long, value_name = "TIME|valid-from", value_parser = parse_since)]
    pub since: Since,
    /// The time of the report (RFC 3339): --since may not be after it.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub at: Option<DateTime<Utc>>,
    /// Print the member as it now is, as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `probity federation refresh-keys`
#[derive(Debug, Args)]
#[command(after_help = REFRESH_EXAMPLES)]
pub struct RefreshKeysArgs {
    /// The federation's folder.
    #[command(flatten)]
    pub dir: FederationDir,
    /// The member's DID.
    #[arg(long, value_parser = parse_did)]
    pub did: Did,
    /// The member's current keys, as ID=z6Mk… (repeatable), instead of reading its
    /// DID document.
    #[arg(long = "key", value_name = "ID=MULTIBASE", value_parser = parse_key)]
    pub keys: Vec<KeyArg>,
    /// The time of the change (RFC 3339): new keys' validFrom, gone keys' validUntil.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub at: Option<DateTime<Utc>>,
    /// Print {"added", "retired", "unchanged", "member"} as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `probity federation list`
#[derive(Debug, Args)]
#[command(after_help = LIST_EXAMPLES)]
pub struct ListArgs {
    /// The federation's folder.
    #[command(flatten)]
    pub dir: FederationDir,
    /// Print the federation (name, root key, last version, members) as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `probity federation publish`
#[derive(Debug, Args)]
#[command(after_help = PUBLISH_EXAMPLES)]
pub struct PublishArgs {
    /// The federation's folder.
    #[command(flatten)]
    pub dir: FederationDir,
    /// Where to write the signed registry (written whole or not at all); without it,
    /// standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// How long the registry is valid: a number and d, h or m (30d, 12h, 90m), at most
    /// 365 days. Verifiers refuse it from then on, so publish again before.
    #[arg(long, value_name = "DURATION", default_value = "30d", value_parser = parse_duration)]
    pub valid_for: TimeDelta,
    /// The time of signing (RFC 3339): the registry's validFrom and its proof's created.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub at: Option<DateTime<Utc>>,
    /// Print {"version", "validFrom", "validUntil", "members", "out"} as JSON.
    #[arg(long)]
    pub json: bool,
}

/// A member kind as a flag value.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    /// A certifying body (issues IP certificates).
    CertifyingBody,
    /// A hospital (issues skill attestations).
    Hospital,
    /// A course provider.
    CourseProvider,
}

impl From<KindArg> for MemberKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::CertifyingBody => MemberKind::CertifyingBody,
            KindArg::Hospital => MemberKind::Hospital,
            KindArg::CourseProvider => MemberKind::CourseProvider,
        }
    }
}

/// A key given on the command line: an id as written (full, `#fragment` or
/// `fragment`; it is made absolute against the member's DID) and the key.
#[derive(Debug, Clone)]
pub struct KeyArg {
    /// The id as given.
    pub id: String,
    /// The public key.
    pub key: VerifyingKey,
}

/// When a key was compromised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// From this time.
    Time(DateTime<Utc>),
    /// From the key's own validFrom: everything it signed.
    KeyValidFrom,
}

/// The longest a registry may be valid. A registry cannot be taken back once it is out:
/// until it expires, anyone may show a verifier that keeps no state (the CLI) this
/// copy, with members suspended since still in it (SPEC.md §11).
pub const MAX_VALIDITY_DAYS: i64 = 365;

/// Reads an RFC 3339 time.
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    probity_spec::time::parse(text.trim()).map_err(|e| e.to_string())
}

fn parse_since(text: &str) -> Result<Since, String> {
    if text.trim() == "valid-from" {
        return Ok(Since::KeyValidFrom);
    }
    parse_time(text)
        .map(Since::Time)
        .map_err(|e| format!("{e}, or valid-from"))
}

fn parse_did(text: &str) -> Result<Did, String> {
    Did::parse(text.trim()).map_err(|e| e.to_string())
}

/// Reads a duration: a whole number and a unit, `d` (days), `h` (hours) or `m`
/// (minutes), more than zero and at most [`MAX_VALIDITY_DAYS`] days.
pub fn parse_duration(text: &str) -> Result<TimeDelta, String> {
    let text = text.trim();
    let bad = || format!("\"{text}\" is not a duration such as 30d, 12h or 90m");
    let unit = text.chars().last().ok_or_else(bad)?;
    let number = &text[..text.len() - unit.len_utf8()];
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    // More digits than any allowed duration has: refused below, without overflowing.
    let count: i64 = number.parse().unwrap_or(i64::MAX);
    let minutes_per_unit = match unit {
        'd' => 24 * 60,
        'h' => 60,
        'm' => 1,
        _ => return Err(bad()),
    };
    let max_minutes = MAX_VALIDITY_DAYS * 24 * 60;
    let minutes = count.saturating_mul(minutes_per_unit);
    if minutes == 0 {
        return Err(format!("\"{text}\" is no time at all"));
    }
    if minutes > max_minutes {
        return Err(format!(
            "\"{text}\" is longer than {MAX_VALIDITY_DAYS} days; a registry cannot be taken \
             back once published, so publish shorter ones more often"
        ));
    }
    Ok(TimeDelta::minutes(minutes))
}

/// Reads `--may-issue TYPE[:ITEM,ITEM…]`: a Probity credential type and, for IP
/// certificates, track codes (read by `Track::parse`), for skill attestations,
/// application names. No items means every track or application (SPEC.md §6.2).
pub fn parse_may_issue(text: &str) -> Result<Accreditation, String> {
    let (kind, items) = match text.split_once(':') {
        Some((kind, items)) => (kind.trim(), Some(items)),
        None => (text.trim(), None),
    };
    let items: Vec<&str> = match items {
        None => Vec::new(),
        Some(items) => {
            let items: Vec<&str> = items.split(',').map(str::trim).collect();
            if items.iter().any(|i| i.is_empty()) {
                return Err(format!(
                    "\"{text}\" has an empty item; write TYPE for every track or application, \
                     or TYPE:ITEM,ITEM"
                ));
            }
            items
        }
    };
    let mut accreditation = Accreditation {
        credential_type: kind.to_owned(),
        tracks: Vec::new(),
        applications: Vec::new(),
    };
    match kind {
        IP_CERTIFICATE => {
            for item in items {
                let track = Track::parse(item).map_err(|e| e.reason)?;
                if !accreditation.tracks.contains(&track) {
                    accreditation.tracks.push(track);
                }
            }
        }
        SKILL_ATTESTATION => {
            for item in items {
                check_plain(item, "an application", 64)?;
                if !accreditation.applications.iter().any(|a| a == item) {
                    accreditation.applications.push(item.to_owned());
                }
            }
        }
        other => {
            return Err(format!(
                "\"{other}\" is not a credential type Probity issues; expected \
                 {IP_CERTIFICATE} or {SKILL_ATTESTATION}"
            ))
        }
    }
    Ok(accreditation)
}

fn parse_key(text: &str) -> Result<KeyArg, String> {
    // A multibase value never holds '=', so the last one separates the two parts.
    let (id, multibase) = text
        .rsplit_once('=')
        .ok_or_else(|| format!("\"{text}\" is not ID=z6Mk…"))?;
    let id = id.trim();
    if id.is_empty() || id == "#" {
        return Err(format!("\"{text}\" has no key id before '='"));
    }
    check_plain(id, "a key id", 512)?;
    let key = probity_spec::multikey::public_key_from_multibase(multibase.trim())
        .map_err(|e| format!("\"{multibase}\" is not an Ed25519 publicKeyMultibase: {e}"))?;
    Ok(KeyArg {
        id: id.to_owned(),
        key,
    })
}

fn parse_name(text: &str) -> Result<String, String> {
    let text = text.trim();
    check_plain(text, "a name", 200)?;
    Ok(text.to_owned())
}

/// Reads a jurisdiction: an ISO 3166-1 alpha-2 country code, optionally with an
/// ISO 3166-2 subdivision (`CA`, `CA-ON`, `GB-SCT`).
fn parse_jurisdiction(text: &str) -> Result<String, String> {
    let code = text.trim().to_ascii_uppercase();
    let (country, subdivision) = match code.split_once('-') {
        Some((c, s)) => (c, Some(s)),
        None => (code.as_str(), None),
    };
    let country_ok = country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase());
    let subdivision_ok = subdivision
        .is_none_or(|s| (1..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()));
    if !(country_ok && subdivision_ok) {
        return Err(format!(
            "\"{text}\" is not an ISO 3166 code such as CA or CA-ON"
        ));
    }
    Ok(code)
}

/// Reads an endpoint URL. Verifiers fetch trust data over HTTPS only, plain HTTP only
/// on their own machine (SPEC.md §10.6), so an endpoint they could never use is refused.
fn parse_endpoint(text: &str) -> Result<String, String> {
    let text = text.trim();
    let url = url::Url::parse(text).map_err(|e| format!("\"{text}\" is not a URL ({e})"))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(format!("\"{text}\" has no host")),
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("\"{text}\" carries user credentials"));
    }
    match url.scheme() {
        "https" => Ok(text.to_owned()),
        "http" if loopback => Ok(text.to_owned()),
        _ => Err(format!(
            "\"{text}\" must be https (http only on this machine): verifiers fetch nothing else"
        )),
    }
}

/// Refuses empty, overlong, or text with control or bidirectional characters: what an
/// operator writes into the registry is shown to people by every verifier.
fn check_plain(text: &str, what: &str, max_chars: usize) -> Result<(), String> {
    if text.is_empty() {
        return Err(format!("{what} cannot be empty"));
    }
    if text.chars().count() > max_chars {
        return Err(format!("{what} is longer than {max_chars} characters"));
    }
    if text.chars().any(probity_spec::text::is_unsafe_char) {
        return Err(format!(
            "\"{}\" holds control or bidirectional characters, which {what} may not",
            probity_spec::text::printable(text)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_days_hours_or_minutes() {
        assert_eq!(parse_duration("30d"), Ok(TimeDelta::days(30)));
        assert_eq!(parse_duration("12h"), Ok(TimeDelta::hours(12)));
        assert_eq!(parse_duration("90m"), Ok(TimeDelta::minutes(90)));
        assert_eq!(parse_duration(" 365d "), Ok(TimeDelta::days(365)));
        assert_eq!(parse_duration("8760h"), Ok(TimeDelta::days(365)));
        for bad in [
            "",
            "d",
            "30",
            "30 d",
            "30D",
            "30s",
            "30w",
            "-1d",
            "+1d",
            "1.5d",
            "3x0d",
            "١d",
            "0d",
            "0m",
            "366d",
            "8761h",
            "99999999999999999999999d",
            "9223372036854775807m",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(parse_duration("366d").unwrap_err().contains("365 days"));
    }

    #[test]
    fn may_issue_reads_types_with_tracks_or_applications() {
        let ip = parse_may_issue("PocusIpCertificate:FM_MSK,FM_CORE").unwrap();
        assert_eq!(ip.credential_type, IP_CERTIFICATE);
        assert_eq!(ip.tracks, [Track::FmMsk, Track::FmCore]);
        assert!(ip.applications.is_empty());
        // Track::parse reads display names and lower case too; repeats count once.
        let ip = parse_may_issue("PocusIpCertificate: fm msk, FM_MSK ,resus").unwrap();
        assert_eq!(ip.tracks, [Track::FmMsk, Track::Resus]);
        let every = parse_may_issue("PocusIpCertificate").unwrap();
        assert!(every.tracks.is_empty() && every.applications.is_empty());
        let att = parse_may_issue("PocusSkillAttestation:eFAST,AAA").unwrap();
        assert_eq!(att.credential_type, SKILL_ATTESTATION);
        assert_eq!(att.applications, ["eFAST", "AAA"]);
        assert!(att.tracks.is_empty());
        assert!(parse_may_issue("PocusSkillAttestation")
            .unwrap()
            .applications
            .is_empty());
    }

    #[test]
    fn may_issue_refuses_unknown_types_tracks_and_empty_items() {
        for (bad, says) in [
            ("OpenBadgeCredential", "not a credential type"),
            ("pocusipcertificate:FM_MSK", "not a credential type"),
            ("", "not a credential type"),
            ("PocusIpCertificate:FM_MSK,CARDIAC", "CARDIAC"),
            ("PocusIpCertificate:", "empty item"),
            ("PocusIpCertificate:FM_MSK,,FM_CORE", "empty item"),
            ("PocusSkillAttestation:eFAST,", "empty item"),
            ("PocusSkillAttestation:e\u{202e}FAST", "bidirectional"),
        ] {
            let err = parse_may_issue(bad).expect_err(bad);
            assert!(err.contains(says), "{bad:?}: {err}");
        }
    }

    #[test]
    fn keys_names_jurisdictions_and_endpoints_are_checked_when_read() {
        let mb = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
        let key = parse_key(&format!("key-1={mb}")).unwrap();
        assert_eq!(key.id, "key-1");
        assert!(parse_key(&format!("did:web:x.org#a=b={mb}")).is_ok());
        for bad in [mb.to_owned(), format!("={mb}"), "k=z6Mkbad".to_owned()] {
            assert!(parse_key(&bad).is_err(), "{bad}");
        }
        assert_eq!(parse_jurisdiction("ca-on").unwrap(), "CA-ON");
        assert_eq!(parse_jurisdiction("GB-SCT").unwrap(), "GB-SCT");
        for bad in ["Canada", "C", "CA-", "CA-ONTARIO", "CA_ON", "1A"] {
            assert!(parse_jurisdiction(bad).is_err(), "{bad}");
        }
        assert!(parse_name("  St. Elsewhere  ").unwrap() == "St. Elsewhere");
        assert!(parse_name("Evil\u{1b}[2J").is_err());
        assert!(parse_name("   ").is_err());
        assert!(parse_endpoint("https://certs.cpocus.ca").is_ok());
        assert!(parse_endpoint("http://127.0.0.1:8080/status/").is_ok());
        assert!(parse_endpoint("http://certs.cpocus.ca").is_err());
        assert!(parse_endpoint("https://user:pw@certs.cpocus.ca").is_err());
        assert!(parse_endpoint("ftp://certs.cpocus.ca").is_err());
        assert_eq!(parse_since("valid-from"), Ok(Since::KeyValidFrom));
        assert!(parse_since("yesterday").is_err());
    }
}
