#include "tests/support/cluster.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <csignal>
#include <fstream>
#include <iostream>

#include "tests/support/binaries.h"
#include "tests/support/json.h"
#include "tests/support/webhook.h"

namespace fmg::testing {
namespace {

constexpr std::chrono::seconds kStartupTimeout{20};
constexpr std::chrono::seconds kAgentStopGrace{15};
constexpr std::chrono::seconds kCoordinatorStopGrace{10};

std::string trimmed(std::string text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
        text.pop_back();
    }
    return text;
}

std::string job_status(const Poco::JSON::Object::Ptr& pipeline, const std::string& job) {
    for (const auto& element : object_array(pipeline, "jobs")) {
        if (optional_string(element, "name") == job) {
            return optional_string(element, "status").value_or("");
        }
    }
    return {};
}

}  // namespace

bool is_final_pipeline_status(const std::string& status) {
    return status == "success" || status == "failed" || status == "error" || status == "cancelled";
}

ClusterOptions fast_liveness_options(std::vector<std::string> more_args) {
    ClusterOptions options;
    options.coordinator_args = {"--heartbeat-interval", std::to_string(kFastHeartbeatMs),
                                "--agent-timeout", std::to_string(kFastAgentTimeoutMs)};
    options.coordinator_args.insert(options.coordinator_args.end(), more_args.begin(),
                                    more_args.end());
    return options;
}

AgentOptions shell_agent_options() {
    AgentOptions agent;
    agent.executor = "shell";
    return agent;
}

AgentOptions machine_agent_options(const std::string& labels) {
    AgentOptions agent = shell_agent_options();
    agent.runner_args = {"--labels", labels};
    return agent;
}

Cluster::Cluster(ClusterOptions options)
    : options_(std::move(options)),
      github_(std::make_unique<FakeGitHub>(options_.github_token, options_.github_idle_close)) {
    std::filesystem::create_directories(dir_ / "home");
    std::filesystem::create_directories(dir_ / "logs");
    if (options_.tls) {
        const std::string command =
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
            "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '" +
            (dir_ / "tls.key").string() + "' -out '" + (dir_ / "tls.crt").string() +
            "' 2>/dev/null";
        if (std::system(command.c_str()) != 0) FAIL("openssl could not make a test certificate");
    }
    start_coordinator();
}

std::string Cluster::tls_ca_file() const {
    return options_.tls ? (dir_ / "tls.crt").string() : std::string();
}

Cluster::~Cluster() {
    clients_.clear();  // SIGKILL: a CLI holds no state worth draining
    for (auto it = agents_.rbegin(); it != agents_.rend(); ++it) (*it)->stop(kAgentStopGrace);
    agents_.clear();
    if (coordinator_) {
        if (auto ended = coordinator_->poll(); ended && !stopped_) {
            std::cerr << "note: the coordinator had already ended (" << ended->describe() << "):\n"
                      << tail_file(coordinator_->stderr_path());
        }
        coordinator_->stop(kCoordinatorStopGrace);
        coordinator_.reset();
    }
    github_.reset();
}

