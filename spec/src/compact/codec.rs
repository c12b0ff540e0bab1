//! The body of a format 1 payload: one JSON value as a bit stream.
//!
//! The encoder and the decoder keep the same state as they go (the strings seen so far,
//! the last date, the last escaped character), so a string can be coded as a copy of
//! an earlier one, a date as a small step from the previous date, and so on. The
//! encoder chooses, for every value, the cheapest of the codings the format allows; the
//! decoder follows whatever it reads and checks every bound, so a corrupt body gives an
//! error or a different document, never a panic or an unbounded allocation.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde_json::{Map, Number, Value};

use super::bits::{exp_golomb_len, index_bits, unzigzag, zigzag, BitReader, BitWriter};
use super::tables::{
    Hint, Known, ACCENTED, ACCENTED_LOWER, KNOWN, LITERAL_LENGTHS, LITERAL_SYMBOLS, SHAPES,
    STATIC_POSITION_BITS, STATIC_TEXT,
};
use super::{CompactError, MAX_DECODED_UNITS, MAX_DEPTH};

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
/// Width of a [`KNOWN`] index.
const KNOWN_BITS: u32 = 8;

/// The string forms (3 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Form {
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

// ---------------------------------------------------------------------------------
// Fixed tables built once.

/// A canonical prefix code built from code lengths (as in RFC 1951 §3.2.2).
#[derive(Debug)]
struct PrefixCode {
    /// (code, length) of each symbol.
    codes: Vec<(u32, u8)>,
    /// For each length: the first code, the number of codes, and where their symbols
    /// start in `sorted`.
    first: [u32; 16],
    count: [u32; 16],
    offset: [u32; 16],
    /// Symbols ordered by (length, symbol).
    sorted: Vec<u16>,
}

impl PrefixCode {
    fn from_lengths(lengths: &[u8]) -> PrefixCode {
        let mut count = [0u32; 16];
        for &l in lengths {
            if let Some(c) = count.get_mut(usize::from(l)) {
                *c += 1;
            }
        }
        count[0] = 0;
        let mut first = [0u32; 16];
        let mut offset = [0u32; 16];
        let mut code = 0u32;
        let mut off = 0u32;
        for len in 1..16 {
            code = (code + count[len - 1]) << 1;
            first[len] = code;
            offset[len] = off;
            off += count[len];
        }
        let mut next = first;
        let mut codes = vec![(0u32, 0u8); lengths.len()];
        let mut sorted = vec![0u16; off as usize];
        for (sym, &l) in lengths.iter().enumerate() {
            let l = usize::from(l);
            if l == 0 || l >= 16 {
                continue;
            }
            if let (Some(slot), Some(c)) = (codes.get_mut(sym), next.get_mut(l)) {
                *slot = (*c, l as u8);
                if let Some(s) = sorted.get_mut((offset[l] + *c - first[l]) as usize) {
                    *s = sym as u16;
                }
                *c += 1;
            }
        }
        PrefixCode {
            codes,
            first,
            count,
            offset,
            sorted,
        }
    }

    fn len(&self, sym: usize) -> usize {
        self.codes.get(sym).map_or(32, |&(_, l)| usize::from(l))
    }

    fn write(&self, w: &mut BitWriter, sym: usize) {
        if let Some(&(code, len)) = self.codes.get(sym) {
            w.bits(u64::from(code), u32::from(len));
        }
    }

    fn read(&self, r: &mut BitReader<'_>) -> Result<usize, CompactError> {
        let mut code = 0u32;
        for len in 1..16 {
            code = (code << 1) | u32::from(r.bit()?);
            let index = code.wrapping_sub(self.first[len]);
            if code >= self.first[len] && index < self.count[len] {
                return self
                    .sorted
                    .get((self.offset[len] + index) as usize)
                    .map(|&s| usize::from(s))
                    .ok_or(CompactError::corrupt(
                        "a character code is not in the table",
                    ));
            }
        }
        Err(CompactError::corrupt(
            "a character code is not in the table",
        ))
    }
}

struct Statics {
    text: Vec<char>,
    /// Positions of each three-character sequence of `text`.
    trigrams: HashMap<[char; 3], Vec<u32>>,
    /// Index of each string of [`KNOWN`].
    known_strings: HashMap<&'static str, u8>,
    /// Literal codes, one per context.
    literal: [PrefixCode; 5],
    /// Symbol of each letter of [`ACCENTED`].
    accented: HashMap<char, usize>,
    accented_chars: Vec<char>,
}

fn statics() -> &'static Statics {
    static STATICS: OnceLock<Statics> = OnceLock::new();
    STATICS.get_or_init(|| {
        let text: Vec<char> = STATIC_TEXT.chars().collect();
        let mut trigrams: HashMap<[char; 3], Vec<u32>> = HashMap::new();
        for (p, w) in text.windows(3).enumerate() {
            if let [a, b, c] = *w {
                trigrams.entry([a, b, c]).or_default().push(p as u32);
            }
        }
        let mut known_strings = HashMap::new();
        for (i, k) in KNOWN.iter().enumerate() {
            if let Known::Str(s) = k {
                known_strings.entry(*s).or_insert(i as u8);
            }
        }
        let accented_chars: Vec<char> = ACCENTED.chars().collect();
        let accented = accented_chars
            .iter()
            .enumerate()
            .map(|(i, &c)| (c, 95 + i))
            .collect();
        Statics {
            text,
            trigrams,
            known_strings,
            literal: LITERAL_LENGTHS.map(|l| PrefixCode::from_lengths(&l)),
            accented,
            accented_chars,
        }
    })
}

/// The escape symbol: the character follows as a step from the previous escaped one.
const ESCAPE: usize = LITERAL_SYMBOLS - 1;

fn symbol_of(c: char) -> usize {
    match c {
        ' '..='~' => c as usize - 0x20,
        _ => statics().accented.get(&c).copied().unwrap_or(ESCAPE),
    }
}

fn char_of(sym: usize) -> Option<char> {
    if sym < 95 {
        char::from_u32(sym as u32 + 0x20)
    } else {
        statics().accented_chars.get(sym - 95).copied()
    }
}

/// The literal context a character sets for the next one.
fn context_after(prev: Option<char>) -> usize {
    match prev {
        None | Some(' ') => 0,
        Some('a'..='z') => 1,
        Some('A'..='Z') => 2,
        Some('0'..='9') => 3,
        Some(c) => match statics().accented.get(&c) {
            Some(&sym) if sym - 95 < ACCENTED_LOWER => 1,
            Some(_) => 2,
            None => 4,
        },
    }
}

