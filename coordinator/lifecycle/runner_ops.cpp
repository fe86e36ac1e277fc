#include "coordinator/lifecycle/runner_ops.h"

#include "coordinator/lifecycle/transitions.h"
#include "coordinator/store/runner_store.h"

namespace fmg::coordinator::lifecycle {
namespace {

/// Moves the runner to `to` unless it is unknown, revoked, or there already.
bool move_runner(Database& db, RunnerId id, RunnerState to, int64_t now) {
    return db.transaction([&] {
        auto runner = runners::find(db, id);
        if (!runner || is_terminal(runner->state) || runner->state == to) return false;
        return transition(db, *runner, to, now);
    });
}

}  // namespace

bool mark_runner_online(Database& db, RunnerId id, const std::string& version, int64_t capacity,
                        const std::vector<std::string>& labels, int64_t now) {
    return db.transaction([&] {
        auto runner = runners::find(db, id);
        if (!runner || is_terminal(runner->state)) return false;
        runners::record_hello(db, id, version, capacity, labels, now);
        // Online already when a new connection replaces the runner's session.
        if (runner->state == RunnerState::online) return true;
        return transition(db, *runner, RunnerState::online, now);
    });
}

bool mark_runner_draining(Database& db, RunnerId id) {
    return move_runner(db, id, RunnerState::draining, 0);
}

bool mark_runner_lost(Database& db, RunnerId id) {
    return move_runner(db, id, RunnerState::lost, 0);
}

bool mark_runner_offline(Database& db, RunnerId id) {
    return move_runner(db, id, RunnerState::offline, 0);
}

bool revoke_runner(Database& db, RunnerId id, int64_t now) {
    return move_runner(db, id, RunnerState::revoked, now);
}

}  // namespace fmg::coordinator::lifecycle
