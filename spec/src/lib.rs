//! # probity-spec
//!
//! The pure core of Probity, the federated network in which certifying bodies and
//! hospitals sign point-of-care ultrasound (POCUS) credentials, practitioners carry them,
//! and HR offices verify them. Everything here is deterministic and free of I/O: the
//! nodes and the `probity` CLI fetch documents and read clocks, then hand what they got
//! to these functions.
//!
//! The normative text is `spec/SPEC.md`; each module names the sections it implements.
//!
//! | module | what it holds |
//! |---|---|
//! | [`json`] | strict JSON parsing: size and depth limits, duplicate keys refused |
//! | [`jcs`] | RFC 8785 JSON canonicalization |
//! | [`multikey`] | Ed25519 keys as W3C Multikey (`z6Mk…`, `z3u2…`) and key files |
//! | [`net`] | which addresses are this machine, and which are never fetched from |
//! | [`did`] | `did:key` and `did:web` identifiers and DID documents |
//! | [`proof`] | the `eddsa-jcs-2022` Data Integrity cryptosuite |
//! | [`status_list`] | W3C Bitstring Status List v1.0 |
//! | [`text`] | showing untrusted document text to people safely |
//! | [`model`] | the credential types: `PocusIpCertificate`, `PocusSkillAttestation` |
//! | [`registry`] | the federation's signed trust registry |
//! | [`trust`] | the trust snapshot a verification runs against |
//! | [`receipt`] | a verifier node's signed record of one verification |
//! | [`verify`](mod@verify) | the one verification function and its report |
//! | [`compact`] | the compact QR payload that rebuilds a signed credential |
//! | `sample` | sample credentials and members for tests, benchmarks and demonstrations (feature `sample`) |
#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]

pub mod compact;
pub mod context;
pub mod did;
// For the fuzz targets, the benchmark and the integration tests only: see the module.
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod internals;
pub mod jcs;
pub mod json;
pub mod model;
pub mod multikey;
pub mod net;
pub mod proof;
pub mod receipt;
pub mod registry;
// Sample data is for tests, benchmarks and `probity demo`, not part of the API: it is
// compiled for the crate's own unit tests and, for everyone else, with the `sample`
// feature.
#[cfg(any(test, feature = "sample"))]
pub mod sample;
pub mod status_list;
pub mod text;
pub mod time;
pub mod trust;
pub mod verify;

pub use verify::{verify, Check, CheckId, CheckStatus, Report, Verdict};
