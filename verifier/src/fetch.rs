//! Fetching trust data over HTTP: status lists, DID documents and registries, for the
//! CLI and for the verifier node alike (SPEC.md §10.6).
//!
//! Every fetch is bounded: a URL policy decides what may be reached at all (https, or
//! http to this machine; never a private or link-local address unless configured, and
//! a host name that resolves to one is refused too), one deadline covers connecting,
//! the headers and the whole body (a server that drip-feeds its answer is cut off), the
//! body is capped in size as it arrives, and redirects are not followed (one could move
//! a fetch to another host or from https to http). Conditional requests
//! (`If-None-Match`, `If-Modified-Since`) let a node poll cheaply.

use futures_util::StreamExt;
use probity_spec::net::{classify_ip, is_loopback_host, AddressClass};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{self, HeaderMap, HeaderValue};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// The default deadline for one whole fetch, from connecting to the last byte.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// Fetches in flight at once in [`Fetcher::get_all`].
pub const PARALLEL: usize = 32;
/// The `User-Agent` of every fetch and event stream.
const USER_AGENT: &str = concat!("probity/", env!("CARGO_PKG_VERSION"));
/// The largest document fetched: the spec crate's document limit.
pub const MAX_BYTES: usize = probity_spec::json::MAX_DOCUMENT_BYTES;

/// Why a fetch did not produce a document.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The URL is not one Probity fetches (see [`FetchPolicy`]).
    #[error("refusing to fetch {url}: {reason}")]
    Refused {
        /// The URL asked for.
        url: String,
        /// Which rule refused it.
        reason: String,
    },
    /// No answer within the deadline (connecting, headers and body together).
    #[error("{url} did not answer in full within {} ms", .after.as_millis())]
    Timeout {
        /// The URL asked for.
        url: String,
        /// The deadline.
        after: Duration,
    },
    /// The server could not be reached or the connection broke.
    #[error("cannot reach {url}: {reason}")]
    Unreachable {
        /// The URL asked for.
        url: String,
        /// What the network said.
        reason: String,
    },
    /// The server answered with an error status.
    #[error("{url} answered HTTP {status}")]
    Status {
        /// The URL asked for.
        url: String,
        /// The HTTP status code.
        status: u16,
    },
    /// The body was larger than the limit.
    #[error("{url} sent more than {limit} bytes")]
    TooLarge {
        /// The URL asked for.
        url: String,
        /// The limit.
        limit: usize,
    },
    /// The HTTP client could not be set up.
    #[error("cannot start the HTTP client: {0}")]
    Client(String),
}

impl FetchError {
    /// One plain sentence for a person, without the HTTP client's chain of causes
    /// (which goes to the log at debug level).
    pub fn short(&self) -> String {
        match self {
            FetchError::Refused { reason, .. } => format!("not fetched: {reason}"),
            FetchError::Timeout { after, .. } => {
                format!("no full answer within {} seconds", after.as_secs_f32())
            }
            FetchError::Unreachable { .. } => "the server could not be reached".to_owned(),
            FetchError::Status { status, .. } => format!("the server answered HTTP {status}"),
            FetchError::TooLarge { limit, .. } => format!("the answer was over {limit} bytes"),
            FetchError::Client(_) => "the HTTP client could not start".to_owned(),
        }
    }
}

/// Which addresses may be fetched from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchPolicy {
    /// Plain `http` and `https` to this machine (127.0.0.0/8, `::1`, `localhost`). The
    /// CLI allows it, so that nodes and tests on one machine work; a verifier node
    /// decides in its configuration.
    pub allow_loopback: bool,
    /// Private and link-local networks (10/8, 172.16/12, 192.168/16, 169.254/16,
    /// fc00::/7, fe80::/10). Off unless configured: a server must not become a way
    /// to reach hosts behind its own firewall.
    pub allow_private: bool,
    /// Hosts (`host` or `host:port`, as written in URLs) never fetched from directly:
    /// an operator's egress rule. What they publish can still arrive through peers.
    pub deny_hosts: Vec<String>,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        FetchPolicy {
            allow_loopback: true,
            allow_private: false,
            deny_hosts: Vec::new(),
        }
    }
}

impl FetchPolicy {
    /// The policy for a node its user names on the command line (`--node`,
    /// `--verifier`): it may sit on their own private network, so private addresses
    /// are allowed; the scheme rule (https, or http to this machine) still holds.
    pub fn for_named_node() -> Self {
        FetchPolicy {
            allow_private: true,
            ..FetchPolicy::default()
        }
    }

