#include "agent/link/outgoing_fetches.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "shared/log.h"

namespace fmg::agent {

OutgoingFetches::~OutgoingFetches() {
    while (!fetches_.empty()) finish(fetches_.begin(), Error{"the agent is stopping"});
}

void OutgoingFetches::finish(std::map<Key, Pending>::iterator it, Result<uint64_t> outcome) {
    if (it->second.fd >= 0) ::close(it->second.fd);
    if (it->second.request.done) it->second.request.done->set_value(std::move(outcome));
    fetches_.erase(it);
}

void OutgoingFetches::start(FetchRequest request, bool connected, const Send& send,
                            SteadyTime now) {
    const Key key{request.attempt_id, request.fetch_id};
    Pending fetch;
    fetch.fd = ::open(request.file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    fetch.progress_at = now;
    fetch.request = std::move(request);
    auto [it, added] = fetches_.emplace(key, std::move(fetch));
    if (!added) return;
    if (it->second.fd < 0) {
        finish(it, Error{"cannot write " + it->second.request.file.string() + ": " +
                         std::strerror(errno)});
        return;
    }
    if (connected) fill_window(it->second, send);
}

void OutgoingFetches::ask(Pending& fetch, uint64_t chunk, const Send& send) {
    fetch.outstanding.insert(chunk);
    send(protocol::Fetch{fetch.request.attempt_id, fetch.request.fetch_id, fetch.request.sha256,
                         chunk * kFetchChunkBytes, kFetchChunkBytes});
}

void OutgoingFetches::fill_window(Pending& fetch, const Send& send) {
    if (!fetch.size) {
        if (fetch.outstanding.empty()) ask(fetch, fetch.next_chunk++, send);
        return;
    }
    const uint64_t chunks = (*fetch.size + kFetchChunkBytes - 1) / kFetchChunkBytes;
    while (fetch.outstanding.size() < kFetchWindowChunks && fetch.next_chunk < chunks) {
        ask(fetch, fetch.next_chunk++, send);
    }
}

void OutgoingFetches::on_data(const protocol::FetchData& data, const Send& send, SteadyTime now) {
    auto it = fetches_.find({data.attempt_id, data.fetch_id});
    if (it == fetches_.end()) return;
    Pending& fetch = it->second;
    if (!data.error.empty()) {
        finish(it, Error{data.error});
        return;
    }
    const uint64_t chunk = data.offset / kFetchChunkBytes;
    if (data.offset % kFetchChunkBytes != 0 || fetch.outstanding.erase(chunk) == 0) return;
    fetch.size = data.size;
    const uint64_t expected = data.offset >= data.size
                                  ? 0
                                  : std::min<uint64_t>(kFetchChunkBytes, data.size - data.offset);
    if (data.data.size() != expected) {
        finish(it, Error{"the coordinator sent " + std::to_string(data.data.size()) +
                         " bytes at offset " + std::to_string(data.offset) + ", not " +
                         std::to_string(expected)});
        return;
    }
    size_t written = 0;
    while (written < data.data.size()) {
        ssize_t n = ::pwrite(fetch.fd, data.data.data() + written, data.data.size() - written,
                             static_cast<off_t>(data.offset + written));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            finish(it, Error{"cannot write " + fetch.request.file.string() + ": " +
                             std::strerror(errno) + " (is the agent's disk full?)"});
            return;
        }
        written += static_cast<size_t>(n);
    }
    ++fetch.received_chunks;
    fetch.progress_at = now;
    const uint64_t chunks = (data.size + kFetchChunkBytes - 1) / kFetchChunkBytes;
    if (fetch.received_chunks >= chunks && fetch.outstanding.empty() &&
        fetch.next_chunk >= chunks) {
        finish(it, data.size);
        return;
    }
    fill_window(fetch, send);
}

void OutgoingFetches::resend_all(const Send& send, SteadyTime now) {
    for (auto& [key, fetch] : fetches_) {
        fetch.progress_at = now;
        const std::set<uint64_t> again = fetch.outstanding;
        for (uint64_t chunk : again) ask(fetch, chunk, send);
        fill_window(fetch, send);
    }
}

void OutgoingFetches::resend_stalled(const Send& send, SteadyTime now, Millis timeout) {
    for (auto& [key, fetch] : fetches_) {
        if (now - fetch.progress_at <= timeout) continue;
        FMG_LOG(warn) << "attempt=" << key.first << " fetch=" << key.second
                      << " no answer; asking again";
        fetch.progress_at = now;
        const std::set<uint64_t> again = fetch.outstanding;
        for (uint64_t chunk : again) ask(fetch, chunk, send);
        fill_window(fetch, send);
    }
}

void OutgoingFetches::abandon_attempt(protocol::AttemptId attempt, const std::string& why) {
    for (auto it = fetches_.lower_bound({attempt, 0});
         it != fetches_.end() && it->first.first == attempt;) {
        auto next = std::next(it);
        finish(it, Error{why});
        it = next;
    }
}

}  // namespace fmg::agent
