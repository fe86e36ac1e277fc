// A Docker step is code from a stranger (a pull request): tried as an attacker would, it
// cannot make a device node, cannot become root through a setuid-root file, cannot reach a
// service listening on the runner's host, runs within the agent's limits, and what it leaves
// in the workspace (a mode-000 directory, root's files) is removed when its job ends, even by
// an agent that is not root. The controls prove each check can see the thing it refuses: the
// same script in a plain `docker run` gets its device node and its root, and a runner that
// allows host access reaches the service.

#include <arpa/inet.h>
#include <grp.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <random>
#include <thread>

#include "tests/support/cluster.h"
#include "tests/support/docker.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

// Tries the two doors a root process in a container has to the host: a device node (the
// workspace is a bind mount of a host directory), and a setuid-root copy of busybox run by
// `nobody` (root's password is cleared first, so a setuid `su` needs none: only the setuid
// bit stands between nobody and root).
const std::string kEscapeScript = R"SH(mknod ./disk b 8 0 && echo MKNOD-OK || echo MKNOD-REFUSED
mkdir -p /tmp/s && cp /bin/busybox /tmp/s/busybox && chmod 4755 /tmp/s/busybox
ln -sf busybox /tmp/s/su
sed -i 's/^root:[^:]*:/root::/' /etc/passwd
ls -l /tmp/s/busybox
su -s /bin/sh nobody -c '/tmp/s/su -s /bin/sh -c "echo EUID-AFTER-SETUID=\$(id -u)" root' || true
)SH";

// Connects to HOST_PORT on the job network's gateway (the host's address on the bridge) and
// on each of the host's own addresses; prints what each answered.
const std::string kReachHostScript = R"SH(gw=$(ip route | awk '/^default/ {print $3}')
for a in $gw $HOST_ADDRS; do
  got=$(nc -w 3 "$a" "$HOST_PORT" </dev/null 2>&1 || true)
  echo "HOST-TRY $a: $got"
done
)SH";

// The limits as the container's cgroup shows them (cgroup v2 files, else v1's).
const std::string kLimitsScript = R"SH(
echo "PIDS=$(cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max)"
echo "MEMORY=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"
echo "CPU=$(cat /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)"
grep '^NoNewPrivs' /proc/self/status
)SH";

// What a job leaves behind: a directory with mode 000 holding a file, a setuid-root file,
// root's files (the agent of the cleanup test is not root), and a device node attempt.
const std::string kLitterScript = R"SH(mkdir -p locked/inner && echo secret > locked/inner/file
chmod 000 locked/inner locked
cp /bin/busybox ./setuid-copy && chmod 4755 ./setuid-copy
echo root > root-file && chmod 600 root-file
mkdir -p deep/a/b && touch deep/a/b/c && chmod 000 deep/a
mknod ./null c 1 3 || true
ls -la
)SH";

// Indents `text` for a YAML block scalar.
std::string indented(const std::string& text, const std::string& indent) {
    std::string out;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        if (end > start) out += indent + text.substr(start, end - start);
        out += "\n";
        start = end + 1;
    }
    return out;
}

std::string step(const std::string& name, const std::string& script) {
    return "      - run:\n"
           "          name: " +
           name +
           "\n"
           "          command: |\n" +
           indented(script, "            ");
}

std::string job_config(const std::string& steps, const std::string& environment = "") {
    return "version: 2.1\n"
           "jobs:\n"
           "  build:\n"
           "    docker:\n"
           "      - image: " +
           kTestImage + "\n" + environment + "    steps:\n" + steps;
}

// A TCP service on every address of this host (0.0.0.0): answers each connection with a
// token a test can look for in a job's log, and counts them.
class HostService {
  public:
    HostService() : token_("fmg-host-service-" + std::to_string(std::random_device{}())) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_ANY);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        REQUIRE(::listen(fd_, 16) == 0);
        socklen_t length = sizeof address;
        REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~HostService() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    HostService(const HostService&) = delete;
    HostService& operator=(const HostService&) = delete;

    uint16_t port() const { return port_; }
    const std::string& token() const { return token_; }
    int connections() const { return connections_; }

  private:
    void serve() {
        while (!stop_) {
            pollfd readable{fd_, POLLIN, 0};
            if (::poll(&readable, 1, 100) <= 0) continue;
            int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) continue;
            ++connections_;
            std::string line = token_ + "\n";
            (void)!::write(client, line.data(), line.size());
            ::close(client);
        }
    }

    std::string token_;
    int fd_ = -1;
    uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> connections_{0};
    std::thread thread_;
};

