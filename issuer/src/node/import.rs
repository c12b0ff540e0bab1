//! Batch import: many rows, one transaction.

use super::*;

/// One row's outcome in an import.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportResult {
    /// The row's line number in the client's file.
    pub line: u64,
    /// `issued`, `existing` (issued by an earlier run) or `refused`.
    pub status: &'static str,
    /// The credential's UUID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its IP number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_number: Option<String>,
    /// Why it was refused: every failing rule.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<Failure>,
}

impl Issuer {
    /// Imports a batch of rows in one transaction: each row is issued, found already
    /// issued (its idempotency key was seen before), or refused with its reasons.
    pub fn import(&self, actor: &Actor, body: &Value) -> Result<Vec<ImportResult>, NodeError> {
        let rows = body
            .get("rows")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid("rows", "is required: an array of rows"))?;
        if let Some(key) = body
            .as_object()
            .and_then(|o| o.keys().find(|k| *k != "rows"))
        {
            return Err(invalid(
                key,
                "is not a member of an import batch; send {\"rows\": [...]}",
            ));
        }
        if rows.len() > MAX_IMPORT_ROWS {
            return Err(invalid(
                "rows",
                format!(
                    "holds {} rows; send at most {MAX_IMPORT_ROWS} per batch",
                    rows.len()
                ),
            ));
        }
        let keyring = self.keyring()?;
        let now = self.now();
        let mut w = self.store.write()?;
        let mut alloc = Allocator::new(&w)?;
        let mut results: Vec<ImportResult> = Vec::with_capacity(rows.len());
        let mut prepared = Vec::new();
        let mut batch_keys: HashSet<String> = HashSet::new();
        let mut result_of_key: HashMap<String, usize> = HashMap::new();
        for (i, row) in rows.iter().enumerate() {
            let line = row
                .get("line")
                .and_then(Value::as_u64)
                .unwrap_or(i as u64 + 1);
            let refuse = |failures: Vec<Failure>| ImportResult {
                line,
                status: "refused",
                id: None,
                ip_number: None,
                failures,
            };
            let draft = match self.identity.kind {
                IssuerKind::CertifyingBody => {
                    candidate::ip_candidate(row, &self.settings, &["line", "importId"], true, now)
                        .map(Draft::Ip)
                }
                IssuerKind::Hospital => {
                    candidate::attestation_candidate(row, &["line", "importId"], now)
                        .map(Draft::Attestation)
                }
            };
            let draft = match draft {
                Ok(d) => d,
                Err(failures) => {
                    results.push(refuse(failures));
                    continue;
                }
            };
            let key = match import_key(row, &draft) {
                Ok(k) => k,
                Err(f) => {
                    results.push(refuse(vec![f]));
                    continue;
                }
            };
            if let Some(existing) = w.credential_id_by_import_key(&key)? {
                let ip = w.credential(&existing)?.and_then(|c| c.ip_number);
                results.push(ImportResult {
                    line,
                    status: "existing",
                    id: Some(existing),
                    ip_number: ip,
                    failures: Vec::new(),
                });
                continue;
            }
            if !batch_keys.insert(key.clone()) {
                let earlier = result_of_key.get(&key).and_then(|i| results.get(*i));
                let (id, ip) = earlier
                    .map(|r| (r.id.clone(), r.ip_number.clone()))
                    .unwrap_or_default();
                results.push(ImportResult {
                    line,
                    status: "existing",
                    id,
                    ip_number: ip,
                    failures: Vec::new(),
                });
                continue;
            }
            let origin = Origin {
                request_id: None,
                import_key: Some(key.clone()),
                via: "import",
                line: Some(line),
            };
            match self.prepare(&mut w, &mut alloc, draft, origin, now) {
                Ok(p) => {
                    result_of_key.insert(key, results.len());
                    results.push(ImportResult {
                        line,
                        status: "issued",
                        id: Some(p.record.id.clone()),
                        ip_number: p.record.ip_number.clone(),
                        failures: Vec::new(),
                    });
                    prepared.push(p);
                }
                Err(NodeError::Invalid { field, reason }) => {
                    batch_keys.remove(&key);
                    results.push(refuse(vec![Failure { field, reason }]));
                }
                Err(other) => return Err(other),
            }
        }
        if !prepared.is_empty() {
            self.sign_and_insert(&mut w, &keyring, actor, prepared, now)?;
            w.commit()?;
        }
        Ok(results)
    }
}

/// A row's idempotency key: its `importId`, else what identifies the credential in a
/// register (registration number and track, or for attestations registration number,
/// department and review date).
fn import_key(row: &Value, draft: &Draft) -> Result<String, Failure> {
    match row.get("importId") {
        Some(Value::String(id))
            if !id.trim().is_empty()
                && id.chars().count() <= 200
                && !id.chars().any(char::is_control) =>
        {
            return Ok(format!("id:{}", id.trim()))
        }
        None | Some(Value::Null) => {}
        Some(_) => {
            return Err(Failure {
                field: "importId".into(),
                reason: "must be a non-blank string of at most 200 characters".into(),
            })
        }
    }
    let text = |m: &Map<String, Value>, k: &str| {
        m.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Ok(match draft {
        Draft::Ip(c) => format!(
            "ip:{}:{}",
            store::registration_key(&text(&c.subject, "registrationNumber")),
            c.track.code()
        ),
        Draft::Attestation(c) => format!(
            "attestation:{}:{}:{}",
            store::registration_key(&text(&c.subject, "registrationNumber")),
            text(&c.subject, "department"),
            text(&c.subject, "reviewDate")
        ),
    })
}
