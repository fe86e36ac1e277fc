// The agent loop's handlers for files agents send (PROTOCOL.md 11): chunks go to the upload
// receiver, and an upload's end becomes a blob and its record, durably, before the agent is
// told it is stored (principles: persist, then send).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "coordinator/agent_loop/agent_loop.h"
#include "coordinator/constants.h"
#include "coordinator/files/junit.h"
#include "coordinator/store/artifact_store.h"
#include "coordinator/store/cache_store.h"
#include "coordinator/store/pipeline_store.h"
#include "coordinator/store/retention_store.h"
#include "coordinator/store/test_result_store.h"
#include "coordinator/store/workspace_store.h"
#include "shared/log.h"
#include "shared/safe_path.h"

namespace fmg::coordinator {
namespace {

const char* detail_name(protocol::UploadKind kind) {
    switch (kind) {
        case protocol::UploadKind::artifact:
            return "artifact";
        case protocol::UploadKind::workspace_layer:
            return "workspace layer of";
        case protocol::UploadKind::test_results:
            return "test results";
        case protocol::UploadKind::cache_part:
            return "cache part for";
    }
    return "file";
}

}  // namespace

bool AgentLoop::may_read_cache_blob(const protocol::Fetch& fetch) {
    auto repo = cache_scope(fetch.attempt_id);
    return repo && caches::repo_holds_blob(db_, *repo, fetch.sha256);
}

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
    // Over the quota: least recently used caches make room, else the upload fails (what is
    // stored stays readable). Uploads in progress beside this one are not counted.
    const auto quota = static_cast<uint64_t>(settings_.store_quota_bytes);
    // What the store holds is read once per upload (at its first chunk), and only under a
    // quota: an upload's chunks and every upload without a quota cost no query.
    if (quota > 0 && upload.offset == 0) stored_bytes_ = retention::stored_bytes(db_);
    if (quota > 0 && static_cast<uint64_t>(stored_bytes_) + *held > quota &&
        !make_room(static_cast<int64_t>(*held))) {
        auto refused = uploads_.refuse(upload.attempt_id, upload.upload_id,
                                       "the coordinator's store is full: it holds " +
                                           std::to_string(stored_bytes_) +
                                           " bytes of its quota of " + std::to_string(quota) +
                                           " (--store-quota) and no cache it could evict");
        FMG_LOG(warn) << "runner=" << session.host << " attempt=" << upload.attempt_id
                      << " upload=" << upload.upload_id << " failed: " << refused.message;
        send(session.routing_id,
             protocol::UploadDone{upload.attempt_id, upload.upload_id, refused.message});
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
    if (artifacts::upload_recorded(db_, end.attempt_id, end.upload_id) ||
        workspaces::layer_recorded(db_, end.attempt_id, end.upload_id) ||
        test_results::upload_recorded(db_, end.attempt_id, end.upload_id) ||
        caches::upload_recorded(db_, end.attempt_id, end.upload_id)) {
        answer("");  // stored before; the agent missed the answer
        return;
    }
    // An artifact's path names it in the API; a layer's is only its root, for logs.
    auto unsafe =
        end.kind == protocol::UploadKind::artifact ? unsafe_path_reason(end.path) : std::nullopt;
    if (unsafe) {
        answer("artifact path '" + end.path + "' is refused: " + *unsafe);
        return;  // its partial file goes when the attempt ends
    }
    // A report is read in this thread when it is stored: its size is bounded.
    if (end.kind == protocol::UploadKind::test_results && end.size > kMaxTestResultsBytes) {
        answer("test results file " + end.path + " is larger than " +
               std::to_string(kMaxTestResultsBytes / (1024 * 1024)) + " MiB");
        return;
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
    const auto size = static_cast<int64_t>(end.size);
    if (end.kind == protocol::UploadKind::test_results) {
        std::ifstream report(blobs_.path_of(end.sha256), std::ios::binary);
        auto cases = parse_junit(report);
        if (!cases) {
            // The blob stays unreferenced until the store's clean-up; the step says why.
            answer(end.path + " is " + cases.error().message);
            return;
        }
        test_results::record(db_, {end.attempt_id, end.upload_id, end.path, end.sha256, size},
                             *cases, clock_.wall_ms());
        answer("");
        return;
    }
    if (end.kind == protocol::UploadKind::cache_part) {
        // Unreferenced until the step's cache_save names it (a step that fails before leaves
        // it to the store's clean-up).
        caches::record_upload(db_, {end.attempt_id, end.upload_id, end.sha256, size, end.path},
                              clock_.wall_ms());
    } else if (end.kind == protocol::UploadKind::workspace_layer) {
        workspaces::record_layer(db_, {end.attempt_id, end.upload_id, end.sha256, size, end.path},
                                 clock_.wall_ms());
    } else {
        artifacts::record(db_, {end.attempt_id, end.upload_id, end.path, end.sha256, size},
                          clock_.wall_ms());
    }
    FMG_LOG(debug) << "attempt=" << end.attempt_id << " stored " << detail_name(end.kind) << " "
                   << end.path << " (" << end.size << " bytes, sha256 " << end.sha256 << ")";
    answer("");
}

const std::set<std::string>& AgentLoop::readable_blobs(AttemptId attempt) {
    auto found = readable_blobs_.find(attempt);
    if (found != readable_blobs_.end()) return found->second;
    // Not known since the dispatch (a restart): the layers its job attaches, as then.
    std::set<std::string> readable;
    if (auto row = pipelines::find_attempt(db_, attempt)) {
        if (auto job = pipelines::find_job(db_, row->job_id)) {
            for (auto& layer : workspaces::layers_for(db_, *job)) readable.insert(layer);
        }
    }
    return readable_blobs_[attempt] = std::move(readable);
}

void AgentLoop::on_fetch(AgentSession& session, const protocol::Fetch& fetch) {
    if (!guard_attempt(session, fetch.attempt_id, "fetch")) return;
    protocol::FetchData answer{fetch.attempt_id, fetch.fetch_id, fetch.offset, 0, {}, {}};
    // An attempt reads only the blobs its assign named and its repository's caches: a runner
    // cannot read other jobs' files by guessing or learning their digests.
    if (readable_blobs(fetch.attempt_id).count(fetch.sha256) == 0 && !may_read_cache_blob(fetch)) {
        FMG_LOG(warn) << "runner=" << session.host << " attempt=" << fetch.attempt_id
                      << " asked for blob " << fetch.sha256 << ", which it may not read";
        answer.error = "blob " + fetch.sha256 + " is not one this attempt may read";
        send(session.routing_id, answer);
        return;
    }
    const auto path = blobs_.path_of(fetch.sha256);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        answer.error =
            "the coordinator cannot read blob " + fetch.sha256 + ": " + std::strerror(errno);
        send(session.routing_id, answer);
        return;
    }
    struct stat info {};
    ::fstat(fd, &info);
    answer.size = static_cast<uint64_t>(info.st_size);
    if (fetch.offset < answer.size) {
        const size_t length =
            static_cast<size_t>(std::min<uint64_t>(fetch.length, answer.size - fetch.offset));
        answer.data.resize(length);
        size_t done = 0;
        while (done < length) {
            ssize_t got = ::pread(fd, answer.data.data() + done, length - done,
                                  static_cast<off_t>(fetch.offset + done));
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) break;
            done += static_cast<size_t>(got);
        }
        if (done < length) {
            answer.data.clear();
            answer.error = "the coordinator cannot read blob " + fetch.sha256;
        }
    }
    ::close(fd);
    send(session.routing_id, answer);
}

}  // namespace fmg::coordinator
