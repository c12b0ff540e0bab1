//! The event-stream client: one long-lived `GET …/events` per issuer and per peer.
//!
//! Written here rather than on reqwest, which does every other fetch, because of what
//! an idle connection costs. hyper's HTTP/1.1 client sets aside about 25 KiB for each
//! one (an 8 KiB read buffer, an 8 KiB write buffer and a request queue) that a stream
//! of short announcement lines never uses, and a node that follows a thousand issuers
//! spent some 25 MiB on it: more than everything it holds. This client asks once and
//! then only reads: httparse reads the response head and the chunk sizes, the body is
//! handed on as it arrives, and an idle stream holds a socket, its TLS state and a
//! buffer of about a kilobyte.
//!
//! The fetch rules are the same as for every other fetch ([`FetchPolicy`]): the URL is
//! checked, a host name's addresses are checked as it resolves, no redirect is
//! followed, the answer must start within the fetch deadline, and a stream silent for
//! longer than [`STREAM_SILENCE`] is taken for dead.

use super::{resolve_allowed, FetchError, FetchPolicy, STREAM_SILENCE, USER_AGENT};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// The longest response head accepted.
const MAX_HEAD: usize = 16 << 10;
/// The most header lines read from a response head.
const MAX_HEADERS: usize = 48;
/// The longest chunk-size line accepted (with extensions).
const MAX_CHUNK_LINE: usize = 1 << 10;
/// How much the buffer grows by for each read: announcements are short lines.
const READ_SIZE: usize = 1 << 10;

/// A connection, plain or TLS.
trait Connection: AsyncRead + AsyncWrite + Unpin + Send + Sync {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Sync> Connection for T {}

/// How the body of the answer is framed (RFC 9112 §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    /// `Transfer-Encoding: chunked`: before a chunk's size line.
    ChunkSize,
    /// Inside a chunk, this many bytes left.
    ChunkData(u64),
    /// After a chunk's data, before its CRLF.
    ChunkEnd,
    /// `Content-Length`: this many bytes left.
    Length(u64),
    /// Neither: the body ends when the connection closes.
    UntilClose,
    /// The body has ended.
    Done,
}

/// An open event stream (`text/event-stream`), read chunk by chunk.
pub struct EventStream {
    connection: Box<dyn Connection>,
    /// Bytes read and not yet handed on.
    buffer: Vec<u8>,
    framing: Framing,
    url: String,
}

