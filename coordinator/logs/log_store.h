#pragma once
// One log per attempt. Chunks carry sequence numbers from the agent; a chunk is appended
// exactly once, in order, and where the log stands (a LogIndex) is committed to SQLite before
// the chunk is acknowledged. At start, files longer than their committed size (a crash
// between write and commit) are cut back, and the agent resends what was not acked.
//
// A log starts in SQLite: each chunk is a row (log_chunk_store.h) written in the same
// transaction as the index. Most logs stay under kMaxLogInDbBytes and never get a file, which
// on a busy coordinator was the largest cost of a job after the steps themselves (creating a
// file per attempt: docs/performance.md, throughput). The chunk that would pass the limit
// moves the log to DATA_DIR/logs/attempt-N.log: the rows are written to the file, synced, and
// deleted in the transaction that commits the index saying so; the file of a move that failed
// is removed at once, and one that a crash kept from committing at the next start.
//
// The cap (--log-cap): the first half of it goes to attempt-N.log as the output arrives (the
// head; cut at a line end when one is near), and everything after goes to a tail file,
// attempt-N.tail-G. When the tail file grows past twice the half it keeps, its last half is
// copied into generation G+1, the index moves to it in one commit, and G is removed; so disk
// use stays near the cap, and a crash at any point leaves either generation whole and named
// by the index. Every chunk is acknowledged as usual. Readers (log_view.h) show the head
// while the attempt runs and head, one marker line and the kept tail once it has ended.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string_view>

#include "coordinator/logs/log_cap.h"
#include "coordinator/logs/log_files.h"
#include "coordinator/logs/log_notifier.h"
#include "coordinator/store/database.h"
#include "coordinator/store/rows.h"

namespace fmg::coordinator {

/// A log stays in SQLite until it would pass this many bytes (or half the cap, if smaller).
inline constexpr int64_t kMaxLogInDbBytes = 32 * 1024;

class LogStore {
  public:
    /// Cuts back what a crash left uncommitted and finishes compactions that a restart cut
    /// short. `cap_bytes` applies to logs that reach it from now on; a log already over its
    /// cap keeps the one it started with. Throws std::runtime_error when a file cannot be
    /// repaired.
    LogStore(std::filesystem::path directory, Database& db, LogNotifier& notifier,
             int64_t cap_bytes = kDefaultLogCapBytes, int64_t in_db_bytes = kMaxLogInDbBytes);
    LogStore(const LogStore&) = delete;
    LogStore& operator=(const LogStore&) = delete;

    /// Appends the chunk if `seq` is the next one of the attempt; ignores repeats and chunks
    /// past a gap. Returns the highest seq appended so far (what to acknowledge). Throws
    /// std::runtime_error when a file cannot be written (nothing is committed then; the
    /// files are cut back when the attempt's log is next opened). Opens its own transaction:
    /// never call it inside one.
    uint64_t append(AttemptId attempt, uint64_t seq, std::string_view data);

    /// The attempt ended: its tail file is cut down to the part readers show, and its files
    /// are closed; later appends reopen them. A file error is logged, not thrown: the larger
    /// tail file stays and reads the same. Throws DbError when the database fails.
    void close(AttemptId attempt);

    /// Path of an attempt's log file, the head once it is over the cap (it may not exist).
    static std::filesystem::path file_of(const std::filesystem::path& directory, AttemptId attempt);

    /// Path of generation `generation` of an attempt's tail file.
    static std::filesystem::path tail_file_of(const std::filesystem::path& directory,
                                              AttemptId attempt, int64_t generation);

  private:
    struct OpenLog {
        FileHandle head;  // open once the log is in its file (not index.in_db)
        FileHandle tail;  // open once the log is over its cap
        LogIndex index;   // as committed
    };
    OpenLog& open(AttemptId attempt);
    /// Writes the chunk after `log`'s committed end; returns the index to commit and, when
    /// the tail moved to a new generation, that file in `new_tail`.
    LogIndex write_chunk(AttemptId attempt, OpenLog& log, uint64_t seq, std::string_view data,
                         FileHandle& new_tail);
    /// Writes the part of the log in SQLite to its new file (synced), opens it as `log.head`
    /// and deletes the rows; `next` then says the log is in its file. Part of the append's
    /// transaction.
    void move_to_file(AttemptId attempt, OpenLog& log, LogIndex& next);
    /// Copies the kept part of the tail to the next generation; returns the index naming it.
    LogIndex compact_tail(AttemptId attempt, const FileHandle& tail, LogIndex index,
                          FileHandle& new_tail);
    /// Commits `next` for `log`, moves it to `new_tail` (if open) and removes replaced tails.
    void commit(AttemptId attempt, OpenLog& log, const LogIndex& next, FileHandle new_tail);
    void remove_tails(AttemptId attempt, int64_t from_generation, int64_t to_generation);
    void recover();

    std::filesystem::path directory_;
    Database& db_;
    LogNotifier& notifier_;
    int64_t cap_;
    int64_t in_db_bytes_;  // kMaxLogInDbBytes, at most half the cap
    std::map<AttemptId, OpenLog> open_;
};

}  // namespace fmg::coordinator
