//! The command line, declared once. Flags become typed values here (paths, DIDs,
//! times) so commands never re-parse raw strings.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub mod federation;

/// Probity: sign, carry and verify point-of-care ultrasound credentials.
///
/// Certifying bodies and hospitals sign IP certificates and skill attestations as
/// W3C Verifiable Credentials (eddsa-jcs-2022); HR offices verify them offline, from
/// a file, a QR payload or a photo of the QR code.
#[derive(Debug, Parser)]
#[command(name = "probity", version, propagate_version = true, after_help = EXAMPLES)]
pub struct Cli {
    /// Options for every command.
    #[command(flatten)]
    pub global: Global,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

const EXAMPLES: &str = "\
Quick start:
  probity demo                      (a live network on this machine, with real keys)
  probity key new --out issuer.key.json
  probity issue ip-certificate --key issuer.key.json --holder-name 'Dr. A. Okafor' ... > cert.json
  probity verify cert.json --trust-issuer did:key:z6Mk...

Exit codes: 0 valid / success, 1 verified but not VALID, 2 bad input or flags.";

const VERIFY_EXAMPLES: &str = "\
Examples:
  probity verify cert.json --trust-issuer did:key:z6Mk...
  probity verify cert.json --registry registry.json --federation-key z6Mk...
  probity verify photo-of-card.jpg --registry registry.json --federation-key z6Mk...
  probity verify 'https://verify.probity.network/#PB1:0123...' --trust-issuer did:web:cpocus.ca
  probity verify cert.json --trust-issuer did:key:z6Mk... --json | jq .verdict

Verdicts: VALID, MALFORMED, INVALID_SIGNATURE, UNTRUSTED_ISSUER, NOT_ACCREDITED,
NOT_YET_VALID, EXPIRED, REVOKED, SUSPENDED, STATUS_UNKNOWN.

A verification receipt (a verifier node's signed record of an earlier verification, from
POST /api/v1/verify?receipt=true) is recognised and checked instead: who signed it, and
the verdict it records. Pin the node by the DID its /api/v1/node names:
  probity verify receipt.json --trust-verifier did:key:z6Mk...";

/// Options shared by every command.
#[derive(Debug, Args)]
pub struct Global {
    /// More log output on stderr (-v info, -vv debug). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make and inspect Ed25519 keys (W3C Multikey files).
    #[command(subcommand)]
    Key(KeyCommand),
    /// Sign any JSON credential with eddsa-jcs-2022 and print it.
    Sign(SignArgs),
    /// Build, validate and sign a Probity credential.
    #[command(subcommand)]
    Issue(IssueCommand),
    /// Verify a credential: signature, issuer, accreditation, validity, status.
    ///
    /// Prints each check and one verdict. Exit 0 only for VALID, 1 for any other
    /// verdict, 2 when the input cannot be read or the flags are wrong.
    #[command(after_help = VERIFY_EXAMPLES)]
    Verify(VerifyArgs),
    /// Encode a credential into a QR code, or decode one.
    #[command(subcommand)]
    Qr(QrCommand),
    /// Draw a printable wallet card with the credential's QR code.
    Card(CardArgs),
    /// Start a small Probity network on this machine and show it at work: a
    /// federation, a certifying body, a hospital and a verifier page to try.
    ///
    /// Real nodes and real keys, made for this run, on 127.0.0.1. It serves until
    /// Ctrl-C; with --check it checks every verdict of its story and exits 0 or 1.
    Demo(DemoArgs),
    /// Run a verifier node: it keeps the federation's trust data fresh and answers
    /// verification requests over HTTP.
    #[command(subcommand)]
    Verifier(VerifierCommand),
    /// Run a federation: its root key, its members, and the signed trust registry
    /// verifiers pin it by (SPEC.md §6).
    #[command(subcommand, after_help = federation::EXAMPLES)]
    Federation(federation::FederationCommand),
    /// Run an issuer node (init, token, serve) and manage one over HTTP (revoke,
    /// suspend, reinstate, import).
    #[command(subcommand)]
    Issuer(IssuerCommand),
    /// Check an issuer node's audit log export.
    #[command(subcommand)]
    Audit(AuditCommand),
}

/// `probity verifier …`
#[derive(Debug, Subcommand)]
pub enum VerifierCommand {
    /// Serve the verifier API (POST /api/v1/verify, the W3C VC API
    /// /credentials/verify, /api/v1/sync, /api/v1/bundle, /metrics, /healthz) and
    /// keep the registry and status lists in sync.
    ///
    /// Prints `listening on http://ADDR` as its first line, then logs to stderr.
    /// Stops cleanly on Ctrl-C.
    #[command(after_help = VERIFIER_EXAMPLE)]
    Serve(VerifierServeArgs),
}

const VERIFIER_EXAMPLE: &str = "\
A configuration (every key can be overridden from the environment, PROBITY_VERIFIER_…):

