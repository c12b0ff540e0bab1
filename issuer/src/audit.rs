//! The audit log: every state change of the node, in order, each entry holding the
//! SHA-256 of the one before, so that an export shows whether anything was removed,
//! reordered or altered after the fact.
//!
//! An entry's `hash` is the SHA-256 (lower-case hex) of the RFC 8785 canonical form of
//! the entry without its `hash` member. The first entry's `prev` is 64 zeros. The
//! store appends entries in the same transaction as the change they record, so the
//! log and the records cannot disagree. An export is JSON Lines: one entry per line,
//! in order.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// `prev` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditEntry {
    /// Position in the log, from 1, without gaps.
    pub seq: u64,
    /// When the change was committed (RFC 3339, UTC, whole seconds).
    pub time: String,
    /// Who made it: `token:<id> (<role>)`, or `node` for the node's own work.
    pub actor: String,
    /// What happened, such as `credential.revoked`.
    pub action: String,
    /// The record it concerns (a credential or request id), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Details: reasons, IP numbers, indexes. Client text is kept as JSON strings.
    pub details: Value,
    /// `hash` of the entry before, or [`GENESIS`].
    pub prev: String,
    /// SHA-256 of this entry without `hash`.
    pub hash: String,
}

/// Why an export does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// A line is not an audit entry.
    #[error("line {line}: not an audit entry: {reason}")]
    Unreadable {
        /// 1-based line number in the export.
        line: usize,
        /// The parse error.
        reason: String,
    },
    /// An entry breaks the chain.
    #[error("entry {seq} (line {line}) is broken: {reason}")]
    Broken {
        /// 1-based line number in the export.
        line: usize,
        /// The entry's `seq` as written.
        seq: u64,
        /// What does not hold.
        reason: String,
    },
}

impl AuditEntry {
    /// A new entry after `prev` (the previous entry's hash and seq), hashed.
    pub fn new(
        prev: Option<(&str, u64)>,
        time: String,
        actor: String,
        action: &str,
        target: Option<String>,
        details: Value,
    ) -> Self {
        let (prev_hash, seq) = match prev {
            Some((hash, seq)) => (hash.to_owned(), seq + 1),
            None => (GENESIS.to_owned(), 1),
        };
        let mut entry = AuditEntry {
            seq,
            time,
            actor,
            action: action.to_owned(),
            target,
            details,
            prev: prev_hash,
            hash: String::new(),
        };
        entry.hash = entry.compute_hash();
        entry
    }

    /// The SHA-256 of this entry without `hash`, in lower-case hex.
    pub fn compute_hash(&self) -> String {
        let mut value = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Value::Object(map) = &mut value {
            map.remove("hash");
        }
        // JCS cannot fail on what serde_json built from these types (no floats
        // beyond range); an empty input would only make verification fail.
        let canonical = probity_spec::jcs::canonicalize(&value).unwrap_or_default();
        hex(&Sha256::digest(&canonical))
    }
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

/// Checks an export (JSON Lines) and returns how many entries it holds. Fails at the
/// first entry that cannot be read, is out of sequence, does not point at the hash
/// of the entry before, or whose hash is not that of its contents.
pub fn verify_export(text: &str) -> Result<u64, AuditError> {
    let mut prev: Option<AuditEntry> = None;
    let mut count = 0;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let value = probity_spec::json::parse_strict(line.as_bytes()).map_err(|e| {
            AuditError::Unreadable {
                line: line_no,
                reason: e.to_string(),
            }
        })?;
        let entry: AuditEntry =
            serde_json::from_value(value).map_err(|e| AuditError::Unreadable {
                line: line_no,
                reason: e.to_string(),
            })?;
        let broken = |reason: String| AuditError::Broken {
            line: line_no,
            seq: entry.seq,
            reason,
        };
        let (want_seq, want_prev) = match &prev {
            Some(p) => (p.seq + 1, p.hash.as_str()),
            None => (1, GENESIS),
        };
        if entry.seq != want_seq {
            return Err(broken(format!("expected entry {want_seq} here")));
        }
        if entry.prev != want_prev {
            return Err(broken(
                "its prev is not the hash of the entry before it (an entry was removed, reordered or altered)".to_owned(),
            ));
        }
        if entry.compute_hash() != entry.hash {
            return Err(broken(
                "its hash does not match its contents (it was altered)".to_owned(),
            ));
        }
        count += 1;
        prev = Some(entry);
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chain(n: usize) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for i in 0..n {
            let prev = out.last().map(|e| (e.hash.as_str(), e.seq));
            out.push(AuditEntry::new(
                prev,
                "2026-03-01T00:00:00Z".into(),
                "node".into(),
                "test",
                Some(format!("t{i}")),
                json!({"i": i, "text": "line\nbreak \u{1b}[31m"}),
            ));
        }
        out
    }

    fn export(entries: &[AuditEntry]) -> String {
        entries
            .iter()
            .map(|e| serde_json::to_string(e).unwrap() + "\n")
            .collect()
    }

    #[test]
    fn a_chain_verifies_and_a_change_is_named() {
        let entries = chain(5);
        assert_eq!(verify_export(&export(&entries)), Ok(5));

        let mut altered = entries.clone();
        altered[2].details = json!({"i": 99});
        let err = verify_export(&export(&altered)).unwrap_err();
        assert!(matches!(err, AuditError::Broken { seq: 3, .. }), "{err}");

        let mut removed = entries.clone();
        removed.remove(1);
        let err = verify_export(&export(&removed)).unwrap_err();
        assert!(
            matches!(
                err,
                AuditError::Broken {
                    seq: 3,
                    line: 2,
                    ..
                }
            ),
            "{err}"
        );

        let err = verify_export("{\"seq\": 1}\n").unwrap_err();
        assert!(matches!(err, AuditError::Unreadable { line: 1, .. }));
    }
}
