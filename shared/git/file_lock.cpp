#include "shared/git/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace fmg::git {

Result<FileLock> FileLock::acquire(const std::filesystem::path& path, Mode mode) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        return Error{"open lock file " + path.string() + ": " + std::strerror(errno)};
    }
    const int operation = mode == Mode::shared ? LOCK_SH : LOCK_EX;
    while (::flock(fd, operation) != 0) {
        if (errno == EINTR) continue;
        std::string reason = std::strerror(errno);
        ::close(fd);
        return Error{"lock " + path.string() + ": " + reason};
    }
    return FileLock(fd);
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

FileLock::~FileLock() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace fmg::git