fn literal_code(prev: Option<char>) -> &'static PrefixCode {
    let codes = &statics().literal;
    match context_after(prev) {
        0 => &codes[0],
        1 => &codes[1],
        2 => &codes[2],
        3 => &codes[3],
        _ => &codes[4],
    }
}

fn known_matches(k: &Known, v: &Value) -> bool {
    match (k, v) {
        (Known::Str(s), Value::String(t)) => s == t,
        (Known::Strs(list), Value::Array(items)) => {
            list.len() == items.len()
                && list
                    .iter()
                    .zip(items)
                    .all(|(s, item)| item.as_str() == Some(*s))
        }
        _ => false,
    }
}

fn known_value(k: &Known) -> Value {
    match k {
        Known::Str(s) => Value::String((*s).to_owned()),
        Known::Strs(list) => Value::Array(
            list.iter()
                .map(|s| Value::String((*s).to_owned()))
                .collect(),
        ),
    }
}

/// Size units of a known value (see [`units`]).
fn known_units(k: &Known) -> usize {
    match k {
        Known::Str(s) => 1 + s.len(),
        Known::Strs(list) => 1 + list.iter().map(|s| 1 + s.len()).sum::<usize>(),
    }
}

fn known_index(v: &Value) -> Option<u8> {
    match v {
        Value::String(s) => statics().known_strings.get(s.as_str()).copied(),
        Value::Array(_) => KNOWN
            .iter()
            .position(|k| matches!(k, Known::Strs(_)) && known_matches(k, v))
            .map(|i| i as u8),
        _ => None,
    }
}

fn shape(number: u8) -> Option<&'static [(&'static str, Hint)]> {
    SHAPES.get(usize::from(number).checked_sub(1)?).copied()
}

/// The decoded size of a value, in the units the decoder's budget counts: one per
/// value, plus the UTF-8 length of each string, plus one and the length of each key.
/// Fails when nesting goes deeper than [`MAX_DEPTH`].
pub(super) fn units(v: &Value, depth: usize) -> Result<usize, CompactError> {
    Ok(match v {
        Value::String(s) => 1 + s.len(),
        Value::Array(items) => {
            if depth >= MAX_DEPTH {
                return Err(CompactError::NestingTooDeep { limit: MAX_DEPTH });
            }
            let mut total = 1usize;
            for item in items {
                total = total.saturating_add(units(item, depth + 1)?);
            }
            total
        }
        Value::Object(map) => {
            if depth >= MAX_DEPTH {
                return Err(CompactError::NestingTooDeep { limit: MAX_DEPTH });
            }
            let mut total = 1usize;
            for (k, item) in map {
                total = total
                    .saturating_add(1 + k.len())
                    .saturating_add(units(item, depth + 1)?);
            }
            total
        }
        _ => 1,
    })
}

// ---------------------------------------------------------------------------------
// Typed string forms: each parser accepts a string only when rendering the parsed
// value gives back exactly the same string.

fn date_string(day: i64) -> Option<String> {
    let ce = i32::try_from(day.checked_add(UNIX_EPOCH_FROM_CE)?).ok()?;
    NaiveDate::from_num_days_from_ce_opt(ce).map(|d| d.format("%Y-%m-%d").to_string())
}

fn parse_date(s: &str) -> Option<i64> {
    if s.len() != 10 {
        return None;
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let day = i64::from(d.num_days_from_ce()) - UNIX_EPOCH_FROM_CE;
    (date_string(day)? == s).then_some(day)
}

fn datetime_string(day: i64, secs: u32) -> Option<String> {
    Some(format!(
        "{}T{:02}:{:02}:{:02}Z",
        date_string(day)?,
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    ))
}

fn parse_datetime(s: &str) -> Option<(i64, u32)> {
    if s.len() != 20 || !s.ends_with('Z') || s.get(10..11) != Some("T") {
        return None;
    }
    let day = parse_date(s.get(..10)?)?;
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let t = s.get(r)?;
        if t.bytes().all(|b| b.is_ascii_digit()) {
            t.parse().ok()
        } else {
            None
        }
    };
    let (h, m, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h >= 24 || m >= 60 || sec >= 60 {
        return None;
    }
    let secs = h * 3600 + m * 60 + sec;
    (datetime_string(day, secs)? == s).then_some((day, secs))
}

const URN_UUID: &str = "urn:uuid:";

fn uuid_string(urn: bool, value: u128) -> String {
    let hex = format!("{value:032x}");
    let part = |r: std::ops::Range<usize>| hex.get(r).unwrap_or_default().to_owned();
    format!(
        "{}{}-{}-{}-{}-{}",
        if urn { URN_UUID } else { "" },
        part(0..8),
        part(8..12),
        part(12..16),
        part(16..20),
        part(20..32)
    )
}

fn parse_uuid(s: &str) -> Option<(bool, u128)> {
    let (urn, body) = match s.strip_prefix(URN_UUID) {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    if body.len() != 36 {
        return None;
    }
    let mut value = 0u128;
    for (i, b) in body.bytes().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if b != b'-' {
                return None;
            }
            continue;
        }
        let nibble = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            _ => return None,
        };
        value = (value << 4) | u128::from(nibble);
    }
    (uuid_string(urn, value) == s).then_some((urn, value))
}

fn base58_string(variant: u64, bytes: &[u8]) -> Option<String> {
    let b58 = bs58::encode(bytes).into_string();
    match variant {
        B58_MULTIBASE => Some(format!("z{b58}")),
        B58_DID_KEY => Some(format!("{DID_KEY_PREFIX}{b58}")),
        B58_DID_KEY_FRAGMENT => Some(format!("{DID_KEY_PREFIX}{b58}#z{b58}")),
        _ => None,
    }
}

fn parse_base58(s: &str) -> Option<(u64, Vec<u8>)> {
    let (variant, b58) = if let Some(rest) = s.strip_prefix(DID_KEY_PREFIX) {
        match rest.split_once("#z") {
            Some((a, b)) if a == b => (B58_DID_KEY_FRAGMENT, a),
            _ => (B58_DID_KEY, rest),
        }
    } else {
        (B58_MULTIBASE, s.strip_prefix('z')?)
    };
    // Base58 decoding is quadratic; real keys and signatures are far below this.
    if b58.len() > 2 * MAX_BASE58_BYTES {
        return None;
    }
    let bytes = bs58::decode(b58).into_vec().ok()?;
    if bytes.len() > MAX_BASE58_BYTES {
        return None;
    }
    (base58_string(variant, &bytes)? == s).then_some((variant, bytes))
}