    /// Checks a URL against the policy before anything is resolved or sent: https
    /// everywhere, http only to this machine, and address literals in the ranges the
    /// policy closes are refused. (Host names are checked again as they resolve.)
    pub fn check_url(&self, url: &str) -> Result<reqwest::Url, FetchError> {
        let refuse = |reason: String| FetchError::Refused {
            url: url.to_owned(),
            reason,
        };
        let parsed =
            reqwest::Url::parse(url).map_err(|e| refuse(format!("it is not a URL ({e})")))?;
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(refuse("it carries user credentials".to_owned()));
        }
        let host = parsed
            .host_str()
            .ok_or_else(|| refuse("it has no host".to_owned()))?;
        let loopback = is_loopback_host(host);
        match parsed.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => {
                return Err(refuse(
                    "only loopback addresses (localhost, 127.0.0.1, [::1]) may use plain http; use https"
                        .to_owned(),
                ))
            }
            other => return Err(refuse(format!("scheme \"{other}\" is not https"))),
        }
        let authority = match parsed.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        if self
            .deny_hosts
            .iter()
            .any(|d| d.eq_ignore_ascii_case(host) || d.eq_ignore_ascii_case(&authority))
        {
            return Err(refuse(format!(
                "{authority} is on this verifier's deny list"
            )));
        }
        if loopback && !self.allow_loopback {
            return Err(refuse(
                "this verifier does not fetch from its own machine".to_owned(),
            ));
        }
        let literal = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        if let Ok(ip) = literal.parse::<IpAddr>() {
            self.check_ip(ip).map_err(refuse)?;
        }
        Ok(parsed)
    }

    /// Whether an address (a literal, or what a host name resolved to) may be reached.
    fn check_ip(&self, ip: IpAddr) -> Result<(), String> {
        match classify_ip(ip) {
            AddressClass::Public => Ok(()),
            AddressClass::Loopback if self.allow_loopback => Ok(()),
            AddressClass::Loopback => Err(format!("{ip} is this machine")),
            AddressClass::Private | AddressClass::LinkLocal if self.allow_private => Ok(()),
            AddressClass::Private => Err(format!("{ip} is a private network address")),
            AddressClass::LinkLocal => Err(format!("{ip} is a link-local address")),
            AddressClass::Unroutable => Err(format!("{ip} is not an address to fetch from")),
        }
    }
}

/// Resolves host names and drops every address the policy closes, so that a public
/// name pointing at 10.0.0.1 or 169.254.169.254 (or rebinding to one) reaches nothing.
struct PolicyResolver {
    policy: Arc<FetchPolicy>,
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let allowed = resolve_allowed(&policy, name.as_str(), 0).await?;
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The addresses of `host` that `policy` lets this process reach, or why there are
/// none.
async fn resolve_allowed(
    policy: &FetchPolicy,
    host: &str,
    port: u16,
) -> Result<Vec<SocketAddr>, String> {
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| format!("{host} does not resolve: {e}"))?
        .collect();
    let allowed: Vec<SocketAddr> = found
        .iter()
        .copied()
        .filter(|a| policy.check_ip(a.ip()).is_ok())
        .collect();
    if allowed.is_empty() {
        let why = found
            .first()
            .and_then(|a| policy.check_ip(a.ip()).err())
            .unwrap_or_else(|| "it has no address".to_owned());
        return Err(format!("{host} is refused: {why}"));
    }
    Ok(allowed)
}

/// What a server gave: the body and the validators for the next conditional request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The body, at most [`MAX_BYTES`].
    pub body: Vec<u8>,
    /// The `ETag` header, if any.
    pub etag: Option<String>,
    /// The `Last-Modified` header, if any.
    pub last_modified: Option<String>,
}

/// The answer to a conditional request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conditional {
    /// A new version.
    Changed(Fetched),
    /// `304 Not Modified`: the copy held is current.
    NotModified,
}

/// Validators from an earlier fetch of the same URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The `ETag` seen.
    pub etag: Option<String>,
    /// The `Last-Modified` seen.
    pub last_modified: Option<String>,
}

/// An HTTP client for trust data, cheap to clone and safe to share between tasks.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    /// TLS settings for event streams, which have their own client ([`EventStream`]).
    tls: Arc<rustls::ClientConfig>,
    policy: FetchPolicy,
    timeout: Duration,
    max_bytes: usize,
}

/// How long an event stream may stay silent before it is taken for dead; servers send
/// a keep-alive comment more often than this.
pub const STREAM_SILENCE: Duration = Duration::from_secs(45);

