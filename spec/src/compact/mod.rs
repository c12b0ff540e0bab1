//! The compact QR payload: a whole signed credential in a QR code small enough to scan
//! from a phone, so that it verifies offline (SPEC.md "QR codes").
//!
//! [`encode`] turns a credential (any JSON value) into bytes and [`decode`] rebuilds a
//! value equal to it as JSON (`serde_json::Value` equality; member order is irrelevant
//! because the signature covers the RFC 8785 canonical form). [`to_text`] and
//! [`to_url`] give the text a QR code carries; [`from_text`] reads either back.
//!
//! Why hand-written: a Probity IP certificate is about 2.6 KB of minified JSON-LD.
//! General-purpose compressors leave about 1 KB (deflate 1,144 bytes, brotli with its
//! built-in dictionary 1,021 bytes), and CBOR-based encodings keep every key and
//! context URL; a QR code of version 13 at error correction level M holds 323 bytes
//! as decimal digits. No crate encodes a JSON-LD credential that tightly, so this
//! module codes the JSON tree directly, with the vocabulary of Probity credentials
//! built in. It stays lossless for any JSON: what the tables do not predict is coded
//! generically, and every choice is checked at encode time by re-rendering the value.
//!
//! A decoder that meets a payload it does not understand either fails with a
//! [`CompactError`] or produces a different document, whose signature then fails to
//! verify. It never panics, allocates at most about [`MAX_BODY_BYTES`] plus
//! [`MAX_DECODED_UNITS`] worth of values, and recurses at most [`MAX_DEPTH`] levels.
//!
//! # Format 1
//!
//! ```text
//! payload  = header body
//! header   = 1 byte: high nibble = format version (1); low nibble = flags:
//!            bit 0 = body is raw DEFLATE (RFC 1951); bits 1-3 must be 0
//! body     = bit stream (most significant bit of each byte first) holding one
//!            value(root, no hint), then zero bits to the end of the byte.
//!            Nothing may follow it.
//! ```
//!
//! Unsigned integers use Exp-Golomb codes of order k, EG(k): with w = n + 2^k and
//! b = floor(log2 w), write b − k zero bits, then w in b + 1 bits. Signed steps are
//! zigzag-mapped first (0, −1, 1, −2… → 0, 1, 2, 3…).
//!
//! **Values.** In a slot with a hint (a shape member, an array or map element) a value
//! starts with one bit: 1 = coded as the hint says, 0 = a generic value follows. The
//! hints are: a constant (nothing more follows), a known value (8-bit index into the
//! known-value table), a string form (its payload follows, see below), an unsigned
//! integer (EG(5)), an object of a given shape, an array of hinted elements (count
//! EG(2), elements), a map of hinted values (count EG(2), then key string and value).
//! A generic value starts with a tag:
//!
//! | tag | value | then |
//! |---|---|---|
//! | `00` | string | form (3 bits) and its payload |
//! | `01` | object | shape number (5 bits; 0 = none: count EG(2), then key string and generic value per member) |
//! | `100` | array | count EG(2), generic values |
//! | `101` | integer ≥ 0 | EG(5) |
//! | `1100` | integer < 0 | EG(5) of −1 − n |
//! | `1101` | float | 64-bit IEEE 754 (finite) |
//! | `11100`, `11101`, `11110` | null, false, true | – |
//! | `11111` | known value | 8-bit index |
//!
//! An object of shape S: 1 bit "all of S's keys present", else one presence bit per
//! key; the present values in S's key order with S's hints; 1 bit "more members",
//! then count − 1 EG(0) and key string and generic value per member. Duplicate keys
//! are corrupt. A key string is a form (3 bits) and its payload.
//!
//! **Strings** (forms): 0 TEXT (operations below); 1 KNOWN (8-bit index of a string of
//! the known-value table); 2 REPEAT (index, in ceil(log2 n) bits, of one of the n
//! distinct strings produced so far); 3 DATE `YYYY-MM-DD` (EG(6) of the zigzag step in
//! days from the previous DATE or DATETIME, the first from 2020-01-01); 4 DATETIME
//! `YYYY-MM-DDTHH:MM:SSZ` (a DATE, then bit 0 = midnight or bit 1 and 17 bits of
//! seconds of the day); 5 UUID (1 bit: `urn:uuid:` prefix; 128 bits; lower-case
//! 8-4-4-4-12 hex); 6 BASE58 (2 bits: 0 `z`+b58, 1 `did:key:z`+b58,
//! 2 `did:key:z`+b58+`#z`+b58; byte count EG(5) ≤ 192; bytes); 7 DIGITS (EG(16) of a
//! decimal number written without leading zeros). A typed form is used only when
//! rendering its value gives back exactly the original string.
//!
//! Every string value and every coded key is added, the first time it appears, to the
//! list REPEAT indexes and to the *history*, the concatenation of those strings.
//! A TEXT string is a sequence of 2-bit operations: `00` literals (count − 1 EG(2),
//! then characters); `01` copy from the static text (11-bit position, length − 3 EG(2));
//! `10` copy from the history including the string's own characters so far
//! (distance − 1 EG(5), length − 3 EG(2); overlapping copies allowed); `11` end.
//! A literal is a symbol of a canonical prefix code chosen by the class of the previous
//! character of the string (none or space, lower-case, upper-case, digit, other); the
//! escape symbol is followed by EG(6) of the zigzag step from the previous escaped code
//! point (initially 0).
//!
//! The tables (known values, shapes, static text, code lengths) are in
//! `compact/tables.rs` and are fixed for format 1.
//!
//! # Text form
//!
//! `PB1:` followed by the payload as decimal digits: each group of 7 bytes, read as a
//! big-endian number, becomes 17 digits; a last group of k bytes becomes
//! 3, 5, 8, 10, 13 or 15 digits for k = 1…6. `PB1:` is in the QR alphanumeric set and
//! the digits use QR numeric mode (3.33 bits per digit, denser than base45 in
//! alphanumeric mode), and both are safe in a URL fragment, where base45's space and
//! `%` are not. A verifier link is `https://<verifier>/#PB1:<digits>`; the fragment
//! never reaches the server.

