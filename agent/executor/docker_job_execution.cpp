#include "agent/executor/docker_job_execution.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "agent/circleci/step_commands.h"
#include "agent/docker/run_exec.h"
#include "agent/executor/step_command.h"
#include "agent/executor/working_directory.h"
#include "agent/files/tar_extract.h"
#include "shared/log.h"

namespace fmg::agent {
namespace {

using SteadyClock = std::chrono::steady_clock;
using docker::ExecStream;

// Limit of the helper execs (mkdir, chown, stopping a step's processes).
constexpr std::chrono::milliseconds kHelperTimeout{60'000};
// How long Docker may take to record an exec's exit code after its output ended.
constexpr std::chrono::milliseconds kExitCodeWait{10'000};

// Kills, inside the container, every process whose environment holds the marker passed as
// $1 ("FMG_STEP_ID=..."); repeated while it finds some, as a dying shell may have forked.
// Needs only a POSIX shell, /proc and tr, which every image that runs steps has.
constexpr const char* kKillMarkedProcesses = R"(marker="$1"
nl='
'
for pass in 1 2 3 4 5; do
  found=
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    [ "$pid" = "$$" ] && continue
    vars=$(tr '\0' '\n' < "$dir/environ" 2>/dev/null) || continue
    case "$nl$vars$nl" in
      *"$nl$marker$nl"*) kill -9 "$pid" 2>/dev/null && found=1 ;;
    esac
  done
  [ -n "$found" ] || break
done)";

// A step's command line: `/bin/sh` joins stderr to stdout, then becomes the step's shell.
// Docker carries the two streams on separate pipes, which would reorder an error message
// and the output around it; one pipe keeps the log in the order it was written, as the
// shell executor's is.
std::vector<std::string> step_argv(const std::string& shell, const RunStep& step) {
    std::vector<std::string> argv = {"/bin/sh", "-c", "exec \"$@\" 2>&1", "fmg-step"};
    for (auto& part : shell_argv(shell, step.shell, step.command)) argv.push_back(std::move(part));
    return argv;
}

}  // namespace

DockerJobExecution::DockerJobExecution(docker::DockerClient client, DockerJobContext context,
                                       std::shared_ptr<DockerNetworkPool> networks)
    : client_(std::move(client)), context_(std::move(context)), networks_(std::move(networks)) {}

DockerJobExecution::~DockerJobExecution() {
    close();
}

void DockerJobExecution::cancel() {
    cancelled_ = true;
    cancel_signal_.signal();
}

void DockerJobExecution::mark_broken(std::string reason) {
    std::lock_guard lock(broken_mutex_);
    if (broken_.empty()) broken_ = std::move(reason);
}

std::string DockerJobExecution::broken_reason() {
    std::lock_guard lock(broken_mutex_);
    return broken_;
}

std::string DockerJobExecution::next_marker() {
    return std::to_string(context_.attempt_id) + "-" + std::to_string(++steps_started_);
}

Result<std::string> DockerJobExecution::start_ssh_agent(const OutputSink& output) {
    // Where the container's ssh-agent listens: in the container's own /tmp, private to it.
    static constexpr const char* kSocket = "/tmp/fmg-ssh-agent/agent.sock";
    std::lock_guard lock(ssh_agent_mutex_);
    if (ssh_agent_started_) return std::string(kSocket);
    RunStep start;
    start.name = "ssh-agent";
    // ssh-agent forks into the background and closes its output, so the exec ends at once
    // and the agent lives on in the container.
    start.command =
        "if ! command -v ssh-agent >/dev/null 2>&1; then\n"
        "  echo \"fmg: add_ssh_keys: ssh-agent is not installed in this job's image (install "
        "openssh-client in it)\" >&2\n"
        "  exit 1\n"
        "fi\n"
        "mkdir -p /tmp/fmg-ssh-agent && chmod 700 /tmp/fmg-ssh-agent && "
        "ssh-agent -a /tmp/fmg-ssh-agent/agent.sock >/dev/null\n";
    const StepExit exit = run(start, output);
    if (exit.kind != StepExit::Kind::exited || exit.exit_code != 0) {
        return Error{exit.message.empty() ? "ssh-agent did not start in the job's container"
                                          : exit.message};
    }
    ssh_agent_started_ = true;
    return std::string(kSocket);
}

StepExit DockerJobExecution::run(const RunStep& step, const OutputSink& sink) {
    StepOutput output(sink);
    if (cancelled_) return {StepExit::Kind::cancelled, -1, "cancelled"};
    if (std::string broken = broken_reason(); !broken.empty()) {
        return executor_error(output, broken);
    }

    std::string directory =
        resolve_step_directory(context_.job_directory, step.working_directory, context_.home);
    if (directory != context_.job_directory) {
        if (Status created = ensure_directory(directory); !created) {
            return executor_error(output, "cannot create working directory " + directory + ": " +
                                              created.error().message);
        }
    }
    std::string marker = next_marker();
    Environment environment = step_environment(context_.environment, step.environment);
    environment[kStepMarkerVariable] = marker;
    if (!context_.tools.directory.empty()) {
        environment[circleci::kHaltFileVariable] = circleci::kContainerHaltFile;
    }
    auto exec_id = client_.create_exec(
        context_.primary_id, {step_argv(context_.shell, step), environment_list(environment),
                              directory, context_.step_user});
    if (!exec_id) return executor_error(output, "docker exec: " + exec_id.error().message);
    auto stream = client_.start_exec(*exec_id);
    if (!stream) return executor_error(output, "docker exec: " + stream.error().message);

    auto outcome = follow(*stream, step.no_output_timeout, step.stop_fd, output);
    if (!outcome) {
        return executor_error(output, "reading the step's output: " + outcome.error().message);
    }
    switch (*outcome) {
        case Outcome::cancelled:
            if (Status killed = client_.kill_container(context_.primary_id); !killed) {
                FMG_LOG(warn) << "attempt=" << context_.attempt_id
                              << " cannot kill the job container: " << killed.error().message;
            }
            return {StepExit::Kind::cancelled, -1, "cancelled"};
        case Outcome::stopped:
            if (!stop_step(*stream, std::string(kStepMarkerVariable) + "=" + marker, output)) {
                (void)client_.kill_container(context_.primary_id);
                mark_broken("the job container was stopped: a background step did not end");
            }
            return {StepExit::Kind::stopped, -1, "stopped"};
        case Outcome::timed_out: {
            if (!stop_step(*stream, std::string(kStepMarkerVariable) + "=" + marker, output)) {
                (void)client_.kill_container(context_.primary_id);
                mark_broken(
                    "the job container was stopped: a step did not end after its "
                    "no-output timeout");
            }
            std::string notice = no_output_timeout_notice(step.no_output_timeout);
            output.notice(notice);
            return {StepExit::Kind::no_output_timeout, -1, notice};
        }
        case Outcome::ended:
            break;
    }
    auto code = docker::wait_exec_exit(client_, *exec_id, SteadyClock::now() + kExitCodeWait);
    if (!code) return executor_error(output, "docker exec: " + code.error().message);
    StepExit exit{StepExit::Kind::exited, *code, {}};
    exit.halted = halt_requested(context_.tools);
    return exit;
}

Result<DockerJobExecution::Outcome> DockerJobExecution::follow(ExecStream& stream,
                                                               std::chrono::milliseconds limit,
                                                               int stop_fd, StepOutput& output) {
    // A step with a stop descriptor wakes on it; cancel() signals it too (job_runner.h), and
    // cancelled_ tells the two apart.
    const int interrupt_fd = stop_fd >= 0 ? stop_fd : cancel_signal_.fd();
    const bool limited = limit.count() > 0;
    auto last_output = SteadyClock::now();
    for (;;) {
        auto deadline = limited ? last_output + limit : SteadyClock::now() + std::chrono::hours(1);
        std::string chunk;
        auto next = stream.next(chunk, deadline, interrupt_fd);
        if (!next) return next.error();
        switch (*next) {
            case ExecStream::Next::output:
                output.write(chunk);
                last_output = SteadyClock::now();
                break;
            case ExecStream::Next::ended:
                return Outcome::ended;
            case ExecStream::Next::interrupted:
                return cancelled_ || stop_fd < 0 ? Outcome::cancelled : Outcome::stopped;
            case ExecStream::Next::timed_out:
                if (limited && SteadyClock::now() >= last_output + limit) return Outcome::timed_out;
                break;
        }
    }
}

bool DockerJobExecution::stop_step(ExecStream& stream, const std::string& marker,
                                   StepOutput& output) {
    docker::ExecSpec killer{
        {context_.shell, "-c", kKillMarkedProcesses, "fmg-stop-step", marker}, {}, "/", "0"};
    if (auto killed = docker::run_exec(client_, context_.primary_id, killer, kHelperTimeout);
        !killed) {
        FMG_LOG(warn) << "attempt=" << context_.attempt_id
                      << " cannot stop a silent step: " << killed.error().message;
    }
    auto deadline = SteadyClock::now() + kDockerStopGrace;
    for (;;) {
        std::string chunk;
        auto next = stream.next(chunk, deadline, cancel_signal_.fd());
        if (!next) return false;
        if (*next == ExecStream::Next::ended) return true;
        if (*next != ExecStream::Next::output) return false;
        output.write(chunk);
    }
}

Status DockerJobExecution::ensure_directory(const std::string& directory) {
    auto made =
        docker::run_exec(client_, context_.primary_id,
                         {{"mkdir", "-p", directory}, {}, "", context_.step_user}, kHelperTimeout);
    if (!made) return made.error();
    if (made->exit_code != 0) return Error{made->output.empty() ? "mkdir failed" : made->output};
    return {};
}

bool DockerJobExecution::empty_workspace() {
    // A cancel kills the primary; it keeps its mounts and starts again as it was created.
    if (Status started = client_.start_container(context_.primary_id); !started) {
        FMG_LOG(warn) << "attempt=" << context_.attempt_id
                      << " cannot start the job container to empty the workspace: "
                      << started.error().message;
        return false;
    }
    auto emptied = docker::run_exec(client_, context_.primary_id,
                                    {{"/bin/sh", "-c", kEmptyDirectoryScript, "fmg-empty-workspace",
                                      context_.job_directory, context_.agent_owner},
                                     {},
                                     "/",
                                     "0"},
                                    kHelperTimeout);
    if (!emptied || emptied->exit_code != 0) {
        FMG_LOG(warn) << "attempt=" << context_.attempt_id
                      << " cannot empty the workspace in the job container: "
                      << (emptied ? emptied->output : emptied.error().message);
        return false;
    }
    return true;
}

void DockerJobExecution::empty_workspace_in_fresh_container() {
    auto id = client_.create_container(context_.cleanup);
    if (!id) {
        FMG_LOG(warn) << "attempt=" << context_.attempt_id
                      << " cannot create a container to empty the workspace: "
                      << id.error().message;
        return;
    }
    Status started = client_.start_container(*id);
    auto code = started ? client_.wait_container(*id) : Result<int>(started.error());
    if (!code || *code != 0) {
        FMG_LOG(warn) << "attempt=" << context_.attempt_id
                      << " cannot empty the workspace in a fresh container: "
                      << (code ? "exit code " + std::to_string(*code) : code.error().message);
    } else {
        FMG_LOG(info) << "attempt=" << context_.attempt_id
                      << " emptied the workspace in a fresh container of "
                      << context_.cleanup.image;
    }
    (void)client_.remove_container(*id);
}

void DockerJobExecution::close() {
    cancel();
    std::lock_guard lock(close_mutex_);
    if (closed_) return;
    closed_ = true;
    if (context_.empty_workspace_on_close) {
        // The job container's own sh and rm are the job's to replace; the image's are not.
        std::error_code error;
        bool emptied = empty_workspace();
        if (!emptied || !std::filesystem::is_empty(context_.workspace, error) || error) {
            empty_workspace_in_fresh_container();
        }
    }
    std::vector<std::string> containers = context_.service_ids;
    containers.push_back(context_.primary_id);  // last: the services use its network
    for (const auto& id : containers) {
        if (Status removed = client_.remove_container(id); !removed) {
            FMG_LOG(warn) << "attempt=" << context_.attempt_id << " cannot remove container "
                          << id.substr(0, 12) << ": " << removed.error().message;
        }
    }
    remove_step_tools(context_.tools);
    // Removed after the job has reported: Docker takes ~200 ms over it.
    if (!context_.network.id.empty()) networks_->release(context_.network);
    FMG_LOG(info) << "attempt=" << context_.attempt_id << " removed " << containers.size()
                  << " container(s)";
}

}  // namespace fmg::agent

