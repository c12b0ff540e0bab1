//! The node's settings: `issuer.toml`, then the environment, parsed once into
//! [`Settings`] so nothing downstream re-reads raw text.
//!
//! Every setting can be overridden from the environment. Top-level settings are
//! `PROBITY_ISSUER_<NAME>` (`PROBITY_ISSUER_BASE_URL`, `PROBITY_ISSUER_LISTEN`,
//! `PROBITY_ISSUER_STATUS_LIST_SIZE`, `PROBITY_ISSUER_STATUS_LIST_VALIDITY_HOURS`,
//! `PROBITY_ISSUER_STATUS_LIST_REPUBLISH_HOURS`, `PROBITY_ISSUER_BODY_LIMIT_BYTES`,
//! `PROBITY_ISSUER_IMPORT_LIMIT_BYTES`, `PROBITY_ISSUER_REQUEST_TIMEOUT_SECONDS`); a
//! track's are `PROBITY_ISSUER_<TRACK>_<NAME>`, such as
//! `PROBITY_ISSUER_FM_MSK_IP_NUMBER_FORMAT` or `PROBITY_ISSUER_FM_MSK_PASS_MARK_WRITTEN`.

use probity_spec::model::{ExamKind, Track};
use probity_spec::status_list::{MAX_ENTRIES, MIN_ENTRIES};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// The settings file's name inside the node's directory.
pub const FILE_NAME: &str = "issuer.toml";

/// Why the settings could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file is not TOML of the expected shape.
    #[error("{FILE_NAME}: {0}")]
    Toml(String),
    /// A value (from the file or the environment) is out of range or unreadable.
    #[error("{setting}: {reason}")]
    Invalid {
        /// The setting, as named in the file or the environment.
        setting: String,
        /// What is wrong and what would be right.
        reason: String,
    },
}

fn invalid(setting: impl Into<String>, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        setting: setting.into(),
        reason: reason.into(),
    }
}

/// How a track's IP numbers are written: literal text around one `{seq}` or
/// `{seq:0N}` (the sequence number, zero-padded to N digits), such as `FMMSK-{seq:06}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpNumberFormat {
    prefix: String,
    width: usize,
    suffix: String,
    text: String,
}

impl IpNumberFormat {
    /// Parses a format. The literal parts are printable ASCII without braces, so that
    /// an IP number is easy to read aloud and to type.
    pub fn parse(text: &str) -> Result<Self, String> {
        let start = text
            .find('{')
            .ok_or_else(|| format!("\"{text}\" has no {{seq}} placeholder"))?;
        let end = text[start..]
            .find('}')
            .map(|e| start + e)
            .ok_or_else(|| format!("\"{text}\" has an unclosed {{"))?;
        let placeholder = &text[start + 1..end];
        let width = match placeholder.strip_prefix("seq") {
            Some("") => 0,
            Some(spec) => spec
                .strip_prefix(":0")
                .and_then(|w| w.parse::<usize>().ok())
                .filter(|w| (1..=12).contains(w))
                .ok_or_else(|| {
                    format!(
                        "\"{{{placeholder}}}\" is not {{seq}} or {{seq:0N}} with N from 1 to 12"
                    )
                })?,
            None => {
                return Err(format!(
                    "\"{{{placeholder}}}\" is not {{seq}} or {{seq:0N}}"
                ))
            }
        };
        let (prefix, suffix) = (&text[..start], &text[end + 1..]);
        for part in [prefix, suffix] {
            if let Some(c) = part
                .chars()
                .find(|c| !c.is_ascii_graphic() || *c == '{' || *c == '}')
            {
                return Err(format!(
                    "\"{text}\" has {c:?} outside the placeholder; use printable ASCII without braces or spaces"
                ));
            }
        }
        if prefix.len() + suffix.len() > 40 {
            return Err(format!("\"{text}\" is too long"));
        }
        Ok(IpNumberFormat {
            prefix: prefix.to_owned(),
            width,
            suffix: suffix.to_owned(),
            text: text.to_owned(),
        })
    }

    /// The IP number for sequence number `seq`.
    pub fn format(&self, seq: u64) -> String {
        format!(
            "{}{:0width$}{}",
            self.prefix,
            seq,
            self.suffix,
            width = self.width
        )
    }
}

impl fmt::Display for IpNumberFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// What a candidate in one track must have achieved, and how its IP numbers look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackRules {
    /// IP number format.
    pub ip_number_format: IpNumberFormat,
    /// Fewest supervised logged scans accepted.
    pub min_supervised_scans: u32,
    /// Pass marks in percent: written, visual, practical (SPEC.md §5.3 defaults).
    pub pass_marks: [u8; 3],
}

