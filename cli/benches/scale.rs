//! Scale benchmark (issue 12): one verifier node syncing a federation of 1,000 issuers.
//!
//! This process builds a synthetic federation: one registry of 1,000 certifying bodies,
//! each a did:web with its own DID document, status-list index and two signed status
//! lists (revocation and suspension, 131,072 entries each, a few bits set), and serves
//! it all on loopback, with an event stream per issuer that the node follows. A real `probity verifier serve` process syncs it. Printed:
//!
//! - the time from the node's start to a full sync (the registry, every DID document
//!   and every list held), as the node's own `/api/v1/sync` reports it;
//! - the node's resident memory after that (`VmRSS`, and its peak `VmHWM`, from
//!   `/proc`);
//! - the rate of `POST /api/v1/verify` with every list held, credentials of all 1,000
//!   issuers in turn, against the same rate of a node holding a federation of one
//!   issuer, measured in the same run, alternating, and compared by their medians.
//!
//! Targets: full sync under 60 s, resident memory under 64 MB, and the verify rate
//! within 10% of the one-issuer rate.
//!
//! `PROBITY_BENCH_ISSUERS` sets the federation's size (default 1000),
//! `PROBITY_BENCH_SECONDS` each rate measurement (default 1),
//! `PROBITY_BENCH_ROUNDS` the measurements of each node (default 15; short, many
//! rounds follow the drift of a shared machine more closely than a few long ones),
//! `PROBITY_BENCH_CONCURRENCY` the concurrent requests (default 16).

use axum::http::{StatusCode, Uri};
use axum::Router;
use chrono::{DateTime, Duration as Days, Utc};
use ed25519_dalek::SigningKey;
use probity_spec::proof::{self, ProofOptions};
use probity_spec::sample;
use probity_spec::status_list::{
    status_list_credential, BitstringStatusList, StatusListEntry, StatusPurpose, MIN_ENTRIES,
};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "../../verifier/benches/support/raw_http.rs"]
mod raw_http;
use raw_http::exchange;
#[path = "support/process.rs"]
mod process;
use process::Process;

/// The node's clock, and the time every document is judged at.
const VERIFY_AT: &str = "2026-06-01T00:00:00Z";

