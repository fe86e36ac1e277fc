#!/usr/bin/env bash
# Builds the local images fmg's Docker tests run in, with no registry: only the
# busybox-static package (/bin/busybox) and a Docker engine.
#   fmg/busybox:latest        busybox with its applets linked, /bin/sh, no bash
#   fmg/busybox-httpd:latest  the same, running `httpd` on port 8080 (a service container
#                             whose page says "fmg-test-service")
#   fmg/busybox-user:latest   the same, running as the non-root user "builder" (uid 1000)
#   fmg/busybox-ssh:latest    busybox-user with the host's ssh-agent and ssh-add (and the
#                             libraries they load), for add_ssh_keys in a container
# Idempotent: an image that exists is kept, unless --force is given.
#
# Usage: scripts/build-test-image.sh [--force]
#   FMG_BUSYBOX   the static busybox binary (default /bin/busybox)
set -euo pipefail

base_image="fmg/busybox:latest"
service_image="fmg/busybox-httpd:latest"
user_image="fmg/busybox-user:latest"
ssh_image="fmg/busybox-ssh:latest"
busybox="${FMG_BUSYBOX:-/bin/busybox}"
force=0

for arg in "$@"; do
    case "$arg" in
        --force) force=1 ;;
        -h | --help)
            sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "build-test-image: unknown argument: $arg (try --help)" >&2
            exit 2
            ;;
    esac
done

die() {
    echo "build-test-image: $*" >&2
    exit 1
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

command -v docker >/dev/null || die "docker CLI not found (install docker.io)"
docker info >/dev/null 2>&1 || die "Docker engine not reachable: run scripts/ensure-docker.sh"

if [[ "$force" -eq 0 ]] && image_exists "$base_image" && image_exists "$service_image" &&
    image_exists "$user_image" && image_exists "$ssh_image"; then
    echo "build-test-image: the test images already exist (--force rebuilds them)"
    exit 0
fi

[[ -x "$busybox" ]] || die "$busybox not found (install busybox-static)"
# A dynamically linked busybox would need the host's libc inside the image.
if ldd "$busybox" >/dev/null 2>&1; then
    die "$busybox is dynamically linked; install busybox-static"
fi
"$busybox" --list-full >/dev/null 2>&1 || die "$busybox cannot list its applets"

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
root="$staging/rootfs"

mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,home/builder,var/tmp,www}
chmod 1777 "$root/tmp" "$root/var/tmp"
chmod 700 "$root/root"
cp "$busybox" "$root/bin/busybox"

# One symlink per applet where a distribution puts it (sh in /bin, nc in /usr/bin, ...).
# `busybox --install -s` would link to the host path of the running binary instead.
while read -r applet_path; do
    [[ -n "$applet_path" && "$applet_path" != "bin/busybox" ]] || continue
    mkdir -p "$root/$(dirname "$applet_path")"
    [[ -e "$root/$applet_path" ]] || ln -s /bin/busybox "$root/$applet_path"
done < <("$busybox" --list-full)
[[ -L "$root/bin/sh" ]] || die "busybox has no sh applet"

cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
builder:x:1000:1000:builder:/home/builder:/bin/sh
nobody:x:65534:65534:nobody:/home:/bin/false
PASSWD
cat >"$root/etc/group" <<'GROUP'
root:x:0:
builder:x:1000:
nogroup:x:65534:
GROUP
echo "fmg-test-service" >"$root/www/index.html"

version="$("$busybox" | awk 'NR == 1 { print $2 }')"  # awk reads it all: no SIGPIPE
import() {
    local image="$1"
    shift
    if [[ "$force" -eq 0 ]] && image_exists "$image"; then
        echo "build-test-image: $image already exists"
        return
    fi
    tar -C "$root" --numeric-owner --owner=0 --group=0 -cf - . |
        docker import \
            --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
            --message "fmg test image: busybox $version" \
            "$@" - "$image" >/dev/null
    echo "build-test-image: built $image"
}

import "$base_image" --change 'CMD ["/bin/sh"]'
import "$service_image" --change 'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]' \
    --change 'EXPOSE 8080'
import "$user_image" --change 'CMD ["/bin/sh"]' --change 'USER builder'

# The SSH image: the programs and every library ldd says they load, at the host's paths.
for program in /usr/bin/ssh-agent /usr/bin/ssh-add; do
    [[ -x "$program" ]] || die "$program not found (install openssh-client)"
    cp "$program" "$root$program"
    while read -r library; do
        mkdir -p "$root$(dirname "$library")"
        cp -L "$library" "$root$library"
    done < <(ldd "$program" | grep -o '/[^ ]*')
done
import "$ssh_image" --change 'CMD ["/bin/sh"]' --change 'USER builder'
