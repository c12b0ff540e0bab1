//! The node's store: everything it has issued, on disk, behind this one module so the
//! engine can change. Today the engine is redb: ACID transactions, and a commit with
//! immediate durability is on disk when it returns, so an answer sent after a commit
//! never claims what a crash could undo.
//!
//! Readers and writers see records ([`crate::records`]), never engine types. A
//! [`Writer`] is one transaction: everything done through it, audit entries included,
//! is committed together by [`Writer::commit`] or not at all (dropping it aborts).

use crate::audit::AuditEntry;
use crate::records::{
    CredentialRecord, Identity, KeyRecord, ListRecord, RequestRecord, TokenRecord,
};
use redb::{
    Database, MultimapTableDefinition, ReadTransaction, ReadableDatabase, ReadableMultimapTable,
    ReadableTable, ReadableTableMetadata, TableDefinition, WriteTransaction,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The store's file name inside the node's directory.
pub const FILE_NAME: &str = "store.redb";

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const TOKENS: TableDefinition<&str, &[u8]> = TableDefinition::new("tokens");
const KEYS: TableDefinition<&str, &[u8]> = TableDefinition::new("keys");
const REQUESTS: TableDefinition<&str, &[u8]> = TableDefinition::new("requests");
const CREDENTIALS: TableDefinition<&str, &[u8]> = TableDefinition::new("credentials");
const BY_IP_NUMBER: TableDefinition<&str, &str> = TableDefinition::new("by_ip_number");
const BY_HOLDER: MultimapTableDefinition<&str, &str> = MultimapTableDefinition::new("by_holder");
const BY_REGISTRATION: MultimapTableDefinition<&str, &str> =
    MultimapTableDefinition::new("by_registration");
const IMPORT_KEYS: TableDefinition<&str, &str> = TableDefinition::new("import_keys");
const IP_SEQUENCE: TableDefinition<&str, u64> = TableDefinition::new("ip_sequence");
const STATUS_INDEXES: TableDefinition<u64, &str> = TableDefinition::new("status_indexes");
const LISTS: TableDefinition<&str, &[u8]> = TableDefinition::new("lists");
const LIST_BITS: TableDefinition<&str, &[u8]> = TableDefinition::new("list_bits");
const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");

const IDENTITY_KEY: &str = "identity";
const ACTIVE_KEY: &str = "active_key";
const AUDIT_HEAD: &str = "audit_head";
const SCHEMA: &str = "schema";
const SCHEMA_VERSION: &[u8] = b"probity-issuer-store-1";

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Another process holds the store open.
    #[error("the store {0} is in use by another process; is the node running? Stop it first")]
    InUse(PathBuf),
    /// No store where one was expected.
    #[error("there is no store at {0}; run `probity issuer init` first")]
    Missing(PathBuf),
    /// A store already exists where a new one was to be made.
    #[error("a store already exists at {0}; refusing to replace it")]
    Exists(PathBuf),
    /// The engine failed (disk full, I/O error, corruption it detected).
    #[error("storage engine: {0}")]
    Engine(String),
    /// A record could not be read back.
    #[error("record {0} is unreadable: {1}")]
    Corrupt(String, String),
    /// The file is not a Probity issuer store.
    #[error("{0} is not a Probity issuer store")]
    NotAStore(PathBuf),
}

macro_rules! engine_errors {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Engine(e.to_string())
            }
        }
    )*};
}
engine_errors!(
    redb::Error,
    redb::StorageError,
    redb::TableError,
    redb::TransactionError,
    redb::CommitError,
    redb::SetDurabilityError
);

type Result<T> = std::result::Result<T, StoreError>;

fn to_bytes(what: &str, value: &impl Serialize) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| StoreError::Corrupt(what.to_owned(), e.to_string()))
}

fn from_bytes<T: DeserializeOwned>(what: &str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(what.to_owned(), e.to_string()))
}

fn get_json<T: DeserializeOwned>(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
    key: &str,
) -> Result<Option<T>> {
    match table.get(key)? {
        Some(guard) => Ok(Some(from_bytes(key, guard.value())?)),
        None => Ok(None),
    }
}

