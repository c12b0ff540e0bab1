//! Router tests: the real router, a real redb store in a temporary directory, real
//! Ed25519 keys, no socket (`tower::ServiceExt::oneshot`). Verdicts come from the one
//! pure `verify()` at a fixed time.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use chrono::{DateTime, Utc};
use probity_issuer::audit;
use probity_issuer::clock::Clock;
use probity_issuer::config::Settings;
use probity_issuer::node::{self, InitOptions, Issuer};
use probity_issuer::records::{IssuerKind, Role};
use probity_issuer::AppState;
use probity_spec::did::DidDocument;
use probity_spec::trust::TrustSnapshot;
use probity_spec::Verdict;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::Arc;
use tower::ServiceExt;

const BASE: &str = "http://127.0.0.1:8600";

fn t0() -> DateTime<Utc> {
    probity_spec::time::parse("2026-03-01T09:00:00Z").unwrap()
}

struct Node {
    dir: tempfile::TempDir,
    app: Router,
    issuer: Arc<Issuer>,
    admin: String,
    instructor: String,
}

fn node_with(kind: IssuerKind, did: Option<&str>, settings: Settings) -> Node {
    let dir = tempfile::tempdir().unwrap();
    let options = InitOptions {
        name: "Canadian Point of Care Ultrasound Society".into(),
        kind,
        did: did.map(str::to_owned),
    };
    let made = node::init(dir.path(), &options, &settings, t0()).unwrap();
    let instructor = node::create_token_offline(dir.path(), Role::Instructor, t0()).unwrap();
    let issuer = Issuer::open(dir.path(), settings, BASE.into(), Clock::fixed(t0())).unwrap();
    let app = probity_issuer::router(AppState::new(issuer.clone()));
    Node {
        dir,
        app,
        issuer,
        admin: made.admin_token,
        instructor,
    }
}

fn node(kind: IssuerKind) -> Node {
    node_with(kind, None, Settings::default())
}

async fn call(
    app: &Router,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<String>,
) -> (StatusCode, Value) {
    call_from(app, [127, 0, 0, 1], method, path, token, body).await
}

/// [`call`] as if from the client address `ip` (bad tokens are counted per address).
async fn call_from(
    app: &Router,
    ip: [u8; 4],
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<String>,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(path);
    req = req.extension(axum::extract::ConnectInfo(std::net::SocketAddr::from((
        ip, 40000,
    ))));
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let req = req
        .header("content-type", "application/json")
        .body(body.map(Body::from).unwrap_or_else(Body::empty))
        .unwrap();
    let response = app.clone().oneshot(req).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 64 << 20)
        .await
        .unwrap();
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    (status, value)
}

fn candidate(name: &str, registration: &str, track: &str) -> Value {
    json!({
        "name": name, "registrationNumber": registration, "track": track,
        "modules": ["shoulder", "knee"], "curriculumVersion": "2024.1",
        "course": {"id": "CPOCUS-MSK-2025-0142", "provider": "Western Ultrasound Academy", "date": "2025-10-04"},
        "loggedScans": {"total": 150, "supervised": 50, "from": "2025-10-05", "to": "2026-02-10", "supervisorIpNumber": "IP-2019-00088"},
        "exams": [
            {"kind": "written", "score": 92, "date": "2026-01-15", "examiner": "Dr. Louis Tremblay"},
            {"kind": "visual", "score": 88, "date": "2026-01-15", "examiner": "Dr. Louis Tremblay"},
            {"kind": "practical", "score": 100, "date": "2026-02-20", "examiner": "Dr. Priya Raman"}
        ],
        "validUntil": "2031-03-01T00:00:00Z"
    })
}

fn attestation(name: &str) -> Value {
    json!({
        "name": name, "registrationNumber": "CPSA 045812", "department": "Department of Emergency Medicine",
        "applications": ["eFAST", "AAA"], "supervisedScans": {"AAA": 25, "eFAST": 50},
        "qaReviewer": "Dr. Mei Tanaka", "reviewDate": "2026-02-02", "privileges": ["independent eFAST"]
    })
}

