//! Issuer node throughput, in one run, against a real node on 127.0.0.1 with a real
//! redb store (every acknowledged write durable: each commit is synced to disk):
//!
//! 1. one issuance over HTTP: `POST /credentials/issue` (VC API, one request, one
//!    durable transaction), then the IP request path (`POST /api/v1/ip-requests`
//!    followed by `.../approve`), each as p50 and p99 latency;
//! 2. import throughput: a 10,000-row CSV read, converted and sent by the same code
//!    as `probity issuer import` (batches of 500, one transaction each), in
//!    credentials per second.
//!
//! `PROBITY_BENCH_ISSUES` sets the number of single issuances (default 300),
//! `PROBITY_BENCH_IMPORT_ROWS` the CSV's rows (default 10,000).
//!
//! Run with `cargo bench -p probity --bench issuer`.

#[path = "../../tests/util.rs"]
#[allow(unused_imports)]
mod util;

use indicatif::ProgressBar;
use probity::commands::import::{import_rows, rows_from_csv};
use probity::node_client::NodeClient;
use probity_issuer::clock::Clock;
use probity_issuer::config::Settings;
use probity_issuer::node::{self, InitOptions, Issuer};
use probity_issuer::records::IssuerKind;
use serde_json::json;
use std::time::{Duration, Instant};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let issues = env_number("PROBITY_BENCH_ISSUES", 300);
    let rows = env_number("PROBITY_BENCH_IMPORT_ROWS", 10_000);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("node");
    let settings = Settings::default();
    let options = InitOptions {
        name: "Benchmark Certifying Body".into(),
        kind: IssuerKind::CertifyingBody,
        did: None,
    };
    let made = node::init(&dir, &options, &settings, chrono::Utc::now()).unwrap();
    let admin = made.admin_token;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let issuer = Issuer::open(&dir, settings, base.clone(), Clock::system()).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = runtime.spawn(probity_issuer::run(listener, issuer, async {
        let _ = stopped.await;
    }));

    println!(
        "issuer node benchmark: real node on {addr}, redb store in {}, durable commits",
        tmp.path().display()
    );
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let post = |path: &str, body: &serde_json::Value| {
        let r = client
            .post(format!("{base}{path}"))
            .bearer_auth(&admin)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        serde_json::from_slice::<serde_json::Value>(&r.bytes().unwrap()).unwrap()
    };

    // Warm up the connection and the store.
    for i in 0..10 {
        let subject = util::ip_candidate(&format!("Dr. Warm {i}"), &format!("WARM {i}"), "RESUS");
        post(
            "/credentials/issue",
            &json!({"credential": {"type": ["VerifiableCredential", "PocusIpCertificate"], "credentialSubject": subject}}),
        );
    }
    let mut vc_api = Vec::with_capacity(issues);
    for i in 0..issues {
        let subject =
            util::ip_candidate(&format!("Dr. Single {i}"), &format!("SINGLE {i}"), "DIAG");
        let body = json!({"credential": {"type": ["VerifiableCredential", "PocusIpCertificate"], "credentialSubject": subject}});
        let started = Instant::now();
        post("/credentials/issue", &body);
        vc_api.push(started.elapsed());
    }
    vc_api.sort();
    println!(
        "one issuance, POST /credentials/issue ({issues} in a row): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(percentile(&vc_api, 0.5)),
        ms(percentile(&vc_api, 0.99)),
        ms(*vc_api.last().unwrap())
    );
    let mut approve = Vec::with_capacity(issues);
    for i in 0..issues {
        let subject = util::ip_candidate(
            &format!("Dr. Request {i}"),
            &format!("REQUEST {i}"),
            "FM_MSK",
        );
        let started = Instant::now();
        let submitted = post("/api/v1/ip-requests", &subject);
        let id = submitted["id"].as_str().unwrap();
        post(&format!("/api/v1/ip-requests/{id}/approve"), &json!({}));
        approve.push(started.elapsed());
    }
    approve.sort();
    println!(
        "one IP request, submit + approve ({issues} in a row): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(percentile(&approve, 0.5)),
        ms(percentile(&approve, 0.99)),
        ms(*approve.last().unwrap())
    );

    let mut csv = format!("{}\n", util::IP_CSV_HEADER);
    for i in 0..rows {
        csv.push_str(&util::ip_csv_row(i, 100));
        csv.push('\n');
    }
    let path = tmp.path().join("register.csv");
    std::fs::write(&path, &csv).unwrap();
    let node_client = NodeClient::new(&base, &admin, Duration::from_secs(120)).unwrap();
    let started = Instant::now();
    let bytes = std::fs::read(&path).unwrap();
    let parsed = rows_from_csv(&bytes).unwrap();
    let summary = import_rows(&node_client, &parsed, 500, &ProgressBar::hidden()).unwrap();
    let took = started.elapsed();
    assert_eq!(
        summary.issued as usize,
        rows,
        "refused: {:?}",
        summary.refused.first()
    );
    println!(
        "import: {rows} credentials from a {:.1} MB CSV in {:.2} s: {:.0} credentials/s (batches of 500, one durable commit each)",
        csv.len() as f64 / 1e6,
        took.as_secs_f64(),
        rows as f64 / took.as_secs_f64()
    );
    let started = Instant::now();
    let again = import_rows(&node_client, &parsed, 500, &ProgressBar::hidden()).unwrap();
    assert_eq!(again.existing as usize, rows);
    println!(
        "import again (every row already issued): {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let _ = stop.send(());
    let _ = runtime.block_on(server);
}
