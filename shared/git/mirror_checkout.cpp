// Mirror::checkout: a job workspace, cloned from the mirror, HEAD detached at the commit.

#include <git2.h>

#include <chrono>
#include <string>
#include <system_error>

#include "shared/git/error.h"
#include "shared/git/file_lock.h"
#include "shared/git/mirror.h"
#include "shared/git/mirror_impl.h"
#include "shared/log.h"

namespace fmg::git {
namespace {

namespace fs = std::filesystem;

// Creates `destination` when missing; refuses anything but an empty directory otherwise.
// Sets `created` when this call made the directory.
Status prepare_destination(const fs::path& destination, const std::string& action, bool& created) {
    std::error_code ec;
    const auto status = fs::symlink_status(destination, ec);
    if (!fs::exists(status)) {
        fs::create_directories(destination, ec);
        if (ec) return Error{action + ": " + ec.message()};
        created = true;
        return {};
    }
    if (!fs::is_directory(status)) return Error{action + ": it exists and is not a directory"};
    if (!fs::is_empty(destination, ec) || ec) {
        return Error{action + ": the directory is not empty"};
    }
    return {};
}

// Leaves the destination as it was before a failed checkout: absent or empty.
void discard(const fs::path& destination, bool created) {
    std::error_code ec;
    if (created) {
        fs::remove_all(destination, ec);
        return;
    }
    for (const auto& entry : fs::directory_iterator(destination, ec)) {
        fs::remove_all(entry.path(), ec);
    }
}

// Clones the mirror into `destination` without checking anything out. The objects are
// copied, not hard-linked: a job that writes into its .git must not reach the mirror. The
// shared lock keeps a fetch from adding packs while they are copied.
Result<RepositoryHandle> clone_mirror(const MirrorState& impl, const fs::path& destination,
                                      const std::string& action) {
    auto lock = FileLock::acquire(impl.lock_path, FileLock::Mode::shared);
    if (!lock) return Error{action + ": " + lock.error().message};
    git_clone_options options;
    git_clone_options_init(&options, GIT_CLONE_OPTIONS_VERSION);
    options.local = GIT_CLONE_LOCAL_NO_LINKS;
    options.checkout_opts.checkout_strategy = GIT_CHECKOUT_NONE;
    git_repository* raw_repo = nullptr;
    git_error_clear();
    if (int rc = git_clone(&raw_repo, impl.path.c_str(), destination.c_str(), &options); rc < 0) {
        return libgit2_error(action, rc);
    }
    return RepositoryHandle(raw_repo);
}

Status detach_and_check_out(git_repository* repo, const git_oid& commit,
                            const std::string& display_url, const std::string& action) {
    if (int rc = git_remote_set_url(repo, kOriginRemote, display_url.c_str()); rc < 0) {
        return libgit2_error(action, rc);
    }
    if (int rc = git_repository_set_head_detached(repo, &commit); rc < 0) {
        return libgit2_error(action, rc);
    }
    git_checkout_options options;
    git_checkout_options_init(&options, GIT_CHECKOUT_OPTIONS_VERSION);
    options.checkout_strategy = GIT_CHECKOUT_FORCE;
    if (int rc = git_checkout_head(repo, &options); rc < 0) return libgit2_error(action, rc);
    return {};
}

}  // namespace

Status Mirror::checkout(const std::string& sha, const fs::path& destination) const {
    const std::string action =
        "check out " + sha + " of " + impl_->display_url + " into " + destination.string();
    const auto started = std::chrono::steady_clock::now();
    git_oid commit_id;
    {
        auto lock = lock_for_reading(*impl_, action);
        if (!lock) return lock.error();
        auto commit = find_commit(*impl_, sha, action);
        if (!commit) return commit.error();
        commit_id = *git_commit_id(commit->get());
    }

    bool created = false;
    if (auto prepared = prepare_destination(destination, action, created); !prepared) {
        return prepared;
    }
    auto workspace = clone_mirror(*impl_, destination, action);
    if (!workspace) {
        discard(destination, created);
        return workspace.error();
    }
    auto checked_out =
        detach_and_check_out(workspace->get(), commit_id, impl_->display_url, action);
    workspace->reset();
    if (!checked_out) {
        discard(destination, created);
        return checked_out;
    }
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof hex, &commit_id);
    FMG_LOG(info) << "git: checked out " << hex << " of " << impl_->display_url << " into "
                  << destination.string() << " in " << elapsed.count() << " ms";
    return {};
}

}  // namespace fmg::git
