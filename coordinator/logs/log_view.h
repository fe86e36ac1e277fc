#pragma once
// An attempt's log as readers see it, from its committed index (log_store.h): while it is in
// SQLite, its committed chunks; under the cap, the committed bytes of its file; over it, the head
// while the attempt runs, and once it has ended the head, one marker line standing for what was
// left out, and the kept tail. Offsets are positions in these bytes, so a reader that had the head
// goes on past it when the attempt ends. The files are opened once; a compaction after that does
// not disturb a view.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include "coordinator/logs/log_files.h"
#include "coordinator/store/database.h"
#include "coordinator/store/rows.h"

namespace fmg::coordinator {

class LogView {
  public:
    /// The log of `attempt` as its row says it stands. nullopt when what the row names is
    /// gone: the log moved from SQLite to its file, or a compaction replaced the tail file,
    /// after the row was read; read the row again. Throws std::runtime_error when the log
    /// file is missing or unreadable.
    static std::optional<LogView> open(const std::filesystem::path& logs_dir,
                                       const AttemptRow& attempt, Database& db);

    /// How many bytes the log has for readers now.
    int64_t size() const;

    /// Writes the bytes from `offset` to the end into `out`; returns the offset reached (the
    /// size, or less when `out` failed). Throws std::runtime_error on a read error.
    int64_t copy(int64_t offset, std::ostream& out) const;

    /// Whether output past the head exists that readers do not see yet (the log is over its
    /// cap and the attempt still runs).
    bool holding_back() const { return holding_back_; }

    /// The line a follower reads once it has the whole head while output is held back.
    std::string held_back_notice() const;

  private:
    LogView() = default;
    /// Writes bytes [from, to) of `file` to `out`; returns how far it got.
    static int64_t copy_file(const FileHandle& file, int64_t from, int64_t to, std::ostream& out);

    FileHandle head_;
    std::string head_in_db_;  // the head, when the log is in SQLite
    int64_t head_bytes_ = 0;
    bool head_ends_with_newline_ = true;
    std::string marker_;  // empty unless bytes were left out
    FileHandle tail_;
    int64_t tail_start_ = 0;  // the part of the tail file shown, once the attempt has ended
    int64_t tail_end_ = 0;
    int64_t cap_ = 0;
    bool holding_back_ = false;
};

}  // namespace fmg::coordinator