// The IPv4 addresses of this host's interfaces, except loopback: where a service bound to
// 0.0.0.0 answers (eth0's, docker0's, ...).
std::string host_addresses() {
    ifaddrs* list = nullptr;
    REQUIRE(::getifaddrs(&list) == 0);
    std::string addresses;
    for (ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
        if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET) continue;
        char text[INET_ADDRSTRLEN] = {};
        auto* address = reinterpret_cast<sockaddr_in*>(entry->ifa_addr);
        ::inet_ntop(AF_INET, &address->sin_addr, text, sizeof text);
        if (std::string(text).rfind("127.", 0) == 0) continue;
        addresses += (addresses.empty() ? "" : " ") + std::string(text);
    }
    ::freeifaddrs(list);
    return addresses;
}

std::string host_environment(const HostService& service) {
    return "    environment:\n"
           "      HOST_PORT: \"" +
           std::to_string(service.port()) +
           "\"\n"
           "      HOST_ADDRS: \"" +
           host_addresses() + "\"\n";
}

// Pushes `config` as a new commit and returns the final pipeline and its build log.
std::pair<Poco::JSON::Object::Ptr, std::string> run_pipeline(Cluster& cluster,
                                                             const std::string& config) {
    GitRepo repo = cluster.make_repo();
    repo.write_config(config);
    const std::string sha = repo.commit("Try the runner's doors");
    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id);
    const CommandResult log = cluster.fmg({"logs", std::to_string(id), "build"});
    INFO(log.describe({"fmg", "logs", std::to_string(id), "build"}));
    REQUIRE(log.ok());
    return {pipeline, log.out};
}

size_t count_of(const std::string& text, const std::string& what) {
    size_t count = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
        ++count;
    }
    return count;
}

// A uid no account uses, for an agent that is not root.
constexpr uid_t kAgentUid = 47321;

// `setpriv` options that run the agent as kAgentUid in the docker group (for the socket),
// with CAP_NET_ADMIN as systemd's AmbientCapabilities would give it, or without.
std::vector<std::string> non_root_prefix(bool net_admin) {
    const group* docker = ::getgrnam("docker");
    if (docker == nullptr) FAIL("this test needs the docker group (the socket's group)");
    std::vector<std::string> prefix = {"setpriv", "--reuid=" + std::to_string(kAgentUid),
                                       "--regid=" + std::to_string(kAgentUid),
                                       "--groups=" + std::to_string(docker->gr_gid)};
    if (net_admin) {
        prefix.push_back("--inh-caps=+net_admin");
        prefix.push_back("--ambient-caps=+net_admin");
    }
    prefix.push_back("--");
    return prefix;
}

// Lets kAgentUid reach the cluster's files: the temp dir (searchable), its credentials, its
// work dir.
std::filesystem::path prepare_non_root_runner(Cluster& cluster, const std::string& host) {
    if (::geteuid() != 0) FAIL("this test needs root, to start an agent as another user");
    namespace fs = std::filesystem;
    fs::permissions(cluster.dir().path(), fs::perms::owner_all | fs::perms::group_read |
                                              fs::perms::group_exec | fs::perms::others_read |
                                              fs::perms::others_exec);
    const fs::path credentials = cluster.add_runner(host);
    REQUIRE(::chown(credentials.c_str(), kAgentUid, kAgentUid) == 0);
    const fs::path work_dir = cluster.dir() / "agents" / host;
    fs::create_directories(work_dir);
    REQUIRE(::chown(work_dir.c_str(), kAgentUid, kAgentUid) == 0);
    return credentials;
}

// Starts runner-1's agent as kAgentUid in the docker group with CAP_NET_ADMIN, as the shipped
// unit runs it, and waits until it is online.
Process& start_non_root_runner(Cluster& cluster) {
    const auto credentials = prepare_non_root_runner(cluster, "runner-1");
    AgentOptions agent;
    agent.command_prefix = non_root_prefix(true);
    Process& process = cluster.start_agent("runner-1", credentials, agent);
    cluster.wait_for_runner_state("runner-1", "online", std::chrono::seconds(60));
    return process;
}

}  // namespace

