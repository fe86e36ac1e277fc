#include "agent/executor/shell_executor.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

#include "agent/executor/shell_job_session.h"
#include "agent/executor/shell_step_records.h"
#include "agent/executor/step_command.h"

namespace fmg::agent {
namespace {

std::string agent_home() {
    if (const char* home = std::getenv("HOME"); home && *home) return home;
    if (const passwd* entry = ::getpwuid(::getuid()); entry && entry->pw_dir) return entry->pw_dir;
    return "/";
}

}  // namespace

ShellExecutor::ShellExecutor(std::filesystem::path work_dir) : work_dir_(std::move(work_dir)) {}

Result<std::unique_ptr<JobSession>> ShellExecutor::start(const JobSpec& job, const OutputSink&) {
    JobSpec spec = job;
    if (spec.workspace.is_relative()) spec.workspace = work_dir_ / spec.workspace;
    std::error_code error;
    if (!std::filesystem::is_directory(spec.workspace, error)) {
        return Error{"workspace " + spec.workspace.string() + " is not a directory"};
    }
    std::string shell = ::access(kBash, X_OK) == 0 ? kBash : kSh;
    return std::unique_ptr<JobSession>(std::make_unique<ShellJobSession>(
        std::move(spec), std::move(shell), agent_home(), step_records_directory(work_dir_)));
}

size_t ShellExecutor::remove_orphans(const std::vector<int64_t>& attempts_to_keep) {
    return kill_leftover_step_groups(step_records_directory(work_dir_), attempts_to_keep);
}

}  // namespace fmg::agent
