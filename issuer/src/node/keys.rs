//! Key rotation for did:web issuers.

use super::*;

impl Issuer {
    /// A new signing key for a did:web issuer. The old key stays in the DID document;
    /// the status lists are re-signed with the new one.
    pub fn rotate_key(&self, actor: &Actor) -> Result<KeyRecord, NodeError> {
        if !self.identity.did.starts_with("did:web:") {
            return Err(NodeError::Conflict(
                "this node issues as a did:key, which is its key: it cannot rotate. Issue as a did:web to rotate keys".into(),
            ));
        }
        let mut keyring = self
            .keyring
            .write()
            .map_err(|_| NodeError::Internal("the keyring lock is poisoned".into()))?;
        let now = self.now();
        let records = self.store.read()?.keys()?;
        let mut n = records.len() + 1;
        let (method, file) = loop {
            let method = format!("{}#key-{n}", self.identity.did);
            let file = format!("keys/key-{n}.json");
            if !records.iter().any(|r| r.verification_method == method)
                && !self.dir.join(&file).exists()
            {
                break (method, file);
            }
            n += 1;
        };
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        // The key file is on disk before the store names it: a crash in between
        // leaves an unused file, never a store naming a missing key.
        keyring::write_key_file(&self.dir.join(&file), &key, &self.identity.did, &method)?;
        let record = KeyRecord {
            verification_method: method.clone(),
            public_key_multibase: probity_spec::multikey::public_key_to_multibase(
                &key.verifying_key(),
            ),
            file,
            created: time::format(now),
            retired: None,
        };
        let mut w = self.store.write()?;
        let previous = keyring.active_method.clone();
        for mut old in records.iter().cloned() {
            if old.verification_method == previous {
                old.retired = Some(time::format(now));
                w.put_key(&old)?;
            }
        }
        w.put_key(&record)?;
        w.set_active_key(&method)?;
        let mut new_keys = w.keys()?;
        new_keys.sort_by(|a, b| a.created.cmp(&b.created));
        let new_ring = Keyring::load(&self.dir, &new_keys, &method)?;
        let mut lists = Vec::new();
        for name in [REVOCATION_LIST, SUSPENSION_LIST] {
            lists.push(self.resign_list(&mut w, &new_ring, name, None, now)?);
        }
        w.audit(
            time::format(now),
            &actor.label(),
            "key.rotated",
            Some(method.clone()),
            json!({"from": previous, "to": method, "publicKeyMultibase": record.public_key_multibase}),
        )?;
        w.commit()?;
        *keyring = new_ring;
        let keys: Vec<String> = keyring.all.iter().map(|(vm, _)| vm.clone()).collect();
        drop(keyring);
        for rec in &lists {
            self.publish(rec);
        }
        let _ = self.events.send(NodeEvent::Keys {
            did: self.identity.did.clone(),
            active_key: method,
            keys,
        });
        Ok(record)
    }
}