mod bits;
mod codec;
mod tables;

#[cfg(test)]
mod tests;

use std::fmt::Write as _;

use serde_json::Value;

use codec::{units, Decoder, Encoder};
use tables::Hint;

/// The prefix of the text form, and of the fragment of a verifier link.
pub const TEXT_PREFIX: &str = "PB1:";

/// The format version this module writes and reads (the high nibble of the header).
pub const FORMAT_VERSION: u8 = 1;

/// Header flag: the body is raw DEFLATE.
const FLAG_DEFLATE: u8 = 0x01;

/// The largest body, after decompression, that [`decode`] accepts (1 MiB).
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// The largest value [`decode`] builds, in size units: one per JSON value, plus the
/// UTF-8 length of each string, plus one and the length of each object key (1 Mi).
pub const MAX_DECODED_UNITS: usize = 1 << 20;

/// The deepest nesting of arrays and objects [`encode`] and [`decode`] accept.
pub const MAX_DEPTH: usize = 64;

/// Digits used by a group of k bytes (k = 0…7): ceil(8k · log10 2).
const GROUP_DIGITS: [usize; 8] = [0, 3, 5, 8, 10, 13, 15, 17];
const GROUP_BYTES: usize = 7;

/// Why a credential could not be encoded, or a payload could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CompactError {
    /// The text is not a Probity QR payload.
    #[error(
        "this is not a Probity QR payload: it should start with \"{TEXT_PREFIX}\" \
         or be a verifier link ending in \"#{TEXT_PREFIX}…\""
    )]
    WrongPrefix,
    /// The payload was written by a newer (or unknown) format version.
    #[error(
        "this QR payload uses format version {version}, which this version of Probity \
         cannot read (it reads version {FORMAT_VERSION}); update Probity"
    )]
    UnsupportedVersion {
        /// The version found.
        version: u8,
    },
    /// The text form says one format version and the payload's header another: the
    /// text was damaged or not made by Probity, not written by a newer version.
    #[error(
        "this is not a readable Probity QR payload: its text says format version \
         {text} but its data says {header}; the code is damaged, mistyped or was not \
         made by Probity"
    )]
    Garbled {
        /// The version the text prefix names.
        text: u8,
        /// The version the header byte holds.
        header: u8,
    },
    /// The header sets flags this version does not know.
    #[error(
        "this QR payload uses features (flags {flags:#04x}) this version of Probity \
         does not know; update Probity"
    )]
    UnsupportedFlags {
        /// The unknown flag bits.
        flags: u8,
    },
    /// The text holds a character that is not a decimal digit.
    #[error(
        "the QR payload has {found:?} at position {position} where only digits may \
         appear; the code may be damaged or mistyped, scan it again"
    )]
    NotADigit {
        /// Position of the character, counted in characters after the prefix.
        position: usize,
        /// The character found.
        found: char,
    },
    /// The number of digits cannot come from whole bytes.
    #[error(
        "the QR payload has {digits} digits, which is not a valid length; part of it \
         is missing, scan it again or copy the whole link"
    )]
    BadLength {
        /// The number of digits after the prefix.
        digits: usize,
    },
    /// A group of digits is larger than the bytes it stands for can be.
    #[error(
        "digit group {group} of the QR payload is out of range; the code is damaged \
         or mistyped, scan it again"
    )]
    GroupOutOfRange {
        /// The group's number, from 0.
        group: usize,
    },
    /// The payload ends before the credential does.
    #[error(
        "the QR payload is empty or ends early; the code or link was probably cut off, \
         scan it again or copy the whole link"
    )]
    Truncated,
    /// The payload does not follow the format.
    #[error(
        "the QR payload is damaged ({reason}); scan it again, or ask the holder for \
         the credential file"
    )]
    Corrupt {
        /// What was wrong, for diagnosis.
        reason: &'static str,
    },
    /// Bytes follow the end of the credential.
    #[error(
        "the QR payload has {count} unexpected byte(s) after the credential; it may \
         have been joined with other text, copy only the payload"
    )]
    TrailingBytes {
        /// How many bytes follow.
        count: usize,
    },
    /// The compressed body expands beyond the limit.
    #[error(
        "the QR payload expands to more than {limit} bytes, more than any credential \
         needs; it was not made by Probity"
    )]
    DecompressedTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The decoded credential would be larger than the limit.
    #[error(
        "the QR payload describes a document larger than {limit} size units, more \
         than any credential needs; it was not made by Probity"
    )]
    DecodedTooLarge {
        /// The limit in size units (about bytes of JSON).
        limit: usize,
    },
    /// Arrays and objects nest deeper than the limit.
    #[error(
        "the document nests arrays and objects deeper than {limit} levels, which the \
         QR format does not carry"
    )]
    NestingTooDeep {
        /// The limit.
        limit: usize,
    },
    /// The credential is too large to encode.
    #[error(
        "the credential is too large for the QR format ({size} bytes encoded, limit \
         {limit}); share the credential file instead"
    )]
    TooLarge {
        /// The encoded size in bytes (or size units, for the value itself).
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The verifier base URL given to [`to_url`] cannot carry a payload.
    #[error("the verifier address {url:?} cannot be used: {reason}")]
    BadVerifierUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl CompactError {
    fn corrupt(reason: &'static str) -> Self {
        CompactError::Corrupt { reason }
    }
}

/// Encodes a credential (or any JSON value) as a compact payload: a header byte and
/// the coded body.
///
/// Fails only for values [`decode`] would refuse to rebuild: nesting deeper than
/// [`MAX_DEPTH`], or more than [`MAX_DECODED_UNITS`] or [`MAX_BODY_BYTES`].
pub fn encode(credential: &Value) -> Result<Vec<u8>, CompactError> {
    let size = units(credential, 0)?;
    if size > MAX_DECODED_UNITS {
        return Err(CompactError::TooLarge {
            size,
            limit: MAX_DECODED_UNITS,
        });
    }
    let mut encoder = Encoder::new();
    encoder.value(credential, Hint::None);
    let body = encoder.finish();
    if body.len() > MAX_BODY_BYTES {
        return Err(CompactError::TooLarge {
            size: body.len(),
            limit: MAX_BODY_BYTES,
        });
    }
    let header = FORMAT_VERSION << 4;
    let mut out = Vec::with_capacity(body.len() + 1);
    // The body is already dense; DEFLATE only wins on large documents that repeat
    // structures the tables do not know. Keep whichever is smaller.
    match deflate(&body) {
        Some(compressed) => {
            out.push(header | FLAG_DEFLATE);
            out.extend_from_slice(&compressed);
        }
        None => {
            out.push(header);
            out.extend_from_slice(&body);
        }
    }
    Ok(out)
}

/// Decodes a compact payload back into the credential.
pub fn decode(bytes: &[u8]) -> Result<Value, CompactError> {
    let (&header, rest) = bytes.split_first().ok_or(CompactError::Truncated)?;
    let version = header >> 4;
    if version != FORMAT_VERSION {
        return Err(CompactError::UnsupportedVersion { version });
    }
    let flags = header & 0x0f;
    if flags & !FLAG_DEFLATE != 0 {
        return Err(CompactError::UnsupportedFlags {
            flags: flags & !FLAG_DEFLATE,
        });
    }
    let inflated;
    let body = if flags & FLAG_DEFLATE != 0 {
        inflated = inflate(rest)?;
        inflated.as_slice()
    } else {
        rest
    };
    let mut decoder = Decoder::new(body);
    let value = decoder.value(Hint::None, 0)?;
    decoder.finish()?;
    Ok(value)
}

/// Encodes a credential as QR text: [`TEXT_PREFIX`] and the payload in decimal digits.
pub fn to_text(credential: &Value) -> Result<String, CompactError> {
    let bytes = encode(credential)?;
    let mut text = String::with_capacity(TEXT_PREFIX.len() + bytes.len() * 17 / 7 + 17);
    text.push_str(TEXT_PREFIX);
    for group in bytes.chunks(GROUP_BYTES) {
        let value = group.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b));
        let width = GROUP_DIGITS.get(group.len()).copied().unwrap_or(17);
        // Writing to a String cannot fail.
        let _ = write!(text, "{value:0width$}");
    }
    Ok(text)
}