/// Submits and approves a candidate; returns (credential UUID, IP number, credential).
async fn issue_ip(
    n: &Node,
    name: &str,
    registration: &str,
    track: &str,
) -> (String, String, Value) {
    let (status, body) = call(
        &n.app,
        "POST",
        "/api/v1/ip-requests",
        Some(&n.instructor),
        Some(candidate(name, registration, track).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], "pending");
    let id = body["id"].as_str().unwrap().to_owned();
    let (status, body) = call(
        &n.app,
        "POST",
        &format!("/api/v1/ip-requests/{id}/approve"),
        Some(&n.admin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["id"].as_str().unwrap().to_owned(),
        body["ipNumber"].as_str().unwrap().to_owned(),
        body["credential"].clone(),
    )
}

/// Verifies `credential` in-process, trusting the node's issuer and the lists it
/// serves now, at a fixed time.
async fn verdict(n: &Node, credential: &Value) -> Verdict {
    let mut trust = TrustSnapshot::new();
    let did = n.issuer.identity().did.clone();
    if did.starts_with("did:web:") {
        let (_, doc) = call(&n.app, "GET", "/.well-known/did.json", None, None).await;
        let doc = DidDocument::parse(doc.to_string().as_bytes(), &did).unwrap();
        trust.trust_issuer_document(&doc).unwrap();
    } else {
        trust.trust_issuer(&did).unwrap();
    }
    for name in [node::REVOCATION_LIST, node::SUSPENSION_LIST] {
        let (status, list) = call(&n.app, "GET", &format!("/status/{name}"), None, None).await;
        assert_eq!(status, StatusCode::OK);
        trust
            .add_status_list(&format!("{BASE}/status/{name}"), list, t0())
            .unwrap();
    }
    let at = probity_spec::time::parse("2026-03-02T00:00:00Z").unwrap();
    probity_spec::verify(credential.to_string().as_bytes(), &trust, at).verdict
}

#[tokio::test]
async fn every_admin_route_needs_a_token_of_the_right_role() {
    let n = node(IssuerKind::CertifyingBody);
    let some_id = "2f1c9a4e-7b3d-4c8e-9f21-5a6b7c8d9e01";
    let reason = json!({"reason": "test"}).to_string();
    let admin_routes: Vec<(&str, String, Option<String>)> = vec![
        (
            "POST",
            format!("/api/v1/ip-requests/{some_id}/approve"),
            None,
        ),
        (
            "POST",
            format!("/api/v1/ip-requests/{some_id}/reject"),
            Some(reason.clone()),
        ),
        (
            "POST",
            "/api/v1/attestations".into(),
            Some(attestation("X").to_string()),
        ),
        ("GET", "/api/v1/credentials?holder=x".into(), None),
        ("GET", format!("/api/v1/credentials/{some_id}"), None),
        (
            "POST",
            format!("/api/v1/credentials/{some_id}/revoke"),
            Some(reason.clone()),
        ),
        (
            "POST",
            format!("/api/v1/credentials/{some_id}/suspend"),
            Some(reason.clone()),
        ),
        (
            "POST",
            format!("/api/v1/credentials/{some_id}/reinstate"),
            Some(reason.clone()),
        ),
        ("POST", "/api/v1/keys/rotate".into(), None),
        (
            "POST",
            "/api/v1/tokens".into(),
            Some(json!({"role": "admin"}).to_string()),
        ),
        (
            "POST",
            "/api/v1/import".into(),
            Some(json!({"rows": []}).to_string()),
        ),
        ("GET", "/api/v1/audit".into(), None),
        (
            "POST",
            "/credentials/issue".into(),
            Some(json!({"credential": {}}).to_string()),
        ),
    ];
    let submitter_routes: Vec<(&str, String, Option<String>)> = vec![
        (
            "POST",
            "/api/v1/ip-requests".into(),
            Some(candidate("A", "B", "FM_MSK").to_string()),
        ),
        ("GET", format!("/api/v1/ip-requests/{some_id}"), None),
    ];
    for (i, (method, path, body)) in admin_routes.iter().chain(&submitter_routes).enumerate() {
        let (status, err) = call(&n.app, method, path, None, body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{method} {path} without a token: {err}"
        );
        assert!(err["error"].is_string());
        // Each from its own address, so that the slowing down of repeated bad tokens
        // (tested below) does not stretch this test.
        let client = [10, 0, 0, i as u8 + 1];
        let (status, _) = call_from(
            &n.app,
            client,
            method,
            path,
            Some("probity_not-a-real-token"),
            body.clone(),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{method} {path} with a wrong token"
        );
    }
    for (method, path, body) in &admin_routes {
        let (status, err) = call(&n.app, method, path, Some(&n.instructor), body.clone()).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{method} {path} as an instructor: {err}"
        );
        assert!(err["error"].as_str().unwrap().contains("instructor"));
    }
    // And the right role gets past authorisation on every one of them.
    for (method, path, body) in admin_routes.iter().chain(&submitter_routes) {
        let (status, _) = call(&n.app, method, path, Some(&n.admin), body.clone()).await;
        assert!(
            status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN
                || path.contains("attestations")
                || path.contains("rotate"),
            "{method} {path} as admin: {status}"
        );
    }
}

