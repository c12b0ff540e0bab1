//! What verification is made of, lent to the code that tests and measures it from
//! outside the crate: the fuzz targets (`fuzz/`), the verification benchmark and the
//! crate's integration tests. It exists only with the `internals` feature, and it is
//! not part of the API: it follows the crate's internals and changes with them.
//!
//! The submodules are named after the modules the items live in.

/// The parsed document tree: `Arena::parse` reads a document the way verification does.
pub mod json {
    pub use crate::json::tree::{Arena, Json, JsonNumber, Member, Text};
}

/// Canonical writing of a parsed tree.
pub mod jcs {
    use crate::jcs::JcsError;
    use crate::json::Json;

    /// Appends the canonical (RFC 8785) form of `value`, as verification writes it.
    pub fn write_json(out: &mut Vec<u8>, value: &Json<'_>) -> Result<(), JcsError> {
        crate::jcs::write_json(out, value)
    }
}

/// The format checks on a parsed credential.
pub mod model {
    use crate::json::Json;
    use crate::model::{CredentialKind, ModelError, SubjectText};

    /// Checks the shape of the parsed credential `doc`, as verification does
    /// (see [`crate::model::validate_value`] for the same on a `serde_json::Value`).
    pub fn validate_credential<'d, S: SubjectText<'d>>(
        doc: &'d Json<'d>,
    ) -> Result<CredentialKind<S>, ModelError> {
        crate::model::validate_credential(doc)
    }
}

/// The proof of a parsed document, read before its signature is checked.
pub mod proof {
    pub use crate::proof::parsed::{view, ProofView};
}

/// Status entries of a parsed credential.
pub mod status_list {
    use crate::json::Json;
    use crate::status_list::StatusListEntry;

    /// Reads a status entry of the usual shape from a parsed credential, as
    /// verification does; `None` for anything less plain.
    pub fn entry_from_plain_json(value: &Json<'_>) -> Option<StatusListEntry> {
        StatusListEntry::from_plain_json(value)
    }
}
