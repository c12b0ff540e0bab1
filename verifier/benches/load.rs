//! Load benchmark of the verifier node, measured in one run against its own baseline:
//!
//! 1. the in-process rate of `probity_spec::verify` on one core (the baseline), and
//! 2. `POST /api/v1/verify` against a node on loopback, driven by a load generator in
//!    the same process at a stated concurrency: requests per second, p50 and p99.
//!
//! Target (issue 11): the HTTP rate at least 70% of the one-core in-process rate, and
//! p99 under 5 ms. The node and the load generator share this machine's cores, so the
//! ratio is a floor for what a node on its own machine would do.
//!
//! `PROBITY_BENCH_SECONDS` sets the length of each measurement (default 5),
//! `PROBITY_BENCH_CONCURRENCY` the concurrent requests (default 16).

use axum::http::StatusCode;
use axum::Router;
use chrono::{DateTime, Duration as Days, Utc};
use ed25519_dalek::SigningKey;
use probity_spec::sample;
use probity_spec::status_list::{
    status_list_credential, BitstringStatusList, StatusListEntry, StatusPurpose, MIN_ENTRIES,
};
use probity_verifier::node::{self, Node, NodeConfig};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::hint::black_box;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[path = "support/raw_http.rs"]
mod raw_http;
use raw_http::exchange;

fn now() -> DateTime<Utc> {
    "2026-06-01T00:00:00Z".parse().unwrap()
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Documents by path.
type Documents = Arc<Mutex<HashMap<String, Vec<u8>>>>;

/// Serves `docs` on 127.0.0.1:0 (the issuer's status lists and index); returns the
/// base URL.
async fn serve_documents(docs: Documents) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().fallback(move |uri: axum::http::Uri| {
        let docs = docs.clone();
        async move {
            match docs.lock().unwrap().get(uri.path()) {
                Some(body) => (StatusCode::OK, body.clone()),
                None => (StatusCode::NOT_FOUND, Vec::new()),
            }
        }
    });
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    base
}

struct Federation {
    certificate: Value,
    registry: Value,
    root: String,
}

