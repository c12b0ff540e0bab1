//! Issuing: IP requests and their approval, attestations, the VC API, and the
//! shared path that allocates, builds, signs and stores a credential.

use super::*;

/// A credential ready to sign, with the record it will be stored as.
pub(super) struct Prepared {
    pub(super) record: CredentialRecord,
    unsigned: Value,
    via: &'static str,
    line: Option<u64>,
}

/// A checked candidate of either type.
pub(super) enum Draft {
    Ip(IpCandidate),
    Attestation(AttestationCandidate),
}

/// Why a credential is issued: for its audit entry and its record.
pub(super) struct Origin {
    pub(super) request_id: Option<String>,
    pub(super) import_key: Option<String>,
    pub(super) via: &'static str,
    pub(super) line: Option<u64>,
}

impl Issuer {
    pub(super) fn require_kind(&self, kind: IssuerKind, what: &str) -> Result<(), NodeError> {
        if self.identity.kind == kind {
            Ok(())
        } else {
            Err(NodeError::NotForThisIssuer(format!(
                "this node is a {}; it does not issue {what}",
                self.identity.kind.as_str()
            )))
        }
    }

    /// Records an IP request after checking it against the track's rules.
    pub fn submit_request(&self, actor: &Actor, body: &Value) -> Result<RequestRecord, NodeError> {
        self.require_kind(IssuerKind::CertifyingBody, "IP certificates")?;
        let now = self.now();
        let candidate = candidate::ip_candidate(body, &self.settings, &[], false, now)
            .map_err(NodeError::Rules)?;
        let mut subject = body.as_object().cloned().unwrap_or_default();
        subject.remove("validUntil");
        let mut id_rng = rand::rngs::OsRng;
        let id = model::new_credential_id(&mut id_rng)
            .trim_start_matches("urn:uuid:")
            .to_owned();
        let record = RequestRecord {
            id: id.clone(),
            status: RequestStatus::Pending,
            subject: Value::Object(subject),
            valid_until: candidate.valid_until.map(time::format),
            submitted: time::format(now),
            submitted_by: actor.label(),
            decided: None,
            reason: None,
            credential_id: None,
        };
        let mut w = self.store.write()?;
        w.put_request(&record)?;
        w.audit(
            time::format(now),
            &actor.label(),
            "ip-request.submitted",
            Some(id),
            json!({"track": candidate.track.code()}),
        )?;
        w.commit()?;
        Ok(record)
    }

    /// One IP request.
    pub fn request(&self, id: &str) -> Result<RequestRecord, NodeError> {
        let id = credential_uuid(id)?;
        self.store
            .read()?
            .request(&id)?
            .ok_or_else(|| NodeError::NotFound(format!("no IP request has the id {id}")))
    }

