//! Reading what a client sends for a credential: the subject's fields as SPEC.md §5
//! names them (what `probity issue … --input` reads), checked against the spec's rules
//! and this node's track rules. Every failing rule is reported, not only the first,
//! so an instructor can fix a request in one go.

use crate::config::Settings;
use chrono::{DateTime, NaiveDate, Utc};
use probity_spec::model::{Achievement, ExamKind, Track};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// Longest string accepted in any field: generous for names, small enough that a
/// credential stays well inside a QR code's reach and the 1 MiB document limit.
pub const MAX_TEXT: usize = 300;
/// Most elements accepted in a list field (modules, applications, privileges).
pub const MAX_ITEMS: usize = 50;

/// One rule a request breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The field, as a path in the request body, such as `exams[2].score`.
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

fn fail(out: &mut Vec<Failure>, field: impl Into<String>, reason: impl Into<String>) {
    // A field name may be a client's own (an unknown member): kept short.
    let field: String = field.into().chars().take(120).collect();
    out.push(Failure {
        field,
        reason: reason.into(),
    });
}

/// A checked IP certificate candidate.
#[derive(Debug, Clone)]
pub struct IpCandidate {
    /// The subject's members, complete but for `ipNumber`.
    pub subject: Map<String, Value>,
    /// Its track.
    pub track: Track,
    /// An IP number given by the client (only when migrating a register).
    pub ip_number: Option<String>,
    /// Requested end of validity.
    pub valid_until: Option<DateTime<Utc>>,
}

/// A checked skill attestation candidate.
#[derive(Debug, Clone)]
pub struct AttestationCandidate {
    /// The subject's members, complete.
    pub subject: Map<String, Value>,
    /// Requested end of validity.
    pub valid_until: Option<DateTime<Utc>>,
}

const IP_MEMBERS: &[&str] = &[
    "id",
    "type",
    "name",
    "registrationNumber",
    "track",
    "modules",
    "curriculumVersion",
    "pathway",
    "course",
    "loggedScans",
    "exams",
    "validUntil",
];

const ATTESTATION_MEMBERS: &[&str] = &[
    "id",
    "type",
    "name",
    "registrationNumber",
    "department",
    "applications",
    "supervisedScans",
    "qaReviewer",
    "reviewDate",
    "privileges",
    "validUntil",
];

