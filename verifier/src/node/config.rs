//! The verifier node's configuration: a TOML file, with every key overridable from the
//! environment, parsed once into a validated [`NodeConfig`].
//!
//! ```toml
//! listen = "127.0.0.1:8700"
//! data_dir = "verifier-data"
//! [[federation]]
//! root_key = "z6Mk…"
//! registry = "http://127.0.0.1:8600/registry.json"   # a URL or a file path
//! receipt_key = "receipt-key.json"  # optional; else generated in data_dir
//! did = "did:web:verifier.example.org"  # optional; else the key's did:key
//! [freshness]
//! refresh = "5m"
//! warn_after = "1h"
//! max_age = "24h"
//! ```
//!
//! Environment overrides: `PROBITY_VERIFIER_LISTEN`, `PROBITY_VERIFIER_DATA_DIR`,
//! `PROBITY_VERIFIER_REFRESH`, `PROBITY_VERIFIER_WARN_AFTER`, `PROBITY_VERIFIER_MAX_AGE`,
//! `PROBITY_VERIFIER_ALLOW_LOOPBACK`, `PROBITY_VERIFIER_ALLOW_PRIVATE`,
//! `PROBITY_VERIFIER_VC_API_TRUST`, `PROBITY_VERIFIER_RECEIPT_KEY`, `PROBITY_VERIFIER_DID`, `PROBITY_VERIFIER_PEERS` (comma-separated base URLs
//! of other verifier nodes, replacing `peers`), and `PROBITY_VERIFIER_FEDERATION` (one
//! federation, `ROOT_KEY=REGISTRY`, replacing those in the file).

use ed25519_dalek::VerifyingKey;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Why a configuration was refused; each names the key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML of the expected shape.
    #[error("{path}: {message}")]
    Toml {
        /// The file.
        path: String,
        /// What the TOML reader said.
        message: String,
    },
    /// A key has a value that cannot be used.
    #[error("{key}: {reason}")]
    Invalid {
        /// The key (or environment variable).
        key: String,
        /// What is wrong.
        reason: String,
    },
}

fn invalid(key: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_owned(),
        reason: reason.into(),
    }
}

/// The file as written: every key optional, so that the environment can fill it in.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    receipt_key: Option<PathBuf>,
    did: Option<String>,
    #[serde(default)]
    federation: Vec<RawFederation>,
    #[serde(default)]
    peers: Vec<String>,
    #[serde(default)]
    freshness: RawFreshness,
    #[serde(default)]
    fetch: RawFetch,
    #[serde(default)]
    vc_api: RawVcApi,
    #[serde(default)]
    limits: RawLimits,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFederation {
    root_key: String,
    registry: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFreshness {
    refresh: Option<String>,
    warn_after: Option<String>,
    max_age: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFetch {
    allow_loopback: Option<bool>,
    allow_private: Option<bool>,
    timeout: Option<String>,
    #[serde(default)]
    deny_hosts: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVcApi {
    trust: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    max_body: Option<usize>,
    concurrency: Option<usize>,
}

/// Where a federation's registry comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrySource {
    /// Fetched over HTTP(S).
    Url(String),
    /// Read from a file.
    File(PathBuf),
}

/// One federation this node trusts.
#[derive(Debug, Clone)]
pub struct FederationConfig {
    /// The pinned root key.
    pub root_key: VerifyingKey,
    /// The root key as written.
    pub root_key_text: String,
    /// Where its registry is.
    pub registry: RegistrySource,
}

/// How `POST /credentials/verify` (the W3C VC API) judges issuers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VcApiTrust {
    /// As `/api/v1/verify`: the node's federations decide.
    Policy,
    /// As a generic verifier: proof, validity and status decide; the issuer's
    /// standing is a warning.
    ProofOnly,
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// Where to listen.
    pub listen: SocketAddr,
    /// Where the store lives.
    pub data_dir: PathBuf,
    /// The federations trusted.
    pub federations: Vec<FederationConfig>,
    /// How often to poll when nothing is pushed.
    pub refresh: Duration,
    /// Status data older than this: the status check warns.
    pub warn_after: Duration,
    /// Status data older than this: `STATUS_UNKNOWN`.
    pub max_age: Duration,
    /// Fetch from this machine.
    pub allow_loopback: bool,
    /// Fetch from private networks.
    pub allow_private: bool,
    /// Deadline of one fetch.
    pub fetch_timeout: Duration,
    /// Hosts never fetched from directly (`host` or `host:port`).
    pub deny_hosts: Vec<String>,
    /// How the VC API judges issuers.
    pub vc_api_trust: VcApiTrust,
    /// Largest request body.
    pub max_body: usize,
    /// Requests served at once; more wait briefly, then are refused with 503.
    pub concurrency: usize,
    /// Other verifier nodes to fetch from and subscribe to (their base URLs).
    pub peers: Vec<String>,
    /// The key file receipts are signed with; `None`: `receipt-key.json` in the data
    /// directory, generated on first start (SPEC.md §14.1).
    pub receipt_key: Option<PathBuf>,
    /// The node's did:web; `None`: the did:key of its receipt key.
    pub did: Option<String>,
}

/// Parses a duration such as `90s`, `5m`, `1h` or `30d`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("\"{text}\" has no unit; write it like 90s, 5m, 1h or 30d"))?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("\"{text}\" does not start with a whole number"))?;
    let seconds = match unit {
        "ms" => return Ok(Duration::from_millis(n)),
        "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3_600),
        "d" => n.saturating_mul(86_400),
        other => return Err(format!("unknown unit \"{other}\"; use ms, s, m, h or d")),
    };
    Ok(Duration::from_secs(seconds))
}

