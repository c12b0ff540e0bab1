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