fn at() -> DateTime<Utc> {
    VERIFY_AT.parse().unwrap()
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Documents by path, served as they are.
type Documents = Arc<HashMap<String, Vec<u8>>>;

/// What one synthetic federation needs: its documents, its registry's URL, its root
/// key, and one valid credential per issuer.
struct Federation {
    registry_url: String,
    root: String,
    credentials: Vec<Vec<u8>>,
    lists: usize,
}

fn sign(document: &Value, key: &SigningKey, method: &str) -> Value {
    let created = probity_spec::time::format(at() - Days::hours(1));
    proof::sign(
        document,
        key,
        &ProofOptions::assertion(method.to_owned(), Some(created)),
    )
    .unwrap()
}

/// Builds a federation of `size` issuers under `base/prefix/`, its documents into
/// `docs`. Issuer `i` has revoked and suspended a few credentials (bits set), and its
/// benchmark credential sits at an index left clear, so it verifies VALID.
fn federation(
    base: &str,
    prefix: &str,
    size: usize,
    docs: &mut HashMap<String, Vec<u8>>,
) -> Federation {
    let root = SigningKey::from_bytes(&[prefix.len() as u8; 32]);
    let authority = base.trim_start_matches("http://").replace(':', "%3A");
    let mut members = Vec::with_capacity(size);
    let mut credentials = Vec::with_capacity(size);
    for i in 0..size {
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
        seed[8] = prefix.len() as u8;
        seed[9] = 1;
        let key = SigningKey::from_bytes(&seed);
        let path = format!("/{prefix}/issuers/{i}");
        let did = format!("did:web:{authority}:{prefix}:issuers:{i}");
        let method = format!("{did}#key-1");
        let name = format!("Certifying Body {i}");
        let mut member = sample::member(
            &did,
            &name,
            &method,
            &key.verifying_key(),
            sample::ip_certificates_in_every_track(),
        );
        member.endpoints.status_lists = Some(format!("{base}{path}/status"));
        // The node follows each member's event stream, as it would in service.
        member.endpoints.issuer = Some(format!("{base}{path}"));
        members.push(member);
        docs.insert(
            format!("{path}/did.json"),
            json!({
                "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
                "id": did,
                "verificationMethod": [{
                    "id": method,
                    "type": "Multikey",
                    "controller": did,
                    "publicKeyMultibase": probity_spec::multikey::public_key_to_multibase(&key.verifying_key()),
                }],
                "assertionMethod": [method],
            })
            .to_string()
            .into_bytes(),
        );
        let mut urls = Vec::new();
        let mut entries = Vec::new();
        for purpose in [StatusPurpose::Revocation, StatusPurpose::Suspension] {
            let url = format!("{base}{path}/status/{}-1", purpose.as_str());
            let mut list = BitstringStatusList::new(MIN_ENTRIES).unwrap();
            // A few credentials revoked or suspended, spread over the list.
            for k in 0..(i % 7) as u64 {
                list.set(1_000 + k * 9_973 + i as u64, true).unwrap();
            }
            let unsigned =
                status_list_credential(&url, &did, purpose, &list, at() - Days::hours(1), None);
            docs.insert(
                format!("{path}/status/{}-1", purpose.as_str()),
                sign(&unsigned, &key, &method).to_string().into_bytes(),
            );
            entries.push(StatusListEntry::new(purpose, &url, 500 + i as u64));
            urls.push(url);
        }
        docs.insert(
            format!("{path}/status"),
            json!({ "statusLists": urls }).to_string().into_bytes(),
        );
        let envelope = sample::envelope(&did, Some(&name), entries);
        let unsigned =
            probity_spec::model::ip_certificate(&envelope, &sample::ip_certificate_subject())
                .unwrap();
        credentials.push(sign(&unsigned, &key, &method).to_string().into_bytes());
    }
    let registry = sample::signed_registry(
        &root,
        1,
        members,
        at() - Days::days(1),
        at() + Days::days(30),
    )
    .unwrap();
    let registry_path = format!("/{prefix}/registry.json");
    docs.insert(registry_path.clone(), registry.to_string().into_bytes());
    Federation {
        registry_url: format!("{base}{registry_path}"),
        root: probity_spec::multikey::public_key_to_multibase(&root.verifying_key()),
        credentials,
        lists: 2 * size,
    }
}

/// A `probity verifier serve` process and when it was started.
struct NodeProcess {
    process: Process,
    started: Instant,
}

fn start_node(dir: &Path, name: &str, federation: &Federation) -> NodeProcess {
    let config = dir.join(format!("{name}.toml"));
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\ndata_dir = \"{name}-data\"\n[[federation]]\nroot_key = \"{}\"\nregistry = \"{}\"\n[freshness]\nrefresh = \"1h\"\n[fetch]\nallow_loopback = true\n[limits]\nconcurrency = 1024\n",
            federation.root, federation.registry_url
        ),
    )
    .unwrap();
    let started = Instant::now();
    let config = config.display().to_string();
    let process = process::start(
        dir,
        &["verifier", "serve", "--config", &config, "--at", VERIFY_AT],
    );
    NodeProcess { process, started }
}

