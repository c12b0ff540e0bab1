//! W3C Bitstring Status List v1.0: how an issuer revokes or suspends a credential, and
//! how a verifier reads that status without telling the issuer which credential it
//! checks.
//!
//! A credential carries one `BitstringStatusListEntry` per purpose in its
//! `credentialStatus` (§2.1): a purpose, an index and the URL of a status list
//! credential. The status list credential (§2.2) is itself a VC whose subject holds the
//! `encodedList`: a bitstring, GZIP-compressed and multibase base64url-encoded. Bit
//! `statusListIndex` of that bitstring is the credential's status; 0 means "not revoked"
//! or "not suspended".
//!
//! What this module holds:
//!
//! * [`BitstringStatusList`]: the bits, with the generation and expansion algorithms
//!   (§3.3, §3.4) as [`BitstringStatusList::encode`] and [`BitstringStatusList::decode`];
//! * [`StatusListEntry`] and [`entries_of`]: reading and writing `credentialStatus`;
//! * [`status_list_credential`] (§3.1) and [`StatusListCredential`]: building the
//!   unsigned status list credential and reading one back (signing and checking its
//!   proof are done elsewhere);
//! * [`StatusListCredential::status_of`]: the purpose, length and index steps of the
//!   validate algorithm (§3.2);
//! * [`random_unused_index`]: random allocation of indexes for issuers.
//!
//! Decisions Probity takes where the specification leaves room:
//!
//! * **Multibase prefix.** Probity always writes the prefix `u` (base64url, no padding)
//!   that §2.2 requires. On reading it also accepts a list without the prefix, because
//!   the older W3C test-suite fixtures lack it. The two forms cannot be confused: a GZIP
//!   stream starts with the bytes `1f 8b 08`, which base64url writes as `H4sI`, and
//!   `u` is not `H`. Any other first character is refused.
//! * **Length.** A list has at least [`MIN_ENTRIES`] (131,072) entries, the minimum of
//!   §3.2 (STATUS_LIST_LENGTH_ERROR), so that one list hides each holder among many
//!   (herd privacy, in the specification's Privacy Considerations). A shorter list is
//!   refused when it is read, not only when built.
//! * **Size cap.** Decompression stops at [`MAX_DECOMPRESSED_BYTES`] (2 MiB, 16.7
//!   million entries). A GZIP bomb is refused with an error before more than that is
//!   allocated.
//! * **Purposes.** Probity uses `revocation` and `suspension` only. `refresh` and
//!   `message` need a `statusSize` above 1 or a refresh service, which Probity does not
//!   implement; an entry with such a purpose is refused. A status list credential may
//!   name other purposes beside Probity's; they are kept in
//!   [`StatusListCredential::unsupported_purposes`] so that an error can name them.
//! * **statusSize.** Only 1 (one bit per credential), the default of §2.1.
//! * **statusListIndex.** A string of the ASCII digits 0–9 that fits in a `u64`; no
//!   sign, no spaces, no JSON number. Leading zeros are accepted (the value is still
//!   unambiguous in base 10); Probity writes the index without them.
//! * **Allocation.** Issuers pick indexes uniformly at random among the unused ones
//!   ([`random_unused_index`]), so an index says nothing about when a credential was
//!   issued or to whom (herd privacy again).

/// The fewest entries a status list may have: 131,072 bits, 16 KB uncompressed
/// (§3.2, STATUS_LIST_LENGTH_ERROR when `bits / statusSize` is below it).
pub const MIN_ENTRIES: usize = 131_072;

/// The largest uncompressed list Probity reads or builds: 2 MiB, that is 16,777,216
/// entries, 128 times the minimum. Decompression stops here so that a small
/// `encodedList` that expands to gigabytes (a GZIP bomb) is refused, not allocated.
pub const MAX_DECOMPRESSED_BYTES: usize = 2 * 1024 * 1024;

/// The most entries a list may have: [`MAX_DECOMPRESSED_BYTES`] × 8.
pub const MAX_ENTRIES: usize = MAX_DECOMPRESSED_BYTES * 8;

/// The multibase prefix for base64url without padding (§2.2 `encodedList`).
const MULTIBASE_BASE64URL: char = 'u';

/// What every base64url-encoded GZIP stream starts with: `1f 8b 08` (magic bytes and
/// the deflate method) encode to these four characters.
const GZIP_BASE64URL_START: &str = "H4sI";

/// How many uniform draws [`random_unused_index`] makes before it falls back to a
/// full scan. With 90% of a list in use, 64 draws all miss about once in a thousand.
const RANDOM_TRIES: usize = 64;

