//! The issuer node's work, without HTTP: issuing, approving, revoking, rotating keys,
//! importing, publishing status lists. Every change is one store transaction that
//! also appends its audit entries; a change is published (status list cache, event)
//! only after its commit returned, so nothing is announced that a crash could undo.
//!
//! These functions block (disk, signing); the router calls them on blocking threads.

use crate::allocation::{list_from_bytes, Allocator};
use crate::audit::hex;
use crate::candidate::{self, AttestationCandidate, Failure, IpCandidate};
use crate::clock::Clock;
use crate::config::{self, Settings};
use crate::events::NodeEvent;
use crate::keyring::{self, KeyError, Keyring};
use crate::records::{
    CredentialRecord, CredentialStatus, Identity, IssuerKind, KeyRecord, ListRecord, RequestRecord,
    RequestStatus, Role, TokenRecord,
};
use crate::store::{self, Store, StoreError, Writer};
use chrono::{DateTime, Duration, Utc};
use ed25519_dalek::SigningKey;
use probity_spec::did::{self, Did};
use probity_spec::model::{
    self, Envelope, IpCertificateSubject, IssuerRef, SkillAttestationSubject,
};
use probity_spec::proof::{self, ProofOptions};
use probity_spec::status_list::{self, BitstringStatusList, StatusListEntry, StatusPurpose};
use probity_spec::time;
use serde::Serialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use subtle::ConstantTimeEq;
use tokio::sync::broadcast;

/// Name of the revocation list in URLs (`/status/revocation-1`).
pub const REVOCATION_LIST: &str = "revocation-1";
/// Name of the suspension list in URLs (`/status/suspension-1`).
pub const SUSPENSION_LIST: &str = "suspension-1";
/// Most rows one import batch may carry.
pub const MAX_IMPORT_ROWS: usize = 2000;
/// Longest reason accepted for a rejection or a status change.
pub const MAX_REASON: usize = 1000;

/// Why the node refused or failed to do something.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NodeError {
    /// A field the client sent is invalid.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field.
        field: String,
        /// Why.
        reason: String,
    },
    /// A candidate breaks rules; every failing rule is listed.
    #[error("the request breaks {} rule(s)", .0.len())]
    Rules(Vec<Failure>),
    /// No such record.
    #[error("{0}")]
    NotFound(String),
    /// The record is not in a state that allows this (revoking a revoked credential).
    #[error("{0}")]
    Conflict(String),
    /// This node does not issue that (a hospital asked for an IP certificate).
    #[error("{0}")]
    NotForThisIssuer(String),
    /// The status lists have no free index left.
    #[error("the status lists are full; no index is left for a new credential")]
    ListsFull,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A key could not be read or written.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// Setting up the node failed.
    #[error("{0}")]
    Setup(String),
    /// Something that should not fail did (signing, encoding).
    #[error("internal: {0}")]
    Internal(String),
}

fn invalid(field: &str, reason: impl Into<String>) -> NodeError {
    NodeError::Invalid {
        field: field.to_owned(),
        reason: reason.into(),
    }
}

/// Who is acting: a token (by its public id) and its role, or the node itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The token's public id, or `node`.
    pub token_id: String,
    /// Its role.
    pub role: Role,
}

impl Actor {
    /// The node acting on its own (start-up, initialisation).
    pub fn node() -> Self {
        Actor {
            token_id: "node".to_owned(),
            role: Role::Admin,
        }
    }

    fn label(&self) -> String {
        if self.token_id == "node" {
            "node".to_owned()
        } else {
            format!("token:{} ({})", self.token_id, self.role)
        }
    }
}

/// A status change asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusAction {
    /// Set the revocation bit, for good.
    Revoke,
    /// Set the suspension bit.
    Suspend,
    /// Clear the suspension bit.
    Reinstate,
}

impl StatusAction {
    fn audit_action(self) -> &'static str {
        match self {
            StatusAction::Revoke => "credential.revoked",
            StatusAction::Suspend => "credential.suspended",
            StatusAction::Reinstate => "credential.reinstated",
        }
    }
}

/// A signed status list as served.
#[derive(Debug, Clone)]
pub struct Published {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: u64,
    /// The `ETag` (quoted).
    pub etag: String,
    /// The JSON body.
    pub body: Arc<Vec<u8>>,
    /// Its `validFrom`.
    pub valid_from: DateTime<Utc>,
}

/// What `probity issuer init` makes.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The organisation's name.
    pub name: String,
    /// Certifying body or hospital.
    pub kind: IssuerKind,
    /// A did:web to issue as; `None` issues as the new key's did:key.
    pub did: Option<String>,
}

/// What `init` made.
#[derive(Debug, Clone)]
pub struct InitOutcome {
    /// The issuer DID.
    pub did: String,
    /// The first admin token. Shown once; only its hash is kept.
    pub admin_token: String,
    /// The key file written.
    pub key_file: PathBuf,
}

/// One row's outcome in an import.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportResult {
    /// The row's line number in the client's file.
    pub line: u64,
    /// `issued`, `existing` (issued by an earlier run) or `refused`.
    pub status: &'static str,
    /// The credential's UUID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its IP number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_number: Option<String>,
    /// Why it was refused: every failing rule.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<Failure>,
}

/// The issuer node.
pub struct Issuer {
    dir: PathBuf,
    store: Store,
    settings: Settings,
    identity: Identity,
    base_url: String,
    clock: Clock,
    keyring: RwLock<Keyring>,
    published: RwLock<HashMap<String, Published>>,
    events: broadcast::Sender<NodeEvent>,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer")
            .field("did", &self.identity.did)
            .field("base_url", &self.base_url)
            .finish()
    }
}

/// A new bearer token: 32 random bytes, base64url, with a prefix that secret scanners
/// can recognise. Returns (token, SHA-256 hex, public id).
fn new_token() -> (String, String, String) {
    use base64::Engine as _;
    use rand::RngCore;
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let token = format!(
        "probity_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret)
    );
    let mut id = [0u8; 6];
    rand::rngs::OsRng.fill_bytes(&mut id);
    (token.clone(), token_hash(&token), hex(&id))
}

