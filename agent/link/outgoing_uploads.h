#pragma once
// The files the agent's jobs are uploading (PROTOCOL.md 11), owned by the link's event loop:
// each is sent in chunks from its spool file, at most a window ahead of what the coordinator
// acknowledged, sent again from the last ack after a reconnect or when acks stall (a chunk
// was lost), and ended with upload_end once every byte is acknowledged. The
// job runner that asked for an upload waits on its promise, which upload_done fulfils.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "protocol/messages.h"
#include "shared/clock.h"
#include "shared/result.h"

namespace fmg::agent {

/// How far past the coordinator's last ack an upload may run (PROTOCOL.md 11.3).
inline constexpr uint64_t kUploadWindowBytes = 4 * 1024 * 1024;
/// The bytes of one `upload` chunk.
inline constexpr size_t kUploadChunkBytes = 1024 * 1024;

/// What a job runner asks the link to upload; `done` gets the outcome.
struct UploadRequest {
    protocol::AttemptId attempt_id = 0;
    uint64_t upload_id = 0;
    std::filesystem::path file;  // the bytes, kept by the runner until `done` is set
    protocol::UploadKind kind = protocol::UploadKind::artifact;
    std::string path;
    uint64_t size = 0;
    std::string sha256;
    std::shared_ptr<std::promise<Status>> done;
};

class OutgoingUploads {
  public:
    using Send = std::function<void(const protocol::AgentMessage&)>;

    ~OutgoingUploads();

    /// Takes an upload and, when `connected`, sends its first window.
    void start(UploadRequest request, bool connected, const Send& send, SteadyTime now);
    void on_ack(const protocol::UploadAck& ack, const Send& send, SteadyTime now);
    /// Fulfils the upload's promise: stored, or the coordinator's reason.
    void on_done(const protocol::UploadDone& done);
    /// After a welcome: every upload goes on from its last ack (or sends its end again).
    void resend_all(const Send& send, SteadyTime now);
    /// Uploads without an ack for `timeout` go on from their last ack.
    void resend_stalled(const Send& send, SteadyTime now, Millis timeout);
    /// Ends the attempt's uploads with `why` (it was cancelled or handed back).
    void abandon_attempt(protocol::AttemptId attempt, const std::string& why);

  private:
    struct Outgoing {
        UploadRequest request;
        int fd = -1;
        uint64_t acked = 0;  // what the coordinator holds
        uint64_t next = 0;   // the next byte to send
        bool end_sent = false;
        SteadyTime progress_at{};
    };
    using Key = std::pair<protocol::AttemptId, uint64_t>;

    /// Sends chunks up to the window, or the end once all is acknowledged.
    void pump(Outgoing& upload, const Send& send);
    void finish(std::map<Key, Outgoing>::iterator it, Status outcome);

    std::map<Key, Outgoing> uploads_;
};

}  // namespace fmg::agent
