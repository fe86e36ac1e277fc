#pragma once
// A whole fmg installation in a temp dir, on ephemeral loopback ports: the real coordinator
// (with a fake GitHub), real agents registered through the real `fmg` CLI, and helpers to
// deliver signed webhooks and watch pipelines through the REST API (principles: integration tests
// drive the real binaries).

#include <Poco/JSON/Object.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/fake_github.h"
#include "tests/support/git_repo.h"
#include "tests/support/http_client.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace fmg::testing {

using std::chrono_literals::operator""s;

struct ClusterOptions {
    std::string webhook_secret = "it's a secret to everybody";
    std::string github_token = "ghs_fmgIntegrationTestToken0123456789";
    std::vector<std::string> coordinator_args;  // further flags, e.g. {"--max-attempts", "1"}
    // Further environment of the coordinator, e.g. its test clock (FMG_TEST_WALL_CLOCK_MS).
    std::map<std::string, std::string> coordinator_env;
    // Where the coordinator listens for agents; "0.0.0.0" lets agents in other network
    // namespaces reach it through a veth address.
    std::string agent_listen_host = "127.0.0.1";
    // The fake GitHub closes a kept-alive connection idle this long (0: Poco's 10 s).
    std::chrono::milliseconds github_idle_close{0};
    // Serve the REST API, webhooks and /healthz over TLS (--tls-cert/--tls-key) with a
    // self-signed certificate for 127.0.0.1 made by openssl; the cluster's clients and CLI
    // trust it through its file (tls_ca_file()).
    bool tls = false;
};

struct AgentOptions {
    std::string executor = "docker";          // "docker" or "shell"
    std::vector<std::string> extra_args;      // e.g. {"--capacity", "2"}
    std::vector<std::string> runner_args;     // for `fmg configure add-runner`, e.g. labels
    std::vector<std::string> command_prefix;  // runs the agent through it, e.g. `ip netns exec`
};

/// The liveness the fault tests run with: heartbeats every 250 ms and an agent lost after
/// 1.5 s of silence, so a frozen or cut-off agent is detected within seconds of the fault.
constexpr int kFastHeartbeatMs = 250;
constexpr int kFastAgentTimeoutMs = 1500;

/// Options for a coordinator with that liveness; `more_args` are further flags.
ClusterOptions fast_liveness_options(std::vector<std::string> more_args = {});

/// An agent with the shell executor: a test can release a held step through its workspace,
/// and a killed agent leaves no container behind.
AgentOptions shell_agent_options();
/// A shell agent labelled `labels` (comma-separated), so `machine: true` jobs (and those
/// whose resource_class is one of the labels) run on it.
AgentOptions machine_agent_options(const std::string& labels = "machine");

/// How long a pipeline may take in these tests (a few steps in busybox or a shell).
constexpr std::chrono::seconds kPipelineTimeout{120};

class Cluster {
  public:
    /// Starts the fake GitHub and the coordinator, waits for /healthz and reads admin.token.
    /// Fails the test (with the coordinator's log) when it does not come up.
    explicit Cluster(ClusterOptions options = {});
    /// Stops everything it started: CLI processes, agents (SIGTERM, then SIGKILL after a
    /// grace period), the coordinator, the fake GitHub; then removes the temp dir.
    ~Cluster();
    Cluster(const Cluster&) = delete;
    Cluster& operator=(const Cluster&) = delete;

    const TempDir& dir() const { return dir_; }
    std::filesystem::path data_dir() const { return dir_ / "data"; }
    std::string server_url() const { return server_url_; }
    const std::string& admin_token() const { return admin_token_; }
    const ClusterOptions& options() const { return options_; }
    /// The REST API with the admin token.
    HttpClient api() const { return HttpClient(server_url_, admin_token_).trusting(tls_ca_file()); }
    /// The certificate the coordinator serves TLS with (its own CA), or "" without TLS.
    std::string tls_ca_file() const;
    FakeGitHub& github() { return *github_; }
    Process& coordinator() { return *coordinator_; }
    /// The TCP port the coordinator listens on for agents (the same after a restart).
    uint16_t agent_port() const { return agent_port_; }

    /// Kills the coordinator with SIGKILL (a crash: no drain, no goodbye) and waits until it
    /// is gone. Tests then call restart_coordinator().
    void kill_coordinator();
    /// Starts the coordinator again on the same ports and data dir, and waits for /healthz.
    void restart_coordinator();
    /// The same with `env` as its further environment (ClusterOptions::coordinator_env) from
    /// now on, e.g. a test clock set to another time.
    void restart_coordinator(std::map<std::string, std::string> env);

    /// A new git repository under the temp dir.
    GitRepo make_repo(const std::string& name = "demo") const;

    // ---- the CLI ----

    /// Runs `fmg --server-url URL --token TOKEN ARGS...` to completion.
    CommandResult fmg(const std::vector<std::string>& args,
                      std::chrono::milliseconds timeout = 60s) const;
    /// Runs `fmg --server-url URL --token TOKEN ARGS...` with another token than the admin's.
    CommandResult fmg_as(const std::string& token, const std::vector<std::string>& args,
                         std::chrono::milliseconds timeout = 60s) const;
    /// Runs `fmg ... ARGS...` as the admin with `input` as its standard input.
    CommandResult fmg_with_input(const std::vector<std::string>& args, const std::string& input,
                                 std::chrono::milliseconds timeout = 60s) const;
    /// What `fmg logs ID JOB` prints; fails the test (with the CLI's output) unless it exits 0.
    std::string job_log(int64_t id, const std::string& job) const;
    /// Starts the same as a long-running process (e.g. `logs --follow`), owned by the cluster.
    Process& start_fmg(const std::string& name, const std::vector<std::string>& args);

