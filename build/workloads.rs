//! The generated workloads: which description each cargo feature turns into which module, and
//! how. Shared by `build.rs` and `tests/generated_snapshot.rs` so both generate identically.

use std::collections::BTreeMap;
use std::path::Path;

use o365_codegen::shared::{CommonOutput, SharedType};
use o365_codegen::{Casing, Options};

/// File stem of the module holding the types Graph workloads share (`OUT_DIR/common.rs`).
pub const COMMON_STEM: &str = "common";

/// Where that module is mounted in the crate.
const COMMON_PATH: &str = "crate::generated::common";

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
    /// Whether it is a Graph workload, whose common entities come from the `common` module.
    pub graph: bool,
}

/// A Graph workload `name`: feature `graph-<name>`, module `graph_<name>`, description
/// `graph/v1.0/<name>.yaml`, camelCase on the wire.
macro_rules! graph {
    ($name:literal) => {
        Workload {
            feature: concat!("graph-", $name),
            stem: concat!("graph_", $name),
            spec: concat!("graph/v1.0/", $name, ".yaml"),
            casing: Casing::Camel,
            graph: true,
        }
    };
}

/// Every workload, in module order.
pub const WORKLOADS: &[Workload] = &[
    graph!("users"),
    graph!("mail"),
    graph!("calendar"),
    graph!("contacts"),
    graph!("drive"),
    graph!("groups"),
    graph!("teams"),
    graph!("planner"),
    graph!("todo"),
    graph!("people"),
    graph!("onenote"),
    graph!("sites"),
    graph!("subscriptions"),
    Workload {
        feature: "office365-mail",
        stem: "office365_mail",
        spec: "office365/v2.0/outlook.yaml",
        casing: Casing::Pascal,
        graph: false,
    },
    Workload {
        feature: "business-central",
        stem: "business_central",
        spec: "business_central/v2.0/business_central.yaml",
        casing: Casing::Camel,
        graph: false,
    },
];

/// Generates the module of types shared by the Graph workloads, from every Graph description
/// (enabled or not, so the module is the same for any feature set).
pub fn generate_common(spec_dir: &Path) -> Result<CommonOutput, String> {
    let mut docs = Vec::new();
    for workload in WORKLOADS.iter().filter(|w| w.graph) {
        let options = workload.options(spec_dir, &BTreeMap::new())?;
        let (doc, _) = o365_codegen::normalise(&read(spec_dir, workload.spec)?, &options)
            .map_err(|e| format!("spec/{}: {e}", workload.spec))?;
        docs.push((workload.stem, doc));
    }
    let named: Vec<_> = docs.iter().map(|(stem, doc)| (*stem, doc)).collect();
    let shared = o365_codegen::shared::find(&named);
    let options = Options {
        runtime: Some("crate".into()),
        ..Options::default()
    };
    o365_codegen::shared::generate_common(&shared, COMMON_PATH, &options)
        .map_err(|e| format!("common types: {e}"))
}

fn read(spec_dir: &Path, name: &str) -> Result<String, String> {
    std::fs::read_to_string(spec_dir.join(name))
        .map_err(|e| format!("cannot read spec/{name}: {e}"))
}

impl Workload {
    /// `CARGO_FEATURE_<NAME>`, as cargo sets it for build scripts.
    pub fn feature_env(&self) -> String {
        format!(
            "CARGO_FEATURE_{}",
            self.feature.to_uppercase().replace('-', "_")
        )
    }

    /// Generates the module's source from the descriptions under `spec_dir`, taking the types in
    /// `shared` (from [`generate_common`]) from the common module if it is a Graph workload.
    pub fn generate(
        &self,
        spec_dir: &Path,
        shared: &BTreeMap<String, SharedType>,
    ) -> Result<String, String> {
        let options = self.options(spec_dir, shared)?;
        o365_codegen::generate(&read(spec_dir, self.spec)?, &options)
            .map(|out| out.source)
            .map_err(|e| format!("spec/{}: {e}", self.spec))
    }

    fn options(
        &self,
        spec_dir: &Path,
        shared: &BTreeMap<String, SharedType>,
    ) -> Result<Options, String> {
        let renames =
            o365_codegen::names::load_renames(&read(spec_dir, "operations.toml")?, self.spec)
                .map_err(|e| e.to_string())?;
        Ok(Options {
            casing: self.casing,
            inner_type: "crate::Connection".into(),
            graph_error_type: "crate::GraphError".into(),
            error_envelope_type: Some("crate::GraphErrorResponse".into()),
            renames,
            shared_types: if self.graph {
                shared.clone()
            } else {
                BTreeMap::new()
            },
            ..Options::default()
        })
    }
}
