//! A blocking HTTP client for an issuer node's admin API: the bearer token on every
//! request, JSON in and out, and the node's JSON errors turned into messages.

use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::time::Duration;

/// A connection to one node.
pub struct NodeClient {
    base: String,
    token: String,
    http: reqwest::blocking::Client,
}

impl NodeClient {
    /// A client for the node at `base`. Plain http is refused except to this machine,
    /// so an admin token never crosses a network in clear.
    pub fn new(base: &str, token: &str, timeout: Duration) -> Result<Self> {
        let base = base.trim_end_matches('/').to_owned();
        probity_verifier::fetch::FetchPolicy::for_named_node()
            .check_url(&base)
            .map_err(|e| anyhow::anyhow!("--node: {e}"))?;
        if token.trim().is_empty() {
            bail!("--token (or PROBITY_TOKEN) is empty");
        }
        let http = reqwest::blocking::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("probity/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("cannot start the HTTP client")?;
        Ok(NodeClient {
            base,
            token: token.trim().to_owned(),
            http,
        })
    }

    /// POSTs `body` to `path` and returns the answer's JSON; an error answer becomes
    /// an error naming the status and the node's message.
    pub fn post(&self, path: &str, body: &Value) -> Result<Value> {
        let url = format!("{}{path}", self.base);
        let response = self
            .http
            .post(&url)
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(serde_json::to_vec(body)?)
            .send()
            .with_context(|| format!("the node at {} did not answer", self.base))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .with_context(|| format!("cannot read the node's answer from {url}"))?;
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if !status.is_success() {
            let message = value
                .get("error")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| String::from_utf8_lossy(&bytes).chars().take(300).collect());
            // The message may quote what a client sent: escaped, so it cannot steer
            // the terminal.
            bail!("the node answered {status}: {}", message.escape_debug());
        }
        Ok(value)
    }
}