    // ---- runners ----

    /// `fmg configure add-runner HOST` with its stdout saved as DIR/HOST.cred; returns that
    /// path. Fails the test when the CLI fails or prints no credentials.
    std::filesystem::path add_runner(const std::string& host,
                                     const std::vector<std::string>& extra_args = {});
    /// Starts `fmg-agent --credentials FILE --name NAME --work-dir DIR/agents/NAME
    /// --executor E`, owned by the cluster. Does not wait for it to connect.
    Process& start_agent(const std::string& name, const std::filesystem::path& credentials,
                         const AgentOptions& options);
    /// add_runner + start_agent + wait until the runner is online.
    Process& start_runner(const std::string& host, const AgentOptions& options = {});
    /// Starts the agent of an already registered runner again (after it was killed), with
    /// the same credentials and work dir; does not wait for it to connect.
    Process& restart_agent(const std::string& host, const AgentOptions& options = {});
    /// Polls until the runner `host` has `state` in GET /api/v1/runners.
    void wait_for_runner_state(const std::string& host, const std::string& state,
                               std::chrono::milliseconds timeout = 30s);
    /// The runner objects of GET /api/v1/runners.
    std::vector<Poco::JSON::Object::Ptr> runners() const;
    /// The runner registered for `host`, if any.
    Poco::JSON::Object::Ptr find_runner(const std::string& host) const;

    // ---- webhooks and pipelines ----

    /// POSTs a delivery signed with the cluster's webhook secret.
    HttpResponse deliver(const std::string& event, const std::string& body,
                         const std::string& delivery_id) const;
    /// POSTs a delivery with the given signature header value (none when nullopt).
    HttpResponse deliver_signed_as(const std::string& event, const std::string& body,
                                   const std::optional<std::string>& signature,
                                   const std::string& delivery_id) const;
    /// Delivers a signed push of `sha` in `repo` (as GitHub's repository `full_name`) and
    /// returns the pipeline id from the 202 answer; fails the test on any other answer.
    int64_t push(const GitRepo& repo, const std::string& sha,
                 const std::string& ref = "refs/heads/main",
                 const std::string& full_name = "octo/demo") const;

    /// GET /api/v1/pipelines/ID; fails the test unless it answers 200 with an object.
    Poco::JSON::Object::Ptr pipeline(int64_t id) const;
    /// `total` of GET /api/v1/pipelines.
    int64_t pipeline_total() const;
    /// Polls the pipeline until `predicate` holds; returns that state of it.
    Poco::JSON::Object::Ptr wait_for_pipeline(
        int64_t id, const std::function<bool(const Poco::JSON::Object::Ptr&)>& predicate,
        const std::string& description, std::chrono::milliseconds timeout = kPipelineTimeout);
    /// Polls until the pipeline is success, failed, error or cancelled.
    Poco::JSON::Object::Ptr wait_for_final(int64_t id,
                                           std::chrono::milliseconds timeout = kPipelineTimeout);
    /// Polls until job `job` of the pipeline has `status`.
    Poco::JSON::Object::Ptr wait_for_job_status(
        int64_t id, const std::string& job, const std::string& status,
        std::chrono::milliseconds timeout = kPipelineTimeout);
    /// Polls until the fake GitHub accepted a status with `state` for `context` and `sha`.
    void wait_for_github_status(const std::string& context, const std::string& sha,
                                const std::string& state, std::chrono::milliseconds timeout = 30s);

    /// wait_until with every log of the cluster attached, failing at once (with the logs)
    /// if the coordinator exits while waiting.
    void wait_until(Deadline deadline, const std::function<bool()>& predicate,
                    const std::string& description);
    /// The stderr and stdout files of every process the cluster started.
    std::vector<std::filesystem::path> log_files() const;

    /// Stops the agents and then the coordinator with SIGTERM and checks each exits 0 in
    /// time (graceful drain, SPEC "SIGTERM").
    void stop_gracefully();

  private:
    void start_coordinator();
    std::vector<std::string> cli_prefix() const;

    ClusterOptions options_;
    TempDir dir_;
    std::unique_ptr<FakeGitHub> github_;
    std::string server_url_;
    std::string admin_token_;
    uint16_t http_port_ = 0;  // chosen at the first start, kept across restarts
    uint16_t agent_port_ = 0;
    std::unique_ptr<Process> coordinator_;
    std::vector<std::unique_ptr<Process>> crashed_coordinators_;  // kept for their logs
    std::vector<std::unique_ptr<Process>> agents_;
    std::vector<std::unique_ptr<Process>> clients_;
    bool stopped_ = false;  // stop_gracefully() ran: the coordinator's end is expected
};

/// Whether a pipeline status is final.
bool is_final_pipeline_status(const std::string& status);

}  // namespace fmg::testing
