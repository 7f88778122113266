//! What a generated workload needs to know of a type shared across descriptions: its path and
//! the traits it implements. A leaf: the model emitter and the options use it, and
//! [`crate::shared`] (which finds the shared types and generates their module) re-exports it.

use std::collections::BTreeSet;

/// A trait a shared type implements, as typify needs to know it for the types that contain it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SharedImpl {
    /// `std::fmt::Display` (string enums).
    Display,
    /// `std::str::FromStr` (string enums).
    FromStr,
    /// `Default`.
    Default,
}

/// Where a shared type lives and what it implements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedType {
    /// Full Rust path, e.g. `crate::generated::common::types::MicrosoftGraphRecipient`.
    pub path: String,
    /// Traits it implements (beyond the derives every generated type has).
    pub impls: BTreeSet<SharedImpl>,
    /// For a struct: its named fields as `(field, type)` source text, for the accessors of the
    /// polymorphic enums that hold it.
    pub fields: Vec<(String, String)>,
}

/// `(field, type)` source text of a struct's named fields.
pub(crate) fn struct_fields(s: &syn::ItemStruct) -> Vec<(String, String)> {
    use quote::ToTokens;
    s.fields
        .iter()
        .filter_map(|f| {
            Some((
                f.ident.as_ref()?.to_string(),
                f.ty.to_token_stream().to_string(),
            ))
        })
        .collect()
}