#[tokio::test]
async fn bad_input_gets_the_documented_json_errors() {
    let n = node(IssuerKind::CertifyingBody);
    let admin = Some(n.admin.as_str());
    // 400: malformed JSON, and JSON with a duplicate key.
    let (status, body) = call(
        &n.app,
        "POST",
        "/api/v1/ip-requests",
        admin,
        Some("{\"name\": ".into()),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().unwrap().contains("JSON"));
    let (status, _) = call(
        &n.app,
        "POST",
        "/api/v1/ip-requests",
        admin,
        Some("{\"name\": \"a\", \"name\": \"b\"}".into()),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // 413: over the body limit.
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(2 << 20));
    let (status, body) = call(&n.app, "POST", "/api/v1/ip-requests", admin, Some(huge)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body["error"].is_string());
    // The import route takes larger bodies than the rest: 2 MiB reaches its parser.
    let (status, _) = call(
        &n.app,
        "POST",
        "/api/v1/import",
        admin,
        Some(format!("[\"{}\"]", "x".repeat(2 << 20))),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // 422: an invalid field is named, with the reason.
    let mut bad = candidate("A", "B", "FM_MSK");
    bad["course"]["date"] = json!("yesterday");
    let (status, body) = call(
        &n.app,
        "POST",
        "/api/v1/ip-requests",
        admin,
        Some(bad.to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "course.date");
    let (status, body) = call(
        &n.app,
        "POST",
        "/api/v1/ip-requests",
        admin,
        Some("[1, 2]".into()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "body");
    // 404: unknown ids, in either form, and paths.
    for id in [
        "2f1c9a4e-7b3d-4c8e-9f21-5a6b7c8d9e01",
        "urn:uuid:2f1c9a4e-7b3d-4c8e-9f21-5a6b7c8d9e01",
        "nope",
        "%00%ff",
    ] {
        let (status, body) = call(
            &n.app,
            "GET",
            &format!("/api/v1/credentials/{id}"),
            admin,
            None,
        )
        .await;
        assert!(
            status == StatusCode::NOT_FOUND
                || id.contains('%') && status == StatusCode::BAD_REQUEST,
            "{id}: {body}"
        );
        assert!(body["error"].is_string());
    }
    let (status, body) = call(&n.app, "GET", "/no/such/path", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["error"].is_string());
    let (status, body) = call(&n.app, "DELETE", "/api/v1/audit", admin, None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(body["error"].is_string());
    // 409: revoking a revoked credential, reinstating a revoked one.
    let (id, _, _) = issue_ip(&n, "Dr. A", "CPSO 1", "FM_MSK").await;
    let reason = Some(json!({"reason": "licence withdrawn"}).to_string());
    let (status, _) = call(
        &n.app,
        "POST",
        &format!("/api/v1/credentials/{id}/revoke"),
        admin,
        reason.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = call(
        &n.app,
        "POST",
        &format!("/api/v1/credentials/urn:uuid:{id}/revoke"),
        admin,
        reason.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = call(
        &n.app,
        "POST",
        &format!("/api/v1/credentials/{id}/reinstate"),
        admin,
        reason.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // 422: a status change without a reason.
    let (status, body) = call(
        &n.app,
        "POST",
        &format!("/api/v1/credentials/{id}/suspend"),
        admin,
        Some("{}".into()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "reason");
    // 403: a certifying body issues no attestations.
    let (status, _) = call(
        &n.app,
        "POST",
        "/api/v1/attestations",
        admin,
        Some(attestation("J").to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_failing_candidate_hears_every_failing_rule() {
    let n = node(IssuerKind::CertifyingBody);
    let mut bad = candidate("Dr. A", "CPSO 1", "FM_MSK");
    bad["exams"][0]["score"] = json!(84);
    bad["exams"][2]["score"] = json!(95);
    bad["loggedScans"]["supervised"] = json!(49);
    bad["ipNumber"] = json!("FMMSK-999999");
    let (status, body) = call(
        &n.app,
        "POST",
        "/api/v1/ip-requests",
        Some(&n.instructor),
        Some(bad.to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "ipNumber",
            "loggedScans.supervised",
            "exams[0].score",
            "exams[2].score"
        ],
        "{body}"
    );
}

#[tokio::test]
async fn approve_issues_a_certificate_that_verifies_then_revocation_and_suspension_show() {
    let n = node(IssuerKind::CertifyingBody);
    let (id, ip, cert) = issue_ip(&n, "Dr. Amelia Okafor", "CPSO 0123456", "FM MSK").await;
    assert_eq!(ip, "FMMSK-000001");
    assert_eq!(cert["credentialSubject"]["ipNumber"], "FMMSK-000001");
    assert_eq!(
        cert["credentialStatus"][0]["statusListCredential"],
        format!("{BASE}/status/revocation-1")
    );
    assert_eq!(verdict(&n, &cert).await, Verdict::Valid);

    let (status, list_before) = call(&n.app, "GET", "/status/suspension-1", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let reason = Some(json!({"reason": "yearly dues unpaid"}).to_string());
    let (status, body) = call(
        &n.app,
        "POST",
        &format!("/api/v1/credentials/{id}/suspend"),
        Some(&n.admin),
        reason.clone(),
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("suspended"))
    );
    let (_, list_after) = call(&n.app, "GET", "/status/suspension-1", None, None).await;
    assert_ne!(
        list_before["credentialSubject"]["encodedList"],
        list_after["credentialSubject"]["encodedList"]
    );
    assert_eq!(verdict(&n, &cert).await, Verdict::Suspended);
    let (status, _) = call(
        &n.app,
        "POST",
        &format!("/api/v1/credentials/{id}/suspend"),
        Some(&n.admin),
        reason.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = call(
        &n.app,
        "POST",
        &format!("/api/v1/credentials/{id}/reinstate"),
        Some(&n.admin),
        reason.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(verdict(&n, &cert).await, Verdict::Valid);
    let (status, _) = call(
        &n.app,
        "POST",
        &format!("/api/v1/credentials/urn:uuid:{id}/revoke"),
        Some(&n.admin),
        reason.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(verdict(&n, &cert).await, Verdict::Revoked);
    let (_, record) = call(
        &n.app,
        "GET",
        &format!("/api/v1/credentials/{id}"),
        Some(&n.admin),
        None,
    )
    .await;
    assert_eq!(record["status"], "revoked");
    assert_eq!(record["statusReason"], "yearly dues unpaid");

    // The request cannot be approved twice; a pending one can be rejected once.
    let (_, req) = call(
        &n.app,
        "POST",
        "/api/v1/ip-requests",
        Some(&n.instructor),
        Some(candidate("B", "C", "RESUS").to_string()),
    )
    .await;
    let rid = req["id"].as_str().unwrap();
    let (status, _) = call(
        &n.app,
        "POST",
        &format!("/api/v1/ip-requests/{rid}/reject"),
        Some(&n.admin),
        Some(json!({"reason": "fee not paid"}).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(
        &n.app,
        "POST",
        &format!("/api/v1/ip-requests/{rid}/approve"),
        Some(&n.admin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn status_lists_have_etags_and_answer_304() {
    let n = node(IssuerKind::CertifyingBody);
    let get = |etag: Option<String>| {
        let app = n.app.clone();
        async move {
            let mut req = Request::builder().uri("/status/revocation-1");
            if let Some(e) = etag {
                req = req.header("if-none-match", e);
            }
            app.oneshot(req.body(Body::empty()).unwrap()).await.unwrap()
        }
    };
    let first = get(None).await;
    assert_eq!(first.status(), StatusCode::OK);
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert!(first.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("no-cache"));
    assert_eq!(
        get(Some(etag.clone())).await.status(),
        StatusCode::NOT_MODIFIED
    );
    let (id, _, _) = issue_ip(&n, "Dr. A", "CPSO 1", "FM_MSK").await;
    call(
        &n.app,
        "POST",
        &format!("/api/v1/credentials/{id}/revoke"),
        Some(&n.admin),
        Some(json!({"reason": "r"}).to_string()),
    )
    .await;
    let after = get(Some(etag.clone())).await;
    assert_eq!(after.status(), StatusCode::OK);
    assert_ne!(after.headers()["etag"].to_str().unwrap(), etag);
    let (status, _) = call(&n.app, "GET", "/status/nope", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn ip_numbers_follow_each_track_and_are_never_reused() {
    let n = node(IssuerKind::CertifyingBody);
    let mut numbers = Vec::new();
    for i in 0..3 {
        numbers.push(issue_ip(&n, &format!("Dr. {i}"), &format!("CPSO {i}"), "FM_MSK").await);
    }
    assert_eq!(
        numbers.iter().map(|n| n.1.as_str()).collect::<Vec<_>>(),
        ["FMMSK-000001", "FMMSK-000002", "FMMSK-000003"]
    );
    call(
        &n.app,
        "POST",
        &format!("/api/v1/credentials/{}/revoke", numbers[2].0),
        Some(&n.admin),
        Some(json!({"reason": "r"}).to_string()),
    )
    .await;
    let (_, ip, _) = issue_ip(&n, "Dr. 4", "CPSO 4", "FM_MSK").await;
    assert_eq!(
        ip, "FMMSK-000004",
        "a revoked certificate's number is not given again"
    );
    let (_, ip, _) = issue_ip(&n, "Dr. 5", "CPSO 5", "RESUS").await;
    assert_eq!(ip, "RESUS-000001");
    // A migrated register's number is kept, and the sequence steps over it.
    let mut row = candidate("Dr. Old", "CPSO 9", "FM_MSK");
    row["ipNumber"] = json!("FMMSK-000005");
    row["line"] = json!(2);
    let mut clash = candidate("Dr. Clash", "CPSO 10", "FM_MSK");
    clash["ipNumber"] = json!("FMMSK-000001");
    clash["line"] = json!(3);
    let (status, body) = call(
        &n.app,
        "POST",
        "/api/v1/import",
        Some(&n.admin),
        Some(json!({"rows": [row, clash]}).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["results"][0]["ipNumber"], "FMMSK-000005");
    assert_eq!(body["results"][1]["status"], "refused");
    assert_eq!(body["results"][1]["failures"][0]["field"], "ipNumber");
    let (_, ip, _) = issue_ip(&n, "Dr. 6", "CPSO 6", "FM_MSK").await;
    assert_eq!(ip, "FMMSK-000006");
    let (status, found) = call(
        &n.app,
        "GET",
        "/api/v1/credentials?ipNumber=FMMSK-000005",
        Some(&n.admin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found["credentials"][0]["holder"], "Dr. Old");
}

#[tokio::test]
async fn status_indexes_are_never_handed_out_twice_and_imports_are_idempotent() {
    let n = node(IssuerKind::CertifyingBody);
    let rows: Vec<Value> = (0..400)
        .map(|i| {
            let mut r = candidate(
                &format!("Dr. Holder {i}"),
                &format!("CPSO {i:05}"),
                "FM_CORE",
            );
            r["line"] = json!(i + 2);
            r
        })
        .collect();
    let mut bad = candidate("Dr. Bad", "CPSO BAD", "FM_CORE");
    bad["exams"][1]["score"] = json!(10);
    bad["line"] = json!(999);
    let mut all = rows.clone();
    all.push(bad);
    let (status, body) = call(
        &n.app,
        "POST",
        "/api/v1/import",
        Some(&n.admin),
        Some(json!({"rows": all}).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (body["issued"].as_u64(), body["refused"].as_u64()),
        (Some(400), Some(1)),
        "{}",
        body["results"][400]
    );
    assert_eq!(body["results"][400]["line"], 999);
    let (status, again) = call(
        &n.app,
        "POST",
        "/api/v1/import",
        Some(&n.admin),
        Some(json!({"rows": rows}).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (again["issued"].as_u64(), again["existing"].as_u64()),
        (Some(0), Some(400))
    );
    assert_eq!(again["results"][7]["id"], body["results"][7]["id"]);

    let mut indexes = HashSet::new();
    for r in body["results"].as_array().unwrap().iter().take(400) {
        let (_, rec) = call(
            &n.app,
            "GET",
            &format!("/api/v1/credentials/{}", r["id"].as_str().unwrap()),
            Some(&n.admin),
            None,
        )
        .await;
        let index = rec["statusIndex"].as_u64().unwrap();
        assert!(index < 131_072);
        assert!(indexes.insert(index), "index {index} handed out twice");
        let entry = &rec["credential"]["credentialStatus"][1];
        assert_eq!(entry["statusListIndex"], index.to_string());
    }
    // 400 uniform draws from 131,072 that were all below half would be a broken draw.
    assert!(indexes.iter().any(|i| *i > 65_536) && indexes.iter().any(|i| *i < 65_536));
}

#[tokio::test]
async fn the_audit_log_records_every_change_and_verifies() {
    let n = node(IssuerKind::CertifyingBody);
    let (id, _, _) = issue_ip(&n, "Dr. A", "CPSO 1", "FM_MSK").await;
    let reason = Some(json!({"reason": "line\nbreak \u{1b}[2J"}).to_string());
    call(
        &n.app,
        "POST",
        &format!("/api/v1/credentials/{id}/suspend"),
        Some(&n.admin),
        reason.clone(),
    )
    .await;
    call(
        &n.app,
        "POST",
        &format!("/api/v1/credentials/{id}/reinstate"),
        Some(&n.admin),
        reason.clone(),
    )
    .await;
    call(
        &n.app,
        "POST",
        &format!("/api/v1/credentials/{id}/revoke"),
        Some(&n.admin),
        reason,
    )
    .await;
    call(
        &n.app,
        "POST",
        "/api/v1/tokens",
        Some(&n.admin),
        Some(json!({"role": "instructor"}).to_string()),
    )
    .await;
    let response = n
        .app
        .clone()
        .oneshot(
            Request::builder()
                .uri("/api/v1/audit")
                .header("authorization", format!("Bearer {}", n.admin))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let text = String::from_utf8(
        axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    let count = audit::verify_export(&text).unwrap();
    let actions: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["action"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(count as usize, actions.len());
    for want in [
        "node.initialised",
        "token.created",
        "ip-request.submitted",
        "credential.issued",
        "ip-request.approved",
        "credential.suspended",
        "credential.reinstated",
        "credential.revoked",
    ] {
        assert!(
            actions.iter().any(|a| a == want),
            "{want} not in {actions:?}"
        );
    }
    // Tampering with one entry is found, and named.
    let tampered = text.replacen("credential.suspended", "credential.reinstated", 1);
    let err = audit::verify_export(&tampered).unwrap_err();
    assert!(err.to_string().contains("altered"), "{err}");
}

#[tokio::test]
async fn a_rotated_did_web_key_keeps_old_certificates_verifiable() {
    let n = node_with(
        IssuerKind::CertifyingBody,
        Some("did:web:127.0.0.1%3A8600"),
        Settings::default(),
    );
    let (_, _, old_cert) = issue_ip(&n, "Dr. Old Key", "CPSO 1", "DIAG").await;
    assert_eq!(
        old_cert["proof"]["verificationMethod"],
        "did:web:127.0.0.1%3A8600#key-1"
    );
    let (status, key) = call(&n.app, "POST", "/api/v1/keys/rotate", Some(&n.admin), None).await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    assert_eq!(key["verificationMethod"], "did:web:127.0.0.1%3A8600#key-2");
    let (_, doc) = call(&n.app, "GET", "/.well-known/did.json", None, None).await;
    assert_eq!(doc["assertionMethod"].as_array().unwrap().len(), 2);
    let (_, _, new_cert) = issue_ip(&n, "Dr. New Key", "CPSO 2", "DIAG").await;
    assert_eq!(
        new_cert["proof"]["verificationMethod"],
        "did:web:127.0.0.1%3A8600#key-2"
    );
    let (_, list) = call(&n.app, "GET", "/status/revocation-1", None, None).await;
    assert_eq!(
        list["proof"]["verificationMethod"],
        "did:web:127.0.0.1%3A8600#key-2"
    );
    assert_eq!(verdict(&n, &old_cert).await, Verdict::Valid);
    assert_eq!(verdict(&n, &new_cert).await, Verdict::Valid);
    // A did:key node cannot rotate.
    let k = node(IssuerKind::CertifyingBody);
    let (status, _) = call(&k.app, "POST", "/api/v1/keys/rotate", Some(&k.admin), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = call(&k.app, "GET", "/.well-known/did.json", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(n.dir.path().join("keys/key-2.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[tokio::test]
async fn hospitals_attest_and_the_vc_api_issues() {
    let n = node(IssuerKind::Hospital);
    let (status, body) = call(
        &n.app,
        "POST",
        "/api/v1/attestations",
        Some(&n.admin),
        Some(attestation("Dr. Jonas Whitehorse").to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(verdict(&n, &body["credential"]).await, Verdict::Valid);
    let (status, _) = call(
        &n.app,
        "POST",
        "/api/v1/ip-requests",
        Some(&n.admin),
        Some(candidate("A", "B", "FM_MSK").to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let request = json!({
        "credential": {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential", "OpenBadgeCredential", "PocusSkillAttestation"],
            "credentialSubject": attestation("Dr. Via VC API"),
        },
        "options": {}
    });
    let (status, body) = call(
        &n.app,
        "POST",
        "/credentials/issue",
        Some(&n.admin),
        Some(request.to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        verdict(&n, &body["verifiableCredential"]).await,
        Verdict::Valid
    );
    let (_, found) = call(
        &n.app,
        "GET",
        "/api/v1/credentials?holder=dr.%20via%20vc%20API",
        Some(&n.admin),
        None,
    )
    .await;
    assert_eq!(found["credentials"].as_array().unwrap().len(), 1);
    let (_, found) = call(
        &n.app,
        "GET",
        "/api/v1/credentials?registrationNumber=cpsa%20045812",
        Some(&n.admin),
        None,
    )
    .await;
    assert_eq!(found["credentials"].as_array().unwrap().len(), 2);
    let (status, body) = call(
        &n.app,
        "GET",
        "/api/v1/credentials?colour=red",
        Some(&n.admin),
        None,
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("colour"))
    );
}

#[tokio::test]
async fn repeated_bad_tokens_are_slowed_down() {
    let n = node(IssuerKind::CertifyingBody);
    for _ in 0..probity_issuer::auth::FREE_FAILURES {
        let (status, _) = call(&n.app, "GET", "/api/v1/audit", Some("probity_wrong"), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let started = std::time::Instant::now();
    let (status, _) = call(&n.app, "GET", "/api/v1/audit", Some("probity_wrong"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(started.elapsed() >= probity_issuer::auth::FIRST_DELAY);
}

#[tokio::test]
async fn what_was_acknowledged_is_there_after_reopening() {
    let n = node(IssuerKind::CertifyingBody);
    let (id, ip, _) = issue_ip(&n, "Dr. Durable", "CPSO 77", "FM_MSK").await;
    call(
        &n.app,
        "POST",
        &format!("/api/v1/credentials/{id}/suspend"),
        Some(&n.admin),
        Some(json!({"reason": "dues"}).to_string()),
    )
    .await;
    let Node {
        dir, app, issuer, ..
    } = n;
    drop(app);
    drop(issuer);
    let reopened = Issuer::open(
        dir.path(),
        Settings::default(),
        BASE.into(),
        Clock::fixed(t0()),
    )
    .unwrap();
    let record = reopened.credential(&id).unwrap();
    assert_eq!(record.ip_number.as_deref(), Some(ip.as_str()));
    assert_eq!(record.status.as_str(), "suspended");
    assert!(reopened.published(node::SUSPENSION_LIST).unwrap().version >= 2);
}

#[tokio::test]
async fn a_status_change_is_announced_before_it_is_answered() {
    let n = node_with(
        IssuerKind::CertifyingBody,
        Some("did:web:127.0.0.1%3A8600"),
        Settings::default(),
    );
    let (id, _, _) = issue_ip(&n, "Dr. A", "CPSO 1", "FM_MSK").await;
    let mut events = n.issuer.subscribe();
    let before = n.issuer.published(node::REVOCATION_LIST).unwrap().version;
    let (status, _) = call(
        &n.app,
        "POST",
        &format!("/api/v1/credentials/{id}/revoke"),
        Some(&n.admin),
        Some(json!({"reason": "r"}).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Already sent when the answer came: no waiting.
    let event = events.try_recv().unwrap();
    assert_eq!(
        serde_json::to_value(&event).unwrap(),
        json!({"type": "status-list", "list": "revocation-1", "url": format!("{BASE}/status/revocation-1"),
               "version": before + 1, "validFrom": "2026-03-01T09:00:00Z"})
    );
    let (status, _) = call(&n.app, "POST", "/api/v1/keys/rotate", Some(&n.admin), None).await;
    assert_eq!(status, StatusCode::CREATED);
    let names: Vec<&str> = std::iter::from_fn(|| events.try_recv().ok())
        .map(|e| e.name())
        .collect();
    assert_eq!(names, ["status-list", "status-list", "keys"]);
}
