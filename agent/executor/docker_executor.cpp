#include "agent/executor/docker_executor.h"

#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <set>

#include "agent/circleci/step_commands.h"
#include "agent/docker/run_exec.h"
#include "agent/executor/docker_host_firewall.h"
#include "agent/executor/docker_image_options.h"
#include "agent/executor/docker_job_execution.h"
#include "agent/executor/step_command.h"
#include "agent/executor/working_directory.h"
#include "shared/log.h"

namespace fmg::agent {
// Removes the containers created so far, and gives the network back, when start() fails
// half-way.
class CreatedResources {
  public:
    CreatedResources(const docker::DockerClient& client, DockerNetworkPool& networks)
        : client_(client), networks_(networks) {}
    ~CreatedResources() {
        for (auto id = ids_.rbegin(); id != ids_.rend(); ++id) (void)client_.remove_container(*id);
        if (network_) networks_.release(*network_);
        remove_step_tools(tools_);
    }
    CreatedResources(const CreatedResources&) = delete;
    CreatedResources& operator=(const CreatedResources&) = delete;

    void add(const std::string& id) { ids_.push_back(id); }
    void add_network(const JobNetwork& network) { network_ = network; }
    void add_tools(const StepTools& tools) { tools_ = tools; }
    void release() {
        ids_.clear();
        network_.reset();
        tools_ = {};
    }