fn parse_digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: u64 = s.parse().ok()?;
    (v.to_string() == s).then_some(v)
}

// ---------------------------------------------------------------------------------
// Encoder

#[derive(Debug, Clone, Copy)]
enum Op {
    /// Literal characters `start..end` of the string.
    Literals(usize, usize),
    /// Copy `len` characters of the static text from `pos`.
    Dict(usize, usize),
    /// Copy `len` characters from `distance` back in the document history.
    Doc(usize, usize),
}

/// How a string can be coded, with the cost in bits of each form (after the form code).
struct StringPlan {
    cost: [Option<usize>; 8],
    ops: Vec<Op>,
    known: u8,
    repeat: usize,
    day: i64,
    secs: u32,
    uuid: (bool, u128),
    base58: (u64, Vec<u8>),
    digits: u64,
}

impl StringPlan {
    fn cost(&self, form: Form) -> Option<usize> {
        self.cost.get(form as usize).copied().flatten()
    }

    /// The cheapest form (ties go to the lower form number).
    fn best(&self) -> (Form, usize) {
        let mut best = (Form::Text, usize::MAX);
        for form in FORMS {
            if let Some(c) = self.cost(form) {
                if c < best.1 {
                    best = (form, c);
                }
            }
        }
        best
    }
}

pub(super) struct Encoder {
    w: BitWriter,
    /// Each distinct string coded so far, with its index.
    distinct: HashMap<String, usize>,
    /// The document history: every distinct string, concatenated.
    history: Vec<char>,
    history_trigrams: HashMap<[char; 3], Vec<u32>>,
    prev_day: i64,
    last_escape: u32,
    /// Bits spent on each string, for the size tests.
    #[cfg(test)]
    pub(super) trace: Vec<(String, Form, usize)>,
}

impl Encoder {
    pub(super) fn new() -> Self {
        Encoder {
            w: BitWriter::default(),
            distinct: HashMap::new(),
            history: Vec::new(),
            history_trigrams: HashMap::new(),
            prev_day: FIRST_DAY,
            last_escape: 0,
            #[cfg(test)]
            trace: Vec::new(),
        }
    }

    pub(super) fn finish(self) -> Vec<u8> {
        self.w.into_bytes()
    }

    /// Bits written so far.
    #[cfg(test)]
    pub(super) fn bits_written(&self) -> usize {
        self.w.len()
    }

    fn tag(&mut self, (code, len): (u64, u32)) {
        self.w.bits(code, len);
    }

    /// Codes `v` in a slot with hint `hint`.
    pub(super) fn value(&mut self, v: &Value, hint: Hint) {
        if hint != Hint::None {
            if self.try_hint(v, hint) {
                return;
            }
            self.w.bit(false);
        }
        self.generic(v);
    }

    /// Codes `v` as the hint says (writing the leading 1 bit) if that is the better
    /// choice; returns false, having written nothing, otherwise.
    fn try_hint(&mut self, v: &Value, hint: Hint) -> bool {
        match (hint, v) {
            (Hint::Const(k), _) if known_matches(&k, v) => {
                self.w.bit(true);
                if let Value::String(s) = v {
                    self.register(s);
                }
                true
            }
            (Hint::OneOf(list), _) => match list.iter().position(|k| known_matches(k, v)) {
                Some(i) => {
                    self.w.bit(true);
                    self.w.bits(i as u64, index_bits(list.len()));
                    if let Value::String(s) = v {
                        self.register(s);
                    }
                    true
                }
                None => false,
            },
            (Hint::Known, _) => match known_index(v) {
                Some(i) => {
                    self.w.bit(true);
                    self.w.bits(u64::from(i), KNOWN_BITS);
                    if let Value::String(s) = v {
                        self.register(s);
                    }
                    true
                }
                None => false,
            },
            (
                Hint::Text | Hint::Date | Hint::DateTime | Hint::Uuid | Hint::Base58 | Hint::Digits,
                Value::String(s),
            ) => {
                let form = match hint {
                    Hint::Date => Form::Date,
                    Hint::DateTime => Form::DateTime,
                    Hint::Uuid => Form::Uuid,
                    Hint::Base58 => Form::Base58,
                    Hint::Digits => Form::Digits,
                    _ => Form::Text,
                };
                let plan = self.plan_string(s);
                let (_, best) = plan.best();
                match plan.cost(form) {
                    Some(c) if c <= best.saturating_add(5) => {
                        self.w.bit(true);
                        self.write_form(s, &plan, form);
                        true
                    }
                    _ => false,
                }
            }
            (Hint::Uint, Value::Number(n)) => match n.as_u64() {
                Some(u) => {
                    self.w.bit(true);
                    self.w.exp_golomb(u, K_INT);
                    true
                }
                None => false,
            },
            (Hint::Obj(number), Value::Object(map)) => {
                let Some(keys) = shape(number) else {
                    return false;
                };
                let (_, best) = self.choose_shape(map);
                if shape_cost(map, keys) <= best.saturating_add(7) {
                    self.w.bit(true);
                    self.shaped(map, keys);
                    true
                } else {
                    false
                }
            }
            (Hint::Arr(item), Value::Array(items)) if known_index(v).is_none() => {
                self.w.bit(true);
                self.w.exp_golomb(items.len() as u64, K_COUNT);
                for x in items {
                    self.value(x, *item);
                }
                true
            }
            (Hint::Map(item), Value::Object(map)) => {
                self.w.bit(true);
                self.members(map, *item);
                true
            }
            _ => false,
        }
    }

    fn generic(&mut self, v: &Value) {
        if let Some(i) = known_index(v).filter(|_| !v.is_string()) {
            self.tag(TAG_KNOWN);
            self.w.bits(u64::from(i), KNOWN_BITS);
            return;
        }
        match v {
            Value::Null => self.tag(TAG_NULL),
            Value::Bool(false) => self.tag(TAG_FALSE),
            Value::Bool(true) => self.tag(TAG_TRUE),
            Value::Number(n) => self.number(n),
            Value::String(s) => {
                self.tag(TAG_STRING);
                self.string(s);
            }
            Value::Array(items) => {
                self.tag(TAG_ARRAY);
                self.w.exp_golomb(items.len() as u64, K_COUNT);
                for x in items {
                    self.generic(x);
                }
            }
            Value::Object(map) => {
                self.tag(TAG_OBJECT);
                let (number, _) = self.choose_shape(map);
                self.w.bits(u64::from(number), SHAPE_BITS);
                match shape(number) {
                    Some(keys) => self.shaped(map, keys),
                    None => self.members(map, Hint::None),
                }
            }
        }
    }