/// Normalises a holder's name for search: trimmed, inner white space collapsed,
/// lower case, so "Dr.  Amelia Okafor" finds "dr. amelia okafor".
pub fn holder_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Normalises a registration number for search: white space collapsed, upper case.
pub fn registration_key(number: &str) -> String {
    number
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

/// The node's store.
pub struct Store {
    db: Database,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

impl Store {
    /// Makes a new, empty store at `path`. Refuses to touch an existing file.
    pub fn create(path: &Path) -> Result<Store> {
        if path.exists() {
            return Err(StoreError::Exists(path.to_owned()));
        }
        let db = Database::create(path).map_err(|e| open_error(path, e))?;
        let txn = db.begin_write()?;
        {
            let mut meta = txn.open_table(META)?;
            meta.insert(SCHEMA, SCHEMA_VERSION)?;
            txn.open_table(TOKENS)?;
            txn.open_table(KEYS)?;
            txn.open_table(REQUESTS)?;
            txn.open_table(CREDENTIALS)?;
            txn.open_table(BY_IP_NUMBER)?;
            txn.open_multimap_table(BY_HOLDER)?;
            txn.open_multimap_table(BY_REGISTRATION)?;
            txn.open_table(IMPORT_KEYS)?;
            txn.open_table(IP_SEQUENCE)?;
            txn.open_table(STATUS_INDEXES)?;
            txn.open_table(LISTS)?;
            txn.open_table(LIST_BITS)?;
            txn.open_table(AUDIT)?;
        }
        txn.commit()?;
        Ok(Store { db })
    }

    /// Opens the store at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(StoreError::Missing(path.to_owned()));
        }
        let db = Database::open(path).map_err(|e| open_error(path, e))?;
        let store = Store { db };
        let txn = store.db.begin_read()?;
        let meta = txn
            .open_table(META)
            .map_err(|_| StoreError::NotAStore(path.to_owned()))?;
        match meta.get(SCHEMA)? {
            Some(v) if v.value() == SCHEMA_VERSION => {}
            _ => return Err(StoreError::NotAStore(path.to_owned())),
        }
        drop(meta);
        drop(txn);
        Ok(store)
    }

    /// A consistent view of the store as of now.
    pub fn read(&self) -> Result<Reader> {
        Ok(Reader {
            txn: self.db.begin_read()?,
        })
    }

    /// Starts the one write transaction (others wait for it). Its commit is durable.
    pub fn write(&self) -> Result<Writer> {
        let mut txn = self.db.begin_write()?;
        txn.set_durability(redb::Durability::Immediate)?;
        Ok(Writer { txn })
    }
}

fn open_error(path: &Path, e: redb::DatabaseError) -> StoreError {
    match e {
        redb::DatabaseError::DatabaseAlreadyOpen => StoreError::InUse(path.to_owned()),
        other => StoreError::Engine(format!("{}: {other}", path.display())),
    }
}

/// Reads shared by [`Reader`] and [`Writer`]: the same questions, asked of a
/// snapshot or of the transaction in progress.
macro_rules! read_methods {
    () => {
        /// Who the node is.
        pub fn identity(&self) -> Result<Option<Identity>> {
            get_json(&self.txn.open_table(META)?, IDENTITY_KEY)
        }

        /// Every key the node has had, in the order made.
        pub fn keys(&self) -> Result<Vec<KeyRecord>> {
            let table = self.txn.open_table(KEYS)?;
            let mut keys: Vec<(String, KeyRecord)> = Vec::new();
            for item in table.iter()? {
                let (k, v) = item?;
                keys.push((k.value().to_owned(), from_bytes(k.value(), v.value())?));
            }
            keys.sort_by(|a, b| a.1.created.cmp(&b.1.created).then(a.0.cmp(&b.0)));
            Ok(keys.into_iter().map(|(_, k)| k).collect())
        }

        /// The verification method that signs now.
        pub fn active_key(&self) -> Result<Option<String>> {
            let meta = self.txn.open_table(META)?;
            let value = meta.get(ACTIVE_KEY)?;
            Ok(value.map(|v| String::from_utf8_lossy(v.value()).into_owned()))
        }

        /// Every token, as (SHA-256 hex, record).
        pub fn tokens(&self) -> Result<Vec<(String, TokenRecord)>> {
            let table = self.txn.open_table(TOKENS)?;
            let mut out = Vec::new();
            for item in table.iter()? {
                let (k, v) = item?;
                out.push((k.value().to_owned(), from_bytes("token", v.value())?));
            }
            Ok(out)
        }

        /// One IP request.
        pub fn request(&self, id: &str) -> Result<Option<RequestRecord>> {
            get_json(&self.txn.open_table(REQUESTS)?, id)
        }

        /// One credential, by UUID.
        pub fn credential(&self, id: &str) -> Result<Option<CredentialRecord>> {
            get_json(&self.txn.open_table(CREDENTIALS)?, id)
        }

        /// The credential holding an IP number.
        pub fn credential_id_by_ip_number(&self, ip_number: &str) -> Result<Option<String>> {
            let table = self.txn.open_table(BY_IP_NUMBER)?;
            let found = table.get(ip_number)?;
            Ok(found.map(|v| v.value().to_owned()))
        }

        /// Credentials of holders with this name (see [`holder_key`]).
        pub fn credential_ids_by_holder(&self, name: &str) -> Result<Vec<String>> {
            let table = self.txn.open_multimap_table(BY_HOLDER)?;
            let mut out = Vec::new();
            for v in table.get(holder_key(name).as_str())? {
                out.push(v?.value().to_owned());
            }
            Ok(out)
        }

        /// Credentials of holders with this registration number.
        pub fn credential_ids_by_registration(&self, number: &str) -> Result<Vec<String>> {
            let table = self.txn.open_multimap_table(BY_REGISTRATION)?;
            let mut out = Vec::new();
            for v in table.get(registration_key(number).as_str())? {
                out.push(v?.value().to_owned());
            }
            Ok(out)
        }

        /// The credential issued for an import row's idempotency key.
        pub fn credential_id_by_import_key(&self, key: &str) -> Result<Option<String>> {
            let table = self.txn.open_table(IMPORT_KEYS)?;
            let found = table.get(key)?;
            Ok(found.map(|v| v.value().to_owned()))
        }

        /// Whether a status index has been handed out.
        pub fn index_taken(&self, index: u64) -> Result<bool> {
            Ok(self.txn.open_table(STATUS_INDEXES)?.get(index)?.is_some())
        }

        /// How many status indexes have been handed out.
        pub fn indexes_allocated(&self) -> Result<u64> {
            Ok(self.txn.open_table(STATUS_INDEXES)?.len()?)
        }

        /// A status list's record.
        pub fn list(&self, name: &str) -> Result<Option<ListRecord>> {
            get_json(&self.txn.open_table(LISTS)?, name)
        }

        /// A status list's bits.
        pub fn list_bits(&self, name: &str) -> Result<Option<Vec<u8>>> {
            let table = self.txn.open_table(LIST_BITS)?;
            let found = table.get(name)?;
            Ok(found.map(|v| v.value().to_vec()))
        }

        /// The last audit entry's hash and seq.
        pub fn audit_head(&self) -> Result<Option<(String, u64)>> {
            get_json(&self.txn.open_table(META)?, AUDIT_HEAD)
        }
    };
}

