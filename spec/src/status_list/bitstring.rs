//! The bitstring: the list's bits and their compressed, encoded form.

use std::borrow::Cow;
use std::fmt;
use std::io::{Read, Write};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use super::{
    StatusListError, GZIP_BASE64URL_START, MAX_DECOMPRESSED_BYTES, MAX_ENTRIES, MIN_ENTRIES,
    MULTIBASE_BASE64URL,
};

/// A status list: one bit per credential, index 0 the most significant bit of byte 0
/// (§3.3 and the "Bitstring Encoding" section). Always between [`MIN_ENTRIES`] and
/// [`MAX_ENTRIES`] entries long, a multiple of 8.
///
/// Held sparsely while few bits are set: a verifier node holding the lists of a
/// thousand issuers would otherwise keep 16 KB per list, almost all zeros. Two lists
/// with the same bits are equal whichever form they are held in.
#[derive(Clone)]
pub struct BitstringStatusList {
    entries: usize,
    bits: Bits,
}

/// The bits, in whichever form is smaller.
#[derive(Clone)]
enum Bits {
    /// The indexes set, ascending; used while they take less room than the bytes.
    Sparse(Vec<u32>),
    /// One bit per entry.
    Dense(Box<[u8]>),
}

impl PartialEq for BitstringStatusList {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries && self.set_indexes().eq(other.set_indexes())
    }
}

impl Eq for BitstringStatusList {}

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
            entries,
            bits: Bits::Sparse(Vec::new()),
        })
    }

    /// Most indexes held sparsely: beyond this, the bytes take less room.
    fn sparse_limit(&self) -> usize {
        self.entries / 8 / std::mem::size_of::<u32>()
    }

    /// The list in its smaller form, from its bytes.
    fn from_bytes(bytes: Vec<u8>) -> Self {
        let entries = bytes.len() * 8;
        let mut list = Self {
            entries,
            bits: Bits::Dense(bytes.into_boxed_slice()),
        };
        let set = list.set_indexes().take(list.sparse_limit() + 1).count();
        if set <= list.sparse_limit() {
            // MAX_ENTRIES (2^24) fits in u32.
            let indexes = list.set_indexes().map(|i| i as u32).collect();
            list.bits = Bits::Sparse(indexes);
        }
        list
    }

    /// The number of entries (bits).
    pub fn len(&self) -> usize {
        self.entries
    }

    /// Always false: a list has at least [`MIN_ENTRIES`] entries.
    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// The uncompressed bytes, index 0 in the most significant bit of the first byte.
    pub fn to_bytes(&self) -> Cow<'_, [u8]> {
        match &self.bits {
            Bits::Dense(bytes) => Cow::Borrowed(bytes),
            Bits::Sparse(indexes) => {
                let mut bytes = vec![0u8; self.entries / 8];
                for &i in indexes {
                    bytes[i as usize / 8] |= 0x80 >> (i % 8);
                }
                Cow::Owned(bytes)
            }
        }
    }

    /// The index as a position in the list, or the out-of-range error.
    fn locate(&self, index: u64) -> Result<usize, StatusListError> {
        let out_of_range = StatusListError::IndexOutOfRange {
            index,
            len: self.len(),
        };
        let i = usize::try_from(index).map_err(|_| out_of_range.clone())?;
        if i >= self.len() {
            return Err(out_of_range);
        }
        Ok(i)
    }

    /// The bit at `index`: `true` means revoked or suspended, depending on the list's
    /// purpose. An index at or past [`len`](Self::len) is an error.
    pub fn get(&self, index: u64) -> Result<bool, StatusListError> {
        let i = self.locate(index)?;
        Ok(match &self.bits {
            // Index 0 is the left-most bit (§3.3, "Bitstring Encoding"): the MSB of byte 0.
            Bits::Dense(bytes) => bytes[i / 8] & (0x80 >> (i % 8)) != 0,
            Bits::Sparse(indexes) => indexes.binary_search(&(i as u32)).is_ok(),
        })
    }

    /// Sets the bit at `index` to `value`. An index at or past [`len`](Self::len) is an
    /// error and changes nothing.
    pub fn set(&mut self, index: u64, value: bool) -> Result<(), StatusListError> {
        let i = self.locate(index)?;
        let limit = self.sparse_limit();
        match &mut self.bits {
            Bits::Dense(bytes) => {
                let mask = 0x80 >> (i % 8);
                if value {
                    bytes[i / 8] |= mask;
                } else {
                    bytes[i / 8] &= !mask;
                }
            }
            Bits::Sparse(indexes) => match (indexes.binary_search(&(i as u32)), value) {
                (Err(at), true) => {
                    indexes.insert(at, i as u32);
                    if indexes.len() > limit {
                        self.bits = Bits::Dense(self.to_bytes().into_owned().into_boxed_slice());
                    }
                }
                (Ok(at), false) => {
                    indexes.remove(at);
                }
                _ => {}
            },
        }
        Ok(())
    }

    /// The indexes whose bit is 1, in ascending order.
    pub fn set_indexes(&self) -> impl Iterator<Item = u64> + '_ {
        let (dense, sparse) = match &self.bits {
            Bits::Dense(bytes) => (Some(bytes), None),
            Bits::Sparse(indexes) => (None, Some(indexes)),
        };
        let dense = dense.into_iter().flat_map(|bytes| {
            bytes
                .iter()
                .enumerate()
                .filter(|(_, byte)| **byte != 0)
                .flat_map(|(i, byte)| {
                    (0..8u8)
                        .filter(move |bit| byte & (0x80 >> bit) != 0)
                        .map(move |bit| (i as u64) * 8 + u64::from(bit))
                })
        });
        let sparse = sparse
            .into_iter()
            .flat_map(|indexes| indexes.iter().map(|&i| u64::from(i)));
        dense.chain(sparse)
    }

    /// The `encodedList` value (§3.3 Bitstring Generation Algorithm): GZIP (RFC 1952),
    /// then base64url without padding, with the multibase prefix `u`.
    ///
    /// Probity always writes the `u` prefix. The GZIP header has modification time 0
    /// and operating system 3 (Unix), as in the specification's example, so the same
    /// bits always give the same text.
    pub fn encode(&self) -> String {
        let bytes = self.to_bytes();
        let compressed = gzip(&bytes).unwrap_or_else(|_| gzip_stored(&bytes));
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
        Ok(Self::from_bytes(bits))
    }
}

/// GZIP with a fixed header: no name, modification time 0, OS 3 (Unix).
pub(super) fn gzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
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
pub(super) fn gzip_stored(data: &[u8]) -> Vec<u8> {
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
