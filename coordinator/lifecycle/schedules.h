#pragma once
// The durable changes of scheduled workflows (CircleCI `triggers: - schedule:`): learning what
// a branch's config schedules, and starting a schedule's pipeline once per fire time. Each is
// one transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/store/database.h"
#include "coordinator/store/rows.h"
#include "coordinator/store/schedule_store.h"

namespace fmg::coordinator::lifecycle {

/// The trigger of the pipelines schedules start (the API's `trigger`).
inline constexpr const char* kScheduledTrigger = "scheduled";

/// A workflow that a branch's config schedules.
struct ScheduledWorkflow {
    std::string workflow;
    std::string cron;  // five POSIX fields, UTC; valid (the config parsed)
};

/// What a branch's config, just read, schedules for that branch.
struct BranchSchedules {
    std::string repo;      // owner/name
    std::string repo_url;  // where the branch's pipelines fetch from
    std::string branch;
    std::vector<ScheduledWorkflow> schedules;  // after its filters; empty: none
};

/// Replaces what the branch schedules with `branch.schedules`: a schedule recorded already
/// (same workflow and cron) keeps its last fire time, so recording again never makes it fire;
/// a new one counts from `now` (it fires at its first fire time after now); the branch's
/// other schedules are removed. Returns whether anything changed.
bool record_schedules(Database& db, const BranchSchedules& branch, int64_t now);

/// A pipeline a schedule started.
struct FiredSchedule {
    PipelineId pipeline_id = 0;
    int64_t due_at = 0;  // the first fire time since the schedule last fired
};

/// Starts schedule `id`'s pipeline when it is due at `now` (a fire time has come since it
/// last fired): a pipeline of its repository's branch, trigger `scheduled`, with no commit
/// yet (the preparer takes the branch's head then), running only the schedule's workflow.
/// Reads the schedule and moves its last fire time to `now` in the same transaction, so any
/// number of fire times missed while the coordinator was down start one pipeline, and no
/// fire time starts two, whoever calls. nullopt when it is not due or no longer exists.
std::optional<FiredSchedule> fire_schedule(Database& db, schedules::ScheduleId id, int64_t now);

}  // namespace fmg::coordinator::lifecycle
