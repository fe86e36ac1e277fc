#include "agent/executor/shell_executor.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

#include "agent/executor/shell_job_execution.h"
#include "agent/executor/shell_scratch.h"
#include "agent/executor/shell_step_environment.h"
#include "agent/executor/shell_step_records.h"
#include "agent/executor/shell_step_sandbox.h"
#include "agent/executor/step_command.h"
#include "agent/executor/step_tools.h"

namespace fmg::agent {
namespace {

StepUser agent_user() {
    const passwd* entry = ::getpwuid(::getuid());
    StepUser user;
    if (const char* home = std::getenv("HOME"); home && *home) {
        user.home = home;
    } else if (entry && entry->pw_dir) {
        user.home = entry->pw_dir;
    } else {
        user.home = "/";
    }
    if (entry && entry->pw_name) user.name = entry->pw_name;
    return user;
}

}  // namespace

ShellExecutor::ShellExecutor(ShellExecutorOptions options) : options_(std::move(options)) {
    options_.work_dir = std::filesystem::absolute(options_.work_dir).lexically_normal();
    StepUser user = agent_user();
    home_ = user.home;
    base_environment_ =
        shell_step_base_environment(current_process_environment(), options_.pass_env, user);
}

Status ShellExecutor::check() const {
    return probe_step_sandbox();
}

std::optional<std::string> ShellExecutor::job_docker_host() const {
    if (options_.job_docker_socket.empty()) return std::nullopt;
    return "unix://" + options_.job_docker_socket;
}

Result<std::unique_ptr<JobExecution>> ShellExecutor::start(const JobSetup& job, const OutputSink&) {
    JobSetup spec = job;
    if (spec.workspace.is_relative()) spec.workspace = options_.work_dir / spec.workspace;
    spec.workspace = std::filesystem::absolute(spec.workspace).lexically_normal();
    std::error_code error;
    if (!std::filesystem::is_directory(spec.workspace, error)) {
        return Error{"workspace " + spec.workspace.string() + " is not a directory"};
    }
    auto blank = [this] {
        std::lock_guard lock(blank_mutex_);
        return ensure_blank_file(options_.work_dir);
    }();
    if (!blank) return blank.error();
    // In the steps' view the work dir holds only the workspace. When the home is in the work
    // dir, the steps' home is the job's own (empty at its start; the agent's real one stays
    // hidden): a scratch directory on disk, kept between the job's steps, stands for the work
    // dir. Otherwise nothing is made on disk (StepSandboxPaths::scratch).
    StepTools tools;
    if (!options_.circleci_program.empty()) {
        auto created =
            create_step_tools(options_.work_dir, spec.attempt_id, options_.circleci_program);
        if (!created) return created.error();
        tools = std::move(*created);
    }
    const std::filesystem::path home = std::filesystem::path(home_).lexically_normal();
    std::filesystem::path scratch;
    if (path_is_within(home, options_.work_dir)) {
        std::vector<std::filesystem::path> inside;
        for (const auto& path : {spec.workspace, home, tools.directory}) {
            if (path_is_within(path, options_.work_dir) && path != options_.work_dir) {
                inside.push_back(path.lexically_relative(options_.work_dir));
            }
        }
        auto created = create_scratch(options_.work_dir, spec.attempt_id, inside);
        if (!created) {
            remove_step_tools(tools);
            return created.error();
        }
        scratch = std::move(*created);
    }
    // The engine's sockets stay hidden unless this job may use the engine.
    std::vector<std::filesystem::path> hidden = options_.hidden_files;
    if (!spec.docker_engine || options_.job_docker_socket.empty()) {
        hidden.insert(hidden.end(), options_.docker_sockets.begin(), options_.docker_sockets.end());
    }
    StepSandboxPaths paths{
        options_.work_dir,           scratch,        spec.workspace, *blank, std::move(hidden),
        options_.hidden_directories, tools.directory};
    auto sandbox = StepSandbox::plan(paths, ::getuid(), ::getgid());
    if (!sandbox) {
        if (!scratch.empty()) remove_tree(scratch);
        remove_step_tools(tools);
        return sandbox.error();
    }
    std::string shell = ::access(kBash, X_OK) == 0 ? kBash : kSh;
    return std::unique_ptr<JobExecution>(std::make_unique<ShellJobExecution>(
        std::move(spec), std::move(shell), home_, step_records_directory(options_.work_dir),
        base_environment_, std::move(*sandbox), options_.work_dir, scratch, std::move(tools)));
}

size_t ShellExecutor::remove_orphans(const std::vector<int64_t>& attempts_to_keep) {
    size_t killed =
        kill_leftover_step_groups(step_records_directory(options_.work_dir), attempts_to_keep);
    remove_leftover_scratch(options_.work_dir, attempts_to_keep);
    remove_leftover_step_tools(options_.work_dir, attempts_to_keep);
    return killed;
}

}  // namespace fmg::agent
