//! `probity demo`: a small Probity network, live on this machine, that a newcomer can
//! touch: a federation registry served over HTTP, a certifying body and a hospital
//! (real issuer nodes) and a verifier node with its web page, all on 127.0.0.1 in this
//! one process.
//!
//! The story is told through the nodes' own HTTP APIs: an instructor's IP request is
//! approved, the hospital attests a skill, one certificate is revoked and one suspended,
//! and the hospital signs an IP certificate it is not accredited for. Every credential
//! is written with its QR code (a link to the verifier page) and its card. Then the
//! network serves until Ctrl-C; with `--check` each verdict is checked and it stops.

use crate::cli::DemoArgs;
use crate::exit;
use crate::node_client::NodeClient;
use anyhow::{bail, Context, Result};
use chrono::{DateTime, Duration, Utc};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use probity_issuer::clock::Clock;
use probity_issuer::config::Settings;
use probity_issuer::node::{self as issuer_node, InitOptions, Issuer};
use probity_issuer::records::IssuerKind;
use probity_spec::registry::{
    self, Accreditation, Endpoints, Member, MemberKey, MemberKind, MembershipStatus, Registry,
};
use probity_spec::trust::TrustSnapshot;
use probity_spec::{did, model, multikey, sample, time, Verdict};
use probity_verifier::node::{self as verifier_node, Node, NodeConfig};
use serde_json::{json, Value};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::watch;

const BODY_NAME: &str = "Demonstration Certifying Body";
const HOSPITAL_NAME: &str = "Demonstration General Hospital";
/// The applications the federation lets the hospital attest.
const HOSPITAL_APPLICATIONS: [&str; 3] = ["eFAST", "AAA", "lung"];
/// How long the demonstration waits for the verifier node to hear of a change.
const SYNC_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

/// One verification of the story: what it checks, the verdict it promises and the
/// verdict it got.
struct Step {
    what: &'static str,
    expected: Verdict,
    /// As the verifier wrote it, so a verdict this build does not know still shows.
    got: String,
}

/// Runs `probity demo`.
pub fn run(args: &DemoArgs) -> Result<i32> {
    let start = match &args.at {
        Some(text) => Some(time::parse(text).context("--at")?),
        None => None,
    };
    let now = start.unwrap_or_else(Utc::now);
    let out = match &args.out {
        Some(dir) => dir.clone(),
        None => PathBuf::from(format!("probity-demo-{}", now.format("%Y%m%d-%H%M%S"))),
    };
    prepare_out(&out)?;
    let progress = Progress::new();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let network = runtime.block_on(Network::start(&out, args.port, start, now, &progress))?;
    // The story talks to the nodes with blocking HTTP clients from this thread while
    // the runtime's workers serve them.
    let story = tell(&network, &out, now, &progress, !args.json);
    let outcome = match story {
        Ok(steps) => finish(args, &network, &out, &steps, &progress, &runtime),
        Err(e) => Err(e),
    };
    progress.say("Stopping the network…");
    runtime.block_on(network.shutdown());
    progress.done();
    outcome
}

/// After the story: with `--check`, the verdicts decide the exit code; otherwise the
/// network serves until Ctrl-C (or SIGTERM).
fn finish(
    args: &DemoArgs,
    network: &Network,
    out: &Path,
    steps: &[Step],
    progress: &Progress,
    runtime: &tokio::runtime::Runtime,
) -> Result<i32> {
    let as_expected = steps.iter().all(|s| s.got == s.expected.as_str());
    if args.check {
        if args.json {
            let report = json!({
                "asExpected": as_expected,
                "federationKey": network.federation_key,
                "verifier": network.verifier_url,
                "out": out.display().to_string(),
                "steps": steps.iter().map(|s| json!({
                    "what": s.what,
                    "expected": s.expected,
                    "verdict": s.got,
                })).collect::<Vec<_>>(),
            });
            progress.print(&serde_json::to_string_pretty(&report)?)?;
        }
        return Ok(if as_expected {
            exit::OK
        } else {
            exit::NOT_VALID
        });
    }
    progress.done();
    super::print_text(&invitation(network, out))?;
    runtime.block_on(super::issuer::shutdown_signal());
    Ok(exit::OK)
}

