//! Handing out IP numbers and status indexes inside one write transaction.
//!
//! * IP numbers: per track, in sequence (`FMMSK-000001`, `FMMSK-000002`…), from a
//!   counter in the store that only goes up, so a number is never handed out twice,
//!   not even after a revocation. A number already held (a migrated register's) is
//!   skipped.
//! * Status indexes: uniformly at random among the indexes neither recorded as
//!   allocated nor set in either list (SPEC.md §7.4), so an index says nothing about
//!   when or to whom it was given.
//!
//! Within a batch, what was handed out earlier in the same transaction counts as
//! taken too, since the store sees it only once the batch's credentials are stored.

use crate::config::IpNumberFormat;
use crate::node::NodeError;
use crate::store::{StoreError, Writer};
use probity_spec::model::Track;
use probity_spec::status_list::{self, BitstringStatusList};
use std::cell::RefCell;
use std::collections::HashSet;

/// How many sequence numbers to try before concluding a format cannot produce a free
/// IP number (only a register full of the same numbers could cause this).
const MAX_SKIPS: usize = 10_000;

/// Allocations of one transaction.
pub(crate) struct Allocator {
    revocation: BitstringStatusList,
    suspension: BitstringStatusList,
    indexes: HashSet<u64>,
    ip_numbers: HashSet<String>,
}

impl Allocator {
    /// Reads both lists' bits as of `w`.
    pub(crate) fn new(w: &Writer) -> Result<Self, NodeError> {
        let load = |name: &str| -> Result<BitstringStatusList, NodeError> {
            let bits = w
                .list_bits(name)?
                .ok_or_else(|| NodeError::Internal(format!("status list {name} has no bits")))?;
            list_from_bytes(&bits)
        };
        Ok(Allocator {
            revocation: load(crate::node::REVOCATION_LIST)?,
            suspension: load(crate::node::SUSPENSION_LIST)?,
            indexes: HashSet::new(),
            ip_numbers: HashSet::new(),
        })
    }

    /// A random index that no credential has and neither list has set.
    pub(crate) fn next_index(&mut self, w: &Writer) -> Result<u64, NodeError> {
        let failure: RefCell<Option<StoreError>> = RefCell::new(None);
        let taken = |i: u64| {
            if self.indexes.contains(&i) || matches!(self.suspension.get(i), Ok(true)) {
                return true;
            }
            match w.index_taken(i) {
                Ok(t) => t,
                Err(e) => {
                    failure.borrow_mut().get_or_insert(e);
                    true
                }
            }
        };
        let chosen =
            status_list::random_unused_index(&self.revocation, taken, &mut rand::rngs::OsRng);
        if let Some(e) = failure.into_inner() {
            return Err(e.into());
        }
        let index = chosen.ok_or(NodeError::ListsFull)?;
        self.indexes.insert(index);
        Ok(index)
    }

    /// The next free IP number of `track`.
    pub(crate) fn next_ip_number(
        &mut self,
        w: &mut Writer,
        track: Track,
        format: &IpNumberFormat,
    ) -> Result<String, NodeError> {
        for _ in 0..MAX_SKIPS {
            let seq = w.next_ip_sequence(track.code())?;
            let candidate = format.format(seq);
            if !self.ip_numbers.contains(&candidate)
                && w.credential_id_by_ip_number(&candidate)?.is_none()
            {
                self.ip_numbers.insert(candidate.clone());
                return Ok(candidate);
            }
        }
        Err(NodeError::Internal(format!(
            "no free IP number in {MAX_SKIPS} tries of format {format}"
        )))
    }

    /// Claims an IP number a migrated register already gave; refused when another
    /// credential holds it.
    pub(crate) fn claim_ip_number(&mut self, w: &Writer, given: &str) -> Result<String, NodeError> {
        if self.ip_numbers.contains(given) || w.credential_id_by_ip_number(given)?.is_some() {
            return Err(NodeError::Invalid {
                field: "ipNumber".into(),
                reason: format!("{given} already belongs to another credential of this issuer"),
            });
        }
        self.ip_numbers.insert(given.to_owned());
        Ok(given.to_owned())
    }
}

/// A list from its stored bytes.
pub(crate) fn list_from_bytes(bytes: &[u8]) -> Result<BitstringStatusList, NodeError> {
    let mut list = BitstringStatusList::new(bytes.len() * 8)
        .map_err(|e| NodeError::Internal(format!("stored status list: {e}")))?;
    for (i, byte) in bytes.iter().enumerate() {
        if *byte != 0 {
            for bit in 0..8u64 {
                if byte & (0x80 >> bit) != 0 {
                    list.set(i as u64 * 8 + bit, true)
                        .map_err(|e| NodeError::Internal(e.to_string()))?;
                }
            }
        }
    }
    Ok(list)
}