/// A consistent read-only view.
pub struct Reader {
    txn: ReadTransaction,
}

impl Reader {
    read_methods!();

    /// Every credential, in UUID order.
    pub fn all_credentials(&self) -> Result<Vec<CredentialRecord>> {
        let table = self.txn.open_table(CREDENTIALS)?;
        let mut out = Vec::new();
        for item in table.iter()? {
            let (k, v) = item?;
            out.push(from_bytes(k.value(), v.value())?);
        }
        Ok(out)
    }

    /// Every status index handed out, with its credential.
    pub fn all_indexes(&self) -> Result<Vec<(u64, String)>> {
        let table = self.txn.open_table(STATUS_INDEXES)?;
        let mut out = Vec::new();
        for item in table.iter()? {
            let (k, v) = item?;
            out.push((k.value(), v.value().to_owned()));
        }
        Ok(out)
    }

    /// Calls `each` with every audit entry, in order, as its JSON text.
    pub fn audit_lines(&self, mut each: impl FnMut(&str)) -> Result<u64> {
        let table = self.txn.open_table(AUDIT)?;
        let mut n = 0;
        for item in table.iter()? {
            let (_, v) = item?;
            each(&String::from_utf8_lossy(v.value()));
            n += 1;
        }
        Ok(n)
    }
}

/// One write transaction.
pub struct Writer {
    txn: WriteTransaction,
}

impl Writer {
    read_methods!();

    /// Commits everything written through this writer; durable when it returns.
    pub fn commit(self) -> Result<()> {
        self.txn.commit()?;
        Ok(())
    }

    /// Records who the node is.
    pub fn set_identity(&mut self, identity: &Identity) -> Result<()> {
        let bytes = to_bytes("identity", identity)?;
        self.txn
            .open_table(META)?
            .insert(IDENTITY_KEY, bytes.as_slice())?;
        Ok(())
    }

    /// Adds or updates a key record.
    pub fn put_key(&mut self, key: &KeyRecord) -> Result<()> {
        let bytes = to_bytes("key", key)?;
        self.txn
            .open_table(KEYS)?
            .insert(key.verification_method.as_str(), bytes.as_slice())?;
        Ok(())
    }

    /// Makes `verification_method` the signing key.
    pub fn set_active_key(&mut self, verification_method: &str) -> Result<()> {
        self.txn
            .open_table(META)?
            .insert(ACTIVE_KEY, verification_method.as_bytes())?;
        Ok(())
    }

    /// Stores a token under the SHA-256 of its secret.
    pub fn put_token(&mut self, hash: &str, token: &TokenRecord) -> Result<()> {
        let bytes = to_bytes("token", token)?;
        self.txn
            .open_table(TOKENS)?
            .insert(hash, bytes.as_slice())?;
        Ok(())
    }

