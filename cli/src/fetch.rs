//! Fetching trust data over HTTP: status lists and did:web documents.
//!
//! HTTPS everywhere, except plain HTTP to loopback addresses so that nodes and tests
//! on one machine work. Five-second timeout, no redirects (a redirect could move a
//! fetch from HTTPS to HTTP), and a size cap so a hostile server cannot exhaust memory.

use anyhow::{bail, Context, Result};
use std::io::Read;
use std::net::IpAddr;
use std::time::Duration;

/// Timeout for one fetch.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// Largest document fetched.
pub const MAX_BYTES: u64 = probity_spec::json::MAX_DOCUMENT_BYTES as u64;

/// A blocking HTTP client for trust data.
pub struct Fetcher {
    client: reqwest::blocking::Client,
}

impl Fetcher {
    /// A client with Probity's timeout and redirect policy.
    pub fn new() -> Result<Self> {
        let client = reqwest::blocking::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("probity/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("cannot start the HTTP client")?;
        Ok(Fetcher { client })
    }

    /// Fetches `url`, which must be https, or http to a loopback host.
    pub fn get(&self, url: &str) -> Result<Vec<u8>> {
        check_url(url)?;
        let response = self
            .client
            .get(url)
            .header("accept", "application/vc+ld+json, application/json")
            .send()
            .with_context(|| format!("cannot fetch {url}"))?;
        let status = response.status();
        if !status.is_success() {
            bail!("{url} answered HTTP {status}");
        }
        let mut body = Vec::new();
        response
            .take(MAX_BYTES + 1)
            .read_to_end(&mut body)
            .with_context(|| format!("cannot read the answer from {url}"))?;
        if body.len() as u64 > MAX_BYTES {
            bail!("{url} sent more than {MAX_BYTES} bytes");
        }
        Ok(body)
    }
}

/// Refuses URLs Probity will not fetch: anything but https, and http except to loopback.
pub fn check_url(url: &str) -> Result<()> {
    let parsed = reqwest::Url::parse(url).with_context(|| format!("\"{url}\" is not a URL"))?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&parsed) => Ok(()),
        "http" => {
            bail!("refusing plain http for {url}: only loopback addresses may use http; use https")
        }
        other => bail!("refusing {url}: scheme \"{other}\" is not https"),
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http() {
        assert!(check_url("https://certs.example/status/1").is_ok());
        assert!(check_url("http://127.0.0.1:8080/status/1").is_ok());
        assert!(check_url("http://127.1.2.3/x").is_ok());
        assert!(check_url("http://localhost:1/x").is_ok());
        assert!(check_url("http://[::1]:9/x").is_ok());
        assert!(check_url("http://certs.example/status/1").is_err());
        assert!(check_url("http://10.0.0.1/status/1").is_err());
        assert!(check_url("file:///etc/passwd").is_err());
        assert!(check_url("not a url").is_err());
    }
}
