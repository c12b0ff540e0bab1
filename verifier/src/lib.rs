//! The Probity verifier node: syncs the trust registry and status lists and serves the
//! verification page and API. Its router and sync loop arrive with the verifier-node
//! issue; verification itself is [`probity_spec::verify()`], which the CLI already uses.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use probity_spec as spec;
