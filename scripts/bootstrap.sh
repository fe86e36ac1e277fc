#!/usr/bin/env bash
# Prepares a Debian 12 host to build, test and run fmg, then builds it:
#   1. installs the build and runtime packages (apt is skipped when all are installed),
#   2. makes sure a Docker engine answers (scripts/ensure-docker.sh),
#   3. builds the local test image fmg/busybox:latest (scripts/build-test-image.sh),
#   4. configures and builds into ./build (RelWithDebInfo, all cores, warnings as errors:
#      FMG_WERROR), everything or only the TARGETs given.
# Idempotent: a second run installs nothing and rebuilds only what changed.
# Run as root (or with sudo available) on a fresh host.
#
# Usage: scripts/bootstrap.sh [TARGET...]    e.g. fmg-coordinator fmg-agent fmg
#   FMG_BUILD_DIR   where to build (default: build, under the repository root)
#   FMG_BUILD_TYPE  CMake build type (default: RelWithDebInfo)
set -euo pipefail

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${FMG_BUILD_DIR:-$repo_root/build}"
build_type="${FMG_BUILD_TYPE:-RelWithDebInfo}"

say() { echo "bootstrap: $*" >&2; }
die() {
    say "$*"
    exit 1
}

packages=(
    # build
    build-essential cmake pkg-config git
    libzmq3-dev cppzmq-dev libmsgpack-cxx-dev libpoco-dev libgit2-dev libyaml-cpp-dev
    libsqlite3-dev libssl-dev libarchive-dev catch2
    # run and test: Docker, the test image's busybox, ss, TLS roots, curl and openssl (demo),
    # ssh-agent, ssh-add and ssh-keygen (add_ssh_keys on a shell runner, and its tests), and
    # a private registry with htpasswd logins for the tests of an image's `auth`
    docker.io busybox-static iproute2 ca-certificates curl openssl procps openssh-client
    docker-registry apache2-utils
    # the browser the dashboard's tests drive (headless, through the DevTools protocol)
    chromium
)

# shellcheck source=scripts/install-packages.sh
source "$repo_root/scripts/install-packages.sh"
install_packages "${packages[@]}"

bash "$repo_root/scripts/ensure-docker.sh"
bash "$repo_root/scripts/build-test-image.sh"

say "building into $build_dir ($build_type)"
cmake -S "$repo_root" -B "$build_dir" -DCMAKE_BUILD_TYPE="$build_type" -DFMG_WERROR=ON
targets=()
for target in "$@"; do targets+=(--target "$target"); done
cmake --build "$build_dir" -j"$(nproc)" "${targets[@]}"
say "done: binaries in $build_dir/coordinator, $build_dir/agent and $build_dir/cli"
