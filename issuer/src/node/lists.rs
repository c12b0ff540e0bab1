//! Status lists: re-signing, publishing, and the status changes that set their bits.

use super::*;

impl Issuer {
    /// Re-signs both status lists (new versions, current key and time) and publishes
    /// them. Done at start, daily, and after a key rotation.
    pub fn republish(&self) -> Result<(), NodeError> {
        let keyring = self.keyring()?;
        let now = self.now();
        let mut w = self.store.write()?;
        let mut records = Vec::new();
        for name in [REVOCATION_LIST, SUSPENSION_LIST] {
            let rec = self.resign_list(&mut w, &keyring, name, None, now)?;
            records.push(rec);
        }
        w.commit()?;
        for rec in &records {
            self.publish(rec);
        }
        Ok(())
    }

    /// Whether the lists are due for re-signing (SPEC.md §7.4: at least daily).
    pub fn lists_due(&self) -> bool {
        let due = Duration::hours(i64::from(self.settings.status_list_republish_hours));
        let now = self.now();
        [REVOCATION_LIST, SUSPENSION_LIST].iter().any(|name| {
            self.published(name)
                .is_none_or(|p| now - p.valid_from >= due)
        })
    }

    /// Signs a new version of list `name` inside `w`; `change` sets or clears one bit
    /// first.
    pub(super) fn resign_list(
        &self,
        w: &mut Writer,
        keyring: &Keyring,
        name: &str,
        change: Option<(u64, bool)>,
        now: DateTime<Utc>,
    ) -> Result<ListRecord, NodeError> {
        let mut rec = w
            .list(name)?
            .ok_or_else(|| NodeError::Internal(format!("status list {name} is missing")))?;
        let bits = w
            .list_bits(name)?
            .ok_or_else(|| NodeError::Internal(format!("status list {name} has no bits")))?;
        let mut list = list_from_bytes(&bits)?;
        if let Some((index, value)) = change {
            list.set(index, value)
                .map_err(|e| NodeError::Internal(e.to_string()))?;
        }
        let purpose: StatusPurpose = rec
            .purpose
            .parse()
            .map_err(|_| NodeError::Internal(format!("status list {name} has no purpose")))?;
        let until = now + Duration::hours(i64::from(self.settings.status_list_validity_hours));
        let unsigned = status_list::status_list_credential(
            &self.list_url(name),
            &self.identity.did,
            purpose,
            &list,
            now,
            Some(until),
        );
        let signed = proof::sign(
            &unsigned,
            keyring.signing_key(),
            &ProofOptions::assertion(keyring.active_method.clone(), Some(time::format(now))),
        )
        .map_err(|e| NodeError::Internal(format!("signing status list: {e}")))?;
        rec.version += 1;
        rec.signed = Some(signed);
        if change.is_some() {
            w.put_list(&rec, &list.to_bytes())?;
        } else {
            w.put_list_record(&rec)?;
        }
        Ok(rec)
    }

    /// After a commit: serve the new version and announce it. A version older than
    /// the one served (two changes committed in one order, published in the other)
    /// is not served.
    pub(super) fn publish(&self, rec: &ListRecord) {
        let Some(signed) = &rec.signed else { return };
        let Ok(body) = serde_json::to_vec_pretty(signed) else {
            return;
        };
        let valid_from = signed
            .get("validFrom")
            .and_then(Value::as_str)
            .and_then(|t| time::parse(t).ok())
            .unwrap_or_else(|| self.now());
        let published = Published {
            name: rec.name.clone(),
            version: rec.version,
            etag: format!("\"{}-v{}\"", rec.name, rec.version),
            body: Arc::new(body),
            valid_from,
        };
        if let Ok(mut cache) = self.published.write() {
            if cache
                .get(&rec.name)
                .is_some_and(|p| p.version >= rec.version)
            {
                return;
            }
            cache.insert(rec.name.clone(), published);
        }
        let _ = self.events.send(NodeEvent::StatusList {
            list: rec.name.clone(),
            url: self.list_url(&rec.name),
            version: rec.version,
            valid_from: time::format(valid_from),
        });
    }

    /// Revokes, suspends or reinstates a credential. The status list is re-signed and
    /// stored in the same transaction, then published and announced.
    pub fn change_status(
        &self,
        actor: &Actor,
        id: &str,
        action: StatusAction,
        reason: String,
    ) -> Result<CredentialRecord, NodeError> {
        let id = credential_uuid(id)?;
        let keyring = self.keyring()?;
        let now = self.now();
        let mut w = self.store.write()?;
        let mut record = w
            .credential(&id)?
            .ok_or_else(|| NodeError::NotFound(format!("no credential has the id {id}")))?;
        use CredentialStatus::*;
        let (list, bit, next) = match (action, record.status) {
            (StatusAction::Revoke, Revoked) => {
                return Err(NodeError::Conflict(format!(
                    "credential {id} is already revoked; revocation is final"
                )))
            }
            (StatusAction::Revoke, _) => (REVOCATION_LIST, true, Revoked),
            (StatusAction::Suspend, Active) => (SUSPENSION_LIST, true, Suspended),
            (StatusAction::Suspend, Suspended) => {
                return Err(NodeError::Conflict(format!(
                    "credential {id} is already suspended"
                )))
            }
            (StatusAction::Suspend, Revoked) | (StatusAction::Reinstate, Revoked) => {
                return Err(NodeError::Conflict(format!(
                    "credential {id} is revoked; revocation is final"
                )))
            }
            (StatusAction::Reinstate, Suspended) => (SUSPENSION_LIST, false, Active),
            (StatusAction::Reinstate, Active) => {
                return Err(NodeError::Conflict(format!(
                    "credential {id} is not suspended"
                )))
            }
        };
        let list_record = self.resign_list(
            &mut w,
            &keyring,
            list,
            Some((record.status_index, bit)),
            now,
        )?;
        record.status = next;
        record.status_reason = Some(reason.clone());
        record.status_changed = Some(time::format(now));
        w.update_credential(&record)?;
        w.audit(
            time::format(now),
            &actor.label(),
            action.audit_action(),
            Some(id),
            json!({"reason": reason, "list": list, "listVersion": list_record.version, "statusIndex": record.status_index}),
        )?;
        w.commit()?;
        self.publish(&list_record);
        Ok(record)
    }
}
