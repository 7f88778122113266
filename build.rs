//! Build script: turns the descriptions in `spec/` into typed bindings written to `OUT_DIR`
//! (never into the source tree), one module per enabled workload feature.

#[cfg(feature = "codegen")]
#[path = "build/workloads.rs"]
mod workloads;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build/workloads.rs");
    #[cfg(feature = "codegen")]
    generate();
}

#[cfg(feature = "codegen")]
fn generate() {
    use std::path::PathBuf;

    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    let spec_dir = root.join("spec");
    println!("cargo:rerun-if-changed=spec/operations.toml");
    let write = |stem: &str, source: String| {
        let path = out.join(format!("{stem}.rs"));
        std::fs::write(&path, source)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    };
    // The common types depend on every Graph description, enabled or not.
    for workload in workloads::WORKLOADS.iter().filter(|w| w.graph) {
        println!("cargo:rerun-if-changed=spec/{}", workload.spec);
    }
    let common = workloads::generate_common(&spec_dir).unwrap_or_else(|e| panic!("{e}"));
    write(workloads::COMMON_STEM, common.source);
    for workload in workloads::WORKLOADS {
        if std::env::var_os(workload.feature_env()).is_none() {
            continue;
        }
        println!("cargo:rerun-if-changed=spec/{}", workload.spec);
        let source = workload
            .generate(&spec_dir, &common.types)
            .unwrap_or_else(|e| panic!("{e}"));
        write(workload.stem, source);
    }
}