/// Checks an IP certificate candidate. `extra` names further top-level members the
/// caller handles itself (an import row's `line` and `importId`); `allow_ip_number`
/// lets a register migration carry its existing IP number.
pub fn ip_candidate(
    body: &Value,
    settings: &Settings,
    extra: &[&str],
    allow_ip_number: bool,
    now: DateTime<Utc>,
) -> Result<IpCandidate, Vec<Failure>> {
    let mut f = Vec::new();
    let Some(obj) = body.as_object() else {
        fail(
            &mut f,
            "body",
            "must be a JSON object of the certificate's fields",
        );
        return Err(f);
    };
    for key in obj.keys() {
        let known = IP_MEMBERS.contains(&key.as_str())
            || extra.contains(&key.as_str())
            || (allow_ip_number && key == "ipNumber");
        if key == "ipNumber" && !allow_ip_number {
            fail(&mut f, "ipNumber", "the IP number is allocated by this node when the request is approved; leave it out");
        } else if key == "achievement" {
            fail(
                &mut f,
                "achievement",
                "the achievement is written by this node from the track; leave it out",
            );
        } else if !known {
            fail(
                &mut f,
                key.as_str(),
                "is not a field of an IP certificate (SPEC.md §5.2)",
            );
        }
    }
    let mut subject = Map::new();
    holder_fields(obj, &mut subject, &mut f);
    let ip_number = if allow_ip_number {
        match obj.get("ipNumber") {
            None | Some(Value::Null) => None,
            Some(_) => text(obj, "ipNumber", "ipNumber", &mut f),
        }
    } else {
        None
    };
    let track = match obj.get("track") {
        None => {
            fail(&mut f, "track", "is required");
            None
        }
        Some(Value::String(t)) => match Track::parse(t) {
            Ok(track) => Some(track),
            Err(e) => {
                fail(&mut f, "track", e.reason);
                None
            }
        },
        Some(_) => {
            fail(&mut f, "track", "must be a string");
            None
        }
    };
    let modules = string_list(obj, "modules", false, &mut f).unwrap_or_default();
    subject.insert("modules".into(), json!(modules));
    if let Some(v) = text(obj, "curriculumVersion", "curriculumVersion", &mut f) {
        subject.insert("curriculumVersion".into(), v.into());
    }
    match obj.get("pathway") {
        None => {
            subject.insert("pathway".into(), "standard".into());
        }
        Some(Value::String(p)) if p == "standard" || p == "exception" => {
            subject.insert("pathway".into(), p.clone().into());
        }
        Some(_) => fail(&mut f, "pathway", "must be \"standard\" or \"exception\""),
    }

    match obj.get("course") {
        Some(Value::Object(course)) => {
            let id = text(course, "id", "course.id", &mut f);
            let provider = text(course, "provider", "course.provider", &mut f);
            let date = date(course, "date", "course.date", &mut f);
            unknown_members(course, &["id", "provider", "date"], "course", &mut f);
            if let (Some(id), Some(provider), Some(date)) = (id, provider, date) {
                subject.insert(
                    "course".into(),
                    json!({"id": id, "provider": provider, "date": date}),
                );
            }
        }
        None => fail(
            &mut f,
            "course",
            "is required: {\"id\", \"provider\", \"date\"}",
        ),
        Some(_) => fail(
            &mut f,
            "course",
            "must be an object {\"id\", \"provider\", \"date\"}",
        ),
    }

    let rules = track.map(|t| settings.track(t));
    match obj.get("loggedScans") {
        Some(Value::Object(scans)) => {
            let total = count(scans, "total", "loggedScans.total", &mut f);
            let supervised = count(scans, "supervised", "loggedScans.supervised", &mut f);
            let from = date(scans, "from", "loggedScans.from", &mut f);
            let to = date(scans, "to", "loggedScans.to", &mut f);
            let supervisor = text(
                scans,
                "supervisorIpNumber",
                "loggedScans.supervisorIpNumber",
                &mut f,
            );
            unknown_members(
                scans,
                &["total", "supervised", "from", "to", "supervisorIpNumber"],
                "loggedScans",
                &mut f,
            );
            if let (Some(t), Some(s)) = (total, supervised) {
                if s > t {
                    fail(
                        &mut f,
                        "loggedScans.supervised",
                        format!("{s} supervised scans is more than the {t} logged in all"),
                    );
                }
            }
            if let (Some(s), Some(rules), Some(track)) = (supervised, &rules, track) {
                if s < rules.min_supervised_scans {
                    fail(
                        &mut f,
                        "loggedScans.supervised",
                        format!(
                            "{s} supervised scans; track {} needs at least {}",
                            track.display_name(),
                            rules.min_supervised_scans
                        ),
                    );
                }
            }
            if let (Some(a), Some(b)) = (&from, &to) {
                if b < a {
                    fail(
                        &mut f,
                        "loggedScans.to",
                        format!("{b} is before loggedScans.from ({a})"),
                    );
                }
            }
            if let (Some(total), Some(supervised), Some(from), Some(to), Some(sup)) =
                (total, supervised, from, to, supervisor)
            {
                subject.insert(
                    "loggedScans".into(),
                    json!({"total": total, "supervised": supervised, "from": from, "to": to, "supervisorIpNumber": sup}),
                );
            }
        }
        None => fail(&mut f, "loggedScans", "is required"),
        Some(_) => fail(&mut f, "loggedScans", "must be an object"),
    }

    match obj.get("exams") {
        Some(Value::Array(exams)) => {
            let mut seen = [0usize; 3];
            let mut out: Vec<Option<Value>> = vec![None, None, None];
            for (i, exam) in exams.iter().enumerate() {
                let path = format!("exams[{i}]");
                let Some(exam) = exam.as_object() else {
                    fail(
                        &mut f,
                        path,
                        "must be an object {\"kind\", \"score\", \"date\", \"examiner\"}",
                    );
                    continue;
                };
                let kind = match exam.get("kind").and_then(Value::as_str) {
                    Some(k) => ExamKind::ALL.into_iter().find(|e| e.as_str() == k),
                    None => None,
                };
                let Some(kind) = kind else {
                    fail(
                        &mut f,
                        format!("{path}.kind"),
                        "must be \"written\", \"visual\" or \"practical\"",
                    );
                    continue;
                };
                let slot = ExamKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
                seen[slot] += 1;
                let score = count(exam, "score", &format!("{path}.score"), &mut f);
                let date = date(exam, "date", &format!("{path}.date"), &mut f);
                let examiner = text(exam, "examiner", &format!("{path}.examiner"), &mut f);
                unknown_members(
                    exam,
                    &["kind", "score", "passMark", "date", "examiner"],
                    &path,
                    &mut f,
                );
                let pass_mark = rules.as_ref().map(|r| r.pass_mark(kind));
                if let (Some(given), Some(mark)) = (exam.get("passMark"), pass_mark) {
                    if given.as_u64() != Some(u64::from(mark)) {
                        fail(
                            &mut f,
                            format!("{path}.passMark"),
                            format!(
                                "the pass mark of the {} exam is this node's: {mark}; leave it out",
                                kind.as_str()
                            ),
                        );
                    }
                }
                if let Some(score) = score {
                    if score > 100 {
                        fail(
                            &mut f,
                            format!("{path}.score"),
                            format!("{score} is not a percentage (0 to 100)"),
                        );
                    } else if let Some(mark) = pass_mark {
                        if score < u32::from(mark) {
                            fail(
                                &mut f,
                                format!("{path}.score"),
                                format!(
                                    "{score} is under the {} exam's pass mark of {mark}",
                                    kind.as_str()
                                ),
                            );
                        }
                    }
                }
                if let (Some(score), Some(mark), Some(date), Some(examiner)) =
                    (score, pass_mark, date, examiner)
                {
                    out[slot] = Some(
                        json!({"kind": kind.as_str(), "score": score, "passMark": mark, "date": date, "examiner": examiner}),
                    );
                }
            }
            for (i, kind) in ExamKind::ALL.iter().enumerate() {
                match seen[i] {
                    0 => fail(
                        &mut f,
                        "exams",
                        format!("the {} exam is missing", kind.as_str()),
                    ),
                    1 => {}
                    n => fail(
                        &mut f,
                        "exams",
                        format!("the {} exam appears {n} times", kind.as_str()),
                    ),
                }
            }
            if out.iter().all(Option::is_some) {
                subject.insert(
                    "exams".into(),
                    Value::Array(out.into_iter().flatten().collect()),
                );
            }
        }
        None => fail(
            &mut f,
            "exams",
            "is required: the written, visual and practical exams",
        ),
        Some(_) => fail(&mut f, "exams", "must be an array of the three exams"),
    }
    let valid_until = valid_until(obj, now, &mut f);
    if !f.is_empty() {
        return Err(f);
    }
    let Some(track) = track else {
        fail(&mut f, "track", "is required");
        return Err(f);
    };
    subject.insert("track".into(), track.code().into());
    subject.insert(
        "achievement".into(),
        serde_json::to_value(Achievement::ip_certificate(track)).unwrap_or(Value::Null),
    );
    Ok(IpCandidate {
        subject,
        track,
        ip_number,
        valid_until,
    })
}

