#!/usr/bin/env bash
# A guided tour of fmg on one host: builds it (scripts/bootstrap.sh), then in a temp dir
# starts a coordinator and one Docker agent, running as its own non-root user (fmg-agent,
# created when missing, as docs/executors.md says), registers it with the CLI, makes a git
# repository with a .circleci/config.yml, delivers a signed GitHub push webhook with curl,
# follows the job's log live and shows the result with `fmg list` and `fmg show`.
# Everything it started is stopped when it ends, whatever happens.
#
# Usage: scripts/demo.sh
#   FMG_BUILD_DIR        the build directory (default: build)
#   FMG_DEMO_HTTP_PORT   first port to try for the REST API (default 18080)
#   FMG_DEMO_AGENT_PORT  first port to try for agents (default 18555)
#   FMG_DEMO_KEEP        set to keep the temp dir (database, logs, repository)
#   FMG_DEMO_AGENT_USER  the user the agent runs as (default: fmg-agent)
set -euo pipefail

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${FMG_BUILD_DIR:-$repo_root/build}"
export FMG_BUILD_DIR="$build_dir"

say() { printf '\n==> %s\n' "$*"; }
die() {
    echo "demo: $*" >&2
    exit 1
}

say "Building fmg's binaries (scripts/bootstrap.sh; the tests are built by scripts/test.sh)"
# fmg-coordinator and fmg-agent bring their helpers, fmg-fetch, fmg-checkout and fmg-circleci.
bash "$repo_root/scripts/bootstrap.sh" fmg-coordinator fmg-agent fmg

coordinator_bin="$build_dir/coordinator/fmg-coordinator"
agent_bin="$build_dir/agent/fmg-agent"
fmg_bin="$build_dir/cli/fmg"
for binary in "$coordinator_bin" "$agent_bin" "$fmg_bin"; do
    [[ -x "$binary" ]] || die "$binary was not built"
done

work="$(mktemp -d "${TMPDIR:-/tmp}/fmg-demo.XXXXXX")"
coordinator_pid=""
agent_pid=""

