use super::*;
use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// How a test server answers each connection.
#[derive(Clone, Copy)]
enum Behaviour {
    /// Reads the request and never answers.
    Hang,
    /// Sends the headers, then one byte of body every 100 ms, for ever.
    Drip,
    /// Sends `n` bytes of body without a content-length, then closes.
    Body(usize),
    /// Answers 200 with an ETag, or 304 when the request carries that ETag.
    Tagged,
}

/// A raw HTTP server on 127.0.0.1:0 behaving badly on purpose; returns its base URL.
async fn server(behaviour: Behaviour) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut request = vec![0u8; 4096];
                let n = socket.read(&mut request).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&request[..n]).to_ascii_lowercase();
                match behaviour {
                    Behaviour::Hang => tokio::time::sleep(Duration::from_secs(3600)).await,
                    Behaviour::Drip => {
                        let _ = socket
                            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n")
                            .await;
                        loop {
                            if socket.write_all(b"x").await.is_err() {
                                return;
                            }
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                    }
                    Behaviour::Body(len) => {
                        let _ = socket
                            .write_all(b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n")
                            .await;
                        let _ = socket.write_all(&vec![b'x'; len]).await;
                    }
                    Behaviour::Tagged => {
                        let answer: &[u8] = if request.contains("if-none-match: \"v1\"") {
                            b"HTTP/1.1 304 Not Modified\r\netag: \"v1\"\r\ncontent-length: 0\r\n\r\n"
                        } else {
                            b"HTTP/1.1 200 OK\r\netag: \"v1\"\r\nlast-modified: Thu, 03 Dec 2026 06:00:00 GMT\r\ncontent-length: 2\r\n\r\n{}"
                        };
                        let _ = socket.write_all(answer).await;
                    }
                }
            });
        }
    });
    base
}

fn fetcher(timeout_ms: u64) -> Fetcher {
    Fetcher::new(FetchPolicy::default(), Duration::from_millis(timeout_ms)).unwrap()
}

#[tokio::test]
async fn a_drip_fed_body_is_cut_off_at_the_deadline() {
    let base = server(Behaviour::Drip).await;
    let started = Instant::now();
    let outcome = fetcher(800).get(&format!("{base}/status/1")).await;
    assert!(
        matches!(outcome, Err(FetchError::Timeout { .. })),
        "{outcome:?}"
    );
    // Bounded by the deadline, not by the server (which would drip for minutes).
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn many_silent_servers_cost_one_deadline_together() {
    let mut urls = Vec::new();
    for _ in 0..6 {
        urls.push(format!("{}/status/1", server(Behaviour::Hang).await));
    }
    let started = Instant::now();
    let results = fetcher(5_000)
        .get_all(&urls, Duration::from_millis(700))
        .await;
    assert_eq!(results.len(), 6);
    for (url, outcome) in &results {
        assert!(
            matches!(outcome, Err(FetchError::Timeout { .. })),
            "{url}: {outcome:?}"
        );
    }
    // One after the other would take six deadlines; together they take one.
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_as_it_arrives() {
    let base = server(Behaviour::Body(5_000)).await;
    let small = fetcher(5_000).with_max_bytes(4_096);
    let outcome = small.get(&format!("{base}/big")).await;
    assert!(
        matches!(outcome, Err(FetchError::TooLarge { limit: 4_096, .. })),
        "{outcome:?}"
    );
    let fits = fetcher(5_000).get(&format!("{base}/big")).await.unwrap();
    assert_eq!(fits.body.len(), 5_000);
}

#[tokio::test]
async fn conditional_requests_carry_and_return_validators() {
    let base = server(Behaviour::Tagged).await;
    let url = format!("{base}/status/1");
    let f = fetcher(5_000);
    let first = f.get(&url).await.unwrap();
    assert_eq!(first.body, b"{}");
    assert_eq!(first.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        first.last_modified.as_deref(),
        Some("Thu, 03 Dec 2026 06:00:00 GMT")
    );
    let validators = Validators {
        etag: first.etag.clone(),
        last_modified: first.last_modified.clone(),
    };
    assert_eq!(
        f.get_if_changed(&url, &validators).await.unwrap(),
        Conditional::NotModified
    );
}

#[tokio::test]
async fn the_policy_refuses_before_anything_is_sent() {
    let f = fetcher(5_000);
    for url in [
        "http://certs.example/status/1",
        "http://10.0.0.1/status/1",
        "https://10.0.0.1/status/1",
        "https://192.168.1.10/x",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fe80::1]/x",
        "https://[::ffff:10.0.0.1]/x",
        "https://0.0.0.0/x",
        "file:///etc/passwd",
        "ftp://certs.example/x",
        "https://user:secret@certs.example/x",
        "not a url",
    ] {
        let outcome = f.get(url).await;
        assert!(
            matches!(outcome, Err(FetchError::Refused { .. })),
            "{url}: {outcome:?}"
        );
    }
}

#[tokio::test]
async fn loopback_is_a_choice_and_names_are_checked_as_they_resolve() {
    let base = server(Behaviour::Tagged).await;
    let port = base.rsplit(':').next().unwrap();
    // `localhost` resolves to a loopback address, which the default policy allows.
    let by_name = fetcher(5_000)
        .get(&format!("http://localhost:{port}/x"))
        .await;
    assert!(by_name.is_ok(), "{by_name:?}");
    let closed = Fetcher::new(
        FetchPolicy {
            allow_loopback: false,
            allow_private: false,
            deny_hosts: Vec::new(),
        },
        Duration::from_secs(5),
    )
    .unwrap();
    for url in [format!("{base}/x"), format!("https://localhost:{port}/x")] {
        let outcome = closed.get(&url).await;
        assert!(
            matches!(outcome, Err(FetchError::Refused { .. })),
            "{url}: {outcome:?}"
        );
    }
}

#[tokio::test]
async fn denied_hosts_are_never_fetched_from() {
    let base = server(Behaviour::Tagged).await;
    let authority = base.trim_start_matches("http://").to_owned();
    let policy = FetchPolicy {
        deny_hosts: vec![authority],
        ..FetchPolicy::default()
    };
    let f = Fetcher::new(policy, Duration::from_secs(5)).unwrap();
    let outcome = f.get(&format!("{base}/x")).await;
    assert!(
        matches!(outcome, Err(FetchError::Refused { .. })),
        "{outcome:?}"
    );
    // The same host on another port is not denied.
    assert!(fetcher(5_000).get(&format!("{base}/x")).await.is_ok());
}

#[test]
fn short_messages_are_one_plain_sentence() {
    let e = FetchError::Unreachable {
        url: "https://certs.example/status/1".into(),
        reason: "error sending request: client error (Connect): tcp connect error: Connection refused (os error 111)".into(),
    };
    assert_eq!(e.short(), "the server could not be reached");
}
