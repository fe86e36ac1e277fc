# shellcheck shell=bash
# Sourced by the scripts that need Debian packages (bootstrap.sh, fuzz.sh):
# install_packages PACKAGE... installs those not installed yet with apt-get (through sudo when
# not root), after one apt-get update; it uses the caller's say and die.

is_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

install_packages() {
    local missing=() package
    for package in "$@"; do
        if is_installed "$package"; then
            continue
        fi
        # A Docker engine installed another way (e.g. docker-ce) conflicts with docker.io.
        if [[ "$package" == docker.io ]] && command -v docker >/dev/null &&
            command -v dockerd >/dev/null; then
            continue
        fi
        missing+=("$package")
    done
    if ((${#missing[@]} == 0)); then
        say "all $# packages are installed"
        return 0
    fi
    command -v apt-get >/dev/null || die "apt-get not found: fmg's scripts target Debian 12"
    local sudo=()
    if [[ "$(id -u)" -ne 0 ]]; then
        command -v sudo >/dev/null || die "run as root to install: ${missing[*]}"
        sudo=(sudo)
    fi
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -q
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}
