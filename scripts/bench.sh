#!/usr/bin/env bash
# Builds fmg (scripts/bootstrap.sh) and runs the benchmark suite against the real binaries on
# loopback: prints a table of every figure with its target and baseline, and writes them with
# the machine and the commit as JSON. Benchmarks measure; they never fail on a slow machine.
#
# Usage: scripts/bench.sh [--json FILE] [--quick] [SCENARIO ...]
#   --json FILE  where to write the figures (default: bench-results.json)
#   --quick      fewer repetitions, to check the scenarios run
#   SCENARIO     dispatch, docker-job, throughput, logs, files, follow, heal, scale, idle,
#                config (default: all)
#   FMG_BUILD_DIR  the build directory (default: build)
set -euo pipefail

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${FMG_BUILD_DIR:-$repo_root/build}"
export FMG_BUILD_DIR="$build_dir"

bash "$repo_root/scripts/bootstrap.sh"
cmake --build "$build_dir" -j"$(nproc)" --target fmg_bench

args=("$@")
if [[ " ${args[*]:-} " != *" --json "* ]]; then
    args+=(--json "$repo_root/bench-results.json")
fi
exec "$build_dir/tests/fmg_bench" "${args[@]}"
