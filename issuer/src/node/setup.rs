//! Making a node: its key, settings file, store, lists and first token.

use super::*;

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

/// A new bearer token: 32 random bytes, base64url, with a prefix that secret scanners
/// can recognise. Returns (token, SHA-256 hex, public id).
pub(super) fn new_token() -> (String, String, String) {
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

pub(super) fn store_token(
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
    // The store holds holders' names and registration numbers: its owner's alone.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&store_path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| setup(store::FILE_NAME, e))?;
    }
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
            &empty.to_bytes(),
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
