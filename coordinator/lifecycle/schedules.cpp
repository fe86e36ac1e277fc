#include "coordinator/lifecycle/schedules.h"

#include <algorithm>

#include "coordinator/store/pipeline_store.h"
#include "shared/log.h"
#include "shared/pipeline/cron.h"

namespace fmg::coordinator::lifecycle {
namespace {

bool same_schedule(const schedules::ScheduleRow& row, const ScheduledWorkflow& wanted) {
    return row.workflow == wanted.workflow && row.cron == wanted.cron;
}

}  // namespace

bool record_schedules(Database& db, const BranchSchedules& branch, int64_t now) {
    const bool changed = db.transaction([&] {
        bool any_change = false;
        auto recorded = schedules::of_branch(db, branch.repo, branch.branch);
        for (const auto& row : recorded) {
            const bool kept = std::any_of(
                branch.schedules.begin(), branch.schedules.end(),
                [&](const ScheduledWorkflow& wanted) { return same_schedule(row, wanted); });
            if (!kept) {
                schedules::remove(db, row.id);
                any_change = true;
            } else if (row.repo_url != branch.repo_url) {
                schedules::set_repo_url(db, row.id, branch.repo_url);
            }
        }
        for (const auto& wanted : branch.schedules) {
            const bool known = std::any_of(
                recorded.begin(), recorded.end(),
                [&](const schedules::ScheduleRow& row) { return same_schedule(row, wanted); });
            if (known) continue;
            schedules::ScheduleRow row;
            row.repo = branch.repo;
            row.repo_url = branch.repo_url;
            row.branch = branch.branch;
            row.workflow = wanted.workflow;
            row.cron = wanted.cron;
            row.last_fire_at = now;
            row.created_at = now;
            schedules::insert(db, row);
            recorded.push_back(row);  // a config listing one schedule twice records it once
            any_change = true;
        }
        return any_change;
    });
    if (changed) {
        std::string listed;
        for (const auto& wanted : branch.schedules) {
            listed += (listed.empty() ? "" : ", ") + wanted.workflow + " \"" + wanted.cron + "\"";
        }
        FMG_LOG(info) << branch.repo << "@" << branch.branch
                      << " schedules: " << (listed.empty() ? "none" : listed);
    }
    return changed;
}

std::optional<FiredSchedule> fire_schedule(Database& db, schedules::ScheduleId id, int64_t now) {
    std::optional<schedules::ScheduleRow> schedule;
    auto fired = db.transaction([&]() -> std::optional<FiredSchedule> {
        // Read inside the transaction: another pass (or a coordinator on the same database)
        // may have fired it since the caller looked.
        schedule = schedules::find(db, id);
        if (!schedule) return std::nullopt;
        auto cron = pipeline::CronSchedule::parse(schedule->cron);
        if (!cron) return std::nullopt;
        const auto due = cron->next_after(schedule->last_fire_at);
        if (!due || *due > now) return std::nullopt;
        const PipelineId pipeline_id =
            pipelines::insert(db, {.repo = schedule->repo,
                                   .repo_url = schedule->repo_url,
                                   .ref = "refs/heads/" + schedule->branch,
                                   .sha = "",
                                   .trigger = kScheduledTrigger,
                                   .created_at = now,
                                   .retry_of = std::nullopt});
        schedules::insert_scheduled_pipeline(db, pipeline_id, id, schedule->workflow, *due);
        schedules::set_last_fire(db, id, now);
        return FiredSchedule{pipeline_id, *due};
    });
    if (fired) {
        FMG_LOG(info) << "pipeline=" << fired->pipeline_id << " scheduled: " << schedule->repo
                      << "@" << schedule->branch << " workflow " << schedule->workflow << " \""
                      << schedule->cron << "\" (schedule=" << id << ")";
    }
    return fired;
}

}  // namespace fmg::coordinator::lifecycle
