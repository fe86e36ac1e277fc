#pragma once
// The audit log (docs/security.md): who changed what, when. Every API request that may change
// something is recorded with the token that made it and the answer it got, refusals too.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/store/database.h"

namespace fmg::coordinator::audit {

struct Entry {
    int64_t id = 0;
    int64_t at = 0;
    std::optional<int64_t> token_id;
    std::string actor;   // the token's name
    std::string role;    // its role then
    std::string action;  // "POST /api/v1/runners"
    int64_t status = 0;  // the HTTP status answered
    std::string detail;  // what the handler named, e.g. "runner 3 (ci-1)"
};

/// Appends `entry` (its id is ignored).
void record(Database& db, const Entry& entry);

/// The newest entries first, at most `limit`; only those older than `before_id` when given.
std::vector<Entry> recent(Database& db, int64_t limit, std::optional<int64_t> before_id);

}  // namespace fmg::coordinator::audit