    fn number(&mut self, n: &Number) {
        if let Some(u) = n.as_u64() {
            self.tag(TAG_UINT);
            self.w.exp_golomb(u, K_INT);
        } else if let Some(i) = n.as_i64() {
            // Negative: code -1 - i, which is ≥ 0 and cannot overflow.
            self.tag(TAG_NEGINT);
            self.w.exp_golomb((-1 - i) as u64, K_INT);
        } else {
            self.tag(TAG_FLOAT);
            self.w.bits(n.as_f64().unwrap_or(0.0).to_bits(), 64);
        }
    }

    /// Picks the shape for an object outside a hinted slot: the cheapest by a
    /// structural estimate, or 0 (members one by one).
    fn choose_shape(&self, map: &Map<String, Value>) -> (u8, usize) {
        let mut best = (0u8, generic_members_cost(map));
        for (i, keys) in SHAPES.iter().enumerate() {
            if keys.iter().any(|(k, _)| map.contains_key(*k)) {
                let c = shape_cost(map, keys);
                if c < best.1 {
                    best = ((i + 1) as u8, c);
                }
            }
        }
        best
    }

    fn shaped(&mut self, map: &Map<String, Value>, keys: &[(&str, Hint)]) {
        let all = keys.iter().all(|(k, _)| map.contains_key(*k));
        self.w.bit(all);
        if !all {
            for (k, _) in keys {
                self.w.bit(map.contains_key(*k));
            }
        }
        for (k, hint) in keys {
            if let Some(v) = map.get(*k) {
                self.value(v, *hint);
            }
        }
        let extras: Vec<(&String, &Value)> = map
            .iter()
            .filter(|(k, _)| !keys.iter().any(|(s, _)| s == k))
            .collect();
        self.w.bit(!extras.is_empty());
        if !extras.is_empty() {
            self.w.exp_golomb(extras.len() as u64 - 1, 0);
            for (k, v) in extras {
                self.string(k);
                self.generic(v);
            }
        }
    }

    fn members(&mut self, map: &Map<String, Value>, hint: Hint) {
        self.w.exp_golomb(map.len() as u64, K_COUNT);
        for (k, v) in map {
            self.string(k);
            self.value(v, hint);
        }
    }

    /// Codes a string in its cheapest form, with the 3-bit form code.
    fn string(&mut self, s: &str) {
        let plan = self.plan_string(s);
        let (form, _) = plan.best();
        self.w.bits(form as u64, 3);
        self.write_form(s, &plan, form);
    }

    fn plan_string(&self, s: &str) -> StringPlan {
        let (ops, text_cost) = self.plan_text(s);
        let mut plan = StringPlan {
            cost: [None; 8],
            ops,
            known: 0,
            repeat: 0,
            day: 0,
            secs: 0,
            uuid: (false, 0),
            base58: (0, Vec::new()),
            digits: 0,
        };
        plan.cost[Form::Text as usize] = Some(text_cost);
        if let Some(&i) = statics().known_strings.get(s) {
            plan.known = i;
            plan.cost[Form::Known as usize] = Some(KNOWN_BITS as usize);
        }
        if let Some(&i) = self.distinct.get(s) {
            plan.repeat = i;
            plan.cost[Form::Repeat as usize] = Some(index_bits(self.distinct.len()) as usize);
        }
        if let Some(day) = parse_date(s) {
            plan.day = day;
            plan.cost[Form::Date as usize] =
                Some(exp_golomb_len(zigzag(day - self.prev_day), K_DAY));
        } else if let Some((day, secs)) = parse_datetime(s) {
            plan.day = day;
            plan.secs = secs;
            plan.cost[Form::DateTime as usize] = Some(
                exp_golomb_len(zigzag(day - self.prev_day), K_DAY) + if secs == 0 { 1 } else { 18 },
            );
        }
        if let Some(u) = parse_uuid(s) {
            plan.uuid = u;
            plan.cost[Form::Uuid as usize] = Some(129);
        }
        if let Some((variant, bytes)) = parse_base58(s) {
            plan.cost[Form::Base58 as usize] =
                Some(2 + exp_golomb_len(bytes.len() as u64, K_BYTES) + 8 * bytes.len());
            plan.base58 = (variant, bytes);
        }
        if let Some(d) = parse_digits(s) {
            plan.digits = d;
            plan.cost[Form::Digits as usize] = Some(exp_golomb_len(d, K_DIGITS));
        }
        plan
    }

    fn write_form(&mut self, s: &str, plan: &StringPlan, form: Form) {
        #[cfg(test)]
        let start = self.w.len();
        match form {
            Form::Text => self.write_text(s, &plan.ops),
            Form::Known => self.w.bits(u64::from(plan.known), KNOWN_BITS),
            Form::Repeat => self
                .w
                .bits(plan.repeat as u64, index_bits(self.distinct.len())),
            Form::Date | Form::DateTime => {
                self.w.exp_golomb(zigzag(plan.day - self.prev_day), K_DAY);
                self.prev_day = plan.day;
                if form == Form::DateTime {
                    self.w.bit(plan.secs != 0);
                    if plan.secs != 0 {
                        self.w.bits(u64::from(plan.secs), 17);
                    }
                }
            }
            Form::Uuid => {
                self.w.bit(plan.uuid.0);
                self.w.bits((plan.uuid.1 >> 64) as u64, 64);
                self.w.bits(plan.uuid.1 as u64, 64);
            }
            Form::Base58 => {
                let (variant, bytes) = &plan.base58;
                self.w.bits(*variant, 2);
                self.w.exp_golomb(bytes.len() as u64, K_BYTES);
                for &b in bytes {
                    self.w.bits(u64::from(b), 8);
                }
            }
            Form::Digits => self.w.exp_golomb(plan.digits, K_DIGITS),
        }
        #[cfg(test)]
        self.trace.push((s.to_owned(), form, self.w.len() - start));
        self.register(s);
    }

    /// Records a string the decoder will have produced: new strings join the list that
    /// REPEAT indexes and the history that DOC copies from.
    fn register(&mut self, s: &str) {
        if self.distinct.contains_key(s) {
            return;
        }
        self.distinct.insert(s.to_owned(), self.distinct.len());
        let start = self.history.len();
        self.history.extend(s.chars());
        let from = start.saturating_sub(2);
        for p in from..self.history.len().saturating_sub(2) {
            if let Some(&[a, b, c]) = self.history.get(p..p + 3) {
                self.history_trigrams
                    .entry([a, b, c])
                    .or_default()
                    .push(p as u32);
            }
        }
    }