# Stops a process with SIGTERM, waits up to $2 seconds, then SIGKILL.
stop_process() {
    local pid="$1" grace="$2" deadline
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + grace))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local status=$?
    trap - EXIT
    stop_process "$agent_pid" 30
    stop_process "$coordinator_pid" 15
    if ((status != 0)); then
        echo "demo: failed; last lines of the logs in $work:" >&2
        tail -n 20 "$work"/*.log >&2 2>/dev/null || true
    elif [[ -z "${FMG_DEMO_KEEP:-}" ]]; then
        rm -rf "$work"
    fi
    if [[ -d "$work" ]]; then
        echo "demo: kept $work" >&2
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The first port from $1 up that nothing listens on.
pick_port() {
    local port="$1"
    while [[ -n "$(ss -Hltn "sport = :$port")" ]]; do port=$((port + 1)); done
    echo "$port"
}

# Polls the command after $1 (a description) until it succeeds, for up to 30 seconds.
wait_for() {
    local what="$1" deadline=$((SECONDS + 30))
    shift
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || die "timed out waiting for $what"
        sleep 0.2
    done
}

http_port="$(pick_port "${FMG_DEMO_HTTP_PORT:-18080}")"
agent_port="$(pick_port "${FMG_DEMO_AGENT_PORT:-18555}")"
[[ "$agent_port" != "$http_port" ]] || agent_port="$(pick_port $((http_port + 1)))"
server_url="http://127.0.0.1:$http_port"
webhook_secret="$(openssl rand -hex 20)"

say "Starting the coordinator on $server_url (state in $work/data)"
WEBHOOK_SECRET="$webhook_secret" "$coordinator_bin" \
    --http-listen "127.0.0.1:$http_port" \
    --agent-listen "tcp://127.0.0.1:$agent_port" \
    --public-url "$server_url" \
    --data-dir "$work/data" >"$work/coordinator.log" 2>&1 &
coordinator_pid=$!
wait_for "the coordinator's /healthz" curl -fsS "$server_url/healthz"
export FMG_SERVER_URL="$server_url"
FMG_TOKEN="$(cat "$work/data/admin.token")"
export FMG_TOKEN

agent_user="${FMG_DEMO_AGENT_USER:-fmg-agent}"
say "Preparing the agent's user, $agent_user (never root: see docs/executors.md)"
if ! id -u "$agent_user" >/dev/null 2>&1; then
    # The same command as docs/executors.md; the demo passes its own work dir and HOME.
    useradd --system --user-group --no-create-home --home-dir /var/lib/fmg-agent \
        --shell /usr/sbin/nologin "$agent_user"
    echo "created user $agent_user"
fi
# The Docker executor needs the engine's socket, which its group may use. That group
# (docker) is root-equivalent; a dockerd started before the group existed left the socket
# root's, so it is given to the group as dockerd itself would have.
docker_socket=/var/run/docker.sock
[[ -S "$docker_socket" ]] || die "no Docker socket at $docker_socket (scripts/ensure-docker.sh)"
if [[ "$(stat -c %G "$docker_socket")" == root ]]; then
    getent group docker >/dev/null || groupadd --system docker
    chgrp docker "$docker_socket"
    chmod 660 "$docker_socket"
fi
docker_group="$(stat -c %G "$docker_socket")"
# The agent's user reaches its work dir, its binaries (the build tree may be under a
# home it cannot enter) and the demo repository, and nothing else of $work's.
chmod 711 "$work"
install -d -o "$agent_user" -g "$agent_user" -m 700 "$work/agent"
# The demo repository is root's and fetched over file://: git (libgit2 too) opens a
# repository owned by another user only when safe.directory names it. The agent's HOME is
# its work dir here, as in the unit.
printf '[safe]\n\tdirectory = %s\n' "$work/demo-repo" >"$work/agent/.gitconfig"
chown "$agent_user:$agent_user" "$work/agent/.gitconfig"
install -d -m 755 "$work/bin"
install -m 755 "$agent_bin" "$build_dir/agent/fmg-checkout" "$build_dir/agent/fmg-circleci" \
    "$work/bin/"

say "Registering this host as a runner: fmg configure add-runner localhost -o agent.cred"
"$fmg_bin" configure add-runner localhost -o "$work/agent.cred.new"
# Only the agent's user may read it: the agent refuses a file others can read.
install -o "$agent_user" -g "$agent_user" -m 600 "$work/agent.cred.new" "$work/agent.cred"
rm -f "$work/agent.cred.new"

say "Starting an agent with the Docker executor, as $agent_user (group $docker_group)"
# CAP_NET_ADMIN, as the unit's AmbientCapabilities gives it: the agent keeps the firewall
# rule that stops job networks from reaching this host's services (docs/security.md).
HOME="$work/agent" setpriv --reuid "$agent_user" --regid "$agent_user" \
    --groups "$(getent group "$docker_group" | cut -d: -f3)" \
    --inh-caps=+net_admin --ambient-caps=+net_admin \
    "$work/bin/fmg-agent" --credentials "$work/agent.cred" --name localhost \
    --work-dir "$work/agent" --executor docker >"$work/agent.log" 2>&1 &
agent_pid=$!
runner_online() { "$fmg_bin" configure list-runners | grep -q 'localhost \[online\]'; }
wait_for "the agent to come online" runner_online
"$fmg_bin" configure list-runners
agent_runs_as="$(ps -o user= -p "$agent_pid")"
[[ "$agent_runs_as" == "$agent_user" ]] || die "the agent runs as '$agent_runs_as', not $agent_user"
echo "fmg-agent (pid $agent_pid) runs as $agent_runs_as"

say "Creating a git repository with a .circleci/config.yml"
repo="$work/demo-repo"
mkdir -p "$repo/.circleci"
cat >"$repo/README.md" <<'README'
# demo
A repository made by scripts/demo.sh.
README
cat >"$repo/.circleci/config.yml" <<'CONFIG'
version: 2.1
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    environment:
      GREETING: Hello from fmg
    steps:
      - checkout
      - run:
          name: Say hello
          command: echo "$GREETING, running in $(uname -s) as $(id -un) in a container"
      - run:
          name: Look at the checkout
          command: ls -la && cat README.md
      - run:
          name: Count slowly
          command: for i in 1 2 3; do echo "tick $i"; sleep 1; done
CONFIG
git -C "$repo" init --quiet --initial-branch=main
git -C "$repo" add --all
git -C "$repo" -c user.name="fmg demo" -c user.email=demo@example.com \
    commit --quiet --message "Add CI config"
sha="$(git -C "$repo" rev-parse HEAD)"

say "Delivering a signed GitHub push webhook for ${sha:0:7}"
cat >"$work/push.json" <<PAYLOAD
{"ref":"refs/heads/main","before":"0000000000000000000000000000000000000000","after":"$sha",
"created":true,"deleted":false,"forced":false,"base_ref":null,
"repository":{"id":1,"name":"demo","full_name":"octo/demo","private":false,
"owner":{"name":"octo","login":"octo"},"clone_url":"file://$repo",
"ssh_url":"git@github.com:octo/demo.git","default_branch":"main"},
"head_commit":{"id":"$sha","message":"Add CI config"},
"pusher":{"name":"octo","email":"octo@example.com"},"sender":{"login":"octo"}}
PAYLOAD
signature="$(openssl dgst -sha256 -hmac "$webhook_secret" <"$work/push.json" | awk '{print $NF}')"
answer="$(curl -fsS -X POST "$server_url/webhook" \
    -H "Content-Type: application/json" \
    -H "X-GitHub-Event: push" \
    -H "X-GitHub-Delivery: $(cat /proc/sys/kernel/random/uuid)" \
    -H "X-Hub-Signature-256: sha256=$signature" \
    --data-binary "@$work/push.json")"
echo "$answer"
pipeline_id="$(grep -o '"pipeline_id" *: *[0-9]*' <<<"$answer" | grep -o '[0-9]*$')"
[[ -n "$pipeline_id" ]] || die "the webhook answer has no pipeline_id: $answer"

say "Following the log of pipeline #$pipeline_id: fmg logs $pipeline_id --follow"
"$fmg_bin" logs "$pipeline_id" --follow

say "Recent pipelines: fmg list"
"$fmg_bin" list

say "Pipeline #$pipeline_id: fmg show $pipeline_id"
"$fmg_bin" show "$pipeline_id"

say "Done; stopping the agent and the coordinator"