/// Makes `out`, refusing a folder that already holds something: the demonstration
/// never writes over a user's files.
fn prepare_out(out: &Path) -> Result<()> {
    if out.exists() {
        let mut entries = std::fs::read_dir(out)
            .with_context(|| format!("--out {} is not a folder", out.display()))?;
        if entries.next().is_some() {
            bail!(
                "{} is not empty; name a new or empty folder with --out",
                out.display()
            );
        }
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))
}

/// What to do now that the network runs.
fn invitation(network: &Network, out: &Path) -> String {
    let dir = out.display();
    let page = &network.verifier_url;
    format!(
        "\nThe verifier page: {page}/\n\n\
         Try:\n\
         \x20 open {page}/ and paste or drop a file from {dir}/ (or show it a QR code or card)\n\
         \x20 probity verify {dir}/ip-certificate-valid.json --verifier {page}\n\
         \x20 probity issuer revoke --node {body} --token {token} {id} --reason \"demonstration\"\n\
         \x20   then verify ip-certificate-valid.json again and watch it become REVOKED\n\n\
         The certifying body is at {body}, the hospital at {hospital}, the registry at {registry}.\n\
         Ctrl-C stops the network.\n",
        body = network.body.base,
        token = network.body.admin_token,
        id = network.valid_id.get().map_or("ID", String::as_str),
        hospital = network.hospital.base,
        registry = network.registry_url,
    )
}

/// Progress lines on stderr, as a spinner when stderr is a terminal; results on stdout.
struct Progress(Option<ProgressBar>);

