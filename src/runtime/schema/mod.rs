//! The schema machinery beneath the generated code (feature `schemars`): the [`Operation`]
//! entries of the generated `BODY_OPERATIONS` tables, the schema of a polymorphic family, and
//! body validation. Re-exported, with the lookups over the workloads, as [`crate::schema`].

mod family;
mod operation;
mod validate;

pub use family::family_schema;
pub use operation::{Operation, of};
pub use schemars::Schema;
pub use validate::{Invalid, validate};