impl NodeConfig {
    /// Reads `path`, then applies the environment (`env` gives a variable's value).
    pub fn load(path: &Path, env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::parse(&text, base, env).map_err(|e| match e {
            ConfigError::Toml { message, .. } => ConfigError::Toml {
                path: path.display().to_string(),
                message,
            },
            other => other,
        })
    }

    /// Parses TOML text; relative paths are taken from `base`.
    pub fn parse(
        text: &str,
        base: &Path,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Toml {
            path: "configuration".into(),
            message: e.to_string(),
        })?;
        let pick = |var: &str, file: Option<String>| env(var).or(file);
        let listen_text = pick("PROBITY_VERIFIER_LISTEN", raw.listen)
            .unwrap_or_else(|| "127.0.0.1:8700".to_owned());
        let listen = listen_text.parse().map_err(|_| {
            invalid(
                "listen",
                format!("\"{listen_text}\" is not an address like 127.0.0.1:8700"),
            )
        })?;
        let data_dir = env("PROBITY_VERIFIER_DATA_DIR")
            .map(PathBuf::from)
            .or(raw.data_dir)
            .unwrap_or_else(|| PathBuf::from("verifier-data"));
        let data_dir = if data_dir.is_absolute() {
            data_dir
        } else {
            base.join(data_dir)
        };
        let receipt_key = env("PROBITY_VERIFIER_RECEIPT_KEY")
            .map(PathBuf::from)
            .or(raw.receipt_key)
            .map(|path| {
                if path.is_absolute() {
                    path
                } else {
                    base.join(path)
                }
            });
        let did = pick("PROBITY_VERIFIER_DID", raw.did);
        if let Some(did) = &did {
            // A did:key is the key itself, so only a did:web is configured.
            match probity_spec::did::Did::parse(did) {
                Ok(probity_spec::did::Did::Web { .. }) => {}
                Ok(_) => return Err(invalid(
                    "did",
                    "only a did:web is configured; without `did` the node uses its key's did:key",
                )),
                Err(e) => return Err(invalid("did", e.to_string())),
            }
        }
        let mut federations_raw = raw.federation;
        if let Some(one) = env("PROBITY_VERIFIER_FEDERATION") {
            let (root_key, registry) = one.split_once('=').ok_or_else(|| {
                invalid(
                    "PROBITY_VERIFIER_FEDERATION",
                    "write it as ROOT_KEY=REGISTRY",
                )
            })?;
            federations_raw = vec![RawFederation {
                root_key: root_key.to_owned(),
                registry: registry.to_owned(),
            }];
        }
        if federations_raw.is_empty() {
            return Err(invalid(
                "federation",
                "no federation is configured; add a [[federation]] with root_key and registry",
            ));
        }
        let mut federations = Vec::new();
        for (i, f) in federations_raw.into_iter().enumerate() {
            let key = format!("federation[{i}].root_key");
            let root_key = probity_spec::multikey::public_key_from_multibase(f.root_key.trim())
                .map_err(|e| invalid(&key, e.to_string()))?;
            let registry =
                if f.registry.starts_with("http://") || f.registry.starts_with("https://") {
                    RegistrySource::Url(f.registry)
                } else {
                    let path = PathBuf::from(&f.registry);
                    RegistrySource::File(if path.is_absolute() {
                        path
                    } else {
                        base.join(path)
                    })
                };
            federations.push(FederationConfig {
                root_key,
                root_key_text: f.root_key.trim().to_owned(),
                registry,
            });
        }
        let duration = |key: &str, var: &str, file: Option<String>, default: &str| {
            let text = pick(var, file).unwrap_or_else(|| default.to_owned());
            parse_duration(&text).map_err(|reason| invalid(key, reason))
        };
        let refresh = duration(
            "freshness.refresh",
            "PROBITY_VERIFIER_REFRESH",
            raw.freshness.refresh,
            "5m",
        )?;
        let warn_after = duration(
            "freshness.warn_after",
            "PROBITY_VERIFIER_WARN_AFTER",
            raw.freshness.warn_after,
            "1h",
        )?;
        let max_age = duration(
            "freshness.max_age",
            "PROBITY_VERIFIER_MAX_AGE",
            raw.freshness.max_age,
            "24h",
        )?;
        if warn_after > max_age {
            return Err(invalid(
                "freshness.warn_after",
                "is longer than freshness.max_age",
            ));
        }
        if refresh.is_zero() {
            return Err(invalid("freshness.refresh", "must be longer than zero"));
        }
        let flag = |key: &str, var: &str, file: Option<bool>, default: bool| match env(var) {
            Some(v) => match v.as_str() {
                "1" | "true" | "yes" => Ok(true),
                "0" | "false" | "no" => Ok(false),
                other => Err(invalid(key, format!("\"{other}\" is not true or false"))),
            },
            None => Ok(file.unwrap_or(default)),
        };
        let allow_loopback = flag(
            "fetch.allow_loopback",
            "PROBITY_VERIFIER_ALLOW_LOOPBACK",
            raw.fetch.allow_loopback,
            false,
        )?;
        let allow_private = flag(
            "fetch.allow_private",
            "PROBITY_VERIFIER_ALLOW_PRIVATE",
            raw.fetch.allow_private,
            false,
        )?;
        let fetch_timeout = match raw.fetch.timeout {
            Some(t) => parse_duration(&t).map_err(|r| invalid("fetch.timeout", r))?,
            None => crate::fetch::DEFAULT_TIMEOUT,
        };
        let vc_api_trust = match pick("PROBITY_VERIFIER_VC_API_TRUST", raw.vc_api.trust).as_deref()
        {
            None | Some("policy") => VcApiTrust::Policy,
            Some("proof-only") => VcApiTrust::ProofOnly,
            Some(other) => {
                return Err(invalid(
                    "vc_api.trust",
                    format!("\"{other}\" is not \"policy\" or \"proof-only\""),
                ))
            }
        };
        let peers: Vec<String> = match env("PROBITY_VERIFIER_PEERS") {
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect(),
            None => raw.peers,
        };
        for (i, peer) in peers.iter().enumerate() {
            if !(peer.starts_with("https://") || peer.starts_with("http://")) {
                return Err(invalid(
                    &format!("peers[{i}]"),
                    format!("\"{peer}\" is not an http(s) URL of a verifier node"),
                ));
            }
        }
        let peers = peers
            .into_iter()
            .map(|p| p.trim_end_matches('/').to_owned())
            .collect();
        let max_body = raw.limits.max_body.unwrap_or(4 << 20);
        let concurrency = raw.limits.concurrency.unwrap_or(256).max(1);
        Ok(NodeConfig {
            listen,
            data_dir,
            federations,
            refresh,
            warn_after,
            max_age,
            allow_loopback,
            allow_private,
            fetch_timeout,
            deny_hosts: raw.fetch.deny_hosts,
            vc_api_trust,
            max_body,
            concurrency,
            peers,
            receipt_key,
            did,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("24h"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("30d"), Ok(Duration::from_secs(2_592_000)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        for bad in ["5", "m", "5 minutes", "-1h", "1.5h", ""] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_file_is_read_and_the_environment_wins() {
        let text = format!(
            "listen = \"127.0.0.1:9000\"\ndata_dir = \"data\"\n[[federation]]\nroot_key = \"{ROOT}\"\nregistry = \"registry.json\"\n[freshness]\nrefresh = \"1m\"\n"
        );
        let config = NodeConfig::parse(&text, Path::new("/srv/verifier"), |_| None).unwrap();
        assert_eq!(config.listen, "127.0.0.1:9000".parse().unwrap());
        assert_eq!(config.data_dir, Path::new("/srv/verifier/data"));
        assert_eq!(config.refresh, Duration::from_secs(60));
        assert_eq!(config.max_age, Duration::from_secs(86_400));
        assert_eq!(
            config.federations[0].registry,
            RegistrySource::File("/srv/verifier/registry.json".into())
        );
        let env = |var: &str| match var {
            "PROBITY_VERIFIER_LISTEN" => Some("127.0.0.1:0".to_owned()),
            "PROBITY_VERIFIER_MAX_AGE" => Some("2h".to_owned()),
            "PROBITY_VERIFIER_DID" => Some("did:web:verifier.example.org".to_owned()),
            "PROBITY_VERIFIER_RECEIPT_KEY" => Some("keys/receipt.json".to_owned()),
            "PROBITY_VERIFIER_FEDERATION" => {
                Some(format!("{ROOT}=http://127.0.0.1:8600/registry.json"))
            }
            _ => None,
        };
        let config = NodeConfig::parse(&text, Path::new("/srv/verifier"), env).unwrap();
        assert_eq!(config.listen.port(), 0);
        assert_eq!(config.max_age, Duration::from_secs(7_200));
        assert_eq!(config.did.as_deref(), Some("did:web:verifier.example.org"));
        assert_eq!(
            config.receipt_key.as_deref(),
            Some(Path::new("/srv/verifier/keys/receipt.json"))
        );
        assert_eq!(
            config.federations[0].registry,
            RegistrySource::Url("http://127.0.0.1:8600/registry.json".into())
        );
    }

    #[test]
    fn bad_settings_are_refused_by_name() {
        let cases = [
            ("listen = \"nowhere\"\n[[federation]]\nroot_key = \"ROOT\"\nregistry = \"r.json\"", "listen"),
            ("[[federation]]\nroot_key = \"z6Mknot\"\nregistry = \"r.json\"", "federation[0].root_key"),
            ("", "federation"),
            ("[[federation]]\nroot_key = \"ROOT\"\nregistry = \"r.json\"\n[freshness]\nmax_age = \"1x\"", "freshness.max_age"),
            ("[[federation]]\nroot_key = \"ROOT\"\nregistry = \"r.json\"\n[vc_api]\ntrust = \"anyone\"", "vc_api.trust"),
            ("did = \"did:key:ROOT\"\n[[federation]]\nroot_key = \"ROOT\"\nregistry = \"r.json\"", "did"),
            ("did = \"did:web:\"\n[[federation]]\nroot_key = \"ROOT\"\nregistry = \"r.json\"", "did"),
        ];
        for (text, key) in cases {
            let text = text.replace("ROOT", ROOT);
            match NodeConfig::parse(&text, Path::new("."), |_| None) {
                Err(ConfigError::Invalid { key: got, .. }) => assert_eq!(got, key, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
        let typo = format!(
            "[[federation]]\nroot_key = \"{ROOT}\"\nregistry = \"r.json\"\nrefersh = \"1m\""
        );
        assert!(matches!(
            NodeConfig::parse(&typo, Path::new("."), |_| None),
            Err(ConfigError::Toml { .. })
        ));
    }
}
