#pragma once
// Retention and the store's quota (docs/files.md): named operations that remove the records
// of stored files past their time, or least recently used caches while the store is over its
// quota, each with an `evictions` row saying what went and why; and the blobs nothing refers
// to any more, whose files the caller then deletes.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "coordinator/store/database.h"

namespace fmg::coordinator::retention {

/// How long stored files are kept; 0: forever. Days are counted from when a file was stored
/// (artifacts, layers, reports) or a cache was last restored or saved.
struct Policy {
    int64_t artifact_days = 30;   // artifacts and test result files
    int64_t workspace_days = 15;  // workspace layers
    int64_t cache_days = 15;      // caches, since their last use
};

struct EvictionRow {
    int64_t id = 0;
    std::string kind;  // artifact, workspace_layer, test_results, cache
    std::string repo;
    std::optional<int64_t> pipeline_id;
    std::optional<std::string> job;
    std::string name;
    int64_t size = 0;
    std::string reason;
    int64_t evicted_at = 0;
};

/// Removes what the policy no longer keeps at `now`; how many records went.
int expire(Database& db, const Policy& policy, int64_t now);

/// The bytes of every blob the store holds (recorded blobs).
int64_t stored_bytes(Database& db);

struct Room {
    bool fits = false;                  // `room` more bytes fit within the quota now
    std::vector<std::string> released;  // blobs nothing refers to any more: delete them
};

/// Releases unreferenced blobs, then evicts least recently used caches while the store holds
/// more than `quota - room` bytes. Caches in `in_use` (a running job found them and may be
/// fetching them) are never evicted.
Room make_room(Database& db, int64_t quota, int64_t room, const std::set<int64_t>& in_use,
               int64_t now);

/// Forgets the blobs nothing refers to (no artifact, layer, report, cache, nor a cache part
/// an attempt still running may name) and returns their digests: the caller deletes their
/// files.
std::vector<std::string> release_unreferenced(Database& db);

/// Evictions, newest first, at most `limit`; only `pipeline_id`'s when given.
std::vector<EvictionRow> evictions(Database& db, std::optional<int64_t> pipeline_id, int64_t limit);

}  // namespace fmg::coordinator::retention
