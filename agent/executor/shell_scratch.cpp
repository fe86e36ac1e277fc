#include "agent/executor/shell_scratch.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>

#include "agent/executor/shell_constants.h"

namespace fmg::agent {
namespace {

constexpr const char* kAttemptPrefix = "attempt-";

Error os_error(const std::string& what, const std::filesystem::path& path, int error) {
    return Error{"cannot " + what + " " + path.string() + ": " + std::strerror(error)};
}

}  // namespace

bool path_is_within(const std::filesystem::path& path, const std::filesystem::path& directory) {
    auto relative = path.lexically_normal().lexically_relative(directory.lexically_normal());
    return !relative.empty() && *relative.begin() != "..";
}

std::filesystem::path scratch_root(const std::filesystem::path& work_dir) {
    return work_dir / "shell-scratch";
}

std::filesystem::path scratch_directory(const std::filesystem::path& work_dir, int64_t attempt) {
    return scratch_root(work_dir) / (kAttemptPrefix + std::to_string(attempt));
}

Result<std::filesystem::path> ensure_blank_file(const std::filesystem::path& work_dir) {
    const auto root = scratch_root(work_dir);
    if (::mkdir(root.c_str(), kScratchDirectoryMode) != 0 && errno != EEXIST) {
        std::error_code ignored;
        std::filesystem::create_directories(work_dir, ignored);
        if (::mkdir(root.c_str(), kScratchDirectoryMode) != 0 && errno != EEXIST) {
            return os_error("create", root, errno);
        }
    }
    const auto blank = root / "blank";
    struct stat status {};
    if (::lstat(blank.c_str(), &status) == 0 && S_ISREG(status.st_mode) && status.st_size == 0 &&
        (status.st_mode & 07777) == 0 && status.st_uid == ::geteuid()) {
        return blank;
    }
    ::unlink(blank.c_str());
    // Mode 0 from the start: it is never readable, even by its owner without capabilities.
    int fd = ::open(blank.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0);
    if (fd < 0) return os_error("create", blank, errno);
    int error = ::fchmod(fd, 0) == 0 ? 0 : errno;
    ::close(fd);
    if (error != 0) return os_error("chmod", blank, error);
    return blank;
}

Result<std::filesystem::path> create_scratch(const std::filesystem::path& work_dir, int64_t attempt,
                                             const std::vector<std::filesystem::path>& inside) {
    const auto directory = scratch_directory(work_dir, attempt);
    if (!remove_tree(directory)) return Error{"cannot remove the old " + directory.string()};
    if (::mkdir(directory.c_str(), kScratchDirectoryMode) != 0) {
        return os_error("create", directory, errno);
    }
    for (const auto& relative : inside) {
        std::error_code error;
        std::filesystem::create_directories(directory / relative, error);
        if (error) {
            return Error{"cannot create " + (directory / relative).string() + ": " +
                         error.message()};
        }
    }
    return directory;
}

bool remove_tree(const std::filesystem::path& path) {
    struct stat status {};
    if (::lstat(path.c_str(), &status) != 0) return errno == ENOENT;
    if (S_ISDIR(status.st_mode)) {
        // A step may have left a directory it cannot be read or written: it is the agent's
        // user's, so the agent may give itself access back.
        ::chmod(path.c_str(), S_IRWXU);
        std::error_code error;
        std::vector<std::filesystem::path> entries;
        for (std::filesystem::directory_iterator it(path, error), end; !error && it != end;
             it.increment(error)) {
            entries.push_back(it->path());
        }
        for (const auto& entry : entries) remove_tree(entry);
    }
    return ::remove(path.c_str()) == 0 || errno == ENOENT;
}

size_t remove_attempt_directories(const std::filesystem::path& root,
                                  const std::vector<int64_t>& keep) {
    size_t removed = 0;
    std::error_code error;
    std::vector<std::filesystem::path> found;
    for (std::filesystem::directory_iterator it(root, error), end; !error && it != end;
         it.increment(error)) {
        found.push_back(it->path());
    }
    for (const auto& path : found) {
        const std::string name = path.filename().string();
        if (!name.starts_with(kAttemptPrefix)) continue;
        int64_t attempt = 0;
        const char* first = name.data() + std::strlen(kAttemptPrefix);
        auto [end, parse_error] = std::from_chars(first, name.data() + name.size(), attempt);
        if (parse_error == std::errc() && end == name.data() + name.size() &&
            std::find(keep.begin(), keep.end(), attempt) != keep.end()) {
            continue;
        }
        if (remove_tree(path)) ++removed;
    }
    return removed;
}

size_t remove_leftover_scratch(const std::filesystem::path& work_dir,
                               const std::vector<int64_t>& keep) {
    return remove_attempt_directories(scratch_root(work_dir), keep);
}

}  // namespace fmg::agent