    /// Cost in bits of one literal, updating the escape state as the decoder would.
    fn literal_cost(c: char, prev: Option<char>, last_escape: &mut u32) -> usize {
        let sym = symbol_of(c);
        let mut cost = literal_code(prev).len(sym);
        if sym == ESCAPE {
            let step = i64::from(c as u32) - i64::from(*last_escape);
            cost += exp_golomb_len(zigzag(step), K_ESCAPE);
            *last_escape = c as u32;
        }
        cost
    }

    /// Finds the cheapest sequence of TEXT operations for `s`: a shortest path over
    /// (position, "last operation was a literal run") with literal runs and copies as
    /// edges. Returns the operations and their cost in bits, END included.
    fn plan_text(&self, s: &str) -> (Vec<Op>, usize) {
        const AFTER_COPY: usize = 0;
        const AFTER_LITERALS: usize = 1;
        let st = statics();
        let chars: Vec<char> = s.chars().collect();
        let n = chars.len();
        let h = self.history.len();
        let at = |q: usize| -> Option<char> {
            if q < h {
                self.history.get(q).copied()
            } else {
                chars.get(q - h).copied()
            }
        };
        // Literal costs are fixed by the string (the context is the previous character
        // of the string, however it was coded); escapes are estimated as if every
        // character were a literal.
        let mut prefix = Vec::with_capacity(n + 1);
        prefix.push(0usize);
        let mut last_escape = self.last_escape;
        let mut prev = None;
        for &c in &chars {
            let c_cost = Self::literal_cost(c, prev, &mut last_escape);
            prefix.push(prefix.last().copied().unwrap_or(0) + c_cost);
            prev = Some(c);
        }
        let lit = |a: usize, b: usize| -> usize {
            prefix.get(b).copied().unwrap_or(0) - prefix.get(a).copied().unwrap_or(0)
        };
        // best[state][position], and how it was reached: (state, position, operation).
        let mut best = [vec![usize::MAX; n + 1], vec![usize::MAX; n + 1]];
        let mut back: [Vec<Option<(usize, usize, Op)>>; 2] = [vec![None; n + 1], vec![None; n + 1]];
        best[AFTER_COPY][0] = 0;
        // Long strings: runs are capped for speed and may follow each other in the
        // plan; adjacent runs are merged before writing, which only saves bits. Match
        // searches are bounded too (fewer sources, matches measured up to MAX_SCAN,
        // no new search inside a long match already found), so that planning stays
        // linear in the length: a payload of a few bytes can decode to a string of a
        // million repeated characters, and encoding that again must not take minutes.
        // The strings of a credential are far shorter, and are planned exactly.
        const MAX_SCAN: usize = 256;
        let long = n > 512;
        let max_run = match n {
            0..=512 => n,
            513..=4096 => 256,
            _ => 32,
        };
        let (static_sources, doc_sources, scan) =
            if long { (16, 8, MAX_SCAN) } else { (64, 32, n) };
        let mut searched_until = 0;
        let mut local: HashMap<[char; 3], Vec<usize>> = HashMap::new();
        let copy_len_cost = |len: usize| exp_golomb_len((len - MIN_COPY) as u64, K_COPY_LEN);
        let mut relax = |best: &mut [Vec<usize>; 2],
                         to: (usize, usize),
                         cost: usize,
                         from: (usize, usize),
                         op: Op| {
            if let (Some(b), Some(slot)) = (best[to.0].get_mut(to.1), back[to.0].get_mut(to.1)) {
                if cost < *b {
                    *b = cost;
                    *slot = Some((from.0, from.1, op));
                }
            }
        };
        for i in 0..n {
            if i >= 1 {
                if let Some(&[a, b, c]) = chars.get(i - 1..i + 2) {
                    local.entry([a, b, c]).or_default().push(i - 1);
                }
            }
            let after_copy = best[AFTER_COPY][i];
            let after_literals = best[AFTER_LITERALS][i];
            let run_from = if long && after_literals < after_copy {
                (AFTER_LITERALS, after_literals)
            } else {
                (AFTER_COPY, after_copy)
            };
            if run_from.1 != usize::MAX {
                for j in i + 1..=(i + max_run).min(n) {
                    let cost = run_from.1
                        + OP_BITS as usize
                        + exp_golomb_len((j - i - 1) as u64, K_RUN)
                        + lit(i, j);
                    relax(
                        &mut best,
                        (AFTER_LITERALS, j),
                        cost,
                        (run_from.0, i),
                        Op::Literals(i, j),
                    );
                }
            }
            // A copy costs the same after either kind of operation.
            let (state, here) = if after_literals < after_copy {
                (AFTER_LITERALS, after_literals)
            } else {
                (AFTER_COPY, after_copy)
            };
            if here == usize::MAX {
                continue;
            }
            let Some(&[a, b, c]) = chars.get(i..i + 3) else {
                continue;
            };
            let key = [a, b, c];
            let lengths = |max: usize| (MIN_COPY..=max.min(16)).chain((max > 16).then_some(max));
            // Static text: the cost does not depend on the position, so only the
            // longest match matters.
            let mut dict = (0usize, 0usize);
            if long && i < searched_until {
                continue;
            }
            if let Some(list) = st.trigrams.get(&key) {
                for &p in list.iter().rev().take(static_sources) {
                    let p = p as usize;
                    let len = (0..(n - i).min(scan))
                        .take_while(|&t| st.text.get(p + t) == chars.get(i + t))
                        .count();
                    if len > dict.1 {
                        dict = (p, len);
                    }
                }
            }
            if dict.1 >= MIN_COPY {
                for len in lengths(dict.1) {
                    let cost = here
                        + OP_BITS as usize
                        + STATIC_POSITION_BITS as usize
                        + copy_len_cost(len);
                    relax(
                        &mut best,
                        (AFTER_COPY, i + len),
                        cost,
                        (state, i),
                        Op::Dict(dict.0, len),
                    );
                }
            }
            // Document history: nearest sources first; a farther source only helps
            // if it is longer.
            let mut sources: Vec<usize> = local
                .get(&key)
                .map(|l| l.iter().rev().take(doc_sources).map(|&j| h + j).collect())
                .unwrap_or_default();
            if let Some(list) = self.history_trigrams.get(&key) {
                sources.extend(list.iter().rev().take(doc_sources).map(|&p| p as usize));
            }
            let mut longest = MIN_COPY - 1;
            for q in sources {
                let len = (0..(n - i).min(scan))
                    .take_while(|&t| at(q + t).is_some() && at(q + t) == chars.get(i + t).copied())
                    .count();
                if len > longest {
                    let distance = h + i - q;
                    for l in lengths(len).filter(|&l| l > longest) {
                        let cost = here
                            + OP_BITS as usize
                            + exp_golomb_len((distance - 1) as u64, K_DISTANCE)
                            + copy_len_cost(l);
                        relax(
                            &mut best,
                            (AFTER_COPY, i + l),
                            cost,
                            (state, i),
                            Op::Doc(distance, l),
                        );
                    }
                    longest = len;
                }
            }
            // Inside a long match, later searches would find the same match shifted.
            let found = longest.max(dict.1);
            if found >= 32 {
                searched_until = i + found - 16;
            }
        }
        // END costs 2 bits after a copy (or at the start), 1 after literals.
        let end_copy = best[AFTER_COPY][n].saturating_add(OP_BITS as usize);
        let end_literals = best[AFTER_LITERALS][n].saturating_add(1);
        let (mut state, total) = if end_literals < end_copy {
            (AFTER_LITERALS, end_literals)
        } else {
            (AFTER_COPY, end_copy)
        };
        let mut ops: Vec<Op> = Vec::new();
        let mut j = n;
        while j > 0 {
            let Some(Some((from_state, i, op))) = back.get(state).and_then(|b| b.get(j)) else {
                break;
            };
            // Merge adjacent literal runs (only planned for long strings).
            match (op, ops.last_mut()) {
                (Op::Literals(a, _), Some(Op::Literals(start, _))) => *start = *a,
                _ => ops.push(*op),
            }
            state = *from_state;
            j = *i;
        }
        ops.reverse();
        (ops, total)
    }