TEST_CASE(
    "e2e: a Docker step cannot mknod, gain setuid root or reach the host's services, and "
    "runs within the agent's limits",
    "[docker][confinement]") {
    require_docker();
    HostService service;
    Cluster cluster;
    AgentOptions agent;
    agent.extra_args = {"--job-memory", "256m", "--job-cpus", "0.5", "--job-pids", "321"};
    cluster.start_runner("runner-1", agent);

    const auto [pipeline, log] = run_pipeline(
        cluster, job_config(step("Escape", kEscapeScript) + step("Reach", kReachHostScript) +
                                step("Limits", kLimitsScript),
                            host_environment(service)));
    INFO("log:\n" << log);
    CHECK(string_field(pipeline, "status") == "success");

    // The device node and root: refused.
    CHECK_THAT(log, Catch::Contains("MKNOD-REFUSED"));
    CHECK_THAT(log, !Catch::Contains("MKNOD-OK"));
    CHECK_THAT(log, Catch::Contains("-rwsr-xr-x"));  // the setuid-root copy was made
    CHECK_THAT(log, !Catch::Contains("EUID-AFTER-SETUID=0"));
    CHECK_THAT(log, Catch::Contains("must be suid"));  // su ran, without its privilege

    // The host's service: every try (the gateway, each host address) refused, none reached.
    CHECK(count_of(log, "HOST-TRY ") >= 2);
    CHECK_THAT(log, !Catch::Contains(service.token()));
    CHECK(service.connections() == 0);

    // The limits, as the container's cgroup has them.
    CHECK_THAT(log, Catch::Contains("PIDS=321"));
    CHECK_THAT(log, Catch::Contains("MEMORY=268435456"));
    CHECK_THAT(log, Catch::Contains("CPU=50000"));  // 0.5 of a 100000 us period
    CHECK_THAT(log, Catch::Contains("NoNewPrivs:\t1"));

    // The control: in a plain container the same script gets both its device node and root,
    // so the refusals above are the runner's doing, not the image's.
    ProcessOptions plain;
    plain.argv = {"docker", "run", "--rm", kTestImage, "sh", "-c", "cd /tmp && " + kEscapeScript};
    const CommandResult control = run_command(plain, std::chrono::seconds(60));
    INFO(control.describe(plain.argv));
    CHECK_THAT(control.out, Catch::Contains("MKNOD-OK"));
    CHECK_THAT(control.out, Catch::Contains("EUID-AFTER-SETUID=0"));
}

TEST_CASE("e2e: with --job-network-host-access a Docker step reaches the host's services",
          "[docker][confinement]") {
    require_docker();
    HostService service;
    Cluster cluster;
    AgentOptions agent;
    agent.extra_args = {"--job-network-host-access"};
    cluster.start_runner("runner-1", agent);

    const auto [pipeline, log] = run_pipeline(
        cluster, job_config(step("Reach", kReachHostScript), host_environment(service)));
    INFO("log:\n" << log);
    CHECK(string_field(pipeline, "status") == "success");
    // Through the gateway and the host's addresses alike: the block is what stopped them.
    CHECK(count_of(log, service.token()) == count_of(log, "HOST-TRY "));
    CHECK(service.connections() >= 2);
}

TEST_CASE(
    "e2e: what a Docker job leaves in its workspace is removed with it, even by an agent "
    "that is not root",
    "[docker][confinement]") {
    require_docker();
    Cluster cluster;
    Process& process = start_non_root_runner(cluster);

    const auto [pipeline, log] = run_pipeline(cluster, job_config(step("Litter", kLitterScript)));
    INFO("log:\n" << log);
    CHECK(string_field(pipeline, "status") == "success");
    CHECK_THAT(log, Catch::Contains("setuid-copy"));  // the litter was made
    CHECK_THAT(log, Catch::Contains("root-file"));

    // The agent removed the workspace before it reported the job, so it is gone by now.
    const auto workspaces = cluster.dir() / "agents" / "runner-1" / "workspaces";
    std::vector<std::string> left;
    for (const auto& entry : std::filesystem::directory_iterator(workspaces)) {
        left.push_back(entry.path().filename().string());
    }
    INFO("agent log:\n" << process.stderr_text());
    CHECK(left.empty());
    CHECK_THAT(process.stderr_text(), !Catch::Contains("cannot remove workspace"));
    // No other user of the host can reach a workspace while it exists.
    CHECK((std::filesystem::status(workspaces).permissions() &
           std::filesystem::perms::others_all) == std::filesystem::perms::none);
}

