#pragma once
// One log per attempt under DATA_DIR/logs. Chunks carry sequence numbers from the agent; a
// chunk is appended exactly once, in order, and where the log stands (a LogIndex) is committed
// to SQLite before the chunk is acknowledged. At start, files longer than their committed size
// (a crash between write and commit) are cut back, and the agent resends what was not acked.
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

class LogStore {
  public:
    /// Cuts back what a crash left uncommitted and finishes compactions that a restart cut
    /// short. `cap_bytes` applies to logs that reach it from now on; a log already over its
    /// cap keeps the one it started with. Throws std::runtime_error when a file cannot be
    /// repaired.
    LogStore(std::filesystem::path directory, Database& db, LogNotifier& notifier,
             int64_t cap_bytes = kDefaultLogCapBytes);
    LogStore(const LogStore&) = delete;
    LogStore& operator=(const LogStore&) = delete;

    /// Appends the chunk if `seq` is the next one of the attempt; ignores repeats and chunks
    /// past a gap. Returns the highest seq appended so far (what to acknowledge). Throws
    /// std::runtime_error when a file cannot be written (nothing is committed then; the
    /// files are cut back when the attempt's log is next opened).
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
        FileHandle head;
        FileHandle tail;  // open once the log is over its cap
        LogIndex index;   // as committed
    };
    OpenLog& open(AttemptId attempt);
    /// Writes the chunk after `log`'s committed end; returns the index to commit and, when
    /// the tail moved to a new generation, that file in `new_tail`.
    LogIndex write_chunk(AttemptId attempt, OpenLog& log, uint64_t seq, std::string_view data,
                         FileHandle& new_tail);
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
    std::map<AttemptId, OpenLog> open_;
};

}  // namespace fmg::coordinator
