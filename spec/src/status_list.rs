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

use std::collections::BTreeSet;
use std::fmt;
use std::io::{Read, Write};
use std::str::FromStr;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

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

// ---------------------------------------------------------------------------------------
// Purposes
// ---------------------------------------------------------------------------------------

/// The status purposes Probity uses (§2.1 `statusPurpose`). `refresh` and `message`
/// exist in the specification but are not supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusPurpose {
    /// A set bit means the credential is revoked, permanently.
    Revocation,
    /// A set bit means the credential is suspended, which can be undone (for example
    /// when a practitioner's yearly dues lapse and are then paid).
    Suspension,
}

impl StatusPurpose {
    /// The purpose as the JSON writes it: `"revocation"` or `"suspension"`.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusPurpose::Revocation => "revocation",
            StatusPurpose::Suspension => "suspension",
        }
    }
}

impl fmt::Display for StatusPurpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StatusPurpose {
    type Err = StatusListError;

    /// Reads `"revocation"` or `"suspension"` (exact, case-sensitive as in the JSON);
    /// anything else, `"refresh"` and `"message"` included, is
    /// [`StatusListError::UnsupportedPurpose`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_purpose(s, "statusPurpose")
    }
}

fn parse_purpose(s: &str, field: &str) -> Result<StatusPurpose, StatusListError> {
    match s {
        "revocation" => Ok(StatusPurpose::Revocation),
        "suspension" => Ok(StatusPurpose::Suspension),
        other => Err(StatusListError::UnsupportedPurpose {
            field: field.to_owned(),
            purpose: other.to_owned(),
        }),
    }
}

// ---------------------------------------------------------------------------------------
// The bitstring
// ---------------------------------------------------------------------------------------

/// A status list: one bit per credential, index 0 the most significant bit of byte 0
/// (§3.3 and the "Bitstring Encoding" section). Always between [`MIN_ENTRIES`] and
/// [`MAX_ENTRIES`] entries long, a multiple of 8.
#[derive(Clone, PartialEq, Eq)]
pub struct BitstringStatusList {
    bits: Vec<u8>,
}

impl fmt::Debug for BitstringStatusList {
    // The bytes themselves are 16 KB or more; the summary is what a log needs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BitstringStatusList")
            .field("entries", &self.len())
            .field("set", &self.set_indexes().count())
            .finish()
    }
}

impl BitstringStatusList {
    /// A list of `entries` bits, all 0 (every credential valid). Refuses fewer than
    /// [`MIN_ENTRIES`], more than [`MAX_ENTRIES`], or a count that is not a multiple
    /// of 8.
    pub fn new(entries: usize) -> Result<Self, StatusListError> {
        if entries < MIN_ENTRIES {
            return Err(StatusListError::TooFewEntries {
                entries,
                minimum: MIN_ENTRIES,
            });
        }
        if entries > MAX_ENTRIES {
            return Err(StatusListError::TooManyEntries {
                entries,
                maximum: MAX_ENTRIES,
            });
        }
        if !entries.is_multiple_of(8) {
            return Err(StatusListError::NotByteAligned { entries });
        }
        Ok(Self {
            bits: vec![0; entries / 8],
        })
    }

    /// The number of entries (bits).
    pub fn len(&self) -> usize {
        self.bits.len() * 8
    }

    /// Always false: a list has at least [`MIN_ENTRIES`] entries.
    pub fn is_empty(&self) -> bool {
        self.bits.is_empty()
    }

    /// The uncompressed bytes, index 0 in the most significant bit of the first byte.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bits
    }

    /// Byte offset and bit mask of `index`, or the out-of-range error.
    fn locate(&self, index: u64) -> Result<(usize, u8), StatusListError> {
        let out_of_range = StatusListError::IndexOutOfRange {
            index,
            len: self.len(),
        };
        let i = usize::try_from(index).map_err(|_| out_of_range.clone())?;
        if i >= self.len() {
            return Err(out_of_range);
        }
        // Index 0 is the left-most bit (§3.3, "Bitstring Encoding"): the MSB of byte 0.
        Ok((i / 8, 0x80 >> (i % 8)))
    }

    /// The bit at `index`: `true` means revoked or suspended, depending on the list's
    /// purpose. An index at or past [`len`](Self::len) is an error.
    pub fn get(&self, index: u64) -> Result<bool, StatusListError> {
        let (byte, mask) = self.locate(index)?;
        Ok(self.bits[byte] & mask != 0)
    }

    /// Sets the bit at `index` to `value`. An index at or past [`len`](Self::len) is an
    /// error and changes nothing.
    pub fn set(&mut self, index: u64, value: bool) -> Result<(), StatusListError> {
        let (byte, mask) = self.locate(index)?;
        if value {
            self.bits[byte] |= mask;
        } else {
            self.bits[byte] &= !mask;
        }
        Ok(())
    }

    /// The indexes whose bit is 1, in ascending order.
    pub fn set_indexes(&self) -> impl Iterator<Item = u64> + '_ {
        self.bits
            .iter()
            .enumerate()
            .filter(|(_, byte)| **byte != 0)
            .flat_map(|(i, byte)| {
                (0..8u8)
                    .filter(move |bit| byte & (0x80 >> bit) != 0)
                    .map(move |bit| (i as u64) * 8 + u64::from(bit))
            })
    }

    /// The `encodedList` value (§3.3 Bitstring Generation Algorithm): GZIP (RFC 1952),
    /// then base64url without padding, with the multibase prefix `u`.
    ///
    /// Probity always writes the `u` prefix. The GZIP header has modification time 0
    /// and operating system 3 (Unix), as in the specification's example, so the same
    /// bits always give the same text.
    pub fn encode(&self) -> String {
        let compressed = gzip(&self.bits).unwrap_or_else(|_| gzip_stored(&self.bits));
        let mut out = String::with_capacity(1 + compressed.len().div_ceil(3) * 4);
        out.push(MULTIBASE_BASE64URL);
        URL_SAFE_NO_PAD.encode_string(&compressed, &mut out);
        out
    }

    /// Reads an `encodedList` (§3.4 Bitstring Expansion Algorithm): multibase
    /// base64url, then GZIP.
    ///
    /// Probity always writes the `u` prefix, but this also accepts a list without it,
    /// because a base64url GZIP stream always begins `H4sI` and so cannot be mistaken
    /// for a prefixed one; the older W3C test-suite fixtures have no prefix. A list
    /// shorter than [`MIN_ENTRIES`] is refused ([`StatusListError::TooFewEntries`]
    /// names its length and the minimum), and so is one that decompresses to more
    /// than [`MAX_DECOMPRESSED_BYTES`].
    pub fn decode(encoded: &str) -> Result<Self, StatusListError> {
        let body = if let Some(rest) = encoded.strip_prefix(MULTIBASE_BASE64URL) {
            rest
        } else if encoded.starts_with(GZIP_BASE64URL_START) {
            encoded
        } else {
            let found = match encoded.chars().next() {
                None => "an empty string".to_owned(),
                Some(c) => format!("first character {c:?}"),
            };
            return Err(StatusListError::Multibase { found });
        };
        let compressed = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|e| StatusListError::Base64 {
                reason: e.to_string(),
            })?;
        let bits = gunzip_capped(&compressed, MAX_DECOMPRESSED_BYTES)?;
        let entries = bits.len() * 8;
        if entries < MIN_ENTRIES {
            return Err(StatusListError::TooFewEntries {
                entries,
                minimum: MIN_ENTRIES,
            });
        }
        Ok(Self { bits })
    }
}

