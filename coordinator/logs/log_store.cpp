#include "coordinator/logs/log_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "coordinator/store/pipeline_store.h"

namespace fmg::coordinator {

LogStore::LogStore(std::filesystem::path directory, Database& db, LogNotifier& notifier)
    : directory_(std::move(directory)), db_(db), notifier_(notifier) {
    std::filesystem::create_directories(directory_);
    // A crash between a write and its commit leaves bytes no one acknowledged; only attempts
    // still running can have them (an attempt ends after its whole log is committed).
    for (const AttemptRow& attempt : pipelines::active_attempts(db_)) {
        std::error_code ec;
        auto path = file_of(directory_, attempt.id);
        auto size = std::filesystem::file_size(path, ec);
        if (!ec && size > static_cast<uintmax_t>(attempt.log_bytes)) {
            std::filesystem::resize_file(path, static_cast<uintmax_t>(attempt.log_bytes), ec);
        }
    }
}

LogStore::~LogStore() {
    for (auto& [attempt, log] : open_) ::close(log.fd);
}

std::filesystem::path LogStore::file_of(const std::filesystem::path& directory, AttemptId attempt) {
    return directory / ("attempt-" + std::to_string(attempt) + ".log");
}

LogStore::OpenLog& LogStore::open(AttemptId attempt) {
    auto it = open_.find(attempt);
    if (it != open_.end()) return it->second;
    OpenLog log;
    if (auto row = pipelines::find_attempt(db_, attempt)) {
        log.last_seq = static_cast<uint64_t>(row->log_seq);
        log.bytes = row->log_bytes;
    }
    auto path = file_of(directory_, attempt);
    log.fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
    if (log.fd < 0) throw std::runtime_error("open " + path.string() + ": " + std::strerror(errno));
    // Drop bytes written but never committed (a crash between write and commit); the agent
    // still holds those chunks because they were never acknowledged.
    if (::ftruncate(log.fd, log.bytes) != 0 || ::lseek(log.fd, log.bytes, SEEK_SET) < 0) {
        ::close(log.fd);
        throw std::runtime_error("truncate " + path.string() + ": " + std::strerror(errno));
    }
    return open_.emplace(attempt, log).first->second;
}

uint64_t LogStore::append(AttemptId attempt, uint64_t seq, std::string_view data) {
    OpenLog& log = open(attempt);
    if (seq != log.last_seq + 1) return log.last_seq;  // a repeat, or past a gap
    size_t written = 0;
    while (written < data.size()) {
        ssize_t n = ::write(log.fd, data.data() + written, data.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            // Put the file back to its committed size so a retry appends cleanly.
            if (::ftruncate(log.fd, log.bytes) != 0 || ::lseek(log.fd, log.bytes, SEEK_SET) < 0) {
                ::close(log.fd);
                open_.erase(attempt);
            }
            throw std::runtime_error("write log of attempt " + std::to_string(attempt) + ": " +
                                     std::strerror(errno));
        }
        written += static_cast<size_t>(n);
    }
    log.last_seq = seq;
    log.bytes += static_cast<int64_t>(data.size());
    pipelines::set_attempt_log(db_, attempt, static_cast<int64_t>(seq), log.bytes);
    notifier_.notify();
    return log.last_seq;
}

void LogStore::close(AttemptId attempt) {
    auto it = open_.find(attempt);
    if (it == open_.end()) return;
    ::close(it->second.fd);
    open_.erase(it);
}

}  // namespace fmg::coordinator
