//! The Probity issuer node: the service a certifying body or hospital runs to sign
//! IP certificates and skill attestations, allocate status-list indexes and publish
//! revocations. Its HTTP router, store and audit log arrive with the issuer-node issue;
//! today the signing itself lives in [`probity_spec`] and the `probity issue` command.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use probity_spec as spec;
