//! `probity issue ip-certificate` and `probity issue attestation`: build a credential
//! from flags and/or an input file, validate it with the spec's rules, sign it.

use crate::cli::{AttestationArgs, IpCertificateArgs, IssueCommon, PathwayArg};
use crate::exit;
use anyhow::{anyhow, bail, Context, Result};
use probity_spec::model::{
    self, Achievement, Envelope, ExamKind, IpCertificateSubject, IssuerRef,
    SkillAttestationSubject, Track,
};
use probity_spec::proof::{self, ProofOptions};
use probity_spec::status_list::{StatusListEntry, StatusPurpose, MIN_ENTRIES};
use serde_json::{json, Map, Value};

/// Runs `probity issue ip-certificate`.
pub fn ip_certificate(args: &IpCertificateArgs) -> Result<i32> {
    let Input {
        subject: mut fields,
        envelope: envelope_fields,
    } = read_input(&args.common, IP_SUBJECT)?;
    let set = |fields: &mut Map<String, Value>, path: &[&str], value: Option<Value>| {
        if let Some(value) = value {
            set_path(fields, path, value);
        }
    };
    let s = |v: &Option<String>| v.clone().map(Value::from);
    set(&mut fields, &["name"], s(&args.holder_name));
    set(
        &mut fields,
        &["registrationNumber"],
        s(&args.registration_number),
    );
    set(&mut fields, &["ipNumber"], s(&args.ip_number));
    if let Some(track) = &args.track {
        set(
            &mut fields,
            &["track"],
            Some(
                Track::parse(track)
                    .map_err(|e| anyhow!("--track: {}", e.reason))?
                    .code()
                    .into(),
            ),
        );
    }
    if !args.modules.is_empty() {
        set(&mut fields, &["modules"], Some(json!(args.modules)));
    }
    set(
        &mut fields,
        &["curriculumVersion"],
        s(&args.curriculum_version),
    );
    set(
        &mut fields,
        &["pathway"],
        args.pathway.map(|p| match p {
            PathwayArg::Standard => "standard".into(),
            PathwayArg::Exception => "exception".into(),
        }),
    );
    set(&mut fields, &["course", "id"], s(&args.course_id));
    set(
        &mut fields,
        &["course", "provider"],
        s(&args.course_provider),
    );
    set(&mut fields, &["course", "date"], s(&args.course_date));
    set(
        &mut fields,
        &["loggedScans", "total"],
        args.scans_total.map(Value::from),
    );
    set(
        &mut fields,
        &["loggedScans", "supervised"],
        args.scans_supervised.map(Value::from),
    );
    set(&mut fields, &["loggedScans", "from"], s(&args.scans_from));
    set(&mut fields, &["loggedScans", "to"], s(&args.scans_to));
    set(
        &mut fields,
        &["loggedScans", "supervisorIpNumber"],
        s(&args.supervisor_ip_number),
    );
    let exam_flags = [
        (
            ExamKind::Written,
            args.written_score,
            args.written_pass_mark,
            &args.written_date,
            &args.written_examiner,
        ),
        (
            ExamKind::Visual,
            args.visual_score,
            args.visual_pass_mark,
            &args.visual_date,
            &args.visual_examiner,
        ),
        (
            ExamKind::Practical,
            args.practical_score,
            args.practical_pass_mark,
            &args.practical_date,
            &args.practical_examiner,
        ),
    ];
    let mut exams: Vec<Value> = fields
        .remove("exams")
        .and_then(|e| e.as_array().cloned())
        .unwrap_or_default();
    for (kind, score, pass_mark, date, examiner) in exam_flags {
        let position = exams.iter().position(|e| e["kind"] == kind.as_str());
        let index = position.unwrap_or_else(|| {
            exams.push(json!({"kind": kind.as_str()}));
            exams.len() - 1
        });
        let Some(exam) = exams[index].as_object_mut() else {
            bail!("exams[{index}] in the input file is not an object");
        };
        if let Some(v) = score {
            exam.insert("score".into(), v.into());
        }
        if let Some(v) = pass_mark {
            exam.insert("passMark".into(), v.into());
        }
        if let Some(v) = date {
            exam.insert("date".into(), v.clone().into());
        }
        if let Some(v) = examiner {
            exam.insert("examiner".into(), v.clone().into());
        }
        exam.entry("passMark")
            .or_insert(kind.default_pass_mark().into());
    }
    fields.insert("exams".into(), Value::Array(exams));
    fields
        .entry("type")
        .or_insert(json!(["AchievementSubject"]));
    fields.entry("pathway").or_insert("standard".into());
    fields.entry("modules").or_insert(json!([]));

    require(
        &fields,
        &[
            ("name", "--holder-name"),
            ("registrationNumber", "--registration-number"),
            ("ipNumber", "--ip-number"),
            ("track", "--track"),
            ("curriculumVersion", "--curriculum-version"),
            ("course.id", "--course-id"),
            ("course.provider", "--course-provider"),
            ("course.date", "--course-date"),
            ("loggedScans.total", "--scans-total"),
            ("loggedScans.supervised", "--scans-supervised"),
            ("loggedScans.from", "--scans-from"),
            ("loggedScans.to", "--scans-to"),
            ("loggedScans.supervisorIpNumber", "--supervisor-ip-number"),
        ],
    )?;
    for (i, kind) in ExamKind::ALL.iter().enumerate() {
        let exam = fields["exams"][i].as_object().cloned().unwrap_or_default();
        for (field, flag) in [
            ("score", "score"),
            ("date", "date"),
            ("examiner", "examiner"),
        ] {
            if !exam.contains_key(field) {
                bail!(
                    "missing --{}-{flag} (credentialSubject.exams[{i}].{field})",
                    kind.as_str()
                );
            }
        }
    }
    let track = fields
        .get("track")
        .and_then(Value::as_str)
        .map(Track::parse)
        .transpose()
        .map_err(|e| anyhow!("{e}"))?
        .ok_or_else(|| anyhow!("missing --track"))?;
    fields.insert("track".into(), track.code().into());
    fields
        .entry("achievement")
        .or_insert(serde_json::to_value(Achievement::ip_certificate(track))?);
    let subject: IpCertificateSubject = serde_json::from_value(Value::Object(fields))
        .map_err(|e| anyhow!("credentialSubject: {e}"))?;
    let (envelope, key, vm) = envelope(&args.common, &envelope_fields)?;
    let unsigned = model::ip_certificate(&envelope, &subject)
        .map_err(|e| anyhow!("refusing to issue: {e}"))?;
    sign_and_write(&args.common, &unsigned, &key, vm)
}

