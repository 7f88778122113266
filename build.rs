//! Build script. Until the generator lands it only declares its inputs; later it turns the
//! descriptions in `spec/` into typed bindings written to `OUT_DIR` (never into the source tree).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=spec");
}
