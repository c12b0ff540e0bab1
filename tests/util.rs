//! Helpers for the end-to-end tests: run the real `probity` binary, serve documents
//! from a real HTTP server on 127.0.0.1:0, and build small federations.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// The public test vectors, kept in the repository in `spec/tests/vectors`.
pub fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/tests/vectors")
}

/// The moment every verification in the tests is judged at, unless a test names
/// another on purpose. Tests never judge by the real clock, so a fresh clone passes in
/// any year: the credentials they issue carry fixed dates around this time.
pub const AT: &str = "2026-06-01T00:00:00Z";

/// [`AT`] as a time.
pub fn at() -> chrono::DateTime<chrono::Utc> {
    AT.parse().unwrap()
}

/// Refuses a `probity verify` (or `demo`) without `--at`: its verdict would depend on
/// the year the test runs in.
fn require_fixed_time(args: &[&str]) {
    if matches!(args.first(), Some(&"verify") | Some(&"demo")) {
        assert!(
            args.contains(&"--at"),
            "tests judge at a fixed time: pass --at (util::AT) to {args:?}"
        );
    }
}

/// A `probity` command.
pub fn probity() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_probity"));
    cmd.env_remove("RUST_LOG")
        .env_remove("PROBITY_ISSUER_BASE_URL")
        .env_remove("PROBITY_ISSUER_LISTEN")
        .env_remove("PROBITY_REGISTRY")
        .env_remove("PROBITY_FEDERATION_KEY");
    cmd
}

/// Runs `probity` with `args` in `dir` and returns its output.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    require_fixed_time(args);
    probity()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("probity runs")
}

/// Runs `probity` with `stdin` piped in.
pub fn run_with_stdin(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    require_fixed_time(args);
    let mut child = probity()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("probity starts");
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    output
}

/// Stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts the exit code, showing the output when it differs.
#[track_caller]
pub fn assert_exit(o: &Output, code: i32) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(o),
        stderr(o)
    );
}

/// Runs `probity verify --json` and returns (exit code, report).
pub fn verify_json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["verify", "--json"];
    all.extend_from_slice(args);
    if !args.contains(&"--at") {
        all.extend(["--at", AT]);
    }
    let o = run(dir, &all);
    let report = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not a JSON report ({e}):\n{}\n{}", stdout(&o), stderr(&o)));
    (o.status.code().unwrap_or(-1), report)
}

/// A tiny HTTP/1.1 server on 127.0.0.1:0 that serves whatever documents the test
/// puts in it. Enough HTTP for reqwest; not a component of Probity.
pub struct Server {
    pub base: String,
    docs: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    hits: Arc<std::sync::atomic::AtomicUsize>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let docs: Arc<Mutex<HashMap<String, Vec<u8>>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let hits: Arc<std::sync::atomic::AtomicUsize> = Arc::default();
        let (d, s, h) = (docs.clone(), stop.clone(), hits.clone());
        let handle = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    h.fetch_add(1, Ordering::SeqCst);
                    let d = d.clone();
                    std::thread::spawn(move || serve(stream, &d));
                }
            }
        });
        Server {
            base: format!("http://{addr}"),
            docs,
            hits,
            stop,
            handle: Some(handle),
        }
    }

    /// The port, for did:web identifiers.
    pub fn port(&self) -> u16 {
        self.base.rsplit(':').next().unwrap().parse().unwrap()
    }

    /// Serves `body` at `path`.
    pub fn put(&self, path: &str, body: Vec<u8>) {
        self.docs.lock().unwrap().insert(path.to_owned(), body);
    }

    /// How many connections the server has taken.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// The full URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.base.trim_start_matches("http://"));
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn serve(stream: TcpStream, docs: &Mutex<HashMap<String, Vec<u8>>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line == "\r\n" => break,
            Ok(_) => {}
        }
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_owned();
    let body = docs.lock().unwrap().get(&path).cloned();
    let mut stream = stream;
    let response = match body {
        Some(body) => {
            let mut r = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes();
            r.extend_from_slice(&body);
            r
        }
        None => {
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_vec()
        }
    };
    let _ = stream.write_all(&response);
    let _ = stream.flush();
}

/// A node process of the real `probity` binary (`probity issuer serve …` or
/// `probity verifier serve …`), killed when dropped.
pub struct NodeProcess {
    pub child: std::process::Child,
    /// `http://127.0.0.1:PORT`, from the node's first line of output.
    pub base: String,
}

