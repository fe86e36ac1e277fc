#include "agent/executor/step_tools.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "agent/circleci/step_commands.h"
#include "agent/executor/shell_scratch.h"
#include "shared/helper_program.h"

namespace fmg::agent {
namespace {

constexpr const char* kAttemptPrefix = "attempt-";
constexpr mode_t kToolsDirectoryMode = 0700;
// Any uid may write it: a container's user is not the agent's. The directory keeps others
// on the host out.
constexpr mode_t kHaltFileMode = 0666;

Error os_error(const std::string& what, const std::filesystem::path& path, int error) {
    return Error{"cannot " + what + " " + path.string() + ": " + std::strerror(error)};
}

std::filesystem::path tools_root(const std::filesystem::path& work_dir) {
    return work_dir / "step-tools";
}

Status make_directory(const std::filesystem::path& path) {
    if (::mkdir(path.c_str(), kToolsDirectoryMode) != 0 && errno != EEXIST) {
        return os_error("create", path, errno);
    }
    return {};
}

}  // namespace

Result<std::filesystem::path> find_circleci_program() {
    return find_helper_program(circleci::kHelperProgramName, "fmg-agent");
}

std::filesystem::path step_tools_directory(const std::filesystem::path& work_dir, int64_t attempt) {
    return tools_root(work_dir) / (kAttemptPrefix + std::to_string(attempt));
}

Result<StepTools> create_step_tools(const std::filesystem::path& work_dir, int64_t attempt,
                                    const std::filesystem::path& program) {
    StepTools tools{std::filesystem::absolute(step_tools_directory(work_dir, attempt))};
    if (!remove_tree(tools.directory)) {
        return Error{"cannot remove the old " + tools.directory.string()};
    }
    std::error_code error;
    std::filesystem::create_directories(tools_root(work_dir), error);
    if (error)
        return Error{"cannot create " + tools_root(work_dir).string() + ": " + error.message()};
    for (const auto& directory : {tools.directory, tools.bin()}) {
        if (Status made = make_directory(directory); !made) return made.error();
    }
    for (const char* name : {circleci::kCircleciCommand, circleci::kCircleciAgentCommand}) {
        const auto link = tools.bin() / name;
        if (::symlink(program.c_str(), link.c_str()) != 0) {
            int failure = errno;
            remove_step_tools(tools);
            return os_error("create", link, failure);
        }
    }
    const auto halt = tools.halt_file();
    int fd = ::open(halt.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    int failure = fd < 0 ? errno : (::fchmod(fd, kHaltFileMode) == 0 ? 0 : errno);
    if (fd >= 0) ::close(fd);
    if (failure != 0) {
        remove_step_tools(tools);
        return os_error("create", halt, failure);
    }
    return tools;
}

bool halt_requested(const StepTools& tools) {
    if (tools.directory.empty()) return false;
    struct stat status {};
    return ::lstat(tools.halt_file().c_str(), &status) == 0 && status.st_size > 0;
}

void remove_step_tools(const StepTools& tools) {
    if (!tools.directory.empty()) remove_tree(tools.directory);
}

size_t remove_leftover_step_tools(const std::filesystem::path& work_dir,
                                  const std::vector<int64_t>& keep) {
    return remove_attempt_directories(tools_root(work_dir), keep);
}

}  // namespace fmg::agent