  private:
    const docker::DockerClient& client_;
    DockerNetworkPool& networks_;
    std::vector<std::string> ids_;
    std::optional<JobNetwork> network_;
    StepTools tools_;
};

namespace {

constexpr std::chrono::milliseconds kChownTimeout{120'000};

// Where a cleanup container mounts the workspace.
constexpr const char* kCleanupMount = "/fmg-workspace";

// HOME from the image's environment, else the convention for its user.
std::string image_home(const docker::ImageInfo& image) {
    for (const auto& variable : image.env) {
        if (variable.starts_with("HOME=") && variable.size() > 5) return variable.substr(5);
    }
    return home_for_user(image.user);
}

Result<std::string> create_and_start(const docker::DockerClient& client,
                                     const docker::ContainerSpec& spec, CreatedResources& created) {
    auto id = client.create_container(spec);
    if (!id) return Error{"create a container from " + spec.image + ": " + id.error().message};
    created.add(*id);
    if (Status started = client.start_container(*id); !started) {
        return Error{"start a container from " + spec.image + ": " + started.error().message};
    }
    return id;
}

// The attempt id of a fmg.attempt label, if it is one.
std::optional<int64_t> attempt_of(const std::map<std::string, std::string>& labels) {
    auto label = labels.find(kAttemptLabel);
    if (label == labels.end()) return std::nullopt;
    int64_t attempt = 0;
    const std::string& text = label->second;
    auto [end, parse_error] = std::from_chars(text.data(), text.data() + text.size(), attempt);
    if (parse_error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return attempt;
}

}  // namespace

std::optional<std::string> DockerExecutor::job_docker_host() const {
    if (policy_.job_docker_socket.empty()) return std::nullopt;
    return std::string("unix://") + kJobDockerSocket;
}

DockerExecutor::DockerExecutor(std::string socket_path, std::filesystem::path work_dir,
                               std::string runner_name, DockerJobPolicy policy,
                               std::filesystem::path circleci_program)
    : client_(std::move(socket_path)),
      work_dir_(std::move(work_dir)),
      runner_name_(std::move(runner_name)),
      policy_(policy),
      circleci_program_(std::move(circleci_program)) {
    std::map<std::string, std::string> labels = {{kRoleLabel, kNetworkRoleValue}};
    if (!runner_name_.empty()) labels[kRunnerLabel] = runner_name_;
    networks_ = std::make_shared<DockerNetworkPool>(
        client_, policy_.host_access ? kOpenBridgePrefix : kIsolatedBridgePrefix, labels);
}

Status DockerExecutor::check() const {
    if (Status pinged = client_.ping(); !pinged) {
        return Error{"Docker engine not reachable at " + client_.socket_path() + ": " +
                     pinged.error().message};
    }
    if (policy_.nano_cpus > 0) {
        auto info = client_.info();
        if (!info) return Error{"ask Docker how many CPUs it has: " + info.error().message};
        if (info->cpus > 0 && policy_.nano_cpus > info->cpus * 1'000'000'000) {
            return Error{"--job-cpus asks for more CPUs than Docker's host has (" +
                         std::to_string(info->cpus) + ")"};
        }
    }
    if (policy_.host_access) {
        FMG_LOG(warn) << "--job-network-host-access: jobs can reach every service listening "
                         "on this host (docs/security.md)";
    } else if (Status ensured = ensure_host_firewall(kIsolatedBridgePrefix); !ensured) {
        return ensured;
    }
    networks_->prepare();  // the first job's network, made while the agent connects
    return {};
}

Result<docker::ImageInfo> DockerExecutor::ensure_image(
    const std::string& image, const std::optional<docker::RegistryCredentials>& credentials,
    const OutputSink& output) const {
    auto found = client_.inspect_image(image);
    if (!found) return Error{"inspect image " + image + ": " + found.error().message};
    if (*found) return **found;
    output("Pulling " + image + (credentials ? " (with the job's `auth`)" : "") + "...\n");
    // A registry could echo what it was sent; nothing of the password reaches the log.
    Status pulled = client_.pull_image(
        image, [&](const std::string& line) { output(hide_credentials(line, credentials) + "\n"); },
        credentials);
    if (!pulled) {
        return Error{"pull " + image + ": " +
                     hide_credentials(pulled.error().message, credentials)};
    }
    found = client_.inspect_image(image);
    if (!found) return Error{"inspect image " + image + ": " + found.error().message};
    if (!*found) return Error{"pull " + image + ": the image is not present after the pull"};
    return **found;
}

docker::ContainerSpec DockerExecutor::confined_spec(const JobSetup& job, const std::string& image,
                                                    const std::string& role) const {
    docker::ContainerSpec spec;
    spec.image = image;
    spec.labels = {{kAttemptLabel, std::to_string(job.attempt_id)}, {kRoleLabel, role}};
    if (!runner_name_.empty()) spec.labels[kRunnerLabel] = runner_name_;
    spec.cap_drop.assign(std::begin(kJobDroppedCapabilities), std::end(kJobDroppedCapabilities));
    spec.security_opt = {kNoNewPrivileges};
    spec.memory_bytes = policy_.memory_bytes;
    spec.nano_cpus = policy_.nano_cpus;
    spec.pids_limit = policy_.pids_limit;
    return spec;
}

Status DockerExecutor::start_containers(const JobSetup& job, const std::filesystem::path& workspace,
                                        DockerJobContext& context,
                                        CreatedResources& created) const {
    auto network = networks_->take();
    if (!network) return Error{"create the job's network: " + network.error().message};
    created.add_network(*network);
    context.network = *network;

    docker::ContainerSpec primary = confined_spec(job, job.image, "job");
    primary.entrypoint = {"/bin/sh", "-c"};
    primary.cmd = {kKeepAliveScript};
    primary.working_dir = context.job_directory;
    primary.binds = {workspace.string() + ":" + context.job_directory};
    if (!context.tools.directory.empty()) {
        // The CircleCI commands, over any the image has (docs/executors.md), and the halt
        // file `step halt` writes to.
        for (const char* name : {circleci::kCircleciCommand, circleci::kCircleciAgentCommand}) {
            primary.binds.push_back(circleci_program_.string() + ":" +
                                    circleci::kContainerCommandDirectory + "/" + name + ":ro");
        }
        primary.binds.push_back(context.tools.halt_file().string() + ":" +
                                circleci::kContainerHaltFile);
    }
    primary.network_mode = network->name;
    // The services share this network namespace (and so its /etc/hosts): a `name` is
    // another name of its loopback.
    primary.extra_hosts = service_name_hosts(job);
    if (job.docker_engine && !policy_.job_docker_socket.empty()) {
        // --allow-job-docker: the engine's socket, and its group so a step user that is not
        // root may use it (docs/executors.md, "Docker engine for jobs").
        primary.binds.push_back(policy_.job_docker_socket + ":" + kJobDockerSocket);
        struct stat socket_stat {};
        if (::stat(policy_.job_docker_socket.c_str(), &socket_stat) == 0) {
            primary.group_add.push_back(std::to_string(socket_stat.st_gid));
        }
    }
    if (!context.step_user.empty()) primary.user = "0";  // see DockerJobContext::step_user
    // The firewall rule is IPv4 (iptables); with IPv6 off, no address of the host is left.
    primary.sysctls = {{"net.ipv6.conf.all.disable_ipv6", "1"}};
    auto primary_id = create_and_start(client_, primary, created);
    if (!primary_id) return primary_id.error();
    context.primary_id = *primary_id;

    // Services start after the primary: they join its network namespace.
    for (size_t i = 0; i < job.services.size(); ++i) {
        docker::ContainerSpec spec = confined_spec(job, job.services[i], "service");
        if (i < job.service_options.size()) apply_service_options(job.service_options[i], spec);
        spec.network_mode = "container:" + context.primary_id;
        auto id = create_and_start(client_, spec, created);
        if (!id) return Error{"service " + id.error().message};
        context.service_ids.push_back(*id);
    }
    return {};
}

Status DockerExecutor::prepare_primary(const std::string& user, DockerJobContext& context) const {
    if (!is_root_user(user)) {
        // The checkout belongs to the agent's user; the step user must be able to write.
        auto chowned = docker::run_exec(client_, context.primary_id,
                                        {{"chown", "-R", user, context.job_directory}, {}, "", "0"},
                                        kChownTimeout);
        if (!chowned || chowned->exit_code != 0) {
            return Error{"give the workspace to user " + user + ": " +
                         (chowned ? chowned->output : chowned.error().message)};
        }
    }
    auto has_bash = client_.path_exists(context.primary_id, "/bin/bash");
    if (!has_bash) return Error{"look for /bin/bash: " + has_bash.error().message};
    context.shell = *has_bash ? "/bin/bash" : "/bin/sh";
    return {};
}

Status DockerExecutor::start_primary_process(const JobSetup& job, const docker::ImageInfo& image,
                                             const DockerJobContext& context,
                                             const OutputSink& output) const {
    std::vector<std::string> process = primary_process(job.primary_options, image);
    if (process.empty()) return {};
    docker::ExecSpec spec{process, environment_list(context.environment), "", context.step_user};
    auto exec = client_.create_exec(context.primary_id, spec, false);
    if (!exec) return Error{"start the primary image's command: " + exec.error().message};
    if (Status started = client_.start_exec_detached(*exec); !started) {
        return Error{"start the primary image's command: " + started.error().message};
    }
    output("The primary container runs its `command` beside the steps (output not kept)\n");
    return {};
}

Result<std::unique_ptr<JobExecution>> DockerExecutor::start(const JobSetup& job,
                                                            const OutputSink& output) {
    if (job.image.empty()) return Error{"the job names no docker image"};
    if (!job.service_options.empty() && job.service_options.size() != job.services.size()) {
        return Error{"the job's image options do not match its services"};
    }
    if (Status named = check_container_names(job); !named) return named.error();
    std::filesystem::path workspace =
        job.workspace.is_relative() ? work_dir_ / job.workspace : job.workspace;
    std::error_code error;
    if (!std::filesystem::is_directory(workspace, error)) {
        return Error{"workspace " + workspace.string() + " is not a directory"};
    }
    // Every login first: a job whose `auth` cannot be resolved pulls nothing.
    auto primary_credentials = resolve_credentials(job.image, job.primary_options, job.environment);
    if (!primary_credentials) return primary_credentials.error();
    std::vector<std::optional<docker::RegistryCredentials>> service_credentials;
    for (size_t i = 0; i < job.service_options.size(); ++i) {
        auto credentials =
            resolve_credentials(job.services[i], job.service_options[i], job.environment);
        if (!credentials) return credentials.error();
        service_credentials.push_back(std::move(*credentials));
    }
    service_credentials.resize(job.services.size());
    auto image = ensure_image(job.image, *primary_credentials, output);
    if (!image) return image.error();
    for (size_t i = 0; i < job.services.size(); ++i) {
        if (auto pulled = ensure_image(job.services[i], service_credentials[i], output); !pulled) {
            return pulled.error();
        }
    }
    if (!policy_.host_access) {
        // A firewall reload (ufw, firewalld) since the agent started may have flushed it.
        std::lock_guard lock(firewall_mutex_);
        if (Status ensured = ensure_host_firewall(kIsolatedBridgePrefix, true); !ensured) {
            return ensured.error();
        }
    }

    DockerJobContext context;
    context.attempt_id = job.attempt_id;
    // The primary's `user` runs the steps in place of the image's.
    const std::string& user =
        job.primary_options.user.empty() ? image->user : job.primary_options.user;
    context.home = job.primary_options.user.empty() ? image_home(*image) : home_for_user(user);
    context.job_directory = resolve_job_directory(job.working_directory, context.home);
    context.environment = job.environment;
    if (!is_root_user(user)) context.step_user = user;
    CreatedResources created(client_, *networks_);
    workspace = std::filesystem::absolute(workspace).lexically_normal();
    // Root on the host removes whatever the job leaves; any other agent user needs root in
    // the container for files the job made as root, or with modes that lock their owner out.
    context.empty_workspace_on_close = ::geteuid() != 0;
    context.agent_owner = std::to_string(::geteuid()) + ":" + std::to_string(::getegid());
    context.workspace = workspace;
    context.cleanup = confined_spec(job, job.image, "cleanup");
    context.cleanup.user = "0";
    context.cleanup.network_mode = "none";
    context.cleanup.binds = {workspace.string() + ":" + kCleanupMount};
    context.cleanup.entrypoint = {"/bin/sh", "-c"};
    context.cleanup.cmd = {kEmptyDirectoryScript, "fmg-empty-workspace", kCleanupMount,
                           context.agent_owner};
    if (!circleci_program_.empty()) {
        auto tools = create_step_tools(work_dir_, job.attempt_id, circleci_program_);
        if (!tools) return tools.error();
        created.add_tools(*tools);
        context.tools = *tools;
    }
    if (Status started = start_containers(job, workspace, context, created); !started) {
        return started.error();
    }
    if (Status prepared = prepare_primary(user, context); !prepared) return prepared.error();
    if (Status started = start_primary_process(job, *image, context, output); !started) {
        return started.error();
    }

    FMG_LOG(info) << "attempt=" << job.attempt_id << " started container "
                  << context.primary_id.substr(0, 12) << " from " << job.image << " with "
                  << job.services.size() << " service(s), shell " << context.shell;
    created.release();
    return std::unique_ptr<JobExecution>(
        std::make_unique<DockerJobExecution>(client_, std::move(context), networks_));
}

size_t DockerExecutor::remove_orphans(const std::vector<int64_t>& attempts_to_keep) {
    std::string label = runner_name_.empty() ? std::string(kAttemptLabel)
                                             : std::string(kRunnerLabel) + "=" + runner_name_;
    std::set<int64_t> keep(attempts_to_keep.begin(), attempts_to_keep.end());
    size_t removed = 0;
    std::set<std::string> kept_networks;  // the networks of the attempts kept
    auto containers = client_.list_containers(label);
    if (!containers) {
        FMG_LOG(warn) << "cannot list containers to remove orphans: " << containers.error().message;
    } else {
        for (const auto& container : *containers) {
            auto attempt = attempt_of(container.labels);
            if (attempt && keep.count(*attempt)) {
                kept_networks.insert(container.network_mode);
                continue;
            }
            std::string attempt_text = attempt ? std::to_string(*attempt) : "?";
            if (Status gone = client_.remove_container(container.id); !gone) {
                FMG_LOG(warn) << "cannot remove orphan container " << container.id.substr(0, 12)
                              << " of attempt=" << attempt_text << ": " << gone.error().message;
                continue;
            }
            FMG_LOG(info) << "removed orphan container " << container.id.substr(0, 12)
                          << " of attempt=" << attempt_text;
            ++removed;
        }
    }
    remove_leftover_step_tools(work_dir_, attempts_to_keep);
    return removed + remove_orphan_networks(attempts_to_keep, kept_networks);
}

size_t DockerExecutor::remove_orphan_networks(const std::vector<int64_t>& attempts_to_keep,
                                              const std::set<std::string>& kept_networks) {
    // Only networks that are fmg's: labelled with the role, and this runner's when it has a
    // name (the containers on them are gone by now).
    auto networks = client_.list_networks(std::string(kRoleLabel) + "=" + kNetworkRoleValue);
    if (!networks) {
        FMG_LOG(warn) << "cannot list networks to remove orphans: " << networks.error().message;
        return 0;
    }
    std::set<int64_t> keep(attempts_to_keep.begin(), attempts_to_keep.end());
    size_t removed = 0;
    for (const auto& network : *networks) {
        if (!runner_name_.empty()) {
            auto runner = network.labels.find(kRunnerLabel);
            if (runner == network.labels.end() || runner->second != runner_name_) continue;
        }
        auto attempt = attempt_of(network.labels);
        if (attempt && keep.count(*attempt)) continue;
        if (kept_networks.count(network.name) || networks_->owns(network.name)) continue;
        if (Status gone = client_.remove_network(network.id); !gone) {
            FMG_LOG(warn) << "cannot remove orphan network " << network.name << ": "
                          << gone.error().message;
            continue;
        }
        FMG_LOG(info) << "removed orphan network " << network.name;
        ++removed;
    }
    return removed;
}

}  // namespace fmg::agent
