//! The body of a format 1 payload: one JSON value as a bit stream.
//!
//! The encoder and the decoder keep the same state as they go (the strings seen so far,
//! the last date, the last escaped character), so a string can be coded as a copy of
//! an earlier one, a date as a small step from the previous date, and so on. The
//! encoder chooses, for every value, the cheapest of the codings the format allows; the
//! decoder follows whatever it reads and checks every bound, so a corrupt body gives an
//! error or a different document, never a panic or an unbounded allocation.

// Exp-Golomb orders, one per kind of number. They were tuned on the reference IP
// certificate and are part of the format.
/// Array lengths and object member counts.
const K_COUNT: u32 = 2;
/// Non-negative integers and the magnitude of negative ones.
const K_INT: u32 = 5;
/// The step in days from the previous date.
const K_DAY: u32 = 6;
/// DIGITS strings (status list indexes are random numbers below 2^17 or so).
const K_DIGITS: u32 = 16;
/// Length of a BASE58 byte string.
const K_BYTES: u32 = 5;
/// Length of a literal run, minus one.
const K_RUN: u32 = 2;
/// Length of a copy, minus [`MIN_COPY`].
const K_COPY_LEN: u32 = 2;
/// Distance of a DOC copy, minus one.
const K_DISTANCE: u32 = 5;
/// Step from the previous escaped code point.
const K_ESCAPE: u32 = 6;

/// Shortest copy a TEXT string can make.
const MIN_COPY: usize = 3;
/// Longest BASE58 byte string (longer strings are TEXT). Keeps base58 rendering cheap.
const MAX_BASE58_BYTES: usize = 192;
/// The day the first date steps from: 2020-01-01, as days since 1970-01-01.
const FIRST_DAY: i64 = 18_262;
/// Days from 0001-01-01 (chrono's day 1) to 1970-01-01.
const UNIX_EPOCH_FROM_CE: i64 = 719_163;
/// Width of a shape number.
const SHAPE_BITS: u32 = 5;
/// Width of a [`KNOWN`](crate::compact::tables::KNOWN) index.
const KNOWN_BITS: u32 = 8;

/// The string forms (3 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::compact) enum Form {
    Text = 0,
    Known = 1,
    Repeat = 2,
    Date = 3,
    DateTime = 4,
    Uuid = 5,
    Base58 = 6,
    Digits = 7,
}

const FORMS: [Form; 8] = [
    Form::Text,
    Form::Known,
    Form::Repeat,
    Form::Date,
    Form::DateTime,
    Form::Uuid,
    Form::Base58,
    Form::Digits,
];

/// Generic value tags: (code, length in bits).
const TAG_STRING: (u64, u32) = (0b00, 2);
const TAG_OBJECT: (u64, u32) = (0b01, 2);
const TAG_ARRAY: (u64, u32) = (0b100, 3);
const TAG_UINT: (u64, u32) = (0b101, 3);
const TAG_NEGINT: (u64, u32) = (0b1100, 4);
const TAG_FLOAT: (u64, u32) = (0b1101, 4);
const TAG_NULL: (u64, u32) = (0b11100, 5);
const TAG_FALSE: (u64, u32) = (0b11101, 5);
const TAG_TRUE: (u64, u32) = (0b11110, 5);
const TAG_KNOWN: (u64, u32) = (0b11111, 5);

/// TEXT operations (2 bits).
const OP_LITERALS: u64 = 0;
const OP_DICT: u64 = 1;
const OP_DOC: u64 = 2;
const OP_END: u64 = 3;
const OP_BITS: u32 = 2;

/// BASE58 variants (2 bits): what surrounds the base58btc text.
const B58_MULTIBASE: u64 = 0; // "z" + b58
const B58_DID_KEY: u64 = 1; // "did:key:z" + b58
const B58_DID_KEY_FRAGMENT: u64 = 2; // "did:key:z" + b58 + "#z" + b58
const DID_KEY_PREFIX: &str = "did:key:z";

// One file a section; what the rest of `compact` uses is re-exported here, at the paths
// it had when the codec was one file.
mod decode;
mod encode;
mod forms;
mod statics;

pub(super) use decode::Decoder;
#[cfg(test)]
pub(super) use encode::write_literal;
pub(super) use encode::Encoder;
pub(super) use statics::units;