/// Waits until the node's own sync report shows the registry, `dids` DID documents and
/// `lists` lists held; returns the time since the node started.
fn wait_for_full_sync(node: &NodeProcess, dids: usize, lists: usize) -> Duration {
    let client = reqwest::blocking::Client::new();
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        assert!(
            Instant::now() < deadline,
            "the node did not sync within 10 minutes"
        );
        if let Ok(r) = client
            .get(format!("{}/api/v1/sync", node.process.base))
            .send()
        {
            if let Ok(report) = serde_json::from_slice::<Value>(&r.bytes().unwrap_or_default()) {
                let held: usize = report["issuers"]
                    .as_array()
                    .map(|issuers| {
                        issuers
                            .iter()
                            .map(|i| i["statusLists"].as_array().map_or(0, Vec::len))
                            .sum()
                    })
                    .unwrap_or(0);
                let registry = report["registries"][0]["version"].as_u64().is_some();
                let held_dids = report["didDocuments"].as_u64().unwrap_or(0) as usize;
                if registry && held >= lists && held_dids >= dids {
                    return node.started.elapsed();
                }
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Resident and peak resident memory of a process, in MiB, from `/proc`.
fn memory_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Verifications per second over `seconds`, `concurrency` kept-alive connections each
/// sending the credentials in turn (starting at different ones).
fn verify_rate(
    node: &NodeProcess,
    credentials: &[Vec<u8>],
    seconds: u64,
    concurrency: usize,
) -> f64 {
    let address = node.process.base.trim_start_matches("http://").to_owned();
    let requests: Arc<Vec<Vec<u8>>> = Arc::new(
        credentials
            .iter()
            .map(|c| {
                let mut r = format!(
                    "POST /api/v1/verify HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                    c.len()
                )
                .into_bytes();
                r.extend_from_slice(c);
                r
            })
            .collect(),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let measure = Duration::from_secs(seconds);
    runtime.block_on(async {
        let started = Instant::now();
        let mut tasks = Vec::new();
        for task in 0..concurrency {
            let (address, requests) = (address.clone(), requests.clone());
            tasks.push(tokio::spawn(async move {
                let mut socket = tokio::net::TcpStream::connect(&address).await.unwrap();
                socket.set_nodelay(true).unwrap();
                let mut buffer = Vec::with_capacity(16 << 10);
                let (mut answered, mut failed) = (0u64, 0u64);
                let mut next = task * requests.len() / concurrency.max(1);
                while started.elapsed() < measure {
                    match exchange(&mut socket, &requests[next], &mut buffer).await {
                        Ok(200) => answered += 1,
                        _ => failed += 1,
                    }
                    next = (next + 1) % requests.len();
                }
                (answered, failed)
            }));
        }
        let (mut answered, mut failed) = (0, 0);
        for t in tasks {
            let (a, f) = t.await.unwrap();
            answered += a;
            failed += f;
        }
        assert_eq!(failed, 0, "every request must be answered");
        answered as f64 / started.elapsed().as_secs_f64()
    })
}

/// Checks that the node finds every credential VALID (a sample of them at scale).
fn check_valid(node: &NodeProcess, credentials: &[Vec<u8>]) {
    let client = reqwest::blocking::Client::new();
    let step = (credentials.len() / 50).max(1);
    for credential in credentials.iter().step_by(step) {
        let answer = client
            .post(format!("{}/api/v1/verify", node.process.base))
            .header("content-type", "application/json")
            .body(credential.clone())
            .send()
            .unwrap();
        let report: Value = serde_json::from_slice(&answer.bytes().unwrap()).unwrap();
        assert_eq!(report["verdict"], "VALID", "{report}");
    }
}

fn main() {
    let size = env_number("PROBITY_BENCH_ISSUERS", 1000) as usize;
    let seconds = env_number("PROBITY_BENCH_SECONDS", 1);
    let concurrency = env_number("PROBITY_BENCH_CONCURRENCY", 16) as usize;
    let rounds = env_number("PROBITY_BENCH_ROUNDS", 15).max(1);
    let dir = tempfile::tempdir().unwrap();

    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = server
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let built = Instant::now();
    let mut docs = HashMap::new();
    let one = federation(&base, "one", 1, &mut docs);
    let many = federation(&base, "many", size, &mut docs);
    let registry_bytes = docs["/many/registry.json"].len();
    println!(
        "scale benchmark: {size} issuers, {} documents built in {:.1} s (registry {} KiB); this machine: {} cores",
        docs.len(),
        built.elapsed().as_secs_f64(),
        registry_bytes / 1024,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let docs: Documents = Arc::new(docs);
    let open_streams = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = open_streams.clone();
    let app = Router::new().fallback(move |uri: Uri| {
        let docs = docs.clone();
        let counted = counted.clone();
        async move {
            if uri.path().ends_with("/events") {
                // An issuer's event stream: open, quiet, never ending.
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let opened = futures_util::stream::once(async {
                    Ok::<_, std::convert::Infallible>(axum::body::Bytes::from_static(b": open\n\n"))
                });
                let body = axum::body::Body::from_stream(futures_util::StreamExt::chain(
                    opened,
                    futures_util::stream::pending(),
                ));
                return axum::response::Response::builder()
                    .header("content-type", "text/event-stream")
                    .body(body)
                    .unwrap();
            }
            match docs.get(uri.path()) {
                Some(body) => axum::response::Response::new(axum::body::Body::from(body.clone())),
                None => axum::response::Response::builder()
                    .status(StatusCode::NOT_FOUND)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            }
        }
    });
    server.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    let baseline = start_node(dir.path(), "one", &one);
    let baseline_sync = wait_for_full_sync(&baseline, 1, one.lists);
    let scaled = start_node(dir.path(), "many", &many);
    let scaled_sync = wait_for_full_sync(&scaled, size, many.lists);
    // Let the round that found everything finish its bookkeeping before reading memory.
    std::thread::sleep(Duration::from_secs(2));
    let (rss, peak) = memory_mib(scaled.process.child.id());
    let streams = open_streams.load(std::sync::atomic::Ordering::SeqCst);
    let (baseline_rss, _) = memory_mib(baseline.process.child.id());
    check_valid(&baseline, &one.credentials);
    check_valid(&scaled, &many.credentials);

    let mut one_rates = Vec::new();
    let mut many_rates = Vec::new();
    for _ in 0..rounds {
        one_rates.push(verify_rate(
            &baseline,
            &one.credentials,
            seconds,
            concurrency,
        ));
        many_rates.push(verify_rate(
            &scaled,
            &many.credentials,
            seconds,
            concurrency,
        ));
    }
    let (rss_after, _) = memory_mib(scaled.process.child.id());
    // The median of the rounds, so that one round slowed by another tenant of a shared
    // machine does not decide the ratio.
    let median = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "  full sync, {size} issuers ({} lists)  : {:.2} s (one issuer: {:.2} s; target under 60 s)",
        many.lists,
        scaled_sync.as_secs_f64(),
        baseline_sync.as_secs_f64()
    );
    println!(
        "  resident memory after sync           : {rss:.1} MiB (peak {peak:.1} MiB; after the load {rss_after:.1} MiB; one-issuer node {baseline_rss:.1} MiB; target under 64 MB)"
    );
    println!("  event streams the nodes opened       : {streams} (one per member issuer)");
    println!(
        "  verify rate, one issuer              : {} requests/s (median {:.0})",
        one_rates
            .iter()
            .map(|r| format!("{r:.0}"))
            .collect::<Vec<_>>()
            .join(", "),
        median(&one_rates)
    );
    println!(
        "  verify rate, {size} issuers, all held : {} requests/s (median {:.0})",
        many_rates
            .iter()
            .map(|r| format!("{r:.0}"))
            .collect::<Vec<_>>()
            .join(", "),
        median(&many_rates)
    );
    println!(
        "  rate with {size} issuers / with one   : {:.1}% (target at least 90%), medians of {rounds} rounds, concurrency {concurrency}, {seconds} s each, alternating",
        100.0 * median(&many_rates) / median(&one_rates)
    );
}
