//! The node through its router (`oneshot`, no socket), with a real store in a temp dir,
//! real keys, and the issuer's documents served over real HTTP on 127.0.0.1:0.

use super::store::DocumentKind;
use super::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Duration as Days;
use ed25519_dalek::SigningKey;
use probity_spec::sample;
use probity_spec::status_list::{
    status_list_credential, BitstringStatusList, StatusListEntry, StatusPurpose, MIN_ENTRIES,
};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicI64, Ordering};
use tower::ServiceExt;

/// The time every test starts at.
fn start() -> DateTime<Utc> {
    "2026-06-01T00:00:00Z".parse().unwrap()
}

/// A clock the test moves by hand.
struct TestClock(Arc<AtomicI64>);

impl TestClock {
    fn new() -> (Self, Clock) {
        let seconds = Arc::new(AtomicI64::new(start().timestamp()));
        let read = seconds.clone();
        let clock: Clock = Arc::new(move || {
            DateTime::from_timestamp(read.load(Ordering::SeqCst), 0).unwrap_or_default()
        });
        (TestClock(seconds), clock)
    }
    fn advance(&self, by: Days) {
        self.0.fetch_add(by.num_seconds(), Ordering::SeqCst);
    }
}

/// What an issuer publishes: documents by path, served over HTTP.
#[derive(Clone, Default)]
struct Published(Arc<Mutex<HashMap<String, Vec<u8>>>>);

impl Published {
    fn put(&self, path: &str, value: &Value) {
        lock(&self.0).insert(path.to_owned(), value.to_string().into_bytes());
    }
}

/// Serves `published` on 127.0.0.1:0; returns the base URL and a handle that stops it.
async fn serve_published(published: Published) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().fallback(move |uri: axum::http::Uri| {
        let published = published.clone();
        async move {
            match lock(&published.0).get(uri.path()) {
                Some(body) => (StatusCode::OK, body.clone()),
                None => (StatusCode::NOT_FOUND, Vec::new()),
            }
        }
    });
    let handle = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, handle)
}

use axum::Router;

/// A federation of one certifying body with revocation and suspension lists.
struct World {
    root: SigningKey,
    issuer_key: SigningKey,
    issuer: String,
    published: Published,
    base: String,
    server: Option<tokio::task::JoinHandle<()>>,
    dir: tempfile::TempDir,
}

impl World {
    async fn new() -> World {
        let published = Published::default();
        let (base, server) = serve_published(published.clone()).await;
        let world = World {
            root: SigningKey::from_bytes(&[7; 32]),
            issuer_key: SigningKey::from_bytes(&[9; 32]),
            issuer: probity_spec::did::did_key(&SigningKey::from_bytes(&[9; 32]).verifying_key()),
            published,
            base,
            server: Some(server),
            dir: tempfile::tempdir().unwrap(),
        };
        world.publish_registry(2);
        world.publish_list(StatusPurpose::Revocation, &[], start() - Days::hours(1));
        world.publish_list(StatusPurpose::Suspension, &[], start() - Days::hours(1));
        world
    }