    /// Approves a pending request: the fee is paid. Allocates the IP number and the
    /// status index, signs, stores, all in one transaction.
    pub fn approve(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Result<(RequestRecord, CredentialRecord), NodeError> {
        let id = credential_uuid(id)?;
        let keyring = self.keyring()?;
        let now = self.now();
        let mut w = self.store.write()?;
        let mut request = w
            .request(&id)?
            .ok_or_else(|| NodeError::NotFound(format!("no IP request has the id {id}")))?;
        if request.status != RequestStatus::Pending {
            return Err(NodeError::Conflict(format!(
                "IP request {id} was already {}",
                if request.status == RequestStatus::Approved {
                    "approved"
                } else {
                    "rejected"
                }
            )));
        }
        let mut body = request.subject.clone();
        if let (Some(until), Some(obj)) = (&request.valid_until, body.as_object_mut()) {
            obj.insert("validUntil".into(), until.clone().into());
        }
        // The rules are checked again: they may have changed since the submission.
        let candidate = candidate::ip_candidate(&body, &self.settings, &[], false, now)
            .map_err(NodeError::Rules)?;
        let mut alloc = Allocator::new(&w)?;
        let prepared = self.prepare(
            &mut w,
            &mut alloc,
            Draft::Ip(candidate),
            Origin {
                request_id: Some(id.clone()),
                import_key: None,
                via: "ip-request",
                line: None,
            },
            now,
        )?;
        let mut records = self.sign_and_insert(&mut w, &keyring, actor, vec![prepared], now)?;
        let record = records
            .pop()
            .ok_or_else(|| NodeError::Internal("nothing was issued".into()))?;
        request.status = RequestStatus::Approved;
        request.decided = Some(time::format(now));
        request.credential_id = Some(record.id.clone());
        w.put_request(&request)?;
        w.audit(
            time::format(now),
            &actor.label(),
            "ip-request.approved",
            Some(id),
            json!({"feePaid": true, "credential": record.id, "ipNumber": record.ip_number}),
        )?;
        w.commit()?;
        Ok((request, record))
    }

    /// Rejects a pending request, with a reason.
    pub fn reject(
        &self,
        actor: &Actor,
        id: &str,
        reason: String,
    ) -> Result<RequestRecord, NodeError> {
        let id = credential_uuid(id)?;
        let now = self.now();
        let mut w = self.store.write()?;
        let mut request = w
            .request(&id)?
            .ok_or_else(|| NodeError::NotFound(format!("no IP request has the id {id}")))?;
        if request.status != RequestStatus::Pending {
            return Err(NodeError::Conflict(format!(
                "IP request {id} was already decided"
            )));
        }
        request.status = RequestStatus::Rejected;
        request.decided = Some(time::format(now));
        request.reason = Some(reason.clone());
        w.put_request(&request)?;
        w.audit(
            time::format(now),
            &actor.label(),
            "ip-request.rejected",
            Some(id),
            json!({"reason": reason}),
        )?;
        w.commit()?;
        Ok(request)
    }

    /// Signs and stores a skill attestation (hospital nodes).
    pub fn issue_attestation(
        &self,
        actor: &Actor,
        body: &Value,
    ) -> Result<CredentialRecord, NodeError> {
        self.require_kind(IssuerKind::Hospital, "skill attestations")?;
        let now = self.now();
        let candidate =
            candidate::attestation_candidate(body, &[], now).map_err(NodeError::Rules)?;
        self.issue_one(actor, Draft::Attestation(candidate), "attestation", now)
    }

    /// The VC API's `POST /credentials/issue`: `credential` is an unsigned Probity
    /// credential whose subject holds the fields; the node fills in the rest.
    pub fn issue_vc_api(&self, actor: &Actor, body: &Value) -> Result<CredentialRecord, NodeError> {
        let obj = body.as_object().ok_or_else(|| {
            invalid(
                "body",
                "must be {\"credential\": {...}, \"options\": {...}}",
            )
        })?;
        if let Some(key) = obj.keys().find(|k| *k != "credential" && *k != "options") {
            return Err(invalid(key, "is not a member of a VC API issue request"));
        }
        if let Some(options) = obj.get("options") {
            if !options.is_object() {
                return Err(invalid("options", "must be an object"));
            }
        }
        let credential = obj
            .get("credential")
            .and_then(Value::as_object)
            .ok_or_else(|| invalid("credential", "is required: the unsigned credential"))?;
        for (key, value) in credential {
            match key.as_str() {
                "@context" | "type" | "name" | "credentialSubject" | "validUntil" => {}
                "issuer" => {
                    let id = value
                        .as_str()
                        .or_else(|| value.get("id").and_then(Value::as_str));
                    if id != Some(self.identity.did.as_str()) {
                        return Err(invalid(
                            "credential.issuer",
                            format!("this node issues as {}", self.identity.did),
                        ));
                    }
                }
                "proof" | "credentialStatus" | "id" | "validFrom" => {
                    return Err(invalid(
                        &format!("credential.{key}"),
                        "is written by this node; leave it out",
                    ))
                }
                other => {
                    return Err(invalid(
                        &format!("credential.{other}"),
                        "is not a member this node can issue",
                    ))
                }
            }
        }
        let types: Vec<&str> = match credential.get("type") {
            Some(Value::Array(t)) => t.iter().filter_map(Value::as_str).collect(),
            Some(Value::String(t)) => vec![t.as_str()],
            _ => Vec::new(),
        };
        let mut subject = credential
            .get("credentialSubject")
            .cloned()
            .ok_or_else(|| invalid("credential.credentialSubject", "is required"))?;
        let Some(sub) = subject.as_object_mut() else {
            return Err(invalid(
                "credential.credentialSubject",
                "must be one object",
            ));
        };
        sub.remove("achievement");
        if let Some(until) = credential.get("validUntil") {
            sub.insert("validUntil".into(), until.clone());
        }
        let now = self.now();
        let prefix = |failures: Vec<Failure>| {
            NodeError::Rules(
                failures
                    .into_iter()
                    .map(|f| Failure {
                        field: format!("credential.credentialSubject.{}", f.field),
                        reason: f.reason,
                    })
                    .collect(),
            )
        };
        if types.contains(&model::IP_CERTIFICATE) {
            self.require_kind(IssuerKind::CertifyingBody, "IP certificates")?;
            let c = candidate::ip_candidate(&subject, &self.settings, &[], false, now)
                .map_err(prefix)?;
            self.issue_one(actor, Draft::Ip(c), "vc-api", now)
        } else if types.contains(&model::SKILL_ATTESTATION) {
            self.require_kind(IssuerKind::Hospital, "skill attestations")?;
            let c = candidate::attestation_candidate(&subject, &[], now).map_err(prefix)?;
            self.issue_one(actor, Draft::Attestation(c), "vc-api", now)
        } else {
            Err(invalid(
                "credential.type",
                format!(
                    "must include {} or {}",
                    model::IP_CERTIFICATE,
                    model::SKILL_ATTESTATION
                ),
            ))
        }
    }

    pub(super) fn issue_one(
        &self,
        actor: &Actor,
        draft: Draft,
        via: &'static str,
        now: DateTime<Utc>,
    ) -> Result<CredentialRecord, NodeError> {
        let keyring = self.keyring()?;
        let mut w = self.store.write()?;
        let mut alloc = Allocator::new(&w)?;
        let prepared = self.prepare(
            &mut w,
            &mut alloc,
            draft,
            Origin {
                request_id: None,
                import_key: None,
                via,
                line: None,
            },
            now,
        )?;
        let mut records = self.sign_and_insert(&mut w, &keyring, actor, vec![prepared], now)?;
        w.commit()?;
        records
            .pop()
            .ok_or_else(|| NodeError::Internal("nothing was issued".into()))
    }

    /// Allocates (IP number, status index) and builds the unsigned credential.
    pub(super) fn prepare(
        &self,
        w: &mut Writer,
        alloc: &mut Allocator,
        draft: Draft,
        origin: Origin,
        now: DateTime<Utc>,
    ) -> Result<Prepared, NodeError> {
        let mut rng = rand::rngs::OsRng;
        let credential_id = model::new_credential_id(&mut rng);
        let uuid = credential_id.trim_start_matches("urn:uuid:").to_owned();
        let (mut subject, valid_until, track, given_ip) = match draft {
            Draft::Ip(c) => (c.subject, c.valid_until, Some(c.track), c.ip_number),
            Draft::Attestation(c) => (c.subject, c.valid_until, None, None),
        };
        let ip_number = match (track, given_ip) {
            (Some(_), Some(given)) => Some(alloc.claim_ip_number(w, &given)?),
            (Some(track), None) => Some(alloc.next_ip_number(
                w,
                track,
                &self.settings.track(track).ip_number_format,
            )?),
            (None, _) => None,
        };
        let index = alloc.next_index(w)?;
        let status = vec![
            StatusListEntry::new(
                StatusPurpose::Revocation,
                &self.list_url(REVOCATION_LIST),
                index,
            ),
            StatusListEntry::new(
                StatusPurpose::Suspension,
                &self.list_url(SUSPENSION_LIST),
                index,
            ),
        ];
        let envelope = Envelope {
            id: credential_id,
            issuer: IssuerRef {
                id: self.identity.did.clone(),
                name: Some(self.identity.name.clone()),
            },
            valid_from: now,
            valid_until,
            status,
        };
        let holder_did = subject.remove("id");
        let text = |k: &str| {
            subject
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let (holder, registration_number) = (text("name"), text("registrationNumber"));
        let (unsigned, kind) = match track {
            Some(_) => {
                if let Some(ip) = &ip_number {
                    subject.insert("ipNumber".into(), ip.clone().into());
                }
                let s: IpCertificateSubject = serde_json::from_value(Value::Object(subject))
                    .map_err(|e| invalid("body", e.to_string()))?;
                let doc = model::ip_certificate(&envelope, &s).map_err(|e| NodeError::Invalid {
                    field: e.field.trim_start_matches("credentialSubject.").to_owned(),
                    reason: e.reason,
                })?;
                (doc, model::IP_CERTIFICATE)
            }
            None => {
                let s: SkillAttestationSubject = serde_json::from_value(Value::Object(subject))
                    .map_err(|e| invalid("body", e.to_string()))?;
                let doc =
                    model::skill_attestation(&envelope, &s).map_err(|e| NodeError::Invalid {
                        field: e.field.trim_start_matches("credentialSubject.").to_owned(),
                        reason: e.reason,
                    })?;
                (doc, model::SKILL_ATTESTATION)
            }
        };
        let mut unsigned = unsigned;
        if let (Some(holder), Some(cs)) = (
            holder_did,
            unsigned
                .get_mut("credentialSubject")
                .and_then(Value::as_object_mut),
        ) {
            // Written after validation, as `probity issue --holder-did` does.
            cs.insert("id".into(), holder);
        }
        Ok(Prepared {
            record: CredentialRecord {
                id: uuid,
                kind: kind.to_owned(),
                status: CredentialStatus::Active,
                status_reason: None,
                status_changed: None,
                status_index: index,
                ip_number,
                track: track.map(|t| t.code().to_owned()),
                holder,
                registration_number,
                issued_at: time::format(now),
                request_id: origin.request_id,
                import_key: origin.import_key,
                credential: Value::Null,
            },
            unsigned,
            via: origin.via,
            line: origin.line,
        })
    }

    /// Signs every prepared credential (on all cores when there are many) and stores
    /// each with its audit entry, in `w`.
    pub(super) fn sign_and_insert(
        &self,
        w: &mut Writer,
        keyring: &Keyring,
        actor: &Actor,
        prepared: Vec<Prepared>,
        now: DateTime<Utc>,
    ) -> Result<Vec<CredentialRecord>, NodeError> {
        let created = time::format(now);
        let options = ProofOptions::assertion(keyring.active_method.clone(), Some(created.clone()));
        let key = keyring.signing_key();
        let sign = |p: &Prepared| {
            proof::sign(&p.unsigned, key, &options)
                .map_err(|e| NodeError::Internal(format!("signing: {e}")))
        };
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        let signed: Vec<Result<Value, NodeError>> = if prepared.len() >= 32 && threads > 1 {
            let chunk = prepared.len().div_ceil(threads);
            std::thread::scope(|scope| {
                let handles: Vec<_> = prepared
                    .chunks(chunk)
                    .map(|part| scope.spawn(move || part.iter().map(sign).collect::<Vec<_>>()))
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| {
                        h.join().unwrap_or_else(|_| {
                            vec![Err(NodeError::Internal("a signing thread failed".into()))]
                        })
                    })
                    .collect()
            })
        } else {
            prepared.iter().map(sign).collect()
        };
        if signed.len() != prepared.len() {
            return Err(NodeError::Internal("signing lost a credential".into()));
        }
        let mut out = Vec::with_capacity(prepared.len());
        for (p, doc) in prepared.into_iter().zip(signed) {
            let mut record = p.record;
            record.credential = doc?;
            w.insert_credential(&record)?;
            w.audit(
                created.clone(),
                &actor.label(),
                "credential.issued",
                Some(record.id.clone()),
                json!({
                    "type": record.kind,
                    "ipNumber": record.ip_number,
                    "statusIndex": record.status_index,
                    "via": p.via,
                    "line": p.line,
                    "importKey": record.import_key,
                    "request": record.request_id,
                }),
            )?;
            out.push(record);
        }
        Ok(out)
    }
}
