//! Typed string forms: each parser accepts a string only when rendering the parsed
//! value gives back exactly the same string.

use chrono::{Datelike, NaiveDate};

use super::{
    B58_DID_KEY, B58_DID_KEY_FRAGMENT, B58_MULTIBASE, DID_KEY_PREFIX, MAX_BASE58_BYTES,
    UNIX_EPOCH_FROM_CE,
};

pub(super) fn date_string(day: i64) -> Option<String> {
    let ce = i32::try_from(day.checked_add(UNIX_EPOCH_FROM_CE)?).ok()?;
    NaiveDate::from_num_days_from_ce_opt(ce).map(|d| d.format("%Y-%m-%d").to_string())
}

pub(super) fn parse_date(s: &str) -> Option<i64> {
    if s.len() != 10 {
        return None;
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let day = i64::from(d.num_days_from_ce()) - UNIX_EPOCH_FROM_CE;
    (date_string(day)? == s).then_some(day)
}

pub(super) fn datetime_string(day: i64, secs: u32) -> Option<String> {
    Some(format!(
        "{}T{:02}:{:02}:{:02}Z",
        date_string(day)?,
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    ))
}

pub(super) fn parse_datetime(s: &str) -> Option<(i64, u32)> {
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

pub(super) fn uuid_string(urn: bool, value: u128) -> String {
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

pub(super) fn parse_uuid(s: &str) -> Option<(bool, u128)> {
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

pub(super) fn base58_string(variant: u64, bytes: &[u8]) -> Option<String> {
    let b58 = bs58::encode(bytes).into_string();
    match variant {
        B58_MULTIBASE => Some(format!("z{b58}")),
        B58_DID_KEY => Some(format!("{DID_KEY_PREFIX}{b58}")),
        B58_DID_KEY_FRAGMENT => Some(format!("{DID_KEY_PREFIX}{b58}#z{b58}")),
        _ => None,
    }
}

pub(super) fn parse_base58(s: &str) -> Option<(u64, Vec<u8>)> {
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

pub(super) fn parse_digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: u64 = s.parse().ok()?;
    (v.to_string() == s).then_some(v)
}
