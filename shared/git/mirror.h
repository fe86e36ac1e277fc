#pragma once
// A bare mirror of a remote repository, kept under a cache directory and fetched
// incrementally, through libgit2. The coordinator reads the pipeline config from it; the
// agent checks commits out of it into job workspaces.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "shared/result.h"

namespace fmg::git {

/// Initialises libgit2 once per process; safe to call from any thread, any number of times.
void init_library();

class Mirror {
  public:
    /// Opens, or creates, the bare mirror of `url` under `cache_dir` (one sub-directory per
    /// URL, named from a hash of it). Fails when the directory cannot be created.
    static Result<Mirror> open(const std::filesystem::path& cache_dir, const std::string& url);

    Mirror(Mirror&&) noexcept;
    Mirror& operator=(Mirror&&) noexcept;
    ~Mirror();

    /// Fetches every branch and tag from the remote. Safe against other processes and
    /// threads fetching the same mirror (a lock file serialises them). Fails with libgit2's
    /// message, with any credentials removed from it.
    Status fetch();

    /// Whether the commit is in the mirror already (so a fetch can be skipped).
    bool has_commit(const std::string& sha) const;

    /// Resolves a full or abbreviated sha, a branch or a tag to a full commit sha.
    Result<std::string> resolve(const std::string& ref_or_sha) const;

    /// Reads a file from the commit's tree (never from a working copy). nullopt when the
    /// file does not exist at that commit; an Error when the commit is unknown.
    Result<std::optional<std::string>> read_file(const std::string& sha,
                                                 const std::string& path) const;

    /// Makes `destination` (which must not exist or be empty) a git working tree of the
    /// repository with HEAD detached at `sha`, and `origin` pointing at the remote URL.
    Status checkout(const std::string& sha, const std::filesystem::path& destination) const;

    const std::filesystem::path& path() const;
    const std::string& url() const;

  private:
    struct Impl;
    explicit Mirror(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace fmg::git