    /// Stops serving the issuer's documents: the issuer is down.
    async fn stop_server(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
            let _ = server.await;
        }
    }

    fn method(&self) -> String {
        probity_spec::did::did_key_verification_method(&self.issuer_key.verifying_key())
    }

    fn registry(&self, version: u64) -> Value {
        let mut member = sample::member(
            &self.issuer,
            "Canadian Point of Care Ultrasound Society",
            &self.method(),
            &self.issuer_key.verifying_key(),
            sample::ip_certificates_in_every_track(),
        );
        member.endpoints.status_lists = Some(format!("{}/status", self.base));
        sample::signed_registry(
            &self.root,
            version,
            vec![member],
            start() - Days::days(1),
            start() + Days::days(365),
        )
        .unwrap()
    }

    fn publish_registry(&self, version: u64) {
        std::fs::write(
            self.dir.path().join("registry.json"),
            self.registry(version).to_string(),
        )
        .unwrap();
    }

    fn list_url(&self, purpose: StatusPurpose) -> String {
        format!("{}/status/{}", self.base, purpose.as_str())
    }

    fn publish_list(&self, purpose: StatusPurpose, set: &[u64], issued: DateTime<Utc>) {
        let mut list = BitstringStatusList::new(MIN_ENTRIES).unwrap();
        for &i in set {
            list.set(i, true).unwrap();
        }
        let url = self.list_url(purpose);
        let doc = status_list_credential(&url, &self.issuer, purpose, &list, issued, None);
        let signed = probity_spec::proof::sign(
            &doc,
            &self.issuer_key,
            &probity_spec::proof::ProofOptions::assertion(
                self.method(),
                Some(probity_spec::time::format(issued)),
            ),
        )
        .unwrap();
        self.published
            .put(&format!("/status/{}", purpose.as_str()), &signed);
        self.published.put(
            "/status",
            &json!({"statusLists": [self.list_url(StatusPurpose::Revocation), self.list_url(StatusPurpose::Suspension)]}),
        );
    }

    /// The sample IP certificate at status index 42 of both lists.
    fn certificate(&self) -> Value {
        let entries = [StatusPurpose::Revocation, StatusPurpose::Suspension]
            .map(|p| StatusListEntry::new(p, &self.list_url(p), 42))
            .to_vec();
        let envelope = sample::envelope(
            &self.issuer,
            Some("Canadian Point of Care Ultrasound Society"),
            entries,
        );
        let unsigned =
            probity_spec::model::ip_certificate(&envelope, &sample::ip_certificate_subject())
                .unwrap();
        probity_spec::proof::sign(
            &unsigned,
            &self.issuer_key,
            &probity_spec::proof::ProofOptions::assertion(
                self.method(),
                Some("2026-03-01T00:00:00Z".into()),
            ),
        )
        .unwrap()
    }

    fn config(&self) -> NodeConfig {
        self.config_with("data", &[], &[])
    }

    /// A node's configuration: its own store, its peers, and hosts it must not fetch
    /// from; it polls hourly, so anything sooner is pushed.
    fn config_with(&self, data: &str, peers: &[&str], deny: &[&str]) -> NodeConfig {
        let root = probity_spec::multikey::public_key_to_multibase(&self.root.verifying_key());
        let list = |items: &[&str]| {
            items
                .iter()
                .map(|i| format!("\"{i}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let text = format!(
            "data_dir = \"{data}\"\npeers = [{}]\n[[federation]]\nroot_key = \"{root}\"\nregistry = \"registry.json\"\n[freshness]\nrefresh = \"1h\"\n[fetch]\nallow_loopback = true\ndeny_hosts = [{}]\n[limits]\nmax_body = 200000\n",
            list(peers),
            list(deny)
        );
        NodeConfig::parse(&text, self.dir.path(), |_| None).unwrap()
    }
}

async fn call(node: &Arc<Node>, request: Request<Body>) -> (StatusCode, Value) {
    let response = api::router(node.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, body)
}

fn post(path: &str, content_type: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path)
        .header("content-type", content_type)
        .body(body.into())
        .unwrap()
}