void Cluster::start_coordinator() {
    if (http_port_ == 0) {
        http_port_ = free_port();
        agent_port_ = free_port();
        while (agent_port_ == http_port_) agent_port_ = free_port();
    }
    const uint16_t http_port = http_port_;
    const uint16_t agent_port = agent_port_;
    server_url_ =
        std::string(options_.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(http_port);

    ProcessOptions process;
    process.argv = {coordinator_binary().string(),
                    "--http-listen",
                    "127.0.0.1:" + std::to_string(http_port),
                    "--agent-listen",
                    "tcp://" + options_.agent_listen_host + ":" + std::to_string(agent_port),
                    "--public-url",
                    server_url_,
                    "--data-dir",
                    data_dir().string(),
                    "--github-api-url",
                    github_->url()};
    process.argv.insert(process.argv.end(), options_.coordinator_args.begin(),
                        options_.coordinator_args.end());
    if (options_.tls) {
        process.argv.insert(process.argv.end(), {"--tls-cert", (dir_ / "tls.crt").string(),
                                                 "--tls-key", (dir_ / "tls.key").string()});
    }
    process.env = options_.coordinator_env;
    process.env["WEBHOOK_SECRET"] = options_.webhook_secret;
    process.env["GITHUB_TOKEN"] = options_.github_token;
    process.cwd = dir_.path();
    // A restarted coordinator writes new log files; the crashed one's stay for the report.
    const std::string name =
        crashed_coordinators_.empty()
            ? "coordinator"
            : "coordinator-" + std::to_string(crashed_coordinators_.size() + 1);
    coordinator_ = std::make_unique<Process>(name, process, dir_ / "logs");

    HttpClient anonymous(server_url_, {}, std::chrono::seconds(5));
    anonymous.trusting(tls_ca_file());
    wait_until(
        deadline_after(kStartupTimeout), [&] { return anonymous.get("/healthz").status == 200; },
        "the coordinator to answer 200 on GET /healthz at " + server_url_);
    // Written at the first start only; the operator may delete it once copied.
    if (admin_token_.empty()) admin_token_ = trimmed(read_file_text(data_dir() / "admin.token"));
    if (admin_token_.empty()) {
        FAIL("the coordinator is up but wrote no admin token to " << (data_dir() / "admin.token")
                                                                  << "\n"
                                                                  << tail_files(log_files()));
    }
}

void Cluster::kill_coordinator() {
    coordinator_->kill(SIGKILL);
    if (!coordinator_->wait_for(deadline_after(kCoordinatorStopGrace))) {
        FAIL("the coordinator did not end after SIGKILL");
    }
    crashed_coordinators_.push_back(std::move(coordinator_));
}

void Cluster::restart_coordinator() {
    if (coordinator_) FAIL("restart_coordinator: the coordinator is still running");
    start_coordinator();
}

void Cluster::restart_coordinator(std::map<std::string, std::string> env) {
    options_.coordinator_env = std::move(env);
    restart_coordinator();
}

GitRepo Cluster::make_repo(const std::string& name) const {
    return GitRepo(dir_ / "repos" / name);
}

std::vector<std::string> Cluster::cli_prefix() const {
    std::vector<std::string> prefix = {cli_binary().string(), "--server-url", server_url_,
                                       "--token", admin_token_};
    if (options_.tls) prefix.insert(prefix.end(), {"--ca-file", tls_ca_file()});
    return prefix;
}

CommandResult Cluster::fmg(const std::vector<std::string>& args,
                           std::chrono::milliseconds timeout) const {
    return fmg_as(admin_token_, args, timeout);
}

CommandResult Cluster::fmg_as(const std::string& token, const std::vector<std::string>& args,
                              std::chrono::milliseconds timeout) const {
    ProcessOptions process;
    process.argv = {cli_binary().string(), "--server-url", server_url_, "--token", token};
    if (options_.tls) process.argv.insert(process.argv.end(), {"--ca-file", tls_ca_file()});
    process.argv.insert(process.argv.end(), args.begin(), args.end());
    process.env = {{"HOME", (dir_ / "home").string()}};
    CommandResult result = run_command(process, timeout);
    if (result.timed_out)
        FAIL("the CLI did not finish in time:\n" << result.describe(process.argv));
    return result;
}

CommandResult Cluster::fmg_with_input(const std::vector<std::string>& args,
                                      const std::string& input,
                                      std::chrono::milliseconds timeout) const {
    static int inputs = 0;
    const auto file = dir_ / ("stdin-" + std::to_string(++inputs));
    {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out << input;
    }
    ProcessOptions process;
    process.argv = cli_prefix();
    process.argv.insert(process.argv.end(), args.begin(), args.end());
    process.env = {{"HOME", (dir_ / "home").string()}};
    process.stdin_file = file;
    CommandResult result = run_command(process, timeout);
    std::filesystem::remove(file);
    if (result.timed_out)
        FAIL("the CLI did not finish in time:\n" << result.describe(process.argv));
    return result;
}

std::string Cluster::job_log(int64_t id, const std::string& job) const {
    const std::vector<std::string> args{"logs", std::to_string(id), job};
    const CommandResult log = fmg(args);
    INFO(log.describe(args));
    REQUIRE(log.ok());
    return log.out;
}

Process& Cluster::start_fmg(const std::string& name, const std::vector<std::string>& args) {
    ProcessOptions process;
    process.argv = cli_prefix();
    process.argv.insert(process.argv.end(), args.begin(), args.end());
    process.env = {{"HOME", (dir_ / "home").string()}};
    clients_.push_back(std::make_unique<Process>(name, process, dir_ / "logs"));
    return *clients_.back();
}

std::filesystem::path Cluster::add_runner(const std::string& host,
                                          const std::vector<std::string>& extra_args) {
    std::vector<std::string> args{"configure", "add-runner", host};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    const CommandResult result = fmg(args);
    if (!result.ok() || result.out.find("secret_key:") == std::string::npos) {
        FAIL("`fmg configure add-runner " << host << "` printed no credentials:\n"
                                          << result.describe(args) << "\n"
                                          << tail_files(log_files()));
    }
    const std::filesystem::path file = dir_ / (host + ".cred");
    std::ofstream(file, std::ios::trunc) << result.out;
    std::filesystem::permissions(
        file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    return file;
}

Process& Cluster::start_agent(const std::string& name, const std::filesystem::path& credentials,
                              const AgentOptions& options) {
    ProcessOptions process;
    process.argv = {agent_binary().string(),
                    "--credentials",
                    credentials.string(),
                    "--name",
                    name,
                    "--work-dir",
                    (dir_ / "agents" / name).string(),
                    "--executor",
                    options.executor};
    process.argv.insert(process.argv.end(), options.extra_args.begin(), options.extra_args.end());
    process.argv.insert(process.argv.begin(), options.command_prefix.begin(),
                        options.command_prefix.end());
    process.cwd = dir_.path();
    // Shell-executor steps see this HOME: whatever they write there stays in the temp dir.
    process.env = {{"HOME", (dir_ / "home").string()}};
    // A restarted agent writes new log files; the earlier process's stay for the report.
    std::string process_name = "agent-" + name;
    const auto same_runner = std::count_if(agents_.begin(), agents_.end(), [&](const auto& agent) {
        return agent->name().rfind(process_name, 0) == 0;
    });
    if (same_runner > 0) process_name += "-" + std::to_string(same_runner + 1);
    agents_.push_back(std::make_unique<Process>(process_name, process, dir_ / "logs"));
    return *agents_.back();
}

Process& Cluster::start_runner(const std::string& host, const AgentOptions& options) {
    Process& agent = start_agent(host, add_runner(host, options.runner_args), options);
    wait_until(
        deadline_after(kStartupTimeout),
        [&] {
            if (auto ended = agent.poll()) {
                FAIL("agent " << host << " exited (" << ended->describe()
                              << ") before coming online\n"
                              << tail_files(log_files()));
            }
            const auto runner = find_runner(host);
            return runner && optional_string(runner, "state") == "online";
        },
        "runner " + host + " to be online in GET /api/v1/runners");
    return agent;
}

Process& Cluster::restart_agent(const std::string& host, const AgentOptions& options) {
    return start_agent(host, dir_ / (host + ".cred"), options);
}

void Cluster::wait_for_runner_state(const std::string& host, const std::string& state,
                                    std::chrono::milliseconds timeout) {
    std::string last = "(not listed)";
    wait_until(
        deadline_after(timeout),
        [&] {
            const auto runner = find_runner(host);
            if (runner) last = optional_string(runner, "state").value_or("(none)");
            return runner && last == state;
        },
        "runner " + host + " to be " + state + " in GET /api/v1/runners (last seen: " + last + ")");
}

std::vector<Poco::JSON::Object::Ptr> Cluster::runners() const {
    const HttpResponse response = api().get("/api/v1/runners");
    if (response.status != 200) FAIL("GET /api/v1/runners: " << response.describe());
    // The list is {"total", "data"} like pipelines; a bare array is read as well.
    if (!response.body.empty() && response.body.front() == '[') {
        std::vector<Poco::JSON::Object::Ptr> list;
        const Poco::JSON::Array::Ptr array = parse_array(response.body);
        for (size_t i = 0; i < array->size(); ++i) {
            list.push_back(array->getObject(static_cast<unsigned>(i)));
        }
        return list;
    }
    return object_array(response.json(), "data");
}

Poco::JSON::Object::Ptr Cluster::find_runner(const std::string& host) const {
    for (const auto& runner : runners()) {
        if (runner && optional_string(runner, "host") == host) return runner;
    }
    return nullptr;
}

HttpResponse Cluster::deliver(const std::string& event, const std::string& body,
                              const std::string& delivery_id) const {
    return deliver_signed_as(event, body, sign_webhook(options_.webhook_secret, body), delivery_id);
}

HttpResponse Cluster::deliver_signed_as(const std::string& event, const std::string& body,
                                        const std::optional<std::string>& signature,
                                        const std::string& delivery_id) const {
    Headers headers{{"User-Agent", "GitHub-Hookshot/7a4c9b2"},
                    {"X-GitHub-Event", event},
                    {"X-GitHub-Delivery", delivery_id},
                    {"X-GitHub-Hook-ID", "498811712"},
                    {"X-GitHub-Hook-Installation-Target-Type", "repository"},
                    {"X-GitHub-Hook-Installation-Target-ID", "702158923"}};
    if (signature) headers.emplace_back("X-Hub-Signature-256", *signature);
    return HttpClient(server_url_).trusting(tls_ca_file()).post_json("/webhook", body, headers);
}

int64_t Cluster::push(const GitRepo& repo, const std::string& sha, const std::string& ref,
                      const std::string& full_name) const {
    PushEvent event;
    event.owner = full_name.substr(0, full_name.find('/'));
    event.name = full_name.substr(full_name.find('/') + 1);
    event.clone_url = repo.url();
    event.ref = ref;
    event.after = sha;
    const HttpResponse response = deliver("push", push_payload(event), new_delivery_id());
    if (response.status != 202) {
        FAIL("push webhook for " << sha << " was not accepted: " << response.describe() << "\n"
                                 << tail_files(log_files()));
    }
    return int_field(response.json(), "pipeline_id");
}

Poco::JSON::Object::Ptr Cluster::pipeline(int64_t id) const {
    const HttpResponse response = api().get("/api/v1/pipelines/" + std::to_string(id));
    if (response.status != 200) FAIL("GET pipeline " << id << ": " << response.describe());
    return response.json();
}

int64_t Cluster::pipeline_total() const {
    const HttpResponse response = api().get("/api/v1/pipelines");
    if (response.status != 200) FAIL("GET /api/v1/pipelines: " << response.describe());
    return int_field(response.json(), "total");
}

Poco::JSON::Object::Ptr Cluster::wait_for_pipeline(
    int64_t id, const std::function<bool(const Poco::JSON::Object::Ptr&)>& predicate,
    const std::string& description, std::chrono::milliseconds timeout) {
    Poco::JSON::Object::Ptr latest;
    wait_until(
        deadline_after(timeout),
        [&] {
            latest = pipeline(id);
            return predicate(latest);
        },
        "pipeline " + std::to_string(id) + ": " + description + " (last seen: " + to_json(latest) +
            ")");
    return latest;
}

Poco::JSON::Object::Ptr Cluster::wait_for_final(int64_t id, std::chrono::milliseconds timeout) {
    return wait_for_pipeline(
        id,
        [](const Poco::JSON::Object::Ptr& p) {
            return is_final_pipeline_status(optional_string(p, "status").value_or(""));
        },
        "a final status", timeout);
}

Poco::JSON::Object::Ptr Cluster::wait_for_job_status(int64_t id, const std::string& job,
                                                     const std::string& status,
                                                     std::chrono::milliseconds timeout) {
    return wait_for_pipeline(
        id, [&](const Poco::JSON::Object::Ptr& p) { return job_status(p, job) == status; },
        "job " + job + " to be " + status, timeout);
}

void Cluster::wait_for_github_status(const std::string& context, const std::string& sha,
                                     const std::string& state, std::chrono::milliseconds timeout) {
    wait_until(
        deadline_after(timeout),
        [&] {
            for (const auto& posted : github_->statuses_for(context)) {
                if (posted.sha() == sha && posted.state == state) return true;
            }
            return false;
        },
        "GitHub status " + state + " for " + context + " on " + sha);
}

void Cluster::wait_until(Deadline deadline, const std::function<bool()>& predicate,
                         const std::string& description) {
    ::fmg::testing::wait_until(
        deadline,
        [&] {
            if (auto ended = coordinator_ ? coordinator_->poll() : std::nullopt) {
                FAIL("the coordinator exited (" << ended->describe() << ") while waiting for "
                                                << description << "\n"
                                                << tail_files(log_files()));
            }
            return predicate();
        },
        description, log_files());
}

std::vector<std::filesystem::path> Cluster::log_files() const {
    std::vector<std::filesystem::path> files;
    auto add = [&](const Process& process) {
        files.push_back(process.stderr_path());
        files.push_back(process.stdout_path());
    };
    for (const auto& crashed : crashed_coordinators_) add(*crashed);
    if (coordinator_) add(*coordinator_);
    for (const auto& agent : agents_) add(*agent);
    for (const auto& client : clients_) add(*client);
    return files;
}

void Cluster::stop_gracefully() {
    stopped_ = true;
    for (auto it = agents_.rbegin(); it != agents_.rend(); ++it) {
        Process& agent = **it;
        if (agent.poll()) continue;  // already ended, e.g. refused on purpose
        agent.kill(SIGTERM);
        const auto ended = agent.wait_for(deadline_after(kAgentStopGrace));
        if (!ended || !ended->exited_with(0)) {
            FAIL(agent.name() << " did not exit 0 within " << kAgentStopGrace.count()
                              << " s of SIGTERM ("
                              << (ended ? ended->describe() : std::string("still running")) << ")\n"
                              << tail_files(log_files()));
        }
    }
    if (!coordinator_) FAIL("stop_gracefully: the coordinator is not running");
    coordinator_->kill(SIGTERM);
    const auto ended = coordinator_->wait_for(deadline_after(kCoordinatorStopGrace));
    if (!ended || !ended->exited_with(0)) {
        FAIL("the coordinator did not exit 0 within "
             << kCoordinatorStopGrace.count() << " s of SIGTERM ("
             << (ended ? ended->describe() : std::string("still running")) << ")\n"
             << tail_files(log_files()));
    }
}

}  // namespace fmg::testing
