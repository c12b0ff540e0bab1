//! The decoder.

use std::collections::HashSet;

use serde_json::{Map, Number, Value};

use crate::compact::bits::{index_bits, unzigzag, BitReader};
use crate::compact::tables::{Hint, Known, KNOWN, STATIC_POSITION_BITS};
use crate::compact::{CompactError, MAX_DECODED_UNITS, MAX_DEPTH};

use super::forms::{base58_string, date_string, datetime_string, uuid_string};
use super::statics::{char_of, known_units, known_value, literal_code, shape, statics, ESCAPE};
use super::{
    Form, FIRST_DAY, FORMS, KNOWN_BITS, K_BYTES, K_COPY_LEN, K_COUNT, K_DAY, K_DIGITS, K_DISTANCE,
    K_ESCAPE, K_INT, K_RUN, MAX_BASE58_BYTES, MIN_COPY, OP_BITS, OP_DICT, OP_DOC, OP_END,
    OP_LITERALS, SHAPE_BITS, TAG_ARRAY, TAG_FALSE, TAG_FLOAT, TAG_KNOWN, TAG_NEGINT, TAG_NULL,
    TAG_OBJECT, TAG_STRING, TAG_TRUE, TAG_UINT,
};

pub(in crate::compact) struct Decoder<'a> {
    r: BitReader<'a>,
    distinct: Vec<String>,
    seen: HashSet<String>,
    history: Vec<char>,
    prev_day: i64,
    last_escape: u32,
    /// Size units still allowed (see [`units`](super::units)).
    budget: usize,
}

impl<'a> Decoder<'a> {
    pub(in crate::compact) fn new(body: &'a [u8]) -> Self {
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

    pub(in crate::compact) fn finish(&self) -> Result<(), CompactError> {
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
    pub(in crate::compact) fn value(
        &mut self,
        hint: Hint,
        depth: usize,
    ) -> Result<Value, CompactError> {
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
