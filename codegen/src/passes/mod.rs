//! Spec normalisation passes. Each pass is a plain function over the document (as a
//! `serde_json::Value`) that returns how many places it rewrote; each pass's module says what
//! breaks without it, and `tests/passes.rs` checks that.

use serde_json::Value;

pub mod walk;

mod collection_results;
mod default_resp;
mod describe;
mod discriminator;
mod drop_patterns;
mod enum_collision;
mod flatten_allof;
mod nullable_anyof;
mod odata_numeric;
mod odata_open;
pub mod polymorphic;
mod prop_collision;
mod schema_collision;
pub mod type_names;

/// One normalisation pass: a name (used to switch it off) and the function.
#[derive(Clone, Copy)]
pub struct Pass {
    /// Stable name, e.g. `flatten_allof`.
    pub name: &'static str,
    /// Rewrites the document; returns the number of rewrites and may push warnings to `notes`.
    pub run: fn(&mut Value, &mut Vec<String>) -> usize,
}

/// All passes in the order they must run.
pub const PASSES: &[Pass] = &[
    Pass {
        name: "describe",
        run: describe::run,
    },
    Pass {
        name: "collection_results",
        run: collection_results::run,
    },
    Pass {
        name: "polymorphic",
        run: polymorphic::run,
    },
    Pass {
        name: "flatten_allof",
        run: flatten_allof::run,
    },
    Pass {
        name: "odata_open",
        run: odata_open::run,
    },
    Pass {
        name: "odata_numeric",
        run: odata_numeric::run,
    },
    Pass {
        name: "nullable_anyof",
        run: nullable_anyof::run,
    },
    Pass {
        name: "discriminator",
        run: discriminator::run,
    },
    Pass {
        name: "prop_collision",
        run: prop_collision::run,
    },
    Pass {
        name: "drop_patterns",
        run: drop_patterns::run,
    },
    Pass {
        name: "enum_collision",
        run: enum_collision::run,
    },
    Pass {
        name: "schema_collision",
        run: schema_collision::run,
    },
    Pass {
        name: "default_resp",
        run: default_resp::run,
    },
    Pass {
        name: "type_names",
        run: type_names::run,
    },
];

/// Runs every pass not listed in `disabled`, in order; returns `(name, rewrites)` per pass run.
pub fn run_all(
    doc: &mut Value,
    disabled: &std::collections::BTreeSet<String>,
    notes: &mut Vec<String>,
) -> Vec<(&'static str, usize)> {
    PASSES
        .iter()
        .filter(|pass| !disabled.contains(pass.name))
        .map(|pass| (pass.name, (pass.run)(doc, notes)))
        .collect()
}
