//! `probity issuer init`, `probity issuer token create` and `probity issuer serve`:
//! making a node and running it. The node itself is the `probity-issuer` library;
//! this file only reads flags and settings and starts it.

use crate::cli::{IssuerInitArgs, IssuerKindArg, IssuerServeArgs, RoleArg};
use crate::exit;
use anyhow::{Context, Result};
use probity_issuer::clock::Clock;
use probity_issuer::config::{self, Settings};
use probity_issuer::node::{self, InitOptions, Issuer};
use probity_issuer::records::{IssuerKind, Role};
use std::path::Path;

fn settings(dir: &Path) -> Result<Settings> {
    let path = dir.join(config::FILE_NAME);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read {}; run `probity issuer init` first",
            path.display()
        )
    })?;
    Ok(Settings::parse(&text, |name| std::env::var(name).ok())?)
}

/// `probity issuer init`.
pub fn init(args: &IssuerInitArgs) -> Result<i32> {
    let kind = match args.kind {
        IssuerKindArg::CertifyingBody => IssuerKind::CertifyingBody,
        IssuerKindArg::Hospital => IssuerKind::Hospital,
    };
    // Settings from the environment apply from the start (the status list size is
    // fixed when the lists are made).
    let settings = Settings::parse("", |name| std::env::var(name).ok())?;
    let made = node::init(
        &args.dir,
        &InitOptions {
            name: args.name.clone(),
            kind,
            did: args.did.clone(),
        },
        &settings,
        chrono::Utc::now(),
    )?;
    super::note(&format!(
        "issuer node created in {}\nissuer DID: {}\nsigning key: {} (mode 0600)\nthe admin token below is shown once; only its hash is kept:",
        args.dir.display(),
        made.did,
        made.key_file.display()
    ));
    super::print_line(&made.admin_token)?;
    Ok(exit::OK)
}

/// `probity issuer token create`.
pub fn token_create(dir: &Path, role: RoleArg) -> Result<i32> {
    let role = match role {
        RoleArg::Admin => Role::Admin,
        RoleArg::Instructor => Role::Instructor,
    };
    let token = node::create_token_offline(dir, role, chrono::Utc::now())?;
    super::print_line(&token)?;
    Ok(exit::OK)
}

/// `probity issuer serve`: binds, opens the node, prints `listening on http://ADDR`
/// once it is ready, and serves until Ctrl-C or SIGTERM.
pub fn serve(args: &IssuerServeArgs) -> Result<i32> {
    let settings = settings(&args.dir)?;
    let listen = args
        .listen
        .clone()
        .unwrap_or_else(|| settings.listen.clone());
    let clock = match args.clock_start {
        Some(start) => Clock::starting_at(start),
        None => Clock::system(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        let addr = listener.local_addr()?;
        let dir = args.dir.clone();
        let issuer = tokio::task::spawn_blocking(move || -> Result<std::sync::Arc<Issuer>> {
            let identity = node::read_identity(&dir)?;
            let base = settings
                .base_url
                .clone()
                .unwrap_or_else(|| node::default_base_url(&identity.did, addr));
            Ok(Issuer::open(&dir, settings, base, clock)?)
        })
        .await??;
        tracing::info!(did = %issuer.identity().did, base_url = %issuer.base_url(), "issuer node ready");
        super::print_line(&format!("listening on http://{addr}"))?;
        super::note(&format!(
            "issuer {} publishing under {}",
            issuer.identity().did,
            issuer.base_url()
        ));
        probity_issuer::run(listener, issuer, shutdown_signal())
            .await
            .context("the server stopped")?;
        Ok(exit::OK)
    })
}

/// Completes on Ctrl-C or SIGTERM.
pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
