#include "agent/link/outgoing_uploads.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "shared/log.h"

namespace fmg::agent {

OutgoingUploads::~OutgoingUploads() {
    while (!uploads_.empty()) {
        finish(uploads_.begin(), Error{"the agent is stopping"});
    }
}

void OutgoingUploads::finish(std::map<Key, Outgoing>::iterator it, Status outcome) {
    if (it->second.fd >= 0) ::close(it->second.fd);
    if (it->second.request.done) it->second.request.done->set_value(std::move(outcome));
    uploads_.erase(it);
}

void OutgoingUploads::start(UploadRequest request, bool connected, const Send& send,
                            SteadyTime now) {
    const Key key{request.attempt_id, request.upload_id};
    Outgoing upload;
    upload.fd = ::open(request.file.c_str(), O_RDONLY | O_CLOEXEC);
    upload.progress_at = now;
    upload.request = std::move(request);
    auto [it, added] = uploads_.emplace(key, std::move(upload));
    if (!added) return;  // a runner never asks twice; ignore a repeat
    if (it->second.fd < 0) {
        finish(it, Error{"cannot read " + it->second.request.file.string() + ": " +
                         std::strerror(errno)});
        return;
    }
    if (connected) pump(it->second, send);
}

void OutgoingUploads::pump(Outgoing& upload, const Send& send) {
    const UploadRequest& request = upload.request;
    std::string chunk;
    while (upload.next < request.size && upload.next < upload.acked + kUploadWindowBytes) {
        const size_t n =
            static_cast<size_t>(std::min<uint64_t>(kUploadChunkBytes, request.size - upload.next));
        chunk.resize(n);
        ssize_t got = ::pread(upload.fd, chunk.data(), n, static_cast<off_t>(upload.next));
        if (got != static_cast<ssize_t>(n)) {
            // The spool file changed under the agent: nothing sound can be sent.
            FMG_LOG(error) << "attempt=" << request.attempt_id << " upload=" << request.upload_id
                           << " cannot read its spool file at byte " << upload.next;
            return;
        }
        send(protocol::Upload{request.attempt_id, request.upload_id, upload.next, chunk});
        upload.next += n;
    }
    if (upload.acked == request.size && !upload.end_sent) {
        send(protocol::UploadEnd{request.attempt_id, request.upload_id, request.kind, request.path,
                                 request.size, request.sha256});
        upload.end_sent = true;
    }
}

void OutgoingUploads::on_ack(const protocol::UploadAck& ack, const Send& send, SteadyTime now) {
    auto it = uploads_.find({ack.attempt_id, ack.upload_id});
    if (it == uploads_.end()) return;
    Outgoing& upload = it->second;
    if (ack.received > upload.request.size) return;  // not about this file
    if (ack.received > upload.acked) {
        upload.acked = ack.received;
        upload.progress_at = now;
        upload.next = std::max(upload.next, upload.acked);
    } else if (ack.received < upload.acked) {
        // The coordinator holds less than it acknowledged (its disk lost unflushed bytes in
        // a crash, or it answered an end with what it holds): go on from there. An ack that
        // merely repeats (a chunk past a gap) changes nothing: a lost chunk is sent again when
        // acks stall (resend_stalled), so repeats never multiply into resends.
        upload.acked = ack.received;
        upload.next = ack.received;
        upload.end_sent = false;
    }
    pump(upload, send);
}

void OutgoingUploads::on_done(const protocol::UploadDone& done) {
    auto it = uploads_.find({done.attempt_id, done.upload_id});
    if (it == uploads_.end()) return;
    finish(it, done.error.empty() ? Status{} : Status{Error{done.error}});
}

void OutgoingUploads::resend_all(const Send& send, SteadyTime now) {
    for (auto& [key, upload] : uploads_) {
        upload.next = upload.acked;
        upload.end_sent = false;
        upload.progress_at = now;
        pump(upload, send);
    }
}

void OutgoingUploads::resend_stalled(const Send& send, SteadyTime now, Millis timeout) {
    for (auto& [key, upload] : uploads_) {
        if (now - upload.progress_at <= timeout) continue;
        FMG_LOG(warn) << "attempt=" << key.first << " upload=" << key.second << " no answer for "
                      << std::chrono::duration_cast<Millis>(now - upload.progress_at).count()
                      << " ms; sending on from byte " << upload.acked;
        upload.next = upload.acked;
        upload.end_sent = false;
        upload.progress_at = now;
        pump(upload, send);
    }
}

void OutgoingUploads::abandon_attempt(protocol::AttemptId attempt, const std::string& why) {
    for (auto it = uploads_.lower_bound({attempt, 0});
         it != uploads_.end() && it->first.first == attempt;) {
        auto next = std::next(it);
        finish(it, Error{why});
        it = next;
    }
}

}  // namespace fmg::agent