    /// Adds or updates an IP request.
    pub fn put_request(&mut self, request: &RequestRecord) -> Result<()> {
        let bytes = to_bytes("request", request)?;
        self.txn
            .open_table(REQUESTS)?
            .insert(request.id.as_str(), bytes.as_slice())?;
        Ok(())
    }

    /// Stores a newly issued credential with its search entries, its IP number and
    /// its import key. Refuses an id, IP number, status index or import key already
    /// taken: none is ever handed out twice.
    pub fn insert_credential(&mut self, record: &CredentialRecord) -> Result<()> {
        let id = record.id.as_str();
        let bytes = to_bytes("credential", record)?;
        {
            let mut table = self.txn.open_table(CREDENTIALS)?;
            if table.get(id)?.is_some() {
                return Err(StoreError::Corrupt(
                    id.to_owned(),
                    "credential id reused".into(),
                ));
            }
            table.insert(id, bytes.as_slice())?;
        }
        {
            let mut indexes = self.txn.open_table(STATUS_INDEXES)?;
            if indexes.get(record.status_index)?.is_some() {
                return Err(StoreError::Corrupt(
                    id.to_owned(),
                    "status index reused".into(),
                ));
            }
            indexes.insert(record.status_index, id)?;
        }
        if let Some(ip) = &record.ip_number {
            let mut table = self.txn.open_table(BY_IP_NUMBER)?;
            if table.get(ip.as_str())?.is_some() {
                return Err(StoreError::Corrupt(
                    id.to_owned(),
                    "IP number reused".into(),
                ));
            }
            table.insert(ip.as_str(), id)?;
        }
        if let Some(key) = &record.import_key {
            let mut table = self.txn.open_table(IMPORT_KEYS)?;
            if table.get(key.as_str())?.is_some() {
                return Err(StoreError::Corrupt(
                    id.to_owned(),
                    "import key reused".into(),
                ));
            }
            table.insert(key.as_str(), id)?;
        }
        self.txn
            .open_multimap_table(BY_HOLDER)?
            .insert(holder_key(&record.holder).as_str(), id)?;
        self.txn
            .open_multimap_table(BY_REGISTRATION)?
            .insert(registration_key(&record.registration_number).as_str(), id)?;
        Ok(())
    }

    /// Rewrites a credential whose status changed (its search entries stay).
    pub fn update_credential(&mut self, record: &CredentialRecord) -> Result<()> {
        let bytes = to_bytes("credential", record)?;
        self.txn
            .open_table(CREDENTIALS)?
            .insert(record.id.as_str(), bytes.as_slice())?;
        Ok(())
    }

    /// Takes the next number of a track's IP number sequence (from 1). Numbers are
    /// never given back, so an IP number is never reused, not even after revocation.
    pub fn next_ip_sequence(&mut self, track: &str) -> Result<u64> {
        let mut table = self.txn.open_table(IP_SEQUENCE)?;
        let next = table.get(track)?.map(|v| v.value()).unwrap_or(0) + 1;
        table.insert(track, next)?;
        Ok(next)
    }

    /// Stores a status list's record and bits.
    pub fn put_list(&mut self, record: &ListRecord, bits: &[u8]) -> Result<()> {
        let bytes = to_bytes("list", record)?;
        self.txn
            .open_table(LISTS)?
            .insert(record.name.as_str(), bytes.as_slice())?;
        self.txn
            .open_table(LIST_BITS)?
            .insert(record.name.as_str(), bits)?;
        Ok(())
    }

    /// Stores a status list's record, its bits unchanged.
    pub fn put_list_record(&mut self, record: &ListRecord) -> Result<()> {
        let bytes = to_bytes("list", record)?;
        self.txn
            .open_table(LISTS)?
            .insert(record.name.as_str(), bytes.as_slice())?;
        Ok(())
    }

    /// Appends an entry to the audit log, chained to the one before, in this
    /// transaction.
    pub fn audit(
        &mut self,
        time: String,
        actor: &str,
        action: &str,
        target: Option<String>,
        details: Value,
    ) -> Result<AuditEntry> {
        let head = self.audit_head()?;
        let entry = AuditEntry::new(
            head.as_ref().map(|(h, s)| (h.as_str(), *s)),
            time,
            actor.to_owned(),
            action,
            target,
            details,
        );
        let bytes = to_bytes("audit entry", &entry)?;
        self.txn
            .open_table(AUDIT)?
            .insert(entry.seq, bytes.as_slice())?;
        let head_bytes = to_bytes("audit head", &(entry.hash.clone(), entry.seq))?;
        self.txn
            .open_table(META)?
            .insert(AUDIT_HEAD, head_bytes.as_slice())?;
        Ok(entry)
    }
}
