#pragma once
// Registered runners: their CURVE keys, declared capacity and last known state. Their state
// changes through lifecycle::transition (coordinator/lifecycle/runner_ops.h) only.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/store/database.h"
#include "coordinator/store/rows.h"

namespace fmg::coordinator::runners {

struct NewRunner {
    std::string host;
    std::vector<std::string> labels;
    int64_t capacity = 1;
    std::string public_key;  // hex
};

RunnerId insert(Database& db, const NewRunner& runner, int64_t now);
std::optional<RunnerRow> find(Database& db, RunnerId id);
/// The newest non-revoked runner registered for `host`.
std::optional<RunnerRow> find_by_host(Database& db, const std::string& host);
/// The runner holding this key, revoked or not.
std::optional<RunnerRow> find_by_key(Database& db, const std::string& public_key_hex);
std::vector<RunnerRow> all(Database& db);
/// Moves the runner from `from` to `to`, recording `revoked_at` when given. False when its
/// state was not `from`.
bool set_state(Database& db, RunnerId id, RunnerState from, RunnerState to,
               std::optional<int64_t> revoked_at);
/// What a hello says about the runner: its version, capacity and labels, heard from now.
void record_hello(Database& db, RunnerId id, const std::string& version, int64_t capacity,
                  const std::vector<std::string>& labels, int64_t now);
/// Stores each runner's latest heartbeat time (wall ms), all in one transaction.
void record_heartbeats(Database& db, const std::map<RunnerId, int64_t>& latest);

}  // namespace fmg::coordinator::runners