/// GZIP with a fixed header: no name, modification time 0, OS 3 (Unix).
fn gzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(3)
        .write(Vec::new(), flate2::Compression::default());
    encoder.write_all(data)?;
    encoder.finish()
}

/// A valid GZIP stream made of stored (uncompressed) deflate blocks (RFC 1951 §3.2.4).
///
/// [`gzip`] writes into memory, so it has no I/O that could fail; this is here so that
/// [`BitstringStatusList::encode`] still returns a correct list, never a panic, should
/// the compressor ever report an internal error.
fn gzip_stored(data: &[u8]) -> Vec<u8> {
    const BLOCK: usize = 0xffff;
    let mut out = Vec::with_capacity(data.len() + data.len() / BLOCK * 5 + 32);
    out.extend_from_slice(&[0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3]);
    let mut chunks = data.chunks(BLOCK).peekable();
    if chunks.peek().is_none() {
        // One empty final block.
        out.extend_from_slice(&[0x01, 0x00, 0x00, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        let last = chunks.peek().is_none();
        out.push(u8::from(last)); // BFINAL, BTYPE 00 (stored)
        let len = chunk.len() as u16; // at most BLOCK
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    let mut crc = flate2::Crc::new();
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    // ISIZE is the length modulo 2^32 (RFC 1952 §2.3.1).
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// Decompresses one GZIP member, refusing output over `limit` bytes without
/// allocating more than `limit + 1`.
fn gunzip_capped(compressed: &[u8], limit: usize) -> Result<Vec<u8>, StatusListError> {
    if !compressed.starts_with(&[0x1f, 0x8b]) {
        return Err(StatusListError::Gzip {
            reason: "it does not start with the GZIP magic bytes 1f 8b".to_owned(),
        });
    }
    let mut out = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut decoder = flate2::bufread::GzDecoder::new(compressed);
    (&mut decoder)
        .take(cap)
        .read_to_end(&mut out)
        .map_err(|e| StatusListError::Gzip {
            reason: e.to_string(),
        })?;
    if out.len() > limit {
        return Err(StatusListError::DecompressedTooLarge { limit });
    }
    // One member only: bits hidden in a second member (which some readers would
    // append and others ignore) must not make two verifiers read different lists.
    let rest = decoder.into_inner();
    if !rest.is_empty() {
        return Err(StatusListError::Gzip {
            reason: format!(
                "{} bytes follow the GZIP member; a list is exactly one member",
                rest.len()
            ),
        });
    }
    Ok(out)
}

/// Picks an index for a new credential uniformly at random among the indexes that are
/// neither `taken` (allocated already, per the issuer's records) nor set in `list`.
/// Returns `None` when every index is in use; the issuer then starts a new list.
///
/// Random rather than sequential allocation is what the specification's Privacy
/// Considerations ask for: an index reveals neither the order of issue nor, by
/// proximity, who else was issued at the same time.
///
/// The function draws uniformly up to 64 times and, if the list is so full that every
/// draw hit a used index, scans the whole list and picks uniformly among the free
/// indexes, so the result is uniform either way. `taken` is called once per
/// draw, or once per index during a scan.
pub fn random_unused_index<R: rand::Rng + ?Sized>(
    list: &BitstringStatusList,
    taken: impl Fn(u64) -> bool,
    rng: &mut R,
) -> Option<u64> {
    let len = list.len() as u64;
    if len == 0 {
        return None;
    }
    let free = |i: u64| !taken(i) && matches!(list.get(i), Ok(false));
    for _ in 0..RANDOM_TRIES {
        let i = rng.gen_range(0..len);
        if free(i) {
            return Some(i);
        }
    }
    // Reservoir sampling of one element: uniform over the free indexes, in one pass,
    // without collecting them.
    let mut chosen = None;
    for (seen, i) in (1u64..).zip((0..len).filter(|&i| free(i))) {
        // The `seen`-th free index replaces the choice with probability 1/seen.
        if rng.gen_range(0..seen) == 0 {
            chosen = Some(i);
        }
    }
    chosen
}

// ---------------------------------------------------------------------------------------
// credentialStatus entries (§2.1)
// ---------------------------------------------------------------------------------------

/// The `type` of a status entry (§2.1).
pub const ENTRY_TYPE: &str = "BitstringStatusListEntry";
/// The credential type of a status list credential (§2.2).
pub const CREDENTIAL_TYPE: &str = "BitstringStatusListCredential";
/// The `type` of a status list credential's subject (§2.2).
pub const SUBJECT_TYPE: &str = "BitstringStatusList";

/// One `BitstringStatusListEntry` from a credential's `credentialStatus` (§2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusListEntry {
    /// The entry's optional `id`, such as `https://example.com/credentials/status/3#94567`.
    pub id: Option<String>,
    /// `statusPurpose`.
    pub purpose: StatusPurpose,
    /// `statusListIndex`, read from its base-10 string.
    pub index: u64,
    /// `statusListCredential`: the URL of the status list credential.
    pub list_url: String,
}

/// The members of a status entry that its plain readers look at: `None` where a member
/// is missing or not a string; `id` is `None` when present but not a string.
struct PlainFields<'a> {
    kind: Option<&'a str>,
    purpose: Option<&'a str>,
    index: Option<&'a str>,
    size_is_one: bool,
    list_url: Option<&'a str>,
    id: Option<Option<&'a str>>,
}

impl StatusListEntry {
    /// An entry for `index` in the list at `list_url`, with the `id`
    /// `<list_url>#<index>` as in the specification's examples.
    pub fn new(purpose: StatusPurpose, list_url: &str, index: u64) -> Self {
        Self {
            id: Some(format!("{list_url}#{index}")),
            purpose,
            index,
            list_url: list_url.to_owned(),
        }
    }

    /// Reads one entry (§2.1). `type` must be `BitstringStatusListEntry` (a string, or
    /// an array holding it); `statusPurpose` `revocation` or `suspension`;
    /// `statusListIndex` a string of base-10 digits that fits in 64 bits (no sign, no
    /// JSON number); `statusSize` absent or 1; `statusListCredential` a non-empty
    /// string. Other properties (`statusMessage`, `statusReference`) are ignored.
    pub fn from_value(value: &Value) -> Result<Self, StatusListError> {
        Self::from_value_at(value, "credentialStatus")
    }

    fn from_value_at(value: &Value, path: &str) -> Result<Self, StatusListError> {
        if let Some(entry) = Self::from_plain_value(value) {
            return Ok(entry);
        }
        let obj = value
            .as_object()
            .ok_or_else(|| StatusListError::InvalidField {
                field: path.to_owned(),
                reason: format!("expected a JSON object, found {}", json_kind(value)),
            })?;
        let field = |name: &str| format!("{path}.{name}");

        require_type(obj, &field("type"), ENTRY_TYPE)?;

        let purpose_field = field("statusPurpose");
        let purpose = parse_purpose(require_str(obj, &purpose_field)?, &purpose_field)?;

        let index_field = field("statusListIndex");
        let index = match obj.get("statusListIndex") {
            None => {
                return Err(StatusListError::MissingField { field: index_field });
            }
            Some(v) => parse_index(v, &index_field)?,
        };

        // §2.1: statusSize defaults to 1; larger sizes carry multi-bit messages, which
        // Probity does not use.
        if let Some(size) = obj.get("statusSize") {
            if size.as_u64() != Some(1) {
                return Err(StatusListError::UnsupportedStatusSize {
                    field: field("statusSize"),
                    size: size.to_string(),
                });
            }
        }

        let list_url_field = field("statusListCredential");
        let list_url = require_str(obj, &list_url_field)?;
        if list_url.is_empty() {
            return Err(StatusListError::InvalidField {
                field: list_url_field,
                reason: "expected the URL of a status list credential, found an empty string"
                    .to_owned(),
            });
        }

        Ok(Self {
            id: optional_str(obj, &field("id"))?.map(str::to_owned),
            purpose,
            index,
            list_url: list_url.to_owned(),
        })
    }

    /// Reads an entry of the usual shape without working out error messages: every
    /// verification reads its credential's entries, and naming fields costs more than
    /// reading them. Anything less plain returns `None`, and the full reader above
    /// decides and explains; whatever this accepts, that reader accepts identically
    /// (checked by `plain_reader_agrees_with_the_full_one`).
    fn from_plain_value(value: &Value) -> Option<Self> {
        let obj = value.as_object()?;
        let text = |key: &str| obj.get(key).and_then(Value::as_str);
        Self::from_plain_fields(PlainFields {
            kind: text("type"),
            purpose: text("statusPurpose"),
            index: text("statusListIndex"),
            size_is_one: obj
                .get("statusSize")
                .is_none_or(|size| size.as_u64() == Some(1)),
            list_url: text("statusListCredential"),
            id: match obj.get("id") {
                None => Some(None),
                Some(Value::String(id)) => Some(Some(id.as_str())),
                Some(_) => None,
            },
        })
    }

    /// [`StatusListEntry::from_plain_value`] for a parsed [`crate::json::Json`] entry,
    /// so a verification need not copy its entries into `serde_json` values.
    pub fn from_plain_json(value: &crate::json::Json<'_>) -> Option<Self> {
        use crate::json::Json;
        let text = |key: &str| value.get(key).and_then(Json::as_str);
        Self::from_plain_fields(PlainFields {
            kind: text("type"),
            purpose: text("statusPurpose"),
            index: text("statusListIndex"),
            size_is_one: match value.get("statusSize") {
                None => true,
                Some(Json::Number(n)) => n.as_u64() == Some(1),
                Some(_) => false,
            },
            list_url: text("statusListCredential"),
            id: match value.get("id") {
                None => Some(None),
                Some(Json::Str(id)) => Some(Some(id.as_ref())),
                Some(_) => None,
            },
        })
    }

    /// The rules both plain readers apply, to the members each read from its own kind
    /// of tree.
    fn from_plain_fields(fields: PlainFields<'_>) -> Option<Self> {
        if fields.kind? != ENTRY_TYPE || !fields.size_is_one {
            return None;
        }
        let purpose = match fields.purpose? {
            "revocation" => StatusPurpose::Revocation,
            "suspension" => StatusPurpose::Suspension,
            _ => return None,
        };
        let index = fields.index?;
        if index.is_empty() || index.len() > 19 || !index.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Self {
            id: fields.id?.map(str::to_owned),
            purpose,
            index: index.parse().ok()?,
            list_url: fields.list_url.filter(|u| !u.is_empty())?.to_owned(),
        })
    }

    /// The entry as JSON, the index written as a base-10 string without leading zeros.
    pub fn to_value(&self) -> Value {
        let mut obj = Map::new();
        if let Some(id) = &self.id {
            obj.insert("id".to_owned(), Value::String(id.clone()));
        }
        obj.insert("type".to_owned(), Value::String(ENTRY_TYPE.to_owned()));
        obj.insert(
            "statusPurpose".to_owned(),
            Value::String(self.purpose.as_str().to_owned()),
        );
        obj.insert(
            "statusListIndex".to_owned(),
            Value::String(self.index.to_string()),
        );
        obj.insert(
            "statusListCredential".to_owned(),
            Value::String(self.list_url.clone()),
        );
        Value::Object(obj)
    }
}

/// The status entries of a credential, from its `credentialStatus`: none when the
/// property is absent, one when it is an object, one per element when it is an array.
/// Any entry that [`StatusListEntry::from_value`] refuses makes the whole call fail,
/// with the error naming its position (`credentialStatus[1].statusListIndex`).
pub fn entries_of(credential: &Value) -> Result<Vec<StatusListEntry>, StatusListError> {
    let obj = credential
        .as_object()
        .ok_or_else(|| StatusListError::InvalidField {
            field: "credential".to_owned(),
            reason: format!("expected a JSON object, found {}", json_kind(credential)),
        })?;
    match obj.get("credentialStatus") {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| StatusListEntry::from_value_at(v, &format!("credentialStatus[{i}]")))
            .collect(),
        Some(v @ Value::Object(_)) => {
            Ok(vec![StatusListEntry::from_value_at(v, "credentialStatus")?])
        }
        Some(other) => Err(StatusListError::InvalidField {
            field: "credentialStatus".to_owned(),
            reason: format!(
                "expected an object or an array of objects, found {}",
                json_kind(other)
            ),
        }),
    }
}