impl TrackRules {
    /// The pass mark of one exam.
    pub fn pass_mark(&self, kind: ExamKind) -> u8 {
        match kind {
            ExamKind::Written => self.pass_marks[0],
            ExamKind::Visual => self.pass_marks[1],
            ExamKind::Practical => self.pass_marks[2],
        }
    }

    fn default_for(track: Track) -> Self {
        let prefix = track.code().replace('_', "");
        TrackRules {
            ip_number_format: IpNumberFormat {
                prefix: format!("{prefix}-"),
                width: 6,
                suffix: String::new(),
                text: format!("{prefix}-{{seq:06}}"),
            },
            min_supervised_scans: 50,
            pass_marks: ExamKind::ALL.map(ExamKind::default_pass_mark),
        }
    }
}

/// The node's validated settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Public base URL (no trailing `/`): status list URLs and the did:web document
    /// use it. `None`: derived from a loopback did:web, else from the bound address.
    pub base_url: Option<String>,
    /// Address to listen on.
    pub listen: String,
    /// Entries per status list (at least 131,072, a multiple of 8).
    pub status_list_size: usize,
    /// How long a published status list stays fresh (its `validUntil`).
    pub status_list_validity_hours: u32,
    /// How often lists are re-signed even when nothing changed (SPEC.md §7.4: daily).
    pub status_list_republish_hours: u32,
    /// Largest request body, except imports.
    pub body_limit_bytes: usize,
    /// Largest import batch body.
    pub import_limit_bytes: usize,
    /// Time allowed for one request.
    pub request_timeout_seconds: u64,
    /// Rules per track.
    pub tracks: BTreeMap<Track, TrackRules>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            base_url: None,
            listen: "127.0.0.1:8600".to_owned(),
            status_list_size: MIN_ENTRIES,
            status_list_validity_hours: 7 * 24,
            status_list_republish_hours: 24,
            body_limit_bytes: 1 << 20,
            import_limit_bytes: 16 << 20,
            request_timeout_seconds: 30,
            tracks: Track::ALL
                .into_iter()
                .map(|t| (t, TrackRules::default_for(t)))
                .collect(),
        }
    }
}

/// The file's shape; every member optional, unknown members refused so that a typo
/// is not silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    base_url: Option<String>,
    listen: Option<String>,
    status_list_size: Option<u64>,
    status_list_validity_hours: Option<u32>,
    status_list_republish_hours: Option<u32>,
    body_limit_bytes: Option<u64>,
    import_limit_bytes: Option<u64>,
    request_timeout_seconds: Option<u64>,
    #[serde(default)]
    tracks: BTreeMap<String, RawTrack>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrack {
    ip_number_format: Option<String>,
    min_supervised_scans: Option<u32>,
    pass_mark_written: Option<u8>,
    pass_mark_visual: Option<u8>,
    pass_mark_practical: Option<u8>,
}