/// Runs `probity issue attestation`.
pub fn attestation(args: &AttestationArgs) -> Result<i32> {
    let Input {
        subject: mut fields,
        envelope: envelope_fields,
    } = read_input(&args.common, ATTESTATION_SUBJECT)?;
    let s = |v: &Option<String>| v.clone().map(Value::from);
    for (path, value) in [
        ("name", s(&args.holder_name)),
        ("registrationNumber", s(&args.registration_number)),
        ("department", s(&args.department)),
        ("qaReviewer", s(&args.qa_reviewer)),
        ("reviewDate", s(&args.review_date)),
    ] {
        if let Some(value) = value {
            fields.insert(path.into(), value);
        }
    }
    if !args.applications.is_empty() {
        fields.insert("applications".into(), json!(args.applications));
    }
    if !args.privileges.is_empty() {
        fields.insert("privileges".into(), json!(args.privileges));
    }
    if !args.supervised_scans.is_empty() {
        let scans: Map<String, Value> = args
            .supervised_scans
            .iter()
            .map(|(a, n)| (a.clone(), (*n).into()))
            .collect();
        fields.insert("supervisedScans".into(), Value::Object(scans));
    }
    fields
        .entry("type")
        .or_insert(json!(["AchievementSubject"]));
    fields.entry("supervisedScans").or_insert(json!({}));
    fields.entry("privileges").or_insert(json!([]));
    fields
        .entry("achievement")
        .or_insert(serde_json::to_value(Achievement::skill_attestation())?);
    require(
        &fields,
        &[
            ("name", "--holder-name"),
            ("registrationNumber", "--registration-number"),
            ("department", "--department"),
            ("applications", "--application"),
            ("qaReviewer", "--qa-reviewer"),
            ("reviewDate", "--review-date"),
        ],
    )?;
    let subject: SkillAttestationSubject = serde_json::from_value(Value::Object(fields))
        .map_err(|e| anyhow!("credentialSubject: {e}"))?;
    let (envelope, key, vm) = envelope(&args.common, &envelope_fields)?;
    let unsigned = model::skill_attestation(&envelope, &subject)
        .map_err(|e| anyhow!("refusing to issue: {e}"))?;
    sign_and_write(&args.common, &unsigned, &key, vm)
}

