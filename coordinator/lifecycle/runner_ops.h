#pragma once
// The durable changes of a runner's state, each one transaction that moves it through
// lifecycle::transition. Revocation is final (can_transition, coordinator/domain/states.h):
// every operation leaves a revoked runner as it is and answers false, as it does for an
// unknown runner or one already in the state asked for.

#include <cstdint>
#include <string>
#include <vector>

#include "coordinator/store/database.h"
#include "coordinator/store/rows.h"

namespace fmg::coordinator::lifecycle {

/// The runner said hello: records its version, capacity and labels, heard from `now`, and
/// moves it online.
bool mark_runner_online(Database& db, RunnerId id, const std::string& version, int64_t capacity,
                        const std::vector<std::string>& labels, int64_t now);
/// It finishes its jobs and takes no new ones.
bool mark_runner_draining(Database& db, RunnerId id);
/// Its session was lost (silent, disconnected, or replaced by revocation).
bool mark_runner_lost(Database& db, RunnerId id);
/// It said goodbye.
bool mark_runner_offline(Database& db, RunnerId id);
/// An operator revoked it at `now`: its key is refused from now on.
bool revoke_runner(Database& db, RunnerId id, int64_t now);

}  // namespace fmg::coordinator::lifecycle