impl Settings {
    /// Reads settings from the text of `issuer.toml`, then applies overrides from
    /// `env` (a lookup such as `|name| std::env::var(name).ok()`), then validates.
    pub fn parse(
        toml_text: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let raw: RawSettings =
            toml::from_str(toml_text).map_err(|e| ConfigError::Toml(e.to_string()))?;
        let mut s = Settings::default();
        let top = |name: &str| env(&format!("PROBITY_ISSUER_{}", name.to_ascii_uppercase()));
        fn num<T: std::str::FromStr>(setting: &str, text: String) -> Result<T, ConfigError> {
            text.trim()
                .parse()
                .map_err(|_| invalid(setting, format!("\"{text}\" is not a whole number")))
        }
        if let Some(v) = top("base_url").or(raw.base_url) {
            s.base_url = Some(check_base_url(&v)?);
        }
        if let Some(v) = top("listen").or(raw.listen) {
            s.listen = v;
        }
        let size: u64 = match top("status_list_size") {
            Some(v) => num("status_list_size", v)?,
            None => raw.status_list_size.unwrap_or(MIN_ENTRIES as u64),
        };
        if size < MIN_ENTRIES as u64 || size > MAX_ENTRIES as u64 || !size.is_multiple_of(8) {
            return Err(invalid(
                "status_list_size",
                format!("{size} must be a multiple of 8 from {MIN_ENTRIES} to {MAX_ENTRIES} (SPEC.md §7)"),
            ));
        }
        s.status_list_size = size as usize;
        if let Some(v) = top("status_list_validity_hours") {
            s.status_list_validity_hours = num("status_list_validity_hours", v)?;
        } else if let Some(v) = raw.status_list_validity_hours {
            s.status_list_validity_hours = v;
        }
        if let Some(v) = top("status_list_republish_hours") {
            s.status_list_republish_hours = num("status_list_republish_hours", v)?;
        } else if let Some(v) = raw.status_list_republish_hours {
            s.status_list_republish_hours = v;
        }
        if s.status_list_validity_hours == 0 || s.status_list_validity_hours > 24 * 366 {
            return Err(invalid(
                "status_list_validity_hours",
                "must be from 1 to 8784 (a year)",
            ));
        }
        if s.status_list_republish_hours == 0
            || s.status_list_republish_hours >= s.status_list_validity_hours
        {
            return Err(invalid(
                "status_list_republish_hours",
                "must be at least 1 and less than status_list_validity_hours, so a fresh list is always published",
            ));
        }
        for (name, slot, min) in [
            ("body_limit_bytes", &mut s.body_limit_bytes, 4096u64),
            ("import_limit_bytes", &mut s.import_limit_bytes, 4096),
        ] {
            let raw_value = match name {
                "body_limit_bytes" => raw.body_limit_bytes,
                _ => raw.import_limit_bytes,
            };
            let v: Option<u64> = match top(name) {
                Some(v) => Some(num(name, v)?),
                None => raw_value,
            };
            if let Some(v) = v {
                if !(min..=256 << 20).contains(&v) {
                    return Err(invalid(
                        name,
                        format!("{v} must be from {min} to {}", 256u64 << 20),
                    ));
                }
                *slot = v as usize;
            }
        }
        if let Some(v) = top("request_timeout_seconds") {
            s.request_timeout_seconds = num("request_timeout_seconds", v)?;
        } else if let Some(v) = raw.request_timeout_seconds {
            s.request_timeout_seconds = v;
        }
        if !(1..=3600).contains(&s.request_timeout_seconds) {
            return Err(invalid("request_timeout_seconds", "must be from 1 to 3600"));
        }

        for (code, raw_track) in &raw.tracks {
            let track =
                Track::parse(code).map_err(|e| invalid(format!("tracks.{code}"), e.reason))?;
            if track.code() != code {
                return Err(invalid(
                    format!("tracks.{code}"),
                    format!("write the track code {}", track.code()),
                ));
            }
            let rules = s
                .tracks
                .entry(track)
                .or_insert_with(|| TrackRules::default_for(track));
            if let Some(f) = &raw_track.ip_number_format {
                rules.ip_number_format = IpNumberFormat::parse(f)
                    .map_err(|r| invalid(format!("tracks.{code}.ip_number_format"), r))?;
            }
            if let Some(v) = raw_track.min_supervised_scans {
                rules.min_supervised_scans = v;
            }
            for (i, v) in [
                raw_track.pass_mark_written,
                raw_track.pass_mark_visual,
                raw_track.pass_mark_practical,
            ]
            .into_iter()
            .enumerate()
            {
                if let Some(v) = v {
                    rules.pass_marks[i] = v;
                }
            }
        }
        for track in Track::ALL {
            let prefix = format!("{}_", track.code());
            let Some(rules) = s.tracks.get_mut(&track) else {
                continue;
            };
            if let Some(f) = top(&format!("{prefix}ip_number_format")) {
                rules.ip_number_format = IpNumberFormat::parse(&f)
                    .map_err(|r| invalid(format!("PROBITY_ISSUER_{prefix}IP_NUMBER_FORMAT"), r))?;
            }
            if let Some(v) = top(&format!("{prefix}min_supervised_scans")) {
                rules.min_supervised_scans =
                    num(&format!("PROBITY_ISSUER_{prefix}MIN_SUPERVISED_SCANS"), v)?;
            }
            for (i, kind) in ExamKind::ALL.iter().enumerate() {
                let name = format!("{prefix}pass_mark_{}", kind.as_str());
                if let Some(v) = top(&name) {
                    rules.pass_marks[i] =
                        num(&format!("PROBITY_ISSUER_{}", name.to_ascii_uppercase()), v)?;
                }
            }
            if let Some(kind) = ExamKind::ALL
                .iter()
                .zip(rules.pass_marks)
                .find(|(_, mark)| *mark > 100)
            {
                return Err(invalid(
                    format!("tracks.{}.pass_mark_{}", track.code(), kind.0.as_str()),
                    "a pass mark is a percentage from 0 to 100",
                ));
            }
        }
        Ok(s)
    }

