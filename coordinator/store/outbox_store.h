#pragma once
// The GitHub status outbox: statuses are written here in the same transaction as the state
// change that causes them, then sent (and retried) by the status sender.

#include <optional>
#include <string>
#include <vector>

#include "coordinator/store/database.h"
#include "coordinator/store/rows.h"

namespace fmg::coordinator::outbox {

struct NewStatus {
    std::string repo;
    std::string sha;
    std::string context;
    std::string state;
    std::string description;
    std::string target_url;
};

void add(Database& db, const NewStatus& status, int64_t now);
/// Rows due at `now`, oldest first.
std::vector<OutboxRow> due(Database& db, int64_t now, int64_t limit);
/// The earliest next_try_at of any row, if there is one.
std::optional<int64_t> next_due(Database& db);
void remove(Database& db, int64_t id);
void reschedule(Database& db, int64_t id, int64_t next_try_at, const std::string& error);

}  // namespace fmg::coordinator::outbox

namespace fmg::coordinator::deliveries {

struct Answer {
    int status_code = 0;
    std::string body;
};

std::optional<Answer> find(Database& db, const std::string& delivery_id);
void record(Database& db, const std::string& delivery_id, const Answer& answer, int64_t now);

}  // namespace fmg::coordinator::deliveries
