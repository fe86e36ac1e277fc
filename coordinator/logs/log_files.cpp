#include "coordinator/logs/log_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace fmg::coordinator {
namespace {

constexpr size_t kCopyBuffer = 64 * 1024;

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what + ": " + std::strerror(errno));
}

}  // namespace

FileHandle& FileHandle::operator=(FileHandle&& other) noexcept {
    if (this != &other) {
        reset();
        fd_ = other.fd_;
        other.fd_ = -1;
    }
    return *this;
}

void FileHandle::reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

FileHandle open_file(const std::filesystem::path& path, int flags) {
    int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0640);
    if (fd < 0) fail("open " + path.string());
    return FileHandle(fd);
}

FileHandle open_if_exists(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) return FileHandle();
    if (fd < 0) fail("open " + path.string());
    return FileHandle(fd);
}

void write_at(const FileHandle& file, int64_t offset, std::string_view data,
              const std::string& what) {
    size_t written = 0;
    while (written < data.size()) {
        ssize_t n = ::pwrite(file.fd(), data.data() + written, data.size() - written,
                             static_cast<off_t>(offset + static_cast<int64_t>(written)));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(what);
        written += static_cast<size_t>(n);
    }
}

std::string read_at(const FileHandle& file, int64_t offset, size_t size, const std::string& what) {
    std::string data(size, '\0');
    size_t got = 0;
    while (got < size) {
        ssize_t n = ::pread(file.fd(), data.data() + got, size - got,
                            static_cast<off_t>(offset + static_cast<int64_t>(got)));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(what);
        if (n == 0) break;
        got += static_cast<size_t>(n);
    }
    data.resize(got);
    return data;
}

void copy_range(const FileHandle& from, int64_t from_offset, const FileHandle& to,
                int64_t to_offset, int64_t size, const std::string& what) {
    int64_t done = 0;
    while (done < size) {
        size_t want = static_cast<size_t>(std::min<int64_t>(kCopyBuffer, size - done));
        std::string piece = read_at(from, from_offset + done, want, what);
        if (piece.empty()) {
            throw std::runtime_error(what + ": the file ends " + std::to_string(size - done) +
                                     " bytes early");
        }
        write_at(to, to_offset + done, piece, what);
        done += static_cast<int64_t>(piece.size());
    }
}

void resize(const FileHandle& file, int64_t size, const std::string& what) {
    if (::ftruncate(file.fd(), static_cast<off_t>(size)) != 0) fail(what);
}

}  // namespace fmg::coordinator
