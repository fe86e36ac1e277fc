#pragma once
// An advisory flock(2) on a lock file, held for the lifetime of the object. Locks taken
// through separate FileLock objects exclude each other whether they are in one process
// (other threads) or in several.

#include <filesystem>

#include "shared/result.h"

namespace fmg::git {

class FileLock {
  public:
    enum class Mode {
        shared,     ///< many holders at once; excludes exclusive holders
        exclusive,  ///< one holder; excludes everyone else
    };

    /// Opens (creating it when missing) the lock file and blocks until the lock is held in
    /// `mode`. Fails when the file cannot be opened or locked.
    static Result<FileLock> acquire(const std::filesystem::path& path, Mode mode);

    FileLock(FileLock&& other) noexcept;
    FileLock& operator=(FileLock&& other) noexcept;
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    /// Releases the lock (closing the file releases it).
    ~FileLock();

  private:
    explicit FileLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace fmg::git
