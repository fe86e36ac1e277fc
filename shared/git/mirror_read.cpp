// Reading the mirror: commits by sha, revisions, files from a commit's tree.

#include <git2.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>

#include "shared/git/error.h"
#include "shared/git/mirror.h"
#include "shared/git/mirror_impl.h"

namespace fmg::git {
namespace {

bool is_hex_sha(std::string_view text) {
    return text.size() >= GIT_OID_MINPREFIXLEN && text.size() <= GIT_OID_HEXSZ &&
           std::all_of(text.begin(), text.end(),
                       [](unsigned char c) { return std::isxdigit(c) != 0; });
}

std::string hex_of(const git_oid* oid) {
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof hex, oid);
    return hex;
}

}  // namespace

Result<CommitHandle> find_commit(const MirrorState& impl, std::string_view sha,
                                 std::string_view action) {
    const std::string prefix = std::string(action) + ": ";
    if (!is_hex_sha(sha)) return Error{prefix + "'" + std::string(sha) + "' is not a commit sha"};
    git_oid oid;
    if (int rc = git_oid_fromstrn(&oid, sha.data(), sha.size()); rc < 0) {
        return libgit2_error(action, rc);
    }
    git_commit* raw_commit = nullptr;
    int rc = git_commit_lookup_prefix(&raw_commit, impl.repo.get(), &oid, sha.size());
    if (rc == GIT_ENOTFOUND) {
        return Error{prefix + "no commit " + std::string(sha) + " in the mirror of " +
                     impl.display_url};
    }
    if (rc == GIT_EAMBIGUOUS) {
        return Error{prefix + "the abbreviated sha " + std::string(sha) + " is ambiguous"};
    }
    if (rc < 0) return libgit2_error(action, rc);
    return CommitHandle(raw_commit);
}

bool Mirror::has_commit(const std::string& sha) const {
    auto lock = lock_for_reading(*impl_, "has_commit");
    return lock.ok() && find_commit(*impl_, sha, "has_commit").ok();
}

Result<std::string> Mirror::resolve(const std::string& ref_or_sha) const {
    const std::string action =
        "resolve '" + ref_or_sha + "' in the mirror of " + impl_->display_url;
    if (ref_or_sha.empty()) return Error{action + ": the revision is empty"};
    auto lock = lock_for_reading(*impl_, action);
    if (!lock) return lock.error();
    git_object* raw_object = nullptr;
    int rc = git_revparse_single(&raw_object, impl_->repo.get(), ref_or_sha.c_str());
    if (rc == GIT_ENOTFOUND) return Error{action + ": no such branch, tag or commit"};
    if (rc < 0) return libgit2_error(action, rc);
    ObjectHandle object(raw_object);
    git_object* raw_commit = nullptr;
    if (rc = git_object_peel(&raw_commit, object.get(), GIT_OBJECT_COMMIT); rc < 0) {
        return Error{action + ": it does not name a commit"};
    }
    ObjectHandle commit(raw_commit);
    return hex_of(git_object_id(commit.get()));
}

Result<std::optional<std::string>> Mirror::read_file(const std::string& sha,
                                                     const std::string& path) const {
    const std::string action =
        "read " + path + " at " + sha + " from the mirror of " + impl_->display_url;
    if (path.empty() || path.front() == '/') {
        return Error{action + ": the path must be relative to the repository root"};
    }
    auto lock = lock_for_reading(*impl_, action);
    if (!lock) return lock.error();
    auto commit = find_commit(*impl_, sha, action);
    if (!commit) return commit.error();
    git_tree* raw_tree = nullptr;
    if (int rc = git_commit_tree(&raw_tree, commit->get()); rc < 0) {
        return libgit2_error(action, rc);
    }
    TreeHandle tree(raw_tree);
    git_tree_entry* raw_entry = nullptr;
    int rc = git_tree_entry_bypath(&raw_entry, tree.get(), path.c_str());
    if (rc == GIT_ENOTFOUND) return std::optional<std::string>{};
    if (rc < 0) return libgit2_error(action, rc);
    TreeEntryHandle entry(raw_entry);

    switch (git_tree_entry_filemode(entry.get())) {
        case GIT_FILEMODE_BLOB:
        case GIT_FILEMODE_BLOB_EXECUTABLE:
            break;
        case GIT_FILEMODE_TREE:
            return Error{action + ": it is a directory"};
        case GIT_FILEMODE_LINK:
            return Error{action + ": it is a symbolic link"};
        case GIT_FILEMODE_COMMIT:
            return Error{action + ": it is a submodule"};
        default:
            return Error{action + ": it is not a regular file"};
    }
    // Check the size from the object header before loading the whole blob into memory.
    git_odb* raw_odb = nullptr;
    if (rc = git_repository_odb(&raw_odb, impl_->repo.get()); rc < 0) {
        return libgit2_error(action, rc);
    }
    OdbHandle odb(raw_odb);
    size_t size = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    if (rc = git_odb_read_header(&size, &type, odb.get(), git_tree_entry_id(entry.get())); rc < 0) {
        return libgit2_error(action, rc);
    }
    if (size > kMaxReadFileBytes) {
        return Error{action + ": the file is " + std::to_string(size) +
                     " bytes, more than the limit of " + std::to_string(kMaxReadFileBytes)};
    }
    git_blob* raw_blob = nullptr;
    if (rc = git_blob_lookup(&raw_blob, impl_->repo.get(), git_tree_entry_id(entry.get()));
        rc < 0) {
        return libgit2_error(action, rc);
    }
    BlobHandle blob(raw_blob);
    const auto* bytes = static_cast<const char*>(git_blob_rawcontent(blob.get()));
    return std::optional<std::string>(
        std::string(bytes, static_cast<size_t>(git_blob_rawsize(blob.get()))));
}

}  // namespace fmg::git