/// §2.1: `statusListIndex` is a string holding a base-10 integer.
fn parse_index(value: &Value, field: &str) -> Result<u64, StatusListError> {
    let invalid = |reason: &str| StatusListError::InvalidIndex {
        field: field.to_owned(),
        value: value.to_string(),
        reason: reason.to_owned(),
    };
    let Some(text) = value.as_str() else {
        return Err(invalid(&format!(
            "expected a string of base-10 digits such as \"94567\", found {}",
            json_kind(value)
        )));
    };
    if text.is_empty() {
        return Err(invalid("it is empty"));
    }
    // u64::from_str alone would accept a leading '+'; the specification's form is
    // digits only.
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(
            "it may contain only the digits 0-9 (no sign, spaces, decimal point or exponent)",
        ));
    }
    text.parse::<u64>()
        .map_err(|_| invalid(&format!("it is larger than {}", u64::MAX)))
}

// ---------------------------------------------------------------------------------------
// The status list credential (§2.2)
// ---------------------------------------------------------------------------------------

/// The unsigned status list credential (§2.2; §3.1 Generate Algorithm) for `list`,
/// ready to be signed:
///
/// ```json
/// {"@context": ["https://www.w3.org/ns/credentials/v2"],
///  "id": "<id>", "type": ["VerifiableCredential", "BitstringStatusListCredential"],
///  "issuer": "<issuer>", "validFrom": "…", "validUntil": "…",
///  "credentialSubject": {"id": "<id>#list", "type": "BitstringStatusList",
///                        "statusPurpose": "revocation", "encodedList": "uH4sI…"}}
/// ```
///
/// `validUntil` is written only when given. `id` is the URL the list is published at:
/// every entry pointing at this list has it as `statusListCredential` (§2.2).
pub fn status_list_credential(
    id: &str,
    issuer: &str,
    purpose: StatusPurpose,
    list: &BitstringStatusList,
    valid_from: DateTime<Utc>,
    valid_until: Option<DateTime<Utc>>,
) -> Value {
    let mut vc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": id,
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": crate::time::format(valid_from),
        "credentialSubject": {
            "id": format!("{id}#list"),
            "type": SUBJECT_TYPE,
            "statusPurpose": purpose.as_str(),
            "encodedList": list.encode(),
        },
    });
    if let (Some(until), Some(obj)) = (valid_until, vc.as_object_mut()) {
        obj.insert(
            "validUntil".to_owned(),
            Value::String(crate::time::format(until)),
        );
    }
    vc
}

