#pragma once
// Uploads in progress (PROTOCOL.md 11): the bytes an agent sends of one file, appended in
// order to DATA/blobs/uploads/ATTEMPT-UPLOAD.part and hashed as they come, until the agent's
// upload_end makes the file a blob. A partial file outlives coordinator restarts (the agent
// goes on from what it holds) and goes when its attempt ends. Owned by the agent loop's
// thread; a chunk costs one write() of at most 1 MiB, never a read of the whole file, except
// once after a restart to rebuild an upload's digest.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "coordinator/files/blob_store.h"
#include "protocol/messages.h"
#include "shared/crypto.h"
#include "shared/result.h"

namespace fmg::coordinator {

class UploadReceiver {
  public:
    /// Uploads into `store`, each at most `max_upload_bytes` long.
    UploadReceiver(BlobStore& store, uint64_t max_upload_bytes);
    ~UploadReceiver();
    UploadReceiver(const UploadReceiver&) = delete;
    UploadReceiver& operator=(const UploadReceiver&) = delete;

    /// Appends `data` when it starts where the upload stands, ignores it when it ends there
    /// or before (a duplicate) or starts past it (a gap; the agent sends on from the ack).
    /// Returns how many bytes the upload holds. Fails, and forgets the upload, when the
    /// upload would pass the size limit or the bytes cannot be written (e.g. the disk is
    /// full); every later chunk of it fails the same way.
    Result<uint64_t> receive(protocol::AttemptId attempt, uint64_t upload, uint64_t offset,
                             std::string_view data);

    /// What finish() found: the upload is stored as a blob, or it lacks bytes (it holds
    /// `held`; the agent sends the rest).
    struct Finish {
        bool stored = false;
        uint64_t held = 0;
    };
    /// Checks that the upload holds `size` bytes whose SHA-256 is `sha256` and makes them
    /// that blob. Fails when the bytes differ (the partial file is removed: the agent must
    /// start again) or the blob cannot be written.
    Result<Finish> finish(protocol::AttemptId attempt, uint64_t upload, uint64_t size,
                          std::string_view sha256);

    /// Ends the upload with `why` (the store is over its quota): its partial file is removed
    /// and every later chunk fails the same way.
    Error refuse(protocol::AttemptId attempt, uint64_t upload, std::string why);

    /// Removes what the attempt's uploads left (it ended).
    void forget_attempt(protocol::AttemptId attempt);
    /// Removes partial files of attempts not in `live` (at start-up: attempts that ended
    /// while the coordinator was down).
    void remove_partials_except(const std::set<protocol::AttemptId>& live);

    /// The partial file of an upload (for tests and logs).
    std::filesystem::path partial_path(protocol::AttemptId attempt, uint64_t upload) const;

  private:
    struct Partial {
        int fd = -1;
        uint64_t size = 0;
        crypto::Sha256 hash;
        std::optional<std::string> failure;  // sticky: why the upload cannot go on
    };
    using Key = std::pair<protocol::AttemptId, uint64_t>;

    /// The upload's state, opening (and after a restart rehashing) its partial file.
    Result<Partial*> open(const Key& key);
    void close(Partial& partial);
    Error fail(const Key& key, Partial& partial, std::string why);

    BlobStore& store_;
    uint64_t max_upload_bytes_;
    std::map<Key, Partial> partials_;
};

}  // namespace fmg::coordinator