/// A federation of one certifying body with both lists, its lists served on `base`.
fn federation(base: &str, docs: &mut HashMap<String, Vec<u8>>) -> Federation {
    let root = SigningKey::from_bytes(&[7; 32]);
    let key = SigningKey::from_bytes(&[9; 32]);
    let did = probity_spec::did::did_key(&key.verifying_key());
    let method = probity_spec::did::did_key_verification_method(&key.verifying_key());
    let mut member = sample::member(
        &did,
        "Canadian Point of Care Ultrasound Society",
        &method,
        &key.verifying_key(),
        sample::ip_certificates_in_every_track(),
    );
    member.endpoints.status_lists = Some(format!("{base}/status"));
    let registry = sample::signed_registry(
        &root,
        1,
        vec![member],
        now() - Days::days(1),
        now() + Days::days(30),
    )
    .unwrap();
    let mut urls = Vec::new();
    let mut entries = Vec::new();
    for purpose in [StatusPurpose::Revocation, StatusPurpose::Suspension] {
        let url = format!("{base}/status/{}", purpose.as_str());
        let list = BitstringStatusList::new(MIN_ENTRIES).unwrap();
        let doc = status_list_credential(&url, &did, purpose, &list, now() - Days::hours(1), None);
        let signed = probity_spec::proof::sign(
            &doc,
            &key,
            &probity_spec::proof::ProofOptions::assertion(
                method.clone(),
                Some(probity_spec::time::format(now() - Days::hours(1))),
            ),
        )
        .unwrap();
        docs.insert(
            format!("/status/{}", purpose.as_str()),
            signed.to_string().into_bytes(),
        );
        entries.push(StatusListEntry::new(purpose, &url, 4242));
        urls.push(url);
    }
    docs.insert(
        "/status".into(),
        json!({"statusLists": urls}).to_string().into_bytes(),
    );
    let envelope = sample::envelope(
        &did,
        Some("Canadian Point of Care Ultrasound Society"),
        entries,
    );
    let unsigned =
        probity_spec::model::ip_certificate(&envelope, &sample::ip_certificate_subject()).unwrap();
    let certificate = probity_spec::proof::sign(
        &unsigned,
        &key,
        &probity_spec::proof::ProofOptions::assertion(method, Some("2026-03-01T00:00:00Z".into())),
    )
    .unwrap();
    Federation {
        certificate,
        registry,
        root: probity_spec::multikey::public_key_to_multibase(&root.verifying_key()),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let seconds = env_number("PROBITY_BENCH_SECONDS", 5);
    let concurrency = env_number("PROBITY_BENCH_CONCURRENCY", 16) as usize;
    let dir = tempfile::tempdir().unwrap();

    // The node runs on its own runtime, as `probity verifier serve` does.
    let node_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (node, base, fed) = node_runtime.block_on(async {
        let docs = Documents::default();
        let issuer_base = serve_documents(docs.clone()).await;
        let fed = federation(&issuer_base, &mut docs.lock().unwrap());
        std::fs::write(dir.path().join("registry.json"), fed.registry.to_string()).unwrap();
        let text = format!(
            "listen = \"127.0.0.1:0\"\ndata_dir = \"data\"\n[[federation]]\nroot_key = \"{}\"\nregistry = \"registry.json\"\n[freshness]\nrefresh = \"1h\"\n[fetch]\nallow_loopback = true\n[limits]\nconcurrency = 1024\n",
            fed.root
        );
        let config = NodeConfig::parse(&text, dir.path(), |_| None).unwrap();
        let clock: node::Clock = Arc::new(now);
        let node = Node::open(config, clock).unwrap();
        node::sync::sync_once(&node).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let serving = node.clone();
        tokio::spawn(async move {
            let _ = node::serve(serving, listener, std::future::pending()).await;
        });
        (node, base, fed)
    });
    let credential = fed.certificate.to_string().into_bytes();
    let snapshot = node.snapshot();
    let report = probity_spec::verify(&credential, &snapshot, now());
    assert!(
        report.is_valid(),
        "the benchmark credential must verify: {report:?}"
    );

    // 1. In-process, one core.
    let measure = Duration::from_secs(seconds);
    let started = Instant::now();
    let mut in_process = 0u64;
    while started.elapsed() < measure {
        for _ in 0..64 {
            black_box(probity_spec::verify(
                black_box(&credential),
                &snapshot,
                now(),
            ));
        }
        in_process += 64;
    }
    let in_process_rate = in_process as f64 / started.elapsed().as_secs_f64();

    // 2. Over HTTP, `concurrency` connections each sending one request at a time. The
    // load generator writes prepared HTTP/1.1 requests on kept-alive sockets and reads
    // only the status line, headers and body length: it shares the machine with the
    // node, and a full HTTP client would take a large share of the cores measured.
    let load_runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let address = base.trim_start_matches("http://").to_owned();
    let mut request = format!(
        "POST /api/v1/verify HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        credential.len()
    )
    .into_bytes();
    request.extend_from_slice(&credential);
    let request = Arc::new(request);
    let (requests, elapsed, failures) = load_runtime.block_on(async {
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..concurrency {
            let (address, request, latencies) =
                (address.clone(), request.clone(), latencies.clone());
            tasks.push(tokio::spawn(async move {
                let mut socket = tokio::net::TcpStream::connect(&address).await.unwrap();
                socket.set_nodelay(true).unwrap();
                let mut mine = Vec::new();
                let mut failed = 0u64;
                let mut buffer = Vec::with_capacity(16 << 10);
                while started.elapsed() < measure {
                    let sent = Instant::now();
                    match exchange(&mut socket, &request, &mut buffer).await {
                        Ok(200) => mine.push(sent.elapsed()),
                        _ => failed += 1,
                    }
                }
                latencies.lock().unwrap().extend(mine);
                failed
            }));
        }
        let mut failures = 0;
        for t in tasks {
            failures += t.await.unwrap();
        }
        let n = latencies.lock().unwrap().len() as u64;
        (n, started.elapsed(), failures)
    });
    let mut sorted = latencies.lock().unwrap().clone();
    sorted.sort();
    let http_rate = requests as f64 / elapsed.as_secs_f64();
    println!(
        "verifier node load benchmark ({seconds} s each, this machine: {} cores)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("  in-process verify, one core : {in_process_rate:>9.0} verifications/s");
    println!(
        "  POST /api/v1/verify         : {http_rate:>9.0} requests/s at concurrency {concurrency} ({requests} answered, {failures} failed)"
    );
    println!(
        "  latency                     : p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(&sorted, 0.50).as_secs_f64() * 1e3,
        percentile(&sorted, 0.99).as_secs_f64() * 1e3,
        sorted.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
    println!(
        "  HTTP rate / in-process rate : {:.1}% (target at least 70%)",
        100.0 * http_rate / in_process_rate
    );
    drop(node_runtime);
}
