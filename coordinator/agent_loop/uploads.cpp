// The agent loop's handlers for files agents send (PROTOCOL.md 11): chunks go to the upload
// receiver, and an upload's end becomes a blob and its record, durably, before the agent is
// told it is stored (principles: persist, then send).

#include "coordinator/agent_loop/agent_loop.h"
#include "coordinator/store/artifact_store.h"
#include "shared/log.h"
#include "shared/safe_path.h"

namespace fmg::coordinator {

void AgentLoop::on_upload(AgentSession& session, const protocol::Upload& upload) {
    if (!guard_attempt(session, upload.attempt_id, "upload")) return;
    auto held = uploads_.receive(upload.attempt_id, upload.upload_id, upload.offset, upload.data);
    if (!held) {
        FMG_LOG(warn) << "runner=" << session.host << " attempt=" << upload.attempt_id
                      << " upload=" << upload.upload_id << " failed: " << held.error().message;
        send(session.routing_id,
             protocol::UploadDone{upload.attempt_id, upload.upload_id, held.error().message});
        return;
    }
    send(session.routing_id, protocol::UploadAck{upload.attempt_id, upload.upload_id, *held});
}

void AgentLoop::on_upload_end(AgentSession& session, const protocol::UploadEnd& end) {
    if (!guard_attempt(session, end.attempt_id, "upload_end")) return;
    auto answer = [&](std::string error) {
        send(session.routing_id,
             protocol::UploadDone{end.attempt_id, end.upload_id, std::move(error)});
    };
    if (artifacts::upload_recorded(db_, end.attempt_id, end.upload_id)) {
        answer("");  // stored before; the agent missed the answer
        return;
    }
    if (auto unsafe = unsafe_path_reason(end.path)) {
        answer("artifact path '" + end.path + "' is refused: " + *unsafe);
        return;  // its partial file goes when the attempt ends
    }
    auto finished = uploads_.finish(end.attempt_id, end.upload_id, end.size, end.sha256);
    if (!finished) {
        FMG_LOG(warn) << "runner=" << session.host << " attempt=" << end.attempt_id
                      << " upload=" << end.upload_id << " not stored: " << finished.error().message;
        answer(finished.error().message);
        return;
    }
    if (!finished->stored) {
        // Bytes are missing (a chunk was lost): the agent sends on from what is held.
        send(session.routing_id,
             protocol::UploadAck{end.attempt_id, end.upload_id, finished->held});
        return;
    }
    artifacts::record(
        db_, {end.attempt_id, end.upload_id, end.path, end.sha256, static_cast<int64_t>(end.size)},
        clock_.wall_ms());
    FMG_LOG(debug) << "attempt=" << end.attempt_id << " stored artifact " << end.path << " ("
                   << end.size << " bytes, sha256 " << end.sha256 << ")";
    answer("");
}

}  // namespace fmg::coordinator
