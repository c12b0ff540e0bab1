//! Shared helpers for the end-to-end tests live in `util.rs`; this crate has no library code.