    /// The rules of `track`.
    pub fn track(&self, track: Track) -> TrackRules {
        self.tracks
            .get(&track)
            .cloned()
            .unwrap_or_else(|| TrackRules::default_for(track))
    }

    /// The `issuer.toml` written by `probity issuer init`: every setting with its
    /// default, so an operator sees what can be changed.
    pub fn default_file() -> String {
        let d = Settings::default();
        let mut out = format!(
            "# Probity issuer node settings. Every setting can be overridden from the\n\
             # environment: PROBITY_ISSUER_<NAME> (PROBITY_ISSUER_BASE_URL, ...), and a\n\
             # track's as PROBITY_ISSUER_<TRACK>_<NAME> (PROBITY_ISSUER_FM_MSK_PASS_MARK_WRITTEN).\n\n\
             # Public base URL of this node: status list URLs and the did:web document use\n\
             # it. Unset: a loopback did:web's own URL, else the address the node listens on.\n\
             # base_url = \"https://certs.example.org\"\n\
             listen = \"{}\"\n\
             # Entries per status list: at least 131072, a multiple of 8.\n\
             status_list_size = {}\n\
             # A published list is fresh for this long, and is re-signed this often.\n\
             status_list_validity_hours = {}\n\
             status_list_republish_hours = {}\n\
             body_limit_bytes = {}\n\
             import_limit_bytes = {}\n\
             request_timeout_seconds = {}\n",
            d.listen,
            d.status_list_size,
            d.status_list_validity_hours,
            d.status_list_republish_hours,
            d.body_limit_bytes,
            d.import_limit_bytes,
            d.request_timeout_seconds,
        );
        for (track, rules) in &d.tracks {
            out.push_str(&format!(
                "\n[tracks.{}]\nip_number_format = \"{}\"\nmin_supervised_scans = {}\npass_mark_written = {}\npass_mark_visual = {}\npass_mark_practical = {}\n",
                track.code(),
                rules.ip_number_format,
                rules.min_supervised_scans,
                rules.pass_marks[0],
                rules.pass_marks[1],
                rules.pass_marks[2],
            ));
        }
        out
    }
}

/// A base URL is `http(s)://host[:port][/path]`, kept without a trailing `/`.
fn check_base_url(text: &str) -> Result<String, ConfigError> {
    let trimmed = text.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .ok_or_else(|| {
            invalid(
                "base_url",
                format!("\"{text}\" must start with https:// (or http:// for loopback)"),
            )
        })?;
    if rest.is_empty() || rest.contains(['?', '#', ' ']) {
        return Err(invalid("base_url", format!("\"{text}\" is not a base URL")));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_ip_numbers() {
        let f = IpNumberFormat::parse("FMMSK-{seq:06}").unwrap();
        assert_eq!(f.format(17), "FMMSK-000017");
        assert_eq!(
            IpNumberFormat::parse("IP{seq}/X").unwrap().format(5),
            "IP5/X"
        );
        assert!(IpNumberFormat::parse("NOSEQ").is_err());
        assert!(IpNumberFormat::parse("A {seq}").is_err());
        assert!(IpNumberFormat::parse("A-{year}").is_err());
    }

    #[test]
    fn environment_overrides_the_file() {
        let file = "status_list_size = 262144\n[tracks.FM_MSK]\nmin_supervised_scans = 40\n";
        let env = |name: &str| match name {
            "PROBITY_ISSUER_BASE_URL" => Some("http://127.0.0.1:9/".to_owned()),
            "PROBITY_ISSUER_FM_MSK_PASS_MARK_WRITTEN" => Some("90".to_owned()),
            _ => None,
        };
        let s = Settings::parse(file, env).unwrap();
        assert_eq!(s.base_url.as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(s.status_list_size, 262_144);
        let msk = s.track(Track::FmMsk);
        assert_eq!(msk.min_supervised_scans, 40);
        assert_eq!(msk.pass_marks, [90, 85, 100]);
    }

    #[test]
    fn refuses_small_lists_and_typos() {
        assert!(Settings::parse("status_list_size = 1000", |_| None).is_err());
        assert!(Settings::parse("status_lst_size = 131072", |_| None).is_err());
        assert!(Settings::parse("[tracks.NOPE]\n", |_| None).is_err());
        assert!(Settings::parse(&Settings::default_file(), |_| None).is_ok());
    }
}