/// Encodes a credential as a verifier link, `<verifier>/#PB1:<digits>`. The payload
/// is in the fragment, which browsers never send to the server, and any phone camera
/// opens the link.
///
/// `verifier_base_url` is the verifier page, such as `https://verify.probity.network`;
/// a `/` is added when it has no path.
pub fn to_url(verifier_base_url: &str, credential: &Value) -> Result<String, CompactError> {
    let base = verifier_base_url.trim();
    let bad = |reason| CompactError::BadVerifierUrl {
        url: verifier_base_url.to_owned(),
        reason,
    };
    let Some((scheme, rest)) = base.split_once("://") else {
        return Err(bad(
            "it must start with https:// (or http:// for a local test)",
        ));
    };
    if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
        return Err(bad(
            "it must start with https:// (or http:// for a local test)",
        ));
    }
    if rest.is_empty() || rest.starts_with('/') {
        return Err(bad("it has no host name"));
    }
    if scheme.eq_ignore_ascii_case("http") && !is_loopback_authority(rest) {
        return Err(bad(
            "plain http:// is only for a verifier on this machine (localhost, 127.0.0.1, [::1]); use https://",
        ));
    }
    if base.contains('#') {
        return Err(bad("it already has a fragment (#), where the payload goes"));
    }
    if base.chars().any(char::is_whitespace) {
        return Err(bad("it contains spaces"));
    }
    let text = to_text(credential)?;
    let sep = if rest.contains(['/', '?']) { "#" } else { "/#" };
    Ok(format!("{base}{sep}{text}"))
}

