//! The trust snapshot (SPEC.md §8.1): everything a verification may rely on, gathered
//! and checked before [`crate::verify()`] runs. The CLI builds one from flags and
//! fetched documents; a verifier node keeps one up to date from its sync loop.
//!
//! Expensive checks happen once, when a document enters the snapshot: registry and
//! status-list signatures are verified and lists are decompressed here, so a
//! verification costs one signature check and a few lookups.

use crate::did::{self, Did, DidDocument, DidError};
use crate::proof::{self, ProofError};
use crate::registry::{
    self, MembershipStatus, RegistryError, TrustedKey, TrustedMember, VerifiedRegistry,
};
use crate::status_list::{StatusListCredential, StatusListError, StatusPurpose};
use chrono::{DateTime, Duration, Utc};
use ed25519_dalek::VerifyingKey;
use serde_json::Value;
use std::collections::HashMap;

/// Why a document could not enter the snapshot.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// A DID was malformed or of an unsupported method.
    #[error(transparent)]
    Did(#[from] DidError),
    /// A did:web issuer was trusted without its DID document.
    #[error("{0} is a did:web; its DID document must be fetched and given with it")]
    NeedsDocument(String),
    /// The registry was refused.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// A status list's proof did not verify.
    #[error("status list {url}: {source}")]
    StatusListProof {
        /// Where the list came from.
        url: String,
        /// The proof error.
        source: ProofError,
    },
    /// A status list was signed by a key this snapshot cannot resolve.
    #[error("status list {url} is signed by {method}, a key this verifier does not know")]
    StatusListSigner {
        /// Where the list came from.
        url: String,
        /// The verification method.
        method: String,
    },
    /// A status list is malformed.
    #[error("status list {url}: {source}")]
    StatusList {
        /// Where the list came from.
        url: String,
        /// The list error.
        source: StatusListError,
    },
    /// A status list was signed by a member key that could not vouch for it then.
    #[error("status list {url} is not trusted: {problem}")]
    StatusListKey {
        /// Where the list came from.
        url: String,
        /// Why the key could not vouch for it.
        problem: String,
    },
    /// A status list older than the one held was offered (a replay).
    #[error("status list {id} (fetched from {url}) was issued at {offered}, before the copy already held ({held}); keeping the newer one")]
    StatusListRollback {
        /// Where the list came from.
        url: String,
        /// The list's id.
        id: String,
        /// validFrom of the list offered.
        offered: String,
        /// validFrom of the list held.
        held: String,
    },
    /// A status list without an id, which no status entry can name.
    #[error("status list fetched from {url} has no id; a list answers only for its id")]
    StatusListWithoutId {
        /// Where the list came from.
        url: String,
    },
}

/// An issuer trusted directly, outside any registry (`probity verify --trust-issuer`):
/// trusted for every credential type.
#[derive(Debug, Clone)]
pub struct ExplicitIssuer {
    /// The DID.
    pub did: String,
    /// Its assertion keys (verification method id, key).
    pub keys: Vec<(String, VerifyingKey)>,
}

/// A status list held by the snapshot, with when it was fetched.
#[derive(Debug, Clone)]
pub struct HeldStatusList {
    /// The verified, decoded list credential.
    pub list: StatusListCredential,
    /// When this copy was fetched from its publisher or a peer.
    pub fetched_at: DateTime<Utc>,
    /// Where this copy came from (its publisher, or a peer relaying it), for messages.
    pub fetched_from: String,
    /// The list's `proof.created`, which orders two versions with one `validFrom`.
    pub signed_at: Option<DateTime<Utc>>,
    /// Revocation bits a held version had set that this version cleared: they stay
    /// set here, because revocation is final (§7.4, §7.5 step 8).
    pub kept_revoked: Vec<u64>,
}

/// Where a key came from.
#[derive(Debug, Clone, Copy)]
pub enum KeyOrigin<'a> {
    /// An explicitly trusted issuer.
    Explicit(&'a ExplicitIssuer),
    /// A member of a registry.
    Member {
        /// The registry.
        registry: &'a VerifiedRegistry,
        /// The member.
        member: &'a TrustedMember,
        /// The key's registry entry.
        key: &'a TrustedKey,
    },
    /// A did:key, which resolves to itself but says nothing about trust.
    SelfCertifying,
}

/// A key found for a verification method.
#[derive(Debug, Clone, Copy)]
pub struct ResolvedKey<'a> {
    /// The key.
    pub key: VerifyingKey,
    /// Where it came from.
    pub origin: KeyOrigin<'a>,
}