/// Envelope keys an input file may hold beside the subject's fields.
const ENVELOPE_KEYS: [&str; 3] = ["issuerName", "validFrom", "validUntil"];

/// The members an input file may hold for one credential type: the subject's members
/// as SPEC.md names them, and for each member that is an object (or a list of
/// objects), the members it may hold in turn.
struct SubjectShape {
    members: &'static [&'static str],
    nested: &'static [(&'static str, &'static [&'static str])],
}

/// SPEC.md §5.2, §5.3 and §5.5.
const IP_SUBJECT: SubjectShape = SubjectShape {
    members: &[
        "id",
        "type",
        "name",
        "registrationNumber",
        "ipNumber",
        "track",
        "modules",
        "curriculumVersion",
        "pathway",
        "course",
        "loggedScans",
        "exams",
        "achievement",
    ],
    nested: &[
        ("course", &["id", "provider", "date"]),
        (
            "loggedScans",
            &["total", "supervised", "from", "to", "supervisorIpNumber"],
        ),
        ("exams", &["kind", "score", "passMark", "date", "examiner"]),
    ],
};

/// SPEC.md §5.4 and §5.5.
const ATTESTATION_SUBJECT: SubjectShape = SubjectShape {
    members: &[
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
        "achievement",
    ],
    nested: &[],
};

/// What `--input` held: the subject's fields, and the envelope's.
struct Input {
    subject: Map<String, Value>,
    envelope: Map<String, Value>,
}

/// Reads `--input` once (it may be standard input, which can be read only once) and
/// refuses any member this credential type does not have, by name, so that a typo or
/// a flag name is not dropped without a word.
fn read_input(common: &IssueCommon, shape: SubjectShape) -> Result<Input> {
    let Some(path) = &common.input else {
        return Ok(Input {
            subject: Map::new(),
            envelope: Map::new(),
        });
    };
    let source = crate::input::display(path);
    let Value::Object(mut map) = crate::input::read_json(path)? else {
        bail!("{source} must hold a JSON object");
    };
    // An input file may be a credential subject's fields (with the envelope keys
    // beside them), or a whole credential: then its credentialSubject holds the
    // fields and only the envelope keys are taken from the top level.
    let mut subject = match map.remove("credentialSubject") {
        Some(Value::Object(subject)) => {
            if let Some(name) = map.get("issuer").and_then(|i| i.get("name")).cloned() {
                map.entry("issuerName").or_insert(name);
            }
            map.retain(|k, _| ENVELOPE_KEYS.contains(&k.as_str()));
            let mut fields = subject;
            fields.append(&mut map);
            fields
        }
        Some(_) => bail!("{source}: credentialSubject must be an object"),
        None => map,
    };
    let mut envelope = Map::new();
    for key in ENVELOPE_KEYS {
        if let Some(v) = subject.remove(key) {
            envelope.insert(key.to_owned(), v);
        }
    }
    refuse_unknown(&source, &subject, &shape)?;
    Ok(Input { subject, envelope })
}

fn refuse_unknown(source: &str, subject: &Map<String, Value>, shape: &SubjectShape) -> Result<()> {
    let unknown = |path: String, key: &str, allowed: &[&str]| {
        anyhow!(
            "{source}: unknown member {path}{key}; it may hold {} (the credential subject's fields as SPEC.md §5 names them), and {}",
            allowed.join(", "),
            ENVELOPE_KEYS.join(", ")
        )
    };
    for key in subject.keys() {
        if !shape.members.contains(&key.as_str()) {
            return Err(unknown(String::new(), key, shape.members));
        }
    }
    for (member, allowed) in shape.nested {
        let items: Vec<(String, &Value)> = match subject.get(*member) {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("{member}[{i}]."), v))
                .collect(),
            Some(v) => vec![(format!("{member}."), v)],
            None => Vec::new(),
        };
        for (path, item) in items {
            for key in item.as_object().into_iter().flat_map(Map::keys) {
                if !allowed.contains(&key.as_str()) {
                    return Err(unknown(path.clone(), key, allowed));
                }
            }
        }
    }
    Ok(())
}