async fn verdict_of(node: &Arc<Node>, credential: &Value) -> String {
    let (status, body) = call(
        node,
        post("/api/v1/verify", "application/json", credential.to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["verdict"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_synced_node_verifies_json_payloads_and_images_and_sees_revocation() {
    let mut world = World::new().await;
    let (clock, time) = TestClock::new();
    let node = Node::open(world.config(), time).unwrap();
    let cert = world.certificate();
    // Nothing synced yet: the issuer is unknown, and the verdict says so.
    assert_eq!(verdict_of(&node, &cert).await, "UNTRUSTED_ISSUER");

    sync::sync_once(&node).await;
    assert_eq!(verdict_of(&node, &cert).await, "VALID");
    // The same credential as a QR payload, plain or wrapped, and as an uploaded image.
    let text = probity_spec::compact::to_text(&cert).unwrap();
    let (status, body) = call(&node, post("/api/v1/verify", "text/plain", text.clone())).await;
    assert_eq!(
        (status, body["verdict"].as_str()),
        (StatusCode::OK, Some("VALID")),
        "{body}"
    );
    let (_, body) = call(
        &node,
        post(
            "/api/v1/verify",
            "application/json",
            json!({"payload": text}).to_string(),
        ),
    )
    .await;
    assert_eq!(body["verdict"], "VALID");
    let qr = crate::qr::encode_credential(&cert, None).unwrap();
    let mut png = Vec::new();
    crate::qr::to_image(&qr.code, 3)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let mut form = b"--XyZ\r\ncontent-disposition: form-data; name=\"file\"; filename=\"code.png\"\r\ncontent-type: image/png\r\n\r\n".to_vec();
    form.extend_from_slice(&png);
    form.extend_from_slice(b"\r\n--XyZ--\r\n");
    let (status, body) = call(
        &node,
        post("/api/v1/verify", "multipart/form-data; boundary=XyZ", form),
    )
    .await;
    assert_eq!(
        (status, body["verdict"].as_str()),
        (StatusCode::OK, Some("VALID")),
        "{body}"
    );
    assert_eq!(body["statusData"]["lists"][0]["held"], true, "{body}");

    // The issuer revokes index 42; after the next round, the node says REVOKED.
    clock.advance(Days::minutes(10));
    world.publish_list(StatusPurpose::Revocation, &[42], start() + Days::minutes(5));
    assert_eq!(
        verdict_of(&node, &cert).await,
        "VALID",
        "not before it syncs"
    );
    sync::sync_once(&node).await;
    assert_eq!(verdict_of(&node, &cert).await, "REVOKED");

    // A replayed older list (from before the revocation) is refused and changes nothing.
    world.publish_list(StatusPurpose::Revocation, &[], start() - Days::hours(1));
    sync::sync_once(&node).await;
    assert_eq!(verdict_of(&node, &cert).await, "REVOKED");
    let (_, sync) = call(
        &node,
        Request::get("/api/v1/sync").body(Body::empty()).unwrap(),
    )
    .await;
    assert!(
        sync.to_string().contains("before the copy already held"),
        "{sync}"
    );

    let (_, metrics) = call(&node, Request::get("/metrics").body(Body::empty()).unwrap()).await;
    let metrics = metrics.as_str().unwrap();
    assert!(
        metrics.contains("probity_verifications_total{verdict=\"REVOKED\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("probity_verifications_total{verdict=\"VALID\"} 5"),
        "{metrics}"
    );
    world.stop_server().await;
}

#[tokio::test]
async fn a_rolled_back_or_foreign_registry_is_refused_and_the_held_one_kept() {
    let mut world = World::new().await;
    let (_clock, time) = TestClock::new();
    let node = Node::open(world.config(), time.clone()).unwrap();
    sync::sync_once(&node).await;
    let cert = world.certificate();
    assert_eq!(verdict_of(&node, &cert).await, "VALID");

    world.publish_registry(1);
    sync::sync_once(&node).await;
    assert_eq!(verdict_of(&node, &cert).await, "VALID");
    let (_, sync) = call(
        &node,
        Request::get("/api/v1/sync").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(sync["registries"][0]["version"], 2, "{sync}");
    assert!(
        sync["registries"][0]["lastProblem"]
            .as_str()
            .unwrap()
            .contains("roll back"),
        "{sync}"
    );

    // Across a restart too: the held version is on disk.
    drop(node);
    let node = Node::open(world.config(), time.clone()).unwrap();
    sync::sync_once(&node).await;
    let (_, sync) = call(
        &node,
        Request::get("/api/v1/sync").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(sync["registries"][0]["version"], 2, "{sync}");

    // Signed by another root key: refused.
    let stranger = SigningKey::from_bytes(&[99; 32]);
    let foreign = sample::signed_registry(
        &stranger,
        9,
        vec![],
        start() - Days::days(1),
        start() + Days::days(9),
    )
    .unwrap();
    std::fs::write(world.dir.path().join("registry.json"), foreign.to_string()).unwrap();
    sync::sync_once(&node).await;
    assert_eq!(verdict_of(&node, &cert).await, "VALID");
    let (_, sync) = call(
        &node,
        Request::get("/api/v1/sync").body(Body::empty()).unwrap(),
    )
    .await;
    assert!(
        sync["registries"][0]["lastProblem"]
            .as_str()
            .unwrap()
            .contains("not a pinned"),
        "{sync}"
    );
    world.stop_server().await;
}

#[tokio::test]
async fn with_the_issuer_gone_a_restarted_node_verifies_from_what_it_holds() {
    let mut world = World::new().await;
    let (clock, time) = TestClock::new();
    let node = Node::open(world.config(), time.clone()).unwrap();
    sync::sync_once(&node).await;
    drop(node);
    world.stop_server().await;

    clock.advance(Days::minutes(30));
    let node = Node::open(world.config(), time).unwrap();
    let cert = world.certificate();
    // Verified from the store before any sync, and after a failed one.
    assert_eq!(verdict_of(&node, &cert).await, "VALID");
    sync::sync_once(&node).await;
    let (_, body) = call(
        &node,
        post("/api/v1/verify", "application/json", cert.to_string()),
    )
    .await;
    assert_eq!(body["verdict"], "VALID", "{body}");
    assert_eq!(body["statusData"]["oldestAgeSeconds"], 1800, "{body}");
    let (_, sync) = call(
        &node,
        Request::get("/api/v1/sync").body(Body::empty()).unwrap(),
    )
    .await;
    assert!(sync["fetchFailures"].as_u64().unwrap() >= 1, "{sync}");

    // Older than warn_after (1 h): still VALID, and the status check says how old.
    clock.advance(Days::minutes(90));
    let (_, body) = call(
        &node,
        post("/api/v1/verify", "application/json", cert.to_string()),
    )
    .await;
    assert_eq!(body["verdict"], "VALID", "{body}");
    assert_eq!(body["checks"][5]["status"], "warn", "{body}");
    assert!(
        body["checks"][5]["message"]
            .as_str()
            .unwrap()
            .contains("last confirmed 2 hours ago"),
        "{body}"
    );
    // Older than max_age (24 h): the node no longer vouches for the status.
    clock.advance(Days::hours(23));
    let (_, body) = call(
        &node,
        post("/api/v1/verify", "application/json", cert.to_string()),
    )
    .await;
    assert_eq!(body["verdict"], "STATUS_UNKNOWN", "{body}");
    assert!(
        body["checks"][5]["message"]
            .as_str()
            .unwrap()
            .contains("over this verifier's limit of 24 hours"),
        "{body}"
    );

    // The bundle holds what the node holds.
    let (status, bundle) = call(
        &node,
        Request::get("/api/v1/bundle").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bundle["registries"].as_array().unwrap().len(), 1);
    assert_eq!(bundle["statusLists"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn bad_requests_get_a_4xx_and_a_json_error_naming_the_fault() {
    let mut world = World::new().await;
    let (_clock, time) = TestClock::new();
    let node = Node::open(world.config(), time).unwrap();
    let cases: Vec<(Request<Body>, StatusCode, &str)> = vec![
        (
            post("/api/v1/verify", "application/json", "{not json"),
            StatusCode::BAD_REQUEST,
            "not usable JSON",
        ),
        (
            post("/api/v1/verify", "application/json", "[1,2]"),
            StatusCode::BAD_REQUEST,
            "JSON object",
        ),
        (
            post("/api/v1/verify", "application/json", "{\"payload\": 7}"),
            StatusCode::BAD_REQUEST,
            "payload",
        ),
        (
            post("/api/v1/verify", "application/json", "{\"credential\": []}"),
            StatusCode::BAD_REQUEST,
            "credential",
        ),
        (
            post("/api/v1/verify", "text/plain", "PB1:123"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "payload",
        ),
        (
            post("/api/v1/verify", "application/xml", "<a/>"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "cannot read",
        ),
        (
            post("/api/v1/verify", "application/json", vec![b' '; 300_000]),
            StatusCode::PAYLOAD_TOO_LARGE,
            "",
        ),
        (
            post(
                "/api/v1/verify",
                "image/png",
                b"\x89PNG\r\n\x1a\ngarbage".to_vec(),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "image",
        ),
        (
            post("/api/v1/verify?at=tomorrow", "application/json", "{}"),
            StatusCode::BAD_REQUEST,
            "at",
        ),
        (
            post("/api/v1/verify?bogus=1", "application/json", "{}"),
            StatusCode::BAD_REQUEST,
            "bogus",
        ),
        (
            post("/credentials/verify", "application/json", "{}"),
            StatusCode::BAD_REQUEST,
            "verifiableCredential",
        ),
        (
            Request::get("/no/such/route").body(Body::empty()).unwrap(),
            StatusCode::NOT_FOUND,
            "no such route",
        ),
    ];
    for (request, expected, words) in cases {
        let what = format!("{} {}", request.method(), request.uri());
        let (status, body) = call(&node, request).await;
        assert_eq!(status, expected, "{what}: {body}");
        assert!(
            body["error"].is_string(),
            "{what}: not a JSON error: {body}"
        );
        assert!(
            body["error"].as_str().unwrap().contains(words),
            "{what}: {body}"
        );
    }
    world.stop_server().await;
}

#[tokio::test]
async fn the_vc_api_answers_verified_or_400_with_the_failing_checks() {
    let mut world = World::new().await;
    let (_clock, time) = TestClock::new();
    let node = Node::open(world.config(), time).unwrap();
    sync::sync_once(&node).await;
    let cert = world.certificate();
    let request = |c: &Value| {
        post(
            "/credentials/verify",
            "application/json",
            json!({"verifiableCredential": c, "options": {}}).to_string(),
        )
    };
    let (status, body) = call(&node, request(&cert)).await;
    assert_eq!(
        (status, body["verified"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{body}"
    );
    assert_eq!(body["errors"], json!([]));
    let mut tampered = cert.clone();
    tampered["credentialSubject"]["ipNumber"] = json!("IP-2026-99999");
    let (status, body) = call(&node, request(&tampered)).await;
    assert_eq!(
        (status, body["verified"].as_bool()),
        (StatusCode::BAD_REQUEST, Some(false)),
        "{body}"
    );
    assert_eq!(body["errors"][0]["check"], "proof", "{body}");
    world.stop_server().await;
}

/// Serves `node` on 127.0.0.1:0 with its sync loop and event streams; returns its base
/// URL and the sender that stops it.
async fn start_serving(node: Arc<Node>) -> (String, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve(node, listener, async {
        let _ = stopped.await;
    }));
    (base, stop)
}

/// Polls until `node` gives `wanted` for `credential`, or `limit` passes; returns how
/// long it took.
async fn until_verdict(
    node: &Arc<Node>,
    credential: &Value,
    wanted: &str,
    limit: std::time::Duration,
) -> Option<std::time::Duration> {
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        if verdict_of(node, credential).await == wanted {
            return Some(started.elapsed());
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_cut_off_from_the_issuer_gets_its_lists_from_a_peer_and_revocations_are_pushed() {
    let mut world = World::new().await;
    let (_clock, time) = TestClock::new();
    let cert = world.certificate();
    let node_a = Node::open(world.config_with("a", &[], &[]), time.clone()).unwrap();
    let (base_a, stop_a) = start_serving(node_a.clone()).await;
    let limit = std::time::Duration::from_secs(10);
    assert!(until_verdict(&node_a, &cert, "VALID", limit)
        .await
        .is_some());

    // B may not reach the issuer at all; A is its peer.
    let issuer_host = world.base.trim_start_matches("http://").to_owned();
    let node_b = Node::open(
        world.config_with("b", &[&base_a], &[&issuer_host]),
        time.clone(),
    )
    .unwrap();
    let (_base_b, stop_b) = start_serving(node_b.clone()).await;
    assert!(
        until_verdict(&node_b, &cert, "VALID", limit)
            .await
            .is_some(),
        "B never got the lists through A: {:?}",
        node_b.sync_state()
    );
    let held = node_b
        .held(
            DocumentKind::StatusList,
            &world.list_url(StatusPurpose::Revocation),
        )
        .unwrap();
    assert!(held.source.starts_with(&base_a), "{}", held.source);
    // Give B's subscription to A's stream a moment to open.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    // The issuer revokes; A learns of it (here by a sync round), and B hears it pushed.
    world.publish_list(
        StatusPurpose::Revocation,
        &[42],
        start() - Days::minutes(30),
    );
    sync::sync_once(&node_a).await;
    assert_eq!(verdict_of(&node_a, &cert).await, "REVOKED");
    let took = until_verdict(&node_b, &cert, "REVOKED", limit).await;
    assert!(took.is_some(), "B never heard of the revocation");

    // A peer replaying the older list, or a list signed by another key, changes nothing.
    let stranger = SigningKey::from_bytes(&[77; 32]);
    let forged = {
        let list = BitstringStatusList::new(MIN_ENTRIES).unwrap();
        let url = world.list_url(StatusPurpose::Revocation);
        let doc = status_list_credential(
            &url,
            &world.issuer,
            StatusPurpose::Revocation,
            &list,
            start() - Days::minutes(10),
            None,
        );
        probity_spec::proof::sign(
            &doc,
            &stranger,
            &probity_spec::proof::ProofOptions::assertion(
                world.method(),
                Some(probity_spec::time::format(start() - Days::minutes(10))),
            ),
        )
        .unwrap()
    };
    let kept = sync::accept_list(
        &node_b,
        "http://127.0.0.1:9/relay/status-list?id=forged",
        Ok(crate::fetch::Conditional::Changed(crate::fetch::Fetched {
            body: forged.to_string().into_bytes(),
            etag: None,
            last_modified: None,
        })),
    );
    assert!(!kept);
    node_b.rebuild_snapshot();
    assert_eq!(verdict_of(&node_b, &cert).await, "REVOKED");
    let _ = stop_a.send(());
    let _ = stop_b.send(());
    world.stop_server().await;
}

#[tokio::test]
async fn did_documents_of_did_web_members_are_held_bundled_and_relayed() {
    let mut world = World::new().await;
    let port = world.base.rsplit(':').next().unwrap().to_owned();
    let did = format!("did:web:127.0.0.1%3A{port}");
    let key = SigningKey::from_bytes(&[5; 32]);
    let doc =
        probity_spec::did::DidDocument::for_did_web(&did, &[("key-1".into(), key.verifying_key())])
            .unwrap();
    world.published.put(
        "/.well-known/did.json",
        &serde_json::to_value(&doc).unwrap(),
    );
    let mut registry: Value = world.registry(3);
    let hospital = sample::member(
        &did,
        "St. Elsewhere General",
        &format!("{did}#key-1"),
        &key.verifying_key(),
        vec![],
    );
    registry["credentialSubject"]["members"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::to_value(&hospital).unwrap());
    // Re-signed by the root, as the federation would publish it.
    let mut subject: probity_spec::registry::Registry =
        serde_json::from_value(registry["credentialSubject"].clone()).unwrap();
    subject.version = 3;
    let signed = probity_spec::registry::sign(
        &subject,
        start() - Days::days(1),
        start() + Days::days(30),
        &world.root,
        start() - Days::days(1),
    )
    .unwrap();
    std::fs::write(world.dir.path().join("registry.json"), signed.to_string()).unwrap();
    let (_clock, time) = TestClock::new();
    let node = Node::open(world.config(), time).unwrap();
    sync::sync_once(&node).await;
    assert!(node.held(DocumentKind::DidDocument, &did).is_some());
    let relay = crate::node::events::relay_url("http://node", "/relay/did", "id", &did);
    let path = relay.trim_start_matches("http://node");
    let (status, relayed) = call(&node, Request::get(path).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{relayed}");
    assert_eq!(relayed["id"], did);
    let (_, bundle) = call(
        &node,
        Request::get("/api/v1/bundle").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(
        bundle["didDocuments"].as_array().unwrap().len(),
        1,
        "{bundle}"
    );
    assert_eq!(bundle["didDocuments"][0]["document"]["id"], did);
    world.stop_server().await;
}

#[test]
fn a_proof_only_vc_api_reports_the_issuers_standing_as_a_warning() {
    use probity_spec::verify::{Check, CheckId, CheckStatus, Report, Verdict};
    let check = |id, status| Check {
        id,
        status,
        message: format!("{id:?}"),
        verdict_on_fail: Verdict::UntrustedIssuer,
    };
    let report = Report {
        verdict: Verdict::UntrustedIssuer,
        checks: vec![
            check(CheckId::Format, CheckStatus::Pass),
            check(CheckId::Proof, CheckStatus::Pass),
            check(CheckId::Issuer, CheckStatus::Fail),
            check(CheckId::Accreditation, CheckStatus::Skip),
            check(CheckId::Validity, CheckStatus::Pass),
            check(CheckId::Status, CheckStatus::Pass),
        ],
        credential: None,
    };
    let (verified, answer) = api::vc_api_answer(&report, config::VcApiTrust::ProofOnly);
    assert!(verified, "{answer}");
    assert_eq!(answer["warnings"].as_array().unwrap().len(), 2, "{answer}");
    assert_eq!(answer["errors"], json!([]));
    let (verified, answer) = api::vc_api_answer(&report, config::VcApiTrust::Policy);
    assert!(!verified);
    assert_eq!(answer["errors"][0]["check"], "issuer", "{answer}");
}

/// Revocation is final (SPEC §7.4, §7.5 step 8): when the issuer later publishes a
/// revocation list with the bit cleared, the node keeps it set, says so in its log,
/// and still does after a restart that reads only the newer list from its store.
#[tokio::test]
async fn a_revocation_stays_when_a_newer_list_clears_it_even_across_a_restart() {
    let world = World::new().await;
    let (clock, time) = TestClock::new();
    let cert = world.certificate();
    world.publish_list(
        StatusPurpose::Revocation,
        &[42],
        start() - Days::minutes(30),
    );
    let node = Node::open(world.config(), time.clone()).unwrap();
    sync::sync_once(&node).await;
    assert_eq!(verdict_of(&node, &cert).await, "REVOKED");

    clock.advance(Days::minutes(5));
    world.publish_list(StatusPurpose::Revocation, &[7], start());
    sync::sync_once(&node).await;
    let held = node
        .held(
            DocumentKind::StatusList,
            &world.list_url(StatusPurpose::Revocation),
        )
        .unwrap();
    assert!(
        held.body.contains(&probity_spec::time::format(start())),
        "the newer list is held"
    );
    assert_eq!(held.kept_revoked, vec![42]);
    assert_eq!(verdict_of(&node, &cert).await, "REVOKED");
    drop(node);

    let node = Node::open(world.config(), time).unwrap();
    assert_eq!(verdict_of(&node, &cert).await, "REVOKED");
}

/// The node's DID document, as a reader resolving its DID would get it.
async fn published_did_document(node: &Arc<Node>) -> probity_spec::did::DidDocument {
    let (status, body) = call(
        node,
        Request::get("/.well-known/did.json")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, about) = call(
        node,
        Request::get("/api/v1/node").body(Body::empty()).unwrap(),
    )
    .await;
    let did = about["did"].as_str().unwrap();
    probity_spec::did::DidDocument::parse(body.to_string().as_bytes(), did).unwrap()
}

#[tokio::test]
async fn a_receipt_is_signed_on_request_and_checks_against_the_published_did_document() {
    let mut world = World::new().await;
    let (clock, time) = TestClock::new();
    let node = Node::open(world.config(), time).unwrap();
    sync::sync_once(&node).await;
    let cert = world.certificate();

    // Without receipt=true, the answer is as it always was.
    for path in ["/api/v1/verify", "/api/v1/verify?receipt=false"] {
        let (status, body) = call(&node, post(path, "application/json", cert.to_string())).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.get("receipt").is_none(), "{path}: {body}");
    }

    clock.advance(Days::minutes(10));
    world.publish_list(StatusPurpose::Revocation, &[42], start() + Days::minutes(5));
    sync::sync_once(&node).await;
    let (status, body) = call(
        &node,
        post(
            "/api/v1/verify?receipt=true",
            "application/json",
            cert.to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["verdict"], "REVOKED", "{body}");
    let receipt = body["receipt"].to_string();

    // The receipt checks with the keys of the DID document the node publishes.
    let document = published_did_document(&node).await;
    assert_eq!(document.id, node.identity.did);
    let checked = probity_spec::receipt::read(receipt.as_bytes())
        .unwrap()
        .check(&document.assertion_keys().unwrap())
        .unwrap();
    assert_eq!(checked.issuer, node.identity.did);
    let record = &checked.record;
    assert_eq!(record.verdict, probity_spec::Verdict::Revoked);
    assert_eq!(record.verified_at, "2026-06-01T00:10:00Z");
    assert_eq!(record.checks.len(), 6);
    assert_eq!(record.checks[5].outcome, probity_spec::CheckStatus::Fail);
    assert_eq!(
        record.presented.issuer.as_deref(),
        Some(world.issuer.as_str())
    );
    // Both lists were confirmed in the last round, at 00:10.
    assert_eq!(record.status_data.len(), 2, "{body}");
    assert!(
        record
            .status_data
            .iter()
            .all(|l| l.held && l.age_seconds == Some(0)),
        "{body}"
    );
    // healthz names the same DID.
    let (_, health) = call(&node, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(health["did"], node.identity.did.as_str());

    // Input that cannot be read gets its 4xx, and no receipt; a bad receipt flag is
    // refused by name.
    let (status, body) = call(
        &node,
        post("/api/v1/verify?receipt=true", "application/json", "{\"a\":"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.get("receipt").is_none(), "{body}");
    let (status, body) = call(
        &node,
        post(
            "/api/v1/verify?receipt=maybe",
            "application/json",
            cert.to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("receipt"),
        "{body}"
    );

    // A receipt sent back to the node is not a credential: MALFORMED, never VALID.
    let (status, body) = call(
        &node,
        post("/api/v1/verify", "application/json", receipt.clone()),
    )
    .await;
    assert_eq!(
        (status, body["verdict"].as_str()),
        (StatusCode::OK, Some("MALFORMED")),
        "{body}"
    );
    world.stop_server().await;
}

#[tokio::test]
async fn the_node_keeps_its_key_and_did_across_a_restart() {
    let mut world = World::new().await;
    let (_clock, time) = TestClock::new();
    let node = Node::open(world.config(), time.clone()).unwrap();
    let first = node.identity.did.clone();
    assert!(first.starts_with("did:key:z6Mk"), "{first}");
    drop(node);
    let key_file = world
        .dir
        .path()
        .join("data")
        .join(identity::DEFAULT_KEY_FILE);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let node = Node::open(world.config(), time.clone()).unwrap();
    assert_eq!(node.identity.did, first);
    drop(node);

    // Another data directory is another node, with another key.
    let other = Node::open(world.config_with("other-data", &[], &[]), time.clone()).unwrap();
    assert_ne!(other.identity.did, first);
    drop(other);

    // A configured did:web with a named key file: the node publishes that DID's
    // document, and its receipts check against it.
    let text = format!(
        "did = \"did:web:verifier.example.org\"\nreceipt_key = \"data/{}\"\n[[federation]]\nroot_key = \"{}\"\nregistry = \"registry.json\"\n",
        identity::DEFAULT_KEY_FILE,
        probity_spec::multikey::public_key_to_multibase(&world.root.verifying_key())
    );
    let config = NodeConfig::parse(&text, world.dir.path(), |_| None).unwrap();
    let node = Node::open(config, time).unwrap();
    assert_eq!(node.identity.did, "did:web:verifier.example.org");
    let document = published_did_document(&node).await;
    let (_, body) = call(
        &node,
        post(
            "/api/v1/verify?receipt=true",
            "application/json",
            world.certificate().to_string(),
        ),
    )
    .await;
    let checked = probity_spec::receipt::read(body["receipt"].to_string().as_bytes())
        .unwrap()
        .check(&document.assertion_keys().unwrap())
        .unwrap();
    assert_eq!(checked.issuer, "did:web:verifier.example.org");
    // The same key as the did:key node had: the key file was reused, not replaced.
    assert!(checked
        .verification_method
        .ends_with(first.trim_start_matches("did:key:")));
    world.stop_server().await;
}

/// The verification page and its assets: served by the node itself, with a policy
/// that lets nothing but this origin's own script and style run, and naming nothing
/// outside it.
#[tokio::test]
async fn the_page_and_its_assets_are_served_with_a_strict_policy_and_nothing_from_elsewhere() {
    let world = World::new().await;
    let (_, time) = TestClock::new();
    let node = Node::open(world.config(), time).unwrap();
    let app = api::router(node.clone());
    for (path, content_type) in [
        ("/", "text/html; charset=utf-8"),
        ("/page.css", "text/css; charset=utf-8"),
        ("/page.js", "text/javascript; charset=utf-8"),
    ] {
        let response = app
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], content_type, "{path}");
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(policy.contains("default-src 'none'"), "{policy}");
        assert!(policy.contains("script-src 'self'"), "{policy}");
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        for outside in ["http://", "https://", "//cdn", "innerHTML", "<script>"] {
            assert!(!text.contains(outside), "{path} names {outside}");
        }
    }
    // The page's verify call gets the check time it measures expiry against.
    let (_, body) = call(
        &node,
        post(
            "/api/v1/verify",
            "application/json",
            world.certificate().to_string(),
        ),
    )
    .await;
    assert_eq!(
        body["checkedAt"],
        probity_spec::time::format(start()),
        "{body}"
    );
}
