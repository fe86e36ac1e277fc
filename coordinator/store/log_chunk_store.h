#pragma once
// The heads of logs still kept in SQLite (logs/log_store.h): one row per chunk, appended in
// the same transaction as the attempt's log index, and removed in the one that moves the log
// to its file.

#include <optional>
#include <string>
#include <string_view>

#include "coordinator/store/database.h"
#include "coordinator/store/rows.h"

namespace fmg::coordinator::log_chunks {

void add(Database& db, AttemptId attempt, int64_t seq, std::string_view data);

/// The attempt's chunks in order, joined: its log as far as it is in SQLite. Empty when it has
/// none (no output yet, or the log moved to its file).
std::string read(Database& db, AttemptId attempt);

void remove(Database& db, AttemptId attempt);

}  // namespace fmg::coordinator::log_chunks
