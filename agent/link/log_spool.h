#pragma once
// The disk side of an attempt's unacknowledged log (issue 3 "No log loss"): the chunks that
// do not fit the memory bound, in an append-only file WORK_DIR/spool/attempt-N.chunks of
// records `seq (u64 LE) | length (u32 LE) | data`. The file holds a contiguous run of
// sequence numbers, oldest first; acknowledged records at its head are skipped by moving a
// read offset, and the file is removed when the last of them is acknowledged.
//
// The spool only bounds memory; it is not durable state. A chunk is only useful to the agent
// process that produced it (a new process holds no attempts: the coordinator has declared
// the old one's attempts lost and retried them), so nothing is fsynced and a new process
// removes the whole directory at start (remove_leftover_spools).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>

#include "protocol/messages.h"
#include "shared/result.h"

namespace fmg::agent {

/// WORK_DIR/spool: where every attempt's spool file lives.
std::filesystem::path spool_directory(const std::filesystem::path& work_dir);

/// Removes `directory` and everything in it (what an earlier agent process spooled).
/// Returns how many spool files it removed; a directory that cannot be removed is logged.
size_t remove_leftover_spools(const std::filesystem::path& directory);

class LogSpool {
    // Only create() makes the key that the constructor needs.
    class Key {
        friend class LogSpool;
        Key() = default;
    };

  public:
    /// Creates `directory` if needed and DIRECTORY/attempt-N.chunks, empty: a file left there
    /// by an earlier process is truncated, never read. Fails with the OS error.
    static Result<std::unique_ptr<LogSpool>> create(const std::filesystem::path& directory,
                                                    protocol::AttemptId attempt);
    /// Use create(); takes ownership of `fd`, open on `path`.
    LogSpool(Key, std::filesystem::path path, protocol::AttemptId attempt, int fd)
        : path_(std::move(path)), attempt_(attempt), fd_(fd) {}
    /// Closes and removes the file.
    ~LogSpool();
    LogSpool(const LogSpool&) = delete;
    LogSpool& operator=(const LogSpool&) = delete;

    /// Appends a chunk whose seq follows the last one held (any seq when empty). On failure
    /// (disk full, I/O error, a seq out of order) the file holds what it held before and the
    /// chunk is not in the spool.
    Status append(const protocol::Log& chunk);

    /// Forgets the chunks with seq <= `seq` (all of them when `seq` is past the last). Reads
    /// their record headers; fails when the file cannot be read, changing nothing then.
    Status drop_through(uint64_t seq);

    /// Reads back every chunk held, oldest first, and passes each to `visit` (one at a time:
    /// memory use is one chunk). Fails when the file cannot be read or does not hold what
    /// was written; the chunks read before that have been passed on.
    /// Visits at most `max_chunks` (the oldest first).
    Status for_each(const std::function<void(const protocol::Log&)>& visit,
                    size_t max_chunks = SIZE_MAX) const;

    bool empty() const { return count_ == 0; }
    /// How many chunks it holds, and their data bytes.
    size_t count() const { return count_; }
    size_t data_bytes() const { return data_bytes_; }
    /// The sequence numbers held: [first_seq(), last_seq()] when not empty.
    uint64_t first_seq() const { return first_seq_; }
    uint64_t last_seq() const { return first_seq_ + count_ - 1; }
    const std::filesystem::path& path() const { return path_; }

  private:
    struct Header {
        uint64_t seq = 0;
        uint32_t length = 0;
    };

    // Reads and checks the record header at `offset` (which must be below end_offset_).
    Result<Header> read_header(uint64_t offset, uint64_t expected_seq) const;

    std::filesystem::path path_;
    protocol::AttemptId attempt_;
    int fd_ = -1;
    uint64_t head_offset_ = 0;  // where the first unacknowledged record starts
    uint64_t end_offset_ = 0;   // where the next record goes
    uint64_t first_seq_ = 0;
    size_t count_ = 0;
    size_t data_bytes_ = 0;
};

}  // namespace fmg::agent
