#pragma once
// One append-only file per attempt under DATA_DIR/logs. Chunks carry sequence numbers from the
// agent; a chunk is appended exactly once, in order, and the (seq, bytes) index is committed
// to SQLite before the chunk is acknowledged. At start, a file longer than its committed size
// (a crash between write and commit) is cut back, and the agent resends what was not acked.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string_view>

#include "coordinator/logs/log_notifier.h"
#include "coordinator/store/database.h"
#include "coordinator/store/rows.h"

namespace fmg::coordinator {

class LogStore {
  public:
    LogStore(std::filesystem::path directory, Database& db, LogNotifier& notifier);
    ~LogStore();
    LogStore(const LogStore&) = delete;
    LogStore& operator=(const LogStore&) = delete;

    /// Appends the chunk if `seq` is the next one of the attempt; ignores repeats and chunks
    /// past a gap. Returns the highest seq appended so far (what to acknowledge). Throws
    /// std::runtime_error when the file cannot be written.
    uint64_t append(AttemptId attempt, uint64_t seq, std::string_view data);

    /// Closes the attempt's file (its job ended); later appends reopen it.
    void close(AttemptId attempt);

    /// Path of an attempt's log file (it may not exist yet).
    static std::filesystem::path file_of(const std::filesystem::path& directory, AttemptId attempt);

  private:
    struct OpenLog {
        int fd = -1;
        uint64_t last_seq = 0;
        int64_t bytes = 0;
    };
    OpenLog& open(AttemptId attempt);

    std::filesystem::path directory_;
    Database& db_;
    LogNotifier& notifier_;
    std::map<AttemptId, OpenLog> open_;
};

}  // namespace fmg::coordinator