TEST_CASE("e2e: an agent that cannot install the host firewall rule refuses to start",
          "[docker][confinement]") {
    require_docker();
    Cluster cluster;
    const auto credentials = prepare_non_root_runner(cluster, "runner-1");
    AgentOptions agent;
    agent.command_prefix = non_root_prefix(false);  // not root, no CAP_NET_ADMIN
    Process& process = cluster.start_agent("runner-1", credentials, agent);
    const auto ended = process.wait_for(deadline_after(std::chrono::seconds(60)));
    INFO("agent log:\n" << process.stderr_text());
    REQUIRE(ended);
    CHECK(ended->exited_with(1));
    CHECK_THAT(process.stderr_text(), Catch::Contains("cannot install the host firewall rule"));
    CHECK_THAT(process.stderr_text(), Catch::Contains("--job-network-host-access"));
}

TEST_CASE("e2e: a cancelled Docker job's leftovers are removed too, by an agent that is not root",
          "[docker][confinement]") {
    require_docker();
    Cluster cluster;
    Process& process = start_non_root_runner(cluster);

    GitRepo repo = cluster.make_repo();
    repo.write_config(job_config(step("Litter", kLitterScript) +
                                 step("Sleep", "echo going to sleep\nsleep 300\n")));
    const int64_t id = cluster.push(repo, repo.commit("Litter, then sleep"));
    cluster.wait_until(
        deadline_after(kPipelineTimeout),
        [&] {
            const CommandResult log = cluster.fmg({"logs", std::to_string(id), "build"});
            return log.out.find("going to sleep\n") != std::string::npos;
        },
        "the Sleep step to run");
    const CommandResult cancel = cluster.fmg({"cancel", std::to_string(id)});
    INFO(cancel.describe({"fmg", "cancel", std::to_string(id)}));
    REQUIRE(cancel.ok());
    CHECK(string_field(cluster.wait_for_final(id), "status") == "cancelled");

    // The cancel killed the job container; the agent starts it again to empty the workspace.
    const auto workspaces = cluster.dir() / "agents" / "runner-1" / "workspaces";
    cluster.wait_until(
        deadline_after(std::chrono::seconds(60)),
        [&] { return std::filesystem::is_empty(workspaces); },
        "the cancelled job's workspace to be removed");
    INFO("agent log:\n" << process.stderr_text());
    CHECK_THAT(process.stderr_text(), !Catch::Contains("cannot remove workspace"));
}

TEST_CASE(
    "e2e: a Docker job that disarms its container's shell still has its workspace removed by "
    "an agent that is not root",
    "[docker][confinement]") {
    require_docker();
    Cluster cluster;
    Process& process = start_non_root_runner(cluster);

    // The litter, then no /bin/sh for the cleanup's exec to run (busybox's sh runs rm as a
    // built-in, so replacing /bin/rm would change nothing), and the workspace directory
    // itself given to root and locked. The step's own shell is already running.
    const std::string sabotage = R"SH(chown 0:0 . && chmod 000 .
echo disarmed
rm /bin/sh
)SH";
    const auto [pipeline, log] =
        run_pipeline(cluster, job_config(step("Litter", kLitterScript) + step("Disarm", sabotage)));
    INFO("log:\n" << log);
    CHECK(string_field(pipeline, "status") == "success");
    CHECK_THAT(log, Catch::Contains("disarmed"));

    const auto workspaces = cluster.dir() / "agents" / "runner-1" / "workspaces";
    INFO("agent log:\n" << process.stderr_text());
    CHECK(std::filesystem::is_empty(workspaces));
    CHECK_THAT(process.stderr_text(), !Catch::Contains("cannot remove workspace"));
    CHECK_THAT(process.stderr_text(),
               Catch::Contains("emptied the workspace in a fresh container"));
}