/// Checks a skill attestation candidate (SPEC.md §5.4).
pub fn attestation_candidate(
    body: &Value,
    extra: &[&str],
    now: DateTime<Utc>,
) -> Result<AttestationCandidate, Vec<Failure>> {
    let mut f = Vec::new();
    let Some(obj) = body.as_object() else {
        fail(
            &mut f,
            "body",
            "must be a JSON object of the attestation's fields",
        );
        return Err(f);
    };
    for key in obj.keys() {
        if key == "achievement" {
            fail(
                &mut f,
                "achievement",
                "the achievement is written by this node; leave it out",
            );
        } else if !ATTESTATION_MEMBERS.contains(&key.as_str()) && !extra.contains(&key.as_str()) {
            fail(
                &mut f,
                key.as_str(),
                "is not a field of a skill attestation (SPEC.md §5.4)",
            );
        }
    }
    let mut subject = Map::new();
    holder_fields(obj, &mut subject, &mut f);
    if let Some(v) = text(obj, "department", "department", &mut f) {
        subject.insert("department".into(), v.into());
    }
    let applications = string_list(obj, "applications", true, &mut f);
    if let Some(apps) = &applications {
        subject.insert("applications".into(), json!(apps));
    }
    match obj.get("supervisedScans") {
        None => {
            subject.insert("supervisedScans".into(), json!({}));
        }
        Some(Value::Object(scans)) => {
            let mut out = Map::new();
            for (app, n) in scans {
                let path = format!("supervisedScans.{app}");
                if let Some(apps) = &applications {
                    if !apps.contains(app) {
                        fail(&mut f, path.clone(), "is not one of applications");
                    }
                }
                match n.as_u64().filter(|n| *n <= u64::from(u32::MAX)) {
                    Some(n) => {
                        out.insert(app.clone(), n.into());
                    }
                    None => fail(&mut f, path, "must be a whole number of scans"),
                }
            }
            subject.insert("supervisedScans".into(), Value::Object(out));
        }
        Some(_) => fail(
            &mut f,
            "supervisedScans",
            "must be an object: application → number of scans",
        ),
    }
    if let Some(v) = text(obj, "qaReviewer", "qaReviewer", &mut f) {
        subject.insert("qaReviewer".into(), v.into());
    }
    if let Some(v) = date(obj, "reviewDate", "reviewDate", &mut f) {
        subject.insert("reviewDate".into(), v.into());
    }
    let privileges = string_list(obj, "privileges", false, &mut f).unwrap_or_default();
    subject.insert("privileges".into(), json!(privileges));
    let valid_until = valid_until(obj, now, &mut f);
    if !f.is_empty() {
        return Err(f);
    }
    subject.insert(
        "achievement".into(),
        serde_json::to_value(Achievement::skill_attestation()).unwrap_or(Value::Null),
    );
    Ok(AttestationCandidate {
        subject,
        valid_until,
    })
}