/// A status list credential as read (§2.2). Its proof, its issuer's membership and its
/// validity period are checked elsewhere; this is the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusListCredential {
    /// `id`: the URL the list is published at. Optional here only because the older
    /// W3C test-suite fixtures have none; §2.2 requires it, and a verifier must not
    /// accept a list that it cannot match to the entry's `statusListCredential`.
    pub id: Option<String>,
    /// `issuer` (a string, or the `id` of an issuer object). Optional for the same
    /// reason as `id`; the verifier checks it against the credential's issuer.
    pub issuer: Option<String>,
    /// The purposes Probity supports among `credentialSubject.statusPurpose`, in the
    /// order written, without repeats.
    pub purposes: Vec<StatusPurpose>,
    /// Any other purposes the list names (`refresh`, `message`, or the test suite's
    /// `randomPurpose`), kept so that a mismatch error can say what the list holds.
    pub unsupported_purposes: Vec<String>,
    /// The decoded `credentialSubject.encodedList`.
    pub list: BitstringStatusList,
    /// `validFrom`, if present.
    pub valid_from: Option<DateTime<Utc>>,
    /// `validUntil`, if present.
    pub valid_until: Option<DateTime<Utc>>,
}

impl StatusListCredential {
    /// Reads a status list credential (§2.2). `type` must include
    /// `BitstringStatusListCredential`; `credentialSubject` must be an object whose
    /// `type` is `BitstringStatusList`, whose `statusPurpose` is a string or a non-empty
    /// array of strings, and whose `encodedList` decodes
    /// ([`BitstringStatusList::decode`]); `validFrom` and `validUntil`, when present,
    /// must be RFC 3339 date-times.
    ///
    /// Purposes Probity does not support do not make this fail: a list may serve
    /// several purposes, and only the entry's purpose matters, which
    /// [`status_of`](Self::status_of) checks.
    pub fn parse(value: &Value) -> Result<Self, StatusListError> {
        let obj = value
            .as_object()
            .ok_or_else(|| StatusListError::InvalidField {
                field: "status list credential".to_owned(),
                reason: format!("expected a JSON object, found {}", json_kind(value)),
            })?;
        require_type(obj, "type", CREDENTIAL_TYPE)?;

        let id = optional_str(obj, "id")?.map(str::to_owned);
        let issuer = match obj.get("issuer") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Object(o)) => Some(require_str(o, "issuer.id")?.to_owned()),
            Some(other) => {
                return Err(StatusListError::InvalidField {
                    field: "issuer".to_owned(),
                    reason: format!(
                        "expected a string or an object with an id, found {}",
                        json_kind(other)
                    ),
                })
            }
        };
        let valid_from = optional_time(obj, "validFrom")?;
        let valid_until = optional_time(obj, "validUntil")?;

        let subject = match obj.get("credentialSubject") {
            None => {
                return Err(StatusListError::MissingField {
                    field: "credentialSubject".to_owned(),
                })
            }
            Some(Value::Object(s)) => s,
            Some(other) => {
                return Err(StatusListError::InvalidField {
                    field: "credentialSubject".to_owned(),
                    reason: format!(
                        "expected one object of type {SUBJECT_TYPE}, found {}",
                        json_kind(other)
                    ),
                })
            }
        };
        require_type(subject, "credentialSubject.type", SUBJECT_TYPE)?;

        let (purposes, unsupported_purposes) = list_purposes(subject)?;

        let encoded = require_str(subject, "credentialSubject.encodedList")?;
        let list = BitstringStatusList::decode(encoded)?;

        Ok(Self {
            id,
            issuer,
            purposes,
            unsupported_purposes,
            list,
            valid_from,
            valid_until,
        })
    }

    /// The status bit for `entry` (§3.2 steps on purpose and index): `true` means
    /// revoked or suspended, according to `entry.purpose`.
    ///
    /// Fails when the entry's purpose is not one of the list's purposes
    /// ([`StatusListError::PurposeMismatch`]), when the list has an `id` that differs
    /// from `entry.list_url` ([`StatusListError::ListUrlMismatch`]), or when the index
    /// is past the end ([`StatusListError::IndexOutOfRange`]). A list with no `id`
    /// cannot be matched; callers that need the match must refuse such a list first.
    pub fn status_of(&self, entry: &StatusListEntry) -> Result<bool, StatusListError> {
        if let Some(id) = &self.id {
            if *id != entry.list_url {
                return Err(StatusListError::ListUrlMismatch {
                    entry: entry.list_url.clone(),
                    list: id.clone(),
                });
            }
        }
        if !self.purposes.contains(&entry.purpose) {
            let written: Vec<&str> = self
                .purposes
                .iter()
                .map(|p| p.as_str())
                .chain(self.unsupported_purposes.iter().map(String::as_str))
                .collect();
            return Err(StatusListError::PurposeMismatch {
                entry: entry.purpose,
                list: format!("{written:?}"),
            });
        }
        self.list.get(entry.index)
    }
}