  listen = \"127.0.0.1:8700\"
  data_dir = \"verifier-data\"
  [[federation]]
  root_key = \"z6Mk…\"                  # pinned; repeat [[federation]] to trust several
  registry = \"https://federation.example/registry.json\"   # a URL or a file path
  [freshness]
  refresh = \"5m\"                       # how often to poll
  warn_after = \"1h\"                    # older status data: the status check warns
  max_age = \"24h\"                      # older: STATUS_UNKNOWN
  [fetch]
  allow_loopback = false                # fetch from this machine (nodes tested on one host)
  allow_private = false                 # fetch from private networks
  [vc_api]
  trust = \"policy\"                     # or \"proof-only\" for a generic W3C verifier

The node signs receipts (POST /api/v1/verify?receipt=true) with its own key, generated
into data_dir on first start; its DID (GET /api/v1/node) is that key's did:key. Top-level
keys change this: receipt_key = \"key.json\" names a key file, did = \"did:web:host\" names
a did:web whose document the node serves at /.well-known/did.json.";

/// `probity verifier serve`
#[derive(Debug, Args)]
pub struct VerifierServeArgs {
    /// The node's TOML configuration.
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Listen here instead of the configured address (127.0.0.1:0 picks a free port).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Run as if the time were TIME (RFC 3339): the node's clock starts there and runs
    /// on. For demonstrations and tests; a real node keeps real time.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

/// `probity key …`
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate a new Ed25519 key and write it as a Multikey JSON file (mode 0600).
    ///
    /// Prints the key's did:key. Keep the file secret: it holds the signing key.
    New {
        /// Where to write the key file. Refuses to overwrite unless --force.
        #[arg(long)]
        out: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
        /// The DID that will publish this key (for did:web issuers); defaults to the did:key.
        #[arg(long)]
        controller: Option<String>,
        /// The verification method id (for did:web issuers, e.g. did:web:example.org#key-1).
        #[arg(long)]
        id: Option<String>,
        /// Print a JSON object instead of the bare DID.
        #[arg(long)]
        json: bool,
    },
    /// Show a key file's public key, did:key and verification method (never the secret).
    Show {
        /// The key file.
        file: PathBuf,
        /// Print a JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// `probity sign`
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The Multikey key file to sign with.
    #[arg(long)]
    pub key: PathBuf,
    /// Verification method id written into the proof; defaults to the key file's `id`,
    /// else the key's did:key method.
    #[arg(long)]
    pub verification_method: Option<String>,
    /// `proof.created` (RFC 3339); defaults to now, in whole seconds.
    #[arg(long)]
    pub created: Option<String>,
    /// Leave `proof.created` out.
    #[arg(long, conflicts_with = "created")]
    pub no_created: bool,
    /// `proof.expires` (RFC 3339): verifiers refuse the proof from then on. Useful for
    /// registries and status lists that must not be relayed forever.
    #[arg(long)]
    pub expires: Option<String>,
    /// Write the signed credential here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The credential to sign: a JSON file, or - for stdin.
    pub credential: PathBuf,
}

/// `probity issue …`
#[derive(Debug, Subcommand)]
pub enum IssueCommand {
    /// Issue a POCUS Independent Practitioner (IP) certificate.
    ///
    /// Every field can come from flags or from --input, a JSON file holding the
    /// credential subject's fields as SPEC.md §5.2 names them (`name`,
    /// `registrationNumber`, `ipNumber`, `track`, `modules`, `curriculumVersion`,
    /// `pathway`, `course.{id,provider,date}`, `loggedScans.{total,supervised,from,to,
    /// supervisorIpNumber}`, `exams[].{kind,score,passMark,date,examiner}`), plus
    /// `issuerName`, `validFrom` and `validUntil`; or a whole credential. Flags win.
    /// An unknown member is refused by name. Exam scores under their pass marks
    /// (written 85, visual 85, practical 100 unless given) are refused.
    IpCertificate(Box<IpCertificateArgs>),
    /// Issue a hospital's local skill attestation.
    ///
    /// Fields can come from --input as for ip-certificate, with the subject's fields
    /// as SPEC.md §5.4 names them (`name`, `registrationNumber`, `department`,
    /// `applications`, `supervisedScans`, `qaReviewer`, `reviewDate`, `privileges`).
    Attestation(Box<AttestationArgs>),
}

/// What every issued credential needs besides its subject.
#[derive(Debug, Args)]
pub struct IssueCommon {
    /// The issuer's key file.
    #[arg(long)]
    pub key: PathBuf,
    /// The issuer DID; defaults to the key file's controller, else its did:key.
    #[arg(long)]
    pub issuer: Option<String>,
    /// The issuer's name, written into the credential as its Open Badges profile.
    #[arg(long)]
    pub issuer_name: Option<String>,
    /// Verification method id for the proof; defaults as for `probity sign`.
    #[arg(long)]
    pub verification_method: Option<String>,
    /// Start of validity (RFC 3339); defaults to now.
    #[arg(long)]
    pub valid_from: Option<String>,
    /// End of validity (RFC 3339).
    #[arg(long)]
    pub valid_until: Option<String>,
    /// URL of the issuer's revocation status list; adds a revocation entry.
    #[arg(long)]
    pub revocation_list: Option<String>,
    /// URL of the issuer's suspension status list; adds a suspension entry.
    #[arg(long)]
    pub suspension_list: Option<String>,
    /// Index in the status lists; defaults to a random index (herd privacy). This
    /// command keeps no record of indexes already used: give each credential its own
    /// index, or let an issuer node allocate them.
    #[arg(long)]
    pub status_index: Option<u64>,
    /// Credential id; defaults to a fresh urn:uuid.
    #[arg(long)]
    pub id: Option<String>,
    /// Holder's DID, if they have one.
    #[arg(long)]
    pub holder_did: Option<String>,
    /// A JSON file (or - for standard input) with the credential subject's fields as
    /// SPEC.md §5 names them, plus issuerName, validFrom and validUntil; flags
    /// override it. Unknown members are refused.
    #[arg(long)]
    pub input: Option<PathBuf>,
    /// `proof.created` (RFC 3339); defaults to now, in whole seconds. With a fixed
    /// `--id`, `--valid-from` and `--status-index` the output is the same on every run.
    #[arg(long)]
    pub created: Option<String>,
    /// Write the signed credential here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `probity issue ip-certificate`
#[derive(Debug, Args)]
pub struct IpCertificateArgs {
    /// Issuer, validity, status and output options.
    #[command(flatten)]
    pub common: IssueCommon,
    /// Holder's name as on their licence.
    #[arg(long)]
    pub holder_name: Option<String>,
    /// Licence or registration number, with its regulator (e.g. "CPSO 0123456").
    #[arg(long)]
    pub registration_number: Option<String>,
    /// The IP number allocated by the certifying body.
    #[arg(long)]
    pub ip_number: Option<String>,
    /// Track: FM_CORE, ACUTE_CARE_CORE, FM_MSK, RESUS or DIAG.
    #[arg(long)]
    pub track: Option<String>,
    /// A module covered (repeat for each).
    #[arg(long = "module")]
    pub modules: Vec<String>,
    /// Curriculum version.
    #[arg(long)]
    pub curriculum_version: Option<String>,
    /// Pathway.
    #[arg(long, value_enum)]
    pub pathway: Option<PathwayArg>,
    /// Accredited course id.
    #[arg(long)]
    pub course_id: Option<String>,
    /// Accredited course provider.
    #[arg(long)]
    pub course_provider: Option<String>,
    /// Course completion date (YYYY-MM-DD).
    #[arg(long)]
    pub course_date: Option<String>,
    /// Scans logged in all.
    #[arg(long)]
    pub scans_total: Option<u32>,
    /// Scans supervised by a track instructor.
    #[arg(long)]
    pub scans_supervised: Option<u32>,
    /// First day of the scan log (YYYY-MM-DD).
    #[arg(long)]
    pub scans_from: Option<String>,
    /// Last day of the scan log (YYYY-MM-DD).
    #[arg(long)]
    pub scans_to: Option<String>,
    /// IP number of the supervising instructor.
    #[arg(long)]
    pub supervisor_ip_number: Option<String>,
    /// Written exam: score (percent).
    #[arg(long)]
    pub written_score: Option<u8>,
    /// Written exam: pass mark (default 85).
    #[arg(long)]
    pub written_pass_mark: Option<u8>,
    /// Written exam: date (YYYY-MM-DD).
    #[arg(long)]
    pub written_date: Option<String>,
    /// Written exam: examiner.
    #[arg(long)]
    pub written_examiner: Option<String>,
    /// Visual exam: score (percent).
    #[arg(long)]
    pub visual_score: Option<u8>,
    /// Visual exam: pass mark (default 85).
    #[arg(long)]
    pub visual_pass_mark: Option<u8>,
    /// Visual exam: date (YYYY-MM-DD).
    #[arg(long)]
    pub visual_date: Option<String>,
    /// Visual exam: examiner.
    #[arg(long)]
    pub visual_examiner: Option<String>,
    /// Practical exam: score (percent).
    #[arg(long)]
    pub practical_score: Option<u8>,
    /// Practical exam: pass mark (default 100).
    #[arg(long)]
    pub practical_pass_mark: Option<u8>,
    /// Practical exam: date (YYYY-MM-DD).
    #[arg(long)]
    pub practical_date: Option<String>,
    /// Practical exam: examiner.
    #[arg(long)]
    pub practical_examiner: Option<String>,
}

/// `probity issue attestation`
#[derive(Debug, Args)]
pub struct AttestationArgs {
    /// Issuer, validity, status and output options.
    #[command(flatten)]
    pub common: IssueCommon,
    /// Holder's name.
    #[arg(long)]
    pub holder_name: Option<String>,
    /// Licence or registration number.
    #[arg(long)]
    pub registration_number: Option<String>,
    /// Department that verified the skills.
    #[arg(long)]
    pub department: Option<String>,
    /// An application signed off, such as eFAST, AAA, lung (repeat for each).
    #[arg(long = "application")]
    pub applications: Vec<String>,
    /// Supervised scans for an application, as APPLICATION=COUNT (repeat).
    #[arg(long = "supervised-scans", value_parser = parse_count)]
    pub supervised_scans: Vec<(String, u32)>,
    /// Quality assurance reviewer.
    #[arg(long)]
    pub qa_reviewer: Option<String>,
    /// Date of the QA review (YYYY-MM-DD).
    #[arg(long)]
    pub review_date: Option<String>,
    /// A privilege granted (repeat for each).
    #[arg(long = "privilege")]
    pub privileges: Vec<String>,
}

fn parse_count(text: &str) -> Result<(String, u32), String> {
    let (app, count) = text
        .rsplit_once('=')
        .ok_or_else(|| format!("\"{text}\" is not APPLICATION=COUNT"))?;
    let count = count
        .trim()
        .parse()
        .map_err(|_| format!("\"{count}\" is not a whole number of scans"))?;
    Ok((app.trim().to_owned(), count))
}

/// Pathway as a flag value.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PathwayArg {
    /// Course, supervised scans and the three exams.
    Standard,
    /// An exception granted by the certifying body.
    Exception,
}

/// `probity verify`
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The credential: a JSON file, - for stdin, a QR payload (PB1:…) or URL, or a
    /// PNG/JPEG image of the QR code. Defaults to stdin.
    #[arg(default_value = "-")]
    pub input: String,
    /// Trust this issuer for every credential type (repeatable). A did:web issuer's
    /// DID document is fetched over HTTPS.
    #[arg(long = "trust-issuer", value_name = "DID")]
    pub trust_issuers: Vec<String>,
    /// A signed trust registry file.
    #[arg(long, env = "PROBITY_REGISTRY")]
    pub registry: Option<PathBuf>,
    /// A pinned federation root key (publicKeyMultibase z6Mk…); repeatable.
    #[arg(
        long = "federation-key",
        value_name = "MULTIBASE",
        env = "PROBITY_FEDERATION_KEY",
        value_delimiter = ','
    )]
    pub federation_keys: Vec<String>,
    /// Verify as of this time (RFC 3339) instead of now.
    #[arg(long)]
    pub at: Option<String>,
    /// Do not fetch status lists (the status check then reports STATUS_UNKNOWN).
    #[arg(long)]
    pub offline: bool,
    /// Verify offline from a verifier node's bundle (GET /api/v1/bundle): its
    /// registries (checked against --federation-key) and status lists.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["registry", "verifier"])]
    pub bundle: Option<PathBuf>,
    /// Ask this verifier node (its base URL) instead of verifying here; the node's
    /// trust decides.
    #[arg(long, value_name = "URL", conflicts_with_all = ["trust_issuers", "registry", "offline"])]
    pub verifier: Option<String>,
    /// For a verification receipt (a verifier node's signed record, SPEC.md §14): pin
    /// the node that signed it by its DID (repeatable; see its /api/v1/node). Exit 0
    /// only when the receipt is genuine and its signer is pinned; 3 when genuine but
    /// not pinned; 1 when not genuine.
    #[arg(long = "trust-verifier", value_name = "DID")]
    pub trust_verifiers: Vec<String>,
    /// Print one JSON object: {"verdict", "checks": [{"id","status","message"}],
    /// "credential": {what it claims}}; for a receipt, {"receipt", "signer",
    /// "signerPinned", "recordedVerdict", "record", …}.
    #[arg(long)]
    pub json: bool,
}