impl Fetcher {
    /// A client with this policy and a whole-response deadline of `timeout`.
    pub fn new(policy: FetchPolicy, timeout: Duration) -> Result<Self, FetchError> {
        let shared = Arc::new(policy.clone());
        // Names resolve through the policy, and no redirect is followed.
        let client = reqwest::Client::builder()
            .connect_timeout(timeout)
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(PolicyResolver { policy: shared }))
            .no_proxy()
            .user_agent(USER_AGENT)
            .build()
            .map_err(|e| FetchError::Client(e.to_string()))?;
        Ok(Fetcher {
            client,
            tls: event_stream::tls_config()?,
            policy,
            timeout,
            max_bytes: MAX_BYTES,
        })
    }

    /// Opens an event stream (`GET url`, `Accept: text/event-stream`) under the same
    /// URL policy; the answer must start within the fetch deadline.
    pub async fn event_stream(&self, url: &str) -> Result<EventStream, FetchError> {
        EventStream::open(url, &self.policy, &self.tls, self.timeout).await
    }

    /// The same client with a smaller body limit.
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes.min(MAX_BYTES);
        self
    }

    /// The policy this client enforces.
    pub fn policy(&self) -> &FetchPolicy {
        &self.policy
    }

    /// Fetches `url` in full.
    pub async fn get(&self, url: &str) -> Result<Fetched, FetchError> {
        match self.get_if_changed(url, &Validators::default()).await? {
            Conditional::Changed(fetched) => Ok(fetched),
            // Without validators a server has nothing to compare; a 304 is a fault.
            Conditional::NotModified => Err(FetchError::Status {
                url: url.to_owned(),
                status: 304,
            }),
        }
    }

    /// Fetches `url` unless it is unchanged since `validators` were seen.
    pub async fn get_if_changed(
        &self,
        url: &str,
        validators: &Validators,
    ) -> Result<Conditional, FetchError> {
        let parsed = self.policy.check_url(url)?;
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static(
                "application/vc+ld+json, application/ld+json, application/json",
            ),
        );
        if let Some(v) = validators
            .etag
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            headers.insert(header::IF_NONE_MATCH, v);
        }
        if let Some(v) = validators
            .last_modified
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            headers.insert(header::IF_MODIFIED_SINCE, v);
        }
        // reqwest's own timeout also covers the body, but the deadline here is the one
        // this function promises, whatever the client does.
        let work = self.fetch(url, parsed, headers);
        match tokio::time::timeout(self.timeout, work).await {
            Ok(outcome) => outcome,
            Err(_) => Err(FetchError::Timeout {
                url: url.to_owned(),
                after: self.timeout,
            }),
        }
    }

    async fn fetch(
        &self,
        url: &str,
        parsed: reqwest::Url,
        headers: HeaderMap,
    ) -> Result<Conditional, FetchError> {
        let network = |e: reqwest::Error| {
            if e.is_timeout() {
                FetchError::Timeout {
                    url: url.to_owned(),
                    after: self.timeout,
                }
            } else {
                tracing::debug!(url, error = %error_chain(&e), "fetch failed");
                FetchError::Unreachable {
                    url: url.to_owned(),
                    reason: error_chain(&e),
                }
            }
        };
        let response = self
            .client
            .get(parsed)
            .headers(headers)
            .send()
            .await
            .map_err(network)?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Conditional::NotModified);
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                url: url.to_owned(),
                status: status.as_u16(),
            });
        }
        let too_large = || FetchError::TooLarge {
            url: url.to_owned(),
            limit: self.max_bytes,
        };
        if response
            .content_length()
            .is_some_and(|n| n > self.max_bytes as u64)
        {
            return Err(too_large());
        }
        let text_header = |name: header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let etag = text_header(header::ETAG);
        let last_modified = text_header(header::LAST_MODIFIED);
        let mut body = Vec::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(network)?;
            if body.len() + chunk.len() > self.max_bytes {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Conditional::Changed(Fetched {
            body,
            etag,
            last_modified,
        }))
    }

    /// Fetches every URL, at most [`PARALLEL`] at a time, each bounded by the
    /// client's deadline, and all of them together by `deadline`: a URL still
    /// outstanding then is reported as timed out. Results come back in the order of
    /// `urls`.
    pub async fn get_all(
        &self,
        urls: &[String],
        deadline: Duration,
    ) -> Vec<(String, Result<Fetched, FetchError>)> {
        let started = tokio::time::Instant::now();
        futures_util::stream::iter(urls.iter().cloned())
            .map(|url| async move {
                let left = deadline.saturating_sub(started.elapsed());
                let outcome = match tokio::time::timeout(left, self.get(&url)).await {
                    Ok(outcome) => outcome,
                    Err(_) => Err(FetchError::Timeout {
                        url: url.clone(),
                        after: deadline,
                    }),
                };
                (url, outcome)
            })
            .buffered(PARALLEL)
            .collect()
            .await
    }
}

/// The error and its causes on one line, for the debug log.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

mod event_stream;
pub use event_stream::EventStream;

#[cfg(test)]
mod tests;