/// Why a member's key cannot vouch for something signed at `signed_at`, checked at
/// `now`: the registry has expired, the membership is not active, the key was outside
/// its window, or it had been reported compromised. `None` when it can.
pub fn member_key_problem(
    registry: &VerifiedRegistry,
    member: &TrustedMember,
    key: &TrustedKey,
    signed_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<String> {
    let fmt = crate::time::format;
    if now >= registry.valid_until {
        return Some(format!(
            "the {} registry (version {}) expired at {}",
            registry.name,
            registry.version,
            fmt(registry.valid_until)
        ));
    }
    let status = match member.member.status {
        MembershipStatus::Active => None,
        MembershipStatus::Suspended => Some("suspended"),
        MembershipStatus::Withdrawn => Some("withdrawn"),
    };
    if let Some(status) = status {
        return Some(format!(
            "{}'s membership of {} is {status}",
            member.member.name, registry.name
        ));
    }
    if signed_at < key.valid_from || key.valid_until.is_some_and(|u| signed_at > u) {
        return Some(format!(
            "key {} was not valid when this was signed ({})",
            key.id,
            fmt(signed_at)
        ));
    }
    key.compromised_at.filter(|&at| signed_at >= at).map(|at| {
        format!(
            "key {} was reported compromised at {}, before this was signed",
            key.id,
            fmt(at)
        )
    })
}

/// What the registries held say of a member key signing something
/// ([`TrustSnapshot::vouching`]).
#[derive(Debug)]
pub(crate) enum Vouching<'a> {
    /// These registries, with the member's entry in each, trust the key for it; at
    /// least one, in the order the registries are held.
    Trusted(Vec<(&'a VerifiedRegistry, &'a TrustedMember)>),
    /// Registries list the key, but none trusts it for this: the problem found first.
    Refused(String),
    /// No registry lists the key for that member.
    Unlisted,
}

/// Everything a verification may rely on.
#[derive(Debug, Clone)]
pub struct TrustSnapshot {
    /// Shared, like the lists: a registry of a thousand members is not copied when a
    /// node clones its snapshot to try a list.
    registries: Vec<std::sync::Arc<VerifiedRegistry>>,
    explicit: Vec<ExplicitIssuer>,
    /// Lists by id, then one per issuer, in the order first accepted (§7.5).
    /// Shared, so that cloning a snapshot (as a node does to try a document before
    /// keeping it) copies pointers, not every decoded list.
    status_lists: HashMap<String, Vec<std::sync::Arc<HeldStatusList>>>,
    status_failures: HashMap<String, String>,
    /// A status list without `validUntil` that was issued (its `validFrom`, or when it
    /// was fetched if it has none) longer ago than this gives `STATUS_UNKNOWN`.
    pub max_status_age: Duration,
    /// A list without `validUntil` older than this still counts, with a warning.
    pub status_warn_age: Duration,
    /// A credential expiring within this window passes validity with a warning.
    pub expiry_warning: Duration,
    /// Clock skew tolerated for `proof.created` in the future.
    pub clock_skew: Duration,
    /// For a verifier node that holds lists between refreshes: a list last fetched or
    /// confirmed longer ago than this gives `STATUS_UNKNOWN`. `None` (the default) does
    /// not check, as when the lists were fetched for this very verification.
    pub max_data_age: Option<Duration>,
    /// A list last fetched or confirmed longer ago than this still counts, with a
    /// warning that says how old it is.
    pub data_warn_age: Option<Duration>,
}

impl Default for TrustSnapshot {
    fn default() -> Self {
        TrustSnapshot {
            registries: Vec::new(),
            explicit: Vec::new(),
            status_lists: HashMap::new(),
            status_failures: HashMap::new(),
            max_status_age: Duration::days(7),
            status_warn_age: Duration::hours(24),
            expiry_warning: Duration::days(30),
            clock_skew: Duration::minutes(5),
            max_data_age: None,
            data_warn_age: None,
        }
    }
}

impl TrustSnapshot {
    /// An empty snapshot: nothing trusted.
    pub fn new() -> Self {
        Self::default()
    }

    /// Trusts a `did:key` issuer for every credential type.
    pub fn trust_issuer(&mut self, did_str: &str) -> Result<(), TrustError> {
        match Did::parse(did_str)? {
            Did::Key { did, key } => {
                let vm = did::did_key_verification_method(&key);
                self.explicit.push(ExplicitIssuer {
                    did,
                    keys: vec![(vm, key)],
                });
                Ok(())
            }
            Did::Web { did } => Err(TrustError::NeedsDocument(did)),
        }
    }