/// Splits `credentialSubject.statusPurpose` (a string or an array of strings) into the
/// purposes Probity supports and the others.
fn list_purposes(
    subject: &Map<String, Value>,
) -> Result<(Vec<StatusPurpose>, Vec<String>), StatusListError> {
    const FIELD: &str = "credentialSubject.statusPurpose";
    let written: Vec<&str> = match subject.get("statusPurpose") {
        None => {
            return Err(StatusListError::MissingField {
                field: FIELD.to_owned(),
            })
        }
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str().ok_or_else(|| StatusListError::InvalidField {
                    field: format!("{FIELD}[{i}]"),
                    reason: format!("expected a string, found {}", json_kind(v)),
                })
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(StatusListError::InvalidField {
                field: FIELD.to_owned(),
                reason: format!(
                    "expected a string or an array of strings, found {}",
                    json_kind(other)
                ),
            })
        }
    };
    if written.is_empty() {
        return Err(StatusListError::InvalidField {
            field: FIELD.to_owned(),
            reason: "the array is empty; name at least one purpose".to_owned(),
        });
    }
    let mut supported = Vec::new();
    let mut others = Vec::new();
    let mut seen = BTreeSet::new();
    for p in written {
        if !seen.insert(p) {
            continue;
        }
        match parse_purpose(p, FIELD) {
            Ok(purpose) => supported.push(purpose),
            Err(_) => others.push(p.to_owned()),
        }
    }
    Ok((supported, others))
}

// ---------------------------------------------------------------------------------------
// JSON helpers
// ---------------------------------------------------------------------------------------

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The last component of a dotted path, which is the key in the object at hand.
fn key_of(field: &str) -> &str {
    field.rsplit('.').next().unwrap_or(field)
}

fn require_str<'a>(obj: &'a Map<String, Value>, field: &str) -> Result<&'a str, StatusListError> {
    optional_str(obj, field)?.ok_or_else(|| StatusListError::MissingField {
        field: field.to_owned(),
    })
}

fn optional_str<'a>(
    obj: &'a Map<String, Value>,
    field: &str,
) -> Result<Option<&'a str>, StatusListError> {
    match obj.get(key_of(field)) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(StatusListError::InvalidField {
            field: field.to_owned(),
            reason: format!("expected a string, found {}", json_kind(other)),
        }),
    }
}

fn optional_time(
    obj: &Map<String, Value>,
    field: &str,
) -> Result<Option<DateTime<Utc>>, StatusListError> {
    optional_str(obj, field)?
        .map(|s| {
            crate::time::parse(s).map_err(|e| StatusListError::InvalidField {
                field: field.to_owned(),
                reason: e.to_string(),
            })
        })
        .transpose()
}

/// `type` must be `expected` or an array that holds it (VC Data Model 2.0 allows both).
fn require_type(
    obj: &Map<String, Value>,
    field: &str,
    expected: &str,
) -> Result<(), StatusListError> {
    let found = match obj.get("type") {
        None => {
            return Err(StatusListError::MissingField {
                field: field.to_owned(),
            })
        }
        Some(Value::String(s)) => s == expected,
        Some(Value::Array(items)) => items.iter().any(|t| t.as_str() == Some(expected)),
        Some(_) => false,
    };
    if found {
        Ok(())
    } else {
        Err(StatusListError::InvalidField {
            field: field.to_owned(),
            reason: format!(
                "expected \"{expected}\", found {}",
                obj.get("type").map(Value::to_string).unwrap_or_default()
            ),
        })
    }
}

