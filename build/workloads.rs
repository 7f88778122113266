//! The generated workloads: which description each cargo feature turns into which module, and
//! how. Shared by `build.rs` and `tests/generated_snapshot.rs` so both generate identically.

use std::path::Path;

use o365_codegen::{Casing, Options};

/// One generated module.
pub struct Workload {
    /// The cargo feature that enables it.
    pub feature: &'static str,
    /// File stem of the generated source (`OUT_DIR/<stem>.rs`, `generated/<stem>.rs`).
    pub stem: &'static str,
    /// The description, relative to `spec/` (also its section in `spec/operations.toml`).
    pub spec: &'static str,
    /// Wire casing of the protocol.
    pub casing: Casing,
}

/// Every workload, in module order.
pub const WORKLOADS: &[Workload] = &[
    graph("graph-users", "graph_users", "graph/v1.0/users.yaml"),
    graph("graph-mail", "graph_mail", "graph/v1.0/mail.yaml"),
    graph(
        "graph-calendar",
        "graph_calendar",
        "graph/v1.0/calendar.yaml",
    ),
    graph(
        "graph-contacts",
        "graph_contacts",
        "graph/v1.0/contacts.yaml",
    ),
    graph("graph-drive", "graph_drive", "graph/v1.0/drive.yaml"),
    Workload {
        feature: "office365-mail",
        stem: "office365_mail",
        spec: "office365/v2.0/outlook.yaml",
        casing: Casing::Pascal,
    },
    graph(
        "business-central",
        "business_central",
        "business_central/v2.0/business_central.yaml",
    ),
];

const fn graph(feature: &'static str, stem: &'static str, spec: &'static str) -> Workload {
    Workload {
        feature,
        stem,
        spec,
        casing: Casing::Camel,
    }
}

impl Workload {
    /// `CARGO_FEATURE_<NAME>`, as cargo sets it for build scripts.
    pub fn feature_env(&self) -> String {
        format!(
            "CARGO_FEATURE_{}",
            self.feature.to_uppercase().replace('-', "_")
        )
    }

    /// Generates the module's source from the descriptions under `spec_dir`.
    pub fn generate(&self, spec_dir: &Path) -> Result<String, String> {
        let read = |name: &str| {
            std::fs::read_to_string(spec_dir.join(name))
                .map_err(|e| format!("cannot read spec/{name}: {e}"))
        };
        let renames = o365_codegen::names::load_renames(&read("operations.toml")?, self.spec)
            .map_err(|e| e.to_string())?;
        let options = Options {
            casing: self.casing,
            inner_type: "crate::Connection".into(),
            graph_error_type: "crate::GraphError".into(),
            error_envelope_type: Some("crate::GraphErrorResponse".into()),
            renames,
            ..Options::default()
        };
        o365_codegen::generate(&read(self.spec)?, &options)
            .map(|out| out.source)
            .map_err(|e| format!("spec/{}: {e}", self.spec))
    }
}
