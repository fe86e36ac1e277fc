#pragma once
// Owning handles for libgit2 objects, so every early return frees what it looked up.

#include <git2.h>

#include <memory>

namespace fmg::git {

template <typename T, void (*Free)(T*)>
struct Freer {
    void operator()(T* object) const { Free(object); }
};

template <typename T, void (*Free)(T*)>
using Handle = std::unique_ptr<T, Freer<T, Free>>;

using RepositoryHandle = Handle<git_repository, git_repository_free>;
using RemoteHandle = Handle<git_remote, git_remote_free>;
using ObjectHandle = Handle<git_object, git_object_free>;
using CommitHandle = Handle<git_commit, git_commit_free>;
using TreeHandle = Handle<git_tree, git_tree_free>;
using TreeEntryHandle = Handle<git_tree_entry, git_tree_entry_free>;
using BlobHandle = Handle<git_blob, git_blob_free>;
using OdbHandle = Handle<git_odb, git_odb_free>;
using PackbuilderHandle = Handle<git_packbuilder, git_packbuilder_free>;

/// Frees the buffer's contents when it goes out of scope.
class BufGuard {
  public:
    BufGuard() = default;
    BufGuard(const BufGuard&) = delete;
    BufGuard& operator=(const BufGuard&) = delete;
    ~BufGuard() { git_buf_dispose(&buf_); }

    git_buf* get() { return &buf_; }
    const char* c_str() const { return buf_.ptr ? buf_.ptr : ""; }

  private:
    git_buf buf_ = GIT_BUF_INIT;
};

}  // namespace fmg::git
