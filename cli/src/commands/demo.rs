//! `probity demo`: the whole job of Probity in one command, with real keys and real
//! signatures, so that a newcomer sees what it does before setting anything up.
//!
//! A federation signs a registry that accredits a certifying body; the body issues an
//! IP certificate; a verifier checks it, a tampered copy of it, its QR code, and the
//! same certificate without trusting the federation. Each step says what verdict it
//! expects and what it got. With `--out DIR`, the documents are written there with the
//! `probity verify` commands that check them again.

use crate::cli::DemoArgs;
use crate::exit;
use anyhow::{Context, Result};
use chrono::{Duration, Utc};
use ed25519_dalek::SigningKey;
use probity_spec::trust::TrustSnapshot;
use probity_spec::{compact, multikey, sample, Verdict};
use serde_json::{json, Value};

/// The certifying body of the demonstration.
const ISSUER: &str = "did:web:certs.demo.probity.network";
const ISSUER_NAME: &str = "Demonstration Certifying Body";

/// One verification of the demonstration.
struct Step {
    what: &'static str,
    expected: Verdict,
    got: Verdict,
}

/// Runs `probity demo`.
pub fn run(args: &DemoArgs) -> Result<i32> {
    let now = match &args.at {
        Some(text) => probity_spec::time::parse(text).context("--at")?,
        None => Utc::now(),
    };
    let root = SigningKey::generate(&mut rand::rngs::OsRng);
    let issuer_key = SigningKey::generate(&mut rand::rngs::OsRng);
    let method = format!("{ISSUER}#key-1");

    // The federation accredits the body for IP certificates in every track.
    let member = sample::member(
        ISSUER,
        ISSUER_NAME,
        &method,
        &issuer_key.verifying_key(),
        sample::ip_certificates_in_every_track(),
    );
    let registry = sample::signed_registry(
        &root,
        1,
        vec![member],
        now - Duration::days(1),
        now + Duration::days(365),
    )
    .context("cannot sign the demonstration registry")?;
    let mut trust = TrustSnapshot::new();
    trust
        .add_registry(registry.clone(), &[root.verifying_key()], now)
        .context("the demonstration registry was refused")?;

    // The body issues the sample certificate, valid from now for five years.
    let mut envelope = sample::envelope(ISSUER, Some(ISSUER_NAME), vec![]);
    envelope.valid_from = now - Duration::minutes(1);
    envelope.valid_until = Some(now + Duration::days(5 * 365));
    let unsigned =
        probity_spec::model::ip_certificate(&envelope, &sample::ip_certificate_subject())
            .context("the sample certificate does not validate")?;
    let created = probity_spec::time::format(now - Duration::minutes(1));
    let certificate = probity_spec::proof::sign(
        &unsigned,
        &issuer_key,
        &probity_spec::proof::ProofOptions::assertion(method, Some(created)),
    )?;
    let mut tampered = certificate.clone();
    tampered["credentialSubject"]["ipNumber"] = json!("IP-2026-99999");
    let qr = probity_verifier::qr::encode_credential(&certificate, None)?;
    let from_qr = compact::from_text(&qr.text).context("the QR payload does not decode")?;

    let verdict = |doc: &Value, trust: &TrustSnapshot| -> Result<Verdict> {
        Ok(probity_spec::verify(&serde_json::to_vec(doc)?, trust, now).verdict)
    };
    let steps = [
        Step {
            what: "the certificate, against the federation's registry",
            expected: Verdict::Valid,
            got: verdict(&certificate, &trust)?,
        },
        Step {
            what: "a copy with its IP number changed",
            expected: Verdict::InvalidSignature,
            got: verdict(&tampered, &trust)?,
        },
        Step {
            what: "the certificate rebuilt from its QR code",
            expected: Verdict::Valid,
            got: verdict(&from_qr, &trust)?,
        },
        Step {
            what: "the certificate, trusting no federation",
            expected: Verdict::UntrustedIssuer,
            got: verdict(&certificate, &TrustSnapshot::new())?,
        },
    ];
    let all_as_expected = steps.iter().all(|s| s.got == s.expected);
    let federation_key = multikey::public_key_to_multibase(&root.verifying_key());

    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        for (name, doc) in [
            ("registry.json", &registry),
            ("cert.json", &certificate),
            ("tampered.json", &tampered),
        ] {
            super::write_output(Some(&dir.join(name)), &super::pretty(doc)?)?;
        }
        super::qr::write_image(&dir.join("cert-qr.png"), &qr.code, 8)?;
    }

    if args.json {
        let report = json!({
            "asExpected": all_as_expected,
            "federationKey": federation_key,
            "issuer": ISSUER,
            "qrVersion": probity_verifier::qr::version_number(&qr.code),
            "qrTextLength": qr.text.chars().count(),
            "steps": steps.iter().map(|s| json!({
                "what": s.what,
                "expected": s.expected,
                "verdict": s.got,
            })).collect::<Vec<_>>(),
        });
        super::print_line(&serde_json::to_string_pretty(&report)?)?;
    } else {
        super::print(human(&steps, &qr, &federation_key, args))?;
    }
    Ok(if all_as_expected {
        exit::OK
    } else {
        exit::NOT_VALID
    })
}

/// The demonstration as a person reads it.
fn human(
    steps: &[Step],
    qr: &probity_verifier::qr::EncodedQr,
    federation_key: &str,
    args: &DemoArgs,
) -> String {
    let mut out = format!(
        "A federation (root key {federation_key}) accredits {ISSUER_NAME} ({ISSUER});\n\
         it issues an IP certificate, which fits QR version {} at level M ({} characters).\n\n",
        probity_verifier::qr::version_number(&qr.code),
        qr.text.chars().count()
    );
    for step in steps {
        let mark = if step.got == step.expected {
            '✓'
        } else {
            '✗'
        };
        out.push_str(&format!(
            "  {mark} {:<52} {} (expected {})\n",
            step.what, step.got, step.expected
        ));
    }
    if let Some(dir) = &args.out {
        let dir = dir.display();
        // A story told at another time is checked at that time too.
        let at = args
            .at
            .as_ref()
            .map_or(String::new(), |at| format!(" --at {at}"));
        out.push_str(&format!(
            "\nWrote {dir}/registry.json, cert.json, tampered.json and cert-qr.png. Check them with:\n\
             \x20 probity verify {dir}/cert.json --registry {dir}/registry.json --federation-key {federation_key}{at}\n\
             \x20 probity verify {dir}/cert-qr.png --registry {dir}/registry.json --federation-key {federation_key}{at}\n\
             \x20 probity verify {dir}/tampered.json --registry {dir}/registry.json --federation-key {federation_key}{at}\n"
        ));
    }
    out
}