    /// Trusts the issuer a DID document describes (fetched by the caller) for every
    /// credential type, with the document's assertion keys.
    pub fn trust_issuer_document(&mut self, document: &DidDocument) -> Result<(), TrustError> {
        Did::parse(&document.id)?;
        self.explicit.push(ExplicitIssuer {
            did: document.id.clone(),
            keys: document.assertion_keys()?,
        });
        Ok(())
    }

    /// Adds a signed registry after checking it against the pinned root keys at `now`.
    /// A registry from the same root with a lower version than one held is refused;
    /// a higher version replaces the one held.
    pub fn add_registry(
        &mut self,
        document: Value,
        pinned: &[VerifyingKey],
        now: DateTime<Utc>,
    ) -> Result<&VerifiedRegistry, TrustError> {
        let verified = registry::verify_registry(document, pinned, now)?;
        let held = self
            .registries
            .iter()
            .position(|r| r.federation_key == verified.federation_key);
        let index = match held {
            Some(i) if self.registries[i].version > verified.version => {
                return Err(RegistryError::Rollback {
                    offered: verified.version,
                    held: self.registries[i].version,
                }
                .into())
            }
            Some(i) => {
                self.registries[i] = std::sync::Arc::new(verified);
                i
            }
            None => {
                self.registries.push(std::sync::Arc::new(verified));
                self.registries.len() - 1
            }
        };
        Ok(&self.registries[index])
    }

    /// The registries held.
    pub fn registries(&self) -> &[std::sync::Arc<VerifiedRegistry>] {
        &self.registries
    }

    /// The explicitly trusted issuers.
    pub fn explicit_issuers(&self) -> &[ExplicitIssuer] {
        &self.explicit
    }