/// Whether the host of `rest` (what follows `scheme://`) is a loopback address.
fn is_loopback_authority(rest: &str) -> bool {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    crate::net::is_loopback_host(crate::net::authority_host(authority))
}

/// The part of a text form or link that should be a payload: what follows the first
/// `#` when there is one, else the whole text, without surrounding white space.
fn payload_of(text: &str) -> &str {
    let text = text.trim();
    match text.split_once('#') {
        Some((_, fragment)) => fragment.trim(),
        None => text,
    }
}

/// Whether `text` looks like a text form or link of this format (its payload starts
/// with [`TEXT_PREFIX`], in any case), without decoding it: how a tool tells a payload
/// typed on its command line from a file name.
pub fn is_text(text: &str) -> bool {
    payload_of(text)
        .get(..TEXT_PREFIX.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(TEXT_PREFIX))
}

/// Decodes QR text: the bare payload (`PB1:…`) or a verifier link (`…#PB1:…`).
/// Surrounding white space is ignored, as is the case of the prefix.
pub fn from_text(text: &str) -> Result<Value, CompactError> {
    let payload = payload_of(text);
    let head = payload
        .get(..TEXT_PREFIX.len())
        .ok_or(CompactError::WrongPrefix)?;
    let digits = payload.get(TEXT_PREFIX.len()..).unwrap_or_default();
    let head = head.as_bytes();
    match head {
        [p, b, v, b':'] if p.eq_ignore_ascii_case(&b'P') && b.eq_ignore_ascii_case(&b'B') => {
            if !v.is_ascii_digit() {
                return Err(CompactError::WrongPrefix);
            }
            let version = v - b'0';
            if version != FORMAT_VERSION {
                return Err(CompactError::UnsupportedVersion { version });
            }
        }
        _ => return Err(CompactError::WrongPrefix),
    }
    let bytes = digits_to_bytes(digits)?;
    // The prefix already named the version; a header that disagrees is not a payload
    // from a newer Probity but noise (`PB1:123` is one byte, 0x7B, "version 7").
    if let Some(&header) = bytes.first() {
        if header >> 4 != FORMAT_VERSION {
            return Err(CompactError::Garbled {
                text: FORMAT_VERSION,
                header: header >> 4,
            });
        }
    }
    decode(&bytes)
}

