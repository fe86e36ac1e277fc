#include "coordinator/logs/log_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "coordinator/domain/states.h"
#include "coordinator/store/log_chunk_store.h"
#include "coordinator/store/pipeline_store.h"
#include "shared/log.h"

namespace fmg::coordinator {
namespace {

/// (attempt, generation) of a tail file's name "attempt-N.tail-G"; nullopt for other files.
std::optional<std::pair<AttemptId, int64_t>> parse_tail_name(const std::string& name) {
    const std::string prefix = "attempt-";
    const std::string middle = ".tail-";
    if (name.rfind(prefix, 0) != 0) return std::nullopt;
    auto dot = name.find(middle, prefix.size());
    if (dot == std::string::npos) return std::nullopt;
    std::string attempt = name.substr(prefix.size(), dot - prefix.size());
    std::string generation = name.substr(dot + middle.size());
    auto all_digits = [](const std::string& s) {
        return !s.empty() && s.size() < 19 &&
               std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (!all_digits(attempt) || !all_digits(generation)) return std::nullopt;
    return std::pair{std::stoll(attempt), std::stoll(generation)};
}

/// Cuts `path` back to `size` when it is longer (bytes a crash left uncommitted).
void cut_back(const std::filesystem::path& path, int64_t size) {
    std::error_code ec;
    auto actual = std::filesystem::file_size(path, ec);
    if (!ec && actual > static_cast<uintmax_t>(size)) {
        std::filesystem::resize_file(path, static_cast<uintmax_t>(size));
    }
}

}  // namespace

LogStore::LogStore(std::filesystem::path directory, Database& db, LogNotifier& notifier,
                   int64_t cap_bytes, int64_t in_db_bytes)
    : directory_(std::move(directory)),
      db_(db),
      notifier_(notifier),
      cap_(cap_bytes),
      in_db_bytes_(std::min(in_db_bytes, log_head_limit(cap_bytes))) {
    std::filesystem::create_directories(directory_);
    recover();
}

std::filesystem::path LogStore::file_of(const std::filesystem::path& directory, AttemptId attempt) {
    return directory / ("attempt-" + std::to_string(attempt) + ".log");
}

std::filesystem::path LogStore::tail_file_of(const std::filesystem::path& directory,
                                             AttemptId attempt, int64_t generation) {
    return directory /
           ("attempt-" + std::to_string(attempt) + ".tail-" + std::to_string(generation));
}

void LogStore::recover() {
    // A crash between a write and its commit leaves bytes no one acknowledged; only attempts
    // still running can have them (an attempt ends after its whole log is committed).
    for (const AttemptRow& attempt : pipelines::active_attempts(db_)) {
        if (attempt.log_in_db) {
            // A file is from a move to it that a crash kept from being committed (moves
            // happen while an attempt runs, so only running attempts can have one).
            std::error_code ignored;
            std::filesystem::remove(file_of(directory_, attempt.id), ignored);
            continue;
        }
        cut_back(file_of(directory_, attempt.id), attempt.log_bytes);
        if (attempt.log_cap != 0) {
            cut_back(tail_file_of(directory_, attempt.id, attempt.log_tail_gen),
                     attempt.log_tail_bytes);
        }
    }
    // A crash around a compaction leaves a generation the index does not name; one between an
    // attempt's end and close() leaves its tail longer than what readers show.
    std::vector<std::pair<AttemptId, int64_t>> tails;
    for (const auto& entry : std::filesystem::directory_iterator(directory_)) {
        if (auto tail = parse_tail_name(entry.path().filename().string())) tails.push_back(*tail);
    }
    for (const auto& [attempt, generation] : tails) {
        auto row = pipelines::find_attempt(db_, attempt);
        if (!row || row->log_cap == 0 || row->log_tail_gen != generation) {
            std::error_code ignored;
            std::filesystem::remove(tail_file_of(directory_, attempt, generation), ignored);
        } else if (is_terminal(row->status) && row->log_tail_bytes > log_tail_keep(row->log_cap)) {
            close(attempt);
        }
    }
}

LogStore::OpenLog& LogStore::open(AttemptId attempt) {
    auto it = open_.find(attempt);
    if (it != open_.end()) return it->second;
    OpenLog log;
    if (auto row = pipelines::find_attempt(db_, attempt)) log.index = log_index_of(*row);
    auto head_path = file_of(directory_, attempt);
    if (log.index.in_db) {
        // A file now is from a move to it that was never committed.
        std::error_code ignored;
        std::filesystem::remove(head_path, ignored);
        return open_.emplace(attempt, std::move(log)).first->second;
    }
    // Drop bytes written but never committed (a crash between write and commit); the agent
    // still holds those chunks because they were never acknowledged.
    log.head = open_file(head_path, O_RDWR | O_CREAT);
    resize(log.head, log.index.head_bytes, "cut back " + head_path.string());
    if (log.index.cap != 0) {
        // No O_CREAT: the committed tail must be there.
        auto tail_path = tail_file_of(directory_, attempt, log.index.tail_gen);
        log.tail = open_file(tail_path, O_RDWR);
        resize(log.tail, log.index.tail_bytes, "cut back " + tail_path.string());
    }
    return open_.emplace(attempt, std::move(log)).first->second;
}

uint64_t LogStore::append(AttemptId attempt, uint64_t seq, std::string_view data) {
    OpenLog& log = open(attempt);
    if (seq != static_cast<uint64_t>(log.index.seq) + 1) {
        return static_cast<uint64_t>(log.index.seq);  // a repeat, or past a gap
    }
    const bool was_in_db = log.index.in_db;
    try {
        db_.transaction([&] {
            FileHandle new_tail;
            LogIndex next = write_chunk(attempt, log, seq, data, new_tail);
            commit(attempt, log, next, std::move(new_tail));
        });
    } catch (...) {
        // Nothing was committed. Reopening cuts the files back to the committed index, so
        // the agent's resend of this chunk (it was not acknowledged) appends cleanly. A file
        // written by a move that failed goes now: the log may never be appended to again.
        open_.erase(attempt);
        if (was_in_db) {
            std::error_code ignored;
            std::filesystem::remove(file_of(directory_, attempt), ignored);
        }
        throw;
    }
    notifier_.notify();
    return seq;
}

LogIndex LogStore::write_chunk(AttemptId attempt, OpenLog& log, uint64_t seq, std::string_view data,
                               FileHandle& new_tail) {
    LogIndex next = log.index;
    next.seq = static_cast<int64_t>(seq);
    if (next.in_db) {
        if (next.head_bytes + static_cast<int64_t>(data.size()) <= in_db_bytes_) {
            log_chunks::add(db_, attempt, next.seq, data);
            next.head_bytes += static_cast<int64_t>(data.size());
            return next;
        }
        move_to_file(attempt, log, next);
    }
    if (next.cap == 0) {
        int64_t room = log_head_limit(cap_) - next.head_bytes;
        size_t to_head = static_cast<int64_t>(data.size()) <= room
                             ? data.size()
                             : head_cut(data, room, log_line_slack(cap_));
        write_at(log.head, next.head_bytes, data.substr(0, to_head),
                 "write " + file_of(directory_, attempt).string());
        next.head_bytes += static_cast<int64_t>(to_head);
        data.remove_prefix(to_head);
        if (data.empty()) return next;
        // The head is full: from here on the output goes to a tail file.
        next.cap = cap_;
        next.tail_gen = log.index.tail_gen + 1;
        next.tail_bytes = 0;
        new_tail =
            open_file(tail_file_of(directory_, attempt, next.tail_gen), O_RDWR | O_CREAT | O_TRUNC);
    }
    const FileHandle& tail = new_tail.is_open() ? new_tail : log.tail;
    write_at(tail, next.tail_bytes, data,
             "write " + tail_file_of(directory_, attempt, next.tail_gen).string());
    next.tail_bytes += static_cast<int64_t>(data.size());
    if (next.tail_bytes > 2 * log_tail_keep(next.cap)) {
        FileHandle compacted;
        next = compact_tail(attempt, tail, next, compacted);
        new_tail = std::move(compacted);
    }
    return next;
}

void LogStore::move_to_file(AttemptId attempt, OpenLog& log, LogIndex& next) {
    const std::string in_db = log_chunks::read(db_, attempt);
    if (static_cast<int64_t>(in_db.size()) != next.head_bytes) {
        throw std::runtime_error("the log of attempt " + std::to_string(attempt) + " has " +
                                 std::to_string(in_db.size()) + " bytes in SQLite, its index " +
                                 std::to_string(next.head_bytes));
    }
    const auto path = file_of(directory_, attempt);
    // O_TRUNC: a file here can only be left over from a move a crash kept from committing.
    log.head = open_file(path, O_RDWR | O_CREAT | O_TRUNC);
    write_at(log.head, 0, in_db, "write " + path.string());
    // The rows go in the commit that says the log is in the file: the bytes must be on disk
    // before, as they were in SQLite.
    if (::fdatasync(log.head.fd()) != 0) {
        throw std::runtime_error("sync " + path.string() + ": " + std::strerror(errno));
    }
    log_chunks::remove(db_, attempt);
    next.in_db = false;
}

LogIndex LogStore::compact_tail(AttemptId attempt, const FileHandle& tail, LogIndex index,
                                FileHandle& new_tail) {
    int64_t keep = log_tail_keep(index.cap);
    int64_t cut = index.tail_bytes - keep;
    LogIndex next = index;
    next.tail_gen = index.tail_gen + 1;
    next.tail_bytes = keep;
    next.dropped = index.dropped + cut;
    auto path = tail_file_of(directory_, attempt, next.tail_gen);
    // O_TRUNC: a file of this generation can only be left over from a compaction that a
    // crash kept from being committed.
    new_tail = open_file(path, O_RDWR | O_CREAT | O_TRUNC);
    copy_range(tail, cut, new_tail, 0, keep, "copy the log tail into " + path.string());
    return next;
}

void LogStore::commit(AttemptId attempt, OpenLog& log, const LogIndex& next, FileHandle new_tail) {
    pipelines::set_attempt_log(db_, attempt, next);
    int64_t replaced = log.index.tail_gen;
    log.index = next;
    if (new_tail.is_open()) {
        log.tail = std::move(new_tail);
        // Readers still holding a replaced generation open read it to the end.
        remove_tails(attempt, std::max<int64_t>(replaced, 1), next.tail_gen);
    }
}

void LogStore::remove_tails(AttemptId attempt, int64_t from_generation, int64_t to_generation) {
    for (int64_t generation = from_generation; generation < to_generation; ++generation) {
        std::error_code ignored;
        std::filesystem::remove(tail_file_of(directory_, attempt, generation), ignored);
    }
}

void LogStore::close(AttemptId attempt) {
    try {
        auto it = open_.find(attempt);
        std::optional<LogIndex> index;
        if (it != open_.end()) {
            index = it->second.index;
        } else if (auto row = pipelines::find_attempt(db_, attempt)) {
            index = log_index_of(*row);
        }
        if (index && index->cap != 0 && index->tail_bytes > log_tail_keep(index->cap)) {
            // Readers show the same bytes before and after: the kept part of the tail.
            OpenLog& log = open(attempt);
            FileHandle new_tail;
            LogIndex next = compact_tail(attempt, log.tail, log.index, new_tail);
            commit(attempt, log, next, std::move(new_tail));
        }
    } catch (const DbError&) {
        open_.erase(attempt);
        throw;
    } catch (const std::exception& e) {
        FMG_LOG(warn) << "attempt=" << attempt
                      << " log tail not cut down to its kept part: " << e.what();
    }
    open_.erase(attempt);
}

}  // namespace fmg::coordinator
