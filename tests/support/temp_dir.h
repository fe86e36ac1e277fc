#pragma once
// A fresh directory per test, removed afterwards (kept when FMG_KEEP_TEST_DIRS is set, so a
// failed run's logs, databases and workspaces can be read).

#include <filesystem>
#include <string>

namespace fmg::testing {

class TempDir {
  public:
    /// Creates `$TMPDIR/PREFIX-XXXXXX` (or under /tmp). Throws std::runtime_error on failure.
    explicit TempDir(const std::string& prefix = "fmg-it");
    /// Removes the directory tree, unless FMG_KEEP_TEST_DIRS is set (then says where it is).
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    /// path() / relative.
    std::filesystem::path operator/(const std::filesystem::path& relative) const {
        return path_ / relative;
    }

  private:
    std::filesystem::path path_;
};

}  // namespace fmg::testing
