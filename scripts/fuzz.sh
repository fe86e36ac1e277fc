#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (ASan and UBSan, in their own build
# directory) and runs them (docs/testing.md "Fuzzing"):
#   1. installs clang, its runtime libraries (libFuzzer, sanitizers) and llvm-symbolizer when
#      missing (the libraries fmg builds on come from scripts/bootstrap.sh),
#   2. builds only the fuzz_* targets,
#   3. replays every input of tests/fuzz/regressions once through its target (the file name
#      starts with the target's name less "_fuzz"),
#   4. fuzzes each target for a bounded time, as many at once as there are cores, on a copy
#      of its seeds (tests/fuzz/corpus/TARGET), so the committed corpus never grows.
# Exits non-zero when a target crashed, hung, leaked or ran out of memory, naming the input
# that does it (kept under BUILD_DIR/fuzz-artifacts until the next run).
#
# Usage: scripts/fuzz.sh
#   FMG_FUZZ_BUILD_DIR  the build directory (default: build-fuzz, under the repository root)
#   FMG_FUZZ_SECONDS    how long each target is fuzzed (default: 45)
set -euo pipefail

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${FMG_FUZZ_BUILD_DIR:-$repo_root/build-fuzz}"
seconds="${FMG_FUZZ_SECONDS:-45}"
fuzz_dir="$repo_root/tests/fuzz"
artifacts="$build_dir/fuzz-artifacts"

say() { echo "fuzz: $*" >&2; }
die() {
    say "$*"
    exit 1
}

[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || die "FMG_FUZZ_SECONDS must be a number of seconds"

# clang's libFuzzer and sanitizer runtimes are in libclang-rt-14-dev (not a dependency of
# clang on Debian 12); llvm-14 has the symbolizer that turns a crash's stack into lines.
packages=(clang libclang-rt-14-dev llvm-14)
# shellcheck source=scripts/install-packages.sh
source "$repo_root/scripts/install-packages.sh"
install_packages "${packages[@]}"
if [[ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]]; then
    export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
fi

# The targets: tests/fuzz/NAME.cpp is built as fuzz_NAME (tests/CMakeLists.txt).
names=()
for source in "$fuzz_dir"/*.cpp; do
    name="$(basename "$source" .cpp)"
    [[ -d "$fuzz_dir/corpus/$name" ]] || die "no seeds for $name: add tests/fuzz/corpus/$name/"
    names+=("$name")
done

# Library warnings are not errors here: clang warns where the project's gcc builds do not
# (the fuzz targets themselves are built with -Werror). _GLIBCXX_ASSERTIONS bounds-checks
# the standard containers, so an out-of-range index is a crash, not a quiet misread.
say "building ${names[*]} in $build_dir"
cmake -S "$repo_root" -B "$build_dir" -DCMAKE_CXX_COMPILER=clang++ -DFMG_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS=-D_GLIBCXX_ASSERTIONS >/dev/null
targets=()
for name in "${names[@]}"; do targets+=(--target "fuzz_$name"); done
cmake --build "$build_dir" -j"$(nproc)" "${targets[@]}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rm -rf "$artifacts"
mkdir -p "$artifacts"
# What every run of a target gets: a hang or a run over 2 GiB is a failure, and a crash's
# input is kept where the report names it.
limits=(-timeout=10 -rss_limit_mb=2048)

# Prints the input a failed run kept, and how to rerun it.
report_failure() {
    local name="$1" log="$2"
    tail -n 60 "$log" >&2
    local found=0
    for input in "$artifacts/$name"-*; do
        [[ -e "$input" ]] || continue
        found=1
        say "FAILED: $name; reproduce with: $build_dir/tests/fuzz_$name $input"
    done
    ((found)) || say "FAILED: $name (no reproducer kept; see its output above)"
}

status=0

# Every committed regression input, once, through its target.
for input in "$fuzz_dir"/regressions/*; do
    [[ -e "$input" ]] || continue
    owner=""
    for name in "${names[@]}"; do
        [[ "$(basename "$input")" == "${name%_fuzz}"_* ]] && owner="$name"
    done
    if [[ -z "$owner" ]]; then
        say "FAILED: $input names no target (start its name with one, e.g. junit_)"
        status=1
        continue
    fi
    log="$work/regression-$(basename "$input").log"
    if "$build_dir/tests/fuzz_$owner" "${limits[@]}" "$input" >"$log" 2>&1; then
        say "regression $(basename "$input"): passes"
    else
        tail -n 60 "$log" >&2
        say "FAILED: regression $input; reproduce with: $build_dir/tests/fuzz_$owner $input"
        status=1
    fi
done

# Fuzzes one target; its output goes to a log, shown when it fails. It runs in the
# background: only a run that ends well leaves WORK/NAME.passed.
fuzz_one() {
    local name="$1"
    local corpus="$work/corpus-$name" log="$work/$name.log"
    mkdir -p "$corpus"
    cp "$fuzz_dir/corpus/$name"/* "$corpus/"
    local options=("${limits[@]}" -max_total_time="$seconds" -artifact_prefix="$artifacts/$name-"
        -print_final_stats=1)
    if [[ -f "$fuzz_dir/$name.dict" ]]; then options+=(-dict="$fuzz_dir/$name.dict"); fi
    if "$build_dir/tests/fuzz_$name" "${options[@]}" "$corpus" >"$log" 2>&1; then
        say "$name: no failure in ${seconds}s ($(grep -o 'stat::number_of_executed_units: [0-9]*' \
            "$log" | grep -o '[0-9]*$') runs, $(find "$corpus" -type f | wc -l) inputs)"
        touch "$work/$name.passed"
    else
        report_failure "$name" "$log"
    fi
}

say "fuzzing each target for ${seconds}s, $(nproc) at once"
for name in "${names[@]}"; do
    while (($(jobs -rp | wc -l) >= $(nproc))); do wait -n || true; done
    fuzz_one "$name" &
done
wait
for name in "${names[@]}"; do
    if [[ ! -e "$work/$name.passed" ]]; then
        say "$name: FAILED"
        status=1
    fi
done

if ((status != 0)); then
    say "FAILED (see above); a failure becomes a unit test and a file in tests/fuzz/regressions"
fi
exit "$status"
