#pragma once
// The state behind a Mirror, shared by the files that implement its operations
// (mirror.cpp, mirror_read.cpp, mirror_fetch.cpp, mirror_checkout.cpp). Not for other users.

#include <git2.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "shared/git/handles.h"
#include "shared/git/mirror.h"
#include "shared/git/url.h"
#include "shared/result.h"

namespace fmg::git {

/// The remote name the mirror's config records the URL under.
inline constexpr const char* kOriginRemote = "origin";
/// What a fetch brings into the mirror: every branch and tag, under the same names, forced.
inline constexpr const char* kBranchesRefspec = "+refs/heads/*:refs/heads/*";
inline constexpr const char* kTagsRefspec = "+refs/tags/*:refs/tags/*";

struct MirrorState {
    std::filesystem::path path;       ///< the bare repository
    std::filesystem::path lock_path;  ///< flock()ed by fetches (exclusive) and checkouts (shared)
    std::string url;                  ///< as given, credentials included
    std::string display_url;          ///< without credentials
    UrlKind kind = UrlKind::http;
    RepositoryHandle repo;
};

/// The commit named by a full or abbreviated hex sha. Fails with "ACTION: ..." when `sha` is
/// not hex, is ambiguous, or names no commit in the mirror.
Result<CommitHandle> find_commit(const MirrorState& impl, std::string_view sha,
                                 std::string_view action);

}  // namespace fmg::git
