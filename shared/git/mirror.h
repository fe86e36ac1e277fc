#pragma once
// A bare mirror of a remote repository, kept under a cache directory and fetched
// incrementally, through libgit2. The coordinator reads the pipeline config from it; the
// agent checks commits out of it into job workspaces. See docs/git-cache.md.
//
// Threads: a Mirror (like the git_repository inside it) is used by one thread at a time.
// Any number of Mirror objects may be open on the same directory, in one process or in
// several: fetches of one mirror are serialised by a lock file beside it, and reads never
// see a half-written fetch.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "shared/git/fetch_observer.h"
#include "shared/result.h"

namespace fmg::git {

/// Files larger than this are refused by Mirror::read_file (pipeline configs are far
/// smaller; the bound keeps a hostile repository from exhausting memory).
inline constexpr std::size_t kMaxReadFileBytes = 1024 * 1024;

struct MirrorState;  // mirror_impl.h; private to shared/git

/// Initialises libgit2 once per process; safe to call from any thread, any number of times.
/// Mirror::open calls it too.
void init_library();

class Mirror {
  public:
    /// Opens, or creates, the bare mirror of `url` under `cache_dir` (one sub-directory per
    /// URL, `<sha256 of the URL>-<name>.git`). Accepts https://, http://, git://, file://,
    /// absolute paths, and ssh (ssh://, user@host:path) when libgit2 has ssh support. Fails
    /// for other URLs, when the directory cannot be created, or when it holds a mirror of
    /// another URL. Does not contact the remote.
    static Result<Mirror> open(const std::filesystem::path& cache_dir, const std::string& url);

    Mirror(Mirror&&) noexcept;
    Mirror& operator=(Mirror&&) noexcept;
    ~Mirror();

    /// Fetches every branch and tag from the remote, forcing moved refs and pruning deleted
    /// ones. Safe against other processes and threads fetching the same mirror (a lock file
    /// serialises them; this call blocks while another fetch runs). Fails with "fetch URL:
    /// <libgit2's message>", with every credential removed from it. With an `observer`, it
    /// connects first and reports that, then each sign of progress of the transfer (from the
    /// fetching thread); libgit2 1.5 has no network timeouts, so a caller that needs one
    /// runs the fetch in a process it can kill (coordinator/preparer/fetch_helper.h).
    Status fetch(FetchObserver* observer = nullptr);

    /// Whether the commit (full or abbreviated sha) is in the mirror already, so a fetch can
    /// be skipped. False for anything that is not a commit sha.
    bool has_commit(const std::string& sha) const;

    /// Resolves a full or abbreviated sha, a branch, a tag (peeled to its commit) or any
    /// git revision expression to a full commit sha. Fails when it names nothing in the
    /// mirror or something that is not a commit.
    Result<std::string> resolve(const std::string& ref_or_sha) const;

    /// Reads a file from the tree of commit `sha` (full or abbreviated; never from a working
    /// copy). nullopt when nothing exists at `path` in that commit. Fails when the commit is
    /// not in the mirror, or when `path` is a directory, a symbolic link, a submodule, or a
    /// file larger than kMaxReadFileBytes.
    Result<std::optional<std::string>> read_file(const std::string& sha,
                                                 const std::string& path) const;

    /// Makes `destination` (which must not exist or be an empty directory) a git working tree
    /// of the repository: the files of commit `sha` with their executable bits, a `.git` with
    /// every branch as `origin/*` and every tag, HEAD detached at `sha`, and `origin` set to
    /// the remote URL without its credentials. Fails when the commit is not in the mirror or
    /// the destination is unusable; a failed checkout leaves no repository behind.
    Status checkout(const std::string& sha, const std::filesystem::path& destination) const;

    /// The mirror's directory.
    const std::filesystem::path& path() const;
    /// The URL as given to open(), credentials included: never log it, log display_url().
    const std::string& url() const;
    /// The URL without credentials, for logs and messages.
    const std::string& display_url() const;

  private:
    explicit Mirror(std::unique_ptr<MirrorState> state);
    std::unique_ptr<MirrorState> impl_;
};

}  // namespace fmg::git
