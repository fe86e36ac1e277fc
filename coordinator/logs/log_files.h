#pragma once
// File plumbing for the log store and its readers: an owned file descriptor, positional
// reads and writes that finish or throw, and a copy between files.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace fmg::coordinator {

/// A file descriptor, closed when the handle is destroyed or replaced.
class FileHandle {
  public:
    FileHandle() = default;
    explicit FileHandle(int fd) : fd_(fd) {}
    ~FileHandle() { reset(); }
    FileHandle(FileHandle&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    FileHandle& operator=(FileHandle&& other) noexcept;
    FileHandle(const FileHandle&) = delete;
    FileHandle& operator=(const FileHandle&) = delete;

    int fd() const { return fd_; }
    bool is_open() const { return fd_ >= 0; }
    void reset();

  private:
    int fd_ = -1;
};

/// Opens `path` with `flags` (O_CLOEXEC is added; new files get mode 0640). Throws
/// std::runtime_error naming the file when it cannot.
FileHandle open_file(const std::filesystem::path& path, int flags);

/// Opens `path` for reading; an empty handle when it does not exist. Throws
/// std::runtime_error on any other error.
FileHandle open_if_exists(const std::filesystem::path& path);

/// Writes all of `data` at `offset`. Throws std::runtime_error with `what` when it cannot.
void write_at(const FileHandle& file, int64_t offset, std::string_view data,
              const std::string& what);

/// Reads up to `size` bytes at `offset`; fewer only at the end of the file. Throws
/// std::runtime_error with `what` on a read error.
std::string read_at(const FileHandle& file, int64_t offset, size_t size, const std::string& what);

/// Copies `size` bytes at `from_offset` of `from` to `to_offset` of `to`. Throws
/// std::runtime_error with `what` when a read or write fails or the source is too short.
void copy_range(const FileHandle& from, int64_t from_offset, const FileHandle& to,
                int64_t to_offset, int64_t size, const std::string& what);

/// Sets the file's size (cutting off, or never more than, `size`). Throws like write_at.
void resize(const FileHandle& file, int64_t size, const std::string& what);

}  // namespace fmg::coordinator