#[cfg(test)]
// The crate warns on unwrap/expect; in tests a panic is the failure report.
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    proptest::proptest! {
        #[test]
        fn plain_reader_agrees_with_the_full_one(
            kind in proptest::sample::select(vec![json!("BitstringStatusListEntry"), json!(["BitstringStatusListEntry"]), json!("Other"), json!(1)]),
            purpose in proptest::sample::select(vec![json!("revocation"), json!("suspension"), json!("refresh"), json!(null)]),
            index in proptest::sample::select(vec![json!("94567"), json!("0"), json!("007"), json!("+1"), json!(""), json!("99999999999999999999"), json!(5), json!("1e3")]),
            size in proptest::sample::select(vec![None, Some(json!(1)), Some(json!(2)), Some(json!("1"))]),
            url in proptest::sample::select(vec![json!("https://x.example/s/1"), json!(""), json!(3)]),
            id in proptest::sample::select(vec![None, Some(json!("https://x.example/s/1#94567")), Some(json!(7))]),
        ) {
            let mut entry = serde_json::Map::new();
            entry.insert("type".into(), kind);
            entry.insert("statusPurpose".into(), purpose);
            entry.insert("statusListIndex".into(), index);
            entry.insert("statusListCredential".into(), url);
            if let Some(size) = size { entry.insert("statusSize".into(), size); }
            if let Some(id) = id { entry.insert("id".into(), id); }
            let value = Value::Object(entry);
            if let Some(plain) = StatusListEntry::from_plain_value(&value) {
                // Bypass the plain reader to get the full one's answer.
                let full = {
                    let mut wrapped = value.clone();
                    wrapped.as_object_mut().unwrap().insert("type".into(), json!(["BitstringStatusListEntry"]));
                    StatusListEntry::from_value(&wrapped)
                };
                proptest::prop_assert_eq!(Some(plain), full.ok());
            }
        }
    }

    fn list_with(indexes: &[u64]) -> BitstringStatusList {
        let mut list = BitstringStatusList::new(MIN_ENTRIES).unwrap();
        for &i in indexes {
            list.set(i, true).unwrap();
        }
        list
    }

    fn gzip_base64(data: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(gzip(data).unwrap())
    }

    #[test]
    fn round_trip_encode_decode() {
        let last = MIN_ENTRIES as u64 - 1;
        let list = list_with(&[0, 1, 7, 8, 201, 57444, 94023, last]);
        let encoded = list.encode();
        assert!(encoded.starts_with("uH4sI"), "{encoded}");
        let back = BitstringStatusList::decode(&encoded).unwrap();
        assert_eq!(back, list);
        assert_eq!(
            back.set_indexes().collect::<Vec<_>>(),
            vec![0, 1, 7, 8, 201, 57444, 94023, last]
        );
    }

    #[test]
    fn encoding_is_deterministic_with_fixed_header() {
        let list = list_with(&[5]);
        assert_eq!(list.encode(), list.encode());
        let raw = URL_SAFE_NO_PAD.decode(&list.encode()[1..]).unwrap();
        // Magic, deflate, no flags, mtime 0, XFL 0, OS 3 (Unix).
        assert_eq!(&raw[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
    }

    #[test]
    fn index_zero_is_the_most_significant_bit_of_byte_zero() {
        let list = list_with(&[0]);
        assert_eq!(list.as_bytes()[0], 0x80);
        let list = list_with(&[7]);
        assert_eq!(list.as_bytes()[0], 0x01);
        let list = list_with(&[8, 15]);
        assert_eq!(&list.as_bytes()[..2], &[0x00, 0x81]);
        // And the same when reading bytes someone else wrote.
        let mut bytes = vec![0u8; MIN_ENTRIES / 8];
        bytes[1] = 0b0100_0000;
        let list = BitstringStatusList::decode(&format!("u{}", gzip_base64(&bytes))).unwrap();
        assert_eq!(list.set_indexes().collect::<Vec<_>>(), vec![9]);
        assert!(list.get(9).unwrap());
        assert!(!list.get(8).unwrap());
        assert!(!list.get(10).unwrap());
    }

    #[test]
    fn set_and_get_at_the_boundaries() {
        let mut list = BitstringStatusList::new(MIN_ENTRIES).unwrap();
        let last = MIN_ENTRIES as u64 - 1;
        assert_eq!(list.len(), MIN_ENTRIES);
        assert!(!list.is_empty());
        list.set(0, true).unwrap();
        list.set(last, true).unwrap();
        assert!(list.get(0).unwrap());
        assert!(list.get(last).unwrap());
        list.set(0, false).unwrap();
        assert!(!list.get(0).unwrap());
        let past = StatusListError::IndexOutOfRange {
            index: MIN_ENTRIES as u64,
            len: MIN_ENTRIES,
        };
        assert_eq!(list.get(MIN_ENTRIES as u64), Err(past.clone()));
        assert_eq!(list.set(MIN_ENTRIES as u64, true), Err(past.clone()));
        assert!(past.to_string().contains("131072"));
        assert!(list.get(u64::MAX).is_err());
        assert_eq!(list.set_indexes().collect::<Vec<_>>(), vec![last]);
    }

    #[test]
    fn new_refuses_bad_lengths() {
        assert_eq!(
            BitstringStatusList::new(MIN_ENTRIES - 8),
            Err(StatusListError::TooFewEntries {
                entries: MIN_ENTRIES - 8,
                minimum: MIN_ENTRIES
            })
        );
        assert_eq!(
            BitstringStatusList::new(MIN_ENTRIES + 1),
            Err(StatusListError::NotByteAligned {
                entries: MIN_ENTRIES + 1
            })
        );
        assert!(matches!(
            BitstringStatusList::new(MAX_ENTRIES + 8),
            Err(StatusListError::TooManyEntries { .. })
        ));
        assert_eq!(
            BitstringStatusList::new(MIN_ENTRIES + 8).unwrap().len(),
            MIN_ENTRIES + 8
        );
    }

    #[test]
    fn short_list_is_refused_with_length_and_minimum() {
        let encoded = format!("u{}", gzip_base64(&[0u8; 25]));
        let err = BitstringStatusList::decode(&encoded).unwrap_err();
        assert_eq!(
            err,
            StatusListError::TooFewEntries {
                entries: 200,
                minimum: MIN_ENTRIES
            }
        );
        let message = err.to_string();
        assert!(
            message.contains("200") && message.contains("131072"),
            "{message}"
        );
        // One byte short of the minimum.
        let encoded = format!("u{}", gzip_base64(&vec![0u8; MIN_ENTRIES / 8 - 1]));
        assert!(matches!(
            BitstringStatusList::decode(&encoded),
            Err(StatusListError::TooFewEntries { .. })
        ));
    }

    #[test]
    fn gzip_bomb_is_refused() {
        // 64 MiB of zeros compresses to about 64 KB.
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            encoder.write_all(&zeros).unwrap();
        }
        let bomb = encoder.finish().unwrap();
        assert!(bomb.len() < 256 * 1024);
        let encoded = format!("u{}", URL_SAFE_NO_PAD.encode(&bomb));
        assert_eq!(
            BitstringStatusList::decode(&encoded),
            Err(StatusListError::DecompressedTooLarge {
                limit: MAX_DECOMPRESSED_BYTES
            })
        );
        // Exactly at the limit is accepted.
        let max = vec![0u8; MAX_DECOMPRESSED_BYTES];
        let list = BitstringStatusList::decode(&format!("u{}", gzip_base64(&max))).unwrap();
        assert_eq!(list.len(), MAX_ENTRIES);
    }

    #[test]
    fn prefix_rules() {
        let body = gzip_base64(&vec![0u8; MIN_ENTRIES / 8]);
        assert!(body.starts_with("H4sI"));
        // With or without 'u'.
        assert!(BitstringStatusList::decode(&format!("u{body}")).is_ok());
        assert!(BitstringStatusList::decode(&body).is_ok());
        // Other multibase prefixes (base58btc 'z', padded base64 'm') are refused.
        for bad in [format!("z{body}"), format!("m{body}"), String::new()] {
            assert!(
                matches!(
                    BitstringStatusList::decode(&bad),
                    Err(StatusListError::Multibase { .. })
                ),
                "{bad:.8}"
            );
        }
    }

    #[test]
    fn bad_base64_and_bad_gzip() {
        for bad in ["uH4sI!!!!", "uH4sI+/+/", "uH4sIAA==", "u", "uH"] {
            let err = BitstringStatusList::decode(bad).unwrap_err();
            assert!(
                matches!(
                    err,
                    StatusListError::Base64 { .. } | StatusListError::Gzip { .. }
                ),
                "{bad}: {err:?}"
            );
        }
        assert!(matches!(
            BitstringStatusList::decode("uH4sI!!!!"),
            Err(StatusListError::Base64 { .. })
        ));
        // Valid base64url, not GZIP.
        let not_gzip = format!("u{}", URL_SAFE_NO_PAD.encode(b"hello, status list"));
        assert!(matches!(
            BitstringStatusList::decode(&not_gzip),
            Err(StatusListError::Gzip { .. })
        ));
        // A truncated GZIP stream.
        let full = gzip(&vec![0u8; MIN_ENTRIES / 8]).unwrap();
        let cut = format!("u{}", URL_SAFE_NO_PAD.encode(&full[..full.len() - 6]));
        assert!(matches!(
            BitstringStatusList::decode(&cut),
            Err(StatusListError::Gzip { .. })
        ));
        // A corrupted CRC.
        let mut bad_crc = full.clone();
        let n = bad_crc.len();
        bad_crc[n - 8] ^= 0xff;
        let bad_crc = format!("u{}", URL_SAFE_NO_PAD.encode(&bad_crc));
        assert!(matches!(
            BitstringStatusList::decode(&bad_crc),
            Err(StatusListError::Gzip { .. })
        ));
        // A second member, or any byte, after the first.
        for tail in [full.clone(), vec![0]] {
            let mut two = full.clone();
            two.extend_from_slice(&tail);
            let err = BitstringStatusList::decode(&format!("u{}", URL_SAFE_NO_PAD.encode(&two)))
                .unwrap_err();
            assert!(
                matches!(&err, StatusListError::Gzip { reason } if reason.contains("follow")),
                "{err:?}"
            );
        }
    }

    #[test]
    fn stored_gzip_fallback_decodes() {
        let list = list_with(&[3, 70_000, 131_071]);
        let stored = gzip_stored(list.as_bytes());
        let encoded = format!("u{}", URL_SAFE_NO_PAD.encode(&stored));
        assert_eq!(BitstringStatusList::decode(&encoded).unwrap(), list);
        // Empty input gives a valid, empty stream.
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&gzip_stored(&[])[..])
            .read_to_end(&mut out)
            .unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn purposes() {
        assert_eq!(
            "revocation".parse::<StatusPurpose>(),
            Ok(StatusPurpose::Revocation)
        );
        assert_eq!(
            "suspension".parse::<StatusPurpose>(),
            Ok(StatusPurpose::Suspension)
        );
        for bad in ["refresh", "message", "Revocation", "", "randomPurpose"] {
            let err = bad.parse::<StatusPurpose>().unwrap_err();
            let StatusListError::UnsupportedPurpose { purpose, .. } = &err else {
                panic!("{bad}: {err:?}");
            };
            assert_eq!(purpose, bad);
            assert!(err.to_string().contains("revocation"), "{err}");
        }
        assert_eq!(StatusPurpose::Suspension.to_string(), "suspension");
        assert_eq!(
            serde_json::to_value(StatusPurpose::Revocation).unwrap(),
            json!("revocation")
        );
        assert_eq!(
            serde_json::from_value::<StatusPurpose>(json!("suspension")).unwrap(),
            StatusPurpose::Suspension
        );
        assert!(serde_json::from_value::<StatusPurpose>(json!("refresh")).is_err());
    }

    fn entry_json(index: Value) -> Value {
        json!({
            "id": "https://example.com/status/1#5",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": index,
            "statusListCredential": "https://example.com/status/1",
        })
    }

    #[test]
    fn entry_round_trip() {
        let v = entry_json(json!("5"));
        let entry = StatusListEntry::from_value(&v).unwrap();
        assert_eq!(
            entry,
            StatusListEntry::new(StatusPurpose::Revocation, "https://example.com/status/1", 5)
        );
        assert_eq!(entry.to_value(), v);
        let mut no_id = entry.clone();
        no_id.id = None;
        assert!(no_id.to_value().get("id").is_none());
        assert_eq!(
            StatusListEntry::from_value(&no_id.to_value()).unwrap(),
            no_id
        );
    }

    #[test]
    fn index_strings() {
        let ok = |s: &str| StatusListEntry::from_value(&entry_json(json!(s))).map(|e| e.index);
        assert_eq!(ok("0"), Ok(0));
        assert_eq!(ok("94567"), Ok(94567));
        assert_eq!(ok("007"), Ok(7));
        assert_eq!(ok("18446744073709551615"), Ok(u64::MAX));
        for bad in [
            "",
            "+5",
            "-5",
            " 5",
            "5 ",
            "5.0",
            "1e3",
            "0x10",
            "٣",
            "18446744073709551616",
            "99999999999999999999999",
        ] {
            let err = ok(bad).unwrap_err();
            let StatusListError::InvalidIndex { field, .. } = &err else {
                panic!("{bad:?}: {err:?}");
            };
            assert_eq!(field, "credentialStatus.statusListIndex");
        }
        for bad in [json!(5), json!(null), json!(["5"])] {
            let err = StatusListEntry::from_value(&entry_json(bad.clone())).unwrap_err();
            assert!(
                matches!(err, StatusListError::InvalidIndex { .. }),
                "{bad}: {err:?}"
            );
        }
        let mut missing = entry_json(json!("1"));
        missing.as_object_mut().unwrap().remove("statusListIndex");
        assert_eq!(
            StatusListEntry::from_value(&missing),
            Err(StatusListError::MissingField {
                field: "credentialStatus.statusListIndex".to_owned()
            })
        );
    }

    #[test]
    fn entry_refusals() {
        let with = |key: &str, value: Value| {
            let mut v = entry_json(json!("1"));
            v.as_object_mut().unwrap().insert(key.to_owned(), value);
            StatusListEntry::from_value(&v)
        };
        assert!(matches!(
            with("type", json!("StatusList2021Entry")),
            Err(StatusListError::InvalidField { field, .. }) if field == "credentialStatus.type"
        ));
        assert!(with("type", json!(["BitstringStatusListEntry"])).is_ok());
        assert!(matches!(
            with("statusPurpose", json!("refresh")),
            Err(StatusListError::UnsupportedPurpose { field, .. })
                if field == "credentialStatus.statusPurpose"
        ));
        assert!(with("statusSize", json!(1)).is_ok());
        for size in [json!(2), json!(8), json!(0), json!("1"), json!(1.5)] {
            assert!(
                matches!(
                    with("statusSize", size.clone()),
                    Err(StatusListError::UnsupportedStatusSize { .. })
                ),
                "{size}"
            );
        }
        let err = with("statusSize", json!(2)).unwrap_err().to_string();
        assert!(err.contains("statusSize") && err.contains('2'), "{err}");
        assert!(matches!(
            with("statusListCredential", json!("")),
            Err(StatusListError::InvalidField { .. })
        ));
        assert!(matches!(
            with("statusListCredential", json!(7)),
            Err(StatusListError::InvalidField { .. })
        ));
        assert!(matches!(
            with("id", json!(7)),
            Err(StatusListError::InvalidField { field, .. }) if field == "credentialStatus.id"
        ));
        assert!(StatusListEntry::from_value(&json!("x")).is_err());
    }

    #[test]
    fn entries_of_shapes() {
        assert_eq!(entries_of(&json!({})).unwrap(), vec![]);
        let one = entry_json(json!("3"));
        assert_eq!(
            entries_of(&json!({ "credentialStatus": one }))
                .unwrap()
                .len(),
            1
        );
        let mut second = entry_json(json!("-4"));
        second["statusPurpose"] = json!("suspension");
        let err = entries_of(&json!({ "credentialStatus": [one, second] })).unwrap_err();
        assert!(
            matches!(&err, StatusListError::InvalidIndex { field, .. }
                if field == "credentialStatus[1].statusListIndex"),
            "{err:?}"
        );
        assert!(entries_of(&json!({ "credentialStatus": "x" })).is_err());
        assert!(entries_of(&json!([])).is_err());
    }

    #[test]
    fn build_and_read_status_list_credential() {
        let list = list_with(&[42]);
        let from = crate::time::parse("2026-01-01T00:00:00Z").unwrap();
        let until = crate::time::parse("2026-01-02T00:00:00Z").unwrap();
        let url = "https://issuer.example/status/revocation/1";
        let vc = status_list_credential(
            url,
            "did:web:issuer.example",
            StatusPurpose::Revocation,
            &list,
            from,
            Some(until),
        );
        assert_eq!(vc["credentialSubject"]["id"], json!(format!("{url}#list")));
        assert_eq!(vc["validUntil"], json!("2026-01-02T00:00:00Z"));
        let parsed = StatusListCredential::parse(&vc).unwrap();
        assert_eq!(parsed.id.as_deref(), Some(url));
        assert_eq!(parsed.issuer.as_deref(), Some("did:web:issuer.example"));
        assert_eq!(parsed.purposes, vec![StatusPurpose::Revocation]);
        assert_eq!(parsed.valid_from, Some(from));
        assert_eq!(parsed.valid_until, Some(until));
        assert_eq!(parsed.list, list);

        let revoked = StatusListEntry::new(StatusPurpose::Revocation, url, 42);
        assert_eq!(parsed.status_of(&revoked), Ok(true));
        let fine = StatusListEntry::new(StatusPurpose::Revocation, url, 43);
        assert_eq!(parsed.status_of(&fine), Ok(false));
        let suspended = StatusListEntry::new(StatusPurpose::Suspension, url, 42);
        assert!(matches!(
            parsed.status_of(&suspended),
            Err(StatusListError::PurposeMismatch { .. })
        ));
        let elsewhere = StatusListEntry::new(StatusPurpose::Revocation, "https://other/1", 42);
        assert!(matches!(
            parsed.status_of(&elsewhere),
            Err(StatusListError::ListUrlMismatch { .. })
        ));
        let past = StatusListEntry::new(StatusPurpose::Revocation, url, MIN_ENTRIES as u64);
        assert!(matches!(
            parsed.status_of(&past),
            Err(StatusListError::IndexOutOfRange { .. })
        ));

        let no_until = status_list_credential(
            url,
            "did:web:issuer.example",
            StatusPurpose::Suspension,
            &list,
            from,
            None,
        );
        assert!(no_until.get("validUntil").is_none());
    }

    #[test]
    fn status_list_credential_refusals() {
        let base = status_list_credential(
            "https://i.example/s/1",
            "did:web:i.example",
            StatusPurpose::Revocation,
            &list_with(&[]),
            crate::time::parse("2026-01-01T00:00:00Z").unwrap(),
            None,
        );
        let field_of = |mutate: &dyn Fn(&mut Value)| {
            let mut v = base.clone();
            mutate(&mut v);
            match StatusListCredential::parse(&v).unwrap_err() {
                StatusListError::InvalidField { field, .. }
                | StatusListError::MissingField { field } => field,
                other => panic!("unexpected {other:?}"),
            }
        };
        assert_eq!(
            field_of(&|v| v["type"] = json!(["VerifiableCredential"])),
            "type"
        );
        assert_eq!(
            field_of(&|v| v["credentialSubject"]["type"] = json!("StatusList2021")),
            "credentialSubject.type"
        );
        assert_eq!(
            field_of(&|v| v["credentialSubject"]["statusPurpose"] = json!([])),
            "credentialSubject.statusPurpose"
        );
        assert_eq!(
            field_of(&|v| v["credentialSubject"]["statusPurpose"] = json!(["revocation", 3])),
            "credentialSubject.statusPurpose[1]"
        );
        assert_eq!(
            field_of(&|v| {
                v["credentialSubject"]
                    .as_object_mut()
                    .unwrap()
                    .remove("encodedList");
            }),
            "credentialSubject.encodedList"
        );
        assert_eq!(
            field_of(&|v| v["validFrom"] = json!("yesterday")),
            "validFrom"
        );
        assert_eq!(field_of(&|v| v["issuer"] = json!(5)), "issuer");
        assert_eq!(
            field_of(&|v| v["credentialSubject"] = json!([])),
            "credentialSubject"
        );
        // An issuer object with an id is accepted.
        let mut v = base.clone();
        v["issuer"] = json!({"id": "did:web:i.example", "name": "Issuer"});
        assert_eq!(
            StatusListCredential::parse(&v).unwrap().issuer.as_deref(),
            Some("did:web:i.example")
        );
        // Unknown purposes beside a supported one are kept aside, not fatal.
        let mut v = base.clone();
        v["credentialSubject"]["statusPurpose"] =
            json!(["message", "revocation", "revocation", "refresh"]);
        let parsed = StatusListCredential::parse(&v).unwrap();
        assert_eq!(parsed.purposes, vec![StatusPurpose::Revocation]);
        assert_eq!(parsed.unsupported_purposes, vec!["message", "refresh"]);
    }

    #[test]
    fn random_allocation() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut list = list_with(&[]);
        let mut seen = BTreeSet::new();
        for _ in 0..1000 {
            let i = random_unused_index(&list, |i| seen.contains(&i), &mut rng).unwrap();
            assert!(seen.insert(i), "index {i} handed out twice");
        }
        // Spread over the whole list, not clustered at the start.
        assert!(seen.iter().any(|&i| i > (MIN_ENTRIES as u64) * 3 / 4));
        assert!(seen.iter().any(|&i| i < (MIN_ENTRIES as u64) / 4));

        // Nearly full: only two free indexes, one of them set in the list.
        for i in [17u64, 99_999] {
            seen.remove(&i);
        }
        list.set(17, true).unwrap();
        let all_but = |free: &'static [u64]| move |i: u64| !free.contains(&i);
        assert_eq!(
            random_unused_index(&list, all_but(&[17, 99_999]), &mut rng),
            Some(99_999)
        );
        assert_eq!(random_unused_index(&list, all_but(&[17]), &mut rng), None);
        assert_eq!(random_unused_index(&list, |_| true, &mut rng), None);
    }
}
