#!/usr/bin/env bash
# Makes sure a Docker engine answers, for hosts without systemd (CI sandboxes, containers):
# if `docker info` works, does nothing; otherwise starts dockerd in the background and waits
# for it. When dockerd cannot start with its defaults, retries with the fallbacks its log
# asks for: --storage-driver=vfs when overlay filesystems are unavailable, --iptables=false
# when iptables is. Idempotent; exits 0 once the engine answers, 1 with the reason if not.
#
# Usage: scripts/ensure-docker.sh
#   FMG_DOCKERD_LOG      dockerd's log (default /var/log/fmg-dockerd.log)
#   FMG_DOCKERD_TIMEOUT  seconds to wait for each start (default 60)
set -euo pipefail

log="${FMG_DOCKERD_LOG:-/var/log/fmg-dockerd.log}"
timeout_s="${FMG_DOCKERD_TIMEOUT:-60}"

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi

say() { echo "ensure-docker: $*" >&2; }
die() {
    say "$*"
    exit 1
}

command -v docker >/dev/null || die "docker CLI not found (install docker.io)"
engine_answers() { docker info >/dev/null 2>&1; }

if engine_answers; then
    exit 0
fi

# Waits until the engine answers (0) or the deadline passes or dockerd `$1` exits (1).
wait_for_engine() {
    local pid="$1" deadline=$((SECONDS + timeout_s))
    while ((SECONDS < deadline)); do
        engine_answers && return 0
        if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        sleep 0.5
    done
    engine_answers
}

if pgrep -x dockerd >/dev/null; then
    say "dockerd is running but not answering yet; waiting up to ${timeout_s}s"
    wait_for_engine "" && exit 0
    die "dockerd is running but does not answer after ${timeout_s}s; see $log"
fi

command -v dockerd >/dev/null || die "dockerd not found (install docker.io)"
[[ "$(id -u)" -eq 0 ]] || die "dockerd must be started as root (or start the docker service)"
mkdir -p "$(dirname "$log")"
touch "$log"

# A pid file left by a dockerd that died makes the next one refuse to start.
if [[ -f /var/run/docker.pid ]] && ! kill -0 "$(cat /var/run/docker.pid 2>/dev/null)" 2>/dev/null; then
    rm -f /var/run/docker.pid
fi

# Starts dockerd with the given flags; 0 once it answers. On failure, stops it and leaves
# that attempt's log lines in $attempt_log.
attempt_log=""
try_start() {
    local offset pid
    offset=$(stat -c %s "$log")
    printf '\n=== %s ensure-docker: dockerd %s\n' "$(date -u +%FT%TZ)" "$*" >>"$log"
    say "starting dockerd${*:+ $*} (log: $log)"
    setsid dockerd "$@" >>"$log" 2>&1 </dev/null &
    pid=$!
    if wait_for_engine "$pid"; then
        say "Docker engine is up (dockerd pid $pid)"
        return 0
    fi
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        local deadline=$((SECONDS + 15))
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    attempt_log="$(tail -c +$((offset + 1)) "$log")"
    return 1
}

# Only the error that stopped dockerd decides a fallback: a normal start also logs lines
# mentioning the graph driver.
fatal='(level=(error|fatal)|failed to start daemon)'
flags=()
for _ in 1 2 3; do
    if try_start "${flags[@]}"; then
        exit 0
    fi
    changed=0
    if [[ ! " ${flags[*]} " == *" --storage-driver=vfs "* ]] &&
        grep -qiE "$fatal.*(overlay|graphdriver|storage.driver)" <<<"$attempt_log"; then
        flags+=(--storage-driver=vfs)
        changed=1
    fi
    if [[ ! " ${flags[*]} " == *" --iptables=false "* ]] &&
        grep -qiE "$fatal.*iptables" <<<"$attempt_log"; then
        flags+=(--iptables=false)
        changed=1
    fi
    if ((changed == 0)); then
        break
    fi
    say "retrying with ${flags[*]}"
done

say "the Docker engine did not come up; last lines of $log:"
tail -n 15 "$log" >&2
exit 1