    /// Adds a status list credential fetched from `fetched_from` (its publisher, or a
    /// peer relaying it) at `fetched_at`, after checking that it is signed by a key of
    /// its issuer (SPEC.md §7.5). It is held under its own `id`, the URL status entries
    /// name, and answers for that id only; `fetched_from` serves only in messages.
    pub fn add_status_list(
        &mut self,
        fetched_from: &str,
        document: Value,
        fetched_at: DateTime<Utc>,
    ) -> Result<(), TrustError> {
        let err_proof = |source| TrustError::StatusListProof {
            url: fetched_from.to_owned(),
            source,
        };
        let parsed = proof::parse(document).map_err(err_proof)?;
        parsed
            .require_purpose(proof::ASSERTION_METHOD)
            .map_err(err_proof)?;
        parsed.require_unexpired(fetched_at).map_err(err_proof)?;
        let candidates = self.resolve_keys(&parsed.verification_method);
        if candidates.is_empty() {
            return Err(TrustError::StatusListSigner {
                url: fetched_from.to_owned(),
                method: parsed.verification_method.clone(),
            });
        }
        // The first key whose signature verifies decides. A member key vouches for a
        // list only as it would for a credential: inside its window, before any
        // compromise, while the membership stands.
        let signed_at = parsed.created.unwrap_or(fetched_at);
        let mut first_error = None;
        for candidate in &candidates {
            let outcome = match parsed.verify_signature(&candidate.key) {
                Err(e) => Err(err_proof(e)),
                Ok(()) => match candidate.origin {
                    KeyOrigin::Member { .. } => match self.vouching(
                        &parsed.verification_method,
                        &candidate.key,
                        signed_at,
                        fetched_at,
                    ) {
                        Vouching::Trusted(_) => Ok(()),
                        Vouching::Refused(problem) => Err(TrustError::StatusListKey {
                            url: fetched_from.to_owned(),
                            problem,
                        }),
                        Vouching::Unlisted => Err(TrustError::StatusListKey {
                            url: fetched_from.to_owned(),
                            problem: "its key is not listed".to_owned(),
                        }),
                    },
                    _ => Ok(()),
                },
            };
            match outcome {
                Ok(()) => {
                    first_error = None;
                    break;
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        if let Some(e) = first_error {
            return Err(e);
        }
        let controller = parsed.controller().to_owned();
        let list =
            StatusListCredential::parse(&Value::Object(parsed.unsecured)).map_err(|source| {
                TrustError::StatusList {
                    url: fetched_from.to_owned(),
                    source,
                }
            })?;
        // Bitstring Status List §2.2: the list's id is the URL entries point at, so it
        // is held under that id, wherever it was fetched from: a copy relayed by a peer
        // answers for its id, and a list answers for no other.
        let Some(id) = list.id.clone() else {
            return Err(TrustError::StatusListWithoutId {
                url: fetched_from.to_owned(),
            });
        };
        if list.issuer.as_deref() != Some(controller.as_str()) {
            return Err(TrustError::StatusListSigner {
                url: fetched_from.to_owned(),
                method: parsed.verification_method,
            });
        }
        // Held per id and issuer: any did:key can sign a list under any id, and such a
        // list must neither displace the list of the issuer that publishes there nor,
        // by claiming a later validFrom, block its next one (§7.5 step 7).
        let held = self.status_lists.entry(id.clone()).or_default();
        let same_issuer = held.iter().position(|h| h.list.issuer == list.issuer);
        let signed_at = parsed.created;
        let mut list = list;
        let mut kept_revoked = Vec::new();
        if let Some(current) = same_issuer.map(|i| &held[i]) {
            // Ordered by validFrom, then by proof.created (§7.5 step 7).
            let offered = (list.valid_from, signed_at);
            let holding = (current.list.valid_from, current.signed_at);
            let older = match (offered, holding) {
                ((Some(o), _), (Some(h), _)) if o != h => o < h,
                ((Some(_), Some(o)), (Some(_), Some(h))) => o < h,
                _ => false,
            };
            if older {
                let shown = |(from, created): (Option<DateTime<Utc>>, Option<DateTime<Utc>>)| {
                    let from = from.map(crate::time::format).unwrap_or_default();
                    match created {
                        Some(c) => format!("{from} (signed {})", crate::time::format(c)),
                        None => from,
                    }
                };
                return Err(TrustError::StatusListRollback {
                    url: fetched_from.to_owned(),
                    id,
                    offered: shown(offered),
                    held: shown(holding),
                });
            }
            // §7.5 step 8: a revocation seen stays, whatever a later version says.
            if list.purposes.contains(&StatusPurpose::Revocation) {
                let seen = current
                    .list
                    .list
                    .set_indexes()
                    .chain(current.kept_revoked.iter().copied());
                for index in seen {
                    if !list.list.get(index).unwrap_or(true) {
                        let _ = list.list.set(index, true);
                        kept_revoked.push(index);
                    }
                }
            }
        }
        self.status_failures.remove(&id);
        let accepted = std::sync::Arc::new(HeldStatusList {
            list,
            fetched_at,
            fetched_from: fetched_from.to_owned(),
            signed_at,
            kept_revoked,
        });
        match same_issuer {
            Some(i) => held[i] = accepted,
            None => held.push(accepted),
        }
        Ok(())
    }

    /// Sets again revocation bits that an earlier run of a verifier saw set in the list
    /// `id` of `issuer` and a later version cleared (a node keeps them with the list,
    /// since revocation is final). Indexes outside the list are ignored.
    pub fn keep_revoked(&mut self, id: &str, issuer: &str, indexes: &[u64]) {
        let Some(held) = self.status_lists.get_mut(id) else {
            return;
        };
        for entry in held.iter_mut() {
            if entry.list.issuer.as_deref() != Some(issuer)
                || !entry.list.purposes.contains(&StatusPurpose::Revocation)
            {
                continue;
            }
            let mut changed = (**entry).clone();
            for &index in indexes {
                if changed.list.list.get(index) == Ok(false) {
                    let _ = changed.list.list.set(index, true);
                    changed.kept_revoked.push(index);
                }
            }
            *entry = std::sync::Arc::new(changed);
        }
    }

    /// Records why the list at `url` could not be had, so the report can say so.
    pub fn record_status_failure(&mut self, url: &str, reason: impl Into<String>) {
        self.status_failures.insert(url.to_owned(), reason.into());
    }

    /// A status list held under the id `url`: the first accepted, when lists of several
    /// issuers claim that id ([`TrustSnapshot::status_list_of`] picks one issuer's).
    pub fn status_list(&self, url: &str) -> Option<&HeldStatusList> {
        self.status_lists.get(url)?.first().map(|h| &**h)
    }

    /// The status list `issuer` issued under the id `url`, if held.
    pub fn status_list_of(&self, url: &str, issuer: &str) -> Option<&HeldStatusList> {
        self.status_lists
            .get(url)?
            .iter()
            .find(|h| h.list.issuer.as_deref() == Some(issuer))
            .map(|h| &**h)
    }

    /// Why the list at `url` could not be had, if recorded.
    pub fn status_failure(&self, url: &str) -> Option<&str> {
        self.status_failures.get(url).map(String::as_str)
    }

    /// Every key this verifier holds for a verification method, most trusted first:
    /// an explicitly trusted issuer's, then each registry's entry for the member (two
    /// federations may list different keys under one id), then a did:key's own. The
    /// caller uses the first whose signature verifies, so a stale or foreign entry
    /// under the same id can neither vouch for a signature nor hide the right key.
    pub fn resolve_keys(&self, verification_method: &str) -> Vec<ResolvedKey<'_>> {
        let mut found = Vec::new();
        fn add<'a>(found: &mut Vec<ResolvedKey<'a>>, candidate: ResolvedKey<'a>) {
            if !found.iter().any(|f| same_key(&f.key, &candidate.key)) {
                found.push(candidate);
            }
        }
        for issuer in &self.explicit {
            if let Some((_, key)) = issuer.keys.iter().find(|(id, _)| id == verification_method) {
                add(
                    &mut found,
                    ResolvedKey {
                        key: *key,
                        origin: KeyOrigin::Explicit(issuer),
                    },
                );
            }
        }
        let Some((controller, _)) = verification_method.split_once('#') else {
            return found;
        };
        for registry in &self.registries {
            if let Some(member) = registry.member(controller) {
                if let Some(key) = member.keys.iter().find(|k| k.id == verification_method) {
                    add(
                        &mut found,
                        ResolvedKey {
                            key: key.key,
                            origin: KeyOrigin::Member {
                                registry,
                                member,
                                key,
                            },
                        },
                    );
                }
            }
        }
        if !controller.starts_with("did:key:") {
            return found;
        }
        if let Ok(Did::Key { key, .. }) = Did::parse(controller) {
            if did::did_key_verification_method(&key) == verification_method {
                // §8.2 step 3. A did:key that a registry lists as a member, with this
                // key under some other id, is still that member: its key is held to
                // its entry whichever spelling of the method id a proof names (§11),
                // or a compromised key could sign on as a mere did:key.
                let listed = self.registries.iter().find_map(|registry| {
                    let member = registry.member(controller)?;
                    let entry = member.keys.iter().find(|k| same_key(&k.key, &key))?;
                    Some(KeyOrigin::Member {
                        registry,
                        member,
                        key: entry,
                    })
                });
                add(
                    &mut found,
                    ResolvedKey {
                        key,
                        origin: listed.unwrap_or(KeyOrigin::SelfCertifying),
                    },
                );
            }
        }
        found
    }

    /// What the registries held say of `key` signing as `verification_method` at
    /// `signed_at`, judged at `now` (SPEC.md §6.5, §8.6). A registry is examined when
    /// the method's DID is a member of it that lists this very key under the method's
    /// id or, when the method is the self-certifying `did:key:<mb>#<mb>`, under any
    /// id (a did:key member's keys are all its own key, §6.2). A registry trusts the
    /// key when one of those entries has no problem ([`member_key_problem`]).
    pub(crate) fn vouching(
        &self,
        verification_method: &str,
        key: &VerifyingKey,
        signed_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Vouching<'_> {
        let (controller, fragment) = verification_method
            .split_once('#')
            .unwrap_or((verification_method, ""));
        let self_certifying = controller.strip_prefix("did:key:") == Some(fragment);
        let mut first_problem = None;
        let mut trusting = Vec::new();
        let memberships = self
            .registries
            .iter()
            .filter_map(|r| r.member(controller).map(|m| (r, m)));
        for (registry, member) in memberships {
            let entries = member.keys.iter().filter(|k| {
                (self_certifying || k.id == verification_method) && same_key(key, &k.key)
            });
            let mut trusted = false;
            for entry in entries {
                match member_key_problem(registry, member, entry, signed_at, now) {
                    None => {
                        trusted = true;
                        break;
                    }
                    Some(problem) => {
                        first_problem.get_or_insert(problem);
                    }
                }
            }
            if trusted {
                trusting.push((&**registry, member));
            }
        }
        match (trusting.is_empty(), first_problem) {
            (false, _) => Vouching::Trusted(trusting),
            (true, Some(problem)) => Vouching::Refused(problem),
            (true, None) => Vouching::Unlisted,
        }
    }

    /// The registry entries for `did` across every registry held.
    pub fn memberships<'a>(
        &'a self,
        did: &'a str,
    ) -> impl Iterator<Item = (&'a VerifiedRegistry, &'a TrustedMember)> + 'a {
        self.registries
            .iter()
            .filter_map(move |r| r.member(did).map(|m| (&**r, m)))
    }

    /// Whether `did` is trusted explicitly.
    pub fn explicit_issuer(&self, did: &str) -> Option<&ExplicitIssuer> {
        self.explicit.iter().find(|i| i.did == did)
    }
}

/// Whether two public keys are the same key. They are public, so the bytes are
/// compared plainly, without the constant-time comparison `==` does.
pub(crate) fn same_key(a: &VerifyingKey, b: &VerifyingKey) -> bool {
    a.as_bytes() == b.as_bytes()
}