    fn write_text(&mut self, s: &str, ops: &[Op]) {
        let chars: Vec<char> = s.chars().collect();
        let mut after_literals = false;
        for op in ops {
            match *op {
                Op::Literals(a, b) => {
                    // The planner never puts two runs in a row.
                    self.w.bits(OP_LITERALS, OP_BITS);
                    self.w.exp_golomb((b - a - 1) as u64, K_RUN);
                    for i in a..b {
                        let prev = i.checked_sub(1).and_then(|p| chars.get(p).copied());
                        if let Some(&c) = chars.get(i) {
                            self.write_literal(c, prev);
                        }
                    }
                }
                Op::Dict(pos, len) => {
                    self.write_op(OP_DICT, after_literals);
                    self.w.bits(pos as u64, STATIC_POSITION_BITS);
                    self.w.exp_golomb((len - MIN_COPY) as u64, K_COPY_LEN);
                }
                Op::Doc(distance, len) => {
                    self.write_op(OP_DOC, after_literals);
                    self.w.exp_golomb((distance - 1) as u64, K_DISTANCE);
                    self.w.exp_golomb((len - MIN_COPY) as u64, K_COPY_LEN);
                }
            }
            after_literals = matches!(op, Op::Literals(..));
        }
        self.write_op(OP_END, after_literals);
    }

    /// Writes an operation code: 2 bits, or after a literal run (which another run
    /// cannot follow) `0` END, `10` DICT, `11` DOC.
    fn write_op(&mut self, op: u64, after_literals: bool) {
        if after_literals {
            match op {
                OP_END => self.w.bit(false),
                OP_DICT => self.w.bits(0b10, 2),
                _ => self.w.bits(0b11, 2),
            }
        } else {
            self.w.bits(op, OP_BITS);
        }
    }

    fn write_literal(&mut self, c: char, prev: Option<char>) {
        let sym = symbol_of(c);
        literal_code(prev).write(&mut self.w, sym);
        if sym == ESCAPE {
            let step = i64::from(c as u32) - i64::from(self.last_escape);
            self.w.exp_golomb(zigzag(step), K_ESCAPE);
            self.last_escape = c as u32;
        }
    }
}

/// Writes one literal as the decoder reads it (for hand-made test payloads).
#[cfg(test)]
pub(super) fn write_literal(w: &mut BitWriter, c: char, prev: Option<char>) {
    literal_code(prev).write(w, symbol_of(c));
}

/// Structural cost estimate of coding `map` with a shape (keys' values excluded).
fn shape_cost(map: &Map<String, Value>, keys: &[(&str, Hint)]) -> usize {
    let present = keys.iter().filter(|(k, _)| map.contains_key(*k)).count();
    let mut cost = 2 + if present < keys.len() { keys.len() } else { 0 };
    let extras: Vec<&String> = map
        .keys()
        .filter(|k| !keys.iter().any(|(s, _)| s == k))
        .collect();
    if !extras.is_empty() {
        cost += exp_golomb_len(extras.len() as u64 - 1, 0);
        cost += extras.iter().map(|k| key_cost(k)).sum::<usize>();
    }
    cost
}

fn generic_members_cost(map: &Map<String, Value>) -> usize {
    exp_golomb_len(map.len() as u64, K_COUNT) + map.keys().map(|k| key_cost(k)).sum::<usize>()
}

fn key_cost(k: &str) -> usize {
    if statics().known_strings.contains_key(k) {
        3 + KNOWN_BITS as usize
    } else {
        7 + 5 * k.chars().count()
    }
}

// ---------------------------------------------------------------------------------
// Decoder

pub(super) struct Decoder<'a> {
    r: BitReader<'a>,
    distinct: Vec<String>,
    seen: HashSet<String>,
    history: Vec<char>,
    prev_day: i64,
    last_escape: u32,
    /// Size units still allowed (see [`units`]).
    budget: usize,
}

impl<'a> Decoder<'a> {
    pub(super) fn new(body: &'a [u8]) -> Self {
        Decoder {
            r: BitReader::new(body),
            distinct: Vec::new(),
            seen: HashSet::new(),
            history: Vec::new(),
            prev_day: FIRST_DAY,
            last_escape: 0,
            budget: MAX_DECODED_UNITS,
        }
    }

    pub(super) fn finish(&self) -> Result<(), CompactError> {
        self.r.finish()
    }

    fn charge(&mut self, units: usize) -> Result<(), CompactError> {
        self.budget = self
            .budget
            .checked_sub(units)
            .ok_or(CompactError::DecodedTooLarge {
                limit: MAX_DECODED_UNITS,
            })?;
        Ok(())
    }

    /// A count of items that each take at least one bit: more than the bits left
    /// means the payload was cut short.
    fn count(&mut self, k: u32) -> Result<usize, CompactError> {
        let n = self.r.exp_golomb(k)?;
        match usize::try_from(n) {
            Ok(n) if n <= self.r.remaining() => Ok(n),
            _ => Err(CompactError::Truncated),
        }
    }