fn require(fields: &Map<String, Value>, required: &[(&str, &str)]) -> Result<()> {
    for (path, flag) in required {
        let mut value = fields.get(path.split('.').next().unwrap_or(path));
        for part in path.split('.').skip(1) {
            value = value.and_then(|v| v.get(part));
        }
        let present = match value {
            None | Some(Value::Null) => false,
            Some(Value::Array(a)) => !a.is_empty(),
            Some(_) => true,
        };
        if !present {
            bail!("missing {flag} (credentialSubject.{path})");
        }
    }
    Ok(())
}

fn set_path(fields: &mut Map<String, Value>, path: &[&str], value: Value) {
    match path {
        [] => {}
        [last] => {
            fields.insert((*last).to_owned(), value);
        }
        [first, rest @ ..] => {
            let entry = fields
                .entry(*first)
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            if let Value::Object(inner) = entry {
                set_path(inner, rest, value);
            }
        }
    }
}

fn envelope(
    common: &IssueCommon,
    fields: &Map<String, Value>,
) -> Result<(Envelope, ed25519_dalek::SigningKey, String)> {
    let (file, key) = super::key::load(&common.key)?;
    let from_file = |name: &str| fields.get(name).and_then(Value::as_str).map(str::to_owned);
    let issuer = common
        .issuer
        .clone()
        .or_else(|| file.controller.clone())
        .unwrap_or_else(|| probity_spec::did::did_key(&key.verifying_key()));
    probity_spec::did::Did::parse(&issuer).context("--issuer")?;
    let vm = super::sign::verification_method(common.verification_method.as_deref(), &file, &key);
    if vm.split_once('#').map(|(d, _)| d) != Some(issuer.as_str()) {
        bail!("the verification method {vm} does not belong to the issuer {issuer}; pass --verification-method {issuer}#<key-id>");
    }
    let time = |flag: &str, v: Option<String>| -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        v.map(|t| probity_spec::time::parse(&t).with_context(|| format!("--{flag}")))
            .transpose()
    };
    let valid_from = time(
        "valid-from",
        common.valid_from.clone().or_else(|| from_file("validFrom")),
    )?
    .unwrap_or_else(|| {
        chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp(), 0).unwrap_or_default()
    });
    let valid_until = time(
        "valid-until",
        common
            .valid_until
            .clone()
            .or_else(|| from_file("validUntil")),
    )?;
    let mut rng = rand::rngs::OsRng;
    let index = match common.status_index {
        Some(i) if i >= MIN_ENTRIES as u64 => {
            bail!("--status-index {i} is past the end of a {MIN_ENTRIES}-entry list")
        }
        Some(i) => i,
        None => rand::Rng::gen_range(&mut rng, 0..MIN_ENTRIES as u64),
    };
    let mut status = Vec::new();
    for (url, purpose) in [
        (&common.revocation_list, StatusPurpose::Revocation),
        (&common.suspension_list, StatusPurpose::Suspension),
    ] {
        if let Some(url) = url {
            status.push(StatusListEntry {
                id: Some(format!("{url}#{index}")),
                purpose,
                index,
                list_url: url.clone(),
            });
        }
    }
    let envelope = Envelope {
        id: common
            .id
            .clone()
            .unwrap_or_else(|| model::new_credential_id(&mut rng)),
        issuer: IssuerRef {
            id: issuer,
            name: common
                .issuer_name
                .clone()
                .or_else(|| from_file("issuerName")),
        },
        valid_from,
        valid_until,
        status,
    };
    Ok((envelope, key, vm))
}

fn sign_and_write(
    common: &IssueCommon,
    unsigned: &Value,
    key: &ed25519_dalek::SigningKey,
    vm: String,
) -> Result<i32> {
    let mut unsigned = unsigned.clone();
    if let Some(holder) = &common.holder_did {
        unsigned["credentialSubject"]["id"] = holder.clone().into();
    }
    let created = super::sign::created_or_now(common.created.as_deref())?;
    let signed = proof::sign(&unsigned, key, &ProofOptions::assertion(vm, Some(created)))?;
    super::write_output(common.out.as_deref(), &super::pretty(&signed)?)?;
    Ok(exit::OK)
}