/// Turns the digits of the text form back into bytes, checking every group.
fn digits_to_bytes(digits: &str) -> Result<Vec<u8>, CompactError> {
    if let Some((position, found)) = digits
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_digit())
    {
        return Err(CompactError::NotADigit { position, found });
    }
    let digits = digits.as_bytes();
    let full = GROUP_DIGITS[GROUP_BYTES];
    let last_bytes = GROUP_DIGITS
        .iter()
        .position(|&d| d == digits.len() % full)
        .ok_or(CompactError::BadLength {
            digits: digits.len(),
        })?;
    let mut bytes = Vec::with_capacity(digits.len() / full * GROUP_BYTES + last_bytes);
    for (group, chunk) in digits.chunks(full).enumerate() {
        let n = if chunk.len() == full {
            GROUP_BYTES
        } else {
            last_bytes
        };
        // At most 17 digits: fits in a u64.
        let value = chunk
            .iter()
            .fold(0u64, |v, &d| v * 10 + u64::from(d - b'0'));
        if n < 8 && value >> (8 * n) != 0 {
            return Err(CompactError::GroupOutOfRange { group });
        }
        for i in (0..n).rev() {
            bytes.push((value >> (8 * i)) as u8);
        }
    }
    Ok(bytes)
}

/// Raw DEFLATE at the best level; `None` unless strictly smaller than the input.
fn deflate(body: &[u8]) -> Option<Vec<u8>> {
    use flate2::{Compress, Compression, FlushCompress, Status};
    let mut compress = Compress::new(Compression::best(), false);
    let mut out = Vec::with_capacity(body.len());
    match compress.compress_vec(body, &mut out, FlushCompress::Finish) {
        Ok(Status::StreamEnd) if out.len() < body.len() => Some(out),
        _ => None,
    }
}

/// Inflates a raw DEFLATE body, refusing to grow past [`MAX_BODY_BYTES`] and refusing
/// data after the end of the stream.
fn inflate(input: &[u8]) -> Result<Vec<u8>, CompactError> {
    use flate2::{Decompress, FlushDecompress, Status};
    let too_large = CompactError::DecompressedTooLarge {
        limit: MAX_BODY_BYTES,
    };
    let mut decompress = Decompress::new(false);
    let mut out: Vec<u8> = Vec::with_capacity((input.len() * 4).clamp(64, MAX_BODY_BYTES));
    loop {
        if out.len() > MAX_BODY_BYTES {
            return Err(too_large);
        }
        if out.len() == out.capacity() {
            let room = MAX_BODY_BYTES + 1 - out.len();
            out.reserve(out.capacity().max(1024).min(room));
        }
        let consumed = usize::try_from(decompress.total_in()).unwrap_or(usize::MAX);
        let produced = out.len();
        let status = decompress
            .decompress_vec(
                input.get(consumed..).unwrap_or_default(),
                &mut out,
                FlushDecompress::None,
            )
            .map_err(|_| CompactError::corrupt("the compressed body is not valid DEFLATE"))?;
        match status {
            Status::StreamEnd => break,
            _ => {
                let progressed = usize::try_from(decompress.total_in()).unwrap_or(usize::MAX)
                    != consumed
                    || out.len() != produced;
                if !progressed && out.len() < out.capacity() {
                    return Err(CompactError::Truncated);
                }
            }
        }
    }
    if out.len() > MAX_BODY_BYTES {
        return Err(too_large);
    }
    let consumed = usize::try_from(decompress.total_in()).unwrap_or(usize::MAX);
    if consumed < input.len() {
        return Err(CompactError::TrailingBytes {
            count: input.len() - consumed,
        });
    }
    Ok(out)
}