namespace fmg::agent {

Result<bool> DockerJobExecution::export_path(const std::string& path,
                                             const std::filesystem::path& archive) {
    const std::string resolved =
        resolve_step_directory(context_.job_directory, path, context_.home);
    FILE* out = std::fopen(archive.c_str(), "wb");
    if (out == nullptr) {
        return Error{"cannot write " + archive.string() + ": " + std::strerror(errno)};
    }
    auto exported = client_.export_archive(
        context_.primary_id, resolved, [&](std::string_view piece) -> Status {
            if (std::fwrite(piece.data(), 1, piece.size(), out) != piece.size()) {
                return Error{"cannot write " + archive.string() + ": " + std::strerror(errno)};
            }
            return {};
        });
    const bool closed = std::fclose(out) == 0;
    if (!exported)
        return Error{"cannot read " + resolved +
                     " from the job's container: " + exported.error().message};
    if (!closed) return Error{"cannot write " + archive.string() + ": " + std::strerror(errno)};
    return *exported;
}

Status DockerJobExecution::import_archive(const std::string& path,
                                          const std::filesystem::path& archive) {
    const std::string resolved =
        resolve_step_directory(context_.job_directory, path, context_.home);
    // Docker unpacks only into a folder that exists: the entries are renamed under the
    // folder's path and unpacked at `/`, which makes the folders on the way.
    const std::filesystem::path rooted = archive.string() + ".rooted";
    Status copied = copy_tar_with_prefix(archive, resolved.substr(1), rooted);
    Status imported = copied ? client_.import_archive(context_.primary_id, "/", rooted) : copied;
    std::error_code ec;
    std::filesystem::remove(rooted, ec);
    if (!imported) {
        return Error{"cannot unpack into " + resolved +
                     " in the job's container: " + imported.error().message};
    }
    return {};
}

}  // namespace fmg::agent
