#pragma once
// The coordinator's embedded blob store (docs/files.md): every stored file (an artifact, and
// later a workspace layer or a cache) is one blob, a file named by the SHA-256 of its bytes
// under DATA/blobs/sha256/XX/, written once and never changed. Identical files are stored
// once. What each blob is (which artifact of which job) lives in SQLite (store/artifact_store.h).

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "shared/result.h"

namespace fmg::coordinator {

class BlobStore {
  public:
    /// The store under `root` (DATA/blobs); creates its folders. Throws
    /// std::filesystem::filesystem_error when it cannot (start-up).
    explicit BlobStore(std::filesystem::path root);

    /// Where the blob of `sha256` (64 lowercase hex digits, checked by the caller) lives.
    std::filesystem::path path_of(std::string_view sha256) const;
    /// Where uploads in progress are written (same file system, so adopting is a rename).
    const std::filesystem::path& uploads_dir() const { return uploads_; }

    bool contains(std::string_view sha256) const;

    /// Makes `file`, whose bytes have digest `sha256` (checked by the caller as they came
    /// in), the blob of that digest: flushes it to disk, renames it into place and flushes
    /// the folder, so a blob that exists is complete after a crash. When the blob exists
    /// already `file` is removed instead. Fails with the file system's reason (e.g. the disk
    /// is full), leaving `file` where it was.
    Status adopt(const std::filesystem::path& file, std::string_view sha256);

    /// Deletes the blob of `sha256` (nothing refers to it any more). A reader that has it
    /// open keeps reading it. Missing already: nothing to do.
    void remove(std::string_view sha256);

  private:
    std::filesystem::path root_;
    std::filesystem::path blobs_;
    std::filesystem::path uploads_;
};

/// The blob store's folder in the coordinator's data directory: DATA/blobs.
std::filesystem::path blobs_dir(const std::filesystem::path& data_dir);

/// Where the blob of `sha256` lives in the store at `root` (for readers on other threads,
/// which need no BlobStore).
std::filesystem::path blob_path(const std::filesystem::path& root, std::string_view sha256);

}  // namespace fmg::coordinator
