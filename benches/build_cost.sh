#!/usr/bin/env bash
# Build cost on this machine: a clean debug build of the library with default features, what
# each workload feature adds to it, the CLI, and the generator's run time per Microsoft module.
#   benches/build_cost.sh [FEATURE...]     (default: every workload feature in Cargo.toml)
# Uses its own target directory (target/build-cost) so nothing cached is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
target=target/build-cost
export CARGO_TARGET_DIR=$target CARGO_TERM_COLOR=never
seconds() { local t0; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.1f", a - b }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'; }
features=("$@")
if [ ${#features[@]} -eq 0 ]; then
    mapfile -t features < <(sed -n '/^\[features\]/,/^\[/p' Cargo.toml |
        grep -oE '^(graph|office365|business)-[a-z0-9-]+' | sort -u)
fi
rm -rf "$target"
cargo fetch --quiet
default=$(seconds cargo build --lib)
echo "RESULT build_clean_default_s=$default"
# A workload feature adds the generator (first time only: typify, syn, …) and its own generated
# code. The first feature's build after the clean default one shows both; then each feature is
# measured against a rebuild of the crate alone, with the generator already built.
first=$(seconds cargo build --lib --features "${features[0]}")
echo "RESULT build_first_feature_with_generator_adds_s=$(minus "$first" "$default")"
crate_only=$(cargo clean -p o365 >/dev/null 2>&1; seconds cargo build --lib)
echo "RESULT build_crate_only_default_s=$crate_only"
for f in "${features[@]}"; do
    cargo clean -p o365 >/dev/null 2>&1
    t=$(seconds cargo build --lib --features "$f")
    echo "RESULT build_feature_${f//-/_}_adds_s=$(minus "$t" "$crate_only")"
done
rm -rf "$target"
echo "RESULT build_clean_cli_s=$(seconds cargo build --features cli --bin o365)"
cargo build --quiet --release -p o365-codegen
worst=0
for m in ../shared/graph-openapi/*.yml; do
    t=$(seconds "$target/release/o365-codegen" generate "$m" --out /dev/null)
    echo "generator $(basename "$m"): ${t}s"
    worst=$(awk -v a="$t" -v b="$worst" 'BEGIN { print (a > b ? a : b) }')
done
echo "RESULT generator_slowest_module_s=$worst"