/// The SHA-256 (hex) a token is stored under.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn store_token(
    w: &mut Writer,
    role: Role,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<String, NodeError> {
    let (token, hash, id) = new_token();
    let record = TokenRecord {
        id: id.clone(),
        role,
        created: time::format(now),
    };
    w.put_token(&hash, &record)?;
    w.audit(
        time::format(now),
        &actor.label(),
        "token.created",
        None,
        json!({"tokenId": id, "role": role.as_str()}),
    )?;
    Ok(token)
}

/// Makes a new node in `dir`: signing key, `issuer.toml`, store, status lists and the
/// first admin token.
pub fn init(
    dir: &Path,
    options: &InitOptions,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<InitOutcome, NodeError> {
    let setup = |what: &str, e: std::io::Error| NodeError::Setup(format!("{what}: {e}"));
    if options.name.trim().is_empty() || options.name.chars().any(char::is_control) {
        return Err(invalid(
            "name",
            "must be a non-blank name without control characters",
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| setup(&dir.display().to_string(), e))?;
    let toml_path = dir.join(config::FILE_NAME);
    let store_path = dir.join(store::FILE_NAME);
    if toml_path.exists() || store_path.exists() {
        return Err(NodeError::Setup(format!(
            "{} already holds an issuer node; refusing to replace it",
            dir.display()
        )));
    }
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    let (issuer_did, method) =
        match &options.did {
            None => (
                did::did_key(&key.verifying_key()),
                did::did_key_verification_method(&key.verifying_key()),
            ),
            Some(d) => match Did::parse(d).map_err(|e| invalid("did", e.to_string()))? {
                Did::Web { did } => {
                    did::did_web_url(&did).map_err(|e| invalid("did", e.to_string()))?;
                    (did.clone(), format!("{did}#key-1"))
                }
                Did::Key { .. } => return Err(invalid(
                    "did",
                    "a did:key is made from the node's own key; leave --did out to issue as one",
                )),
            },
        };
    let keys_dir = dir.join("keys");
    std::fs::create_dir_all(&keys_dir).map_err(|e| setup("keys/", e))?;
    let key_file = keys_dir.join("key-1.json");
    keyring::write_key_file(&key_file, &key, &issuer_did, &method)?;
    std::fs::write(&toml_path, Settings::default_file())
        .map_err(|e| setup(config::FILE_NAME, e))?;

    let store = Store::create(&store_path)?;
    let mut w = store.write()?;
    let identity = Identity {
        did: issuer_did.clone(),
        name: options.name.trim().to_owned(),
        kind: options.kind,
    };
    w.set_identity(&identity)?;
    w.put_key(&KeyRecord {
        verification_method: method.clone(),
        public_key_multibase: probity_spec::multikey::public_key_to_multibase(&key.verifying_key()),
        file: "keys/key-1.json".to_owned(),
        created: time::format(now),
        retired: None,
    })?;
    w.set_active_key(&method)?;
    let empty = BitstringStatusList::new(settings.status_list_size)
        .map_err(|e| NodeError::Setup(e.to_string()))?;
    for (name, purpose) in [
        (REVOCATION_LIST, "revocation"),
        (SUSPENSION_LIST, "suspension"),
    ] {
        w.put_list(
            &ListRecord {
                name: name.to_owned(),
                purpose: purpose.to_owned(),
                version: 0,
                signed: None,
            },
            empty.as_bytes(),
        )?;
    }
    w.audit(
        time::format(now),
        "node",
        "node.initialised",
        None,
        json!({"did": issuer_did, "name": identity.name, "kind": options.kind.as_str(), "key": method}),
    )?;
    let admin_token = store_token(&mut w, Role::Admin, &Actor::node(), now)?;
    w.commit()?;
    Ok(InitOutcome {
        did: issuer_did,
        admin_token,
        key_file,
    })
}

/// Makes a token for a node that is not running (the store is locked while it runs:
/// a running node makes tokens through `POST /api/v1/tokens`).
pub fn create_token_offline(
    dir: &Path,
    role: Role,
    now: DateTime<Utc>,
) -> Result<String, NodeError> {
    let store = Store::open(&dir.join(store::FILE_NAME))?;
    let mut w = store.write()?;
    let token = store_token(&mut w, role, &Actor::node(), now)?;
    w.commit()?;
    Ok(token)
}

/// The base URL a node publishes under when none is set: a loopback did:web's own
/// (so its DID document is found where the DID says), else the bound address.
pub fn default_base_url(did: &str, bound: std::net::SocketAddr) -> String {
    if let Ok(url) = did::did_web_url(did) {
        if let Some(base) = url.strip_suffix("/.well-known/did.json") {
            if base.starts_with("http://") {
                return base.to_owned();
            }
        }
    }
    format!("http://{bound}")
}

/// Reads the identity a store holds, without starting the node.
pub fn read_identity(dir: &Path) -> Result<Identity, NodeError> {
    let store = Store::open(&dir.join(store::FILE_NAME))?;
    store
        .read()?
        .identity()?
        .ok_or_else(|| NodeError::Setup("the store has no identity".into()))
}

/// Strips `urn:uuid:` and checks the rest is a UUID, so ids from clients are compared
/// in one form.
pub fn credential_uuid(id: &str) -> Result<String, NodeError> {
    let bare = id
        .strip_prefix("urn:uuid:")
        .unwrap_or(id)
        .to_ascii_lowercase();
    let ok = bare.len() == 36
        && bare.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    if ok {
        Ok(bare)
    } else {
        Err(NodeError::NotFound(format!(
            "no credential or request has the id {:?}: ids are UUIDs, with or without urn:uuid:",
            truncate(id, 80)
        )))
    }
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// Reads a reason for a rejection or a status change.
pub fn reason_from(body: &Value) -> Result<String, NodeError> {
    let Some(obj) = body.as_object() else {
        return Err(invalid(
            "body",
            "must be a JSON object {\"reason\": \"...\"}",
        ));
    };
    if let Some(key) = obj.keys().find(|k| *k != "reason") {
        return Err(invalid(
            key,
            "is not a known field; send {\"reason\": \"...\"}",
        ));
    }
    match obj.get("reason") {
        Some(Value::String(r)) if r.trim().is_empty() => {
            Err(invalid("reason", "must not be blank"))
        }
        Some(Value::String(r)) if r.chars().count() > MAX_REASON => Err(invalid(
            "reason",
            format!("is longer than {MAX_REASON} characters"),
        )),
        Some(Value::String(r)) => Ok(r.clone()),
        Some(_) => Err(invalid("reason", "must be a string")),
        None => Err(invalid("reason", "is required")),
    }
}

/// A credential ready to sign, with the record it will be stored as.
struct Prepared {
    record: CredentialRecord,
    unsigned: Value,
    via: &'static str,
    line: Option<u64>,
}

enum Draft {
    Ip(IpCandidate),
    Attestation(AttestationCandidate),
}

struct Origin {
    request_id: Option<String>,
    import_key: Option<String>,
    via: &'static str,
    line: Option<u64>,
}

impl Issuer {
    /// Opens the node in `dir` and publishes fresh status lists: on start the lists are
    /// re-signed with the current key, time and base URL.
    pub fn open(
        dir: &Path,
        settings: Settings,
        base_url: String,
        clock: Clock,
    ) -> Result<Arc<Issuer>, NodeError> {
        let store = Store::open(&dir.join(store::FILE_NAME))?;
        let (identity, keyring) = {
            let r = store.read()?;
            let identity = r.identity()?.ok_or_else(|| {
                NodeError::Setup("the store has no identity; was init interrupted?".into())
            })?;
            let active = r.active_key()?.ok_or(KeyError::NoActiveKey)?;
            let keyring = Keyring::load(dir, &r.keys()?, &active)?;
            (identity, keyring)
        };
        let (events, _) = broadcast::channel(256);
        let issuer = Arc::new(Issuer {
            dir: dir.to_owned(),
            store,
            settings,
            identity,
            base_url: base_url.trim_end_matches('/').to_owned(),
            clock,
            keyring: RwLock::new(keyring),
            published: RwLock::new(HashMap::new()),
            events,
        });
        issuer.republish()?;
        Ok(issuer)
    }

    /// Who the node is.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The settings it runs with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Its public base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The current time by the node's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The URL of a status list.
    pub fn list_url(&self, name: &str) -> String {
        format!("{}/status/{name}", self.base_url)
    }

    /// A receiver of the node's announcements.
    pub fn subscribe(&self) -> broadcast::Receiver<NodeEvent> {
        self.events.subscribe()
    }

    /// The published status list `name`.
    pub fn published(&self, name: &str) -> Option<Published> {
        self.published.read().ok()?.get(name).cloned()
    }

    /// The DID document, for a did:web issuer.
    pub fn did_document(&self) -> Option<Value> {
        if !self.identity.did.starts_with("did:web:") {
            return None;
        }
        let keyring = self.keyring.read().ok()?;
        serde_json::to_value(keyring.did_document(&self.identity.did)?).ok()
    }

    fn keyring(&self) -> Result<std::sync::RwLockReadGuard<'_, Keyring>, NodeError> {
        self.keyring
            .read()
            .map_err(|_| NodeError::Internal("the keyring lock is poisoned".into()))
    }

    /// Checks a bearer token. Every stored hash is compared, in constant time, so the
    /// answer takes as long whichever token (if any) matches.
    pub fn authenticate(&self, token: &str) -> Result<Option<TokenRecord>, NodeError> {
        let presented = token_hash(token);
        let mut found = None;
        for (hash, record) in self.store.read()?.tokens()? {
            if bool::from(hash.as_bytes().ct_eq(presented.as_bytes())) {
                found = Some(record);
            }
        }
        Ok(found)
    }

    /// Makes a token; the answer is the only time it is shown.
    pub fn create_token(&self, actor: &Actor, role: Role) -> Result<String, NodeError> {
        let mut w = self.store.write()?;
        let token = store_token(&mut w, role, actor, self.now())?;
        w.commit()?;
        Ok(token)
    }

    /// Re-signs both status lists (new versions, current key and time) and publishes
    /// them. Done at start, daily, and after a key rotation.
    pub fn republish(&self) -> Result<(), NodeError> {
        let keyring = self.keyring()?;
        let now = self.now();
        let mut w = self.store.write()?;
        let mut records = Vec::new();
        for name in [REVOCATION_LIST, SUSPENSION_LIST] {
            let rec = self.resign_list(&mut w, &keyring, name, None, now)?;
            records.push(rec);
        }
        w.commit()?;
        for rec in &records {
            self.publish(rec);
        }
        Ok(())
    }

    /// Whether the lists are due for re-signing (SPEC.md §7.4: at least daily).
    pub fn lists_due(&self) -> bool {
        let due = Duration::hours(i64::from(self.settings.status_list_republish_hours));
        let now = self.now();
        [REVOCATION_LIST, SUSPENSION_LIST].iter().any(|name| {
            self.published(name)
                .is_none_or(|p| now - p.valid_from >= due)
        })
    }

    /// Signs a new version of list `name` inside `w`; `change` sets or clears one bit
    /// first.
    fn resign_list(
        &self,
        w: &mut Writer,
        keyring: &Keyring,
        name: &str,
        change: Option<(u64, bool)>,
        now: DateTime<Utc>,
    ) -> Result<ListRecord, NodeError> {
        let mut rec = w
            .list(name)?
            .ok_or_else(|| NodeError::Internal(format!("status list {name} is missing")))?;
        let bits = w
            .list_bits(name)?
            .ok_or_else(|| NodeError::Internal(format!("status list {name} has no bits")))?;
        let mut list = list_from_bytes(&bits)?;
        if let Some((index, value)) = change {
            list.set(index, value)
                .map_err(|e| NodeError::Internal(e.to_string()))?;
        }
        let purpose: StatusPurpose = rec
            .purpose
            .parse()
            .map_err(|_| NodeError::Internal(format!("status list {name} has no purpose")))?;
        let until = now + Duration::hours(i64::from(self.settings.status_list_validity_hours));
        let unsigned = status_list::status_list_credential(
            &self.list_url(name),
            &self.identity.did,
            purpose,
            &list,
            now,
            Some(until),
        );
        let signed = proof::sign(
            &unsigned,
            keyring.signing_key(),
            &ProofOptions::assertion(keyring.active_method.clone(), Some(time::format(now))),
        )
        .map_err(|e| NodeError::Internal(format!("signing status list: {e}")))?;
        rec.version += 1;
        rec.signed = Some(signed);
        if change.is_some() {
            w.put_list(&rec, list.as_bytes())?;
        } else {
            w.put_list_record(&rec)?;
        }
        Ok(rec)
    }

    /// After a commit: serve the new version and announce it. A version older than
    /// the one served (two changes committed in one order, published in the other)
    /// is not served.
    fn publish(&self, rec: &ListRecord) {
        let Some(signed) = &rec.signed else { return };
        let Ok(body) = serde_json::to_vec_pretty(signed) else {
            return;
        };
        let valid_from = signed
            .get("validFrom")
            .and_then(Value::as_str)
            .and_then(|t| time::parse(t).ok())
            .unwrap_or_else(|| self.now());
        let published = Published {
            name: rec.name.clone(),
            version: rec.version,
            etag: format!("\"{}-v{}\"", rec.name, rec.version),
            body: Arc::new(body),
            valid_from,
        };
        if let Ok(mut cache) = self.published.write() {
            if cache
                .get(&rec.name)
                .is_some_and(|p| p.version >= rec.version)
            {
                return;
            }
            cache.insert(rec.name.clone(), published);
        }
        let _ = self.events.send(NodeEvent::StatusList {
            list: rec.name.clone(),
            url: self.list_url(&rec.name),
            version: rec.version,
            valid_from: time::format(valid_from),
        });
    }

    fn require_kind(&self, kind: IssuerKind, what: &str) -> Result<(), NodeError> {
        if self.identity.kind == kind {
            Ok(())
        } else {
            Err(NodeError::NotForThisIssuer(format!(
                "this node is a {}; it does not issue {what}",
                self.identity.kind.as_str()
            )))
        }
    }

    /// Records an IP request after checking it against the track's rules.
    pub fn submit_request(&self, actor: &Actor, body: &Value) -> Result<RequestRecord, NodeError> {
        self.require_kind(IssuerKind::CertifyingBody, "IP certificates")?;
        let now = self.now();
        let candidate = candidate::ip_candidate(body, &self.settings, &[], false, now)
            .map_err(NodeError::Rules)?;
        let mut subject = body.as_object().cloned().unwrap_or_default();
        subject.remove("validUntil");
        let mut id_rng = rand::rngs::OsRng;
        let id = model::new_credential_id(&mut id_rng)
            .trim_start_matches("urn:uuid:")
            .to_owned();
        let record = RequestRecord {
            id: id.clone(),
            status: RequestStatus::Pending,
            subject: Value::Object(subject),
            valid_until: candidate.valid_until.map(time::format),
            submitted: time::format(now),
            submitted_by: actor.label(),
            decided: None,
            reason: None,
            credential_id: None,
        };
        let mut w = self.store.write()?;
        w.put_request(&record)?;
        w.audit(
            time::format(now),
            &actor.label(),
            "ip-request.submitted",
            Some(id),
            json!({"track": candidate.track.code()}),
        )?;
        w.commit()?;
        Ok(record)
    }

    /// One IP request.
    pub fn request(&self, id: &str) -> Result<RequestRecord, NodeError> {
        let id = credential_uuid(id)?;
        self.store
            .read()?
            .request(&id)?
            .ok_or_else(|| NodeError::NotFound(format!("no IP request has the id {id}")))
    }

    /// Approves a pending request: the fee is paid. Allocates the IP number and the
    /// status index, signs, stores, all in one transaction.
    pub fn approve(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Result<(RequestRecord, CredentialRecord), NodeError> {
        let id = credential_uuid(id)?;
        let keyring = self.keyring()?;
        let now = self.now();
        let mut w = self.store.write()?;
        let mut request = w
            .request(&id)?
            .ok_or_else(|| NodeError::NotFound(format!("no IP request has the id {id}")))?;
        if request.status != RequestStatus::Pending {
            return Err(NodeError::Conflict(format!(
                "IP request {id} was already {}",
                if request.status == RequestStatus::Approved {
                    "approved"
                } else {
                    "rejected"
                }
            )));
        }
        let mut body = request.subject.clone();
        if let (Some(until), Some(obj)) = (&request.valid_until, body.as_object_mut()) {
            obj.insert("validUntil".into(), until.clone().into());
        }
        // The rules are checked again: they may have changed since the submission.
        let candidate = candidate::ip_candidate(&body, &self.settings, &[], false, now)
            .map_err(NodeError::Rules)?;
        let mut alloc = Allocator::new(&w)?;
        let prepared = self.prepare(
            &mut w,
            &mut alloc,
            Draft::Ip(candidate),
            Origin {
                request_id: Some(id.clone()),
                import_key: None,
                via: "ip-request",
                line: None,
            },
            now,
        )?;
        let mut records = self.sign_and_insert(&mut w, &keyring, actor, vec![prepared], now)?;
        let record = records
            .pop()
            .ok_or_else(|| NodeError::Internal("nothing was issued".into()))?;
        request.status = RequestStatus::Approved;
        request.decided = Some(time::format(now));
        request.credential_id = Some(record.id.clone());
        w.put_request(&request)?;
        w.audit(
            time::format(now),
            &actor.label(),
            "ip-request.approved",
            Some(id),
            json!({"feePaid": true, "credential": record.id, "ipNumber": record.ip_number}),
        )?;
        w.commit()?;
        Ok((request, record))
    }

    /// Rejects a pending request, with a reason.
    pub fn reject(
        &self,
        actor: &Actor,
        id: &str,
        reason: String,
    ) -> Result<RequestRecord, NodeError> {
        let id = credential_uuid(id)?;
        let now = self.now();
        let mut w = self.store.write()?;
        let mut request = w
            .request(&id)?
            .ok_or_else(|| NodeError::NotFound(format!("no IP request has the id {id}")))?;
        if request.status != RequestStatus::Pending {
            return Err(NodeError::Conflict(format!(
                "IP request {id} was already decided"
            )));
        }
        request.status = RequestStatus::Rejected;
        request.decided = Some(time::format(now));
        request.reason = Some(reason.clone());
        w.put_request(&request)?;
        w.audit(
            time::format(now),
            &actor.label(),
            "ip-request.rejected",
            Some(id),
            json!({"reason": reason}),
        )?;
        w.commit()?;
        Ok(request)
    }

    /// Signs and stores a skill attestation (hospital nodes).
    pub fn issue_attestation(
        &self,
        actor: &Actor,
        body: &Value,
    ) -> Result<CredentialRecord, NodeError> {
        self.require_kind(IssuerKind::Hospital, "skill attestations")?;
        let now = self.now();
        let candidate =
            candidate::attestation_candidate(body, &[], now).map_err(NodeError::Rules)?;
        self.issue_one(actor, Draft::Attestation(candidate), "attestation", now)
    }

    /// The VC API's `POST /credentials/issue`: `credential` is an unsigned Probity
    /// credential whose subject holds the fields; the node fills in the rest.
    pub fn issue_vc_api(&self, actor: &Actor, body: &Value) -> Result<CredentialRecord, NodeError> {
        let obj = body.as_object().ok_or_else(|| {
            invalid(
                "body",
                "must be {\"credential\": {...}, \"options\": {...}}",
            )
        })?;
        if let Some(key) = obj.keys().find(|k| *k != "credential" && *k != "options") {
            return Err(invalid(key, "is not a member of a VC API issue request"));
        }
        if let Some(options) = obj.get("options") {
            if !options.is_object() {
                return Err(invalid("options", "must be an object"));
            }
        }
        let credential = obj
            .get("credential")
            .and_then(Value::as_object)
            .ok_or_else(|| invalid("credential", "is required: the unsigned credential"))?;
        for (key, value) in credential {
            match key.as_str() {
                "@context" | "type" | "name" | "credentialSubject" | "validUntil" => {}
                "issuer" => {
                    let id = value
                        .as_str()
                        .or_else(|| value.get("id").and_then(Value::as_str));
                    if id != Some(self.identity.did.as_str()) {
                        return Err(invalid(
                            "credential.issuer",
                            format!("this node issues as {}", self.identity.did),
                        ));
                    }
                }
                "proof" | "credentialStatus" | "id" | "validFrom" => {
                    return Err(invalid(
                        &format!("credential.{key}"),
                        "is written by this node; leave it out",
                    ))
                }
                other => {
                    return Err(invalid(
                        &format!("credential.{other}"),
                        "is not a member this node can issue",
                    ))
                }
            }
        }
        let types: Vec<&str> = match credential.get("type") {
            Some(Value::Array(t)) => t.iter().filter_map(Value::as_str).collect(),
            Some(Value::String(t)) => vec![t.as_str()],
            _ => Vec::new(),
        };
        let mut subject = credential
            .get("credentialSubject")
            .cloned()
            .ok_or_else(|| invalid("credential.credentialSubject", "is required"))?;
        let Some(sub) = subject.as_object_mut() else {
            return Err(invalid(
                "credential.credentialSubject",
                "must be one object",
            ));
        };
        sub.remove("achievement");
        if let Some(until) = credential.get("validUntil") {
            sub.insert("validUntil".into(), until.clone());
        }
        let now = self.now();
        let prefix = |failures: Vec<Failure>| {
            NodeError::Rules(
                failures
                    .into_iter()
                    .map(|f| Failure {
                        field: format!("credential.credentialSubject.{}", f.field),
                        reason: f.reason,
                    })
                    .collect(),
            )
        };
        if types.contains(&model::IP_CERTIFICATE) {
            self.require_kind(IssuerKind::CertifyingBody, "IP certificates")?;
            let c = candidate::ip_candidate(&subject, &self.settings, &[], false, now)
                .map_err(prefix)?;
            self.issue_one(actor, Draft::Ip(c), "vc-api", now)
        } else if types.contains(&model::SKILL_ATTESTATION) {
            self.require_kind(IssuerKind::Hospital, "skill attestations")?;
            let c = candidate::attestation_candidate(&subject, &[], now).map_err(prefix)?;
            self.issue_one(actor, Draft::Attestation(c), "vc-api", now)
        } else {
            Err(invalid(
                "credential.type",
                format!(
                    "must include {} or {}",
                    model::IP_CERTIFICATE,
                    model::SKILL_ATTESTATION
                ),
            ))
        }
    }

    fn issue_one(
        &self,
        actor: &Actor,
        draft: Draft,
        via: &'static str,
        now: DateTime<Utc>,
    ) -> Result<CredentialRecord, NodeError> {
        let keyring = self.keyring()?;
        let mut w = self.store.write()?;
        let mut alloc = Allocator::new(&w)?;
        let prepared = self.prepare(
            &mut w,
            &mut alloc,
            draft,
            Origin {
                request_id: None,
                import_key: None,
                via,
                line: None,
            },
            now,
        )?;
        let mut records = self.sign_and_insert(&mut w, &keyring, actor, vec![prepared], now)?;
        w.commit()?;
        records
            .pop()
            .ok_or_else(|| NodeError::Internal("nothing was issued".into()))
    }

    /// Allocates (IP number, status index) and builds the unsigned credential.
    fn prepare(
        &self,
        w: &mut Writer,
        alloc: &mut Allocator,
        draft: Draft,
        origin: Origin,
        now: DateTime<Utc>,
    ) -> Result<Prepared, NodeError> {
        let mut rng = rand::rngs::OsRng;
        let credential_id = model::new_credential_id(&mut rng);
        let uuid = credential_id.trim_start_matches("urn:uuid:").to_owned();
        let (mut subject, valid_until, track, given_ip) = match draft {
            Draft::Ip(c) => (c.subject, c.valid_until, Some(c.track), c.ip_number),
            Draft::Attestation(c) => (c.subject, c.valid_until, None, None),
        };
        let ip_number = match (track, given_ip) {
            (Some(_), Some(given)) => Some(alloc.claim_ip_number(w, &given)?),
            (Some(track), None) => Some(alloc.next_ip_number(
                w,
                track,
                &self.settings.track(track).ip_number_format,
            )?),
            (None, _) => None,
        };
        let index = alloc.next_index(w)?;
        let status = vec![
            StatusListEntry::new(
                StatusPurpose::Revocation,
                &self.list_url(REVOCATION_LIST),
                index,
            ),
            StatusListEntry::new(
                StatusPurpose::Suspension,
                &self.list_url(SUSPENSION_LIST),
                index,
            ),
        ];
        let envelope = Envelope {
            id: credential_id,
            issuer: IssuerRef {
                id: self.identity.did.clone(),
                name: Some(self.identity.name.clone()),
            },
            valid_from: now,
            valid_until,
            status,
        };
        let holder_did = subject.remove("id");
        let text = |k: &str| {
            subject
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let (holder, registration_number) = (text("name"), text("registrationNumber"));
        let (unsigned, kind) = match track {
            Some(_) => {
                if let Some(ip) = &ip_number {
                    subject.insert("ipNumber".into(), ip.clone().into());
                }
                let s: IpCertificateSubject = serde_json::from_value(Value::Object(subject))
                    .map_err(|e| invalid("body", e.to_string()))?;
                let doc = model::ip_certificate(&envelope, &s).map_err(|e| NodeError::Invalid {
                    field: e.field.trim_start_matches("credentialSubject.").to_owned(),
                    reason: e.reason,
                })?;
                (doc, model::IP_CERTIFICATE)
            }
            None => {
                let s: SkillAttestationSubject = serde_json::from_value(Value::Object(subject))
                    .map_err(|e| invalid("body", e.to_string()))?;
                let doc =
                    model::skill_attestation(&envelope, &s).map_err(|e| NodeError::Invalid {
                        field: e.field.trim_start_matches("credentialSubject.").to_owned(),
                        reason: e.reason,
                    })?;
                (doc, model::SKILL_ATTESTATION)
            }
        };
        let mut unsigned = unsigned;
        if let (Some(holder), Some(cs)) = (
            holder_did,
            unsigned
                .get_mut("credentialSubject")
                .and_then(Value::as_object_mut),
        ) {
            // Written after validation, as `probity issue --holder-did` does.
            cs.insert("id".into(), holder);
        }
        Ok(Prepared {
            record: CredentialRecord {
                id: uuid,
                kind: kind.to_owned(),
                status: CredentialStatus::Active,
                status_reason: None,
                status_changed: None,
                status_index: index,
                ip_number,
                track: track.map(|t| t.code().to_owned()),
                holder,
                registration_number,
                issued_at: time::format(now),
                request_id: origin.request_id,
                import_key: origin.import_key,
                credential: Value::Null,
            },
            unsigned,
            via: origin.via,
            line: origin.line,
        })
    }

    /// Signs every prepared credential (on all cores when there are many) and stores
    /// each with its audit entry, in `w`.
    fn sign_and_insert(
        &self,
        w: &mut Writer,
        keyring: &Keyring,
        actor: &Actor,
        prepared: Vec<Prepared>,
        now: DateTime<Utc>,
    ) -> Result<Vec<CredentialRecord>, NodeError> {
        let created = time::format(now);
        let options = ProofOptions::assertion(keyring.active_method.clone(), Some(created.clone()));
        let key = keyring.signing_key();
        let sign = |p: &Prepared| {
            proof::sign(&p.unsigned, key, &options)
                .map_err(|e| NodeError::Internal(format!("signing: {e}")))
        };
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        let signed: Vec<Result<Value, NodeError>> = if prepared.len() >= 32 && threads > 1 {
            let chunk = prepared.len().div_ceil(threads);
            std::thread::scope(|scope| {
                let handles: Vec<_> = prepared
                    .chunks(chunk)
                    .map(|part| scope.spawn(move || part.iter().map(sign).collect::<Vec<_>>()))
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| {
                        h.join().unwrap_or_else(|_| {
                            vec![Err(NodeError::Internal("a signing thread failed".into()))]
                        })
                    })
                    .collect()
            })
        } else {
            prepared.iter().map(sign).collect()
        };
        if signed.len() != prepared.len() {
            return Err(NodeError::Internal("signing lost a credential".into()));
        }
        let mut out = Vec::with_capacity(prepared.len());
        for (p, doc) in prepared.into_iter().zip(signed) {
            let mut record = p.record;
            record.credential = doc?;
            w.insert_credential(&record)?;
            w.audit(
                created.clone(),
                &actor.label(),
                "credential.issued",
                Some(record.id.clone()),
                json!({
                    "type": record.kind,
                    "ipNumber": record.ip_number,
                    "statusIndex": record.status_index,
                    "via": p.via,
                    "line": p.line,
                    "importKey": record.import_key,
                    "request": record.request_id,
                }),
            )?;
            out.push(record);
        }
        Ok(out)
    }

    /// Revokes, suspends or reinstates a credential. The status list is re-signed and
    /// stored in the same transaction, then published and announced.
    pub fn change_status(
        &self,
        actor: &Actor,
        id: &str,
        action: StatusAction,
        reason: String,
    ) -> Result<CredentialRecord, NodeError> {
        let id = credential_uuid(id)?;
        let keyring = self.keyring()?;
        let now = self.now();
        let mut w = self.store.write()?;
        let mut record = w
            .credential(&id)?
            .ok_or_else(|| NodeError::NotFound(format!("no credential has the id {id}")))?;
        use CredentialStatus::*;
        let (list, bit, next) = match (action, record.status) {
            (StatusAction::Revoke, Revoked) => {
                return Err(NodeError::Conflict(format!(
                    "credential {id} is already revoked; revocation is final"
                )))
            }
            (StatusAction::Revoke, _) => (REVOCATION_LIST, true, Revoked),
            (StatusAction::Suspend, Active) => (SUSPENSION_LIST, true, Suspended),
            (StatusAction::Suspend, Suspended) => {
                return Err(NodeError::Conflict(format!(
                    "credential {id} is already suspended"
                )))
            }
            (StatusAction::Suspend, Revoked) | (StatusAction::Reinstate, Revoked) => {
                return Err(NodeError::Conflict(format!(
                    "credential {id} is revoked; revocation is final"
                )))
            }
            (StatusAction::Reinstate, Suspended) => (SUSPENSION_LIST, false, Active),
            (StatusAction::Reinstate, Active) => {
                return Err(NodeError::Conflict(format!(
                    "credential {id} is not suspended"
                )))
            }
        };
        let list_record = self.resign_list(
            &mut w,
            &keyring,
            list,
            Some((record.status_index, bit)),
            now,
        )?;
        record.status = next;
        record.status_reason = Some(reason.clone());
        record.status_changed = Some(time::format(now));
        w.update_credential(&record)?;
        w.audit(
            time::format(now),
            &actor.label(),
            action.audit_action(),
            Some(id),
            json!({"reason": reason, "list": list, "listVersion": list_record.version, "statusIndex": record.status_index}),
        )?;
        w.commit()?;
        self.publish(&list_record);
        Ok(record)
    }

    /// One credential.
    pub fn credential(&self, id: &str) -> Result<CredentialRecord, NodeError> {
        let id = credential_uuid(id)?;
        self.store
            .read()?
            .credential(&id)?
            .ok_or_else(|| NodeError::NotFound(format!("no credential has the id {id}")))
    }

    /// Credentials matching every given criterion (at most `limit`).
    pub fn search(
        &self,
        holder: Option<&str>,
        registration: Option<&str>,
        ip_number: Option<&str>,
        limit: usize,
    ) -> Result<Vec<CredentialRecord>, NodeError> {
        let r = self.store.read()?;
        let mut ids: Option<Vec<String>> = None;
        let mut narrow = |found: Vec<String>| {
            ids = Some(match ids.take() {
                None => found,
                Some(prev) => prev.into_iter().filter(|i| found.contains(i)).collect(),
            });
        };
        if let Some(ip) = ip_number {
            narrow(r.credential_id_by_ip_number(ip)?.into_iter().collect());
        }
        if let Some(h) = holder {
            narrow(r.credential_ids_by_holder(h)?);
        }
        if let Some(reg) = registration {
            narrow(r.credential_ids_by_registration(reg)?);
        }
        let mut out = Vec::new();
        for id in ids.unwrap_or_default().into_iter().take(limit) {
            if let Some(rec) = r.credential(&id)? {
                out.push(rec);
            }
        }
        out.sort_by(|a, b| a.issued_at.cmp(&b.issued_at).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// A new signing key for a did:web issuer. The old key stays in the DID document;
    /// the status lists are re-signed with the new one.
    pub fn rotate_key(&self, actor: &Actor) -> Result<KeyRecord, NodeError> {
        if !self.identity.did.starts_with("did:web:") {
            return Err(NodeError::Conflict(
                "this node issues as a did:key, which is its key: it cannot rotate. Issue as a did:web to rotate keys".into(),
            ));
        }
        let mut keyring = self
            .keyring
            .write()
            .map_err(|_| NodeError::Internal("the keyring lock is poisoned".into()))?;
        let now = self.now();
        let records = self.store.read()?.keys()?;
        let mut n = records.len() + 1;
        let (method, file) = loop {
            let method = format!("{}#key-{n}", self.identity.did);
            let file = format!("keys/key-{n}.json");
            if !records.iter().any(|r| r.verification_method == method)
                && !self.dir.join(&file).exists()
            {
                break (method, file);
            }
            n += 1;
        };
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        // The key file is on disk before the store names it: a crash in between
        // leaves an unused file, never a store naming a missing key.
        keyring::write_key_file(&self.dir.join(&file), &key, &self.identity.did, &method)?;
        let record = KeyRecord {
            verification_method: method.clone(),
            public_key_multibase: probity_spec::multikey::public_key_to_multibase(
                &key.verifying_key(),
            ),
            file,
            created: time::format(now),
            retired: None,
        };
        let mut w = self.store.write()?;
        let previous = keyring.active_method.clone();
        for mut old in records.iter().cloned() {
            if old.verification_method == previous {
                old.retired = Some(time::format(now));
                w.put_key(&old)?;
            }
        }
        w.put_key(&record)?;
        w.set_active_key(&method)?;
        let mut new_keys = w.keys()?;
        new_keys.sort_by(|a, b| a.created.cmp(&b.created));
        let new_ring = Keyring::load(&self.dir, &new_keys, &method)?;
        let mut lists = Vec::new();
        for name in [REVOCATION_LIST, SUSPENSION_LIST] {
            lists.push(self.resign_list(&mut w, &new_ring, name, None, now)?);
        }
        w.audit(
            time::format(now),
            &actor.label(),
            "key.rotated",
            Some(method.clone()),
            json!({"from": previous, "to": method, "publicKeyMultibase": record.public_key_multibase}),
        )?;
        w.commit()?;
        *keyring = new_ring;
        let keys: Vec<String> = keyring.all.iter().map(|(vm, _)| vm.clone()).collect();
        drop(keyring);
        for rec in &lists {
            self.publish(rec);
        }
        let _ = self.events.send(NodeEvent::Keys {
            did: self.identity.did.clone(),
            active_key: method,
            keys,
        });
        Ok(record)
    }

    /// The audit log as JSON Lines.
    pub fn audit_export(&self) -> Result<String, NodeError> {
        let mut out = String::new();
        self.store.read()?.audit_lines(|line| {
            out.push_str(line);
            out.push('\n');
        })?;
        Ok(out)
    }

    /// Imports a batch of rows in one transaction: each row is issued, found already
    /// issued (its idempotency key was seen before), or refused with its reasons.
    pub fn import(&self, actor: &Actor, body: &Value) -> Result<Vec<ImportResult>, NodeError> {
        let rows = body
            .get("rows")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid("rows", "is required: an array of rows"))?;
        if let Some(key) = body
            .as_object()
            .and_then(|o| o.keys().find(|k| *k != "rows"))
        {
            return Err(invalid(
                key,
                "is not a member of an import batch; send {\"rows\": [...]}",
            ));
        }
        if rows.len() > MAX_IMPORT_ROWS {
            return Err(invalid(
                "rows",
                format!(
                    "holds {} rows; send at most {MAX_IMPORT_ROWS} per batch",
                    rows.len()
                ),
            ));
        }
        let keyring = self.keyring()?;
        let now = self.now();
        let mut w = self.store.write()?;
        let mut alloc = Allocator::new(&w)?;
        let mut results: Vec<ImportResult> = Vec::with_capacity(rows.len());
        let mut prepared = Vec::new();
        let mut batch_keys: HashSet<String> = HashSet::new();
        let mut result_of_key: HashMap<String, usize> = HashMap::new();
        for (i, row) in rows.iter().enumerate() {
            let line = row
                .get("line")
                .and_then(Value::as_u64)
                .unwrap_or(i as u64 + 1);
            let refuse = |failures: Vec<Failure>| ImportResult {
                line,
                status: "refused",
                id: None,
                ip_number: None,
                failures,
            };
            let draft = match self.identity.kind {
                IssuerKind::CertifyingBody => {
                    candidate::ip_candidate(row, &self.settings, &["line", "importId"], true, now)
                        .map(Draft::Ip)
                }
                IssuerKind::Hospital => {
                    candidate::attestation_candidate(row, &["line", "importId"], now)
                        .map(Draft::Attestation)
                }
            };
            let draft = match draft {
                Ok(d) => d,
                Err(failures) => {
                    results.push(refuse(failures));
                    continue;
                }
            };
            let key = match import_key(row, &draft) {
                Ok(k) => k,
                Err(f) => {
                    results.push(refuse(vec![f]));
                    continue;
                }
            };
            if let Some(existing) = w.credential_id_by_import_key(&key)? {
                let ip = w.credential(&existing)?.and_then(|c| c.ip_number);
                results.push(ImportResult {
                    line,
                    status: "existing",
                    id: Some(existing),
                    ip_number: ip,
                    failures: Vec::new(),
                });
                continue;
            }
            if !batch_keys.insert(key.clone()) {
                let earlier = result_of_key.get(&key).and_then(|i| results.get(*i));
                let (id, ip) = earlier
                    .map(|r| (r.id.clone(), r.ip_number.clone()))
                    .unwrap_or_default();
                results.push(ImportResult {
                    line,
                    status: "existing",
                    id,
                    ip_number: ip,
                    failures: Vec::new(),
                });
                continue;
            }
            let origin = Origin {
                request_id: None,
                import_key: Some(key.clone()),
                via: "import",
                line: Some(line),
            };
            match self.prepare(&mut w, &mut alloc, draft, origin, now) {
                Ok(p) => {
                    result_of_key.insert(key, results.len());
                    results.push(ImportResult {
                        line,
                        status: "issued",
                        id: Some(p.record.id.clone()),
                        ip_number: p.record.ip_number.clone(),
                        failures: Vec::new(),
                    });
                    prepared.push(p);
                }
                Err(NodeError::Invalid { field, reason }) => {
                    batch_keys.remove(&key);
                    results.push(refuse(vec![Failure { field, reason }]));
                }
                Err(other) => return Err(other),
            }
        }
        if !prepared.is_empty() {
            self.sign_and_insert(&mut w, &keyring, actor, prepared, now)?;
            w.commit()?;
        }
        Ok(results)
    }
}

/// A row's idempotency key: its `importId`, else what identifies the credential in a
/// register (registration number and track, or for attestations registration number,
/// department and review date).
fn import_key(row: &Value, draft: &Draft) -> Result<String, Failure> {
    match row.get("importId") {
        Some(Value::String(id))
            if !id.trim().is_empty()
                && id.chars().count() <= 200
                && !id.chars().any(char::is_control) =>
        {
            return Ok(format!("id:{}", id.trim()))
        }
        None | Some(Value::Null) => {}
        Some(_) => {
            return Err(Failure {
                field: "importId".into(),
                reason: "must be a non-blank string of at most 200 characters".into(),
            })
        }
    }
    let text = |m: &Map<String, Value>, k: &str| {
        m.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Ok(match draft {
        Draft::Ip(c) => format!(
            "ip:{}:{}",
            store::registration_key(&text(&c.subject, "registrationNumber")),
            c.track.code()
        ),
        Draft::Attestation(c) => format!(
            "attestation:{}:{}:{}",
            store::registration_key(&text(&c.subject, "registrationNumber")),
            text(&c.subject, "department"),
            text(&c.subject, "reviewDate")
        ),
    })
}
