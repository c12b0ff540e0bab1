//! The Probity verifier's library: what the `probity` CLI and the verifier node share
//! around the pure [`probity_spec::verify()`].
//!
//! | module | what it holds |
//! |---|---|
//! | [`fetch`] | bounded HTTP fetching of trust data under a URL policy |
//! | [`gather`] | building a trust snapshot: did:web issuers, and status lists fetched only for a credential whose proof and issuer check out |
//! | [`node`] | the verifier node: configuration, store, sync loop and HTTP API |
//! | [`qr`] | QR codes: encoding credentials, and reading codes from untrusted images |
#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]

pub mod fetch;
pub mod gather;
pub mod node;
pub mod qr;

pub use probity_spec as spec;
