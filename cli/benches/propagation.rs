//! Propagation benchmark (issue 12): how long a revocation takes to reach every
//! verifier node, measured from the moment the issuer's revoke call returns.
//!
//! Real processes of the `probity` binary on loopback: one certifying body (issuer
//! node), a federation registry, and ten verifier nodes polling only hourly, so what
//! reaches them sooner was pushed. Nodes 0–3 follow the issuer; nodes 4–9 may not
//! contact it at all and follow two earlier nodes each, so some are two or three hops
//! away. The issuer revokes one credential every 200 ms; for each revocation a watcher
//! per node asks that node every 5 ms until it says REVOKED.
//!
//! `PROBITY_BENCH_SECONDS` sets how long revocations go on (default 60).

use serde_json::{json, Value};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[path = "support/process.rs"]
mod process;
use process::{probity, start, Process};

const NODES: usize = 10;
const CLOCK_START: &str = "2026-03-01T09:00:00Z";
const VERIFY_AT: &str = "2026-03-01T12:00:00Z";

fn run(dir: &Path, args: &[&str]) -> String {
    let o = probity().current_dir(dir).args(args).output().unwrap();
    assert!(
        o.status.success(),
        "probity {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn post(client: &reqwest::blocking::Client, url: &str, token: &str, body: &Value) -> Value {
    let r = client
        .post(url)
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .unwrap();
    serde_json::from_slice(&r.bytes().unwrap()).unwrap()
}

fn candidate(i: usize) -> Value {
    json!({
        "name": format!("Dr. Holder {i}"), "registrationNumber": format!("CPSO {i:06}"), "track": "FM_CORE",
        "modules": ["lung"], "curriculumVersion": "2024.1",
        "course": {"id": format!("C-{i}"), "provider": "Western Ultrasound Academy", "date": "2025-10-04"},
        "loggedScans": {"total": 150, "supervised": 50, "from": "2025-10-05", "to": "2026-02-10", "supervisorIpNumber": "IP-2019-00088"},
        "exams": [
            {"kind": "written", "score": 92, "date": "2026-01-15", "examiner": "Dr. L"},
            {"kind": "visual", "score": 88, "date": "2026-01-15", "examiner": "Dr. L"},
            {"kind": "practical", "score": 100, "date": "2026-02-20", "examiner": "Dr. P"}
        ]
    })
}

async fn verdict(client: &reqwest::Client, node: &str, credential: &[u8]) -> Option<String> {
    let r = client
        .post(format!("{node}/api/v1/verify?at={VERIFY_AT}"))
        .header("content-type", "application/json")
        .body(credential.to_vec())
        .send()
        .await
        .ok()?;
    let v: Value = serde_json::from_slice(&r.bytes().await.ok()?).ok()?;
    v["verdict"].as_str().map(str::to_owned)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let seconds: u64 = std::env::var("PROBITY_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let body_dir = dir.join("body");
    let token_out = run(
        dir,
        &[
            "issuer",
            "init",
            "--dir",
            body_dir.to_str().unwrap(),
            "--name",
            "Body",
            "--kind",
            "certifying-body",
        ],
    );
    let admin = token_out.lines().last().unwrap().trim().to_owned();
    let issuer = start(
        dir,
        &[
            "issuer",
            "serve",
            "--dir",
            body_dir.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
            "--clock-start",
            CLOCK_START,
        ],
    );
    let blocking = reqwest::blocking::Client::new();
    let health: Value = serde_json::from_slice(
        &blocking
            .get(format!("{}/healthz", issuer.base))
            .send()
            .unwrap()
            .bytes()
            .unwrap(),
    )
    .unwrap();
    let did = health["did"].as_str().unwrap().to_owned();
    let root = run(dir, &["federation", "init", "--dir", "fed", "--name", "F"])
        .trim()
        .to_owned();
    run(
        dir,
        &[
            "federation",
            "add-member",
            "--dir",
            "fed",
            "--did",
            &did,
            "--name",
            "Body",
            "--kind",
            "certifying-body",
            "--jurisdiction",
            "CA",
            "--may-issue",
            "PocusIpCertificate",
            "--issuer-endpoint",
            &issuer.base,
            "--status-endpoint",
            &format!("{}/status", issuer.base),
            "--at",
            "2026-03-01T08:00:00Z",
        ],
    );
    run(
        dir,
        &[
            "federation",
            "publish",
            "--dir",
            "fed",
            "--out",
            "registry.json",
            "--valid-for",
            "30d",
            "--at",
            "2026-03-01T08:00:00Z",
        ],
    );

    // One credential per revocation to come.
    let count = (seconds * 5 + 5) as usize;
    let mut credentials = Vec::with_capacity(count);
    for i in 0..count {
        let req = post(
            &blocking,
            &format!("{}/api/v1/ip-requests", issuer.base),
            &admin,
            &candidate(i),
        );
        let id = req["id"].as_str().unwrap();
        let approved = post(
            &blocking,
            &format!("{}/api/v1/ip-requests/{id}/approve", issuer.base),
            &admin,
            &json!({}),
        );
        credentials.push((
            approved["id"].as_str().unwrap().to_owned(),
            approved["credential"].to_string().into_bytes(),
        ));
    }

    // Ten verifier nodes: 0–3 follow the issuer, 4–9 only two earlier nodes each.
    let issuer_host = issuer.base.trim_start_matches("http://").to_owned();
    let mut nodes: Vec<Process> = Vec::new();
    for i in 0..NODES {
        let (peers, deny) = if i < 4 {
            (String::new(), String::new())
        } else {
            (
                format!("\"{}\", \"{}\"", nodes[i - 4].base, nodes[i - 3].base),
                format!("\"{issuer_host}\""),
            )
        };
        let config = format!("node{i}.toml");
        std::fs::write(
            dir.join(&config),
            format!(
                "listen = \"127.0.0.1:0\"\ndata_dir = \"node{i}\"\npeers = [{peers}]\n[[federation]]\nroot_key = \"{root}\"\nregistry = \"registry.json\"\n[freshness]\nrefresh = \"1h\"\n[fetch]\nallow_loopback = true\ndeny_hosts = [{deny}]\n"
            ),
        )
        .unwrap();
        nodes.push(start(
            dir,
            &["verifier", "serve", "--config", &config, "--at", VERIFY_AT],
        ));
    }
    let bases: Vec<String> = nodes.iter().map(|n| n.base.clone()).collect();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::new();
    // Every node knows the first credential as VALID before anything changes.
    runtime.block_on(async {
        let started = Instant::now();
        for node in &bases {
            while verdict(&client, node, &credentials[0].1).await.as_deref() != Some("VALID") {
                assert!(
                    started.elapsed() < Duration::from_secs(60),
                    "{node} never synced"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        // Let every subscription open.
        tokio::time::sleep(Duration::from_secs(2)).await;
    });

    let times: Arc<Mutex<Vec<(usize, Duration)>>> = Arc::default();
    let missed = Arc::new(Mutex::new(0usize));
    let revocations = runtime.block_on(async {
        let started = Instant::now();
        let mut watchers = Vec::new();
        let mut n = 0;
        while started.elapsed() < Duration::from_secs(seconds) && n < credentials.len() {
            let tick = Instant::now();
            let (id, credential) = credentials[n].clone();
            let r = client
                .post(format!("{}/api/v1/credentials/{id}/revoke", issuer.base))
                .bearer_auth(&admin)
                .header("content-type", "application/json")
                .body(json!({"reason": "benchmark"}).to_string())
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "revoke answered {}", r.status());
            let returned = Instant::now();
            for (k, node) in bases.iter().enumerate() {
                let (client, node, credential, times, missed) = (
                    client.clone(),
                    node.clone(),
                    credential.clone(),
                    times.clone(),
                    missed.clone(),
                );
                watchers.push(tokio::spawn(async move {
                    while returned.elapsed() < Duration::from_secs(10) {
                        if verdict(&client, &node, &credential).await.as_deref() == Some("REVOKED")
                        {
                            times.lock().unwrap().push((k, returned.elapsed()));
                            return;
                        }
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                    *missed.lock().unwrap() += 1;
                }));
            }
            n += 1;
            tokio::time::sleep(Duration::from_millis(200).saturating_sub(tick.elapsed())).await;
        }
        for w in watchers {
            let _ = w.await;
        }
        n
    });
    let all = times.lock().unwrap().clone();
    let mut sorted: Vec<Duration> = all.iter().map(|(_, d)| *d).collect();
    sorted.sort();
    let mut far: Vec<Duration> = all
        .iter()
        .filter(|(k, _)| *k >= 4)
        .map(|(_, d)| *d)
        .collect();
    far.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("propagation benchmark: {revocations} revocations, one every 200 ms, {NODES} verifier nodes (4 follow the issuer, 6 only peers), polling hourly");
    println!(
        "  all nodes       : p50 {:.0} ms, p99 {:.0} ms, worst {:.0} ms ({} observations, {} never seen within 10 s)",
        ms(percentile(&sorted, 0.5)),
        ms(percentile(&sorted, 0.99)),
        ms(sorted.last().copied().unwrap_or_default()),
        sorted.len(),
        *missed.lock().unwrap()
    );
    println!(
        "  through peers   : p50 {:.0} ms, p99 {:.0} ms, worst {:.0} ms",
        ms(percentile(&far, 0.5)),
        ms(percentile(&far, 0.99)),
        ms(far.last().copied().unwrap_or_default())
    );
    println!("  (watchers ask each node every 5 ms, so times carry up to 5 ms of polling and one verification; target p99 under 1 s)");
    drop(nodes);
    drop(issuer);
}
