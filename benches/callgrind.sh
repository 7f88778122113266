#!/usr/bin/env bash
# Instructions per request of each pipeline variant, counted by callgrind (repeatable on a noisy
# machine): each variant runs twice, with N and 2N requests, and the difference of the two totals
# divided by N is the cost of one request (set-up and warm-up cancel out).
#   benches/callgrind.sh [N]          (default N=2000; needs valgrind)
# Prints `RESULT instructions_<variant>=<count>` and the ratios to bare reqwest.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
features=${O365_BENCH_FEATURES-graph-mail}
cargo bench --quiet --no-run --bench pipeline ${features:+--features "$features"}
bin=$(ls -t target/release/deps/pipeline-* | grep -v '\.d$' | head -1)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
total() { # variant requests -> total instructions of the client process
    valgrind --tool=callgrind --callgrind-out-file="$out/cg.$1.$2" --trace-children=no \
        "$bin" --only "$1" --n "$2" --warmup 50 --pin none >/dev/null 2>"$out/log.$1.$2"
    callgrind_annotate "$out/cg.$1.$2" 2>/dev/null | awk '/PROGRAM TOTALS/ && !done {gsub(",","",$1); print $1; done=1}'
}
variants=(bare bare-timeouts get get-json)
[[ "$features" == *graph-mail* ]] && variants+=(bare-typed generated)
declare -A per
for v in "${variants[@]}"; do
    a=$(total "$v" "$n"); b=$(total "$v" $((2 * n)))
    per[$v]=$(( (b - a) / n ))
    echo "RESULT instructions_${v//-/_}=${per[$v]}"
done
for v in "${variants[@]}"; do
    awk -v a="${per[$v]}" -v b="${per[bare]}" -v v="${v//-/_}" \
        'BEGIN { printf "RESULT instructions_%s_vs_reqwest=%.3f\n", v, a / b }'
done
if [[ -n "${per[generated]:-}" ]]; then
    awk -v a="${per[generated]}" -v b="${per[bare-typed]}" \
        'BEGIN { printf "RESULT instructions_generated_vs_reqwest_same_decode=%.3f\n", a / b }'
fi