/// `probity qr …`
#[derive(Debug, Subcommand)]
pub enum QrCommand {
    /// Encode a signed credential as a QR code (PNG, SVG, or drawn in the terminal).
    Encode(QrEncodeArgs),
    /// Decode a QR image or payload back into the signed credential.
    Decode(QrDecodeArgs),
}

/// `probity qr encode`
#[derive(Debug, Args)]
pub struct QrEncodeArgs {
    /// The signed credential (JSON file or -).
    pub credential: PathBuf,
    /// Write the code to a .png or .svg file; without it the code is drawn in the terminal.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Encode as a link to this verifier's page (https://verifier/#PB1:…), so a phone
    /// camera opens the page and verifies.
    #[arg(long, env = "PROBITY_VERIFIER_URL")]
    pub verifier_url: Option<String>,
    /// Pixels per module in PNG output.
    #[arg(long, default_value_t = 8)]
    pub scale: u32,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `probity qr decode`
#[derive(Debug, Args)]
pub struct QrDecodeArgs {
    /// A PNG/JPEG image of the code, a payload (PB1:…), or a verifier URL.
    pub input: String,
    /// Write the credential here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `probity demo`
#[derive(Debug, Args)]
#[command(after_help = DEMO_EXAMPLES)]
pub struct DemoArgs {
    /// Write the credentials, their QR codes and cards, the registry and the nodes'
    /// data here. Default: a new folder `probity-demo-<time>` in the current one. A
    /// folder that is not empty is refused.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The verifier page's port on 127.0.0.1 (default: any free port).
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    pub port: u16,
    /// Tell the story, check every verdict it promises, stop the network and exit:
    /// 0 when every verdict is as expected, 1 otherwise.
    #[arg(long)]
    pub check: bool,
    /// With --check: print the steps and verdicts as one JSON object.
    #[arg(long, requires = "check")]
    pub json: bool,
    /// Run every node's clock from this time (RFC 3339) instead of now: the registry,
    /// the credentials, the status lists and every verdict are dated from it.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

const DEMO_EXAMPLES: &str = "\
In one process: a federation registry served over HTTP, a certifying body and a hospital
(issuer nodes) and a verifier node with its web page. Through the nodes' APIs an
instructor's IP request is approved, the hospital attests a skill, one certificate is
revoked and one suspended, and the hospital signs an IP certificate it may not issue.
Each credential is written as JSON, a QR code linking to the verifier page and a card.

Examples:
  probity demo                          (then open the address it prints)
  probity demo --out demo --port 8700
  probity demo --check                  (the same story, every verdict checked, then exit)";

/// `probity card`
#[derive(Debug, Args)]
pub struct CardArgs {
    /// The signed credential (JSON file or -).
    pub credential: PathBuf,
    /// Output file: .svg, .png (300 dpi) or .pdf (print-ready, 85.6 × 54 mm); the
    /// extension names the format unless --format does.
    #[arg(long)]
    pub out: PathBuf,
    /// The output format, whatever the file is called.
    #[arg(long, value_enum)]
    pub format: Option<CardFormat>,
    /// Make the QR code a link to this verifier's page (https://verifier/#PB1:…), so a
    /// phone camera opens the page and verifies; without it the code holds the bare
    /// PB1: text, which the page and `probity verify` also read.
    #[arg(long, env = "PROBITY_VERIFIER_URL")]
    pub verifier_url: Option<String>,
}

/// A wallet card's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CardFormat {
    /// Scalable vector graphics: the card as drawn.
    Svg,
    /// A 300 dpi image.
    Png,
    /// A print-ready one-page PDF of the card's size.
    Pdf,
}

/// `probity issuer …`
#[derive(Debug, Subcommand)]
pub enum IssuerCommand {
    /// Create a node in DIR: its signing key (mode 0600), its store and issuer.toml.
    ///
    /// Prints the first admin token alone on its own line: it is shown once and kept
    /// only as a hash. The issuer DID goes to stderr.
    Init(IssuerInitArgs),
    /// Make tokens for a node that is stopped (a running node: POST /api/v1/tokens).
    #[command(subcommand)]
    Token(IssuerTokenCommand),
    /// Run the node. The first line on stdout is `listening on http://ADDR`.
    #[command(after_help = SERVE_HELP)]
    Serve(IssuerServeArgs),
    /// Revoke a credential on a node, for good.
    Revoke(StatusChangeArgs),
    /// Suspend a credential on a node (for example, lapsed dues).
    Suspend(StatusChangeArgs),
    /// Lift a credential's suspension on a node.
    Reinstate(StatusChangeArgs),
    /// Issue credentials from a CSV file: a register being migrated, or a cohort.
    #[command(after_help = IMPORT_HELP)]
    Import(IssuerImportArgs),
}

const SERVE_HELP: &str = "\
Settings come from DIR/issuer.toml; each can be overridden from the environment:
  PROBITY_ISSUER_BASE_URL, PROBITY_ISSUER_LISTEN, PROBITY_ISSUER_STATUS_LIST_SIZE,
  PROBITY_ISSUER_STATUS_LIST_VALIDITY_HOURS, PROBITY_ISSUER_STATUS_LIST_REPUBLISH_HOURS,
  PROBITY_ISSUER_BODY_LIMIT_BYTES, PROBITY_ISSUER_IMPORT_LIMIT_BYTES,
  PROBITY_ISSUER_REQUEST_TIMEOUT_SECONDS, and per track PROBITY_ISSUER_<TRACK>_IP_NUMBER_FORMAT,
  PROBITY_ISSUER_<TRACK>_MIN_SUPERVISED_SCANS, PROBITY_ISSUER_<TRACK>_PASS_MARK_WRITTEN
  (_VISUAL, _PRACTICAL), with <TRACK> one of FM_CORE, ACUTE_CARE_CORE, FM_MSK, RESUS, DIAG.
Without a base URL, a loopback did:web serves at its own address and any other node at
the address it listens on (so --listen 127.0.0.1:0 works).";

const IMPORT_HELP: &str = "\
The CSV has a header row naming its columns; empty cells are left out.
IP certificates (certifying bodies):
  name, registrationNumber, track, modules (separated by ;), curriculumVersion,
  pathway (standard|exception), course.id, course.provider, course.date,
  loggedScans.total, loggedScans.supervised, loggedScans.from, loggedScans.to,
  loggedScans.supervisorIpNumber, written.score, written.date, written.examiner,
  visual.score, visual.date, visual.examiner, practical.score, practical.date,
  practical.examiner, and optionally ipNumber (kept when migrating a register;
  allocated otherwise), validUntil, holderDid, importId.
Skill attestations (hospitals):
  name, registrationNumber, department, applications (;), supervisedScans
  (eFAST=50;AAA=25), qaReviewer, reviewDate, privileges (;), and optionally
  validUntil, holderDid, importId.
Re-running a file issues nothing twice: each row's key is its importId, else its
registrationNumber and track (attestations: registrationNumber, department and
reviewDate). Rows go in batches, each committed in one transaction. A bad row is
refused on its own, with its line number and why. Exit 0 when no row was refused,
1 when some were, 2 when the file or the node could not be used.";

/// `probity issuer init`
#[derive(Debug, Args)]
pub struct IssuerInitArgs {
    /// The node's directory (created if needed; must not hold a node already).
    #[arg(long)]
    pub dir: PathBuf,
    /// The organisation's name, written into every credential it issues.
    #[arg(long)]
    pub name: String,
    /// What the organisation issues.
    #[arg(long, value_enum)]
    pub kind: IssuerKindArg,
    /// A did:web to issue as (e.g. did:web:certs.example.org, or
    /// did:web:127.0.0.1%3A8600 for a node on this machine). Default: the new key's did:key.
    #[arg(long)]
    pub did: Option<String>,
}

/// Issuer kind as a flag value.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum IssuerKindArg {
    /// Issues IP certificates through IP requests.
    CertifyingBody,
    /// Issues skill attestations.
    Hospital,
}

/// `probity issuer token …`
#[derive(Debug, Subcommand)]
pub enum IssuerTokenCommand {
    /// Make a token and print it alone on its own line (shown once, stored hashed).
    Create {
        /// The node's directory.
        #[arg(long)]
        dir: PathBuf,
        /// What the token may do.
        #[arg(long, value_enum)]
        role: RoleArg,
    },
}

/// Token role as a flag value.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    /// Everything.
    Admin,
    /// Submitting IP requests.
    Instructor,
}

