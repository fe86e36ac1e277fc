#!/usr/bin/env bash
# Builds fmg (scripts/bootstrap.sh) and runs every test: the unit tests first, then the
# integration tests (real binaries, Docker, git, loopback ports), then the fuzzers for a
# bounded time (scripts/fuzz.sh, a clang build of its own). Runs every group even when one
# fails, and exits non-zero when any test failed or none ran. With arguments, runs one ctest
# with them instead (e.g. `-R webhook` for the tests whose name matches).
#
# Usage: scripts/test.sh [ctest arguments]
#   FMG_BUILD_DIR       the build directory (default: build)
#   FMG_KEEP_TEST_DIRS  set to keep each integration test's temp dir (logs, database)
#   FMG_SKIP_FUZZ       set to 1 to skip the fuzzers, for a quick local run (CI never does)
set -euo pipefail

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${FMG_BUILD_DIR:-$repo_root/build}"
export FMG_BUILD_DIR="$build_dir"

bash "$repo_root/scripts/bootstrap.sh"

if (($# > 0)); then
    exec ctest --test-dir "$build_dir" --output-on-failure --no-tests=error "$@"
fi

status=0
echo "test: unit tests"
ctest --test-dir "$build_dir" --output-on-failure --no-tests=error -L unit -j"$(nproc)" ||
    status=1
echo "test: integration tests"
ctest --test-dir "$build_dir" --output-on-failure --no-tests=error -L integration ||
    status=1
echo "test: fuzzers"
if [[ "${FMG_SKIP_FUZZ:-}" == 1 ]]; then
    echo "test: fuzzers skipped (FMG_SKIP_FUZZ=1)"
else
    bash "$repo_root/scripts/fuzz.sh" || status=1
fi

if ((status != 0)); then
    echo "test: FAILED (see the output above)" >&2
fi
exit "$status"
