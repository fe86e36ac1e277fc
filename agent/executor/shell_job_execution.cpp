#include "agent/executor/shell_job_execution.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "agent/circleci/step_commands.h"
#include "agent/executor/shell_scratch.h"
#include "agent/executor/shell_step_environment.h"
#include "agent/executor/shell_step_group.h"
#include "agent/executor/shell_step_records.h"
#include "agent/executor/step_command.h"
#include "agent/executor/working_directory.h"
#include "agent/files/tar_extract.h"
#include "agent/files/tar_writer.h"
#include "shared/log.h"

namespace fmg::agent {
namespace {

using SteadyClock = std::chrono::steady_clock;

// After the step's shell exits, how long the rest of its output may take to arrive.
constexpr std::chrono::milliseconds kDrainLimit{1000};

int poll_timeout_ms(SteadyClock::time_point deadline) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - SteadyClock::now());
    return static_cast<int>(std::clamp<long long>(left.count(), 0, 60'000));
}

// Waits for one descriptor until `deadline`; true when it became ready.
bool wait_readable(int fd, SteadyClock::time_point deadline) {
    for (;;) {
        pollfd entry{fd, POLLIN, 0};
        int count = ::poll(&entry, 1, poll_timeout_ms(deadline));
        if (count > 0) return true;
        if (count < 0 && errno != EINTR) return false;
        if (count == 0 && SteadyClock::now() >= deadline) return false;
    }
}

}  // namespace

ShellJobExecution::ShellJobExecution(JobSetup job, std::string shell, std::string home,
                                     std::filesystem::path records_directory,
                                     Environment base_environment, StepSandbox sandbox,
                                     std::filesystem::path work_dir, std::filesystem::path scratch,
                                     StepTools tools)
    : job_(std::move(job)),
      shell_(std::move(shell)),
      home_(std::move(home)),
      job_directory_(resolve_job_directory(job_.working_directory, home_)),
      records_directory_(std::move(records_directory)),
      base_environment_(std::move(base_environment)),
      sandbox_(std::move(sandbox)),
      work_dir_(std::move(work_dir)),
      scratch_(std::move(scratch)),
      tools_(std::move(tools)) {}

void ShellJobExecution::cancel() {
    cancelled_ = true;
    cancel_signal_.signal();
}

void ShellJobExecution::close() {
    cancel();
    if (closed_.exchange(true)) return;
    if (!scratch_.empty() && !remove_tree(scratch_)) {
        FMG_LOG(warn) << "attempt=" << job_.attempt_id << " cannot remove " << scratch_.string();
    }
    {
        std::lock_guard lock(ssh_agent_mutex_);
        ssh_agent_.reset();  // the keys go with it
    }
    remove_step_tools(tools_);
}

Result<std::string> ShellJobExecution::start_ssh_agent(const OutputSink& output) {
    (void)output;
    std::lock_guard lock(ssh_agent_mutex_);
    if (ssh_agent_) return ssh_agent_->socket().string();
    if (tools_.directory.empty()) return Error{"this job has no step tools directory for it"};
    auto started = HostSshAgent::start(tools_.ssh_agent_socket(), job_.attempt_id);
    if (!started) return started.error();
    ssh_agent_.emplace(std::move(*started));
    return ssh_agent_->socket().string();
}

std::vector<std::string> ShellJobExecution::process_environment(const RunStep& step) const {
    // Never the agent's own environment: the base is the allow-list.
    Environment merged =
        shell_step_environment(base_environment_, job_.environment, step.environment);
    // Last, so no configuration hides it: how an agent restarted after a crash recognises
    // the processes its predecessor's steps left (shell_step_records.h).
    merged[kAttemptMarkerVariable] = std::to_string(job_.attempt_id);
    if (!tools_.directory.empty()) {
        // First on whatever PATH the step ends up with, so `circleci` is always fmg's.
        std::string& path = merged["PATH"];
        path = tools_.bin().string() + (path.empty() ? "" : ":" + path);
        merged[circleci::kHaltFileVariable] = tools_.halt_file().string();
    }
    return environment_list(merged);
}

StepExit ShellJobExecution::run(const RunStep& step, const OutputSink& sink) {
    StepOutput output(sink);
    if (cancelled_) return {StepExit::Kind::cancelled, -1, "cancelled"};
    std::string directory = resolve_step_directory(job_directory_, step.working_directory, home_);
    std::filesystem::path host_directory =
        map_to_workspace(directory, job_directory_, job_.workspace);
    // The step sees the job's scratch directory at the work dir: a directory there (e.g.
    // under a home in the work dir), unless in the workspace, is made in the scratch one.
    std::filesystem::path created = host_directory;
    if (path_is_within(host_directory, work_dir_) &&
        !path_is_within(host_directory, job_.workspace)) {
        if (scratch_.empty()) {
            // Without a scratch directory the steps' view of the work dir is read-only.
            return executor_error(output, "working directory " + host_directory.string() +
                                              " is in the agent's work dir, outside the job's "
                                              "workspace; steps see only the workspace there");
        }
        created = scratch_ / host_directory.lexically_relative(work_dir_);
    }
    std::error_code error;
    std::filesystem::create_directories(created, error);
    if (error) {
        return executor_error(output, "cannot create working directory " + host_directory.string() +
                                          ": " + error.message());
    }
    // Declared before the child: the child is reaped first, then the group's rest killed.
    auto group = ShellStepGroup::start(records_directory_, job_.attempt_id);
    if (!group) return executor_error(output, group.error().message);
    SpawnRequest spawn;
    spawn.argv = shell_argv(shell_, step.shell, step.command);
    spawn.env = process_environment(step);
    spawn.working_directory = host_directory;
    spawn.process_group = (*group)->id();
    spawn.sandbox = &sandbox_;
    auto child = ChildProcess::spawn(spawn);
    if (!child) return executor_error(output, child.error().message);
    return supervise(*child, step, output);
}

size_t ShellJobExecution::read_output(ChildProcess& child, StepOutput& output) {
    char buffer[64 * 1024];
    size_t total = 0;
    for (;;) {
        ssize_t n = ::read(child.output_fd(), buffer, sizeof(buffer));
        if (n > 0) {
            output.write(std::string_view(buffer, static_cast<size_t>(n)));
            total += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return total;
        child.close_output();  // end of stream, or an error that ends it
        return total;
    }
}

void ShellJobExecution::stop(ChildProcess& child) {
    child.signal_group(SIGTERM);
    wait_readable(child.exit_fd(), SteadyClock::now() + kShellStopGrace);
    child.signal_group(SIGKILL);  // also whatever ignored SIGTERM or outlived the shell
    (void)child.reap();
}

StepExit ShellJobExecution::supervise(ChildProcess& child, const RunStep& step,
                                      StepOutput& output) {
    const auto limit = step.no_output_timeout;
    const bool limited = limit.count() > 0;
    auto last_output = SteadyClock::now();
    for (;;) {
        // The output descriptor last: it is left out once the pipe is closed.
        pollfd fds[4] = {{cancel_signal_.fd(), POLLIN, 0},
                         {child.exit_fd(), POLLIN, 0},
                         {step.stop_fd, POLLIN, 0},
                         {child.output_fd(), POLLIN, 0}};
        nfds_t count = child.output_fd() >= 0 ? 4 : 3;
        int ready = ::poll(fds, count, limited ? poll_timeout_ms(last_output + limit) : -1);
        if (ready < 0 && errno != EINTR) {
            stop(child);
            return executor_error(output, std::string("poll: ") + std::strerror(errno));
        }
        if (fds[0].revents & POLLIN) {
            stop(child);
            return {StepExit::Kind::cancelled, -1, "cancelled"};
        }
        if (fds[2].revents & POLLIN) {
            stop(child);
            return {StepExit::Kind::stopped, -1, "stopped"};
        }
        if (count == 4 && fds[3].revents != 0) {
            // Everything the shell wrote before exiting is read here, before the exit check.
            if (read_output(child, output) > 0) last_output = SteadyClock::now();
        }
        if (fds[1].revents != 0) {
            // The shell exited: what it left running in its group ends with the step; the
            // output those processes wrote is still in the pipe.
            child.signal_group(SIGKILL);
            auto drain_deadline = SteadyClock::now() + kDrainLimit;
            while (child.output_fd() >= 0 && wait_readable(child.output_fd(), drain_deadline)) {
                read_output(child, output);
            }
            auto code = child.reap();
            if (!code) return executor_error(output, code.error().message);
            StepExit exit{StepExit::Kind::exited, *code, {}};
            exit.halted = halt_requested(tools_);
            return exit;
        }
        if (limited && SteadyClock::now() >= last_output + limit) {
            stop(child);
            std::string notice = no_output_timeout_notice(limit);
            output.notice(notice);
            return {StepExit::Kind::no_output_timeout, -1, notice};
        }
    }
}

}  // namespace fmg::agent

namespace fmg::agent {

std::filesystem::path ShellJobExecution::host_path(const std::string& path) const {
    const std::string resolved = resolve_step_directory(job_directory_, path, home_);
    std::filesystem::path host = map_to_workspace(resolved, job_directory_, job_.workspace);
    // What steps made in the work dir outside the workspace is in the scratch directory
    // (as run() maps their working directories).
    if (!scratch_.empty() && path_is_within(host, work_dir_) &&
        !path_is_within(host, job_.workspace)) {
        host = scratch_ / host.lexically_relative(work_dir_);
    }
    return host;
}

Result<std::filesystem::path> ShellJobExecution::file_step_path(const std::string& path) const {
    const std::filesystem::path host = host_path(path).lexically_normal();
    std::error_code ec;
    // Every symbolic link on the way is resolved, so a link in the workspace cannot lead
    // elsewhere; the last part stays as it is (archived as a link, never followed).
    const std::filesystem::path parent = std::filesystem::weakly_canonical(
        host.has_filename() ? host.parent_path() : host.parent_path().parent_path(), ec);
    if (ec) return Error{"cannot resolve " + path + ": " + ec.message()};
    const std::filesystem::path real = host.has_filename() ? parent / host.filename() : parent;
    auto real_of = [&ec](const std::filesystem::path& place) {
        return std::filesystem::weakly_canonical(place, ec);
    };
    auto refused = [&](const std::string& why) {
        return Error{path + " (" + real.string() + " on the runner) " + why};
    };
    for (const auto& hidden : sandbox_.hidden()) {
        if (path_is_within(real, real_of(hidden)) || path_is_within(real_of(hidden), real)) {
            return refused("holds what the sandbox hides from steps");
        }
    }
    if (path_is_within(real, real_of(job_.workspace)) ||
        (!scratch_.empty() && path_is_within(real, real_of(scratch_)))) {
        return real;
    }
    // The rest of the work dir is other jobs' workspaces, the mirrors and the log spool.
    if (!path_is_within(real, real_of(work_dir_)) && path_is_within(real, real_of("/tmp"))) {
        return real;
    }
    return refused(
        "is outside what a shell runner's file steps may read or write: the job's working "
        "directory, the agent's work dir as the job sees it, and /tmp");
}

Status ShellJobExecution::import_archive(const std::string& path,
                                         const std::filesystem::path& archive) {
    auto target = file_step_path(path);
    if (!target) return target.error();
    return extract_tar_into(archive, *target);
}

Result<bool> ShellJobExecution::export_path(const std::string& path,
                                            const std::filesystem::path& archive) {
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::symlink_status(host_path(path), ec))) {
        return false;
    }
    auto source = file_step_path(path);
    if (!source) return source.error();
    if (Status written = write_tar_of(*source, archive); !written) return written.error();
    return true;
}

}  // namespace fmg::agent
