//! Fixed tables built once: the prefix codes of literal characters, and the lookups
//! of known values and shapes.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use crate::compact::bits::{BitReader, BitWriter};
use crate::compact::tables::{
    Hint, Known, ACCENTED, ACCENTED_LOWER, KNOWN, LITERAL_LENGTHS, LITERAL_SYMBOLS, SHAPES,
    STATIC_TEXT,
};
use crate::compact::{CompactError, MAX_DEPTH};

/// A canonical prefix code built from code lengths (as in RFC 1951 §3.2.2).
#[derive(Debug)]
pub(super) struct PrefixCode {
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

    pub(super) fn len(&self, sym: usize) -> usize {
        self.codes.get(sym).map_or(32, |&(_, l)| usize::from(l))
    }

    pub(super) fn write(&self, w: &mut BitWriter, sym: usize) {
        if let Some(&(code, len)) = self.codes.get(sym) {
            w.bits(u64::from(code), u32::from(len));
        }
    }

    pub(super) fn read(&self, r: &mut BitReader<'_>) -> Result<usize, CompactError> {
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

pub(super) struct Statics {
    pub(super) text: Vec<char>,
    /// Positions of each three-character sequence of `text`.
    pub(super) trigrams: HashMap<[char; 3], Vec<u32>>,
    /// Index of each string of [`KNOWN`].
    pub(super) known_strings: HashMap<&'static str, u8>,
    /// Literal codes, one per context.
    literal: [PrefixCode; 5],
    /// Symbol of each letter of [`ACCENTED`].
    accented: HashMap<char, usize>,
    accented_chars: Vec<char>,
}

pub(super) fn statics() -> &'static Statics {
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
pub(super) const ESCAPE: usize = LITERAL_SYMBOLS - 1;

pub(super) fn symbol_of(c: char) -> usize {
    match c {
        ' '..='~' => c as usize - 0x20,
        _ => statics().accented.get(&c).copied().unwrap_or(ESCAPE),
    }
}

pub(super) fn char_of(sym: usize) -> Option<char> {
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

pub(super) fn literal_code(prev: Option<char>) -> &'static PrefixCode {
    let codes = &statics().literal;
    match context_after(prev) {
        0 => &codes[0],
        1 => &codes[1],
        2 => &codes[2],
        3 => &codes[3],
        _ => &codes[4],
    }
}

pub(super) fn known_matches(k: &Known, v: &Value) -> bool {
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

pub(super) fn known_value(k: &Known) -> Value {
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
pub(super) fn known_units(k: &Known) -> usize {
    match k {
        Known::Str(s) => 1 + s.len(),
        Known::Strs(list) => 1 + list.iter().map(|s| 1 + s.len()).sum::<usize>(),
    }
}

pub(super) fn known_index(v: &Value) -> Option<u8> {
    match v {
        Value::String(s) => statics().known_strings.get(s.as_str()).copied(),
        Value::Array(_) => KNOWN
            .iter()
            .position(|k| matches!(k, Known::Strs(_)) && known_matches(k, v))
            .map(|i| i as u8),
        _ => None,
    }
}

pub(super) fn shape(number: u8) -> Option<&'static [(&'static str, Hint)]> {
    SHAPES.get(usize::from(number).checked_sub(1)?).copied()
}

/// The decoded size of a value, in the units the decoder's budget counts: one per
/// value, plus the UTF-8 length of each string, plus one and the length of each key.
/// Fails when nesting goes deeper than [`MAX_DEPTH`].
pub(in crate::compact) fn units(v: &Value, depth: usize) -> Result<usize, CompactError> {
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