    /// Decodes a value in a slot with hint `hint`, at nesting depth `depth`.
    pub(super) fn value(&mut self, hint: Hint, depth: usize) -> Result<Value, CompactError> {
        if hint != Hint::None && self.r.bit()? {
            return self.hinted(hint, depth);
        }
        self.generic(depth)
    }

    fn container(&mut self, depth: usize) -> Result<(), CompactError> {
        if depth >= MAX_DEPTH {
            return Err(CompactError::NestingTooDeep { limit: MAX_DEPTH });
        }
        self.charge(1)
    }

    fn hinted(&mut self, hint: Hint, depth: usize) -> Result<Value, CompactError> {
        Ok(match hint {
            Hint::None => self.generic(depth)?,
            Hint::Const(k) => self.known(&k)?,
            Hint::Known => {
                let i = self.r.bits(KNOWN_BITS)?;
                let k = KNOWN
                    .get(i as usize)
                    .ok_or(CompactError::corrupt("a known-value index is out of range"))?;
                self.known(k)?
            }
            Hint::OneOf(list) => {
                let i = self.r.bits(index_bits(list.len()))?;
                let k = list
                    .get(i as usize)
                    .ok_or(CompactError::corrupt("a value index is out of range"))?;
                self.known(k)?
            }
            Hint::Text => self.string_form(Form::Text)?,
            Hint::Date => self.string_form(Form::Date)?,
            Hint::DateTime => self.string_form(Form::DateTime)?,
            Hint::Uuid => self.string_form(Form::Uuid)?,
            Hint::Base58 => self.string_form(Form::Base58)?,
            Hint::Digits => self.string_form(Form::Digits)?,
            Hint::Uint => {
                self.charge(1)?;
                Value::from(self.r.exp_golomb(K_INT)?)
            }
            Hint::Obj(number) => {
                let keys = shape(number).ok_or(CompactError::corrupt("unknown shape"))?;
                self.shaped(keys, depth)?
            }
            Hint::Arr(item) => {
                self.container(depth)?;
                let n = self.count(K_COUNT)?;
                let mut items = Vec::new();
                for _ in 0..n {
                    items.push(self.value(*item, depth + 1)?);
                }
                Value::Array(items)
            }
            Hint::Map(item) => self.members(*item, depth)?,
        })
    }

    fn known(&mut self, k: &Known) -> Result<Value, CompactError> {
        self.charge(known_units(k))?;
        if let Known::Str(s) = k {
            self.register(s);
        }
        Ok(known_value(k))
    }

    fn generic(&mut self, depth: usize) -> Result<Value, CompactError> {
        // Read the tag's prefix code one bit at a time.
        let mut code = 0u64;
        for len in 1..=5u32 {
            code = (code << 1) | u64::from(self.r.bit()?);
            let tag = (code, len);
            if tag == TAG_STRING {
                let form = self.r.bits(3)?;
                let form = FORMS
                    .get(form as usize)
                    .copied()
                    .ok_or(CompactError::corrupt("unknown string form"))?;
                return self.string_form(form);
            } else if tag == TAG_OBJECT {
                let number = self.r.bits(SHAPE_BITS)? as u8;
                if number == 0 {
                    return self.members(Hint::None, depth);
                }
                let keys = shape(number).ok_or(CompactError::corrupt("unknown shape"))?;
                return self.shaped(keys, depth);
            } else if tag == TAG_ARRAY {
                self.container(depth)?;
                let n = self.count(K_COUNT)?;
                let mut items = Vec::new();
                for _ in 0..n {
                    items.push(self.generic(depth + 1)?);
                }
                return Ok(Value::Array(items));
            } else if tag == TAG_UINT {
                self.charge(1)?;
                return Ok(Value::from(self.r.exp_golomb(K_INT)?));
            } else if tag == TAG_NEGINT {
                self.charge(1)?;
                let m = self.r.exp_golomb(K_INT)?;
                let m = i64::try_from(m)
                    .map_err(|_| CompactError::corrupt("a negative integer is out of range"))?;
                return Ok(Value::from(-1 - m));
            } else if tag == TAG_FLOAT {
                self.charge(1)?;
                let f = f64::from_bits(self.r.bits(64)?);
                return Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or(CompactError::corrupt("a number is not finite"));
            } else if tag == TAG_NULL {
                self.charge(1)?;
                return Ok(Value::Null);
            } else if tag == TAG_FALSE || tag == TAG_TRUE {
                self.charge(1)?;
                return Ok(Value::Bool(tag == TAG_TRUE));
            } else if tag == TAG_KNOWN {
                let i = self.r.bits(KNOWN_BITS)?;
                let k = KNOWN
                    .get(i as usize)
                    .ok_or(CompactError::corrupt("a known-value index is out of range"))?;
                return self.known(k);
            }
        }
        Err(CompactError::corrupt("unknown value tag"))
    }

