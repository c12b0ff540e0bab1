//! `probity issuer revoke|suspend|reinstate`: a status change on a running node.

use crate::cli::StatusChangeArgs;
use crate::exit;
use crate::node_client::NodeClient;
use anyhow::Result;
use serde_json::json;
use std::time::Duration;

/// Runs one status change (`action` is `revoke`, `suspend` or `reinstate`) and prints
/// the node's answer.
pub fn run(args: &StatusChangeArgs, action: &str) -> Result<i32> {
    let client = NodeClient::new(&args.node.node, &args.node.token, Duration::from_secs(30))?;
    let id = args.id.trim();
    // The id goes into a path: anything that is not a UUID (with or without
    // urn:uuid:) is refused here rather than sent.
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':')
    {
        anyhow::bail!("{id:?} is not a credential id (a UUID, with or without urn:uuid:)");
    }
    let answer = client.post(
        &format!("/api/v1/credentials/{id}/{action}"),
        &json!({"reason": args.reason}),
    )?;
    super::print_line(&serde_json::to_string_pretty(&answer)?)?;
    Ok(exit::OK)
}