impl NodeProcess {
    /// Starts `probity ARGS` in `dir` and waits (up to 30 s) for its `listening on URL`
    /// line. The node's log goes to `dir/node-N.log`.
    pub fn start(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> NodeProcess {
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, Ordering::SeqCst);
        let log = std::fs::File::create(dir.join(format!("node-{n}.log"))).unwrap();
        let mut child = probity()
            .current_dir(dir)
            .args(args)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("probity starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            // Keep reading so the node never blocks on a full pipe.
            for _ in lines {}
        });
        let line = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("probity {args:?} did not say where it listens"));
        let base = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line}"))
            .trim()
            .to_owned();
        NodeProcess { child, base }
    }

    /// Kills the node at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

// ---------------------------------------------------------------------------------------
// Issuer nodes: the real `probity issuer serve`, on loopback.
// ---------------------------------------------------------------------------------------

/// The fixed time issuer nodes in tests start their clocks at.
pub const NODE_CLOCK_START: &str = "2026-03-01T09:00:00Z";
/// A time a few hours later, inside the lists' validity: what `--at` verifies at.
pub const VERIFY_AT: &str = "2026-03-01T12:00:00Z";

impl NodeProcess {
    /// Starts `probity issuer serve --dir DIR --listen LISTEN` with its clock at
    /// [`NODE_CLOCK_START`], and waits for its `listening on` line.
    pub fn issuer(dir: &Path, listen: &str) -> NodeProcess {
        let dir = dir.to_str().unwrap();
        let args = [
            "issuer",
            "serve",
            "--dir",
            dir,
            "--listen",
            listen,
            "--clock-start",
            NODE_CLOCK_START,
        ];
        NodeProcess::start(Path::new(dir).parent().unwrap(), &args, &[])
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

/// A port free on 127.0.0.1 now (for did:web nodes, whose DID names the port).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `probity issuer init` in `dir`; returns the admin token.
pub fn issuer_init(dir: &Path, kind: &str, did: Option<&str>) -> String {
    let mut args = vec![
        "issuer",
        "init",
        "--dir",
        dir.to_str().unwrap(),
        "--name",
        "Canadian Point of Care Ultrasound Society",
        "--kind",
        kind,
    ];
    if let Some(did) = did {
        args.extend(["--did", did]);
    }
    let o = run(dir.parent().unwrap(), &args);
    assert_exit(&o, 0);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "the token alone on its own line: {out:?}");
    lines[0].to_owned()
}

/// A blocking HTTP client for talking to nodes in tests.
pub fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap()
}

