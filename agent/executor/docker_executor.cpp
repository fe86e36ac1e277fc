#include "agent/executor/docker_executor.h"

#include <unistd.h>

#include <charconv>
#include <set>

#include "agent/docker/run_exec.h"
#include "agent/executor/docker_job_session.h"
#include "agent/executor/working_directory.h"
#include "shared/log.h"

namespace fmg::agent {
// Removes the containers created so far when start() fails half-way.
class CreatedContainers {
  public:
    explicit CreatedContainers(const docker::DockerClient& client) : client_(client) {}
    ~CreatedContainers() {
        for (const auto& id : ids_) (void)client_.remove_container(id);
    }
    CreatedContainers(const CreatedContainers&) = delete;
    CreatedContainers& operator=(const CreatedContainers&) = delete;

    void add(const std::string& id) { ids_.push_back(id); }
    void release() { ids_.clear(); }

  private:
    const docker::DockerClient& client_;
    std::vector<std::string> ids_;
};

namespace {

constexpr std::chrono::milliseconds kChownTimeout{120'000};

// HOME from the image's environment, else the convention for its user.
std::string image_home(const docker::ImageInfo& image) {
    for (const auto& variable : image.env) {
        if (variable.starts_with("HOME=") && variable.size() > 5) return variable.substr(5);
    }
    return home_for_user(image.user);
}

Result<std::string> create_and_start(const docker::DockerClient& client,
                                     const docker::ContainerSpec& spec,
                                     CreatedContainers& created) {
    auto id = client.create_container(spec);
    if (!id) return Error{"create a container from " + spec.image + ": " + id.error().message};
    created.add(*id);
    if (Status started = client.start_container(*id); !started) {
        return Error{"start a container from " + spec.image + ": " + started.error().message};
    }
    return id;
}

}  // namespace

DockerExecutor::DockerExecutor(std::string socket_path, std::filesystem::path work_dir,
                               std::string runner_name)
    : client_(std::move(socket_path)),
      work_dir_(std::move(work_dir)),
      runner_name_(std::move(runner_name)) {}

Status DockerExecutor::check() const {
    if (Status pinged = client_.ping(); !pinged) {
        return Error{"Docker engine not reachable at " + client_.socket_path() + ": " +
                     pinged.error().message};
    }
    return {};
}

Result<docker::ImageInfo> DockerExecutor::ensure_image(const std::string& image,
                                                       const OutputSink& output) const {
    auto found = client_.inspect_image(image);
    if (!found) return Error{"inspect image " + image + ": " + found.error().message};
    if (*found) return **found;
    output("Pulling " + image + "...\n");
    Status pulled =
        client_.pull_image(image, [&](const std::string& line) { output(line + "\n"); });
    if (!pulled) return Error{"pull " + image + ": " + pulled.error().message};
    found = client_.inspect_image(image);
    if (!found) return Error{"inspect image " + image + ": " + found.error().message};
    if (!*found) return Error{"pull " + image + ": the image is not present after the pull"};
    return **found;
}

Status DockerExecutor::start_containers(const JobSpec& job, const std::filesystem::path& workspace,
                                        DockerJobContext& context,
                                        CreatedContainers& created) const {
    std::string attempt = std::to_string(job.attempt_id);
    docker::ContainerSpec primary;
    primary.image = job.image;
    primary.labels = {{kAttemptLabel, attempt}, {kRoleLabel, "job"}};
    if (!runner_name_.empty()) primary.labels[kRunnerLabel] = runner_name_;
    primary.entrypoint = {"/bin/sh", "-c"};
    primary.cmd = {kKeepAliveScript};
    primary.working_dir = context.job_directory;
    primary.binds = {workspace.string() + ":" + context.job_directory};
    auto primary_id = create_and_start(client_, primary, created);
    if (!primary_id) return primary_id.error();
    context.primary_id = *primary_id;

    // Services start after the primary: they join its network namespace.
    for (const auto& service : job.services) {
        docker::ContainerSpec spec;
        spec.image = service;
        spec.labels = {{kAttemptLabel, attempt}, {kRoleLabel, "service"}};
        if (!runner_name_.empty()) spec.labels[kRunnerLabel] = runner_name_;
        spec.network_mode = "container:" + context.primary_id;
        auto id = create_and_start(client_, spec, created);
        if (!id) return Error{"service " + id.error().message};
        context.service_ids.push_back(*id);
    }
    return {};
}

Status DockerExecutor::prepare_primary(const docker::ImageInfo& image,
                                       DockerJobContext& context) const {
    if (!is_root_user(image.user)) {
        // The checkout belongs to the agent's user; the image's user must be able to write.
        auto chowned = docker::run_exec(
            client_, context.primary_id,
            {{"chown", "-R", image.user, context.job_directory}, {}, "", "0"}, kChownTimeout);
        if (!chowned || chowned->exit_code != 0) {
            return Error{"give the workspace to user " + image.user + ": " +
                         (chowned ? chowned->output : chowned.error().message)};
        }
    }
    if (::getuid() != 0 || !is_root_user(image.user)) {
        context.owner_on_close = std::to_string(::getuid()) + ":" + std::to_string(::getgid());
    }
    auto has_bash = client_.path_exists(context.primary_id, "/bin/bash");
    if (!has_bash) return Error{"look for /bin/bash: " + has_bash.error().message};
    context.shell = *has_bash ? "/bin/bash" : "/bin/sh";
    return {};
}

Result<std::unique_ptr<JobSession>> DockerExecutor::start(const JobSpec& job,
                                                          const OutputSink& output) {
    if (job.image.empty()) return Error{"the job names no docker image"};
    std::filesystem::path workspace =
        job.workspace.is_relative() ? work_dir_ / job.workspace : job.workspace;
    std::error_code error;
    if (!std::filesystem::is_directory(workspace, error)) {
        return Error{"workspace " + workspace.string() + " is not a directory"};
    }
    auto image = ensure_image(job.image, output);
    if (!image) return image.error();
    for (const auto& service : job.services) {
        if (auto pulled = ensure_image(service, output); !pulled) return pulled.error();
    }

    DockerJobContext context;
    context.attempt_id = job.attempt_id;
    context.home = image_home(*image);
    context.job_directory = resolve_job_directory(job.working_directory, context.home);
    context.environment = job.environment;
    CreatedContainers created(client_);
    workspace = std::filesystem::absolute(workspace).lexically_normal();
    if (Status started = start_containers(job, workspace, context, created); !started) {
        return started.error();
    }
    if (Status prepared = prepare_primary(*image, context); !prepared) return prepared.error();

    FMG_LOG(info) << "attempt=" << job.attempt_id << " started container "
                  << context.primary_id.substr(0, 12) << " from " << job.image << " with "
                  << job.services.size() << " service(s), shell " << context.shell;
    created.release();
    return std::unique_ptr<JobSession>(
        std::make_unique<DockerJobSession>(client_, std::move(context)));
}

size_t DockerExecutor::remove_orphans(const std::vector<int64_t>& attempts_to_keep) {
    auto containers = client_.list_containers(runner_name_.empty()
                                                  ? std::string(kAttemptLabel)
                                                  : std::string(kRunnerLabel) + "=" + runner_name_);
    if (!containers) {
        FMG_LOG(warn) << "cannot list containers to remove orphans: " << containers.error().message;
        return 0;
    }
    std::set<int64_t> keep(attempts_to_keep.begin(), attempts_to_keep.end());
    size_t removed = 0;
    for (const auto& container : *containers) {
        const std::string& label = container.labels.count(kAttemptLabel)
                                       ? container.labels.at(kAttemptLabel)
                                       : std::string();
        int64_t attempt = 0;
        auto [end, parse_error] =
            std::from_chars(label.data(), label.data() + label.size(), attempt);
        if (parse_error == std::errc() && end == label.data() + label.size() &&
            keep.count(attempt)) {
            continue;
        }
        if (Status gone = client_.remove_container(container.id); !gone) {
            FMG_LOG(warn) << "cannot remove orphan container " << container.id.substr(0, 12)
                          << " of attempt=" << label << ": " << gone.error().message;
            continue;
        }
        FMG_LOG(info) << "removed orphan container " << container.id.substr(0, 12)
                      << " of attempt=" << label;
        ++removed;
    }
    return removed;
}

}  // namespace fmg::agent