/// `probity issuer serve`
#[derive(Debug, Args)]
pub struct IssuerServeArgs {
    /// The node's directory.
    #[arg(long)]
    pub dir: PathBuf,
    /// Address to listen on (default: issuer.toml's listen, else 127.0.0.1:8600).
    #[arg(long, env = "PROBITY_ISSUER_LISTEN")]
    pub listen: Option<String>,
    /// Start the node's clock at this time (RFC 3339) and let it run from there:
    /// for tests and demonstrations that need known times. Default: the system clock.
    #[arg(long, env = "PROBITY_ISSUER_CLOCK_START", value_parser = parse_time)]
    pub clock_start: Option<chrono::DateTime<chrono::Utc>>,
}

fn parse_time(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    probity_spec::time::parse(text).map_err(|e| e.to_string())
}

/// Where a node is and how to authenticate to it.
#[derive(Debug, Args)]
pub struct NodeArgs {
    /// The node's base URL (https, or http to this machine).
    #[arg(long, env = "PROBITY_NODE")]
    pub node: String,
    /// An admin token.
    #[arg(long, env = "PROBITY_TOKEN", hide_env_values = true)]
    pub token: String,
}

/// `probity issuer revoke|suspend|reinstate`
#[derive(Debug, Args)]
pub struct StatusChangeArgs {
    /// Node and token.
    #[command(flatten)]
    pub node: NodeArgs,
    /// The credential id, with or without urn:uuid:.
    pub id: String,
    /// Why (kept in the node's audit log).
    #[arg(long)]
    pub reason: String,
}

/// `probity issuer import`
#[derive(Debug, Args)]
pub struct IssuerImportArgs {
    /// Node and token.
    #[command(flatten)]
    pub node: NodeArgs,
    /// The CSV file.
    pub file: PathBuf,
    /// Rows per batch (each batch is one transaction on the node).
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=2000))]
    pub batch_size: u32,
}

/// `probity audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check an audit log export (GET /api/v1/audit): every entry in sequence, each
    /// holding the hash of the one before. Names the first broken entry; exit 1 then.
    Verify {
        /// The export (JSON Lines), or - for stdin.
        file: PathBuf,
    },
}