/// POSTs JSON with a bearer token; returns (status, JSON answer).
pub fn post_json(
    base: &str,
    path: &str,
    token: &str,
    body: &serde_json::Value,
) -> (u16, serde_json::Value) {
    let r = http()
        .post(format!("{base}{path}"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .unwrap();
    let status = r.status().as_u16();
    let bytes = r.bytes().unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

/// GETs with an optional bearer token; returns (status, body text).
pub fn get_text(base: &str, path: &str, token: Option<&str>) -> (u16, String) {
    let mut req = http().get(format!("{base}{path}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().unwrap();
    (r.status().as_u16(), r.text().unwrap())
}

/// An IP certificate candidate as the node reads it.
pub fn ip_candidate(name: &str, registration: &str, track: &str) -> serde_json::Value {
    serde_json::json!({
        "name": name, "registrationNumber": registration, "track": track,
        "modules": ["shoulder", "knee"], "curriculumVersion": "2024.1",
        "course": {"id": "CPOCUS-MSK-2025-0142", "provider": "Western Ultrasound Academy", "date": "2025-10-04"},
        "loggedScans": {"total": 150, "supervised": 50, "from": "2025-10-05", "to": "2026-02-10", "supervisorIpNumber": "IP-2019-00088"},
        "exams": [
            {"kind": "written", "score": 92, "date": "2026-01-15", "examiner": "Dr. Louis Tremblay"},
            {"kind": "visual", "score": 88, "date": "2026-01-15", "examiner": "Dr. Louis Tremblay"},
            {"kind": "practical", "score": 100, "date": "2026-02-20", "examiner": "Dr. Priya Raman"}
        ]
    })
}

/// The CSV header `probity issuer import` reads for IP certificates.
pub const IP_CSV_HEADER: &str = "importId,name,registrationNumber,track,modules,curriculumVersion,course.id,course.provider,course.date,loggedScans.total,loggedScans.supervised,loggedScans.from,loggedScans.to,loggedScans.supervisorIpNumber,written.score,written.date,written.examiner,visual.score,visual.date,visual.examiner,practical.score,practical.date,practical.examiner";

/// One CSV row of a good candidate, numbered `i`, with this practical score.
pub fn ip_csv_row(i: usize, practical: u32) -> String {
    format!("row-{i},Dr. Holder {i},CPSO {i:06},FM_CORE,lung;cardiac,2024.1,C-{i},Western Ultrasound Academy,2025-10-04,150,50,2025-10-05,2026-02-10,IP-2019-00088,92,2026-01-15,Dr. L,88,2026-01-15,Dr. L,{practical},2026-02-20,Dr. P")
}

/// Submits an IP request as `submitter` and approves it as `admin`; returns the
/// credential's id and the signed credential.
pub fn submit_and_approve(
    base: &str,
    submitter: &str,
    admin: &str,
    candidate: &serde_json::Value,
) -> (String, serde_json::Value) {
    let (status, req) = post_json(base, "/api/v1/ip-requests", submitter, candidate);
    assert_eq!(status, 201, "{req}");
    let id = req["id"].as_str().unwrap();
    let (status, approved) = post_json(
        base,
        &format!("/api/v1/ip-requests/{id}/approve"),
        admin,
        &serde_json::json!({}),
    );
    assert_eq!(status, 201, "{approved}");
    (
        approved["id"].as_str().unwrap().to_owned(),
        approved["credential"].clone(),
    )
}

/// The DID an issuer node says it is.
pub fn did_of(base: &str) -> String {
    let (_, health) = get_text(base, "/healthz", None);
    serde_json::from_str::<serde_json::Value>(&health).unwrap()["did"]
        .as_str()
        .unwrap()
        .to_owned()
}

// ---------------------------------------------------------------------------------------
// Verifier nodes and the federation, as the network tests start them.
// ---------------------------------------------------------------------------------------

/// Polls `check` every 50 ms until it is true or `limit` passes: for waiting on
/// processes, never for judging how fast they were.
pub fn eventually(limit: std::time::Duration, mut check: impl FnMut() -> bool) -> bool {
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        if check() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    check()
}

/// `probity federation publish --dir fed --out registry.json` in `dir` at `at`.
pub fn publish_registry(dir: &Path, at: &str) {
    let o = run(
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
            at,
        ],
    );
    assert_exit(&o, 0);
}

/// Writes `NAME.toml` in `dir`, a verifier node's configuration: the federation's
/// registry file, polling every `refresh`, `peers`, and hosts it may not contact.
/// Returns the file's name.
pub fn verifier_config(
    dir: &Path,
    name: &str,
    root: &str,
    refresh: &str,
    peers: &[&str],
    deny: &[&str],
) -> String {
    let list = |items: &[&str]| {
        items
            .iter()
            .map(|i| format!("\"{i}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let file = format!("{name}.toml");
    std::fs::write(
        dir.join(&file),
        format!(
            "listen = \"127.0.0.1:0\"\ndata_dir = \"{name}-data\"\npeers = [{}]\n[[federation]]\nroot_key = \"{root}\"\nregistry = \"registry.json\"\n[freshness]\nrefresh = \"{refresh}\"\n[fetch]\nallow_loopback = true\ndeny_hosts = [{}]\n",
            list(peers),
            list(deny)
        ),
    )
    .unwrap();
    file
}

/// Starts `probity verifier serve --config CONFIG` in `dir` with its clock at
/// [`VERIFY_AT`], logging at info level to its log file.
pub fn start_verifier(dir: &Path, config: &str) -> NodeProcess {
    NodeProcess::start(
        dir,
        &["verifier", "serve", "--config", config, "--at", VERIFY_AT],
        &[("RUST_LOG", "probity_verifier=info")],
    )
}

/// `probity federation` in `dir/fed`: a federation whose one member is the certifying
/// body `body_did` at `body_base`, its registry published to `dir/registry.json` at
/// 08:00 on the test day. Returns the root key.
pub fn federation_of_one_body(dir: &Path, body_did: &str, body_base: &str) -> String {
    let run_ok = |dir: &Path, args: &[&str]| {
        let o = run(dir, args);
        assert_exit(&o, 0);
        stdout(&o)
    };
    let root = run_ok(
        dir,
        &[
            "federation",
            "init",
            "--dir",
            "fed",
            "--name",
            "POCUS federation",
        ],
    )
    .trim()
    .to_owned();
    run_ok(
        dir,
        &[
            "federation",
            "add-member",
            "--dir",
            "fed",
            "--did",
            body_did,
            "--name",
            "Canadian Point of Care Ultrasound Society",
            "--kind",
            "certifying-body",
            "--jurisdiction",
            "CA",
            "--may-issue",
            "PocusIpCertificate",
            "--issuer-endpoint",
            body_base,
            "--status-endpoint",
            &format!("{body_base}/status"),
            "--at",
            "2026-03-01T08:00:00Z",
        ],
    );
    publish_registry(dir, "2026-03-01T08:00:00Z");
    root
}
