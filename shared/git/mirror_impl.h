#pragma once
// The state behind a Mirror, shared by the files that implement its operations
// (mirror.cpp, mirror_read.cpp, mirror_fetch.cpp, mirror_checkout.cpp). Not for other users.

#include <git2.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "shared/git/file_lock.h"
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
    /// How many times the mirror's packs had been consolidated when `repo` was opened
    /// (mirror_packs.cpp): a repository opened before a consolidation may still list packs
    /// that are gone, and is opened again before its next read.
    uint64_t pack_generation = 0;
};

/// Most packs a mirror keeps before fetch() merges all but the largest into one. Every fetch
/// adds a pack and nothing else removes one; each pack's index is loaded when the mirror is
/// opened and searched on lookups, so without merging a mirror grows slower with every push.
inline constexpr size_t kMaxMirrorPacks = 16;

/// Merges every pack of the mirror but the largest (the first clone, usually) and those with
/// a .keep file into one new pack, deletes the merged ones and counts a consolidation, when
/// the mirror holds more than kMaxMirrorPacks packs. Every object of the merged packs is kept,
/// reachable or not. Call with the mirror's exclusive lock held; reopens `impl.repo`.
Status consolidate_packs(MirrorState& impl);

/// The mirror's consolidation count, as consolidate_packs() records it (0 before the first).
uint64_t read_pack_generation(const std::filesystem::path& mirror);

/// Takes the mirror's shared lock for a read (so packs are not consolidated under it), and
/// opens the repository again if packs were consolidated since it was opened.
Result<FileLock> lock_for_reading(MirrorState& impl, std::string_view action);

/// The commit named by a full or abbreviated hex sha. Fails with "ACTION: ..." when `sha` is
/// not hex, is ambiguous, or names no commit in the mirror.
Result<CommitHandle> find_commit(const MirrorState& impl, std::string_view sha,
                                 std::string_view action);

}  // namespace fmg::git