/// The TLS settings every stream shares: the same web PKI roots reqwest trusts.
pub(super) fn tls_config() -> Result<Arc<rustls::ClientConfig>, FetchError> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| FetchError::Client(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

impl EventStream {
    /// Opens `url` under `policy`: connected, asked and answered with a 2xx head
    /// within `timeout`.
    pub(super) async fn open(
        url: &str,
        policy: &FetchPolicy,
        tls: &Arc<rustls::ClientConfig>,
        timeout: Duration,
    ) -> Result<Self, FetchError> {
        let parsed = policy.check_url(url)?;
        match tokio::time::timeout(timeout, Self::connect(url, &parsed, policy, tls)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(FetchError::Timeout {
                url: url.to_owned(),
                after: timeout,
            }),
        }
    }

    async fn connect(
        url: &str,
        parsed: &reqwest::Url,
        policy: &FetchPolicy,
        tls: &Arc<rustls::ClientConfig>,
    ) -> Result<Self, FetchError> {
        let unreachable = |reason: String| FetchError::Unreachable {
            url: url.to_owned(),
            reason,
        };
        // `check_url` has made sure of a host and of the scheme (http or https).
        let host = parsed.host_str().unwrap_or_default();
        let bare_host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let port = parsed.port_or_known_default().unwrap_or(443);
        let addresses: Vec<SocketAddr> = resolve_allowed(policy, bare_host, port)
            .await
            .map_err(&unreachable)?;
        let mut tcp = None;
        let mut last_error = String::from("it has no address");
        for address in addresses {
            match TcpStream::connect(address).await {
                Ok(stream) => {
                    tcp = Some(stream);
                    break;
                }
                Err(e) => last_error = format!("{address}: {e}"),
            }
        }
        let tcp = tcp.ok_or_else(|| unreachable(last_error))?;
        let mut connection: Box<dyn Connection> = if parsed.scheme() == "https" {
            let name = rustls::pki_types::ServerName::try_from(bare_host.to_owned())
                .map_err(|e| unreachable(format!("{bare_host} is not a TLS server name: {e}")))?;
            let stream = tokio_rustls::TlsConnector::from(tls.clone())
                .connect(name, tcp)
                .await
                .map_err(|e| unreachable(format!("TLS: {e}")))?;
            Box::new(stream)
        } else {
            Box::new(tcp)
        };
        let authority = match parsed.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        let target = match parsed.query() {
            Some(query) => format!("{}?{query}", parsed.path()),
            None => parsed.path().to_owned(),
        };
        // A parsed URL holds no CR, LF or space in its path, query or host.
        let request = format!(
            "GET {target} HTTP/1.1\r\nHost: {authority}\r\nAccept: text/event-stream\r\n\
             Cache-Control: no-cache\r\nUser-Agent: {USER_AGENT}\r\n\r\n"
        );
        connection
            .write_all(request.as_bytes())
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        connection
            .flush()
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        let mut stream = EventStream {
            connection,
            buffer: Vec::with_capacity(READ_SIZE),
            framing: Framing::Done,
            url: url.to_owned(),
        };
        stream.read_head().await?;
        Ok(stream)
    }

    /// Reads the response head, leaving what follows it in the buffer.
    async fn read_head(&mut self) -> Result<(), FetchError> {
        loop {
            if let Some((length, status, framing)) = self.parse_head()? {
                if !(200..300).contains(&status) {
                    return Err(FetchError::Status {
                        url: self.url.clone(),
                        status,
                    });
                }
                self.buffer.drain(..length);
                self.buffer.shrink_to(READ_SIZE);
                self.framing = framing;
                return Ok(());
            }
            if self.buffer.len() >= MAX_HEAD {
                return Err(self.fault(format!("a response head over {MAX_HEAD} bytes")));
            }
            if self.read_more().await? == 0 {
                return Err(self.fault("the connection closed before the answer".into()));
            }
        }
    }

    /// The head's length, status and body framing, once the buffer holds all of it.
    fn parse_head(&self) -> Result<Option<(usize, u16, Framing)>, FetchError> {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut response = httparse::Response::new(&mut headers);
        let length = match response.parse(&self.buffer) {
            Ok(httparse::Status::Complete(length)) => length,
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(e) => return Err(self.fault(format!("an unreadable response head ({e})"))),
        };
        let status = response.code.unwrap_or(0);
        let value = |name: &str| {
            response
                .headers
                .iter()
                .filter(|h| h.name.eq_ignore_ascii_case(name))
                .map(|h| String::from_utf8_lossy(h.value).trim().to_ascii_lowercase())
                .collect::<Vec<_>>()
        };
        let transfer = value("transfer-encoding");
        let lengths = value("content-length");
        let framing = if let Some(last) = transfer.last() {
            // Chunked must be the final coding; no other coding is asked for or read.
            if last != "chunked" || transfer.len() > 1 {
                return Err(self.fault(format!(
                    "a transfer coding it cannot read ({})",
                    transfer.join(", ")
                )));
            }
            Framing::ChunkSize
        } else if let Some(first) = lengths.first() {
            match first.parse::<u64>() {
                Ok(n) if lengths.iter().all(|l| l == first) => Framing::Length(n),
                _ => return Err(self.fault("an unreadable Content-Length".into())),
            }
        } else {
            Framing::UntilClose
        };
        Ok(Some((length, status, framing)))
    }

    /// The next part of the body; `None` when it has ended.
    pub async fn next_chunk(&mut self) -> Option<Result<Vec<u8>, FetchError>> {
        loop {
            match self.decode() {
                Ok(Some(data)) => return Some(Ok(data)),
                Ok(None) if self.framing == Framing::Done => return None,
                Ok(None) => {}
                Err(e) => {
                    self.framing = Framing::Done;
                    return Some(Err(e));
                }
            }
            match self.read_more().await {
                Ok(0) => {
                    let ended_cleanly = self.framing == Framing::UntilClose;
                    self.framing = Framing::Done;
                    return (!ended_cleanly)
                        .then(|| Err(self.fault("the connection closed mid-answer".into())));
                }
                Ok(_) => {}
                Err(e) => {
                    self.framing = Framing::Done;
                    return Some(Err(e));
                }
            }
        }
    }

    /// Takes what the buffer holds of the body: data, or `None` when more must be read
    /// (or the body has ended).
    fn decode(&mut self) -> Result<Option<Vec<u8>>, FetchError> {
        loop {
            match self.framing {
                Framing::Done => return Ok(None),
                Framing::UntilClose => {
                    if self.buffer.is_empty() {
                        return Ok(None);
                    }
                    return Ok(Some(std::mem::take(&mut self.buffer)));
                }
                Framing::Length(0) => {
                    self.framing = Framing::Done;
                    return Ok(None);
                }
                Framing::Length(left) | Framing::ChunkData(left) => {
                    if self.buffer.is_empty() {
                        return Ok(None);
                    }
                    let take = usize::try_from(left)
                        .unwrap_or(usize::MAX)
                        .min(self.buffer.len());
                    let data: Vec<u8> = self.buffer.drain(..take).collect();
                    let left = left - take as u64;
                    self.framing = match self.framing {
                        Framing::Length(_) => Framing::Length(left),
                        _ if left == 0 => Framing::ChunkEnd,
                        _ => Framing::ChunkData(left),
                    };
                    return Ok(Some(data));
                }
                Framing::ChunkEnd => {
                    if self.buffer.len() < 2 {
                        return Ok(None);
                    }
                    if &self.buffer[..2] != b"\r\n" {
                        return Err(self.fault("a chunk not ended by CRLF".into()));
                    }
                    self.buffer.drain(..2);
                    self.framing = Framing::ChunkSize;
                }
                Framing::ChunkSize => match httparse::parse_chunk_size(&self.buffer) {
                    Ok(httparse::Status::Complete((length, 0))) => {
                        // The last chunk; trailers, if any, are not read.
                        self.buffer.drain(..length);
                        self.framing = Framing::Done;
                        return Ok(None);
                    }
                    Ok(httparse::Status::Complete((length, size))) => {
                        self.buffer.drain(..length);
                        self.framing = Framing::ChunkData(size);
                    }
                    Ok(httparse::Status::Partial) if self.buffer.len() > MAX_CHUNK_LINE => {
                        return Err(self.fault("a chunk-size line too long".into()));
                    }
                    Ok(httparse::Status::Partial) => return Ok(None),
                    Err(_) => return Err(self.fault("an unreadable chunk size".into())),
                },
            }
        }
    }

    /// Reads what has arrived, waiting at most [`STREAM_SILENCE`]; 0 at the end.
    async fn read_more(&mut self) -> Result<usize, FetchError> {
        self.buffer.reserve(READ_SIZE);
        match tokio::time::timeout(STREAM_SILENCE, self.connection.read_buf(&mut self.buffer)).await
        {
            Ok(Ok(n)) => Ok(n),
            Ok(Err(e)) => Err(self.fault(e.to_string())),
            Err(_) => Err(FetchError::Timeout {
                url: self.url.clone(),
                after: STREAM_SILENCE,
            }),
        }
    }

    fn fault(&self, reason: String) -> FetchError {
        FetchError::Unreachable {
            url: self.url.clone(),
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    /// A server on 127.0.0.1:0 that answers the first request with `answer`, sent in
    /// the pieces given, then holds the connection open for a while.
    async fn server(pieces: Vec<&'static [u8]>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = vec![0u8; 4096];
            let _ = socket.read(&mut request).await;
            for piece in pieces {
                socket.write_all(piece).await.unwrap();
                socket.flush().await.unwrap();
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
        format!("http://{address}/events")
    }

    async fn read_all(url: &str) -> Result<Vec<u8>, FetchError> {
        let tls = tls_config().unwrap();
        let mut stream =
            EventStream::open(url, &FetchPolicy::default(), &tls, Duration::from_secs(5)).await?;
        let mut body = Vec::new();
        while let Some(chunk) = stream.next_chunk().await {
            body.extend(chunk?);
        }
        Ok(body)
    }

    #[tokio::test]
    async fn a_chunked_stream_is_read_across_split_sizes_and_data() {
        let url = server(vec![
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n1",
            b"3\r\nevent: status-list\n\r",
            b"\n6;ext=1\r\nda",
            b"ta:\n\r\n0\r\n\r\n",
        ])
        .await;
        assert_eq!(
            read_all(&url).await.unwrap(),
            b"event: status-list\ndata:\n"
        );
    }

    #[tokio::test]
    async fn a_length_framed_and_a_close_framed_body_are_read() {
        let url = server(vec![
            b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab",
            b"cdEXTRA",
        ])
        .await;
        assert_eq!(read_all(&url).await.unwrap(), b"abcd");
        let url = server(vec![b"HTTP/1.1 200 OK\r\n\r\n", b"one\n", b"two\n"]).await;
        assert_eq!(read_all(&url).await.unwrap(), b"one\ntwo\n");
    }

    #[tokio::test]
    async fn bad_answers_are_named() {
        let cases: Vec<(Vec<&'static [u8]>, &str)> = vec![
            (
                vec![b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"],
                "HTTP 404",
            ),
            (
                vec![b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"],
                "transfer coding",
            ),
            (
                vec![b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"],
                "Content-Length",
            ),
            (vec![b"NOT HTTP\r\n\r\n"], "unreadable response head"),
            (
                vec![b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"],
                "chunk size",
            ),
            (
                vec![b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY"],
                "CRLF",
            ),
            (
                vec![b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"],
                "closed mid-answer",
            ),
            (vec![b"HTTP/1.1 200 OK\r\n"], "closed before the answer"),
        ];
        for (pieces, expected) in cases {
            let url = server(pieces).await;
            let error = read_all(&url).await.unwrap_err().to_string();
            assert!(
                error.contains(expected),
                "{error:?} should name {expected:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_head_that_never_ends_is_cut_off() {
        let head: &'static [u8] = Box::leak(
            format!("HTTP/1.1 200 OK\r\nX: {}\r\n", "a".repeat(MAX_HEAD))
                .into_bytes()
                .into_boxed_slice(),
        );
        let url = server(vec![head]).await;
        let error = read_all(&url).await.unwrap_err().to_string();
        assert!(error.contains("response head over"), "{error}");
    }

    /// An https server for `localhost` on 127.0.0.1:0 with a certificate made for the
    /// test, answering one request with `answer`; returns its URL and a client TLS
    /// configuration that trusts that certificate alone.
    async fn tls_server(answer: &'static [u8]) -> (String, Arc<rustls::ClientConfig>) {
        let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let certificate = certified.cert.der().clone();
        let key =
            rustls::pki_types::PrivateKeyDer::Pkcs8(certified.key_pair.serialize_der().into());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let server = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![certificate.clone()], key)
            .unwrap();
        let mut roots = rustls::RootCertStore::empty();
        roots.add(certificate).unwrap();
        let client = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server));
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(socket).await else {
                        return;
                    };
                    let mut request = vec![0u8; 4096];
                    let _ = tls.read(&mut request).await;
                    let _ = tls.write_all(answer).await;
                    let _ = tls.shutdown().await;
                });
            }
        });
        (format!("https://localhost:{port}/events"), Arc::new(client))
    }

    #[tokio::test]
    async fn a_stream_is_read_over_tls_from_a_trusted_server_only() {
        let answer = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n13\r\nevent: status-list\n\r\n0\r\n\r\n";
        let (url, trusting) = tls_server(answer).await;
        let mut stream = EventStream::open(
            &url,
            &FetchPolicy::default(),
            &trusting,
            Duration::from_secs(5),
        )
        .await
        .unwrap();
        let mut body = Vec::new();
        while let Some(chunk) = stream.next_chunk().await {
            body.extend(chunk.unwrap());
        }
        assert_eq!(body, b"event: status-list\n");
        // The same server, with the web PKI roots every node uses: its certificate is
        // nobody's, and the handshake says so.
        let error = EventStream::open(
            &url,
            &FetchPolicy::default(),
            &tls_config().unwrap(),
            Duration::from_secs(5),
        )
        .await
        .err()
        .unwrap()
        .to_string();
        assert!(
            error.contains("TLS") && error.contains("certificate"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn the_policy_and_tls_apply() {
        let tls = tls_config().unwrap();
        let policy = FetchPolicy {
            allow_loopback: false,
            ..FetchPolicy::default()
        };
        let refused = EventStream::open(
            "http://127.0.0.1:9/events",
            &policy,
            &tls,
            Duration::from_secs(5),
        )
        .await
        .err()
        .unwrap();
        assert!(matches!(refused, FetchError::Refused { .. }), "{refused}");
        // A plain-http server on the far end of an https URL fails the TLS handshake.
        let url = server(vec![b"HTTP/1.1 200 OK\r\n\r\n"])
            .await
            .replace("http://", "https://");
        let error = read_all(&url).await.unwrap_err().to_string();
        assert!(error.contains("TLS"), "{error}");
    }
}