/// `id` (holder DID), `type`, `name` and `registrationNumber`, common to both types.
fn holder_fields(obj: &Map<String, Value>, subject: &mut Map<String, Value>, f: &mut Vec<Failure>) {
    match obj.get("id") {
        None => {}
        Some(Value::String(id))
            if id.starts_with("did:")
                && id.len() <= MAX_TEXT
                && !id.chars().any(char::is_whitespace) =>
        {
            subject.insert("id".into(), id.clone().into());
        }
        Some(_) => fail(f, "id", "the holder's DID: a string starting with did:"),
    }
    match obj.get("type") {
        None => {}
        Some(Value::Array(t))
            if t.iter().any(|v| v == "AchievementSubject")
                && t.iter().all(Value::is_string)
                && t.len() <= 4 => {}
        Some(_) => fail(f, "type", "when given, must be [\"AchievementSubject\"]"),
    }
    subject.insert("type".into(), json!(["AchievementSubject"]));
    if let Some(v) = text(obj, "name", "name", f) {
        subject.insert("name".into(), v.into());
    }
    if let Some(v) = text(obj, "registrationNumber", "registrationNumber", f) {
        subject.insert("registrationNumber".into(), v.into());
    }
}

fn unknown_members(obj: &Map<String, Value>, known: &[&str], path: &str, f: &mut Vec<Failure>) {
    for key in obj.keys() {
        if !known.contains(&key.as_str()) {
            fail(f, format!("{path}.{key}"), "is not a known field");
        }
    }
}

/// A required, non-blank string of at most [`MAX_TEXT`] characters.
fn text(obj: &Map<String, Value>, key: &str, path: &str, f: &mut Vec<Failure>) -> Option<String> {
    match obj.get(key) {
        None | Some(Value::Null) => {
            fail(f, path, "is required");
            None
        }
        Some(Value::String(s)) if s.trim().is_empty() => {
            fail(f, path, "must not be blank");
            None
        }
        Some(Value::String(s)) if s.chars().count() > MAX_TEXT => {
            fail(f, path, format!("is longer than {MAX_TEXT} characters"));
            None
        }
        Some(Value::String(s)) if s.chars().any(|c| c.is_control()) => {
            fail(
                f,
                path,
                "must not hold control characters (line breaks, tabs, escapes)",
            );
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            fail(f, path, "must be a string");
            None
        }
    }
}

fn date(obj: &Map<String, Value>, key: &str, path: &str, f: &mut Vec<Failure>) -> Option<String> {
    let s = text(obj, key, path, f)?;
    if s.len() == 10 && NaiveDate::parse_from_str(&s, "%Y-%m-%d").is_ok() {
        Some(s)
    } else {
        fail(f, path, format!("{s:?} is not a date (YYYY-MM-DD)"));
        None
    }
}

fn count(obj: &Map<String, Value>, key: &str, path: &str, f: &mut Vec<Failure>) -> Option<u32> {
    match obj.get(key) {
        None | Some(Value::Null) => {
            fail(f, path, "is required");
            None
        }
        Some(v) => match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Some(n),
            None => {
                fail(
                    f,
                    path,
                    "must be a whole number from 0 to 4294967295 (not a string or a decimal)",
                );
                None
            }
        },
    }
}

