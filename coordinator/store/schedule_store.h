#pragma once
// Reads and writes of scheduled workflows (`schedules`) and the pipelines they started
// (`scheduled_pipelines`). Callers group them into one transaction per durable change
// (coordinator/lifecycle/schedules.h).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/store/database.h"
#include "coordinator/store/rows.h"

namespace fmg::coordinator::schedules {

using ScheduleId = int64_t;

/// What one branch's config schedules: a workflow on a cron (UTC).
struct ScheduleRow {
    ScheduleId id = 0;
    std::string repo;      // owner/name
    std::string repo_url;  // where the branch's pipelines fetch from
    std::string branch;
    std::string workflow;
    std::string cron;
    int64_t last_fire_at = 0;  // it fires at its fire times after this
    int64_t created_at = 0;
};

/// Every schedule, oldest first.
std::vector<ScheduleRow> all(Database& db);
std::optional<ScheduleRow> find(Database& db, ScheduleId id);
/// The schedules of one branch of a repository.
std::vector<ScheduleRow> of_branch(Database& db, const std::string& repo,
                                   const std::string& branch);
/// Adds a schedule that fires first at its first fire time after `row.last_fire_at`.
ScheduleId insert(Database& db, const ScheduleRow& row);
void remove(Database& db, ScheduleId id);
void set_repo_url(Database& db, ScheduleId id, const std::string& repo_url);
void set_last_fire(Database& db, ScheduleId id, int64_t at);

/// Records that `pipeline_id` runs the schedule's workflow for the fire time `due_at`.
/// Throws DbError when that schedule already has a pipeline for that fire time.
void insert_scheduled_pipeline(Database& db, PipelineId pipeline_id, ScheduleId schedule_id,
                               const std::string& workflow, int64_t due_at);
/// The workflow a scheduled pipeline runs; nullopt for any other pipeline.
std::optional<std::string> scheduled_workflow_of(Database& db, PipelineId pipeline_id);

}  // namespace fmg::coordinator::schedules
