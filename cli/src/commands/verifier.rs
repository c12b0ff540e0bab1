//! `probity verifier serve`: start a verifier node. The node itself is
//! `probity_verifier::node`; this only reads the configuration, binds the address and
//! waits for Ctrl-C.

use crate::cli::VerifierServeArgs;
use crate::exit;
use anyhow::{Context, Result};
use probity_verifier::node::{self, Node, NodeConfig};
use std::sync::Arc;

/// Runs `probity verifier serve`.
pub fn serve(args: &VerifierServeArgs) -> Result<i32> {
    let mut config = NodeConfig::load(&args.config, |var| std::env::var(var).ok())
        .with_context(|| format!("configuration {}", args.config.display()))?;
    if let Some(listen) = &args.listen {
        config.listen = listen
            .parse()
            .with_context(|| format!("--listen {listen} is not an address like 127.0.0.1:8700"))?;
    }
    let clock = match &args.at {
        Some(text) => {
            let start = probity_spec::time::parse(text).context("--at")?;
            let began = std::time::Instant::now();
            let clock: node::Clock = Arc::new(move || {
                start + chrono::Duration::from_std(began.elapsed()).unwrap_or_default()
            });
            clock
        }
        None => node::system_clock(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let address = listener.local_addr()?;
        let node = Node::open(config, clock).context("cannot open the verifier node")?;
        super::print_line(&format!("listening on http://{address}"))?;
        tracing::info!(%address, "verifier node serving");
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutting down");
        };
        node::serve(node, listener, shutdown).await?;
        anyhow::Ok(())
    })?;
    Ok(exit::OK)
}