    fn shaped(
        &mut self,
        keys: &'static [(&'static str, Hint)],
        depth: usize,
    ) -> Result<Value, CompactError> {
        self.container(depth)?;
        let all = self.r.bit()?;
        let mut present = Vec::with_capacity(keys.len());
        for _ in keys {
            present.push(all || self.r.bit()?);
        }
        let mut map = Map::new();
        for ((k, hint), here) in keys.iter().zip(present) {
            if here {
                self.charge(1 + k.len())?;
                let v = self.value(*hint, depth + 1)?;
                map.insert((*k).to_owned(), v);
            }
        }
        if self.r.bit()? {
            let n = self.r.exp_golomb(0)?.saturating_add(1);
            if n > self.r.remaining() as u64 {
                return Err(CompactError::Truncated);
            }
            for _ in 0..n {
                self.member(&mut map, Hint::None, depth)?;
            }
        }
        Ok(Value::Object(map))
    }

    fn members(&mut self, hint: Hint, depth: usize) -> Result<Value, CompactError> {
        self.container(depth)?;
        let n = self.count(K_COUNT)?;
        let mut map = Map::new();
        for _ in 0..n {
            self.member(&mut map, hint, depth)?;
        }
        Ok(Value::Object(map))
    }

    fn member(
        &mut self,
        map: &mut Map<String, Value>,
        hint: Hint,
        depth: usize,
    ) -> Result<(), CompactError> {
        let form = self.r.bits(3)?;
        let form = FORMS
            .get(form as usize)
            .copied()
            .ok_or(CompactError::corrupt("unknown string form"))?;
        let key = match self.string_form(form)? {
            Value::String(k) => k,
            _ => return Err(CompactError::corrupt("an object key is not a string")),
        };
        if map.contains_key(&key) {
            return Err(CompactError::corrupt("an object has the same key twice"));
        }
        let v = self.value(hint, depth + 1)?;
        map.insert(key, v);
        Ok(())
    }

    fn register(&mut self, s: &str) {
        if self.seen.insert(s.to_owned()) {
            self.distinct.push(s.to_owned());
            self.history.extend(s.chars());
        }
    }

    /// Decodes a string in the given form. Charges one unit for the value plus its
    /// UTF-8 length.
    fn string_form(&mut self, form: Form) -> Result<Value, CompactError> {
        self.charge(1)?;
        let s = match form {
            Form::Text => return self.text(),
            Form::Known => {
                let i = self.r.bits(KNOWN_BITS)?;
                match KNOWN.get(i as usize) {
                    Some(Known::Str(s)) => (*s).to_owned(),
                    _ => {
                        return Err(CompactError::corrupt(
                            "a known-string index is out of range",
                        ))
                    }
                }
            }
            Form::Repeat => {
                if self.distinct.is_empty() {
                    return Err(CompactError::corrupt("a repeat before any string"));
                }
                let i = self.r.bits(index_bits(self.distinct.len()))?;
                self.distinct
                    .get(i as usize)
                    .cloned()
                    .ok_or(CompactError::corrupt("a repeat index is out of range"))?
            }
            Form::Date | Form::DateTime => {
                let step = unzigzag(self.r.exp_golomb(K_DAY)?);
                let day = self
                    .prev_day
                    .checked_add(step)
                    .ok_or(CompactError::corrupt("a date is out of range"))?;
                self.prev_day = day;
                let s = if form == Form::DateTime {
                    let secs = if self.r.bit()? { self.r.bits(17)? } else { 0 };
                    if secs >= 86_400 {
                        return Err(CompactError::corrupt("a time of day is out of range"));
                    }
                    datetime_string(day, secs as u32)
                } else {
                    date_string(day)
                };
                s.ok_or(CompactError::corrupt("a date is out of range"))?
            }
            Form::Uuid => {
                let urn = self.r.bit()?;
                let hi = self.r.bits(64)?;
                let lo = self.r.bits(64)?;
                uuid_string(urn, (u128::from(hi) << 64) | u128::from(lo))
            }
            Form::Base58 => {
                let variant = self.r.bits(2)?;
                let n = self.r.exp_golomb(K_BYTES)?;
                if n > MAX_BASE58_BYTES as u64 {
                    return Err(CompactError::corrupt("a base58 string is too long"));
                }
                let mut bytes = Vec::new();
                for _ in 0..n {
                    bytes.push(self.r.bits(8)? as u8);
                }
                base58_string(variant, &bytes)
                    .ok_or(CompactError::corrupt("unknown base58 variant"))?
            }
            Form::Digits => self.r.exp_golomb(K_DIGITS)?.to_string(),
        };
        self.charge(s.len())?;
        self.register(&s);
        Ok(Value::String(s))
    }

    /// Decodes TEXT operations, appending to the history as it goes so that a copy
    /// may reach into the string being decoded.
    fn text(&mut self) -> Result<Value, CompactError> {
        let st = statics();
        let start = self.history.len();
        let mut after_literals = false;
        loop {
            let op = if after_literals {
                if !self.r.bit()? {
                    OP_END
                } else if self.r.bit()? {
                    OP_DOC
                } else {
                    OP_DICT
                }
            } else {
                self.r.bits(OP_BITS)?
            };
            after_literals = op == OP_LITERALS;
            match op {
                OP_LITERALS => {
                    let n = self.r.exp_golomb(K_RUN)?.saturating_add(1);
                    for _ in 0..n {
                        let prev = if self.history.len() > start {
                            self.history.last().copied()
                        } else {
                            None
                        };
                        let c = self.literal(prev)?;
                        self.push(c)?;
                    }
                }
                OP_DICT => {
                    let pos = self.r.bits(STATIC_POSITION_BITS)? as usize;
                    let len = self.copy_len()?;
                    let chars = pos
                        .checked_add(len)
                        .and_then(|end| st.text.get(pos..end))
                        .ok_or(CompactError::corrupt("a copy reaches past the static text"))?;
                    for &c in chars {
                        self.push(c)?;
                    }
                }
                OP_DOC => {
                    let distance = self.r.exp_golomb(K_DISTANCE)?.saturating_add(1);
                    let len = self.copy_len()?;
                    let from = usize::try_from(distance)
                        .ok()
                        .and_then(|d| self.history.len().checked_sub(d))
                        .ok_or(CompactError::corrupt(
                            "a copy reaches before the first string",
                        ))?;
                    for t in 0..len {
                        let c = self
                            .history
                            .get(from + t)
                            .copied()
                            .ok_or(CompactError::corrupt("a copy reaches past the history"))?;
                        self.push(c)?;
                    }
                }
                _ => break,
            }
        }
        let s: String = self
            .history
            .get(start..)
            .unwrap_or_default()
            .iter()
            .collect();
        if self.seen.contains(&s) {
            self.history.truncate(start);
        } else {
            self.seen.insert(s.clone());
            self.distinct.push(s.clone());
        }
        Ok(Value::String(s))
    }

    fn copy_len(&mut self) -> Result<usize, CompactError> {
        let len = self.r.exp_golomb(K_COPY_LEN)?;
        usize::try_from(len)
            .ok()
            .and_then(|l| l.checked_add(MIN_COPY))
            .ok_or(CompactError::DecodedTooLarge {
                limit: MAX_DECODED_UNITS,
            })
    }

    fn push(&mut self, c: char) -> Result<(), CompactError> {
        self.charge(c.len_utf8())?;
        self.history.push(c);
        Ok(())
    }

    fn literal(&mut self, prev: Option<char>) -> Result<char, CompactError> {
        let sym = literal_code(prev).read(&mut self.r)?;
        if sym != ESCAPE {
            return char_of(sym).ok_or(CompactError::corrupt("unknown character symbol"));
        }
        let step = unzigzag(self.r.exp_golomb(K_ESCAPE)?);
        let c = i64::from(self.last_escape)
            .checked_add(step)
            .and_then(|cp| u32::try_from(cp).ok())
            .and_then(char::from_u32)
            .ok_or(CompactError::corrupt(
                "an escaped character is not a Unicode scalar value",
            ))?;
        self.last_escape = c as u32;
        Ok(c)
    }
}