impl Progress {
    fn new() -> Self {
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(100));
        Progress(Some(bar))
    }

    /// Says what is happening now.
    fn say(&self, what: &str) {
        match &self.0 {
            Some(bar) if !bar.is_finished() => {
                bar.set_message(probity_spec::text::printable(what).into_owned());
            }
            _ => super::note(what),
        }
    }

    /// Runs `work`, which may write to the terminal, with the spinner out of its way.
    fn aside<T>(&self, work: impl FnOnce() -> T) -> T {
        match &self.0 {
            Some(bar) => bar.suspend(work),
            None => work(),
        }
    }

    /// Prints a result line on stdout, above the spinner.
    fn print(&self, line: &str) -> Result<()> {
        match &self.0 {
            Some(bar) => bar.suspend(|| super::print_text(&format!("{line}\n"))),
            None => super::print_text(&format!("{line}\n")),
        }
    }

    fn done(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// An issuer node running in this process.
struct RunningIssuer {
    did: String,
    base: String,
    admin_token: String,
    dir: PathBuf,
}

/// The network: its addresses, and what stops it.
struct Network {
    body: RunningIssuer,
    hospital: RunningIssuer,
    registry_url: String,
    verifier_url: String,
    federation_key: String,
    /// Set by the story: the id of the certificate left valid, for the invitation.
    valid_id: std::sync::OnceLock<String>,
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// Completes when `stop` says so.
async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

impl Network {
    /// Starts the issuer nodes, signs and serves the registry, and starts the verifier
    /// node. `start` (from `--at`) sets every node's clock; `now` dates the registry.
    async fn start(
        out: &Path,
        port: u16,
        start: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        progress: &Progress,
    ) -> Result<Network> {
        // The page's port first: a port in use is refused before anything is made.
        let page_address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let listener = tokio::net::TcpListener::bind(page_address)
            .await
            .with_context(|| format!("cannot listen on {page_address}; try another --port"))?;
        let verifier_url = format!("http://{}", listener.local_addr()?);
        let (stop, stop_rx) = watch::channel(false);
        let mut tasks = Vec::new();
        // The verifier's clock starts first, so it never reads earlier than an issuer's:
        // a credential is never NOT_YET_VALID for being a few milliseconds new.
        let verifier_clock = match start {
            Some(start) => {
                let began = std::time::Instant::now();
                let clock: verifier_node::Clock = Arc::new(move || {
                    start + Duration::from_std(began.elapsed()).unwrap_or_default()
                });
                clock
            }
            None => verifier_node::system_clock(),
        };
        let issuer_clock = || start.map_or_else(Clock::system, Clock::starting_at);

        progress.say("Starting the certifying body's issuer node…");
        let body = start_issuer(
            &out.join("nodes/certifying-body"),
            BODY_NAME,
            IssuerKind::CertifyingBody,
            issuer_clock(),
            now,
            &stop_rx,
            &mut tasks,
        )
        .await?;
        progress.say("Starting the hospital's issuer node…");
        let hospital = start_issuer(
            &out.join("nodes/hospital"),
            HOSPITAL_NAME,
            IssuerKind::Hospital,
            issuer_clock(),
            now,
            &stop_rx,
            &mut tasks,
        )
        .await?;

        progress.say("Signing and serving the federation's registry…");
        let root = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
        let registry = federation_registry(&root, &body, &hospital, now)?;
        super::write_output(Some(&out.join("registry.json")), &super::pretty(&registry)?)?;
        let registry_url = serve_registry(&registry, &stop_rx, &mut tasks).await?;

        progress.say("Starting the verifier node…");
        let federation_key = multikey::public_key_to_multibase(&root.verifying_key());
        let verifier_dir = out.join("nodes/verifier");
        let config = NodeConfig::parse(
            &format!(
                "listen = \"{page_address}\"\n\
                 data_dir = \"data\"\n\
                 [[federation]]\n\
                 root_key = \"{federation_key}\"\n\
                 registry = \"{registry_url}\"\n\
                 [freshness]\n\
                 refresh = \"5s\"\n\
                 [fetch]\n\
                 allow_loopback = true\n"
            ),
            &verifier_dir,
            |_| None,
        )
        .context("the verifier node's configuration")?;
        let node = Node::open(config, verifier_clock).context("cannot open the verifier node")?;
        let shutdown = stopped(stop_rx.clone());
        tasks.push(tokio::spawn(async move {
            if let Err(e) = verifier_node::serve(node, listener, shutdown).await {
                tracing::error!(error = %e, "the verifier node stopped");
            }
        }));
        Ok(Network {
            body,
            hospital,
            registry_url,
            verifier_url,
            federation_key,
            valid_id: std::sync::OnceLock::new(),
            stop,
            tasks,
        })
    }

    /// Stops every server and waits for them to finish.
    async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Makes an issuer node in `dir` (did:key, a redb store, its first admin token) and
/// serves it on 127.0.0.1.
async fn start_issuer(
    dir: &Path,
    name: &str,
    kind: IssuerKind,
    clock: Clock,
    now: DateTime<Utc>,
    stop: &watch::Receiver<bool>,
    tasks: &mut Vec<tokio::task::JoinHandle<()>>,
) -> Result<RunningIssuer> {
    // Only the defaults: the demonstration does not read the user's environment.
    let settings = Settings::parse("", |_| None)?;
    let made = issuer_node::init(
        dir,
        &InitOptions {
            name: name.to_owned(),
            kind,
            did: None,
        },
        &settings,
        now,
    )
    .with_context(|| format!("cannot make the {name} node"))?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("cannot listen on 127.0.0.1")?;
    let base = issuer_node::default_base_url(&made.did, listener.local_addr()?);
    let issuer = Issuer::open(dir, settings, base.clone(), clock)
        .with_context(|| format!("cannot open the {name} node"))?;
    let shutdown = stopped(stop.clone());
    let label = name.to_owned();
    tasks.push(tokio::spawn(async move {
        if let Err(e) = probity_issuer::run(listener, issuer, shutdown).await {
            tracing::error!(error = %e, node = %label, "an issuer node stopped");
        }
    }));
    Ok(RunningIssuer {
        did: made.did,
        base,
        admin_token: made.admin_token,
        dir: dir.to_owned(),
    })
}

/// The registry: the body may issue IP certificates in every track, the hospital skill
/// attestations for a few applications only.
fn federation_registry(
    root: &ed25519_dalek::SigningKey,
    body: &RunningIssuer,
    hospital: &RunningIssuer,
    now: DateTime<Utc>,
) -> Result<Value> {
    let since = time::format(now - Duration::days(1));
    let member = |issuer: &RunningIssuer, name: &str, kind, accreditations| -> Result<Member> {
        let key = probity_issuer::keyring::read_key_file(&issuer.dir.join("keys/key-1.json"))?
            .verifying_key();
        Ok(Member {
            id: issuer.did.clone(),
            name: name.to_owned(),
            kind,
            jurisdiction: "CA".into(),
            accreditations,
            keys: vec![MemberKey {
                id: did::did_key_verification_method(&key),
                public_key_multibase: multikey::public_key_to_multibase(&key),
                valid_from: since.clone(),
                valid_until: None,
                compromised_at: None,
            }],
            status: MembershipStatus::Active,
            member_since: since.clone(),
            status_since: None,
            endpoints: Endpoints {
                issuer: Some(issuer.base.clone()),
                status_lists: Some(format!("{}/status", issuer.base)),
            },
        })
    };
    let members = vec![
        member(
            body,
            BODY_NAME,
            MemberKind::CertifyingBody,
            sample::ip_certificates_in_every_track(),
        )?,
        member(
            hospital,
            HOSPITAL_NAME,
            MemberKind::Hospital,
            vec![Accreditation {
                credential_type: model::SKILL_ATTESTATION.into(),
                tracks: vec![],
                applications: HOSPITAL_APPLICATIONS.map(str::to_owned).to_vec(),
            }],
        )?,
    ];
    let registry = Registry {
        name: "Probity demonstration federation".into(),
        version: 1,
        members,
    };
    registry::sign(
        &registry,
        now - Duration::days(1),
        now + Duration::days(365),
        root,
        now - Duration::days(1),
    )
    .context("cannot sign the demonstration registry")
}

/// Serves the signed registry at `/registry.json` on 127.0.0.1, as a federation
/// publishes it; returns its URL.
async fn serve_registry(
    registry: &Value,
    stop: &watch::Receiver<bool>,
    tasks: &mut Vec<tokio::task::JoinHandle<()>>,
) -> Result<String> {
    let bytes = serde_json::to_vec(registry)?;
    let app = axum::Router::new().route(
        "/registry.json",
        axum::routing::get(move || {
            let bytes = bytes.clone();
            async move { ([("content-type", "application/json")], bytes) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("cannot listen on 127.0.0.1")?;
    let url = format!("http://{}/registry.json", listener.local_addr()?);
    let shutdown = stopped(stop.clone());
    tasks.push(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!(error = %e, "the registry server stopped");
        }
    }));
    Ok(url)
}

/// The story, through the nodes' HTTP APIs; returns each verification, printed as it
/// comes unless `print_steps` is off (for `--json`).
fn tell(
    network: &Network,
    out: &Path,
    now: DateTime<Utc>,
    progress: &Progress,
    print_steps: bool,
) -> Result<Vec<Step>> {
    let timeout = std::time::Duration::from_secs(30);
    let body = NodeClient::new(&network.body.base, &network.body.admin_token, timeout)?;
    let hospital = NodeClient::new(
        &network.hospital.base,
        &network.hospital.admin_token,
        timeout,
    )?;

    progress.say("The certifying body gives an instructor a token…");
    let instructor_token = body.post("/api/v1/tokens", &json!({"role": "instructor"}))?;
    let instructor_token = instructor_token["token"]
        .as_str()
        .context("the body's node answered without a token")?;
    let instructor = NodeClient::new(&network.body.base, instructor_token, timeout)?;

    let certify = |name: &str, registration: &str, track: &str| -> Result<(String, Value)> {
        progress.say(&format!(
            "An instructor submits {name}'s IP request; the body approves it…"
        ));
        let request =
            instructor.post("/api/v1/ip-requests", &candidate(name, registration, track))?;
        let id = request["id"].as_str().context("the IP request has no id")?;
        let approved = body.post(&format!("/api/v1/ip-requests/{id}/approve"), &json!({}))?;
        let credential_id = approved["id"]
            .as_str()
            .context("the approval has no credential id")?
            .to_owned();
        Ok((credential_id, approved["credential"].clone()))
    };
    let (valid_id, valid) = certify("Dr. Amelia Okafor", "CPSO 0123456", "FM_MSK")?;
    let (revoked_id, revoked) = certify("Dr. Ben Tremblay", "CPSO 0654321", "FM_CORE")?;
    let (suspended_id, suspended) = certify("Dr. Chloe Nguyen", "CPSO 0777777", "RESUS")?;
    let _ = network.valid_id.set(valid_id);

    progress.say("The hospital attests a physician's eFAST and AAA skills…");
    let attested = hospital.post(
        "/api/v1/attestations",
        &json!({
            "name": "Dr. Sam Chen", "registrationNumber": "CPSBC 44521",
            "department": "Emergency Medicine", "applications": ["eFAST", "AAA"],
            "supervisedScans": {"eFAST": 25, "AAA": 25},
            "qaReviewer": "Dr. Rita Osei", "reviewDate": time::format(now).get(..10).unwrap_or("2026-01-01"),
        }),
    )?;
    let attestation = attested["credential"].clone();

    progress.say("The body revokes one certificate and suspends another…");
    body.post(
        &format!("/api/v1/credentials/{revoked_id}/revoke"),
        &json!({"reason": "exam irregularity"}),
    )?;
    body.post(
        &format!("/api/v1/credentials/{suspended_id}/suspend"),
        &json!({"reason": "yearly dues unpaid"}),
    )?;

    progress.say("The hospital signs an IP certificate with its own key…");
    let not_accredited = hospital_ip_certificate(&network.hospital, now)?;
    let mut tampered = valid.clone();
    tampered["credentialSubject"]["ipNumber"] = json!("IP-2026-99999");

    progress.say("Writing each credential's JSON, QR code and card…");
    let page = &network.verifier_url;
    for (stem, credential) in [
        ("ip-certificate-valid", &valid),
        ("ip-certificate-revoked", &revoked),
        ("ip-certificate-suspended", &suspended),
        ("skill-attestation", &attestation),
        ("ip-certificate-not-accredited", &not_accredited),
        ("ip-certificate-tampered", &tampered),
    ] {
        progress.aside(|| write_credential(out, stem, credential, page))?;
    }

    progress.say("Asking the verifier node for each verdict…");
    let verifier = Verifier::new(page)?;
    let qr_image = std::fs::read(out.join("ip-certificate-valid-qr.png"))?;
    let from_qr = probity_verifier::qr::decode_image(&qr_image)
        .context("the QR code just written does not read back")?;
    let checks: [(&'static str, Verdict, Probe); 8] = [
        (
            "the approved IP certificate",
            Verdict::Valid,
            Probe::Json(&valid),
        ),
        (
            "a copy with its IP number changed",
            Verdict::InvalidSignature,
            Probe::Json(&tampered),
        ),
        (
            "the revoked IP certificate",
            Verdict::Revoked,
            Probe::Json(&revoked),
        ),
        (
            "the suspended IP certificate",
            Verdict::Suspended,
            Probe::Json(&suspended),
        ),
        (
            "the hospital's skill attestation",
            Verdict::Valid,
            Probe::Json(&attestation),
        ),
        (
            "the IP certificate the hospital signed",
            Verdict::NotAccredited,
            Probe::Json(&not_accredited),
        ),
        (
            "the approved certificate read from its QR code",
            Verdict::Valid,
            Probe::Text(&from_qr),
        ),
        (
            "the approved certificate, trusting no federation",
            Verdict::UntrustedIssuer,
            Probe::Untrusted(&valid),
        ),
    ];
    let mut steps = Vec::new();
    for (what, expected, probe) in checks {
        let got = match probe {
            Probe::Json(credential) => verifier.until(expected, |v| v.verify_json(credential))?,
            Probe::Text(text) => verifier.until(expected, |v| v.verify_text(text))?,
            // Offline, with no registry at all: the pure check every node runs.
            Probe::Untrusted(credential) => {
                probity_spec::verify(&serde_json::to_vec(credential)?, &TrustSnapshot::new(), now)
                    .verdict
                    .as_str()
                    .to_owned()
            }
        };
        let mark = if got == expected.as_str() {
            '✓'
        } else {
            '✗'
        };
        if print_steps {
            progress.print(&format!("  {mark} {what:<50} {got} (expected {expected})"))?;
        }
        steps.push(Step {
            what,
            expected,
            got,
        });
    }
    Ok(steps)
}

/// What a verification is given.
enum Probe<'a> {
    Json(&'a Value),
    Text(&'a str),
    Untrusted(&'a Value),
}

/// A candidate for an IP certificate, as an instructor submits it.
fn candidate(name: &str, registration: &str, track: &str) -> Value {
    json!({
        "name": name, "registrationNumber": registration, "track": track,
        "modules": ["shoulder", "knee"], "curriculumVersion": "2024.1",
        "course": {"id": "CPOCUS-2025-0142", "provider": "Western Ultrasound Academy", "date": "2025-10-04"},
        "loggedScans": {"total": 150, "supervised": 50, "from": "2025-10-05", "to": "2026-02-10", "supervisorIpNumber": "IP-2019-00088"},
        "exams": [
            {"kind": "written", "score": 92, "date": "2026-01-15", "examiner": "Dr. Louis Tremblay"},
            {"kind": "visual", "score": 88, "date": "2026-01-15", "examiner": "Dr. Louis Tremblay"},
            {"kind": "practical", "score": 100, "date": "2026-02-20", "examiner": "Dr. Priya Raman"}
        ]
    })
}

/// An IP certificate the hospital signs with its own key, outside its accreditation.
fn hospital_ip_certificate(hospital: &RunningIssuer, now: DateTime<Utc>) -> Result<Value> {
    let key = probity_issuer::keyring::read_key_file(&hospital.dir.join("keys/key-1.json"))?;
    let mut envelope = sample::envelope(&hospital.did, Some(HOSPITAL_NAME), vec![]);
    envelope.valid_from = now - Duration::minutes(1);
    envelope.valid_until = Some(now + Duration::days(5 * 365));
    let unsigned = model::ip_certificate(&envelope, &sample::ip_certificate_subject())
        .context("the sample certificate does not validate")?;
    Ok(probity_spec::proof::sign(
        &unsigned,
        &key,
        &probity_spec::proof::ProofOptions::assertion(
            did::did_key_verification_method(&key.verifying_key()),
            Some(time::format(now - Duration::minutes(1))),
        ),
    )?)
}

/// Writes `STEM.json`, `STEM-qr.png` (the link form, opening the verifier page) and
/// `STEM-card.png`.
fn write_credential(out: &Path, stem: &str, credential: &Value, page: &str) -> Result<()> {
    let json_path = out.join(format!("{stem}.json"));
    super::write_output(Some(&json_path), &super::pretty(credential)?)?;
    let qr = probity_verifier::qr::encode_credential(credential, Some(page))?;
    super::qr::write_image(&out.join(format!("{stem}-qr.png")), &qr.code, 8)?;
    write_card(credential, out, stem, page)
}

/// The wallet card of `credential`, as PNG and as print-ready PDF, its QR code a link
/// to `page`: the one place the demonstration draws cards.
fn write_card(credential: &Value, out: &Path, stem: &str, page: &str) -> Result<()> {
    use crate::cli::CardFormat;
    for (format, extension) in [(CardFormat::Png, "png"), (CardFormat::Pdf, "pdf")] {
        let path = out.join(format!("{stem}-card.{extension}"));
        super::card::write(credential, &path, format, Some(page))?;
    }
    Ok(())
}

/// A client of the verifier node's `POST /api/v1/verify`.
struct Verifier {
    url: String,
    http: reqwest::blocking::Client,
}

impl Verifier {
    fn new(page: &str) -> Result<Self> {
        let http = reqwest::blocking::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .context("cannot start the HTTP client")?;
        Ok(Verifier {
            url: format!("{page}/api/v1/verify"),
            http,
        })
    }

    fn verify(&self, content_type: &str, body: Vec<u8>) -> Result<String> {
        let response = self
            .http
            .post(&self.url)
            .header("content-type", content_type)
            .body(body)
            .send()
            .context("the verifier node did not answer")?;
        let report: Value = serde_json::from_slice(&response.bytes()?)
            .context("the verifier node's answer is not JSON")?;
        report["verdict"]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("the verifier node's answer has no verdict: {report}"))
    }

    fn verify_json(&self, credential: &Value) -> Result<String> {
        self.verify("application/json", serde_json::to_vec(credential)?)
    }

    fn verify_text(&self, text: &str) -> Result<String> {
        self.verify("text/plain", text.as_bytes().to_vec())
    }

    /// Asks until the node gives `expected` or [`SYNC_LIMIT`] passes, and returns the
    /// last verdict: the node hears of members, lists and changes within moments.
    fn until(&self, expected: Verdict, ask: impl Fn(&Self) -> Result<String>) -> Result<String> {
        let began = std::time::Instant::now();
        loop {
            let got = ask(self)?;
            if got == expected.as_str() || began.elapsed() > SYNC_LIMIT {
                return Ok(got);
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_that_holds_something_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mine.txt"), "keep").unwrap();
        assert!(prepare_out(dir.path()).is_err());
        let empty = dir.path().join("new");
        prepare_out(&empty).unwrap();
        prepare_out(&empty).unwrap();
        assert!(empty.is_dir());
    }
}
