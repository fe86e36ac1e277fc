// Mirror::fetch: bringing every branch and tag of the remote into the mirror.

#include <git2.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <system_error>

#include "shared/git/error.h"
#include "shared/git/file_lock.h"
#include "shared/git/mirror.h"
#include "shared/git/mirror_impl.h"
#include "shared/git/remote_callbacks.h"
#include "shared/git/url.h"
#include "shared/log.h"

namespace fmg::git {
namespace {

// Points the mirror's HEAD at the remote's default branch, so that `HEAD` resolves and
// checkouts get the same local branch a `git clone` would. Best effort: a remote that
// advertises no HEAD (or an empty one) leaves the mirror's HEAD as it was.
void follow_remote_head(const MirrorState& impl, git_remote* remote) {
    BufGuard branch;
    if (git_remote_default_branch(branch.get(), remote) < 0) return;
    git_reference* raw_ref = nullptr;
    if (git_reference_lookup(&raw_ref, impl.repo.get(), branch.c_str()) < 0) return;
    git_reference_free(raw_ref);
    if (int rc = git_repository_set_head(impl.repo.get(), branch.c_str()); rc < 0) {
        FMG_LOG(warn) << libgit2_error(
                             "git: point HEAD of " + impl.path.string() + " at " + branch.c_str(),
                             rc)
                             .message;
    }
}

int report_sideband(const char* /*text*/, int /*length*/, void* payload) {
    static_cast<RemoteSession*>(payload)->observer->progressed();
    return 0;
}

int report_transfer(const git_indexer_progress* /*stats*/, void* payload) {
    static_cast<RemoteSession*>(payload)->observer->progressed();
    return 0;
}

}  // namespace

Status Mirror::fetch(FetchObserver* observer) {
    const std::string action = "fetch " + impl_->display_url;
    auto lock = FileLock::acquire(impl_->lock_path, FileLock::Mode::exclusive);
    if (!lock) return Error{action + ": " + lock.error().message};
    const auto started = std::chrono::steady_clock::now();
    std::error_code ec;
    if (impl_->kind == UrlKind::local_path && !std::filesystem::is_directory(impl_->url, ec)) {
        // libgit2 would call a missing path an "unsupported URL protocol".
        return Error{action + ": no such directory"};
    }

    // An in-memory remote with the real URL: the one in the mirror's config has no
    // credentials.
    git_remote* raw_remote = nullptr;
    if (int rc = git_remote_create_anonymous(&raw_remote, impl_->repo.get(), impl_->url.c_str());
        rc < 0) {
        return libgit2_error(action, rc);
    }
    RemoteHandle remote(raw_remote);

    RemoteSession session;
    session.ssh_port = ssh_port(impl_->url);
    git_fetch_options options;
    git_fetch_options_init(&options, GIT_FETCH_OPTIONS_VERSION);
    install_remote_callbacks(options.callbacks, session);
    options.prune = GIT_FETCH_PRUNE;
    options.update_fetchhead = 0;
    options.proxy_opts.type = GIT_PROXY_AUTO;  // git config http.proxy, then https_proxy etc.

    // git_strarray is not const-correct; libgit2 only reads the strings.
    char* specs[] = {const_cast<char*>(kBranchesRefspec), const_cast<char*>(kTagsRefspec)};
    const git_strarray refspecs{specs, 2};

    git_error_clear();
    if (observer != nullptr) {
        session.observer = observer;
        options.callbacks.sideband_progress = report_sideband;
        options.callbacks.transfer_progress = report_transfer;
        // Connecting on its own first tells a server that never answers from a slow
        // transfer; git_remote_fetch then uses this connection.
        if (int rc = git_remote_connect(remote.get(), GIT_DIRECTION_FETCH, &options.callbacks,
                                        &options.proxy_opts, nullptr);
            rc < 0) {
            return libgit2_error(action, rc);
        }
        observer->connected();
    }
    if (int rc = git_remote_fetch(remote.get(), &refspecs, &options, nullptr); rc < 0) {
        return libgit2_error(action, rc);
    }
    follow_remote_head(*impl_, remote.get());

    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    const git_indexer_progress* stats = git_remote_stats(remote.get());
    FMG_LOG(info) << "git: fetched " << impl_->display_url << " into " << impl_->path.string()
                  << " in " << elapsed.count() << " ms (" << stats->received_objects << " objects, "
                  << stats->received_bytes << " bytes)";
    // The fetch stands even if merging fails: the mirror only reads more slowly.
    if (auto consolidated = consolidate_packs(*impl_); !consolidated) {
        FMG_LOG(warn) << "git: " << consolidated.error().message;
    }
    return {};
}

}  // namespace fmg::git