/// Why a status list, a status entry or a status list credential was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusListError {
    /// The list has fewer entries than [`MIN_ENTRIES`] (§3.2 STATUS_LIST_LENGTH_ERROR).
    #[error(
        "the status list has {entries} entries, fewer than the minimum of {minimum} \
         (Bitstring Status List §3.2, STATUS_LIST_LENGTH_ERROR); the issuer must publish \
         a list of at least {minimum} entries"
    )]
    TooFewEntries {
        /// Entries in the refused list.
        entries: usize,
        /// The minimum that applies ([`MIN_ENTRIES`]).
        minimum: usize,
    },
    /// A list was requested with more entries than [`MAX_ENTRIES`].
    #[error(
        "a status list of {entries} entries is larger than Probity's maximum of {maximum}; \
         start a further list instead"
    )]
    TooManyEntries {
        /// Entries requested.
        entries: usize,
        /// The maximum ([`MAX_ENTRIES`]).
        maximum: usize,
    },
    /// A list was requested with a length that does not fill whole bytes.
    #[error("a status list of {entries} entries does not fill whole bytes; use a multiple of 8")]
    NotByteAligned {
        /// Entries requested.
        entries: usize,
    },
    /// An index is at or past the end of the list.
    #[error(
        "status list index {index} is out of range: the list has {len} entries (0 to {len} - 1)"
    )]
    IndexOutOfRange {
        /// The index asked for.
        index: u64,
        /// Entries in the list.
        len: usize,
    },
    /// `encodedList` does not start with the multibase prefix `u` (nor `H4sI`, the
    /// unprefixed form Probity also reads).
    #[error(
        "encodedList must be multibase base64url: start with 'u' followed by a base64url \
         GZIP stream (\"uH4sI…\"); found {found}"
    )]
    Multibase {
        /// A description of what was found instead.
        found: String,
    },
    /// `encodedList` is not base64url without padding.
    #[error("encodedList is not base64url without padding: {reason}")]
    Base64 {
        /// What the decoder objected to.
        reason: String,
    },
    /// `encodedList` is base64url but what it holds is not one valid GZIP stream.
    #[error("encodedList does not hold a valid GZIP stream (RFC 1952): {reason}")]
    Gzip {
        /// What the decompressor objected to.
        reason: String,
    },
    /// `encodedList` decompresses to more than [`MAX_DECOMPRESSED_BYTES`].
    #[error(
        "encodedList decompresses to more than {limit} bytes, over Probity's limit; \
         refused unread (possible compression bomb)"
    )]
    DecompressedTooLarge {
        /// The limit in bytes ([`MAX_DECOMPRESSED_BYTES`]).
        limit: usize,
    },
    /// A `statusPurpose` other than `revocation` or `suspension`.
    #[error(
        "{field} is \"{purpose}\", which Probity does not support; \
         use \"revocation\" or \"suspension\""
    )]
    UnsupportedPurpose {
        /// Where the purpose was found, such as `credentialStatus[1].statusPurpose`.
        field: String,
        /// The purpose as written.
        purpose: String,
    },
    /// A `statusSize` other than 1.
    #[error(
        "{field} is {size}; Probity supports only statusSize 1 (one bit per credential, \
         the default of Bitstring Status List §2.1)"
    )]
    UnsupportedStatusSize {
        /// Where the size was found, such as `credentialStatus.statusSize`.
        field: String,
        /// The size as written in the JSON.
        size: String,
    },
    /// A `statusListIndex` that is not a base-10 string fitting in 64 bits.
    #[error("{field} {value} is not a valid status list index: {reason}")]
    InvalidIndex {
        /// Where the index was found, such as `credentialStatus.statusListIndex`.
        field: String,
        /// The value as written in the JSON.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A required property is absent.
    #[error("{field} is missing")]
    MissingField {
        /// The property, such as `credentialSubject.encodedList`.
        field: String,
    },
    /// A property is present but has the wrong JSON type or value.
    #[error("{field} is invalid: {reason}")]
    InvalidField {
        /// The property, such as `credentialStatus.type`.
        field: String,
        /// What is wrong and what was expected.
        reason: String,
    },
    /// The entry's purpose is not one of the status list credential's purposes
    /// (§3.2 STATUS_VERIFICATION_ERROR).
    #[error(
        "the credential's status entry has purpose \"{entry}\" but the status list \
         credential's statusPurpose is {list}; the entry must point at a list for its own \
         purpose (Bitstring Status List §3.2, STATUS_VERIFICATION_ERROR)"
    )]
    PurposeMismatch {
        /// The purpose in the credential's `credentialStatus` entry.
        entry: StatusPurpose,
        /// The list's purposes as written, for instance `["randomPurpose"]`.
        list: String,
    },
    /// The status list credential's `id` is not the entry's `statusListCredential`
    /// (§2.2: the two must match).
    #[error(
        "the status entry points at statusListCredential \"{entry}\" but the status list \
         credential's id is \"{list}\"; the list was fetched from or cached under the \
         wrong address"
    )]
    ListUrlMismatch {
        /// `statusListCredential` in the credential's entry.
        entry: String,
        /// `id` of the status list credential.
        list: String,
    },
}

// One file a part; the public items are re-exported here, so that their paths are
// `status_list::…` whichever file holds them.
mod allocation;
mod bitstring;
mod credential;
mod entries;
mod json_helpers;
mod purpose;

pub use allocation::random_unused_index;
pub use bitstring::BitstringStatusList;
pub use credential::{status_list_credential, StatusListCredential};
pub use entries::{entries_of, StatusListEntry, CREDENTIAL_TYPE, ENTRY_TYPE, SUBJECT_TYPE};
pub use purpose::StatusPurpose;

#[cfg(test)]
// The crate warns on unwrap/expect; in tests a panic is the failure report.
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
