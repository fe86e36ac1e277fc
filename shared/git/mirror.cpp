// Mirror::open: finding or creating the mirror directory of a URL.

#include "shared/git/mirror.h"

#include <git2.h>

#include <system_error>
#include <utility>

#include "shared/git/error.h"
#include "shared/git/file_lock.h"
#include "shared/git/mirror_impl.h"
#include "shared/git/url.h"
#include "shared/log.h"

namespace fmg::git {
namespace {

namespace fs = std::filesystem;

Status check_transport_support(UrlKind kind, const std::string& url) {
    const int features = git_libgit2_features();
    if (kind == UrlKind::ssh && (features & GIT_FEATURE_SSH) == 0) {
        return Error{"open mirror of " + strip_credentials(url) +
                     ": this libgit2 was built without ssh support"};
    }
    if (kind == UrlKind::http && url.size() > 5 && (url[4] == 's' || url[4] == 'S') &&
        (features & GIT_FEATURE_HTTPS) == 0) {
        return Error{"open mirror of " + strip_credentials(url) +
                     ": this libgit2 was built without https support"};
    }
    return {};
}

// Initialises the bare repository in a scratch directory and renames it into place, so other
// processes see either no mirror or a complete one. Holds the mirror's lock meanwhile.
Status create_mirror(const MirrorState& impl) {
    auto lock = FileLock::acquire(impl.lock_path, FileLock::Mode::exclusive);
    if (!lock) return lock.error();
    std::error_code ec;
    if (fs::exists(impl.path, ec)) return {};  // another process created it meanwhile

    const fs::path scratch =
        impl.path.parent_path() / ("." + impl.path.filename().string() + ".creating");
    fs::remove_all(scratch, ec);  // left over by a process that died while creating
    const std::string action = "create mirror " + impl.path.string();

    git_repository_init_options options;
    git_repository_init_options_init(&options, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
    options.flags =
        GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
    git_repository* raw_repo = nullptr;
    if (int rc = git_repository_init_ext(&raw_repo, scratch.c_str(), &options); rc < 0) {
        return libgit2_error(action, rc);
    }
    RepositoryHandle repo(raw_repo);
    // The config records the URL without credentials (it is for people inspecting the
    // cache); fetch() connects with the URL it was given.
    git_remote* raw_remote = nullptr;
    if (int rc = git_remote_create_with_fetchspec(&raw_remote, repo.get(), kOriginRemote,
                                                  impl.display_url.c_str(), kBranchesRefspec);
        rc < 0) {
        return libgit2_error(action, rc);
    }
    RemoteHandle remote(raw_remote);
    if (int rc = git_remote_add_fetch(repo.get(), kOriginRemote, kTagsRefspec); rc < 0) {
        return libgit2_error(action, rc);
    }
    repo.reset();
    fs::rename(scratch, impl.path, ec);
    if (ec) return Error{action + ": " + ec.message()};
    FMG_LOG(info) << "git: created mirror " << impl.path.string() << " of " << impl.display_url;
    return {};
}

Status check_origin(const MirrorState& impl) {
    git_remote* raw_remote = nullptr;
    const std::string action = "open mirror " + impl.path.string();
    if (int rc = git_remote_lookup(&raw_remote, impl.repo.get(), kOriginRemote); rc < 0) {
        return libgit2_error(action, rc);
    }
    RemoteHandle remote(raw_remote);
    const char* recorded = git_remote_url(remote.get());
    if (recorded == nullptr || impl.display_url != recorded) {
        return Error{action + ": it mirrors " + strip_credentials(recorded ? recorded : "") +
                     ", not " + impl.display_url};
    }
    return {};
}

}  // namespace

Result<Mirror> Mirror::open(const fs::path& cache_dir, const std::string& url) {
    init_library();
    auto kind = classify_url(url);
    if (!kind) return Error{"open mirror: " + kind.error().message};
    if (auto supported = check_transport_support(*kind, url); !supported) {
        return supported.error();
    }
    std::error_code ec;
    fs::create_directories(cache_dir, ec);
    if (ec) return Error{"create cache directory " + cache_dir.string() + ": " + ec.message()};

    auto impl = std::make_unique<MirrorState>();
    const std::string name = mirror_dir_name(url);
    impl->path = fs::absolute(cache_dir / name, ec);
    if (ec) return Error{"open mirror in " + cache_dir.string() + ": " + ec.message()};
    impl->lock_path = impl->path.parent_path() / (name + ".lock");
    impl->url = url;
    impl->display_url = strip_credentials(url);
    impl->kind = *kind;

    if (!fs::exists(impl->path, ec)) {
        if (auto created = create_mirror(*impl); !created) return created.error();
    }
    // Read before opening: a consolidation in between only costs a needless reopen later.
    impl->pack_generation = read_pack_generation(impl->path);
    git_repository* raw_repo = nullptr;
    if (int rc = git_repository_open_bare(&raw_repo, impl->path.c_str()); rc < 0) {
        return libgit2_error("open mirror " + impl->path.string(), rc);
    }
    impl->repo.reset(raw_repo);
    if (auto origin = check_origin(*impl); !origin) return origin.error();
    return Mirror(std::move(impl));
}

Mirror::Mirror(std::unique_ptr<MirrorState> state) : impl_(std::move(state)) {}
Mirror::Mirror(Mirror&&) noexcept = default;
Mirror& Mirror::operator=(Mirror&&) noexcept = default;
Mirror::~Mirror() = default;

const fs::path& Mirror::path() const {
    return impl_->path;
}
const std::string& Mirror::url() const {
    return impl_->url;
}
const std::string& Mirror::display_url() const {
    return impl_->display_url;
}

}  // namespace fmg::git