fn string_list(
    obj: &Map<String, Value>,
    key: &str,
    required: bool,
    f: &mut Vec<Failure>,
) -> Option<Vec<String>> {
    match obj.get(key) {
        None | Some(Value::Null) if !required => None,
        None | Some(Value::Null) => {
            fail(f, key, "is required: a list of at least one");
            None
        }
        Some(Value::Array(items)) => {
            if required && items.is_empty() {
                fail(f, key, "must list at least one");
            }
            if items.len() > MAX_ITEMS {
                fail(f, key, format!("lists more than {MAX_ITEMS}"));
                return None;
            }
            let mut out = Vec::new();
            let mut seen = BTreeSet::new();
            for i in 0..items.len() {
                let Some(s) = text_at(items, i, &format!("{key}[{i}]"), f) else {
                    continue;
                };
                if !seen.insert(s.clone()) {
                    fail(f, format!("{key}[{i}]"), format!("{s:?} is listed twice"));
                }
                out.push(s);
            }
            Some(out)
        }
        Some(_) => {
            fail(f, key, "must be a list of strings");
            None
        }
    }
}

fn text_at(items: &[Value], i: usize, path: &str, f: &mut Vec<Failure>) -> Option<String> {
    let mut one = Map::new();
    one.insert("v".into(), items.get(i).cloned().unwrap_or(Value::Null));
    text(&one, "v", path, f)
}

fn valid_until(
    obj: &Map<String, Value>,
    now: DateTime<Utc>,
    f: &mut Vec<Failure>,
) -> Option<DateTime<Utc>> {
    match obj.get("validUntil") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => match probity_spec::time::parse(s) {
            Ok(t) if t > now => Some(t),
            Ok(_) => {
                fail(f, "validUntil", format!("{s} is not in the future"));
                None
            }
            Err(e) => {
                fail(f, "validUntil", e.to_string());
                None
            }
        },
        Some(_) => {
            fail(f, "validUntil", "must be an RFC 3339 date-time string");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        probity_spec::time::parse("2026-03-01T00:00:00Z").unwrap()
    }

    fn good() -> Value {
        json!({
            "name": "Dr. Amelia Okafor", "registrationNumber": "CPSO 0123456", "track": "FM MSK",
            "modules": ["shoulder"], "curriculumVersion": "2024.1",
            "course": {"id": "C-1", "provider": "Western", "date": "2025-10-04"},
            "loggedScans": {"total": 150, "supervised": 50, "from": "2025-10-05", "to": "2026-02-10", "supervisorIpNumber": "IP-1"},
            "exams": [
                {"kind": "written", "score": 92, "date": "2026-01-15", "examiner": "L"},
                {"kind": "visual", "score": 88, "date": "2026-01-15", "examiner": "L"},
                {"kind": "practical", "score": 100, "date": "2026-02-20", "examiner": "P"}
            ]
        })
    }

    #[test]
    fn a_good_candidate_is_completed() {
        let c = ip_candidate(&good(), &Settings::default(), &[], false, now()).unwrap();
        assert_eq!(c.track, Track::FmMsk);
        assert_eq!(c.subject["track"], "FM_MSK");
        assert_eq!(c.subject["exams"][2]["passMark"], 100);
        assert_eq!(c.subject["pathway"], "standard");
    }

    #[test]
    fn every_failing_rule_is_listed() {
        let mut body = good();
        body["exams"][0]["score"] = json!(80);
        body["exams"][2]["score"] = json!(99);
        body["loggedScans"]["supervised"] = json!(10);
        body["course"]["date"] = json!("04/10/2025");
        body["ipNumber"] = json!("X-1");
        body["name"] = json!("  ");
        let failures = ip_candidate(&body, &Settings::default(), &[], false, now()).unwrap_err();
        let fields: Vec<&str> = failures.iter().map(|f| f.field.as_str()).collect();
        for want in [
            "exams[0].score",
            "exams[2].score",
            "loggedScans.supervised",
            "course.date",
            "ipNumber",
            "name",
        ] {
            assert!(fields.contains(&want), "{want} missing from {failures:?}");
        }
    }

    #[test]
    fn attestation_rules() {
        let body = json!({"name": "J", "registrationNumber": "R", "department": "ED",
            "applications": ["eFAST"], "supervisedScans": {"AAA": 3}, "qaReviewer": "Q", "reviewDate": "2026-04-02"});
        let failures = attestation_candidate(&body, &[], now()).unwrap_err();
        assert_eq!(failures[0].field, "supervisedScans.AAA");
    }
}
