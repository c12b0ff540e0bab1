//! Counters for `GET /metrics`, in the Prometheus text format (version 0.0.4).

use probity_spec::Verdict;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// Every verdict, in report order, for the per-verdict counters.
const VERDICTS: [Verdict; 10] = [
    Verdict::Valid,
    Verdict::Malformed,
    Verdict::InvalidSignature,
    Verdict::UntrustedIssuer,
    Verdict::NotAccredited,
    Verdict::NotYetValid,
    Verdict::Expired,
    Verdict::Revoked,
    Verdict::Suspended,
    Verdict::StatusUnknown,
];

/// The node's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    verdicts: [AtomicU64; 10],
    refused_requests: AtomicU64,
}

impl Metrics {
    /// Counts one verification.
    pub fn count_verdict(&self, verdict: Verdict) {
        if let Some(i) = VERDICTS.iter().position(|v| *v == verdict) {
            self.verdicts[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts one request answered with a client error.
    pub fn count_refused(&self) {
        self.refused_requests.fetch_add(1, Ordering::Relaxed);
    }

    /// The exposition: counters, then the gauges the caller computed (per-issuer
    /// status data age in seconds, fetch failures, registry versions).
    pub fn render(
        &self,
        issuer_ages: &[(String, f64)],
        fetch_failures: u64,
        registry_versions: &[(String, u64)],
    ) -> String {
        let mut out = String::new();
        out.push_str("# HELP probity_verifications_total Verifications answered, by verdict.\n");
        out.push_str("# TYPE probity_verifications_total counter\n");
        for (verdict, count) in VERDICTS.iter().zip(&self.verdicts) {
            let _ = writeln!(
                out,
                "probity_verifications_total{{verdict=\"{}\"}} {}",
                verdict.as_str(),
                count.load(Ordering::Relaxed)
            );
        }
        out.push_str(
            "# HELP probity_refused_requests_total Requests answered with a client error.\n",
        );
        out.push_str("# TYPE probity_refused_requests_total counter\n");
        let _ = writeln!(
            out,
            "probity_refused_requests_total {}",
            self.refused_requests.load(Ordering::Relaxed)
        );
        out.push_str("# HELP probity_fetch_failures_total Fetches of trust data that failed or were refused.\n");
        out.push_str("# TYPE probity_fetch_failures_total counter\n");
        let _ = writeln!(out, "probity_fetch_failures_total {fetch_failures}");
        out.push_str("# HELP probity_status_data_age_seconds Age of the oldest status list held for an issuer, since it was fetched or confirmed.\n");
        out.push_str("# TYPE probity_status_data_age_seconds gauge\n");
        for (issuer, age) in issuer_ages {
            let _ = writeln!(
                out,
                "probity_status_data_age_seconds{{issuer=\"{}\"}} {age:.0}",
                label(issuer)
            );
        }
        out.push_str("# HELP probity_registry_version Version of the registry held, by federation root key.\n");
        out.push_str("# TYPE probity_registry_version gauge\n");
        for (root, version) in registry_versions {
            let _ = writeln!(
                out,
                "probity_registry_version{{federation=\"{}\"}} {version}",
                label(root)
            );
        }
        out
    }
}

/// A label value as the text format requires: backslash, quote and line feed
/// escaped; other control characters dropped (an issuer DID is untrusted text).
fn label(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_counts_and_escapes() {
        let m = Metrics::default();
        m.count_verdict(Verdict::Valid);
        m.count_verdict(Verdict::Valid);
        m.count_verdict(Verdict::Revoked);
        let text = m.render(
            &[("did:web:a\"b\nc\x1b".into(), 12.4)],
            3,
            &[("z6Mk".into(), 7)],
        );
        assert!(
            text.contains("probity_verifications_total{verdict=\"VALID\"} 2\n"),
            "{text}"
        );
        assert!(text.contains("probity_verifications_total{verdict=\"REVOKED\"} 1\n"));
        assert!(
            text.contains("probity_status_data_age_seconds{issuer=\"did:web:a\\\"b\\nc\"} 12\n"),
            "{text}"
        );
        assert!(text.contains("probity_fetch_failures_total 3\n"));
        assert!(text.contains("probity_registry_version{federation=\"z6Mk\"} 7\n"));
    }
}
