//! The encoder.

use std::collections::HashMap;

use serde_json::{Map, Number, Value};

use crate::compact::bits::{exp_golomb_len, index_bits, zigzag, BitWriter};
use crate::compact::tables::{Hint, SHAPES, STATIC_POSITION_BITS};

use super::forms::{parse_base58, parse_date, parse_datetime, parse_digits, parse_uuid};
use super::statics::{known_index, known_matches, literal_code, shape, statics, symbol_of, ESCAPE};
use super::{
    Form, FIRST_DAY, FORMS, KNOWN_BITS, K_BYTES, K_COPY_LEN, K_COUNT, K_DAY, K_DIGITS, K_DISTANCE,
    K_ESCAPE, K_INT, K_RUN, MIN_COPY, OP_BITS, OP_DICT, OP_DOC, OP_END, OP_LITERALS, SHAPE_BITS,
    TAG_ARRAY, TAG_FALSE, TAG_FLOAT, TAG_KNOWN, TAG_NEGINT, TAG_NULL, TAG_OBJECT, TAG_STRING,
    TAG_TRUE, TAG_UINT,
};

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

pub(in crate::compact) struct Encoder {
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
    pub(in crate::compact) trace: Vec<(String, Form, usize)>,
}

impl Encoder {
    pub(in crate::compact) fn new() -> Self {
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

    pub(in crate::compact) fn finish(self) -> Vec<u8> {
        self.w.into_bytes()
    }

    /// Bits written so far.
    #[cfg(test)]
    pub(in crate::compact) fn bits_written(&self) -> usize {
        self.w.len()
    }

    fn tag(&mut self, (code, len): (u64, u32)) {
        self.w.bits(code, len);
    }

    /// Codes `v` in a slot with hint `hint`.
    pub(in crate::compact) fn value(&mut self, v: &Value, hint: Hint) {
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
pub(in crate::compact) fn write_literal(w: &mut BitWriter, c: char, prev: Option<char>) {
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
